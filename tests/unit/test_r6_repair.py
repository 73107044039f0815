"""R6 repair cost: free in warranty unless user-caused; else the user's quote, capped, consented."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.rules import RepairCharge, repair_charge
from domain.values import Party, Responsibility


def charge(
    in_warranty: bool,
    responsibility: Responsibility,
    quote: int | None = 15000,
    cap: int | None = None,
) -> RepairCharge:
    return repair_charge(
        in_warranty=in_warranty,
        responsibility=responsibility,
        quoted_fee_fen=quote,
        fee_cap_fen=cap,
    )


def test_in_warranty_defect_is_repaired_free_without_consent() -> None:
    assert charge(True, Responsibility.PRODUCT_DEFECT) == RepairCharge(
        Party.MERCHANT, 0, False, "R6"
    )


def test_in_warranty_user_damage_is_paid_by_the_user_after_consent() -> None:
    assert charge(True, Responsibility.USER_DAMAGE) == RepairCharge(
        Party.CONSUMER, 15000, True, "R6"
    )


def test_out_of_warranty_defect_is_paid_by_the_user_after_consent() -> None:
    assert charge(False, Responsibility.PRODUCT_DEFECT) == RepairCharge(
        Party.CONSUMER, 15000, True, "R6"
    )


def test_out_of_warranty_user_damage_is_paid_by_the_user_after_consent() -> None:
    assert charge(False, Responsibility.USER_DAMAGE) == RepairCharge(
        Party.CONSUMER, 15000, True, "R6"
    )


@pytest.mark.parametrize("in_warranty", [True, False])
def test_transport_damage_is_never_the_users(in_warranty: bool) -> None:
    assert charge(in_warranty, Responsibility.TRANSPORT_DAMAGE, quote=None) == RepairCharge(
        Party.MERCHANT, 0, False, "R6"
    )


def test_free_repair_needs_no_quote() -> None:
    assert charge(True, Responsibility.NO_FAULT, quote=None).fee_fen == 0


def test_user_paid_repair_without_a_quote_is_invalid_naming_r6() -> None:
    with pytest.raises(InvalidInput) as caught:
        charge(False, Responsibility.PRODUCT_DEFECT, quote=None)
    assert caught.value.rule == "R6"
    assert "R6" in str(caught.value)


def test_negative_quote_is_invalid() -> None:
    with pytest.raises(InvalidInput) as caught:
        charge(True, Responsibility.USER_DAMAGE, quote=-1)
    assert caught.value.rule == "R6"


def test_quote_at_the_policy_cap_is_accepted() -> None:
    assert charge(False, Responsibility.USER_DAMAGE, quote=20000, cap=20000).fee_fen == 20000


def test_quote_above_the_policy_cap_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        charge(False, Responsibility.USER_DAMAGE, quote=20001, cap=20000)
    assert caught.value.rule == "R6"
    assert "20000" in str(caught.value)


def test_zero_quote_still_needs_the_users_consent() -> None:
    assert charge(False, Responsibility.PRODUCT_DEFECT, quote=0).needs_consent
