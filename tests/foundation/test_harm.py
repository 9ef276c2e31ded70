"""Secondary harm follows from what leaked and what the officer confirmed; one text for every document."""

from __future__ import annotations

from breachflow.harm import NONE_CONFIRMED, secondary_harm
from breachflow.vocabulary import DataItem


def test_a_card_number_leak_says_what_may_happen_and_to_ask_for_a_new_card():
    """Full card numbers: the risk of misuse and the advice to have the card re-issued."""
    harm = secondary_harm(items=[DataItem.name, DataItem.card_number])
    assert "不正に利用されるおそれ" in harm.text_ja
    assert any("再発行" in line for line in harm.advice)


def test_names_and_addresses_only_warn_of_impersonation_in_the_businesss_own_words():
    """A clinic's notice warns of mail pretending to be 当院, not 当社."""
    harm = secondary_harm(items=[DataItem.name, DataItem.address], self_name="当院")
    assert harm.text_ja.startswith(NONE_CONFIRMED)
    assert "当院を装った" in harm.text_ja and "当社" not in harm.text_ja
    assert not any("カード" in line for line in harm.advice)


def test_confirmed_harm_from_report_item_5_replaces_the_none_so_far_sentence():
    """When the officer states a confirmed harm, every document says it instead of 'none confirmed'."""
    harm = secondary_harm(items=[DataItem.email], confirmed="不審なメールが3件確認されています")
    assert harm.text_ja.startswith("不審なメールが3件確認されています。")
    assert NONE_CONFIRMED not in harm.text_ja


def test_sensitive_items_name_the_risk_of_exposure():
    """Medical data: the risk that others learn of it is stated."""
    harm = secondary_harm(items=[DataItem.name, DataItem.medical_checkup])
    assert "配慮を要する情報" in harm.text_ja
