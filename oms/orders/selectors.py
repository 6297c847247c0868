"""Reads on orders shared by the dashboard and the API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from oms.orders.models import Order, OrderEvent, OrderIssue, OrderLine


def order_list(*, merchant, filters: dict | None = None) -> QuerySet[Order]:
    filters = filters or {}
    orders = Order.objects.for_merchant(merchant).select_related("channel")
    if filters.get("status"):
        orders = orders.filter(status__in=str(filters["status"]).split(","))
    if filters.get("priority"):
        orders = orders.filter(priority__in=str(filters["priority"]).split(","))
    if filters.get("channel"):
        orders = orders.filter(channel_id=filters["channel"])
    if filters.get("external_id"):
        orders = orders.filter(external_id=filters["external_id"])
    if filters.get("region_code"):
        orders = orders.filter(region_code__startswith=filters["region_code"])
    if filters.get("placed_after"):
        orders = orders.filter(placed_at__gte=filters["placed_after"])
    if filters.get("placed_before"):
        orders = orders.filter(placed_at__lt=filters["placed_before"])
    if filters.get("search"):
        orders = orders.filter(order_search_q(str(filters["search"]).strip()))
    return orders


def order_search_q(term: str) -> Q:
    return (
        Q(number__iexact=term)
        | Q(external_id=term)
        | Q(external_number__iexact=term)
        | Q(customer_name__icontains=term)
        | Q(customer_email__iexact=term)
        | Q(customer_phone__endswith=term.lstrip("+"))
        | Q(Exists(OrderLine.objects.filter(order=OuterRef("pk"), sku__iexact=term)))
    )


def order_get(*, merchant, order_id) -> Order | None:
    return (
        Order.objects.for_merchant(merchant)
        .select_related("channel", "pickup_location")
        .prefetch_related(
            "lines",
            Prefetch("issues", queryset=OrderIssue.objects.filter(resolved_at__isnull=True)),
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
        )
        .filter(pk=order_id)
        .first()
    )
