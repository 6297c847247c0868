"""Douyin shop ``order_status`` (order.orderDetail / order.searchList field docs, message docs).

1 created / awaiting payment (cash-on-delivery: awaiting confirmation), 105 paid, 2 preparing (备货中: only
in this state may the seller ship), 101 partly shipped, 3 shipped, 4 cancelled, 5 completed.

Our reading:

* 1 → ``payment_pending`` (the order waits on hold until a newer version is paid);
* 105 → ``platform_hold`` (the core's self-releasing hold): paid, but the platform does not allow shipping
  until it moves to 2, which releases it;
* 2 → a plain new order;
* 101, 3, 5 → created on hold (``hold``) when first seen then: shipped outside of us, not to be shipped
  twice; ``hold`` has no effect on an order we already have;
* 4 → cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

NAMES = {
    1: "awaiting_payment",
    105: "paid",
    2: "awaiting_shipment",
    101: "partly_shipped",
    3: "shipped",
    4: "cancelled",
    5: "completed",
}
SHIPPED = frozenset({101, 3, 5})


@dataclass(frozen=True)
class Status:
    platform_status: str
    payment_pending: bool
    platform_hold: str
    cancelled: bool
    hold: bool
    name: str


def status_of(order_status) -> Status:
    try:
        code = int(order_status)
    except (TypeError, ValueError):
        code = 0
    return Status(
        platform_status=f"order_status={code}",
        payment_pending=code == 1,
        platform_hold="paid; the platform allows shipping from 备货中 (2) on" if code == 105 else "",
        cancelled=code == 4,
        hold=code in SHIPPED or code not in NAMES,
        name=NAMES.get(code, "unknown"),
    )
