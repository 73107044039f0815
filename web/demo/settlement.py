"""The demo's settlement report (issue 8): finance imports the month's WeChat Pay refund bill. It
names every refund the demo paid through the provider, one with an amount that differs by one
yuan, and one refund the ledger does not know: two open discrepancies in finance's queue
(``/finance/discrepancies``). The bill is built from the cases' own payment events, parsed by the
real reader and matched by the domain, so ``aftersales demo`` records what an import would."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from domain.calendar import CST
from domain.settlement.matching import LedgerPayment, match
from domain.tenders import in_kind_fen
from projections.db import ts
from projections.reconcile.parsers import parse_settlement
from web.demo.cast import FINANCE
from web.demo.script import Demo

HEADER = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,"
    "退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,"
    "费率备注"
)


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _payments(d: Demo) -> list[LedgerPayment]:
    """The refunds the demo paid, as the ledger books them (the money through the provider)."""
    out: list[LedgerPayment] = []
    for case_no in d.report.cases:
        case = d.app.get_case(case_no)
        if case.refund is None:
            continue
        events: list[Any] = list(d.app.repository.event_store.get(case.id))
        for event in events:
            if type(event).__name__ != "RefundPaid":
                continue
            money = int(event.amount_fen)
            if event.tender is None:
                money -= in_kind_fen(case.refund.split)
            if money <= 0:
                continue
            at = event.at.astimezone(CST)
            out.append(
                LedgerPayment(
                    case_no=case_no,
                    event_version=int(event.originator_version),
                    kind="refund",
                    psp_reference=str(event.psp_reference),
                    merchant_id=case.merchant_id,
                    currency=case.currency,
                    psp_amount_fen=money,
                    paid_at=ts(event.at),
                    paid_day=at.date().isoformat(),
                    tender=event.tender,
                )
            )
    return out


def _line(p: LedgerPayment, amount_fen: int, n: int, when: Any) -> str:
    t = when.strftime("%Y-%m-%d %H:%M:%S")
    cells = [
        t, "wx2421b1c4370ec43b", "1900000109", "0", "", f"42000012342026{n:014d}", p.case_no,
        "oUpF8demo", "JSAPI", "REFUND", "OTHERS", p.currency, _yuan(amount_fen), "0.00", t, t,
        f"5030000001{n:019d}", p.psp_reference, _yuan(amount_fen), "0.00", "ORIGINAL", "SUCCESS",
        "", "", "0.00", "0.60%", _yuan(amount_fen), _yuan(amount_fen), "",
    ]  # fmt: skip
    return ",".join(f"`{c}" for c in cells)


def month_settlement(d: Demo) -> None:
    payments = _payments(d)
    if not payments:
        return
    lines = [HEADER]
    when = (d.clock.now - timedelta(hours=1)).astimezone(CST).replace(microsecond=0)
    for n, p in enumerate(payments, start=1):
        amount = p.psp_amount_fen + (100 if n == 1 else 0)  # the provider paid one yuan more
        lines.append(_line(p, amount, n, when))
    extra = LedgerPayment("AS-UNKNOWN", 0, "refund", "WXPAY-RF-2026-0999", "", "CNY", 1880, "", "")
    lines.append(_line(extra, 1880, len(payments) + 1, when))
    text = "\n".join(lines) + "\n"
    fmt, rows = parse_settlement(text)
    event_rows = [r.as_event_row() for r in rows]
    period = (when.date(), when.date())
    items = match(event_rows, payments, period)

    d.step(
        "settlement:wechat-month",
        d.app.import_settlement,
        actor=FINANCE,
        settlement_no="DEMO-WX-REFUNDS",
        file_name="微信支付退款账单.csv",
        file_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        source_format=fmt.name,
        encoding="utf-8",
        period=period,
        rows=event_rows,
        items=items,
    )
