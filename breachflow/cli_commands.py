"""Registers each stage's CLI commands on the main app (one import per stage)."""
from breachflow.obligations import cli as _obligations_cli  # noqa: F401
from breachflow.reporting import cli as _reporting_cli  # noqa: F401
from breachflow.scoping import cli as _scoping_cli  # noqa: F401
from breachflow.leakcheck import cli as _leakcheck_cli  # noqa: F401
from breachflow.prevention import cli as _prevention_cli  # noqa: F401
from breachflow.notification import cli as _notification_cli  # noqa: F401
from breachflow.requests import cli as _requests_cli  # noqa: F401
