"""The ``leak-check`` flow: scan configured folders for unprotected personal data (aggregates out)."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

from breachflow.leakcheck.model import ScanSummary
from tasks.scheduled import scan_for_leaks


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
