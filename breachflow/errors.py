"""The breachflow exception hierarchy.

Every error a user can see derives from ``BreachflowError``; its message names the file,
the field or row, and what was expected. Messages never carry personal data: only ids,
paths, column names, row numbers and counts. The CLI prints ``str(error)`` and exits 2.

    BreachflowError
    ├── ConfigError          settings missing or unsafe
    ├── InputError           a file the user gave us is wrong
    │   ├── IntakeError      the incident intake file (all problems listed at once)
    │   └── DatasetError     the leaked list (CSV / XLSX)
    ├── CaseStoreError       the case folder: missing case, duplicate case, unsafe path
    ├── DecisionError        obligations cannot be decided from these facts
    ├── RenderError          a document cannot be rendered (e.g. 確報 with missing items)
    ├── DeliveryError        a notice could not be handed over (ids only)
    ├── PreventionError      a prevention action cannot change as asked (unknown action, no plan)
    │   └── EvidenceRequired an action was closed without the evidence it requires
    └── CheckUnavailable     an automated audit check cannot run now (share unreachable,
                             file locked); transient, so orchestration retries it
"""

from __future__ import annotations

from pathlib import Path


class BreachflowError(Exception):
    """Base for every error breachflow reports to a user."""

    exit_code = 2


class ConfigError(BreachflowError):
    """A setting is missing, malformed or unsafe."""


class InputError(BreachflowError):
    """A user-supplied file cannot be used; the message says where and why (``detail``: without the path)."""

    def __init__(self, path: str | Path | None, message: str) -> None:
        self.path = str(path) if path is not None else None
        self.detail = message
        prefix = f"{self.path}: " if self.path else ""
        super().__init__(prefix + message)


class IntakeError(InputError):
    """The intake file is invalid; ``problems`` lists each (field path, message)."""

    def __init__(self, path: str | Path | None, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {loc}: {msg}" for loc, msg in problems)
        count = len(problems)
        super().__init__(
            path,
            f"{count} problem{'s' if count != 1 else ''} in the incident intake:\n{lines}",
        )


class DatasetError(InputError):
    """The leaked dataset cannot be read; the message names the row or column."""


class CaseStoreError(BreachflowError):
    """The case store refused an operation (missing or duplicate case, unsafe path)."""


class DecisionError(BreachflowError):
    """The obligations cannot be decided from the given facts."""


class RenderError(BreachflowError):
    """A document cannot be rendered; the message lists what is missing."""


class DeliveryError(BreachflowError):
    """A notice could not be delivered; carries the notice id, never the address."""


class PreventionError(BreachflowError):
    """A prevention plan or action cannot change as asked; names the incident and action id."""


class EvidenceRequired(PreventionError):
    """An action may only close with the evidence it requires; the message says which kind."""


class CheckUnavailable(BreachflowError):
    """An automated check cannot run right now (path unreachable, file locked); retry later."""
