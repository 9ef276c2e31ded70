"""``breachflow assess FILE``: the decision record as JSON, or a summary a lawyer can check."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachflow.obligations.engine import GATE_KEYS
from breachflow.obligations.model import Decision
from breachflow.obligations.records import decision_payload
from breachflow.obligations.rules import RECIPIENT_LABELS_JA
from breachflow.rulepacks import liability_text_lines
from breachflow.usecases import obligations
from cli.common import AsOf, JsonFlag, emit_json, parse_as_of, wiring

_YES_NO = {True: "要 / required", False: "不要 / not required"}


def render_summary(decision: Decision) -> str:
    """A short Japanese/English summary of a decision record, one fact per line."""
    lines = [
        f"事案 / incident: {decision.incident_id}   (rules {decision.rule_set_version}, inputs {decision.inputs_sha256[:12]})",
        f"報告 / report to regulator: {_YES_NO[decision.reportable]}",
    ]
    findings = {f.key: f for f in decision.findings}
    for key in (*GATE_KEYS, "rule9.processor"):
        if key in findings and findings[key].applies:
            f = findings[key]
            lines.append(f"  除外 / exempt: {f.title_ja} — {f.reason} [{f.source}]")
    if "rule9.processor" in findings and not findings["rule9.processor"].applies:
        f = findings["rule9.processor"]
        lines.append(f"  委託先 / processor: {f.title_ja}: no — {f.reason} [{f.source}]")
    lines.append("規則7条 / Rule 7 categories:")
    for n in range(1, 5):
        f = findings[f"category.{n}"]
        mark = "該当 yes" if f.applies else "非該当 no"
        lines.append(f"  {n}. {f.title_ja}: {mark} — {f.reason} [{f.source}]{' (choice)' if f.choice else ''}")
    lines.append(f"報告先 / recipient: {decision.recipient.value} {RECIPIENT_LABELS_JA[decision.recipient]}")
    for deadline in decision.deadlines:
        if deadline.regime != "APPI":
            continue
        if deadline.obligation == "preliminary_report" and deadline.window_start:
            lines.append(
                f"速報 / preliminary: {deadline.window_start.isoformat()} … {deadline.due.isoformat()} — {deadline.basis}"
            )
        elif deadline.obligation == "final_report":
            lines.append(f"確報 / final report due: {deadline.due.isoformat()} — {deadline.basis}")
        elif deadline.obligation == "client_notice":
            lines.append(f"委託元への通知 / inform the client: {deadline.basis}")
    lines.append(f"本人通知 / individual notice: {_YES_NO[decision.individual_notice_required]}")
    police = findings["police.report"]
    lines.append(f"警察 / police: {decision.police.value} — {police.reason}")
    if decision.my_number:
        lines.append(f"マイナンバー / My Number: {findings['mynumber.flag'].reason}")
    sa_deadline = next((d for d in decision.deadlines if d.obligation == "gdpr_sa_notification"), None)
    for regime, clocks in decision.other_regimes.items():
        due = clocks.get("sa_due")
        local = ""
        if regime == "GDPR" and sa_deadline is not None and sa_deadline.due_local and sa_deadline.due_utc:
            local = f" = {sa_deadline.due_local} local (offset of eu.aware_at) = {sa_deadline.due_utc:%Y-%m-%d %H:%M} UTC"
        lines.append(
            f"{regime}: supervisory authority due {due.isoformat() if due else 'not required'}{local} (separate clock)"
        )
        for f in decision.findings:
            if f.key.startswith(f"{regime.lower()}."):
                lines.append(f"  {f.title_ja}: {'yes' if f.applies else 'no'} — {f.reason} [{f.source}]")
    for f in decision.findings:
        if f.key.startswith("regime."):
            lines.append(f"{f.title_ja}: {f.reason}")
    if decision.sector_obligations:
        lines.append("業界・地域ルール / sector obligations (rule packs):")
    for item in decision.sector_obligations:
        due = item.due.isoformat() if item.due else "promptly"
        if item.window_start and item.due:
            due = f"{item.window_start.isoformat()} … {item.due.isoformat()}"
        choice = " (choice)" if item.choice else ""
        lines.append(
            f"  [{item.pack}] {item.title_ja} → {item.recipient} {item.recipient_ja}: {due} — {item.basis} "
            f"[{item.source}]{choice}"
        )
    lines.extend(liability_text_lines())
    lines.append("判断上の選択 / choices flagged: " + (", ".join(decision.choices) or "none"))
    lines.append(decision.disclaimer)
    return "\n".join(lines)


def assess_command(
    file: Path,
    as_json: JsonFlag = False,
    as_of: AsOf = None,
    record: Annotated[
        bool, typer.Option("--record", help="Also store the decision in the open case and log changes in its timeline.")
    ] = False,
) -> None:
    """Decide whether the incident must be reported, to whom, by when, and who must be notified."""
    decision, outcome = obligations.assess_file(wiring(), file, as_of=parse_as_of(as_of), record=record)
    if as_json:
        payload = decision_payload(decision)
        if outcome is not None:
            payload["recorded"] = outcome.model_dump(mode="json")
        emit_json(payload)
        return
    typer.echo(render_summary(decision))
    if outcome is not None:
        changes = ", ".join(c.field for c in outcome.changes) or ("first record" if outcome.changed else "unchanged")
        typer.echo(f"記録 / recorded: {outcome.record} ({changes})")
