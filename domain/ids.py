"""Deterministic ids: the same business key always names the same aggregate (issue: case id is a
deterministic UUID from its case number), so a repeated create is a conflict, never a duplicate.

Case numbers (issue 11 item 7): a new case is numbered ``AS`` + its day in China (yyMMdd) + six
characters of ``CASE_ALPHABET``, e.g. ``AS261203K7QX9M``: short enough to read out on the phone,
with no 0/O or 1/I to confuse. Cases opened before keep their numbers (``AS`` + yyyyMMdd + ten hex
digits, e.g. ``AS20261202FA1AB9013E``) and the demo's are ``DEMO-C-0001``: every page, query and
command takes a case number as the text it is, whichever its format."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from uuid import UUID, uuid5
from zoneinfo import ZoneInfo

NAMESPACE = UUID("6f1c8f52-9a43-5d8e-a7f4-2b7d0c5e9a10")

#: The characters of a new case number's tail: digits and capitals without 0, O, 1 and I.
CASE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CASE_TAIL = 6  # 32**6 = 2**30 numbers a day
CASE_NUMBER = re.compile(rf"AS\d{{6}}[{CASE_ALPHABET}]{{{CASE_TAIL}}}")
#: Numbers of the cases opened before (still valid, never rewritten: stored events never change).
OLD_CASE_NUMBER = re.compile(r"AS\d{8}[0-9A-F]{10}")
_CHINA = ZoneInfo("Asia/Shanghai")


def case_number(request_id: str, at: datetime, attempt: int = 0) -> str:
    """The number of the case a request opens at ``at``: the same request and day always give the
    same number; ``attempt`` 1, 2 ... give other candidates when one is taken."""
    digest = hashlib.sha256(f"{request_id}\x00{attempt}".encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    tail = ""
    for _ in range(CASE_TAIL):
        value, index = divmod(value, len(CASE_ALPHABET))
        tail += CASE_ALPHABET[index]
    return f"AS{at.astimezone(_CHINA):%y%m%d}{tail}"


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
