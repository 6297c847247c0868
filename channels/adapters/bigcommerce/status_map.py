"""BigCommerce ``status_id`` (v2 orders; labels can be renamed by the merchant, ids cannot).

Not yet paid, so the order waits on hold until BigCommerce moves it on: 0 Incomplete (the shopper reached the
payment page but did not pay), 1 Pending (checkout started, not completed) and 7 Awaiting Payment (checkout
completed, payment not confirmed, e.g. authorised and not captured). Held by the platform (``platform_hold``,
released by a later status): 12 Manual Verification Required (the merchant must confirm something first, e.g.
tax-exempt papers). Stopped: 4 Refunded, 5 Cancelled, 6 Declined.
"""

from __future__ import annotations

NAMES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}
PAYMENT_PENDING = frozenset({0, 1, 7})
PLATFORM_HOLD = frozenset({12})
CANCELLED = frozenset({4, 5, 6})


def is_payment_pending(status_id: int) -> bool:
    return status_id in PAYMENT_PENDING


def hold_reason(order: dict) -> str:
    status_id = int(order.get("status_id") or 0)
    return platform_status(order) if status_id in PLATFORM_HOLD else ""


def is_cancelled(status_id: int) -> bool:
    return status_id in CANCELLED


def platform_status(order: dict) -> str:
    status_id = int(order.get("status_id") or 0)
    return order.get("status") or NAMES.get(status_id, str(status_id))
