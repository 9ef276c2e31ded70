"""The breachflow demo: the stolen-bag incident end to end, on local servers only.

Starts an SMTP capture server and a Prefect server on 127.0.0.1, takes in the bundled
synthetic incident (a 300-person CP932 customer list), runs the whole response with
pre-approval, and prints where everything is. Nothing is sent to a real address.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "demo-output"
INCIDENT = REPO / "examples" / "stolen-bag" / "incident.yaml"


def main() -> int:
    """Run the demo; ``--keep`` leaves the servers running, ``--screenshot`` saves UI screenshots."""
    keep = "--keep" in sys.argv
    shots = "--screenshot" in sys.argv
    if OUT.exists():
        shutil.rmtree(OUT)
    home = OUT / "home"
    os.environ["BREACHFLOW_HOME"] = str(home)
    os.environ["BREACHFLOW_DEMO"] = "1"

    sys.path.insert(0, str(REPO))
    from scripts.mail_capture import start_capture

    smtp = start_capture(OUT / "captured-mail")
    os.environ.update(
        {"BREACHFLOW_SMTP_HOST": "127.0.0.1", "BREACHFLOW_SMTP_PORT": str(smtp.port), "BREACHFLOW_SMTP_STARTTLS": "false"}
    )
    from deployments.server import start_server

    print("starting the local Prefect server …", flush=True)
    server = start_server(home=home.resolve())
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        from breachflow.obligations.records import current_decision
        from breachflow.settings import get_settings
        from breachflow.usecases import gates, response
        from breachflow.wiring import get_wiring
        from flows.incident_response import incident_response

        get_settings.cache_clear()
        w = get_wiring()
        case = response.open_or_update(w, INCIDENT)
        gates.preapprove_all(w, case.incident_id, approver="デモ 承認者")
        outcome = asyncio.run(incident_response(case.incident_id))
        decision = current_decision(case=case)
        print()
        print("=" * 72)
        print(f"incident {case.incident_id}: {', '.join(outcome.stages_done)}")
        print(f"persons affected: {outcome.persons}")
        if decision is not None:
            print(f"reportable: {decision.reportable} → {decision.recipient.value}; Rule 7 categories {decision.categories}")
            if decision.preliminary_window:
                print(f"速報 window: {decision.preliminary_window[0]} … {decision.preliminary_window[1]}")
            print(f"確報 due: {decision.final_due}; police: {decision.police.value}")
        # Personal data is encrypted in the case store; the demo exports readable copies on
        # explicit request (each export is recorded in the timeline), as a user would.
        exports = OUT / "exports"
        exports.mkdir(parents=True, exist_ok=True)
        wanted = sorted((case.dir / "drafts").glob("*")) + sorted((case.dir / "notification").rglob("*"))
        exported = []
        for path in wanted:
            name = case.name_of(path)
            if path.is_file() and path.suffix in {".pdf", ".html", ".csv", ".xlsx", ".txt"}:
                exported.append(case.export(name, exports / name.replace("/", "__")))
        print(f"exported for reading ({len(exported)} files, each recorded in the timeline): {exports.relative_to(REPO)}/")
        for path in exported:
            if any(key in path.name for key in ("report-preliminary", "police-", "letters-0001", "call_list.xlsx",
                                                "mailing_list.csv", "public_announcement")):
                print(f"  {path.relative_to(REPO)}")
        mails = sorted((OUT / "captured-mail").glob("*.eml"))
        print(f"captured emails: {len(mails)} in {(OUT / 'captured-mail').relative_to(REPO)}/")
        print(f"timeline: {case.timeline.path.relative_to(REPO)} ({case.timeline.verify()} entries, chain ok)")
        print(f"Prefect UI: {server.ui_url}/runs")
        print("=" * 72)
        summary = {"incident": case.incident_id, "stages": outcome.stages_done, "emails": len(mails)}
        (OUT / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        if shots:
            import httpx

            from scripts.ui_screenshot import screenshot
            from tasks.artifacts import artifact_key

            runs = httpx.post(f"{server.api_url}/flow_runs/filter",
                              json={"flow_runs": {"name": {"any_": [f"incident-{case.incident_id}"]}}}, timeout=10).json()
            for run in runs:
                page = screenshot(f"{server.ui_url}/runs/flow-run/{run['id']}", OUT / "screenshots" / "incident-run.png")
                print(f"screenshot of the incident's flow run: {page.relative_to(REPO)}")
            # The officer's case status (updated at every stage): the newest version of its key.
            newest = httpx.post(f"{server.api_url}/artifacts/filter", timeout=10, json={
                "artifacts": {"key": {"any_": [artifact_key("status", case.incident_id)]}},
                "sort": "CREATED_DESC", "limit": 1}).json()[0]
            page = screenshot(f"{server.ui_url}/artifacts/artifact/{newest['id']}", OUT / "screenshots" / "case-status.png")
            print(f"screenshot of the officer's case status artifact: {page.relative_to(REPO)}")
        if keep:
            print("servers keep running; press Ctrl-C to stop", flush=True)
            try:
                server.process.wait()
            except KeyboardInterrupt:
                pass
        return 0
    finally:
        from prefect.logging.handlers import APILogWorker

        # Deliver the last log lines before the server goes away.
        APILogWorker.drain_all(timeout=10)
        server.stop()
        smtp.stop()


if __name__ == "__main__":
    raise SystemExit(main())
