"""Hostile input: arbitrary text in the readers, normaliser, merger, templates and intake parser."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from breachflow.errors import BreachflowError
from breachflow.intake.loader import parse_intake
from breachflow.notification.content import notice_context
from breachflow.notification.email_render import render_email_parts
from breachflow.notification.plan import Channel, make_notice
from breachflow.scoping.service import scope_dataset
from tests.notification.support import TEMPLATES, TODAY, business, email_person, facts

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Any text a spreadsheet cell could hold, including separators, quotes, NUL and surrogates-free unicode.
cell = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
HEADER = "氏名,メールアドレス,電話番号,住所\n"


def _scope_bytes(data: bytes, suffix: str = ".csv"):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"list{suffix}"
        path.write_bytes(data)
        return scope_dataset(path=path)


@FAST
@given(st.binary(max_size=400))
def test_arbitrary_bytes_as_csv_fail_only_with_breachflow_errors(data: bytes) -> None:
    """Any byte string read as a CSV either scopes or raises a BreachflowError, never another exception."""
    try:
        _scope_bytes(data)
    except BreachflowError:
        pass


@FAST
@given(st.lists(st.lists(cell, min_size=4, max_size=4), min_size=1, max_size=8))
def test_arbitrary_cells_under_a_known_header_fail_only_with_breachflow_errors(rows: list[list[str]]) -> None:
    """Arbitrary text in every field of a well-formed CSV never crashes the normaliser."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    try:
        _scope_bytes((HEADER + buffer.getvalue()).encode("utf-8"))
    except BreachflowError:
        pass


@FAST
@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_xlsx_fail_only_with_breachflow_errors(data: bytes) -> None:
    """A corrupt workbook is a BreachflowError, not a library traceback."""
    try:
        _scope_bytes(b"PK\x03\x04" + data, suffix=".xlsx")
    except BreachflowError:
        pass


@FAST
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=12))
def test_merger_never_mixes_two_persons_values(pairs: list[tuple[int, int]]) -> None:
    """Rows sharing name+email merge; every merged person's values all come from rows of that one person."""
    rows = []
    for name_no, mail_no in pairs:
        # Name and address are tied to the name number; email to (name, mail) so only true duplicates link.
        rows.append((f"試験 花子{name_no}", f"u{name_no}x{mail_no}@example.com", f"東京都港区芝{name_no}丁目"))
    body = "".join(f"{n},{m},,{a}\n" for n, m, a in rows)
    try:
        _, persons = _scope_bytes((HEADER + body).encode("utf-8"))
    except BreachflowError:
        return
    for person in persons.persons:
        source = [rows[r - 2] for r in person.source_rows]
        assert {r[0] for r in source} == {person.name}
        assert person.email in {r[1] for r in source}
        assert person.address1 is None or all(person.address1.startswith(r[2][:3]) for r in source)


@FAST
@given(name=st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_templates_escape_names_and_never_evaluate_them(name: str) -> None:
    """An arbitrary name appears HTML-escaped in the email HTML and literally in the text: no template injection."""
    person = email_person(1, name=name)
    notice = make_notice(incident_id="WE-01", person=person, channel=Channel.email, versions={c: "v" for c in Channel})
    context = notice_context(notice=notice, person=person, facts=facts(), business=business(), today=TODAY)
    _, text, body = render_email_parts(context, templates_dir=TEMPLATES)
    assert context.recipient.name in text
    assert str(escape(context.recipient.name)) in body
    if "<" in context.recipient.name:
        # The raw name, anchored by the text around it in the template, must not appear unescaped.
        marked = body.split(str(escape(context.recipient.name)), 1)[0][-20:] + context.recipient.name
        assert marked not in body


def test_template_injection_payloads_render_literally() -> None:
    """Jinja syntax and script tags in a name are printed as text, not executed."""
    payload = "{{ 7*7 }}{% for x in range(3) %}X{% endfor %}<script>alert(1)</script>"
    person = email_person(1, name=payload)
    notice = make_notice(incident_id="WE-01", person=person, channel=Channel.email, versions={c: "v" for c in Channel})
    context = notice_context(notice=notice, person=person, facts=facts(), business=business(), today=TODAY)
    _, text, body = render_email_parts(context, templates_dir=TEMPLATES)
    assert "{{ 7*7 }}" in text and "XXX" not in text
    assert "<script>" not in body and "&lt;script&gt;" in body


@FAST
@given(st.dictionaries(st.text(max_size=12), st.one_of(st.text(max_size=20), st.integers(), st.none(),
                                                       st.lists(st.text(max_size=5), max_size=3)), max_size=8))
def test_intake_parser_rejects_arbitrary_mappings_with_intake_errors(raw: dict) -> None:
    """An arbitrary mapping is either a valid intake or an IntakeError listing problems."""
    try:
        parse_intake(raw)
    except BreachflowError:
        pass
