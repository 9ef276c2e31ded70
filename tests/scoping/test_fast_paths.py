"""Each fast path produces exactly what the straightforward computation produces."""

from __future__ import annotations

import csv
import io
import os
import unicodedata
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from breachflow.errors import DatasetError
from breachflow.scoping import normalize as nz
from breachflow.scoping import summary as sm
from breachflow.scoping.merge import MERGED, ORDINAL, PERSON, WEAK, _repeated, assign_persons
from breachflow.scoping import readers, service
from breachflow.scoping.readers import read_dataset

# Characters that matter to NFKC, addresses and phone numbers, mixed with plain ones.
_JAPANESE = "山田太郎髙﨑①㈱ｶﾞｱ丁目番地号東京都港区あいうがカタナー・、。々"
_SPECIAL = "\u3000\u3099\u309a\u309b\u2010\u2212\uff0d\u2500\u1161\u11a8\u0301\u00a0\t\n"
_FULL_WIDTH = "０１２３４５６７８９－＋（）ＡＢａｂ＠"
_ASCII = "0123456789-+ ()abcxyzABC@."
_MIXED_TEXT = st.text(alphabet=_JAPANESE + _SPECIAL + _FULL_WIDTH + _ASCII, max_size=24)
_ANY_TEXT = st.one_of(_MIXED_TEXT, st.text(max_size=12), st.text(alphabet=_ASCII, max_size=16))
_VALUES = st.lists(st.one_of(st.none(), _ANY_TEXT), max_size=40)


def _series(values: list[str | None]) -> pl.Series:
    return pl.Series("v", values, dtype=pl.String)


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_nfkc_fast_path_equals_full_normalisation(values):
    """NFKC computed only for unsure values equals polars' NFKC of every value."""
    series = _series(values)
    assert nz.nfkc_series(series).to_list() == series.str.normalize("NFKC").to_list()


def test_nfkc_of_a_mostly_ascii_column_with_late_full_width_values_equals_full_normalisation():
    """Past the ASCII sample: full-width digits, ㈱ and a combining mark further down are still normalised."""
    values = [f"090-{i:04d}-5678" for i in range(3000)] + ["０９０－１２３４－５６７８", "㈱山田", "ｶﾞ", None, "\u00a0x", "a\u0301"]
    series = _series(values * 2)
    assert nz.nfkc_series(series).to_list() == series.str.normalize("NFKC").to_list()
    names = _series(["山田 太郎", "ﾔﾏﾀﾞ", "髙﨑", "plain"] * 800)  # mostly not ASCII: scanned whole
    assert nz.nfkc_series(names).to_list() == names.str.normalize("NFKC").to_list()


@settings(max_examples=100, deadline=None)
@given(st.lists(_ANY_TEXT, max_size=20))
def test_nfkc_fast_path_equals_unicodedata(values):
    """The fast path agrees with Python's own NFKC too."""
    assert nz.nfkc_series(_series(values)).to_list() == [unicodedata.normalize("NFKC", v) for v in values]


def test_nfkc_stable_ranges_are_stable():
    """Every character the fast path skips is its own NFKC form, has combining class 0 and composes with nothing before it."""
    composes_after: set[int] = set()
    for cp in range(0x110000):
        decomposition = unicodedata.decomposition(chr(cp))
        if decomposition and not decomposition.startswith("<") and len(decomposition.split()) == 2:
            composes_after.add(int(decomposition.split()[1], 16))
    for low, high in nz.NFKC_STABLE_RANGES:
        for cp in range(low, high + 1):
            ch = chr(cp)
            assert unicodedata.category(ch) != "Cn", hex(cp)
            assert unicodedata.normalize("NFKC", ch) == ch, hex(cp)
            assert unicodedata.combining(ch) == 0, hex(cp)
            assert cp not in composes_after, hex(cp)


_ADDRESS = st.text(alphabet="東京都港区芝公園丁目番地号0123456789-  \u3000\u2010\u2212\uff0dコーポ", max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _ADDRESS, _ANY_TEXT), max_size=40))
def test_address_key_fast_path_equals_exact(values):
    """The address key with its space-only fast path equals the full regex chain."""
    frame = _series(values).to_frame()
    fast = frame.select(nz.address_key(pl.col("v"))).to_series().to_list()
    exact = frame.select(nz._address_key_exact(pl.col("v"))).to_series().to_list()
    assert fast == exact


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            _ADDRESS,
            _ANY_TEXT,
            st.sampled_from(["", " ", "  ", "1-2-3 -", "1- -2", "1 -- 2", "港区 1-2 ", "芝\t公園", "１丁目"]),
        ),
        max_size=40,
    )
)
def test_address_forms_from_one_scan_equal_nfkc_and_the_exact_key(values):
    """address_forms gives NFKC of every address and the exact key of that NFKC form."""
    series = _series(values)
    forms = series.to_frame().select(nz.address_forms(pl.col("v"))).to_series()
    nfkc = series.str.normalize("NFKC")
    assert forms.struct.field("nfkc").to_list() == nfkc.to_list()
    exact = nfkc.to_frame().select(nz._address_key_exact(pl.col("v"))).to_series()
    assert forms.struct.field("key").to_list() == exact.to_list()


_PHONE = st.text(alphabet="0123456789--+ ()内線ext.x０９－", max_size=20)


def test_phone_clean_fast_path_equals_exact_at_its_edges():
    """Signs, overflowing digit strings, blanks and spaces: the integer-parse test sends each the right way."""
    values = ["+81-90-1234-5678", "1+2", "++1", "+", "-", "", "-+1", "9" * 25, "0" * 30, " 090", "090 ", "٠٩٠", "０９０－１２３４－５６７８", None]
    frame = _series(values).to_frame()
    fast = frame.select(nz._phone_clean(pl.col("v"))).to_series().to_list()
    exact = frame.select(nz._phone_clean_exact(pl.col("v").str.normalize("NFKC"))).to_series().to_list()
    assert fast == exact


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _PHONE, _ANY_TEXT), max_size=40))
def test_phone_clean_fast_path_equals_exact(values):
    """Cleaning a phone number with the digits-and-hyphens fast path equals the full regexes on its NFKC form."""
    frame = _series(values).to_frame()
    fast = frame.select(nz._phone_clean(pl.col("v"))).to_series().to_list()
    exact = frame.select(nz._phone_clean_exact(pl.col("v").str.normalize("NFKC"))).to_series().to_list()
    assert fast == exact


def _reference_persons(
    names: list[str | None], ids: list[list[str | None]], weak: list[list[object]] | None = None
) -> list[int]:
    """Union-find over all row pairs: same name and one equal strong identifier, or two equal weak ones; numbered by first row."""
    weak = weak or []
    parent = list(range(len(names)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            if names[i] is None or names[i] != names[j]:
                continue
            strong = any(col[i] is not None and col[i] == col[j] for col in ids)
            if strong or sum(col[i] is not None and col[i] == col[j] for col in weak) >= 2:
                a, b = root(i), root(j)
                parent[max(a, b)] = min(a, b)
    numbers: dict[int, int] = {}
    return [numbers.setdefault(root(i), len(numbers)) for i in range(len(names))]


def _reference_weak(names: list[str | None], ids: list[list[str | None]], weak: list[list[object]]) -> list[bool]:
    """Rows of persons whose strong-only groups are several: brought together by weak identifiers."""
    persons, groups = _reference_persons(names, ids, weak), _reference_persons(names, ids)
    per_person: dict[int, set[int]] = {}
    for person, group in zip(persons, groups, strict=True):
        per_person.setdefault(person, set()).add(group)
    return [len(per_person[person]) > 1 for person in persons]


_WEAK_VALUES = st.sampled_from([None, "b1", "b2"])


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=1, max_value=40).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from([None, "山田太郎", "佐藤花子", "A"]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, "1", "2", "3", "4", "5"]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, "x", "y", "z"]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, date(1970, 1, 1), date(1980, 2, 2)]), min_size=n, max_size=n),
            st.lists(st.sampled_from([None, "東京1-2-3", "大阪4-5-6"]), min_size=n, max_size=n),
        )
    )
)
def test_merge_equals_pairwise_reference(data):
    """Persons and weak-merge flags from the hash-filtered, two-stage merge equal a pairwise union-find over all rows."""
    names, phones, mails, births, addresses = data
    frame = pl.DataFrame(
        {"name": names, "phone": phones, "mail": mails, "birth": births, "address": addresses},
        schema={"name": pl.String, "phone": pl.String, "mail": pl.String, "birth": pl.Date, "address": pl.String},
    ).with_row_index(ORDINAL)
    assigned = assign_persons(frame, name="name", strong=["phone", "mail"], weak=["birth", "address"])
    got = assigned.get_column(PERSON).to_list()
    assert assigned.get_column(MERGED).to_list() == [got.count(person) > 1 for person in got]
    assert got == _reference_persons(names, [phones, mails], [births, addresses])
    assert assigned.get_column(WEAK).to_list() == _reference_weak(names, [phones, mails], [births, addresses])


def test_merge_without_weak_identifiers_is_the_strong_rule():
    """With no weak columns, or one only, the merge is the same name plus one shared strong identifier."""
    frame = pl.DataFrame(
        {"name": ["A", "A", "A", "B"], "phone": ["1", None, "1", "1"], "birth": [date(1970, 1, 1)] * 4}
    ).with_row_index(ORDINAL)
    for weak in ([], ["birth"]):
        assigned = assign_persons(frame, name="name", strong=["phone"], weak=weak)
        assert assigned.get_column(PERSON).to_list() == [0, 1, 0, 2]
        assert not assigned.get_column(WEAK).any()
    empty = assign_persons(frame.clear(), name="name", strong=["phone"], weak=["birth", "phone"])
    assert empty.height == 0 and empty.get_column(PERSON).dtype == pl.UInt32


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1) | st.sampled_from([0, 1, 2**63, 2**64 - 1]), max_size=60))
def test_repeated_keys_equal_is_duplicated(keys):
    """The sort-based check of repeated 64-bit keys marks exactly the rows is_duplicated marks."""
    series = pl.Series("k", keys, dtype=pl.UInt64)
    assert _repeated(series).to_list() == series.is_duplicated().to_list()


def test_merge_follows_long_chains_of_shared_identifiers():
    """Two interleaved chains (e-mail, then phone, then e-mail …), far ends first, are two persons."""
    n = 15

    def chain(tag: str) -> list[tuple[str, str]]:
        # Row i shares its e-mail with row i+1 when i is even, its phone when i is odd.
        return [(f"{tag}p{(i + 1) // 2}", f"{tag}m{i // 2}") for i in reversed(range(n))]

    rows = [row for pair in zip(chain("a"), chain("b"), strict=True) for row in pair]
    frame = pl.DataFrame(
        {"name": ["山田太郎"] * len(rows), "phone": [p for p, _ in rows], "mail": [m for _, m in rows]}
    ).with_row_index(ORDINAL)
    assigned = assign_persons(frame, name="name", strong=["phone", "mail"])
    assert assigned.get_column(PERSON).to_list() == [0, 1] * n
    assert assigned.get_column(MERGED).all()
    assert assigned.get_column(PERSON).to_list() == _reference_persons(frame["name"].to_list(), [frame["phone"].to_list(), frame["mail"].to_list()])


def _reference_ragged(text: str, width: int) -> int | None:
    """The first data line whose record has the wrong width and a non-blank cell (csv module)."""
    reader = csv.reader(io.StringIO(text))
    next(reader)
    for row in reader:
        if row and len(row) != width and any(cell.strip() for cell in row):
            return reader.line_num
    return None


_CELL = st.one_of(st.text(alphabet="ab 山,", max_size=4), st.just(""))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=8),
    st.booleans(),
)
def test_ragged_detection_equals_csv_module(tmp_path_factory, rows, quote_all):
    """A file is refused as ragged exactly when the csv module finds a wrong-width, non-blank record."""
    path: Path = tmp_path_factory.mktemp("ragged") / "x.csv"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerow(["氏名", "電話番号", "備考"])
    writer.writerows(rows)
    text = buffer.getvalue()
    path.write_bytes(text.encode("utf-8"))
    expected = _reference_ragged(text, 3)
    try:
        read_dataset(path=path)
        raised = None
    except DatasetError as exc:
        raised = str(exc)
    # polars refuses any over-wide record, also a blank one (",,,"): named as unparsable.
    blank_and_too_wide = any(len(row) > 3 for row in rows)
    if expected is None and blank_and_too_wide:
        assert raised is not None and "cannot be parsed as CSV" in raised
    elif expected is None:
        assert raised is None or "no data rows" in raised
    else:
        assert raised is not None and "fields but the header has 3" in raised


@pytest.mark.parametrize("as_of", [date(2026, 11, 10), date(2024, 2, 29)])
def test_age_band_counts_equal_labelled_rows(as_of):
    """Counting bands by lower bound gives the same breakdown as labelling every person."""
    births = [date(1930, 1, 1), date(1996, 11, 10), date(1996, 11, 11), None, date(2020, 2, 29), date(1800, 1, 1), None]
    ages = [None, None, None, 45, None, None, None]
    persons = pl.DataFrame({"birth_date": births, "age": ages}, schema={"birth_date": pl.Date, "age": pl.Int32})
    labelled = persons.select(sm.age_band_expr(as_of).alias("band")).get_column("band").to_list()
    expected: dict[str, int] = {}
    for band in sorted((b for b in labelled if b), key=lambda b: int(b.split("-")[0].rstrip("+"))):
        expected[band] = expected.get(band, 0) + 1
    expected["unknown"] = labelled.count(None)
    assert sm.by_age_band(persons, as_of) == expected


_POSTAL = st.text(alphabet="0123456789-〒 ０１２－", max_size=10)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _POSTAL, st.from_regex(r"\A[0-9]{3}-[0-9]{4}\Z"), _ANY_TEXT), max_size=40))
def test_postal_code_fast_path_equals_exact(values):
    """The postal code with its 123-4567 fast path equals the digit-cleaning regexes."""
    frame = _series(values).to_frame()
    fast = frame.select(nz.postal_code(pl.col("v"))).to_series().to_list()
    exact = frame.select(nz._postal_code_exact(pl.col("v"))).to_series().to_list()
    assert fast == exact


_DATE = st.text(alphabet="0123456789/-.年月日昭和平成SH元 ０１９／ｓ", max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _DATE, st.from_regex(r"\A[0-9]{4}/[0-9]{2}/[0-9]{2}\Z"), _ANY_TEXT), max_size=40))
def test_birth_date_fast_path_equals_exact(values):
    """The birth date with its 1980/03/01 strptime fast path equals the three-form regex parse of the NFKC form."""
    frame = _series(values).to_frame()
    # Compared as ISO text: polars parses year 0000, which Python's date cannot hold.
    fast = frame.select(nz.birth_date(pl.col("v")).cast(pl.String)).to_series().to_list()
    exact_date = nz._birth_date_exact(pl.col("v").str.normalize("NFKC"))
    plausible = pl.when(exact_date >= pl.lit(nz.EARLIEST_BIRTH_DATE)).then(exact_date)
    exact = frame.select(plausible.cast(pl.String)).to_series().to_list()
    assert fast == exact


_PREFIXED = st.builds(
    lambda pad, p, rest: pad + p + rest,
    st.sampled_from(["", " ", "\u3000 \t", "\u00a0", "\n"]),
    st.sampled_from(nz.PREFECTURES + ("", " ", "京都", "\u3000")),
    _ANY_TEXT,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _PREFIXED, _ANY_TEXT), max_size=40))
def test_prefecture_after_leading_space_equals_stripped_value(values):
    """Matching prefectures after optional leading whitespace equals matching the stripped value."""
    frame = _series(values).to_frame()
    got = frame.select(nz.prefecture(pl.col("v"))).to_series().to_list()
    whole = frame.select(pl.col("v").str.strip_chars().str.extract(nz._PREFECTURE_RE, 1)).to_series().to_list()
    assert got == whole


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64), st.integers(min_value=0, max_value=70_000))
def test_utf8_head_probe_agrees_with_full_decode(tail, filler):
    """Whenever the 64 KiB probe reports a UTF-8 failure, decoding the whole file fails at that byte."""
    data = b"a" * filler + "山田".encode("cp932") + tail
    found = readers._utf8_failure_in_head(data)
    try:
        data.decode("utf-8")
        full = None
    except UnicodeDecodeError as exc:
        full = exc.start
    assert found is None or found == full
    if filler < (1 << 16) - 8:
        assert found == full  # the failure lies inside the probe


_EMAIL = st.text(alphabet="aB3._+-@\"()[] \t\u3000\u00a0xyz.com", max_size=24)
_EMAIL_LIKE = st.builds(
    lambda pad, local, pad2, domain, pad3: f"{pad}{local}{pad2}@{domain}{pad3}",
    st.sampled_from(["", " ", "\u3000", "\t"]),
    st.text(alphabet="ab.+ \"", min_size=1, max_size=8),
    st.sampled_from(["", " "]),
    st.sampled_from(["example.com", "ex ample.jp", "a.co.jp", "b"]),
    st.sampled_from(["", " ", "\u3000"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _EMAIL, _EMAIL_LIKE), max_size=30))
def test_email_display_equals_text_for_valid_addresses(values):
    """For every address email_valid accepts, the one-strip display form equals text()."""
    frame = _series(values).to_frame().with_columns(nz.email_normal(pl.col("v")).alias("cmp"))
    frame = nz.email_valid(frame, "cmp", "ok").filter(pl.col("ok"))
    shown = frame.select(nz.email_display(pl.col("v"))).to_series().to_list()
    assert shown == frame.select(nz.text(pl.col("v"))).to_series().to_list()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["男", "女性", " F ", "会社員", "ｶｲｼｬｲﾝ", ""]), _ANY_TEXT), max_size=40))
def test_per_distinct_value_lookup_equals_per_row(values):
    """Computing a column once per distinct value and looking it up equals computing it on every row."""
    frame = _series(values).to_frame().with_columns(w=pl.col("v").reverse())
    fns = (
        lambda e: nz.gender(nz.nfkc(e)),
        lambda e: nz.text(nz.nfkc(e)),
        lambda e: nz.text(e).fill_null("unknown"),  # a value for null cells too
        lambda e: e.str.len_chars(),  # another type
    )
    for fn in fns:
        looked_up = service._via_unique(frame, {"v": ("out", fn)}).get_column("out").to_list()
        assert looked_up == frame.select(fn(pl.col("v"))).to_series().to_list()
    # Two columns at once, each with its own function.
    both = service._via_unique(frame, {"v": ("a", fns[0]), "w": ("b", fns[2])})
    assert both.get_column("a").to_list() == frame.select(fns[0](pl.col("v"))).to_series().to_list()
    assert both.get_column("b").to_list() == frame.select(fns[2](pl.col("w"))).to_series().to_list()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.sampled_from([date(1930, 1, 1), date(1996, 11, 10), date(2020, 2, 29)]), st.dates()),
            st.one_of(st.none(), st.integers(min_value=-5, max_value=140)),
        ),
        max_size=40,
    )
)
def test_age_band_counts_by_distinct_pairs_equal_labelled_rows(people):
    """Counting age bands per distinct (birth date, age) pair equals labelling every person."""
    as_of = date(2026, 11, 10)
    persons = pl.DataFrame(
        {"birth_date": [b for b, _ in people], "age": [a for _, a in people]},
        schema={"birth_date": pl.Date, "age": pl.Int32},
    )
    labelled = persons.select(sm.age_band_expr(as_of).alias("band")).get_column("band").to_list()
    expected: dict[str, int] = {}
    for band in sorted((b for b in labelled if b), key=lambda b: int(b.split("-")[0].rstrip("+"))):
        expected[band] = expected.get(band, 0) + 1
    if labelled.count(None):
        expected["unknown"] = labelled.count(None)
    assert sm.by_age_band(persons, as_of) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _ANY_TEXT, st.sampled_from(["山田 太郎", " ", "", "山田\u3000太郎", "a \t b"])), max_size=40))
def test_name_key_fast_path_equals_exact(values):
    """The name key with its literal-space fast path equals the Unicode-whitespace regex."""
    frame = _series(values).to_frame()
    fast = frame.select(nz.name_key(pl.col("v"))).to_series().to_list()
    exact = frame.select(nz._name_key_exact(pl.col("v"))).to_series().to_list()
    assert fast == exact


@pytest.mark.parametrize("extra", [b"", b"\x80", b"\xa0"])
def test_cp932_file_reads_the_same_through_either_decoder(tmp_path, extra):
    """A CP932 list, including bytes only Python's cp932 codec maps (0x80, 0xA0), reads to the table polars makes of its text."""
    rows = [["お名前", "住所", "電話"], ["髙﨑 ①", "東京都港区1丁目", "０９０-1234-5678"], ["ｶﾞｯｺｳ", "大阪府,北区", "06-1234-5678"]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    data = buffer.getvalue().encode("cp932") + b"x" + extra + b",y,z\r\n"
    path = tmp_path / "list.csv"
    path.write_bytes(data)
    table = read_dataset(path=path).tables[0]
    expected = pl.read_csv(data.decode("cp932").encode("utf-8"), infer_schema=False)
    assert table.headers == expected.columns
    assert table.frame.drop(readers.ROW_COLUMN).rows() == expected.rows()


_JP_PHONE = st.from_regex(r"\A(?:0[1-9][0-9]{7,10}|\+81[1-9][0-9]{7,10}|0[5-9]0-[0-9]{4}-[0-9]{4}|0[1-9]-[0-9]{4}-[0-9]{4})\Z")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _JP_PHONE, _PHONE, _ANY_TEXT), max_size=40))
def test_phone_e164_equals_phonenumbers_per_value(values):
    """The pattern-based E.164 column equals asking phonenumbers about each cleaned value."""
    frame = pl.DataFrame({"v": _series(values)})
    got = nz.phone_e164(frame, "v", "e").get_column("e").to_list()
    cleaned = frame.select(nz._phone_clean_exact(pl.col("v").str.normalize("NFKC"))).to_series().to_list()
    assert got == [nz._phone_slow(c) if c else None for c in cleaned]


def _same_error_both_ways(path, monkeypatch) -> str:
    """The error reading ``path`` gives decoded in one piece, which must equal the one decoded on two cores."""
    with pytest.raises(DatasetError) as serial:
        read_dataset(path=path)
    monkeypatch.setattr(readers, "PARALLEL_DECODE_FROM", 1)
    with pytest.raises(DatasetError) as parallel:
        read_dataset(path=path)
    assert str(parallel.value) == str(serial.value)
    return str(parallel.value)


def _cp932_lines(n: int) -> bytes:
    """A CP932 list with extended characters and codec-only bytes (0x80, 0xA0) on every line."""
    rows = b"".join(
        f"髙﨑 ①{i},東京都港区{i}丁目㈱,０９０-1234-{i % 10000:04d},x".encode("cp932") + b"\x80\xa0\r\n" for i in range(n)
    )
    return "お名前,住所,電話,備考\r\n".encode("cp932") + rows


def test_cp932_transcoded_on_two_cores_equals_one_decode():
    """The child process's half joined to this process's half is exactly the whole file's UTF-8."""
    data = _cp932_lines(5000)
    transcoded = readers.transcode_cp932(data)
    parts = transcoded.parts
    assert len(parts) == 2 and all(part.endswith(b"\r\n") for part in parts)
    assert b"".join(parts) == data.decode("cp932").encode("utf-8")
    assert transcoded.commas == data.count(b",")  # 0x2C is never part of a CP932 character


def test_cp932_transcoding_leaves_no_file_descriptor_open():
    """The in-memory files that carry the halves are closed, on success and on a decoding failure."""
    before = sorted(os.listdir("/proc/self/fd"))
    assert readers.transcode_cp932(_cp932_lines(2000)) is not None
    assert readers.transcode_cp932(_cp932_lines(2000).replace(b"\r\n", b"\x81\n")) is None
    assert sorted(os.listdir("/proc/self/fd")) == before


@pytest.mark.parametrize("where", ["first half", "second half", "at the cut"])
def test_cp932_transcoding_that_fails_falls_back_to_the_exact_error(tmp_path, monkeypatch, where):
    """A bad byte in either half (or a lead byte cut from its trail byte) gives the one-piece decoder's error."""
    data = bytearray(_cp932_lines(5000))
    cut = data.find(b"\n", len(data) // 2)
    bad = {"first half": len(data) // 4, "second half": len(data) * 3 // 4, "at the cut": cut - 1}[where]
    bad = data.find(b"\r", bad)  # replace a CR: never inside a two-byte character
    data[bad] = 0x81  # a lead byte followed by "\n" (not a trail byte)
    assert readers.transcode_cp932(bytes(data)) is None
    path = tmp_path / "bad.csv"
    path.write_bytes(bytes(data))
    assert f"byte {bad}" in _same_error_both_ways(path, monkeypatch)


def _with_lines_at_the_cut(data: bytes, lines: bytes) -> bytes:
    """``data`` with ``lines`` inserted right after the line end where transcoding cuts it."""
    cut = data.find(b"\n", len(data) // 2) + 1
    return data[:cut] + lines + data[cut:]


@pytest.mark.parametrize(
    "at_the_cut",
    [
        b"",
        b"\r\n\r\n,,,\r\n",  # blank lines where the parts meet
        '"髙﨑\r\n①",東京都,"090,1",x\r\n'.encode("cp932"),  # a quoted cell spanning a line end
        '"a ""quoted"" name",大阪府,06,y\r\n'.encode("cp932"),
    ],
    ids=["plain", "blank lines", "multi-line cell", "quotes"],
)
def test_large_cp932_file_reads_the_same_on_two_cores(tmp_path, monkeypatch, at_the_cut):
    """read_dataset gives the same table (values and row numbers) whether the file is transcoded in one piece or two."""
    path = tmp_path / "list.csv"
    path.write_bytes(_with_lines_at_the_cut(_cp932_lines(3000), at_the_cut))
    monkeypatch.setattr(readers, "PARALLEL_DECODE_FROM", 1 << 62)
    serial = read_dataset(path=path)
    calls = []
    original = readers.transcode_cp932
    monkeypatch.setattr(readers, "transcode_cp932", lambda data: calls.append(len(data)) or original(data))
    monkeypatch.setattr(readers, "PARALLEL_DECODE_FROM", 1)
    parallel = read_dataset(path=path)
    assert calls == [path.stat().st_size]
    assert parallel.encoding == serial.encoding == "cp932"
    assert parallel.tables[0].frame.equals(serial.tables[0].frame)


@pytest.mark.parametrize("short_row", [None, "first part", "second part"])
def test_large_cp932_file_with_a_title_line_checks_rows_with_the_transcoders_comma_count(tmp_path, monkeypatch, short_row):
    """The commas counted while transcoding, less the title line's, prove full rows, and a short row is still named."""
    # Excel pads a title line with commas to the width of the list.
    data = bytearray("顧客一覧（営業部）,,,\r\n,,,\r\n".encode("cp932") + _cp932_lines(3000))
    if short_row is not None:
        at = data.find(b"\n", len(data) // 4 if short_row == "first part" else len(data) * 3 // 4) + 1
        data[at:at] = "髙﨑,東京都\r\n".encode("cp932")  # two fields of four
    path = tmp_path / "list.csv"
    path.write_bytes(bytes(data))
    calls = []
    original = readers.transcode_cp932
    monkeypatch.setattr(readers, "transcode_cp932", lambda data: calls.append(len(data)) or original(data))
    monkeypatch.setattr(readers, "PARALLEL_DECODE_FROM", 1)
    if short_row is None:
        # The count alone must prove it: the line-by-line check is not reached.
        monkeypatch.setattr(readers, "_maybe_ragged", lambda body, width: pytest.fail("rows not proven full"))
        parallel = read_dataset(path=path)
        monkeypatch.setattr(readers, "PARALLEL_DECODE_FROM", 1 << 62)
        assert parallel.tables[0].frame.equals(read_dataset(path=path).tables[0].frame)
    else:
        line = bytes(data[:at]).count(b"\n") + 1
        with pytest.raises(DatasetError, match=f"line {line}"):
            read_dataset(path=path)
    assert calls == [len(data)]


@given(st.text(alphabet="a\n\r,", max_size=80), st.integers(min_value=0, max_value=40))
def test_more_lines_than_equals_counting_line_ends(text, lines):
    """The bounded search for line ends says what counting all of them says."""
    data = text.encode()
    assert readers._more_lines_than(data, lines) == (data.count(b"\n") > lines)


def test_utf8_file_is_parsed_from_its_own_bytes(tmp_path):
    """A UTF-8 file (with or without BOM) is not re-encoded: its values equal the CP932 file's."""
    text = "お名前,住所\r\n髙﨑 ①,東京都港区\r\n"
    tables = []
    for name, data in (("a.csv", text.encode("utf-8")), ("b.csv", b"\xef\xbb\xbf" + text.encode("utf-8")), ("c.csv", text.encode("cp932"))):
        (tmp_path / name).write_bytes(data)
        tables.append(read_dataset(path=tmp_path / name).tables[0])
    assert tables[0].frame.equals(tables[1].frame) and tables[1].frame.equals(tables[2].frame)
    assert tables[0].headers == tables[2].headers == ["お名前", "住所"]


def test_short_row_in_the_second_part_is_named_as_in_one_piece(tmp_path, monkeypatch):
    """A row with a missing field after the cut gets the same error (its line number) both ways."""
    path = tmp_path / "short.csv"
    path.write_bytes(_cp932_lines(3000) + "佐藤 花子,東京都\r\n".encode("cp932") + _cp932_lines(10).split(b"\n", 1)[1])
    assert "line 3002 has 2 fields but the header has 4" in _same_error_both_ways(path, monkeypatch)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _DATE, st.sampled_from(["1980/03/01", "昭和55年3月1日", "S55.3.1", "x"])), max_size=60))
def test_per_distinct_value_equals_per_row(values):
    """Computing once per distinct value and looking it up gives every row what computing it per row gives."""
    series = _series(values)
    per_row = nz._birth_date_distinct(series)
    assert nz._per_distinct(series, nz._birth_date_distinct).to_list() == per_row.to_list()
    heads = series.str.slice(0, 4)
    assert nz._per_distinct(heads, lambda v: v.str.extract(nz._PREFECTURE_RE, 1)).to_list() == heads.str.extract(nz._PREFECTURE_RE, 1).to_list()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), _EMAIL, _EMAIL_LIKE, _ANY_TEXT, st.just("")), max_size=40))
def test_email_normal_fast_path_equals_exact(values):
    """The comparison form of an e-mail with its already-normal fast path equals strip + lower-case for every value."""
    frame = _series(values).to_frame()
    fast = frame.select(nz.email_normal(pl.col("v"))).to_series().to_list()
    exact = frame.select(nz._email_normal_exact(pl.col("v"))).to_series().to_list()
    assert fast == exact
