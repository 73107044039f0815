"""Deterministic ids: the same business key always names the same aggregate (issue: case id is a
deterministic UUID from its case number), so a repeated create is a conflict, never a duplicate."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c8f52-9a43-5d8e-a7f4-2b7d0c5e9a10")


def case_id(case_no: str) -> UUID:
    return uuid5(NAMESPACE, f"case:{case_no}")


def order_id(order_no: str) -> UUID:
    return uuid5(NAMESPACE, f"order:{order_no}")


def policy_id(merchant_id: str) -> UUID:
    return uuid5(NAMESPACE, f"policy:{merchant_id}")


def history_id(consumer_id: str, merchant_id: str) -> UUID:
    return uuid5(NAMESPACE, f"history:{consumer_id}:{merchant_id}")


def request_id(client_request_id: str) -> UUID:
    return uuid5(NAMESPACE, f"request:{client_request_id}")
