"""Prefect tasks of the scoping stage: scope the case's dataset, publish aggregates."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.scoping.model import ScopeSummary
from breachflow.usecases import scoping
from breachflow.wiring import get_wiring
from tasks._retry import retry_unless_user_error
from tasks._safety import ids_only
from tasks.artifacts import artifact_key


@task(name="scope-dataset", retries=1, retry_delay_seconds=2, retry_condition_fn=retry_unless_user_error,
      cache_policy=NO_CACHE, persist_result=False)
def scope_dataset_task(incident_id: str) -> ScopeSummary:
    """Scope the case's stored dataset; the person list stays in the case store."""
    with ids_only("scope-dataset", incident_id):
        return scoping.scope(get_wiring(), incident_id)


def _table(breakdown: dict[str, int], label: str) -> list[dict[str, object]]:
    return [{label: key, "persons": value} for key, value in breakdown.items()]


def scope_markdown(incident_id: str, summary: ScopeSummary) -> str:
    """The scope summary artifact's text: counts only (the review lists stay sealed in the case)."""
    reach = summary.contactable
    return "\n".join(
        [
            f"# Scope of incident {incident_id}",
            "",
            "| | |",
            "|---|---|",
            f"| rows | {summary.rows} |",
            f"| persons | {summary.persons} |",
            f"| duplicates merged | {summary.duplicates_merged} |",
            f"| to review: merged on birth date + address only (scope/weak_merges.csv) | {summary.weak_merges} |",
            f"| to review: namesakes kept apart, one birth date or address shared (scope/near_merges.csv) | {summary.near_merges} |",
            f"| items | {', '.join(summary.items)} |",
            f"| sensitive (要配慮) | {'yes' if summary.sensitive else 'no'} |",
            f"| financial (財産的被害) | {'yes' if summary.financial else 'no'} |",
            f"| reachable by email / post / phone / none | {reach.email} / {reach.postal} / {reach.phone} / {reach.none} |",
        ]
    )


@task(name="publish-scope-artifacts", cache_policy=NO_CACHE, persist_result=False)
def publish_scope_artifacts(incident_id: str, summary: ScopeSummary) -> None:
    """Show the scope in the Prefect UI: a summary and one table per breakdown (aggregates only)."""
    markdown = scope_markdown(incident_id, summary)
    create_markdown_artifact(markdown=markdown, key=artifact_key("scope", incident_id), description="scope summary")
    for name, label in (
        ("by_prefecture", "prefecture"),
        ("by_age_band", "age band"),
        ("by_gender", "gender"),
        ("by_occupation", "occupation"),
    ):
        create_table_artifact(
            table=_table(getattr(summary, name), label),
            key=artifact_key(f"scope-{name.replace('_', '-')}", incident_id),
            description=f"persons {name.replace('_', ' ')}",
        )
