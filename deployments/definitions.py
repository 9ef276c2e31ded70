"""Every deployment, declared in Python: the one place schedules and triggers are wired."""

from __future__ import annotations

from prefect import Flow
from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron

from breachflow.settings import get_settings

from flows.deadline_reminders import deadline_reminders
from flows.incident_response import incident_response
from flows.leak_check import leak_check
from flows.prevention import prevention_audit

SCHEDULE_TIMEZONE = "Asia/Tokyo"
# The UI's schedule card shows "At 08:00 AM every day" without a zone (only its tooltip adds one) and lists
# upcoming runs in the browser's zone, so the zone is also put where the UI shows it plainly: a tag in the
# deployments table and the first line of the description.
SCHEDULE_TAG = "JST (Asia/Tokyo)"
INCIDENT_EVENT = "breachflow.incident.reported"
INCIDENT_RESOURCE_PREFIX = "breachflow.incident."


def build_deployments() -> list[RunnerDeployment]:
    """All breachflow deployments with their schedules and triggers."""
    settings = get_settings()
    return [
        incident_response.to_deployment(
            name="incident-response",
            description="Run the response when an incident is reported (event) or by hand.",
            triggers=[
                DeploymentEventTrigger(
                    name="Run the incident response when an incident is reported (breachflow intake submit)",
                    expect={INCIDENT_EVENT},
                    match={"prefect.resource.id": f"{INCIDENT_RESOURCE_PREFIX}*"},
                    parameters={"incident_id": "{{ event.resource.get('breachflow.incident-id') }}"},
                )
            ],
        ),
        _scheduled(deadline_reminders, "deadline-reminders", settings.reminders_cron,
                   "Every open case, next deadline first, and the obligations due within 2 days or overdue."),
        _scheduled(leak_check, "leak-check", settings.leakcheck_cron,
                   "Scan of BREACHFLOW_LEAKCHECK_PATHS for unprotected personal data."),
        _scheduled(prevention_audit, "prevention-audit", settings.audit_cron,
                   "Follow-up audit of every open corrective action."),
    ]


def _scheduled(flow: Flow, name: str, cron: str, what: str) -> RunnerDeployment:
    """A deployment on a cron in Japan time, saying so where the UI shows it."""
    return flow.to_deployment(
        name=name, schedule=Cron(cron, timezone=SCHEDULE_TIMEZONE), tags=[SCHEDULE_TAG],
        description=f"**Schedule: {schedule_text(cron)}** (cron `{cron}`, time zone {SCHEDULE_TIMEZONE}).\n\n{what}",
    )


def schedule_text(cron: str) -> str:
    """A cron in words, in Japan time: '08:00 JST every day' for the daily form, else the cron itself."""
    fields = cron.split()
    if len(fields) == 5 and fields[2:] == ["*", "*", "*"] and fields[0].isdigit() and fields[1].isdigit():
        return f"{int(fields[1]):02d}:{int(fields[0]):02d} JST every day"
    return f"cron {cron} in JST"
