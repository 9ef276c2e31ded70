""""Is my data affected?": matching by phone, email or name + birth date, without leaking anyone else's data."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachflow.casestore import Case
from breachflow.errors import InputError
from breachflow.requests import (
    LookupOutcome,
    LookupQuery,
    RecordingLookupLog,
    answer_lookup,
    lookup_in_case,
)
from breachflow.scoping.model import Person, PersonList
from breachflow.vocabulary import DataItem
from tests.requests.conftest import PERSONS

LIST = PersonList(dataset_sha256="0" * 64, persons=PERSONS)


@pytest.mark.parametrize("phone", ["090-1234-5678", "０９０１２３４５６７８", "+81 90 1234 5678", "090-1234-5678 内線12"])
def test_phone_in_any_written_form_finds_the_person(phone: str) -> None:
    """Hyphenated, full-width, +81 and extension forms all normalise to the stored E.164 number."""
    answer = answer_lookup(persons=LIST, query=LookupQuery(phone=phone), log=RecordingLookupLog())
    assert answer.outcome is LookupOutcome.affected and answer.person_id == "P000001"
    assert answer.items == PERSONS[0].items


def test_email_matches_case_insensitively() -> None:
    """An email typed in capitals finds the person and returns that person's items only."""
    answer = answer_lookup(persons=LIST, query=LookupQuery(email=" Hanako.SATO@Example.JP "), log=RecordingLookupLog())
    assert (answer.outcome, answer.person_id, answer.items) == (LookupOutcome.affected, "P000002", PERSONS[1].items)


def test_name_in_hiragana_with_birth_date_matches() -> None:
    """A kana name given in hiragana without spaces, plus the birth date, finds the person; a wrong birth date does not."""
    found = answer_lookup(persons=LIST, query=LookupQuery(name="やまだたろう", birth_date=date(1980, 3, 1)),
                          log=RecordingLookupLog())
    assert found.person_id == "P000001"
    missed = answer_lookup(persons=LIST, query=LookupQuery(name="山田太郎", birth_date=date(1980, 3, 2)),
                           log=RecordingLookupLog())
    assert (missed.outcome, missed.affected, missed.items, missed.person_id) == (LookupOutcome.not_found, False, [], None)


def test_two_persons_fitting_the_query_reveal_nothing() -> None:
    """Two persons share name and birth date: the answer asks for identity verification and carries no items or id."""
    answer = answer_lookup(persons=LIST, query=LookupQuery(name="鈴木 一郎", birth_date=date(1990, 1, 15)),
                           log=RecordingLookupLog())
    assert answer.outcome is LookupOutcome.verify_identity
    assert (answer.affected, answer.items, answer.person_id) == (None, [], None)


def test_name_without_birth_date_and_bad_phone_are_refused_without_echo() -> None:
    """A name alone is refused; an invalid phone is refused and the message does not repeat the number."""
    with pytest.raises(InputError, match="--birth-date"):
        answer_lookup(persons=LIST, query=LookupQuery(name="山田太郎"), log=RecordingLookupLog())
    with pytest.raises(InputError) as caught:
        answer_lookup(persons=LIST, query=LookupQuery(phone="12-345"), log=RecordingLookupLog())
    assert "12-345" not in str(caught.value)


def test_lookups_are_logged_in_the_timeline_without_query_values(case: Case) -> None:
    """Each lookup adds one timeline entry with outcome and criteria kinds, and none of the values asked about."""
    before = len(case.timeline.entries())
    lookup_in_case(case=case, query=LookupQuery(phone="090-1234-5678"))
    lookup_in_case(case=case, query=LookupQuery(email="nobody@example.jp"))
    lookup_in_case(case=case, query=LookupQuery(name="鈴木一郎", birth_date=date(1990, 1, 15)))
    entries = case.timeline.entries()[before:]
    assert [(e.kind, e.data["outcome"], e.data["methods"]) for e in entries] == [
        ("requests.lookup", "affected", ["phone"]),
        ("requests.lookup", "not_found", ["email"]),
        ("requests.lookup", "verify_identity", ["name+birth_date"]),
    ]
    text = case.timeline.path.read_text(encoding="utf-8")
    for value in ("1234-5678", "12345678", "nobody", "鈴木", "1990-01-15", "P000001"):
        assert value not in text


# --- property: the answer only ever holds the one matched person's items -------------------------------------

_PHONES = [f"+8190{n:08d}" for n in (11112222, 33334444, 55556666)]
_EMAILS = ["a@example.jp", "b@example.jp", "c@example.jp"]
_NAMES = ["山田太郎", "佐藤花子"]
_BORN = [date(1980, 1, 1), date(1990, 2, 2)]
_ITEMS = list(DataItem)

person_strategy = st.builds(
    lambda phone, email, name, born, items: (phone, email, name, born, items),
    st.sampled_from([None, *_PHONES]), st.sampled_from([None, *_EMAILS]), st.sampled_from([None, *_NAMES]),
    st.sampled_from([None, *_BORN]), st.lists(st.sampled_from(_ITEMS), min_size=1, max_size=6, unique=True),
)
query_strategy = st.one_of(
    st.builds(lambda p: ("phone", p), st.sampled_from(_PHONES + ["+819099990000"])),
    st.builds(lambda e: ("email", e), st.sampled_from(_EMAILS + ["z@example.jp"])),
    st.builds(lambda n, b: ("name", (n, b)), st.sampled_from(_NAMES + ["田中次郎"]), st.sampled_from(_BORN)),
)


def _national(e164: str) -> str:
    return "0" + e164.removeprefix("+81")


@settings(max_examples=200, deadline=None)
@given(raw_persons=st.lists(person_strategy, min_size=0, max_size=6), query=query_strategy)
def test_answer_never_contains_another_persons_data(raw_persons: list, query: tuple) -> None:
    """For random lists and queries, the answer holds only the single matched person's items; no match or several reveal nothing."""
    persons = [
        Person(person_id=f"P{i:06d}", source_rows=[i + 2], items=items, phone=phone, email=email, name=name,
               birth_date=born)
        for i, (phone, email, name, born, items) in enumerate(raw_persons)
    ]
    kind, value = query
    if kind == "phone":
        lookup = LookupQuery(phone=_national(value))
        oracle = [p for p in persons if p.phone == value]
    elif kind == "email":
        lookup = LookupQuery(email=value.upper())
        oracle = [p for p in persons if p.email == value]
    else:
        lookup = LookupQuery(name=value[0], birth_date=value[1])
        oracle = [p for p in persons if p.name == value[0] and p.birth_date == value[1]]
    log = RecordingLookupLog()
    answer = answer_lookup(persons=PersonList(dataset_sha256="0" * 64, persons=persons), query=lookup, log=log)
    assert log.entries == [(answer.outcome, lookup.methods())]
    if len(oracle) == 1:
        assert (answer.outcome, answer.person_id, answer.items) == (LookupOutcome.affected, oracle[0].person_id,
                                                                    oracle[0].items)
    else:
        assert answer.items == [] and answer.person_id is None
        assert answer.outcome is (LookupOutcome.not_found if not oracle else LookupOutcome.verify_identity)
    # Nothing identifying any person (phone, email, name, birth date) is ever in the answer.
    dumped = json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)
    for person in persons:
        for field in (person.phone, _national(person.phone) if person.phone else None, person.email, person.name,
                      person.birth_date.isoformat() if person.birth_date else None):
            if field:
                assert field not in dumped


def test_cli_lookup_prints_the_answer_and_items(case: Case) -> None:
    """`requests lookup --email … --json` prints the outcome and the matched person's items only."""
    from typer.testing import CliRunner

    from cli.main import app

    result = CliRunner().invoke(app, ["requests", "lookup", case.incident_id, "--email", "HANAKO.sato@example.jp", "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.output)
    assert printed["outcome"] == "affected" and printed["items"] == [i.value for i in PERSONS[1].items]
    assert "hanako" not in result.output.lower()
