"""Load rule packs (the shipped ones and a company's own folder) and evaluate them for an incident.

Packs run beside the APPI engine, never inside it: ``assess()`` stays APPI-only and its
expected keys never change; the packs' results go under ``Decision.sector_obligations``.

A company adds its own pack by writing a YAML file in the format of ``model.py`` into a
folder and pointing ``BREACHFLOW_RULE_PACKS_DIR`` at it (see ``docs/rule-packs.md``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from breachflow.errors import ConfigError, InputError
from breachflow.intake.model import Intake
from breachflow.obligations.deadlines import nth_day, roll_forward
from breachflow.obligations.engine import GATE_KEYS, DecisionInputs, decision_inputs
from breachflow.obligations.model import Decision, SectorObligation
from breachflow.rulepacks.model import Condition, DeadlineSpec, PackRule, RulePack
from breachflow.scoping.model import ScopeSummary
from breachflow.settings import Settings, get_settings

BUILTIN_PACKS_DIR = Path(__file__).resolve().parent / "packs"
MAX_PACK_BYTES = 1_000_000


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        parts.append(f"[{part}]" if isinstance(part, int) else ("." if parts else "") + str(part))
    return "".join(parts) or "(top level)"


def load_pack(path: Path) -> RulePack:
    """Read and validate one pack file; every problem is listed with its field path."""
    try:
        if path.stat().st_size > MAX_PACK_BYTES:
            raise InputError(path, f"larger than {MAX_PACK_BYTES} bytes; is this a rule pack?")
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(path, "rule pack file not found") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text; save the rule pack as UTF-8 YAML") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        raise InputError(path, f"not valid YAML ({where})") from None
    if not isinstance(raw, dict):
        raise InputError(path, "expected a mapping with pack, version, title_ja and rules")
    try:
        return RulePack.model_validate(raw)
    except ValidationError as exc:
        problems = [
            f"  - {_location(e['loc'])}: "
            + ("unknown field" if e["type"] == "extra_forbidden" else e["msg"].removeprefix("Value error, "))
            for e in exc.errors()
        ]
        raise InputError(path, f"{len(problems)} problem(s) in the rule pack:\n" + "\n".join(problems)) from None


def load_packs(*, directories: list[Path]) -> list[RulePack]:
    """Every ``*.yaml``/``*.yml`` pack in the folders, in folder then file-name order; names must be unique."""
    packs: list[RulePack] = []
    origin: dict[str, Path] = {}
    for directory in directories:
        files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        for path in files:
            pack = load_pack(path)
            if pack.pack in origin:
                raise InputError(path, f"pack name {pack.pack!r} is already used by {origin[pack.pack]}; rename one")
            origin[pack.pack] = path
            packs.append(pack)
    return packs


def configured_packs(settings: Settings | None = None) -> list[RulePack]:
    """The shipped packs plus the company's folder from ``BREACHFLOW_RULE_PACKS_DIR`` (if set)."""
    settings = settings or get_settings()
    directories = [BUILTIN_PACKS_DIR]
    if settings.rule_packs_dir is not None:
        if not settings.rule_packs_dir.is_dir():
            raise ConfigError(
                f"BREACHFLOW_RULE_PACKS_DIR: {settings.rule_packs_dir} is not a folder; "
                "point it at a folder of rule-pack YAML files or unset it"
            )
        directories.append(settings.rule_packs_dir)
    return load_packs(directories=directories)


def _holds(when: Condition, inputs: DecisionInputs, decision: Decision) -> bool:
    gated = any(f.applies for f in decision.findings if f.key in GATE_KEYS)
    checks = [
        not (when.unless_exempt and gated),
        not when.sectors or inputs.sector in when.sectors,
        not when.subjects or bool(set(inputs.subjects) & set(when.subjects)),
        not when.items or bool(set(inputs.items) & set(when.items)),
        not when.causes or inputs.cause in when.causes,
        not when.media or inputs.medium in when.media,
        when.persons_over is None or inputs.persons_max > when.persons_over,
        when.persons_at_least is None or inputs.persons_max >= when.persons_at_least,
        when.appi_reportable is None or decision.reportable is when.appi_reportable,
        not when.appi_categories or bool(set(decision.categories) & set(when.appi_categories)),
    ]
    return all(checks)


def _dates(spec: DeadlineSpec, start: date) -> tuple[date | None, date | None, str]:
    """(window start, due, basis) for a deadline spec counted from ``start`` as day 1."""
    if spec.days is None:
        return None, None, f"{spec.promptly_ja}（日数の定めなし） / promptly, no day count"
    first, last = spec.days if isinstance(spec.days, tuple) else (None, spec.days)
    nominal = nth_day(start, last)
    counted = f"day {last} counting {start.isoformat()} as day 1"
    if first is not None:
        counted = f"day {first} … day {last} counting {start.isoformat()} as day 1"
    if spec.roll_forward:
        rolled = roll_forward(nominal)
        return (nth_day(start, first) if first else None), rolled.due, f"{counted} = {rolled.explain()}"
    return (nth_day(start, first) if first else None), nominal, f"{counted}; no roll-forward"


def _obligation(pack: RulePack, rule: PackRule, inputs: DecisionInputs) -> SectorObligation:
    window_start, due, basis = _dates(rule.deadline, inputs.discovered_on)
    return SectorObligation(
        pack=pack.pack,
        pack_version=pack.version,
        rule_id=rule.id,
        obligation=rule.obligation,
        title_ja=rule.title_ja,
        recipient=rule.recipient,
        recipient_ja=rule.recipient_ja,
        due=due,
        window_start=window_start,
        basis=basis + (f" ({rule.note})" if rule.note else ""),
        source=rule.source,
        choice=rule.choice,
    )


def evaluate_rule_packs(
    *, intake: Intake, decision: Decision, packs: list[RulePack], scope: ScopeSummary | None = None
) -> list[SectorObligation]:
    """The obligations of every pack rule whose conditions hold for these facts; deterministic, no clock."""
    inputs = decision_inputs(intake=intake, scope=scope)
    return [_obligation(pack, rule, inputs) for pack in packs for rule in pack.rules if _holds(rule.when, inputs, decision)]


def apply_rule_packs(
    *, intake: Intake, decision: Decision, packs: list[RulePack] | None = None, scope: ScopeSummary | None = None
) -> Decision:
    """The decision with ``sector_obligations`` filled from the packs (configured packs by default)."""
    packs = configured_packs() if packs is None else packs
    found = evaluate_rule_packs(intake=intake, decision=decision, packs=packs, scope=scope)
    return decision.model_copy(update={"sector_obligations": found})
