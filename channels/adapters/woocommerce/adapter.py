"""WooCommerce order webhooks, with the orders API polled so that missed deliveries are caught.

Webhook (``WC_Webhook::deliver``): ``X-WC-Webhook-Signature`` = base64 HMAC-SHA256 of the raw body with the
webhook's secret, ``X-WC-Webhook-Delivery-ID`` unique per delivery (deduplication), ``X-WC-Webhook-Topic``.
When a webhook is saved WooCommerce first posts the form body ``webhook_id=N`` with no WC headers: a ping,
answered 200 and not stored. Poll: ``GET /wp-json/wc/v3/orders?modified_after=…&dates_are_gmt=true&orderby=
modified&order=asc&per_page=100&page=N`` until ``X-WP-TotalPages`` (``dates_are_gmt`` makes WooCommerce read
``modified_after`` as UTC, not site time). Cursor: ``{"modified_after", "page", "newest"}``.
Stock push: ``GET products?sku=`` then ``PUT products/{id}`` (or ``products/{parent}/variations/{id}``).
"""

from __future__ import annotations

import hmac
import re

from channels.adapters import polling
from channels.adapters.base import (
    Account,
    BadSignature,
    NotPlatformFormat,
    ParsedEvent,
    PermanentError,
    PollPage,
    RawRequest,
    WebhookInfo,
)
from channels.adapters.woocommerce import mapping
from channels.adapters.woocommerce.client import WooCommerceClient
from oms.orders.types import NewOrder

PER_PAGE = 100
PING = re.compile(rb"webhook_id=\d+")


class WooCommerceAdapter:
    kind = "woocommerce"
    polls = True
    receives_webhooks = True
    poll_seconds = 600

    def __init__(self, clock=polling.utc_now):
        self.clock = clock

    def is_ping(self, request: RawRequest) -> bool:
        return not request.header("x-wc-webhook-signature") and bool(PING.fullmatch(request.body.strip()))

    def verify(self, request: RawRequest, account: Account) -> None:
        given = request.header("x-wc-webhook-signature").strip()
        if not account.webhook_secret:
            raise BadSignature("no webhook secret is configured")
        if not given:
            raise BadSignature("the X-WC-Webhook-Signature header is missing")
        expected = mapping.signature(request.body, account.webhook_secret)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise BadSignature("X-WC-Webhook-Signature does not match the body")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        data = _load(request.body)
        if not isinstance(data, dict) or "id" not in data:
            raise NotPlatformFormat("not a WooCommerce order: no order id")
        return WebhookInfo(
            event_id=request.header("x-wc-webhook-delivery-id"), topic=request.header("x-wc-webhook-topic")
        )

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        data = _load(request.body)
        if isinstance(data, list):  # a stored poll page
            return ParsedEvent(orders=mapping.orders_from_page(data))
        if not isinstance(data, dict) or "id" not in data:
            raise NotPlatformFormat("not a WooCommerce order: no order id")
        if "line_items" not in data:  # order.deleted carries the id alone
            return ParsedEvent()
        return ParsedEvent(orders=[mapping.order_from_woocommerce(data)])

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        data = _load(WooCommerceClient(account.config).order(external_id))
        if not isinstance(data, dict):
            raise NotPlatformFormat("WooCommerce answered without an order")
        return mapping.order_from_woocommerce(data)

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        start = polling.window_start(cursor.get("modified_after"), config, self.clock())
        page = int(cursor.get("page") or 1)
        params = {
            "modified_after": start.replace(tzinfo=None).isoformat(timespec="seconds"),
            "dates_are_gmt": "true",
            "orderby": "modified",
            "order": "asc",
            "per_page": PER_PAGE,
            "page": page,
        }
        body, total_pages = WooCommerceClient(config).orders_page(params)
        orders = _load(body)
        if not isinstance(orders, list):
            raise NotPlatformFormat("WooCommerce orders answered without a list")
        if total_pages is None:
            total_pages = page + 1 if len(orders) == PER_PAGE else page
        newest = polling.newest(
            cursor.get("newest"), [mapping.parse_gmt(o["date_modified_gmt"]) for o in orders]
        )
        has_more = page < total_pages
        following = polling.next_cursor(
            "modified_after", start, newest, config, continuation={"page": page + 1} if has_more else None
        )
        return PollPage(body=body, orders=[], cursor=following, has_more=has_more)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """``GET products?sku=`` then ``PUT`` ``stock_quantity`` (with ``manage_stock``) on each match."""
        client = WooCommerceClient(account.config)
        paths = mapping.stock_paths(client.products_by_sku(sku_code), sku_code)
        if not paths:
            raise PermanentError(f"no WooCommerce product or variation has the SKU {sku_code!r}")
        for path in paths:
            client.put(path, mapping.stock_body(quantity))
        return ", ".join(paths)


def _load(body: bytes):
    try:
        return mapping.load(body)
    except ValueError as exc:
        raise NotPlatformFormat(f"not JSON: {exc}") from exc


ADAPTER = WooCommerceAdapter()
