"""Amazon SP-API channel: polled ``getOrders`` + ``getOrderItems`` (Orders API v0).

Config (``account.config``): ``client_id``, ``client_secret``, ``refresh_token`` (LWA), ``marketplace_id``
(or a ``marketplace_ids`` list); optional: ``region`` (``na``/``eu``/``fe``), ``api_base_url``,
``lwa_base_url``, ``fulfillment_channels`` (default ``MFN``: orders Amazon fulfils itself are not ours to
ship; ``""`` for all), ``page_size`` (``MaxResultsPerPage``, default 20 so that a page's ``getOrderItems``
calls stay within that operation's burst of 30), ``overlap_minutes`` (5), ``initial_lookback_hours`` (24).

Cursor (``ChannelAccount.poll_cursor``)::

    {"last_updated_after": "2026-11-21T18:00:00Z"}                       # between runs
    {"last_updated_after": …, "next_token": "…", "window_before": "…"}   # in the middle of a window

A window is ``LastUpdatedAfter`` … ``LastUpdatedBefore`` (3 minutes before now: Amazon wants at least 2).
While a ``NextToken`` is pending only ``MarketplaceIds`` and ``NextToken`` are sent (Amazon ignores the
other filters then). When the window is done, the next one starts at the window's ``LastUpdatedBefore``
(as Amazon echoes it) minus the overlap; orders seen twice are deduplicated by the intake.

Stock push (``seller_id`` in the config): Listings Items API 2021-08-01, ``getListingsItem`` then
``patchListingsItem`` (see ``mapping``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from urllib.parse import quote

from django.core.cache import cache
from django.utils import timezone

from channels.adapters.amazon import mapping
from channels.adapters.amazon.client import LWA_BASE_URL, REGION_HOSTS, AccessDenied, AmazonClient
from channels.adapters.base import Account, ParsedEvent, PermanentError, PolledAdapter, PollPage, RawRequest
from oms.orders.types import NewOrder

SETTLE = timedelta(minutes=3)
DEFAULT_OVERLAP_MINUTES = 5
DEFAULT_LOOKBACK_HOURS = 24
DEFAULT_PAGE_SIZE = 20
MAX_ITEM_PAGES = 100


def _setting(config: dict, name: str) -> str:
    value = config.get(name)
    if not value:
        raise PermanentError(f"the Amazon channel's config lacks {name}")
    return str(value)


class _Api:
    """An authorised SP-API session of one account; the LWA token is cached until just before it expires."""

    def __init__(self, account: Account):
        config = account.config
        region = str(config.get("region") or "na").lower()
        lwa_base_url = config.get("lwa_base_url") or LWA_BASE_URL
        self.client = AmazonClient(
            api_base_url=config.get("api_base_url") or REGION_HOSTS.get(region, REGION_HOSTS["na"]),
            lwa_base_url=lwa_base_url,
            client_id=_setting(config, "client_id"),
            client_secret=_setting(config, "client_secret"),
            refresh_token=_setting(config, "refresh_token"),
        )
        fingerprint = hashlib.sha256(
            "|".join([account.id, lwa_base_url, self.client.client_id, self.client.refresh_token]).encode()
        ).hexdigest()
        self.cache_key = f"channels:amazon:lwa:{fingerprint}"

    def _token(self) -> str:
        token = cache.get(self.cache_key)
        if token:
            return token
        token, lifetime = self.client.fetch_access_token()
        cache.set(self.cache_key, token, timeout=max(lifetime - 120, 60))
        return token

    def call(self, operation, *args, **kwargs) -> dict:
        """Run one operation; a refused token is replaced once (it may have been revoked or expired early)."""
        try:
            return operation(*args, access_token=self._token(), **kwargs)
        except AccessDenied:
            cache.delete(self.cache_key)
            return operation(*args, access_token=self._token(), **kwargs)

    def item_pages(self, order_id: str) -> list[dict]:
        pages: list[dict] = []
        next_token = ""
        while True:
            page = self.call(self.client.get_order_items, order_id, next_token=next_token)
            pages.append(page)
            next_token = (page.get("payload") or {}).get("NextToken") or ""
            if not next_token:
                return pages
            if len(pages) >= MAX_ITEM_PAGES:
                raise PermanentError(f"getOrderItems for {order_id} did not stop paging")


def _marketplaces(config: dict) -> str:
    ids = config.get("marketplace_ids") or config.get("marketplace_id") or ""
    if isinstance(ids, str):
        ids = [part.strip() for part in ids.split(",")]
    ids = [str(part) for part in ids if part]
    if not ids:
        raise PermanentError("the Amazon channel's config lacks marketplace_id")
    return ",".join(ids)


class AmazonAdapter(PolledAdapter):
    kind = "amazon"
    label = "Amazon"
    poll_seconds = 300

    def clock(self) -> datetime:
        return timezone.now()

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        return ParsedEvent(orders=mapping.orders_from_page(request.body))

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        api = _Api(account)
        order = api.call(api.client.get_order, external_id)["payload"]
        return mapping.order_from_amazon(order, mapping.items_of(api.item_pages(external_id)))

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        api = _Api(account)
        marketplaces = _marketplaces(config)
        base = {key: value for key, value in cursor.items() if key not in ("next_token", "window_before")}
        now = self.clock().replace(microsecond=0)
        if cursor.get("next_token") and cursor.get("window_before"):
            updated_after = cursor.get("last_updated_after") or cursor["window_before"]
            window_before = cursor["window_before"]
            params = {"MarketplaceIds": marketplaces, "NextToken": cursor["next_token"]}
        else:
            lookback = timedelta(hours=float(config.get("initial_lookback_hours") or DEFAULT_LOOKBACK_HOURS))
            before = now - SETTLE
            after = mapping.parse_time(cursor.get("last_updated_after")) or now - lookback
            window_before, updated_after = (
                mapping.format_time(before),
                mapping.format_time(min(after, before)),
            )
            params = {
                "MarketplaceIds": marketplaces,
                "LastUpdatedAfter": updated_after,
                "LastUpdatedBefore": window_before,
                "MaxResultsPerPage": str(min(int(config.get("page_size") or DEFAULT_PAGE_SIZE), 100)),
            }
            channels = config.get("fulfillment_channels", "MFN")
            if channels:
                params["FulfillmentChannels"] = channels if isinstance(channels, str) else ",".join(channels)
        response = api.call(api.client.get_orders, params)
        payload = response.get("payload") or {}
        item_pages = {
            order["AmazonOrderId"]: api.item_pages(order["AmazonOrderId"])
            for order in payload.get("Orders") or []
        }
        body = mapping.page_body(response, item_pages)
        next_token = payload.get("NextToken") or ""
        if next_token:
            next_cursor = {
                **base,
                "last_updated_after": updated_after,
                "next_token": next_token,
                "window_before": window_before,
            }
            return PollPage(body=body, orders=[], cursor=next_cursor, has_more=True)
        high_water = mapping.parse_time(payload.get("LastUpdatedBefore") or window_before)
        overlap = timedelta(minutes=float(config.get("overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
        next_cursor = {**base, "last_updated_after": mapping.format_time(high_water - overlap)}
        return PollPage(body=body, orders=[], cursor=next_cursor, has_more=False)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """``getListingsItem`` (summaries: the product type), then ``patchListingsItem`` merging the
        seller-fulfilled ``fulfillment_availability`` quantity of the seller SKU, in the first marketplace."""
        api = _Api(account)
        marketplace = _marketplaces(account.config).split(",")[0]
        path = mapping.LISTINGS_PATH.format(
            seller_id=quote(_setting(account.config, "seller_id"), safe=""), sku=quote(sku_code, safe="")
        )
        item = api.call(
            api.client.call_json, "GET", path, {"marketplaceIds": marketplace, "includedData": "summaries"}
        )
        product_type = mapping.listing_product_type(item, marketplace)
        if not product_type:
            raise PermanentError(f"Amazon listing {sku_code!r} has no product type in {marketplace}")
        answer = api.call(
            api.client.call_json,
            "PATCH",
            path,
            {"marketplaceIds": marketplace},
            body=mapping.fulfillment_patch(product_type, quantity),
        )
        problem = mapping.submission_problem(answer)
        if problem:
            raise PermanentError(f"Amazon did not accept the quantity of {sku_code!r}: {problem}")
        return f"{marketplace} {product_type} submission {answer.get('submissionId', '')}".strip()


ADAPTER = AmazonAdapter()
