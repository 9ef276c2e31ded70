"""Every deployment builds: names, schedules and the incident trigger are as declared."""

from __future__ import annotations


def test_every_deployment_builds() -> None:
    """build_deployments() returns each named deployment with its schedule or trigger."""
    from deployments.definitions import INCIDENT_EVENT, build_deployments

    deployments = {d.name: d for d in build_deployments()}
    assert {"incident-response", "deadline-reminders", "prevention-audit", "leak-check"} <= set(deployments)
    trigger = deployments["incident-response"].triggers[0]
    assert INCIDENT_EVENT in trigger.expect
    assert deployments["incident-response"].parameters == {} or "incident_id" not in deployments["incident-response"].parameters
    reminders = deployments["deadline-reminders"]
    assert reminders.schedules and reminders.schedules[0].schedule.cron == "0 8 * * *"
