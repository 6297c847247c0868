"""Amazon ``OrderStatus`` (Orders API v0) → what the order hub does with it.

| OrderStatus | payment_pending | cancelled | hold (first seen) | hub status when first seen |
|---|---|---|---|---|
| Pending | yes | no | no | on_hold (waits for payment; released by a paid version) |
| PendingAvailability | yes | no | no | on_hold (pre-order, payment not authorised yet) |
| Unshipped | no | no | no | new |
| PartiallyShipped | no | no | yes | on_hold (shipped in part elsewhere: not shipped twice) |
| Shipped | no | no | yes | on_hold (already shipped: not shipped twice) |
| InvoiceUnconfirmed | no | no | yes | on_hold (already shipped) |
| Canceled | no | yes | no | cancelled |
| Unfulfillable | no | yes | no | cancelled |

``hold`` only matters when the hub first sees an order (an order we already have is not held again: we
shipped it ourselves). An unknown status is accepted as a paid, open order (the raw value is kept as
``platform_status``).
"""

from __future__ import annotations

PAYMENT_PENDING = frozenset({"Pending", "PendingAvailability"})
CANCELLED = frozenset({"Canceled", "Unfulfillable"})
SHIPPED_ALREADY = frozenset({"PartiallyShipped", "Shipped", "InvoiceUnconfirmed"})


def is_payment_pending(status: str) -> bool:
    return status in PAYMENT_PENDING


def is_cancelled(status: str) -> bool:
    return status in CANCELLED


def is_shipped_already(status: str) -> bool:
    return status in SHIPPED_ALREADY
