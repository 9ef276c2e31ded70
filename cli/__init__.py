"""The ``breachflow`` command line: reaches the domain through the use cases, as the Prefect tasks do.

Nothing in ``breachflow/`` imports this package; ``cli.main`` adds each sub-app explicitly.
"""
