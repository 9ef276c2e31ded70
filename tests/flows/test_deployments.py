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


def test_schedules_say_their_time_zone_where_the_ui_shows_them() -> None:
    """Each schedule runs in Asia/Tokyo and says so in its tag (deployments table) and description's first line."""
    from deployments.definitions import SCHEDULE_TAG, build_deployments, schedule_text

    scheduled = [d for d in build_deployments() if d.schedules]
    assert {d.name for d in scheduled} == {"deadline-reminders", "leak-check", "prevention-audit"}
    for deployment in scheduled:
        schedule = deployment.schedules[0].schedule
        assert schedule.timezone == "Asia/Tokyo"
        assert SCHEDULE_TAG in deployment.tags
        assert deployment.description.startswith(f"**Schedule: {schedule_text(schedule.cron)}**")
    assert schedule_text("0 8 * * *") == "08:00 JST every day"
    assert schedule_text("30 8 * * *") == "08:30 JST every day"
    assert schedule_text("0 */6 * * 1-5") == "cron 0 */6 * * 1-5 in JST"


def test_prefect_yaml_matches_the_python_deployments(repo) -> None:
    """prefect.yaml declares the same deployments, each entrypoint loads a flow of that name, on a process pool."""
    import yaml
    from prefect.flows import load_flow_from_entrypoint

    from deployments.definitions import build_deployments

    spec = yaml.safe_load((repo / "prefect.yaml").read_text(encoding="utf-8"))
    declared = {d["name"]: d for d in spec["deployments"]}
    assert set(declared) == {d.name for d in build_deployments()}
    built = {d.name: d for d in build_deployments()}
    for name, deployment in declared.items():
        assert deployment["description"] == built[name].description
        assert deployment.get("tags", []) == built[name].tags
        for schedule, runner in zip(deployment.get("schedules", []), built[name].schedules, strict=True):
            assert (schedule["cron"], schedule["timezone"]) == (runner.schedule.cron, runner.schedule.timezone)
        for trigger, runner in zip(deployment.get("triggers", []), built[name].triggers, strict=True):
            assert trigger["name"] == runner.name
        flow = load_flow_from_entrypoint(str(repo / deployment["entrypoint"]))
        assert flow.name == name
        assert deployment["work_pool"]["name"] == "breachflow"
        assert deployment.get("schedules") or deployment.get("triggers")
