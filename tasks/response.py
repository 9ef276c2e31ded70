"""Prefect tasks of the whole response: what the case holds that decides which stages run."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from breachflow.usecases import prevention, response, status
from breachflow.usecases.response import CaseStages
from breachflow.wiring import get_wiring
from tasks._safety import ids_only
from tasks.artifacts import artifact_key


@task(name="inspect-case", cache_policy=NO_CACHE, persist_result=False)
def inspect_case(incident_id: str) -> CaseStages:
    """Whether the case has a dataset to scope and a person list to notify."""
    with ids_only("inspect-case", incident_id):
        return response.stages(get_wiring(), incident_id)


@task(name="publish-case-status", cache_policy=NO_CACHE, persist_result=False)
def publish_case_status(incident_id: str) -> None:
    """The officer's view of the case (Japanese: deadlines, gates, notices, next action) as one artifact."""
    with ids_only("publish-case-status", incident_id):
        view = status.case_status(get_wiring(), incident_id)
        create_markdown_artifact(markdown=view.markdown_ja(), key=artifact_key("status", incident_id),
                                 description=f"事案 {incident_id} の状況（担当者向け）")


@task(name="list-cases-with-plans", cache_policy=NO_CACHE, persist_result=False)
def list_cases_with_plans() -> list[str]:
    """Ids of the cases that have a prevention plan."""
    return prevention.cases_with_plans(get_wiring())
