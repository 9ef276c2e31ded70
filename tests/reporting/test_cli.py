"""The report and police commands, run in-process against an isolated case store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from breachflow.casestore import Case
from cli.main import app
from breachflow.errors import RenderError
from breachflow.reporting.facts import ReportKind, read_report_facts, read_submissions

runner = CliRunner()


def test_police_record_then_fields_draft(make_case: Callable[..., Case]) -> None:
    """`police record` stores the filing; `report draft --format fields` then shows it in item 9."""
    case = make_case()
    recorded = runner.invoke(app, ["police", "record", "WE-01", "--station", "渋谷警察署", "--receipt", "R-5",
                                   "--filed-on", "2026-11-11"])
    assert recorded.exit_code == 0, recorded.output
    assert read_report_facts(case=case).police.receipt_no == "R-5"
    drafted = runner.invoke(app, ["report", "draft", "WE-01", "--kind", "preliminary", "--format", "fields",
                                  "--date", "2026-11-12"])
    assert drafted.exit_code == 0, drafted.output
    paths = [Path(line.split()[0]) for line in drafted.output.splitlines() if line.strip()]
    assert [p.name for p in paths] == ["report-preliminary-20261112.fields.json", "report-preliminary-20261112.fields.csv"]
    # Drafts are sealed in the case store; read them through it (or `breachflow case export`).
    items = json.loads(case.read_bytes(f"drafts/{paths[0].name}").decode("utf-8"))["items"]
    assert "R-5" in items[8]["value"]
    assert case.read_bytes(f"drafts/{paths[1].name}").startswith(b"\xef\xbb\xbf")


def test_report_set_and_submitted(make_case: Callable[..., Case]) -> None:
    """`report set` fills an item and `report submitted` logs the submission in JST when no offset is given."""
    case = make_case()
    result = runner.invoke(app, ["report", "set", "WE-01", "--item", "5", "--unknown-reason", "調査中のため"])
    assert result.exit_code == 0, result.output
    assert read_report_facts(case=case).items[5].unknown_reason == "調査中のため"
    result = runner.invoke(app, ["report", "submitted", "WE-01", "--kind", "preliminary", "--at", "2026-11-12T10:30",
                                 "--ref", "PPC-123"])
    assert result.exit_code == 0, result.output
    submission = read_submissions(case=case).submissions[0]
    assert submission.ref == "PPC-123" and submission.at.utcoffset().total_seconds() == 9 * 3600


def test_final_draft_with_pending_items_fails(make_case: Callable[..., Case]) -> None:
    """`report draft --kind final` on an incomplete case raises RenderError and writes no file."""
    case = make_case()
    result = runner.invoke(app, ["report", "draft", "WE-01", "--kind", "final", "--format", "html"])
    assert isinstance(result.exception, RenderError)
    assert not (case.dir / "drafts").exists()


def test_markdown_draft_and_police_draft_written(make_case: Callable[..., Case]) -> None:
    """A 速報 Markdown draft and a 被害届 HTML draft land in drafts/ and are noted in the timeline."""
    case = make_case()
    report = runner.invoke(app, ["report", "draft", "WE-01", "--kind", "preliminary", "--date", "2026-11-12"])
    police = runner.invoke(app, ["police", "draft", "WE-01", "--format", "html", "--date", "2026-11-12"])
    assert report.exit_code == 0 and police.exit_code == 0, report.output + police.output
    assert "（速報）" in case.read_bytes(f"drafts/{Path(report.output.split()[0]).name}").decode("utf-8")
    assert "被害届（案）" in case.read_bytes(f"drafts/{Path(police.output.split()[0]).name}").decode("utf-8")
    kinds = [e.kind for e in case.timeline.entries()]
    assert "report.drafted" in kinds and "police.drafted" in kinds


def test_draft_uses_stored_decision(make_case: Callable[..., Case]) -> None:
    """A decision.json stored in the case (here routed to the FSA) decides the addressee of the draft."""
    from breachflow.obligations.model import Decision, Recipient
    from tests.reporting.conftest import hand_decision

    case = make_case()
    case.write_model("decision.json", hand_decision(case.intake(), recipient=Recipient.FSA))
    assert case.read_model("decision.json", Decision).recipient is Recipient.FSA
    result = runner.invoke(app, ["report", "draft", "WE-01", "--kind", "preliminary", "--format", "html",
                                 "--date", "2026-11-12"])
    assert result.exit_code == 0, result.output
    html = case.read_bytes(f"drafts/{Path(result.output.split()[0]).name}").decode("utf-8")
    assert "金融庁長官 殿" in html and "個人情報保護委員会 御中" not in html


def test_incomplete_final_exits_2_naming_items(make_case: Callable[..., Case]) -> None:
    """Run as a program, an incomplete 確報 exits 2 with the missing items and no traceback."""
    import os
    import subprocess
    import sys

    make_case()
    result = subprocess.run([sys.executable, "-m", "cli", "report", "draft", "WE-01", "--kind", "final"],
                            capture_output=True, text=True, timeout=120, env=os.environ.copy())
    assert result.returncode == 2
    assert "6 本人への対応の実施状況" in result.stderr and "Traceback" not in result.stderr


def test_report_set_item5_text_is_the_confirmed_harm(make_case: Callable[..., Case]) -> None:
    """`report set --item 5 --text` keeps working: the text leads item 5 as the confirmed harm, the risks follow."""
    from breachflow.reporting.render import case_report_context
    from breachflow.settings import get_settings
    from tests.reporting.conftest import REPORT_DAY, hand_decision

    case = make_case()
    result = runner.invoke(app, ["report", "set", "WE-01", "--item", "5", "--text", "不審な電話が1件あった"])
    assert result.exit_code == 0, result.output
    item5 = case_report_context(case=case, kind=ReportKind.final, settings=get_settings(), report_date=REPORT_DAY,
                                decision=hand_decision(case.intake())).items[4]
    assert item5.by_hand and item5.display.startswith("不審な電話が1件あった。") and "おそれがあります" in item5.display
