"""Requests from affected persons: due dates, tracking to closure, overdue lists, CSV import, suppression, item 6."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from breachflow.casestore import Case
from cli.main import app
from breachflow.errors import DatasetError, InputError
from breachflow.obligations import assess
from breachflow.reporting import NoticeStatus, ReportKind, case_report_context, read_report_facts, update_report_facts
from breachflow.requests import (
    DUE_RULES,
    RequestType,
    add_request,
    close_request,
    due_date,
    import_requests,
    list_requests,
    publish_request_summary,
    read_requests,
    request_counts,
    suppressed_person_ids,
)
from breachflow.settings import get_settings


def test_due_dates_follow_the_type_and_skip_closed_days() -> None:
    """An inquiry on Fri 2026-02-06 is due on the 3rd open day (skipping the 02-11 holiday); a deletion on 12-20 rolls off 01-03."""
    inquiry, _ = due_date(type=RequestType.inquiry, received_on=date(2026, 2, 6))
    assert inquiry == date(2026, 2, 12)
    deletion, basis = due_date(type=RequestType.deletion, received_on=date(2026, 12, 20))
    assert deletion == date(2027, 1, 4) and "APPI Art. 33" in basis
    complaint, _ = due_date(type=RequestType.complaint, received_on=date(2026, 6, 1))
    assert complaint == date(2026, 6, 8)
    assert all(rule.source and rule.basis for rule in DUE_RULES.values())


def test_requests_are_tracked_to_closure(case: Case) -> None:
    """Two requests stay open until each is closed; closing records the note and the counts follow."""
    first = add_request(case=case, type=RequestType.inquiry, received_on=date(2026, 11, 12))
    second = add_request(case=case, type=RequestType.correction, received_on=date(2026, 11, 13), person_ref="P000002")
    assert [r.request_id for r in list_requests(case=case, today=date(2026, 11, 13), open_only=True)] == [
        first.request_id, second.request_id]
    close_request(case=case, request_id=first.request_id, note="漏えい範囲を回答", closed_on=date(2026, 11, 13))
    still_open = list_requests(case=case, today=date(2026, 11, 13), open_only=True)
    assert [r.request_id for r in still_open] == [second.request_id]
    stored = {r.request_id: r for r in read_requests(case=case).requests}
    assert stored[first.request_id].closure.note == "漏えい範囲を回答"
    counts = request_counts(case=case, today=date(2026, 11, 13))
    assert (counts.total, counts.open, counts.closed) == (2, 1, 1)
    kinds = [e.kind for e in case.timeline.entries()]
    assert kinds.count("requests.received") == 2 and kinds.count("requests.closed") == 1
    with pytest.raises(Exception, match="already closed"):
        close_request(case=case, request_id=first.request_id, note="again", closed_on=date(2026, 11, 14))


def test_overdue_lists_only_open_requests_past_their_due_date(case: Case) -> None:
    """As of a day after an inquiry's due date, --overdue lists it but not a closed or a not-yet-due request."""
    late = add_request(case=case, type=RequestType.inquiry, received_on=date(2026, 11, 2))
    done = add_request(case=case, type=RequestType.inquiry, received_on=date(2026, 11, 2))
    fresh = add_request(case=case, type=RequestType.deletion, received_on=date(2026, 11, 9), person_ref="P000001")
    close_request(case=case, request_id=done.request_id, note="回答済", closed_on=date(2026, 11, 4))
    today = date(2026, 11, 10)
    assert late.due_on < today <= fresh.due_on
    assert [r.request_id for r in list_requests(case=case, today=today, overdue_only=True)] == [late.request_id]
    assert request_counts(case=case, today=today).overdue == 1


CP932_CSV = (
    "種別,受付日,受付経路,対象者ID,受付番号,内容\r\n"
    "問合せ,2026/11/12,電話,,D-001,髙﨑様より範囲の問合せ\r\n"
    "削除,2026-11-12,メール,P000001,D-002,削除希望\r\n"
    "返金,2026-11-13,電話,,D-003,不明な種別\r\n"
    "苦情,2026-13-01,書面,,D-004,\r\n"
)


def test_cp932_import_with_bad_rows_names_each_row_and_stores_nothing(case: Case, tmp_path: Path) -> None:
    """A CP932 desk list with an unknown type (line 4) and an impossible date (line 5) is refused, naming lines and columns."""
    path = tmp_path / "desk.csv"
    path.write_bytes(CP932_CSV.encode("cp932"))
    with pytest.raises(DatasetError) as caught:
        import_requests(case=case, path=path)
    message = str(caught.value)
    assert "line 4: column type" in message and "line 5: column received_on" in message
    assert "髙﨑" not in message and "返金" not in message
    assert read_requests(case=case).requests == []


def test_cp932_import_of_good_rows_and_reimport_skips_known_tickets(case: Case, tmp_path: Path) -> None:
    """The valid rows of a CP932 list are imported with Japanese labels mapped; importing again adds nothing."""
    path = tmp_path / "desk.csv"
    path.write_bytes("".join(CP932_CSV.splitlines(keepends=True)[:3]).encode("cp932"))
    outcome = import_requests(case=case, path=path)
    assert len(outcome.added) == 2
    stored = read_requests(case=case).requests
    assert [(r.type, r.channel.value, r.person_ref) for r in stored] == [
        (RequestType.inquiry, "phone", None), (RequestType.deletion, "email", "P000001")]
    again = import_requests(case=case, path=path)
    assert again.added == [] and again.skipped_duplicates == 2


def test_bom_utf8_import_refuses_unknown_person_ref(case: Case, tmp_path: Path) -> None:
    """A UTF-8-with-BOM list whose deletion row names a person id not in the person list is refused at that line."""
    path = tmp_path / "desk.csv"
    path.write_bytes("\ufefftype,received_on,person_ref\ndeletion,2026-11-12,P999999\n".encode())
    with pytest.raises(DatasetError, match="line 2: column person_ref"):
        import_requests(case=case, path=path)


def test_closing_a_deletion_records_where_and_suppresses_the_person(case: Case) -> None:
    """A deletion closes only with the systems and a confirmation; then its person id is on the suppression list."""
    request = add_request(case=case, type=RequestType.deletion, received_on=date(2026, 11, 12), person_ref="P000003")
    with pytest.raises(InputError, match="--deleted-from"):
        close_request(case=case, request_id=request.request_id, note="削除", closed_on=date(2026, 11, 13))
    assert suppressed_person_ids(case) == set()
    closed = close_request(case=case, request_id=request.request_id, note="顧客DBと配送システムから削除",
                           closed_on=date(2026, 11, 13), deleted_from=["顧客DB", "配送システム"],
                           confirmation="CONF-2026-11")
    assert closed.closure.deleted_from == ["顧客DB", "配送システム"] and closed.closure.suppressed
    assert suppressed_person_ids(case) == {"P000003"}
    saved = json.loads(case.path("requests/suppressed.json").read_text(encoding="utf-8"))
    assert saved == {"person_ids": ["P000003"]}


def test_deletion_without_person_ref_is_refused(case: Case) -> None:
    """A deletion request must name the person id, else it could not be suppressed in exports."""
    with pytest.raises(InputError, match="person_ref"):
        add_request(case=case, type=RequestType.deletion, received_on=date(2026, 11, 12))


def test_timeline_holds_ids_and_types_only(case: Case) -> None:
    """Desk notes never reach the timeline; entries carry request ids, types and dates."""
    add_request(case=case, type=RequestType.complaint, received_on=date(2026, 11, 12), note="山田様 090-1234-5678 苦情")
    text = case.timeline.path.read_text(encoding="utf-8")
    assert "山田" not in text and "090-1234-5678" not in text and "R0001" in text


def test_counts_feed_report_item_6(case: Case) -> None:
    """Published counts by type land in the report facts and are written into item 6 of the 確報."""
    add_request(case=case, type=RequestType.inquiry, received_on=date(2026, 11, 12))
    add_request(case=case, type=RequestType.inquiry, received_on=date(2026, 11, 12))
    add_request(case=case, type=RequestType.deletion, received_on=date(2026, 11, 12), person_ref="P000001")
    close_request(case=case, request_id="R0001", note="回答", closed_on=date(2026, 11, 13))
    publish_request_summary(case=case, today=date(2026, 11, 20))
    update_report_facts(case=case, notices=NoticeStatus(targets=300, sent=300, as_of=date(2026, 11, 20)))
    stored = read_report_facts(case=case).requests
    assert {t.label_ja: (t.received, t.closed) for t in stored.by_type} == {"問合せ": (2, 1), "削除の請求": (1, 0)}
    context = case_report_context(case=case, kind=ReportKind.final, settings=get_settings(),
                                  report_date=date(2026, 11, 20), decision=assess(intake=case.intake()))
    item6 = context.items[5]
    assert item6.no == 6 and "問合せ2件（うち対応済1件）" in item6.display and "削除の請求1件" in item6.display
    assert "回答期限を経過" in item6.display  # R0002 was due 11-17 and is still open
    assert "300名に通知した" in item6.display


def test_cli_add_list_close_round_trip(case: Case) -> None:
    """`requests add`, `list --open --json` and `close` work end to end on the stored case."""
    runner = CliRunner()
    added = runner.invoke(app, ["requests", "add", case.incident_id, "--type", "stop_use", "--received", "2026-11-12",
                                "--channel", "phone", "--person-ref", "P000002", "--json", "--as-of", "2026-11-12"])
    assert added.exit_code == 0, added.output
    request_id = json.loads(added.output)["request_id"]
    listed = runner.invoke(app, ["requests", "list", case.incident_id, "--open", "--json", "--as-of", "2026-11-12"])
    payload = json.loads(listed.output)
    assert [r["request_id"] for r in payload["requests"]] == [request_id] and payload["counts"]["open"] == 1
    closed = runner.invoke(app, ["requests", "close", case.incident_id, request_id, "--note", "利用停止済",
                                 "--as-of", "2026-11-13"])
    assert closed.exit_code == 0, closed.output
    listed = runner.invoke(app, ["requests", "list", case.incident_id, "--open", "--json", "--as-of", "2026-11-13"])
    assert json.loads(listed.output)["requests"] == []


def test_cli_import_reports_counts(case: Case, tmp_path: Path) -> None:
    """`requests import INCIDENT FILE --json` imports a CP932 list and prints the new ids."""
    path = tmp_path / "desk.csv"
    path.write_bytes("".join(CP932_CSV.splitlines(keepends=True)[:3]).encode("cp932"))
    result = CliRunner().invoke(app, ["requests", "import", case.incident_id, str(path), "--json", "--as-of", "2026-11-12"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"added": ["R0001", "R0002"], "skipped_duplicates": 0}
    assert read_report_facts(case=case).requests is not None


def test_desk_counts_alone_leave_item_6_open(case: Case) -> None:
    """Without the notice status, published desk counts do not make item 6 look complete."""
    add_request(case=case, type=RequestType.inquiry, received_on=date(2026, 11, 12))
    publish_request_summary(case=case, today=date(2026, 11, 20))
    context = case_report_context(case=case, kind=ReportKind.final, settings=get_settings(),
                                  report_date=date(2026, 11, 20), decision=assess(intake=case.intake()))
    assert context.items[5].value.state == "pending"
