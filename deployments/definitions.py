"""Every deployment, declared in Python: the one place schedules and triggers are wired."""

from __future__ import annotations

from prefect.deployments.runner import RunnerDeployment
from prefect.events import DeploymentEventTrigger
from prefect.schedules import Cron

from breachflow.settings import get_settings

from flows.deadline_reminders import deadline_reminders
from flows.incident_response import incident_response
from flows.leak_check import leak_check
from flows.prevention import prevention_audit

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
        deadline_reminders.to_deployment(
            name="deadline-reminders", schedule=Cron(settings.reminders_cron, timezone="Asia/Tokyo"),
            description="Daily list of obligations due within 2 days or overdue.",
        ),
        leak_check.to_deployment(
            name="leak-check", schedule=Cron(settings.leakcheck_cron, timezone="Asia/Tokyo"),
            description="Periodic scan of BREACHFLOW_LEAKCHECK_PATHS for unprotected personal data.",
        ),
        prevention_audit.to_deployment(
            name="prevention-audit", schedule=Cron(settings.audit_cron, timezone="Asia/Tokyo"),
            description="Daily follow-up audit of every open corrective action.",
        ),
    ]
