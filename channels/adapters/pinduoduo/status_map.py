"""Pinduoduo's order state is several numeric fields read together (``pdd.order.information.get`` docs).

``order_status``: 1 awaiting shipment, 2 shipped (awaiting receipt), 3 received.
``refund_status``: 1 no after-sales (or closed), 2 after-sales in progress, 3 refunding, 4 refunded.
``confirm_status``: 0 not concluded, 1 concluded, 2 cancelled.
``group_status``: 0 grouping, 1 grouped, 2 failed.
``risk_control_status``: 0 normal, 1 under review (receiver data withheld, must not ship).

Our reading:

* cancelled: refunded (4), the deal cancelled (confirm 2) or the group failed (group 2);
* held by the platform (``platform_hold``, the core's self-releasing hold, with the reason): still awaiting
  shipment but under risk review, with a refund under way (2, 3), or the deal/group not concluded yet (0);
  the next version without the reason releases it (Pinduoduo orders are always paid, so never
  ``payment_pending``);
* created on hold (``hold``): first seen already shipped or received (2, 3), so it is not shipped twice;
  ``hold`` has no effect on an order we already have.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER_STATUS = {1: "awaiting_shipment", 2: "shipped", 3: "received"}
REFUND_STATUS = {1: "none", 2: "after_sales", 3: "refunding", 4: "refunded"}


@dataclass(frozen=True)
class Status:
    platform_status: str
    platform_hold: str
    cancelled: bool
    hold: bool
    name: str


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def status_of(info: dict) -> Status:
    order_status = _int(info.get("order_status"), 0)
    refund_status = _int(info.get("refund_status"), 1)
    confirm_status = _int(info.get("confirm_status"), 1)
    group_status = _int(info.get("group_status"), 1)
    risk = _int(info.get("risk_control_status"), 0)
    parts = [f"order_status={order_status}", f"refund_status={refund_status}"]
    if risk:
        parts.append(f"risk_control_status={risk}")
    if confirm_status != 1:
        parts.append(f"confirm_status={confirm_status}")
    if group_status != 1:
        parts.append(f"group_status={group_status}")
    cancelled = refund_status == 4 or confirm_status == 2 or group_status == 2
    waiting = (
        not cancelled
        and order_status == 1
        and (risk == 1 or refund_status in (2, 3) or confirm_status == 0 or group_status == 0)
    )
    if cancelled:
        name = "cancelled"
    elif risk == 1:
        name = "risk_control"
    elif refund_status in (2, 3):
        name = REFUND_STATUS[refund_status]
    else:
        name = ORDER_STATUS.get(order_status, "unknown")
    return Status(
        platform_status=",".join(parts),
        platform_hold=",".join(parts) if waiting else "",
        cancelled=cancelled,
        hold=not cancelled and order_status in (2, 3),
        name=name,
    )
