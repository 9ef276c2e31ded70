"""``breachflow leakcheck PATH...``: scan folders for unprotected personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from breachflow.leakcheck.model import FindingStatus, ScanReport
from breachflow.leakcheck.scanner import DEFAULT_MAX_BYTES
from breachflow.usecases import scheduled
from cli.common import JsonFlag, emit_json, wiring


def _print_report(report: ScanReport) -> None:
    counts = report.counts
    typer.echo(
        f"scanned {counts.files_scanned}, unchanged {counts.skipped_unchanged}, protected {counts.protected}"
        f" (weak {counts.protected_weak}), issues {counts.issues}, truncated {counts.truncated}, ignored {counts.ignored}"
    )
    typer.echo(
        f"findings: new {counts.findings_new}, still {counts.findings_still}, gone {counts.findings_gone},"
        f" suppressed by allow-list {counts.suppressed}"
    )
    for finding in report.findings:
        where = finding.path + (f"!{finding.member}" if finding.member else "")
        hits = ", ".join(f"{d.value} {c.count}" for d, c in finding.detectors.items())
        samples = " ".join(s for c in finding.detectors.values() for s in c.samples[:1])
        typer.echo(
            f"  [{finding.status.value}] {finding.id} {finding.risk.value} ~{finding.estimated_persons} persons"
            f" {where}: {hits}" + (f"  e.g. {samples}" if samples and finding.status is not FindingStatus.gone else "")
        )
    for item in report.protected:
        where = item.path + (f"!{item.member}" if item.member else "")
        typer.echo(f"  [protected {item.protection.strength.value}] {where}: {item.protection.detail}")
    for issue in report.issues:
        where = issue.path + (f"!{issue.member}" if issue.member else "")
        typer.echo(f"  [issue {issue.kind.value}] {where}: {issue.message}")
    for draft in report.incident_drafts:
        typer.echo(f"incident draft: {draft}")


def leakcheck(
    paths: Annotated[list[Path], typer.Argument(help="Folders or files to scan.")],
    as_json: JsonFlag = False,
    state: Annotated[
        Path | None, typer.Option("--state", help="Scan state file (default: $BREACHFLOW_HOME/leakcheck/state.json).")
    ] = None,
    allow: Annotated[Path | None, typer.Option("--allow", help="Allow-list file (YAML: paths globs, sha256).")] = None,
    open_incident: Annotated[
        bool, typer.Option("--open-incident", help="Write an intake draft for each new high-risk finding.")
    ] = False,
    max_mb: Annotated[int, typer.Option("--max-mb", help="Read at most this many MB of each file.")] = (
        DEFAULT_MAX_BYTES // (1024 * 1024)
    ),
) -> None:
    """Scan for unprotected personal data; exit 1 when any finding is present (new or still there)."""
    report = scheduled.scan_for_leaks(wiring(), paths=paths, state=state, allow=allow, open_incident=open_incident,
                                      max_bytes=max_mb * 1024 * 1024)
    if as_json:
        emit_json(report.model_dump(mode="json"))
    else:
        _print_report(report)
    if report.active_findings():
        raise typer.Exit(1)
