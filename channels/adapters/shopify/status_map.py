"""Shopify has no single order status: ``financial_status`` says whether it is paid, ``cancelled_at`` whether
it was cancelled (``fulfillment_status`` is ours to drive, not theirs)."""

from __future__ import annotations

# pending: payment not yet taken (manual methods, bank transfer); authorized: card authorised, not captured.
PAYMENT_PENDING = frozenset({"pending", "authorized"})


def is_payment_pending(financial_status: str | None) -> bool:
    return (financial_status or "") in PAYMENT_PENDING


def is_cancelled(order: dict) -> bool:
    return bool(order.get("cancelled_at"))


def platform_status(order: dict) -> str:
    return "cancelled" if is_cancelled(order) else order.get("financial_status") or ""
