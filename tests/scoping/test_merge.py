"""Rows of the same person are merged; namesakes stay apart; ids and items per person.

The rule: the same normalised name and a shared phone or e-mail, or the same name and both
the same birth date and the same address. A birth date or an address alone never merges.
"""

from __future__ import annotations

from breachflow.scoping import analyse_dataset, scope_dataset
from breachflow.scoping.synthetic import generate_customers, write_csv
from breachflow.vocabulary import DataItem

HEADERS = ["氏名", "電話番号", "メール", "住所", "生年月日", "職業"]


def _row(name: str, phone: str = "", mail: str = "", address: str = "", born: str = "", job: str = "") -> dict[str, str]:
    return dict(zip(HEADERS, (name, phone, mail, address, born, job), strict=True))


def test_full_width_duplicate_is_merged(write_csv):
    """The same name (with a full-width space) and the same phone in full-width digits is one person."""
    rows = [_row("山田 太郎", phone="090-1234-5678"), _row("山田　太郎", phone="０９０１２３４５６７８")]
    summary, persons = scope_dataset(path=write_csv(HEADERS, rows))
    assert (summary.rows, summary.persons, summary.duplicates_merged) == (2, 1, 1)
    assert persons.persons[0].source_rows == [2, 3]
    assert persons.persons[0].phone == "+819012345678"


def test_email_case_and_address_spelling_merge(write_csv):
    """An e-mail differing only in case links two rows; an address in 丁目 form equals its hyphen form (with the birth date)."""
    rows = [
        _row("佐藤 花子", mail="Hanako@Example.com"), _row("佐藤花子", mail="hanako@example.com"),
        _row("鈴木 一郎", address="大阪府大阪市北区梅田1丁目2番3号", born="1960/02/03"),
        _row("鈴木 一郎", address="大阪府大阪市北区梅田1-2-3", born="昭和35年2月3日"),
    ]  # fmt: skip
    summary, _ = scope_dataset(path=write_csv(HEADERS, rows))
    assert summary.persons == 2
    assert (summary.weak_merges, summary.near_merges) == (1, 0)


def test_namesakes_sharing_nothing_stay_separate(write_csv):
    """Two rows with the same name but no shared identifier are two persons."""
    rows = [_row("田中 実", phone="090-1111-2222", born="1950/01/01"), _row("田中 実", phone="080-3333-4444", born="1990/05/05")]
    summary, _ = scope_dataset(path=write_csv(HEADERS, rows))
    assert summary.persons == 2


def test_same_identifier_different_name_not_merged(write_csv):
    """A shared phone number alone (family members) does not merge different names."""
    rows = [_row("高橋 父", phone="03-3123-4567"), _row("高橋 母", phone="03-3123-4567")]
    summary, _ = scope_dataset(path=write_csv(HEADERS, rows))
    assert summary.persons == 2


def test_merge_is_transitive(write_csv):
    """A~B by phone and B~C by e-mail puts A, B and C in one person, C~D by birth date and address too."""
    rows = [
        _row("伊藤 誠", phone="090-1111-2222"),
        _row("別人 太郎", phone="090-1111-2222"),
        _row("伊藤 誠", phone="090-1111-2222", mail="makoto@example.com"),
        _row("伊藤 誠", mail="MAKOTO@example.com", born="1970/01/01", address="東京都港区芝公園4-2-8"),
        _row("伊藤 誠", born="1970-1-1", address="東京都港区芝公園4丁目2番8号"),
    ]
    _, persons = scope_dataset(path=write_csv(HEADERS, rows))
    assert [p.source_rows for p in persons.persons] == [[2, 4, 5, 6], [3]]
    assert [p.person_id for p in persons.persons] == ["P000001", "P000002"]


def test_birth_date_alone_does_not_carry_a_chain(write_csv):
    """A~B by phone, then C with only B's birth date: C stays apart, listed as a namesake kept apart."""
    rows = [
        _row("伊藤 誠", phone="090-1111-2222"),
        _row("伊藤 誠", phone="090-1111-2222", born="1970/01/01"),
        _row("伊藤 誠", born="1970-1-1"),
    ]
    result = analyse_dataset(path=write_csv(HEADERS, rows))
    assert (result.summary.persons, result.summary.weak_merges, result.summary.near_merges) == (2, 0, 1)
    assert result.review.near_merges.rows() == [("P000001 P000002", "生年月日", "3 4")]


def test_items_per_person(write_csv):
    """A person's items are only those with a value in that person's rows."""
    rows = [_row("A", phone="090-1111-2222"), _row("B", mail="b@example.com", job="教員"), _row("A", phone="09011112222", job="医師")]
    _, persons = scope_dataset(path=write_csv(HEADERS, rows))
    a, b = persons.persons
    assert a.items == [DataItem.name, DataItem.occupation, DataItem.phone]
    assert b.items == [DataItem.email, DataItem.name, DataItem.occupation]
    assert a.occupation == "医師"


def test_generated_duplicates_are_found(tmp_path):
    """The generator's re-entered persons merge back to exactly the persons it generated."""
    data = generate_customers(n=300, seed=11, duplicate_share=0.1)
    summary, _ = scope_dataset(path=write_csv(tmp_path / "c.csv", data))
    assert summary.rows == len(data.rows) > data.persons
    assert summary.persons == data.persons
    assert summary.weak_merges == data.weak_reentries > 0


def test_generated_list_of_20000_persons_scopes_to_exactly_its_persons(tmp_path):
    """20,000 generated persons with re-entries and namesakes: no false merge, no missed merge, review counts exact.

    Under the former rule (one shared birth date or address merged namesakes) the same
    list scoped to 19,904 persons: each namesake sharing one weak identifier was merged.
    """
    data = generate_customers(n=20_000, seed=7)
    summary, persons = scope_dataset(path=write_csv(tmp_path / "c.csv", data))
    assert summary.rows == len(data.rows) == 21_000
    assert summary.persons == len(persons.persons) == data.persons
    # Each persons' rows are exactly the rows generated for one customer number.
    numbers = [row["顧客番号"] for row in data.rows]
    assert all(len({numbers[r - 2] for r in p.source_rows}) == 1 for p in persons.persons)
    assert summary.weak_merges == data.weak_reentries > 0
    assert summary.near_merges == data.weak_namesakes > 0


def test_namesakes_sharing_only_a_birth_date_stay_two_persons(write_csv):
    """Same name and birth date, different phone and e-mail: two persons, listed as namesakes kept apart."""
    rows = [
        _row("田中 実", phone="090-1111-2222", mail="a@example.com", born="1950/01/01"),
        _row("田中 実", phone="080-3333-4444", mail="b@example.com", born="昭和25年1月1日"),
    ]
    result = analyse_dataset(path=write_csv(HEADERS, rows))
    assert (result.summary.persons, result.summary.weak_merges, result.summary.near_merges) == (2, 0, 1)
    assert result.review.near_merges.rows() == [("P000001 P000002", "生年月日", "2 3")]
    assert result.review.weak_merges.height == 0


def test_namesakes_sharing_only_an_address_stay_two_persons(write_csv):
    """Same name and address (a parent and a child of the same name): two persons, listed as namesakes kept apart."""
    rows = [
        _row("田中 実", address="東京都世田谷区桜1-2-3", born="1950/01/01"),
        _row("田中 実", address="東京都世田谷区桜1丁目2番3号", born="1980/06/30"),
        _row("田中 実", address="東京都世田谷区桜1-2-3"),
    ]
    result = analyse_dataset(path=write_csv(HEADERS, rows))
    assert (result.summary.persons, result.summary.weak_merges, result.summary.near_merges) == (3, 0, 1)
    assert result.review.near_merges.rows() == [("P000001 P000002 P000003", "住所", "2 3 4")]


def test_birth_date_and_address_together_merge_and_are_listed_for_review(write_csv):
    """Same name, birth date and address (different phones): one person, listed as a merge on weak identifiers."""
    rows = [
        _row("田中 実", phone="090-1111-2222", address="東京都世田谷区桜1-2-3", born="1950/01/01"),
        _row("鈴木 花子", phone="090-5555-6666"),
        _row("田中　実", phone="080-3333-4444", address="東京都世田谷区桜1丁目2番3号", born="1950-1-1"),
    ]
    result = analyse_dataset(path=write_csv(HEADERS, rows))
    assert (result.summary.persons, result.summary.weak_merges, result.summary.near_merges) == (2, 1, 0)
    assert result.review.weak_merges.rows() == [("P000001", "2 4", "2 / 4", "生年月日・住所")]
    csv_text = result.review.weak_merges_csv().decode("utf-8-sig")
    assert csv_text.splitlines() == ["person_id,行番号,生年月日と住所だけで結んだ行のまとまり,人物内で一致した項目", "P000001,2 4,2 / 4,生年月日・住所"]


def test_shared_phone_merges_without_review_even_with_different_birth_dates(write_csv):
    """Same name and phone is the same person, not listed for review; differing birth dates (a typo) do not split it."""
    rows = [
        _row("田中 実", phone="090-1111-2222", address="東京都世田谷区桜1-2-3", born="1950/01/01"),
        _row("田中 実", phone="09011112222", address="東京都世田谷区桜1-2-3", born="1950/01/10"),
        _row("田中 実", phone="090-1111-2222", born="1950/01/01"),
    ]
    result = analyse_dataset(path=write_csv(HEADERS, rows))
    assert (result.summary.persons, result.summary.weak_merges, result.summary.near_merges) == (1, 0, 0)
    assert result.review.weak_merges.height == result.review.near_merges.height == 0


def test_person_models_equal_validated_models(tmp_path):
    """Persons built from the frame are identical to pydantic-validated Person models."""
    from breachflow.scoping.model import Person, PersonList

    data = generate_customers(n=200, seed=13)
    _, persons = scope_dataset(path=write_csv(tmp_path / "c.csv", data))
    assert PersonList.model_validate_json(persons.model_dump_json()) == persons
    assert all(Person.model_validate(p.model_dump()) == p for p in persons.persons)
    assert all(p.model_fields_set == set(Person.model_fields) for p in persons.persons)


def test_person_models_built_in_slices_equal_one_pass(tmp_path):
    """Building Person models a few rows at a time gives the same list as building them all at once."""
    from breachflow.scoping import service

    data = generate_customers(n=120, seed=17, duplicate_share=0.1)
    persons = service._numbered(service.analyse_dataset(path=write_csv(tmp_path / "c.csv", data)).persons)
    in_slices = service._to_persons(persons, chunk_rows=7)
    assert in_slices == service._to_persons(persons, chunk_rows=persons.height)
    assert len(in_slices) == persons.height
    assert [p.model_dump() for p in in_slices] == [service.Person.model_validate(p.model_dump()).model_dump() for p in in_slices]


def test_person_models_equal_models_validated_from_the_frame_rows(tmp_path):
    """Each person is Person.model_validate of its frame row (items from the mask), in frame order."""
    from breachflow.scoping import service

    data = generate_customers(n=150, seed=19, duplicate_share=0.1)
    frame = service._numbered(service.analyse_dataset(path=write_csv(tmp_path / "c.csv", data)).persons)
    expected = []
    for row in frame.to_dicts():
        row["items"] = sorted((i for b, i in enumerate(DataItem) if row["items_mask"] >> b & 1), key=str)
        expected.append(service.Person.model_validate({f: row[f] for f in service.Person.model_fields}))
    assert service._to_persons(frame, chunk_rows=40) == expected
    assert any(p.items for p in expected) and any(p.gender for p in expected)


def test_person_models_share_the_few_distinct_strings(tmp_path):
    """Equal prefecture, gender and occupation values are one str object across persons (memory of a large list)."""
    from breachflow.scoping import service

    data = generate_customers(n=150, seed=23)
    frame = service._numbered(service.analyse_dataset(path=write_csv(tmp_path / "c.csv", data)).persons)
    persons = service._to_persons(frame, chunk_rows=40)
    for field in ("prefecture", "gender", "occupation"):
        values = [getattr(p, field) for p in persons if getattr(p, field) is not None]
        assert len(values) > len(set(values)) > 0, field
        assert len({id(v) for v in values}) == len(set(values)), field


def test_one_person_copied_or_changed_leaves_the_others_alone(tmp_path):
    """Persons share one set of field names: a copy with updates gets its own, and a person cannot be changed."""
    import pydantic
    import pytest

    from breachflow.scoping import service

    data = generate_customers(n=20, seed=29)
    frame = service._numbered(service.analyse_dataset(path=write_csv(tmp_path / "c.csv", data)).persons)
    first, second = service._to_persons(frame)[:2]
    all_fields = set(service.Person.model_fields)
    changed = first.model_copy(update={"name": "変更"})
    assert changed.name == "変更" and first.name != "変更"
    assert first.model_fields_set == second.model_fields_set == changed.model_fields_set == all_fields
    # One set for the list (memory of a million persons); a copy gets its own.
    assert first.model_fields_set is second.model_fields_set and changed.model_fields_set is not first.model_fields_set
    with pytest.raises(pydantic.ValidationError):
        first.name = "変更"
    assert second.model_fields_set == all_fields
