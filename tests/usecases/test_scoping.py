"""Scoping a case: the merges to review are stored sealed in the case, only their counts leave it."""

from __future__ import annotations

from breachflow.scoping.case_scope import SCOPE_FILE, stored_scope
from breachflow.scoping.review import NEAR_MERGES_FILE, WEAK_MERGES_FILE
from breachflow.security.crypto import MAGIC


def test_review_lists_are_sealed_in_the_case_and_counted_in_the_summary(wiring, scoped):
    """The example's five re-entries joined on birth date + address are listed in scope/weak_merges.csv (sealed); scope.json has the counts."""
    case = wiring.case(scoped)
    summary = stored_scope(case)
    assert summary is not None and (summary.persons, summary.weak_merges, summary.near_merges) == (300, 5, 0)
    for name in (WEAK_MERGES_FILE, NEAR_MERGES_FILE):
        assert case.path(name).read_bytes().startswith(MAGIC), name
    weak = case.read_bytes(WEAK_MERGES_FILE).decode("utf-8-sig").splitlines()
    assert weak[0] == "person_id,行番号,生年月日と住所だけで結んだ行のまとまり,人物内で一致した項目"
    assert weak[1:] == [
        "P000039,40 128,40 / 128,生年月日・住所", "P000049,50 121,50 / 121,生年月日・住所",
        "P000055,56 113,56 / 113,生年月日・住所", "P000177,185 248,185 / 248,生年月日・住所",
        "P000218,227 282,227 / 282,生年月日・住所",
    ]  # fmt: skip
    assert case.read_bytes(NEAR_MERGES_FILE).decode("utf-8-sig").splitlines() == ["person_ids,一致した項目,行番号"]
    plain = case.path(SCOPE_FILE).read_text(encoding="utf-8")
    assert '"weak_merges": 5' in plain and '"near_merges": 0' in plain
    entry = [e for e in case.timeline.entries() if e.kind == "scope.done"][-1]
    assert entry.data["weak_merges"] == 5 and "生年月日と住所のみで統合した5名" in entry.message
    kinds = {f.name: f.kind for f in case.files()}
    assert "名寄せ確認" in kinds[WEAK_MERGES_FILE] and "名寄せ確認" in kinds[NEAR_MERGES_FILE]
