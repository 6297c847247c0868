"""Taobao/Tmall trade ``status`` (TOP) → what the order hub does with it.

Columns: P = payment_pending, C = cancelled, PH = platform_hold, H = hold when first seen.

| status | meaning | P | C | PH | H | hub status when first seen |
|---|---|---|---|---|---|---|
| TRADE_NO_CREATE_PAY | no Alipay trade yet | yes | | | | on_hold (waits for payment) |
| WAIT_BUYER_PAY | waiting for the buyer to pay | yes | | | | on_hold (waits for payment) |
| PAY_PENDING | foreign card payment being confirmed | yes | | | | on_hold (waits for payment) |
| WAIT_PRE_AUTH_CONFIRM | 0-yuan purchase contract pending | yes | | | | on_hold (waits for payment) |
| WAIT_SELLER_SEND_GOODS | paid, to ship | | | | | new |
| PAID_FORBID_CONSIGN | paid, shipping forbidden for now | | | yes | | on_hold (released by a later version) |
| SELLER_CONSIGNED_PART | partly shipped | | | | yes | on_hold (not shipped twice) |
| WAIT_BUYER_CONFIRM_GOODS | shipped | | | | yes | on_hold (not shipped twice) |
| TRADE_BUYER_SIGNED | signed for (cash on delivery) | | | | yes | on_hold (not shipped twice) |
| TRADE_FINISHED | completed | | | | yes | on_hold (not shipped twice) |
| TRADE_CLOSED | closed after payment (refunded) | | yes | | | cancelled |
| TRADE_CLOSED_BY_TAOBAO | closed before payment | | yes | | | cancelled |

Besides, a paid trade to ship with a sub-order whose refund is under way (``refund_status``
WAIT_SELLER_AGREE, WAIT_BUYER_RETURN_GOODS, WAIT_SELLER_CONFIRM_GOODS) is held by the platform until the
refund is settled (see ``mapping.platform_hold``). ``payment_pending`` and ``platform_hold`` are the core's
self-releasing holds: a later version without them releases the order. ``hold`` only matters when the hub
first sees an order. An unknown status is accepted as a paid, open order (kept as ``platform_status``).
"""

from __future__ import annotations

PAYMENT_PENDING = frozenset({"TRADE_NO_CREATE_PAY", "WAIT_BUYER_PAY", "PAY_PENDING", "WAIT_PRE_AUTH_CONFIRM"})
CANCELLED = frozenset({"TRADE_CLOSED", "TRADE_CLOSED_BY_TAOBAO"})
PLATFORM_HOLD = {"PAID_FORBID_CONSIGN": "paid, but Taobao does not allow shipping yet"}
SHIPPED_ALREADY = frozenset(
    {"SELLER_CONSIGNED_PART", "WAIT_BUYER_CONFIRM_GOODS", "TRADE_BUYER_SIGNED", "TRADE_FINISHED"}
)
TO_SHIP = frozenset({"WAIT_SELLER_SEND_GOODS"})
REFUND_UNDER_WAY = frozenset({"WAIT_SELLER_AGREE", "WAIT_BUYER_RETURN_GOODS", "WAIT_SELLER_CONFIRM_GOODS"})


def is_payment_pending(status: str) -> bool:
    return status in PAYMENT_PENDING


def is_cancelled(status: str) -> bool:
    return status in CANCELLED


def is_shipped_already(status: str) -> bool:
    return status in SHIPPED_ALREADY


def platform_hold(status: str) -> str:
    """Why the platform does not let the trade ship yet ("" when it does)."""
    reason = PLATFORM_HOLD.get(status)
    return f"{status}: {reason}" if reason else ""
