"""Douyin shop (抖店): order push messages, each answered by reading the order with ``order.orderDetail``;
``order.searchList`` polled by update time as reconciliation for missed pushes.

Push: ``POST`` a JSON array ``[{tag, msg_id, data}]``, headers ``app-id`` (the app key) and ``event-sign``
(lower-case hex MD5 of app_key + raw body + app_secret). The event id is the ``msg_id`` (the ids joined when
one push carries several messages); the reply is ``{"code": 0, "msg": "success"}``. Trade tags (100 created,
101 paid, 102 shipped, 103 completed, 104 logistics changed, 105 address changed, 106 cancelled, 108 partly
shipped, 109 amount changed, 110 paid pending, 113 seller memo) give the ``p_id`` to fetch; other tags
(after-sales, products…) are stored and processed with no order.

Poll: ``update_time_start``/``update_time_end`` (Unix seconds), ``order_by=update_time``, ``order_asc=true``,
``size`` ≤ 100, ``page`` from 0. A sweep reads up to the time it started (less ``LAG_SECONDS``) by moving its
start past the newest update of each full page (keyset paging: orders that change meanwhile cannot shift an
unread one out of reach); should a whole page share one second, it pages by number instead. The next sweep
starts ``poll_overlap_minutes`` before the last one's end; the intake drops the repeats.

Cursor: ``{"update_time_start"}`` between sweeps; ``{"update_time_start", "update_time_end", "page"}`` inside.

Stock push: ``sku.syncStock`` with the SKU's merchant ``code`` and ``incremental: false`` (see ``mapping``).
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime

from channels.adapters.base import (
    Account,
    BadSignature,
    NotPlatformFormat,
    ParsedEvent,
    PollPage,
    RawRequest,
    WebhookInfo,
)
from channels.adapters.douyin import mapping
from channels.adapters.douyin.client import DoudianClient
from oms.orders.types import NewOrder

REPLY = {"code": 0, "msg": "success"}
MAX_PAGE_SIZE = 100
LAG_SECONDS = 60
DEFAULT_LOOKBACK_HOURS = 24
DEFAULT_OVERLAP_MINUTES = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


class DouyinAdapter:
    kind = "douyin"
    polls = True
    receives_webhooks = True
    poll_seconds = 900

    def __init__(self, clock=utc_now):
        self.clock = clock

    def is_ping(self, request: RawRequest) -> bool:
        return False

    def verify(self, request: RawRequest, account: Account) -> None:
        app_key = str(account.config.get("app_key") or "")
        app_secret = account.config.get("app_secret") or account.webhook_secret
        if not (app_key and app_secret):
            raise BadSignature("no app_key/app_secret is configured for this Douyin shop")
        given = request.header("event-sign").strip().lower()
        if not given:
            raise BadSignature("the event-sign header is missing")
        if not hmac.compare_digest(request.header("app-id").strip().encode(), app_key.encode()):
            raise BadSignature("the app-id header is not this channel's app_key")
        expected = mapping.event_sign(app_key=app_key, body=request.body, app_secret=app_secret)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise BadSignature("event-sign does not match the body")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        messages = mapping.push_messages(request.body)
        ids = [mapping.message_id(message) for message in messages]
        tags = [str(message["tag"]).strip() for message in messages]
        return WebhookInfo(
            event_id=",".join(i for i in ids if i), topic=",".join(dict.fromkeys(tags)), reply=REPLY
        )

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        if request.body.lstrip()[:1] == b"[":
            return ParsedEvent(fetch_ids=mapping.fetch_ids(mapping.push_messages(request.body)))
        try:
            data = mapping.load(request.body)
        except ValueError as exc:
            raise NotPlatformFormat(f"not JSON: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("data"), dict):
            raise NotPlatformFormat("neither a Douyin push nor an order.searchList/orderDetail answer")
        if "shop_order_list" in data["data"]:
            return ParsedEvent(orders=mapping.orders_from_search_response(data))
        return ParsedEvent(orders=[mapping.order_from_detail_response(data)])

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        _, data = DoudianClient(account.config, self.clock).order_detail(external_id)
        return mapping.order_from_detail_response(data)

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        now = int(self.clock().timestamp())
        size = max(1, min(MAX_PAGE_SIZE, int(config.get("page_size") or MAX_PAGE_SIZE)))
        overlap = int(float(config.get("poll_overlap_minutes", DEFAULT_OVERLAP_MINUTES)) * 60)
        lookback = int(float(config.get("poll_lookback_hours", DEFAULT_LOOKBACK_HOURS)) * 3600)
        start = int(cursor.get("update_time_start") or now - LAG_SECONDS - lookback)
        end = int(cursor.get("update_time_end") or max(now - LAG_SECONDS, start + 1))
        page = int(cursor.get("page") or 0)
        params = {
            "update_time_start": start,
            "update_time_end": end,
            "order_by": "update_time",
            "order_asc": True,
            "page": page,
            "size": size,
        }
        raw, data = DoudianClient(config, self.clock).search_list(params)
        orders = mapping.response_data(data).get("shop_order_list") or []
        if len(orders) < size:
            following = {"update_time_start": max(start, end - overlap)}
            return PollPage(body=raw, orders=[], cursor=following, has_more=False)
        times = [int(order.get("update_time") or 0) for order in orders]
        ascending = times == sorted(times)
        if ascending and times[-1] - 1 > start:
            following = {"update_time_start": times[-1] - 1, "update_time_end": end, "page": 0}
        else:
            following = {"update_time_start": start, "update_time_end": end, "page": page + 1}
        return PollPage(body=raw, orders=[], cursor=following, has_more=True)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """``sku.syncStock`` by the SKU's merchant code, full update (``incremental`` false)."""
        warehouse = str(account.config.get("out_warehouse_id") or "")
        answer = DoudianClient(account.config, self.clock).sync_stock(
            mapping.sync_stock_params(sku_code, quantity, warehouse)
        )
        return f"log_id {answer.get('log_id', '')}".strip()


ADAPTER = DouyinAdapter()
