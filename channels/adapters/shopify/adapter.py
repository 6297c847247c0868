"""Shopify orders webhooks, with the Admin REST orders API polled as reconciliation for missed deliveries.

Webhook: ``X-Shopify-Hmac-Sha256`` over the raw body (key: ``account.webhook_secret``, the app's client
secret), ``X-Shopify-Webhook-Id`` for deduplication (unchanged across Shopify's retries), ``X-Shopify-Topic``.
Poll: ``GET /admin/api/{version}/orders.json?status=any&updated_at_min=…&limit=250``, then the ``Link``
header's ``rel="next"`` ``page_info`` (Shopify allows no other filter beside ``limit`` on those pages).
Cursor: ``{"updated_at_min", "page_info", "newest"}``.
Stock push: GraphQL ``productVariants(query: "sku:…")`` then ``inventorySetQuantities`` (see ``mapping``).
"""

from __future__ import annotations

import hmac
import uuid

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
from channels.adapters.shopify import mapping
from channels.adapters.shopify.client import ShopifyClient
from oms.orders.types import NewOrder

PAGE_LIMIT = 250
IGNORED_TOPICS = frozenset({"orders/delete"})


class ShopifyAdapter:
    kind = "shopify"
    polls = True
    receives_webhooks = True
    poll_seconds = 900

    def __init__(self, clock=polling.utc_now):
        self.clock = clock

    def is_ping(self, request: RawRequest) -> bool:
        return False

    def verify(self, request: RawRequest, account: Account) -> None:
        secret = account.webhook_secret or account.config.get("client_secret", "")
        given = request.header("x-shopify-hmac-sha256").strip()
        if not secret:
            raise BadSignature("no webhook secret (the app's client secret) is configured")
        if not given:
            raise BadSignature("the X-Shopify-Hmac-Sha256 header is missing")
        if not hmac.compare_digest(mapping.signature(request.body, secret).encode(), given.encode()):
            raise BadSignature("X-Shopify-Hmac-Sha256 does not match the body")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        data = _object(request.body)
        if "id" not in data and "order_edit" not in data:
            raise NotPlatformFormat("not a Shopify order webhook: no order id")
        return WebhookInfo(
            event_id=request.header("x-shopify-webhook-id"), topic=request.header("x-shopify-topic")
        )

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        data = _object(request.body)
        if isinstance(data.get("orders"), list):  # a stored poll page
            return ParsedEvent(orders=mapping.orders_from_page(data))
        topic = request.header("x-shopify-topic")
        if "order_edit" in data:  # orders/edited carries the edit, not the order: read the order again
            return ParsedEvent(fetch_ids=[str(data["order_edit"]["order_id"])])
        if topic in IGNORED_TOPICS or (topic and not topic.startswith("orders/")):
            return ParsedEvent()
        return ParsedEvent(orders=[mapping.order_from_shopify(data)])

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        body = ShopifyClient(account.config).order(external_id)
        return mapping.order_from_shopify(_object(body)["order"])

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        start = polling.window_start(cursor.get("updated_at_min"), config, self.clock())
        page_info = cursor.get("page_info") or ""
        if page_info:
            params = {"limit": PAGE_LIMIT, "page_info": page_info}
        else:
            params = {"status": "any", "updated_at_min": start.isoformat(), "limit": PAGE_LIMIT}
        body, next_page_info = ShopifyClient(config).orders_page(params)
        orders = _object(body).get("orders")
        if not isinstance(orders, list):
            raise NotPlatformFormat("Shopify orders.json answered without an orders list")
        newest = polling.newest(cursor.get("newest"), [mapping.parse_time(o["updated_at"]) for o in orders])
        following = polling.next_cursor(
            "updated_at_min",
            start,
            newest,
            config,
            continuation={"page_info": next_page_info} if next_page_info else None,
        )
        return PollPage(body=body, orders=[], cursor=following, has_more=bool(next_page_info))

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """Set the ``available`` quantity of every variant whose SKU is ``sku_code``, at the configured
        ``location_id`` or, without one, at the only location the variant is stocked at."""
        client = ShopifyClient(account.config)
        targets = mapping.stock_targets(client.graphql(mapping.stock_lookup_request(sku_code)), sku_code)
        if not targets:
            raise PermanentError(f"no Shopify variant has the SKU {sku_code!r}")
        configured = account.config.get("location_id")
        done = []
        for target in targets:
            if not target["tracked"]:
                raise PermanentError(f"Shopify does not track the inventory of {target['variant']}")
            if configured:
                location = mapping.location_gid(configured)
            elif len(target["locations"]) == 1:
                location = target["locations"][0]
            else:
                raise PermanentError(
                    f"{target['variant']} is stocked at {len(target['locations'])} Shopify locations: "
                    "set location_id in the channel settings"
                )
            request = mapping.set_quantities_request(
                inventory_item_id=target["inventory_item"],
                location_id=location,
                quantity=quantity,
                idempotency_key=str(uuid.uuid4()),
            )
            errors = mapping.set_quantities_errors(client.graphql(request))
            if errors:
                raise PermanentError(f"Shopify refused the quantity: {'; '.join(errors)}")
            done.append(f"{target['inventory_item']}@{location}")
        return ", ".join(done)


def _object(body: bytes) -> dict:
    try:
        data = mapping.load(body)
    except ValueError as exc:
        raise NotPlatformFormat(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise NotPlatformFormat("not a JSON object")
    return data


ADAPTER = ShopifyAdapter()
