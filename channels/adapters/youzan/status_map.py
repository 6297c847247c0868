"""Youzan ``order_info.status`` and ``refund_state`` → what the order hub does with them.

Statuses as the ``youzan.trades.sold.get`` / ``youzan.trade.get`` field docs list them (koaqiu/open-sdk-csharp
``YouzanTradesSoldGetResult.cs``; TsangJx/YouZanYunSDK ``Trades/Sold/GetData.cs``, generated from
doc.youzanyun.com):

| status | meaning | payment_pending | platform_hold | cancelled | hold (first seen) | when first seen |
|---|---|---|---|---|---|---|
| WAIT_BUYER_PAY | buyer to pay (presale: deposit/balance) | yes | | no | no | on_hold (payment) |
| TRADE_PAID | paid; transient, Youzan moves it on | no | yes | no | no | on_hold (self-releasing) |
| WAIT_CONFIRM | paid, group to form / shop to accept | no | yes | no | no | on_hold (self-releasing) |
| WAIT_SELLER_SEND_GOODS | paid, to ship | no | refund under way | no | no | new |
| WAIT_BUYER_CONFIRM_GOODS | shipped | no | | no | yes | on_hold (not shipped twice) |
| TRADE_SUCCESS | signed for / completed | no | | no | yes | on_hold (not shipped twice) |
| TRADE_CLOSED | closed (cancelled, expired, refunded) | no | | yes | no | cancelled |
| anything else | not documented | no | | no | yes | on_hold (someone looks) |

WAIT_CONFIRM is 待确认 (待成团, 待接单: paid, waiting for the group to form or the shop to accept).

``refund_state``: 0 none, 1 partial refund under way, 2 partly refunded, 11 full refund under way, 12
fully refunded (koaqiu SDK; the newer field docs list only 0, 2 and 12). A paid order still to ship with a
refund under way (1 or 11) is held by the platform until the refund settles, as the Taobao adapter does; a
full refund closes the trade (message ``trade_TradeClose``: "买家或卖家取消订单、订单全额退款"), which
``TRADE_CLOSED`` says.

``payment_pending`` and ``platform_hold`` are the core's self-releasing holds: a later version without them
releases the order. ``hold`` only matters when the hub first sees an order.
"""

from __future__ import annotations

from dataclasses import dataclass

PAYMENT_PENDING = frozenset({"WAIT_BUYER_PAY"})
PLATFORM_HOLD = {
    "TRADE_PAID": "paid; Youzan moves a paid order on to WAIT_CONFIRM or WAIT_SELLER_SEND_GOODS",
    "WAIT_CONFIRM": "paid, waiting for the group to form or the shop to accept (待成团/待接单)",
}
TO_SHIP = frozenset({"WAIT_SELLER_SEND_GOODS"})
SHIPPED_ALREADY = frozenset({"WAIT_BUYER_CONFIRM_GOODS", "TRADE_SUCCESS"})
CANCELLED = frozenset({"TRADE_CLOSED"})
KNOWN = PAYMENT_PENDING | set(PLATFORM_HOLD) | TO_SHIP | SHIPPED_ALREADY | CANCELLED
REFUND_UNDER_WAY = {1: "partial refund under way", 11: "full refund under way"}


@dataclass(frozen=True)
class Status:
    platform_status: str
    payment_pending: bool
    platform_hold: str
    cancelled: bool
    hold: bool


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def status_of(status, refund_state) -> Status:
    status = str(status or "").strip()
    refund = _int(refund_state)
    platform_status = status + (f",refund_state={refund}" if refund else "")
    hold_reason = ""
    if status in PLATFORM_HOLD:
        hold_reason = f"{status}: {PLATFORM_HOLD[status]}"
    elif status in TO_SHIP and refund in REFUND_UNDER_WAY:
        hold_reason = f"refund_state={refund}: {REFUND_UNDER_WAY[refund]}"
    return Status(
        platform_status=platform_status,
        payment_pending=status in PAYMENT_PENDING,
        platform_hold=hold_reason,
        cancelled=status in CANCELLED,
        hold=status in SHIPPED_ALREADY or status not in KNOWN,
    )
