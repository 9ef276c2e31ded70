"""The ``leak-check`` flow: scan configured folders for unprotected personal data (aggregates out)."""

from __future__ import annotations

from datetime import UTC, datetime

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.leakcheck import load_allowlist, scan
from breachflow.leakcheck.incident import DRAFTS_SUBDIR, FolderDraftWriter, open_incident_drafts
from breachflow.leakcheck.model import ScanSummary
from breachflow.settings import get_settings
from tasks._safety import ids_only


@task(name="scan-for-leaks", retries=2, retry_delay_seconds=30, cache_policy=NO_CACHE, persist_result=False)
def scan_for_leaks(open_incident: bool) -> ScanSummary:
    """Scan the configured folders incrementally; only the aggregate summary leaves the task."""
    with ids_only("scan-for-leaks", "leak-check"):
        settings = get_settings()
        state = settings.home / "leakcheck" / "state.json"
        state.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        allow = load_allowlist(settings.leakcheck_allowlist) if settings.leakcheck_allowlist else None
        report = scan(paths=list(settings.leakcheck_paths), state_path=state, allowlist=allow)
        if open_incident:
            report = open_incident_drafts(
                report=report, writer=FolderDraftWriter(settings.home / DRAFTS_SUBDIR),
                business_name=settings.business_name, found_at=datetime.now(UTC),
            )
        return report.summary()


@flow(name="leak-check", persist_result=False)
async def leak_check(open_incident: bool = False) -> ScanSummary:
    """Periodic leak check of the folders in BREACHFLOW_LEAKCHECK_PATHS; findings as a table artifact."""
    summary = scan_for_leaks(open_incident)
    counts = summary.counts
    get_run_logger().info(
        "leak check: %d files scanned, %d unchanged, %d findings new, %d still, %d gone, %d protected, %d issues",
        counts.files_scanned, counts.skipped_unchanged, counts.findings_new, counts.findings_still,
        counts.findings_gone, counts.protected, counts.issues,
    )
    await acreate_table_artifact(
        table=[{"finding": f.id, "status": f.status.value, "risk": f.risk.value, "persons (est.)": f.estimated_persons,
                "items": ", ".join(f.items)} for f in summary.findings] or [{"finding": "-", "status": "no findings"}],
        key="leak-check-findings", description="leak-check findings (no values, no paths)",
    )
    await acreate_markdown_artifact(
        markdown="\n".join(f"- {name.replace('_', ' ')}: {value}" for name, value in counts.model_dump().items()),
        key="leak-check-summary", description="leak-check counts",
    )
    return summary
