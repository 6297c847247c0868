"""BigCommerce: thin ``store/order/*`` webhooks signed per Standard Webhooks, and the v2 orders API.

Webhook: ``webhook-id`` (deduplication: unchanged across retries), ``webhook-timestamp`` (Unix seconds)
and ``webhook-signature`` (a ``v1,<base64>`` list) = HMAC-SHA256(client secret, ``id.timestamp.body``).
The spec wants the timestamp within "some allowable tolerance" of now; its reference libraries allow five
minutes either way, the default here (``webhook_tolerance_seconds`` in the config; ``clock`` injectable).
The body only names the order: ``parse`` returns ``fetch_ids=[data.id]`` and ``fetch_order`` reads the
order, its products and its shipping addresses. Poll: ``GET /v2/orders?min_date_modified=…&sort=
date_modified:asc&page=N&limit=50``, each order completed by its two sub-resources into one stored body.
Cursor: ``{"min_date_modified", "page", "newest"}``.
Stock push: ``GET /v3/catalog/variants?sku=``, the product's ``inventory_tracking``, then
``PUT /v3/inventory/adjustments/absolute`` at ``location_id`` (default 1).
"""

from __future__ import annotations

import json

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
from channels.adapters.bigcommerce import mapping
from channels.adapters.bigcommerce.client import BigCommerceClient
from oms.orders.types import NewOrder

PAGE_LIMIT = 50
DEFAULT_TOLERANCE_SECONDS = 300


class BigCommerceAdapter:
    kind = "bigcommerce"
    polls = True
    receives_webhooks = True
    poll_seconds = 900

    def __init__(self, clock=polling.utc_now):
        self.clock = clock

    def is_ping(self, request: RawRequest) -> bool:
        return False

    def verify(self, request: RawRequest, account: Account) -> None:
        secret = account.webhook_secret or account.config.get("client_secret", "")
        webhook_id = request.header("webhook-id")
        timestamp = request.header("webhook-timestamp").strip()
        signatures = request.header("webhook-signature")
        if not secret:
            raise BadSignature("no webhook secret (the app's client secret) is configured")
        if not (webhook_id and timestamp and signatures):
            raise BadSignature("the webhook-id, webhook-timestamp or webhook-signature header is missing")
        if not timestamp.isdigit():
            raise BadSignature("webhook-timestamp is not Unix seconds")
        tolerance = float(account.config.get("webhook_tolerance_seconds", DEFAULT_TOLERANCE_SECONDS))
        if abs(self.clock().timestamp() - int(timestamp)) > tolerance:
            raise BadSignature(f"webhook-timestamp is more than {tolerance:g} s from now")
        expected = mapping.signature(webhook_id, timestamp, request.body, secret)
        if not mapping.signature_matches(signatures, expected):
            raise BadSignature("no webhook-signature matches the body")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        data = _load(request.body)
        if not (
            isinstance(data, dict)
            and isinstance(data.get("scope"), str)
            and isinstance(data.get("data"), dict)
        ):
            raise NotPlatformFormat("not a BigCommerce webhook: no scope and data")
        return WebhookInfo(event_id=request.header("webhook-id"), topic=data["scope"])

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        data = _load(request.body)
        if not isinstance(data, dict):
            raise NotPlatformFormat("not a BigCommerce webhook or orders page")
        if isinstance(data.get("orders"), list):  # a stored poll page
            return ParsedEvent(orders=mapping.orders_from_page(data))
        subject = data["data"]
        if data["scope"].startswith("store/order/") and subject.get("type") == "order":
            return ParsedEvent(fetch_ids=[str(subject["id"])])
        return ParsedEvent()

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        client = BigCommerceClient(account.config)
        order = _load(client.get(f"orders/{external_id}"))
        if not isinstance(order, dict):
            raise NotPlatformFormat(f"BigCommerce answered no order {external_id}")
        products = _load(client.get_all(f"orders/{external_id}/products"))
        addresses = _load(client.get_all(f"orders/{external_id}/shipping_addresses"))
        return mapping.order_from_bigcommerce(order, products, addresses)

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        client = BigCommerceClient(config)
        limit = int(config.get("page_limit") or PAGE_LIMIT)
        start = polling.window_start(cursor.get("min_date_modified"), config, self.clock())
        page = int(cursor.get("page") or 1)
        params = {
            "min_date_modified": start.isoformat(),
            "sort": "date_modified:asc",
            "page": page,
            "limit": limit,
        }
        listing = client.get("orders", params)
        orders = _load(listing)
        if not isinstance(orders, list):
            raise NotPlatformFormat("BigCommerce orders answered without a list")
        ids = [str(order["id"]) for order in orders]
        body = b'{"orders":%b,"products":%b,"shipping_addresses":%b}' % (
            listing.strip(),
            _keyed({order_id: client.get_all(f"orders/{order_id}/products") for order_id in ids}),
            _keyed({order_id: client.get_all(f"orders/{order_id}/shipping_addresses") for order_id in ids}),
        )
        newest = polling.newest(
            cursor.get("newest"), [mapping.parse_date(o["date_modified"]) for o in orders]
        )
        has_more = len(orders) == limit
        following = polling.next_cursor(
            "min_date_modified", start, newest, config, continuation={"page": page + 1} if has_more else None
        )
        return PollPage(body=body, orders=[], cursor=following, has_more=has_more)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """Find the variant by SKU, read how its product tracks stock, set the count absolutely."""
        client = BigCommerceClient(account.config)
        targets = mapping.variant_targets(client.v3("GET", "catalog/variants", {"sku": sku_code}), sku_code)
        if not targets:
            raise PermanentError(f"no BigCommerce variant has the SKU {sku_code!r}")
        items = []
        for target in targets:
            product = client.v3(
                "GET", f"catalog/products/{target['product_id']}", {"include_fields": "inventory_tracking"}
            )
            tracking = str((product.get("data") or {}).get("inventory_tracking") or "")
            try:
                items.append(mapping.inventory_item(tracking, target))
            except ValueError as exc:
                raise PermanentError(f"BigCommerce: {exc}") from exc
        location = int(account.config.get("location_id") or mapping.DEFAULT_LOCATION_ID)
        client.v3(
            "PUT",
            "inventory/adjustments/absolute",
            body=mapping.absolute_adjustment(items, location, quantity),
        )
        return ", ".join(f"{key}={value}" for item in items for key, value in item.items()) + f" @ {location}"


def _keyed(bodies: dict[str, bytes]) -> bytes:
    """A JSON object of raw JSON bodies by order id, without re-encoding them."""
    return b"{" + b",".join(json.dumps(key).encode() + b":" + body for key, body in bodies.items()) + b"}"


def _load(body: bytes):
    try:
        return mapping.load(body)
    except ValueError as exc:
        raise NotPlatformFormat(f"not JSON: {exc}") from exc


ADAPTER = BigCommerceAdapter()
