"""Use cases: one function per action, called alike by the CLI and the Prefect tasks.

Each takes a ``Wiring`` (the adapters built from settings) and ids, does the action over
the case store, and returns a model of counts and ids. Nothing here imports Prefect.
"""
