"""Vectorised normalisation of list values (polars expressions over NFKC text; no per-row Python).

A million rows must be normalised in about a second, so the common Japanese forms are
settled by polars expressions. The per-value libraries (``phonenumbers``,
``email-validator``) are called only for the unique values that the fast path cannot
settle, and the fast path itself is built from ``phonenumbers``' own metadata.
"""

from __future__ import annotations

from datetime import date
from collections.abc import Callable
from functools import lru_cache

import polars as pl

from breachflow.japan import ERAS, PREFECTURES

_PREFECTURE_RE = "^(" + "|".join(PREFECTURES) + ")"
_PREFECTURE_AFTER_SPACE_RE = r"^\s*(" + "|".join(PREFECTURES) + ")"
# Dash look-alikes that survive NFKC; addresses use them for '-'. The katakana long
# mark (ー) is left alone: it also spells building names (コーポ).
_DASHES = "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d\u2500\u2501]"
# Era name or letter -> the year offset (昭和60 is 1985 = 60 + 1925).
_ERA_OFFSETS = {**{era.name: era.offset for era in ERAS}, **{era.letter: era.offset for era in ERAS}}


def non_empty(expr: pl.Expr) -> pl.Expr:
    """Empty strings as null (a when/then would evaluate ``expr`` twice)."""
    return expr.replace("", None)


# Characters that NFKC leaves alone wherever they stand: ASCII, the common Japanese
# punctuation, hiragana, katakana and the CJK unified ideographs. Each is its own NFKC
# form, has combining class 0 and never composes with a character before it
# (tests/scoping check all three against unicodedata), so a value made only of them is
# already NFKC. Anything else (full-width forms, half-width kana, ①, ㈱, 﨑, U+3000,
# combining marks, other scripts) goes through the real normalisation.
NFKC_STABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00, 0x7F), (0x3001, 0x3007), (0x3041, 0x3096), (0x30A1, 0x30FA), (0x30FC, 0x30FC), (0x4E00, 0x9FFC),
)  # fmt: skip
_NFKC_UNSURE = "[^" + "".join(rf"\x{{{lo:X}}}-\x{{{hi:X}}}" for lo, hi in NFKC_STABLE_RANGES) + "]"


def nfkc(expr: pl.Expr) -> pl.Expr:
    """Unicode NFKC (full-width digits and letters to ASCII, ㈱ to (株)); every function below expects it."""
    return expr.map_batches(nfkc_series, return_dtype=pl.String, is_elementwise=True)


def nfkc_series(values: pl.Series) -> pl.Series:
    """NFKC of each value, computed only for values that hold a character NFKC might change.

    polars' NFKC costs ~0.5 µs a value even when nothing changes; the check is a
    single regex scan, and in a customer list most values pass it unchanged. NFKC changes
    no ASCII character, so in a mostly ASCII column (phones, e-mails, postal codes) only
    the values with other characters are scanned: telling them apart (bytes vs characters)
    costs a quarter of the scan.
    """
    if _mostly_ascii(values.head(_SAMPLE)):
        non_ascii = _non_ascii(values).fill_null(False)
        if not non_ascii.any():
            return values
        at = non_ascii.arg_true()
        unsure = pl.Series(values.name, [False], dtype=pl.Boolean).new_from_index(0, len(values))
        unsure = unsure.scatter(at, values.gather(at).str.contains(_NFKC_UNSURE))
    else:  # names, addresses: the check would only add to the scan
        unsure = values.str.contains(_NFKC_UNSURE)
    return _settle(values, values, unsure, lambda v: v.str.normalize("NFKC"))


_SAMPLE = 1024


def _non_ascii(values: pl.Series) -> pl.Series:
    return values.str.len_bytes() != values.str.len_chars()


def _mostly_ascii(sample: pl.Series) -> bool:
    return 2 * int(_non_ascii(sample).sum()) < sample.len() - sample.null_count()


def _settle(
    values: pl.Series, fast: pl.Series, unsure: pl.Series, slow: Callable[[pl.Series], pl.Series]
) -> pl.Series:
    """``fast`` where ``unsure`` is false or null, ``slow(values)`` computed only where it is true."""
    unsure = unsure.fill_null(False)
    if not unsure.any():
        return fast
    at = unsure.arg_true()
    return fast.clone().scatter(at, slow(values.gather(at)))


def _per_distinct(values: pl.Series, fn: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """``fn`` computed once per distinct non-null value and looked up for each row (null stays null)."""
    distinct = values.drop_nulls().unique()
    mapped = fn(distinct)
    return values.replace_strict(distinct, mapped, default=None, return_dtype=mapped.dtype)


def _where(mask: pl.Series, values: pl.Series) -> pl.Series:
    """``values`` where ``mask`` is true, null elsewhere."""
    return pl.select(pl.when(pl.lit(mask)).then(pl.lit(values))).to_series().alias(values.name)


def _series_expr(values: pl.Series, fn: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """Apply an expression-building function to a series."""
    return values.to_frame("v").select(fn(pl.col("v"))).to_series().alias(values.name)


def text(expr: pl.Expr) -> pl.Expr:
    """Trimmed, with runs of whitespace collapsed to one space; empty becomes null."""
    cleaned = expr.str.replace_all(r"\s+", " ").str.strip_chars()
    return non_empty(cleaned)


def name_key(expr: pl.Expr) -> pl.Expr:
    """A name for comparison: its NFKC form with all whitespace removed (山田　太郎 == 山田 太郎 == 山田太郎)."""
    return expr.map_batches(_name_key_series, return_dtype=pl.String, is_elementwise=True)


# What makes a name's key more than the name without its spaces: a character NFKC might
# change (which covers every whitespace but ASCII's), ASCII whitespace other than " ", and
# nothing but spaces.
_NAME_UNSURE = _NFKC_UNSURE + r"|[\t\n\x0b\x0c\r]|^[ ]*$"


def _name_key_series(values: pl.Series) -> pl.Series:
    # One scan finds the names that need NFKC or more than a literal replace of " ",
    # which costs a third of the Unicode-whitespace regex.
    fast = values.str.replace_all(" ", "", literal=True)
    unsure = values.str.contains(_NAME_UNSURE)
    return _settle(values, fast, unsure, lambda v: _series_expr(v, _name_key_exact))


def _name_key_exact(expr: pl.Expr) -> pl.Expr:
    """What ``name_key`` computes, for every spelling."""
    return non_empty(expr.str.normalize("NFKC").str.replace_all(r"\s+", ""))


def digits(expr: pl.Expr) -> pl.Expr:
    """Only the ASCII digits."""
    return expr.str.replace_all(r"[^0-9]+", "")


# --- phone numbers ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def _jp_valid_national_pattern() -> tuple[str, str]:
    """Regexes over a JP national number (no trunk 0) that phonenumbers calls valid.

    ``is_valid_number`` accepts a number whose national significant number matches the
    region's general pattern and one of its number-type patterns; the same patterns run
    here inside polars' regex engine.
    """
    from phonenumbers import PhoneMetadata

    metadata = PhoneMetadata.metadata_for_region("JP")
    kinds = (
        "premium_rate", "toll_free", "mobile", "fixed_line", "shared_cost",
        "voip", "personal_number", "pager", "uan", "voicemail",
    )  # fmt: skip
    patterns = [
        f"(?:{desc.national_number_pattern})"
        for kind in kinds
        if (desc := getattr(metadata, kind)) is not None and desc.national_number_pattern
    ]
    general = metadata.general_desc.national_number_pattern
    return f"^(?:{general})$", "^(?:" + "|".join(patterns) + ")$"


def _phone_clean(expr: pl.Expr) -> pl.Expr:
    """The number (NFKC: full-width digits too) with 「内線…」/ext. suffixes removed and only digits and '+' kept."""
    return expr.map_batches(_phone_clean_series, return_dtype=pl.String, is_elementwise=True)


def _phone_clean_exact(expr: pl.Expr) -> pl.Expr:
    """What ``_phone_clean`` computes, for every form of NFKC text (Unicode ``\\d`` is a slow regex class)."""
    base = expr.str.replace(r"(?i)\s*(内線|ext\.?|extension|x)\s*\d.*$", "")
    return base.str.replace_all(r"[^\d+]", "")


def _phone_clean_series(values: pl.Series) -> pl.Series:
    # ASCII digits and hyphens only (090-1234-5678, or +81-90-…): no suffix to cut, only
    # hyphens to drop. What is left then parses as an integer (a leading "+" included, which
    # _phone_clean_exact keeps too); a parse is cheaper than the regex ^[0-9-]*$. Anything
    # else, or more digits than an integer holds, takes the exact path. The fast values
    # are ASCII, their own NFKC form: only the others are normalised.
    fast = values.str.replace_all("-", "", literal=True)
    unsure = fast.str.to_integer(base=10, strict=False).is_null()
    return _settle(values, fast, unsure, lambda v: _series_expr(nfkc_series(v), _phone_clean_exact))


_PHONE_FAST = pl.Struct({"e164": pl.String, "pending": pl.String})


def phone_e164(frame: pl.DataFrame, column: str, out: str) -> pl.DataFrame:
    """Add ``out``: the E.164 form of a valid phone number in ``column``, else null."""
    frame = frame.with_columns(phone_fast(pl.col(column)).alias(f"{out}__fast"))
    return phone_settle(frame, f"{out}__fast", out)


def phone_fast(expr: pl.Expr) -> pl.Expr:
    """Struct ``{e164, pending}``: the number in E.164 where JP patterns settle it, else the cleaned form still to ask about.

    An expression (not a frame step) so that it runs beside the other normalisers in one
    ``with_columns``; ``phone_settle`` finishes the few pending values.
    """
    return expr.map_batches(_phone_fast_series, return_dtype=_PHONE_FAST, is_elementwise=True)


def _phone_fast_series(values: pl.Series) -> pl.Series:
    general, typed = _jp_valid_national_pattern()
    clean = _phone_clean_series(values)
    # The national number: after the trunk 0, or after +81 (a match test and a slice cost
    # half of a capturing extract). ASCII digits only: other digits are left to
    # phonenumbers, which folds them.
    national = _where(clean.str.contains(r"^0[1-9][0-9]{7,10}$"), clean.str.slice(1))
    if clean.str.starts_with("+").any():
        national = national.fill_null(_where(clean.str.contains(r"^\+81[1-9][0-9]{7,10}$"), clean.str.slice(3)))
    valid = national.str.contains(general) & national.str.contains(typed)
    return pl.select(
        pl.struct(
            e164=pl.when(valid).then(pl.lit("+81") + national),
            # Forms the fast path does not know (foreign numbers, 00-prefixed, digits
            # lost by Excel) are left to phonenumbers.
            pending=pl.when(national.is_null() & clean.str.len_bytes().gt(0)).then(clean),
        )
    ).to_series().alias(values.name)


def phone_settle(frame: pl.DataFrame, fast: str, out: str) -> pl.DataFrame:
    """Replace struct column ``fast`` (from ``phone_fast``) by ``out``, asking phonenumbers once per pending value."""
    pending = f"{out}__pending"
    frame = frame.with_columns(
        pl.col(fast).struct.field("e164").alias(out), pl.col(fast).struct.field("pending").alias(pending)
    ).drop(fast)
    unsettled = frame.get_column(pending).drop_nulls().unique()
    if len(unsettled):
        mapping = pl.DataFrame(
            {pending: unsettled, f"{out}__slow": [_phone_slow(v) for v in unsettled.to_list()]},
            schema={pending: pl.String, f"{out}__slow": pl.String},
        )
        frame = frame.join(mapping, on=pending, how="left", maintain_order="left").with_columns(
            pl.coalesce(out, f"{out}__slow").alias(out)
        )
        frame = frame.drop(f"{out}__slow")
    return frame.drop(pending)


def _phone_slow(value: str) -> str | None:
    import phonenumbers

    try:
        parsed = phonenumbers.parse(value, "JP")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# --- email -----------------------------------------------------------------------------

# A conservative dot-atom@domain form that email-validator (syntax only) always accepts.
_EMAIL_FAST = (
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,64}(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}$"
)
_SPECIAL_USE_TLD = r"\.(?:arpa|invalid|local|localhost|onion|test)$"


def email_normal(expr: pl.Expr) -> pl.Expr:
    """Lower-cased e-mail for comparison (null when empty)."""
    return expr.map_batches(_email_normal_series, return_dtype=pl.String, is_elementwise=True)


def _email_normal_series(values: pl.Series) -> pl.Series:
    # Most addresses are already lower-case ASCII with nothing to strip: kept as they are.
    unsure = values.str.contains(r"[^a-z0-9.@_+\-]") | (values.str.len_bytes() == 0)
    return _settle(values, values, unsure, lambda v: _series_expr(v, _email_normal_exact))


def _email_normal_exact(expr: pl.Expr) -> pl.Expr:
    """What ``email_normal`` computes, for every value."""
    return non_empty(expr.str.strip_chars().str.to_lowercase())


def email_valid(frame: pl.DataFrame, column: str, out: str) -> pl.DataFrame:
    """Add boolean ``out``: ``column`` (already normalised) is a syntactically valid e-mail."""
    value = pl.col(column)
    # The two regexes as two columns of one select, which polars runs side by side (in one
    # expression they would run one after the other).
    shape, special = frame.select(value.str.contains(_EMAIL_FAST), value.str.contains(_SPECIAL_USE_TLD).alias("special"))
    fast = shape & ~special & (frame.get_column(column).str.len_bytes() <= 254)
    frame = frame.with_columns(fast.fill_null(False).alias(out))
    unsettled = frame.filter(~pl.col(out) & value.is_not_null()).get_column(column).unique()
    if len(unsettled):
        slow = {v for v in unsettled.to_list() if _email_slow(v)}
        if slow:
            frame = frame.with_columns((pl.col(out) | value.is_in(list(slow))).alias(out))
    return frame


def email_display(expr: pl.Expr) -> pl.Expr:
    """The shown form of an e-mail that ``email_valid`` accepted: ``text`` of it, by one strip.

    A valid address holds no whitespace once its ends are stripped (neither the fast
    regex nor email-validator, which refuses quoted local parts, lets one through), so
    ``text``'s whitespace-collapsing regex would change nothing.
    """
    return expr.str.strip_chars()


def _email_slow(value: str) -> bool:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


# --- addresses, postal codes, dates, categories ----------------------------------------


def postal_code(expr: pl.Expr) -> pl.Expr:
    """Seven digits, or null; six digits get back the leading zero Excel dropped."""
    return expr.map_batches(_postal_code_series, return_dtype=pl.String, is_elementwise=True)


def _postal_code_series(values: pl.Series) -> pl.Series:
    # The usual 123-4567 only loses its hyphen; the digit-cleaning regexes run on the rest.
    unsure = ~values.str.contains(r"^[0-9]{3}-[0-9]{4}$")
    fast = values.str.replace("-", "", literal=True)
    return _settle(values, fast, unsure, lambda v: _series_expr(v, _postal_code_exact))


def _postal_code_exact(expr: pl.Expr) -> pl.Expr:
    """What ``postal_code`` computes, for every form."""
    return digits(expr).str.extract(r"^([0-9]{6,7})$", 1).str.zfill(7)


def address_key(expr: pl.Expr) -> pl.Expr:
    """An address (NFKC) for comparison: no spaces, 1丁目2番地3号 and dash variants as 1-2-3."""
    return expr.map_batches(_address_key_series, return_dtype=pl.String, is_elementwise=True)


def _address_key_series(values: pl.Series) -> pl.Series:
    # Removing ASCII spaces is all the exact key does to an address that, without them,
    # has no other whitespace, no dash look-alike, no 丁目/番/号, no "--" and no
    # trailing "-": the usual "東京都千代田区本町1-2-3 コーポ101".
    fast = values.str.replace_all(" ", "", literal=True)
    unsure = fast.str.contains(rf"\s|{_DASHES}|丁目|番|号|--|-$") | (fast.str.len_bytes() == 0)
    return _settle(values, fast, unsure, lambda v: _series_expr(v, _address_key_exact))


_ADDRESS_FORMS = pl.Struct({"nfkc": pl.String, "key": pl.String})
# What makes an address's NFKC form or key more than itself without spaces: a character
# NFKC might change (which covers every whitespace but ASCII's and every dash look-alike),
# ASCII whitespace other than " ", 丁目/番/号, a "-" followed (spaces aside) by another
# "-" or by the end, and nothing but spaces.
_ADDRESS_UNSURE = _NFKC_UNSURE + r"|[\t\n\x0b\x0c\r]|丁目|番|号|-[ ]*-|-[ ]*$|^[ ]*$"


def address_forms(expr: pl.Expr) -> pl.Expr:
    """Struct ``{nfkc, key}``: the address's NFKC form and ``address_key`` of it, from one regex scan.

    Most addresses are their own NFKC form and their key is themselves without spaces;
    one scan finds the others, which take the full computations. Separately, the NFKC
    check and the key's check each scan every address.
    """
    return expr.map_batches(_address_forms_series, return_dtype=_ADDRESS_FORMS, is_elementwise=True)


def _address_forms_series(values: pl.Series) -> pl.Series:
    unsure = values.str.contains(_ADDRESS_UNSURE)
    nfkc = _settle(values, values, unsure, lambda v: v.str.normalize("NFKC"))
    key = _settle(nfkc, values.str.replace_all(" ", "", literal=True), unsure, lambda v: _series_expr(v, _address_key_exact))
    return pl.select(pl.struct(nfkc=pl.lit(nfkc), key=pl.lit(key))).to_series().alias(values.name)


def _address_key_exact(expr: pl.Expr) -> pl.Expr:
    """What ``address_key`` computes, for every spelling."""
    base = expr.str.replace_all(r"\s+", "").str.replace_all(_DASHES, "-")
    base = base.str.replace_all(r"([0-9])(?:丁目|番地|番)", "$1-").str.replace_all(r"([0-9])号", "$1")
    base = base.str.replace_all(r"-+", "-").str.strip_chars_end("-")
    return non_empty(base)


def prefecture(expr: pl.Expr) -> pl.Expr:
    """The prefecture an address (or a prefecture cell) starts with, or null."""
    return expr.map_batches(_prefecture_series, return_dtype=pl.String, is_elementwise=True)


def _prefecture_series(values: pl.Series) -> pl.Series:
    # A prefecture is at most four characters: unless the value starts with whitespace,
    # its first four decide. Those heads repeat (a few thousand distinct in a million
    # addresses), so the regex runs once per distinct head.
    head = values.str.slice(0, 4)
    fast = _per_distinct(head, lambda v: v.str.extract(_PREFECTURE_RE, 1))
    unsure = head.str.contains(r"^\s")
    return _settle(values, fast, unsure, _prefecture_exact)


def _prefecture_exact(values: pl.Series) -> pl.Series:
    """What ``prefecture`` computes, for every value (leading whitespace skipped by the regex: no copy)."""
    return values.str.extract(_PREFECTURE_AFTER_SPACE_RE, 1)


EARLIEST_BIRTH_DATE = date(1880, 1, 1)


def birth_date(expr: pl.Expr) -> pl.Expr:
    """A date from 1980/3/1, 1980-03-01, 1980年3月1日, 19800301, 昭和55年3月1日 or S55.3.1 (after NFKC: full-width too).

    Dates before 1880 are nobody's birth date (and year 0000 cannot even become a Python
    date): they count as unknown.
    """
    # The cut-off is applied inside the callback: a when/then over the callback's result
    # would name it twice, and eager polars runs a repeated callback (and its NFKC) twice.
    return expr.map_batches(_birth_date_series, return_dtype=pl.Date, is_elementwise=True)


def _birth_date_series(values: pl.Series) -> pl.Series:
    # Birth dates repeat (a few tens of thousands of days span all ages): each distinct
    # spelling is normalised (NFKC) and parsed once.
    return _per_distinct(values, lambda distinct: _birth_date_distinct(nfkc_series(distinct)))


def _birth_date_distinct(values: pl.Series) -> pl.Series:
    # Excel's 1980/03/01 is one strptime; the three-form regex parse runs on the rest.
    unsure = ~values.str.contains(r"^[0-9]{4}/[0-9]{2}/[0-9]{2}$")
    fast = values.str.to_date("%Y/%m/%d", strict=False)
    parsed = _settle(values, fast, unsure, lambda v: _series_expr(v, _birth_date_exact))
    return parsed.set(parsed < EARLIEST_BIRTH_DATE, None)


def _birth_date_exact(expr: pl.Expr) -> pl.Expr:
    """What ``birth_date`` computes, for every form."""
    s = expr.str.replace_all(r"\s+", "")
    western = s.str.extract_groups(r"^(\d{4})[/.\-年](\d{1,2})[/.\-月](\d{1,2})日?(?:\s.*)?$")
    compact = s.str.extract_groups(r"^(\d{4})(\d{2})(\d{2})$")
    era_names = "|".join(_ERA_OFFSETS)
    era = s.str.to_uppercase().str.extract_groups(
        rf"^({era_names})(\d{{1,2}}|元)[年/.\-](\d{{1,2}})[月/.\-](\d{{1,2}})日?$"
    )
    era_year = era.struct.field("1").replace_strict(_ERA_OFFSETS, default=None, return_dtype=pl.Int32) + (
        era.struct.field("2").replace("元", "1").cast(pl.Int32, strict=False)
    )

    def build(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
        iso = pl.format(
            "{}-{}-{}",
            year.cast(pl.String).str.zfill(4),
            month.str.zfill(2),
            day.str.zfill(2),
        )
        return iso.str.to_date("%Y-%m-%d", strict=False)

    return pl.coalesce(
        build(western.struct.field("1"), western.struct.field("2"), western.struct.field("3")),
        build(compact.struct.field("1"), compact.struct.field("2"), compact.struct.field("3")),
        build(era_year, era.struct.field("3"), era.struct.field("4")),
    )


def gender(expr: pl.Expr) -> pl.Expr:
    """male / female / other from 男・女・男性・M・Female …; anything else is null."""
    s = expr.str.strip_chars().str.to_lowercase()
    return (
        pl.when(s.is_in(["男", "男性", "m", "male", "man", "おとこ", "♂"]))
        .then(pl.lit("male"))
        .when(s.is_in(["女", "女性", "f", "female", "woman", "おんな", "♀"]))
        .then(pl.lit("female"))
        .when(s.is_in(["その他", "other", "x", "non-binary", "ノンバイナリー"]))
        .then(pl.lit("other"))
    )


def age_years(born: pl.Expr, as_of: date) -> pl.Expr:
    """Whole years from ``born`` to ``as_of``."""
    before_birthday = (born.dt.month().cast(pl.Int32) * 100 + born.dt.day().cast(pl.Int32)) > (
        as_of.month * 100 + as_of.day
    )
    return pl.lit(as_of.year) - born.dt.year().cast(pl.Int32) - before_birthday.cast(pl.Int32)


def luhn_valid(expr: pl.Expr) -> pl.Expr:
    """True where the digits (spaces/dashes ignored) are a 13-19 digit Luhn-valid number."""
    d = digits(expr)
    rev = d.str.reverse()
    total = pl.lit(0, dtype=pl.Int32)
    for position in range(19):
        digit = rev.str.slice(position, 1).cast(pl.Int32, strict=False).fill_null(0)
        if position % 2:
            digit = pl.when(digit * 2 > 9).then(digit * 2 - 9).otherwise(digit * 2)
        total = total + digit
    length = d.str.len_bytes()
    return ((total % 10 == 0) & length.is_between(13, 19)).fill_null(False)

