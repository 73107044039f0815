"""R20 triage and R16 answers: pure functions over text, policy and order facts."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.assistant import can_i_return
from domain.lines import OrderLine, Tender
from domain.terms import Exclusion, PolicyTerms
from domain.triage import DEFAULT_CONFIDENCE, classify
from domain.values import CaseKind, ExclusionKind, Reason, TenderKind

CST_MIDNIGHT_OCT_1 = datetime(2026, 9, 30, 16, 0, tzinfo=UTC)  # 2026-10-01 00:00 CST


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ("我要投诉，客服态度很差，一直不回复", CaseKind.COMPLAINT, Reason.SERVICE),
        ("下单十天了还没发货，申请仅退款", CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED),
        ("手机不开机了，申请保修维修", CaseKind.REPAIR, Reason.QUALITY_DEFECT),
        ("尺码不合适，想换货换成大一号", CaseKind.EXCHANGE, None),
        ("不想要了，七天无理由退货", CaseKind.RETURN_REFUND, Reason.NO_REASON),
        ("The seller was rude, I want to file a complaint", CaseKind.COMPLAINT, Reason.SERVICE),
        ("Parcel never arrived, refund only please", CaseKind.REFUND_ONLY, Reason.NOT_DELIVERED),
        (
            "Headphones are broken, please repair under warranty",
            CaseKind.REPAIR,
            Reason.QUALITY_DEFECT,
        ),
    ],
)
def test_triage_classifies_chinese_and_english_applications(text, kind, reason):
    result = classify(text, "m1")
    assert result.kind is kind
    if reason is not None:
        assert result.reason is reason
    assert result.matched, "the words that decided are shown"
    assert 0 < result.confidence_pct <= 100


def test_triage_routes_complaints_to_the_platform_and_the_rest_to_the_merchant():
    assert classify("投诉商家", "m9").queue == "platform"
    assert classify("申请退货", "m9").queue == "merchant:m9"


def test_triage_without_any_keyword_has_low_confidence_and_asks_for_review():
    result = classify("你好", "m1")
    assert result.confidence_pct == DEFAULT_CONFIDENCE
    assert result.needs_review


def test_triage_confidence_drops_when_words_of_two_kinds_compete():
    clear = classify("申请维修", "m1")
    mixed = classify("申请维修，也要投诉客服", "m1")
    assert clear.confidence_pct == 100
    assert mixed.confidence_pct < 100


def _line(category: str = "phone", confirmed: bool = False) -> OrderLine:
    return OrderLine(1, "S", "T", category, 1, 1000, (Tender(TenderKind.CARD, 1000),), confirmed)


TERMS = PolicyTerms(
    categories=("phone", "fruit", "cosmetics", "underwear"),
    exclusions=(
        Exclusion("fruit", ExclusionKind.FRESH, "生鲜易腐"),
        Exclusion("cosmetics", ExclusionKind.CONSUMABLE, "拆封影响二次销售"),
        Exclusion("underwear", ExclusionKind.HYGIENE, "贴身衣物，购买时确认不退"),
    ),
)


def test_answer_says_no_reason_return_is_open_until_the_window_end():
    answer = can_i_return(
        _line(), TERMS, CST_MIDNIGHT_OCT_1, CST_MIDNIGHT_OCT_1 + timedelta(days=3)
    )
    assert answer.can_return_without_reason
    assert answer.rule == "R1"
    assert answer.deadline == CST_MIDNIGHT_OCT_1 + timedelta(days=8)


def test_answer_after_the_window_points_to_quality_returns_within_warranty():
    now = CST_MIDNIGHT_OCT_1 + timedelta(days=8)
    answer = can_i_return(_line(), TERMS, CST_MIDNIGHT_OCT_1, now)
    assert answer.code == "quality_only"
    assert answer.rule == "R1.c"
    assert answer.warranty_until is not None and answer.warranty_until > now


def test_answer_after_warranty_says_so():
    now = CST_MIDNIGHT_OCT_1 + timedelta(days=400)
    assert can_i_return(_line(), TERMS, CST_MIDNIGHT_OCT_1, now).code == "warranty_over"


def test_answer_names_the_exclusion_and_its_reason():
    answer = can_i_return(_line("fruit"), TERMS, CST_MIDNIGHT_OCT_1, CST_MIDNIGHT_OCT_1)
    assert answer.code == "excluded"
    assert answer.exclusion_reason == "生鲜易腐"


def test_answer_for_a_consumable_depends_on_whether_it_was_opened():
    sealed = can_i_return(_line("cosmetics", True), TERMS, CST_MIDNIGHT_OCT_1, CST_MIDNIGHT_OCT_1)
    opened = can_i_return(
        _line("cosmetics"), TERMS, CST_MIDNIGHT_OCT_1, CST_MIDNIGHT_OCT_1, opened=True
    )
    assert sealed.can_return_without_reason  # R1.a bites once opened only
    assert (opened.code, opened.rule) == ("excluded", "R1.a")


def test_answer_for_hygiene_goods_depends_on_the_purchase_confirmation():
    unconfirmed = can_i_return(_line("underwear"), TERMS, CST_MIDNIGHT_OCT_1, CST_MIDNIGHT_OCT_1)
    confirmed = can_i_return(
        _line("underwear", True), TERMS, CST_MIDNIGHT_OCT_1, CST_MIDNIGHT_OCT_1
    )
    assert unconfirmed.can_return_without_reason  # R1.b
    assert (confirmed.code, confirmed.rule) == ("excluded", "R1.b")


def test_answer_before_delivery_says_not_delivered():
    assert can_i_return(_line(), TERMS, None, CST_MIDNIGHT_OCT_1).code == "not_delivered"
