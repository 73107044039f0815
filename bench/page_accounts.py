"""Log-ins for the page benchmark (issue 12 §4): a consumer and a merchant's staff for the sample
ids a loaded store names, created with ``web.common.accounts`` (what ``aftersales users create``
does), and a real log-in POST that returns the session cookie."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from typing import Any

PASSWORD = "bench-pages-password"
CONSUMER_USER = "bench_consumer"
MERCHANT_USER = "bench_merchant"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def ensure_accounts(url: str, sample: dict[str, Any]) -> dict[str, str]:
    """Create (once) the two log-ins for ``sample``; returns ``{"consumer": user, "merchant":
    user}``."""
    from projections.db import Database
    from web.common.accounts import create_account, get_account

    db = Database.from_url(url, pool_max_size=1)
    try:
        if get_account(db, CONSUMER_USER) is None:
            create_account(
                db, CONSUMER_USER, PASSWORD, "consumer", "基准 消费者", sample["consumer_id"]
            )
        if get_account(db, MERCHANT_USER) is None:
            create_account(
                db,
                MERCHANT_USER,
                PASSWORD,
                "merchant",
                "基准 客服",
                f"staff-{sample['merchant_id']}",
                merchant_id=sample["merchant_id"],
            )
    finally:
        db.close()
    return {"consumer": CONSUMER_USER, "merchant": MERCHANT_USER}


def log_in(base: str, username: str, password: str = PASSWORD) -> str:
    """GET the log-in form, POST it (with its CSRF token); returns the ``Cookie`` header value
    the site set (the session)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/login", timeout=30) as response:
        form = response.read().decode("utf-8")
    found = _CSRF.search(form)
    if found is None:
        raise RuntimeError("the log-in form carries no csrf_token")
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrf_token": found.group(1)}
    ).encode()
    with opener.open(f"{base}/login", data=body, timeout=30) as response:
        response.read()
    cookies = "; ".join(f"{c.name}={c.value}" for c in jar)
    if "session" not in cookies:
        raise RuntimeError(f"log-in as {username!r} set no session cookie")
    return cookies
