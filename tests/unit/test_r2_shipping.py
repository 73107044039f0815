"""R2 return shipping (and R8 exchange legs): who pays, and what the refund adds for it."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.rules import ShippingLiability, shipping_liability, shipping_refund_fen
from domain.values import Party, Reason, Responsibility

CONSUMER, MERCHANT = Party.CONSUMER, Party.MERCHANT


def liability(
    reason: Reason = Reason.NO_REASON,
    responsibility: Responsibility | None = None,
    *,
    prior: int = 0,
    bought_again: bool = False,
    free: bool = False,
) -> ShippingLiability:
    return shipping_liability(
        reason,
        responsibility,
        prior_returns_to_merchant=prior,
        bought_again_since_first_return=bought_again,
        free_return_shipping=free,
    )


def test_first_no_reason_return_to_merchant_is_shipped_at_consumers_cost() -> None:
    assert liability() == ShippingLiability(CONSUMER, CONSUMER, "R2")


def test_bought_again_flag_does_not_matter_on_the_first_return() -> None:
    assert liability(bought_again=True).return_leg is CONSUMER


def test_later_no_reason_return_after_buying_again_is_shipped_at_merchants_cost() -> None:
    result = liability(prior=1, bought_again=True)
    assert result.return_leg is MERCHANT
    assert result.outbound_leg is CONSUMER
    assert result.rule == "R2"


def test_later_no_reason_return_without_buying_again_stays_at_consumers_cost() -> None:
    assert liability(prior=3, bought_again=False).return_leg is CONSUMER


def test_free_return_shipping_policy_makes_merchant_pay_even_the_first_return() -> None:
    assert liability(free=True).return_leg is MERCHANT


@pytest.mark.parametrize(
    "reason",
    [Reason.QUALITY_DEFECT, Reason.WRONG_ITEM, Reason.TRANSPORT_DAMAGE, Reason.MISSING_ITEM],
)
def test_merchant_or_carrier_fault_makes_merchant_pay_both_legs(reason: Reason) -> None:
    assert liability(reason) == ShippingLiability(MERCHANT, MERCHANT, "R2")


@pytest.mark.parametrize("found", [Responsibility.PRODUCT_DEFECT, Responsibility.TRANSPORT_DAMAGE])
def test_inspection_finding_a_fault_makes_merchant_pay_both_legs(found: Responsibility) -> None:
    assert liability(Reason.NO_REASON, found) == ShippingLiability(MERCHANT, MERCHANT, "R2")


@pytest.mark.parametrize("found", [Responsibility.USER_DAMAGE, Responsibility.NO_FAULT])
def test_inspection_finding_no_merchant_fault_overrides_a_claimed_defect(
    found: Responsibility,
) -> None:
    assert liability(Reason.QUALITY_DEFECT, found) == ShippingLiability(CONSUMER, CONSUMER, "R2")
    assert (
        liability(Reason.QUALITY_DEFECT, found, prior=1, bought_again=True).return_leg is MERCHANT
    )


def test_negative_prior_return_count_is_invalid() -> None:
    with pytest.raises(InvalidInput) as caught:
        liability(prior=-1)
    assert caught.value.rule == "R2"


def test_shipping_refund_adds_both_legs_when_merchant_owes_both() -> None:
    owed = ShippingLiability(MERCHANT, MERCHANT, "R2")
    assert shipping_refund_fen(owed, return_leg_fee_fen=1200, outbound_fee_share_fen=800) == 2000


def test_shipping_refund_adds_only_the_return_leg_after_buying_again() -> None:
    owed = liability(prior=1, bought_again=True)
    assert shipping_refund_fen(owed, return_leg_fee_fen=1200, outbound_fee_share_fen=800) == 1200


def test_shipping_refund_adds_nothing_on_a_first_no_reason_return() -> None:
    owed = liability()
    assert shipping_refund_fen(owed, return_leg_fee_fen=1200, outbound_fee_share_fen=800) == 0


def test_shipping_refund_refuses_negative_fees() -> None:
    owed = ShippingLiability(MERCHANT, MERCHANT, "R2")
    with pytest.raises(InvalidInput):
        shipping_refund_fen(owed, return_leg_fee_fen=-1, outbound_fee_share_fen=0)
    with pytest.raises(InvalidInput):
        shipping_refund_fen(liability(), return_leg_fee_fen=0, outbound_fee_share_fen=-5)
