"""Service flow over a real case folder: plan, preview, approval, letters, returned mail, calls, substitute."""

from __future__ import annotations

import csv
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from breachflow.casestore import CaseStore
from breachflow.errors import DeliveryError
from breachflow.intake import load_intake
from breachflow.notification import service
from breachflow.notification.ledger import State
from breachflow.notification.ledger_fast import open_ledger
from breachflow.notification.plan import Channel
from breachflow.notification.policy import ChannelPolicy
from breachflow.scoping.model import PersonList
from breachflow.vocabulary import DataItem
from tests.conftest import SHARED_CASES
from tests.notification.support import TEMPLATES, TODAY, business, email_person, facts


@pytest.fixture
def case(tmp_path: Path):
    """An open case with five persons: email, letter (×2, one with 𠮷), phone, nothing usable."""
    intake_path = SHARED_CASES / "WE-01.yaml"
    case = CaseStore(tmp_path / "cases").open_case(load_intake(intake_path, as_of=date(2026, 11, 20)), intake_path)
    persons = [
        email_person(1),
        email_person(2, email=None, items=[DataItem.name, DataItem.address, DataItem.card_number]),
        email_person(3, email=None, name="𠮷田 花子", items=[DataItem.name, DataItem.address]),
        email_person(4, email=None, postal_code=None, items=[DataItem.name, DataItem.phone]),
        email_person(5, email=None, postal_code=None, phone=None, items=[DataItem.name]),
    ]
    case.write_model("persons.json", PersonList(dataset_sha256="0" * 64, persons=persons))
    return case


def _planned(case):
    ledger = open_ledger(case.dir)
    persons = {p.person_id: p for p in case.read_model("persons.json", PersonList).persons}
    counts = service.plan_notifications(case=case, persons=list(persons.values()), decision=None,
                                        policy=ChannelPolicy(), templates_dir=TEMPLATES, ledger=ledger)
    return ledger, persons, counts


def test_plan_is_stored_and_counted_without_personal_data(case):
    """The plan lands in the case store and the timeline gets counts only."""
    _, _, counts = _planned(case)
    assert counts.by_channel == {Channel.email: 1, Channel.letter: 2, Channel.phone: 1, Channel.substitute: 1}
    assert case.has("notification/plan.json") and case.has("notification/ledger.sqlite")
    timeline = case.timeline.path.read_text("utf-8")
    assert "試験" not in timeline and "example.com" not in timeline


def test_preview_uses_a_placeholder_person_and_covers_every_variant(case):
    """One sample per channel and item set, rendered for the placeholder, never for a real person."""
    _planned(case)
    preview = service.build_preview(plan=service.load_plan(case), facts=facts(), business=business(), today=TODAY,
                                    templates_dir=TEMPLATES)
    assert len(preview.samples) == 5
    rendered = json.dumps(preview.model_dump(mode="json"), ensure_ascii=False)
    assert "見本 太郎" in rendered and "試験 太郎" not in rendered and "𠮷田" not in rendered
    email_sample = next(s for s in preview.samples if s.channel is Channel.email)
    assert email_sample.subject == "【重要】個人情報の漏えいに関するお詫びとお知らせ"


def test_sending_requires_an_approval_of_this_exact_plan(case):
    """No approval, a rejection, or a plan changed after approval all block sending."""
    _planned(case)
    with pytest.raises(DeliveryError, match="not approved"):
        service.require_approval(case)
    service.approve_plan(case=case, approved=False, decided_by="部長")
    with pytest.raises(DeliveryError, match="rejected"):
        service.require_approval(case)
    service.approve_plan(case=case, approved=True, decided_by="部長")
    assert service.require_approval(case).approver == "部長"
    case.write_model("persons.json", PersonList(dataset_sha256="1" * 64, persons=[email_person(9)]))
    _planned(case)
    with pytest.raises(DeliveryError, match="changed after approval"):
        service.require_approval(case)


def test_letters_pdf_mailing_lists_and_labels(case, tmp_path):
    """Letters are A4 PDFs with embedded fonts, each person's address on their first page, and CP932 problems reported."""
    ledger, persons, _ = _planned(case)
    out = tmp_path / "letters"
    run = service.produce_letters(case=case, ledger=ledger, persons=persons, plan=service.load_plan(case), facts=facts(),
                                  business=business(), today=TODAY, templates_dir=TEMPLATES, out_dir=out, workers=1)
    assert run.letters == 2 and run.variants == 2 and run.unencodable_cp932 == 1 and run.missing_glyphs == 1
    assert run.address_too_long == 0 and (out / "address_too_long.csv").read_text("utf-8-sig").startswith("notice_id")
    assert len(PdfReader(out / "labels.pdf").pages) == 1, "two labels: one sheet"
    assert "U+20BB7" in (out / "missing_glyphs.csv").read_text("utf-8-sig")
    index = json.loads((out / "letter_index.json").read_text())
    reader = PdfReader(out / run.files[0])

    def pages_text(first: int, last: int) -> str:
        command = ["pdftotext", "-f", str(first), "-l", str(last), str(out / run.files[0]), "-"]
        return subprocess.run(command, capture_output=True, check=True, text=True).stdout

    for entry in index["letters"]:
        person = persons[ledger.row(entry["notice_id"]).person_id]
        first = pages_text(entry["first_page"], entry["first_page"])
        text = pages_text(entry["first_page"], entry["first_page"] + entry["pages"] - 1)
        assert person.address2 in first and "様" in first and "令和8年11月27日" in first
        assert ("クレジットカード番号" in text) == (DataItem.card_number in person.items)
    fonts = {str(f.get_object().get("/BaseFont")) for p in reader.pages for f in p["/Resources"]["/Font"].values()}
    assert any("IPAex" in f for f in fonts)
    assert abs(float(reader.pages[0].mediabox.width) - 595.28) < 1
    problems = list(csv.reader((out / "mailing_list_cp932_problems.csv").read_text("utf-8-sig").splitlines()))
    assert problems[1] == [problems[1][0], "氏名", "U+20BB7"]
    assert (out / "labels.pdf").read_bytes().startswith(b"%PDF")
    assert {r.state for r in ledger.rows(channel="letter")} == {State.rendered}  # printed is not posted


def test_returned_letters_move_persons_to_phone(case, tmp_path):
    """A returned letter marks the letter failed and plans a phone call for that person."""
    ledger, persons, _ = _planned(case)
    service.produce_letters(case=case, ledger=ledger, persons=persons, plan=service.load_plan(case), facts=facts(),
                            business=business(), today=TODAY, templates_dir=TEMPLATES, out_dir=tmp_path / "l", workers=1)
    letter = next(r for r in ledger.rows(channel="letter") if r.person_id == "P000002")
    returned = tmp_path / "returned.csv"
    returned.write_text(f"notice_id\n{letter.notice_id}\nN-L-unknown\n", encoding="utf-8")
    counts = service.import_returned(case=case, ledger=ledger, persons=persons, plan=service.load_plan(case),
                                     policy=ChannelPolicy(), file=returned)
    assert counts.rerouted == {Channel.phone: 1} and counts.unknown_notice_ids == 1
    assert ledger.row(letter.notice_id).state is State.failed_permanent
    assert "returned mail" in ledger.row(letter.notice_id).detail
    assert any(r.person_id == "P000002" and r.rerouted_from == letter.notice_id for r in ledger.rows(channel="phone"))


def test_call_list_and_outcomes(case, tmp_path):
    """The call list carries national numbers and scripts; outcomes mark reached, retry, or move on."""
    ledger, persons, _ = _planned(case)
    plan = service.load_plan(case)
    out = tmp_path / "calls"
    counts = service.export_call_list(ledger=ledger, persons=persons, plan=plan, facts=facts(), business=business(),
                                      today=TODAY, templates_dir=TEMPLATES, out_dir=out)
    assert counts["calls"] == 1
    rows = list(csv.DictReader((out / "call_list.csv").read_text("utf-8-sig").splitlines()))
    assert rows[0]["電話番号"] == "090-1234-5678" and "電話番号" in rows[0]["お伝えする項目"]
    assert rows[0]["outcome"] == "" and "試験 太郎4様" in rows[0]["通話スクリプト"]
    assert (out / "call_list.xlsx").exists() and (out / "call_list_cp932.csv").exists()
    phone_id = rows[0]["notice_id"]
    outcome = tmp_path / "outcome.csv"
    outcome.write_text(f"notice_id,outcome,attempts\n{phone_id},no_answer,1\n", encoding="utf-8")
    service.import_calls(case=case, ledger=ledger, persons=persons, plan=plan, policy=ChannelPolicy(), file=outcome)
    assert ledger.row(phone_id).state is State.failed_transient
    outcome.write_text(f"notice_id,outcome,attempts\n{phone_id},no_answer,3\n", encoding="utf-8")
    moved = service.import_calls(case=case, ledger=ledger, persons=persons, plan=plan, policy=ChannelPolicy(),
                                 file=outcome)
    # Person 4 has no postal code, so after the calls fail only the substitute list remains.
    assert moved.rerouted == {Channel.substitute: 1}
    assert ledger.row(phone_id).state is State.failed_permanent


def test_substitute_measures_are_drafted_and_recorded_for_report_item_6(case):
    """The 公表文 and FAQ are drafted for the unreachable persons and the record says item 6 needs them."""
    ledger, _, _ = _planned(case)
    record = service.draft_substitute_measures(case=case, ledger=ledger, plan=service.load_plan(case), facts=facts(),
                                               business=business(), today=TODAY, templates_dir=TEMPLATES)
    assert record.persons == 1 and record.report_item6_needed
    announcement = case.path("notification/public_announcement.txt").read_text("utf-8")
    assert "個人情報の漏えいに関するお詫びとお知らせ" in announcement and "5名" in announcement
    assert "試験 太郎" not in announcement
    assert "問合せ" in case.path("notification/inquiry_faq.txt").read_text("utf-8")


def test_letters_and_call_list_report_progress_in_counts(case, tmp_path):
    """Letter rendering, ledger recording and the call list call ``progress(step, done, total)`` up to the total."""
    ledger, persons, _ = _planned(case)
    heard: list[tuple[str, int, int]] = []

    def progress(step: str, done: int, total: int) -> None:
        heard.append((step, done, total))

    service.produce_letters(case=case, ledger=ledger, persons=persons, plan=service.load_plan(case), facts=facts(),
                            business=business(), today=TODAY, templates_dir=TEMPLATES, out_dir=tmp_path / "l",
                            workers=1, chunk_size=1, progress=progress)
    service.export_call_list(ledger=ledger, persons=persons, plan=service.load_plan(case), facts=facts(),
                             business=business(), today=TODAY, templates_dir=TEMPLATES, out_dir=tmp_path / "c",
                             progress=progress)
    assert heard == [("rendered", 1, 2), ("rendered", 2, 2), ("recorded", 1, 2), ("recorded", 2, 2), ("rows", 1, 1)]
