"""WooCommerce order statuses (woocommerce.com "Managing orders"):

* ``pending``: order received, no payment initiated (unpaid);
* ``on-hold``: awaiting payment: stock is reduced, but the merchant must confirm the payment (bank transfer,
  cheque): treated as waiting for payment, so the order waits on hold until WooCommerce moves it on;
* ``checkout-draft``: a block checkout not yet placed: waits too;
* ``processing``: paid, awaiting fulfilment; ``completed``: fulfilled;
* ``failed``: the payment failed or was declined; the buyer may still pay it again from "My account", so it
  waits for payment rather than being cancelled (a cancellation here cannot be undone);
* ``cancelled``, ``refunded``: stop the order here.
"""

from __future__ import annotations

PAYMENT_PENDING = frozenset({"pending", "on-hold", "checkout-draft", "failed"})
CANCELLED = frozenset({"cancelled", "refunded"})


def is_payment_pending(status: str) -> bool:
    return status in PAYMENT_PENDING


def is_cancelled(status: str) -> bool:
    return status in CANCELLED
