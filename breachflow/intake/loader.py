"""Read an intake file (YAML or JSON) and report every problem at once."""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from breachflow.errors import IntakeError
from breachflow.intake.model import Intake
from breachflow.japan import JST
from breachflow.security.files import regular_file_problem

MAX_INTAKE_BYTES = 1_000_000


def today_jst() -> date:
    """Today's date in Japan, where the APPI clock counts."""
    return datetime.now(JST).date()


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def _describe(error: dict[str, Any]) -> str:
    message = error["msg"]
    if error["type"] == "extra_forbidden":
        return "unknown field (check the spelling against the intake format)"
    if error["type"] == "enum":
        expected = error.get("ctx", {}).get("expected", "")
        return f"got {error.get('input')!r}; expected one of {expected}"
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "string_pattern_mismatch" and error["loc"] == ("incident_id",):
        return "must be 1-64 characters of A-Z a-z 0-9 _ - (it is used in file names)"
    return message.removeprefix("Value error, ")


def parse_intake(
    raw: Any, *, source: str | Path | None = None, as_of: date | None = None, check_future: bool = True
) -> Intake:
    """Validate intake data as of a day (default: today in JST); raise IntakeError listing every problem."""
    if not isinstance(raw, dict):
        raise IntakeError(source, [("(top level)", "expected a mapping of intake fields")])
    try:
        intake = Intake.model_validate(raw)
    except ValidationError as exc:
        problems = [(_location(e["loc"]), _describe(e)) for e in exc.errors()]
        raise IntakeError(source, problems) from None
    problems = intake.consistency_problems(today=(as_of or today_jst()) if check_future else None)
    if problems:
        raise IntakeError(source, problems)
    return intake


def dataset_problem(dataset: str, intake_path: Path) -> str | None:
    """Why ``data.dataset`` cannot be the intake's list, or None.

    The list must be a regular file inside the intake file's folder (or below it),
    checked on the real path, so '../', an absolute path or a symlink leading out of
    the folder cannot make ``intake open`` copy /etc/shadow or /proc/self/environ.
    """
    if "\x00" in dataset:
        return "contains a NUL character"
    folder = os.path.realpath(intake_path.parent)
    target = os.path.realpath(os.path.join(folder, dataset))
    if os.path.commonpath([folder, target]) != folder or target == folder:
        return (
            f"{dataset!r} is outside the intake file's folder; put the list beside the intake "
            "(or in a folder below it) and give its relative path"
        )
    problem = regular_file_problem(Path(target))
    if problem == "file not found":
        return f"file {dataset} not found next to the intake"
    return f"{dataset}: {problem}" if problem else None


def dataset_path(intake: Intake, intake_path: str | Path) -> Path | None:
    """The intake's dataset as a real path inside the intake's folder; IntakeError naming data.dataset otherwise."""
    if not intake.data.dataset:
        return None
    intake_path = Path(intake_path)
    problem = dataset_problem(intake.data.dataset, intake_path)
    if problem:
        raise IntakeError(intake_path, [("data.dataset", problem)])
    return Path(os.path.realpath(intake_path.parent / intake.data.dataset))


def load_intake(
    path: str | Path, *, as_of: date | None = None, check_future: bool = True, check_dataset: bool = True
) -> Intake:
    """Load and validate an intake file; YAML or JSON by content.

    ``check_dataset`` (off for a case's stored copy, whose list is sealed elsewhere) also
    requires ``data.dataset`` to be a regular file inside the intake's folder.
    """
    path = Path(path)
    problem = regular_file_problem(path)
    if problem:
        raise IntakeError(path, [("(file)", problem)])
    try:
        if path.stat().st_size > MAX_INTAKE_BYTES:
            raise IntakeError(path, [("(file)", f"larger than {MAX_INTAKE_BYTES} bytes; is this an intake?")])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IntakeError(path, [("(file)", "file not found")]) from None
    except UnicodeDecodeError:
        raise IntakeError(path, [("(file)", "not UTF-8 text; save the intake as UTF-8 YAML or JSON")]) from None
    except OSError as exc:
        raise IntakeError(path, [("(file)", f"cannot read: {exc.strerror}")]) from None
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else f"line {getattr(exc, 'lineno', '?')}"
        raise IntakeError(path, [(where, "not valid YAML/JSON syntax")]) from None
    intake = parse_intake(raw, source=path, as_of=as_of, check_future=check_future)
    if check_dataset:
        dataset_path(intake, path)
    return intake
