"""JD POP ``orderState`` → what the order hub does with it.

Columns: C = cancelled, PH = platform_hold, H = hold when first seen.

| orderState | meaning | C | PH | H | hub status when first seen |
|---|---|---|---|---|---|
| WAIT_SELLER_STOCK_OUT | paid, waiting for the seller to ship | | | | new |
| WAIT_SELLER_DELIVERY | waiting for delivery by the seller | | | | new |
| WAIT_GOODS_RECEIVE_CONFIRM | shipped, waiting for the buyer | | | yes | on_hold (not shipped twice) |
| FINISHED_L | completed | | | yes | on_hold (not shipped twice) |
| TRADE_CANCELED | cancelled | yes | | | cancelled |
| LOCKED | a cancellation or after-sale request is pending | | yes | | on_hold (released when unlocked) |
| PAUSE, POP_ORDER_PAUSE | paused by the platform | | yes | | on_hold (released when resumed) |

LOCKED is a hold, not a cancellation: a lock is lifted again (the order goes back to WAIT_SELLER_STOCK_OUT)
when the request is refused, and a cancellation in the hub cannot be undone; if JD grants the request the
order becomes TRADE_CANCELED and is cancelled then. ``platform_hold`` is the core's self-releasing hold: the
next version without it releases the order. Nothing JD lists by this API waits for payment (cash on
delivery orders are to be shipped too), so ``payment_pending`` is always false. ``hold`` only matters when
the hub first sees an order. An unknown state is accepted as an open order (kept as ``platform_status``).
"""

from __future__ import annotations

CANCELLED = frozenset({"TRADE_CANCELED"})
PLATFORM_HOLD = {
    "LOCKED": "locked on JD (a cancellation or after-sale request is pending)",
    "PAUSE": "paused on JD",
    "POP_ORDER_PAUSE": "paused on JD",
}
SHIPPED_ALREADY = frozenset({"WAIT_GOODS_RECEIVE_CONFIRM", "FINISHED_L"})
# What the poll asks for by default: every state the search reports.
POLLED_STATES = (
    "WAIT_SELLER_STOCK_OUT",
    "WAIT_GOODS_RECEIVE_CONFIRM",
    "WAIT_SELLER_DELIVERY",
    "PAUSE",
    "FINISHED_L",
    "TRADE_CANCELED",
    "LOCKED",
    "POP_ORDER_PAUSE",
)


def is_cancelled(state: str) -> bool:
    return state in CANCELLED


def is_shipped_already(state: str) -> bool:
    return state in SHIPPED_ALREADY


def platform_hold(state: str) -> str:
    """Why JD does not let the order ship now ("" when it does)."""
    reason = PLATFORM_HOLD.get(state)
    return f"{state}: {reason}" if reason else ""
