"""Youzan (有赞云): signed order push messages, each answered by reading the order with ``youzan.trade.get``;
``youzan.trades.sold.get`` polled by update time as reconciliation for missed pushes.

Push: ``POST`` a JSON object (see ``mapping``), signed in the ``Event-Sign`` header over the raw body or, in
older pushes, in the body's ``sign`` over ``msg``. ``config["push_signature"]`` chooses what is accepted:
``auto`` (default: the header when present, else the body's sign), ``event-sign`` (the header only) or
``body``. The body's ``sign`` covers ``msg`` only (the order number is read from ``msg`` first for that
reason); ``event-sign`` makes every byte count. The event id is the ``msg_id`` (``type:id:status:version``
for older pushes); the reply is ``{"code": 0, "msg": "success"}``. A trade message gives the order number to
read; other messages and Youzan's test messages are stored and processed with no order.

Poll: ``start_update``/``end_update`` (``yyyy-MM-dd HH:mm:ss`` Beijing time), ``page_no`` from 1 (at most 100,
and ``page_no × page_size`` at most 10 000), ``page_size`` ≤ 100. The order of the results is not documented,
so a window is read as the Pinduoduo adapter reads one: its end is ``LAG_SECONDS`` before now (nothing enters
it while we page; an order changed meanwhile only leaves it), the first request (page 1) tells
``total_results``, then the pages are read from the last back to the first, so an order leaving the window
can only move an unread one onto a page still to come. A window with more results than can be paged is
halved. The next window starts ``poll_overlap_minutes`` before the end of the last (the intake drops the
repeats by order number and ``update_time``).

Cursor: ``{"start_update"}`` (Unix seconds) between windows; ``{"start_update", "end_update", "page",
"last_page"}`` inside one (``last_page`` null until page 1 told the total).

Stock push: ``youzan.skus.custom.get`` (``item_no``) then ``youzan.item.quantity.update`` (see ``mapping``).
"""

from __future__ import annotations

import hmac
import math
from datetime import UTC, datetime

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
from channels.adapters.youzan import mapping
from channels.adapters.youzan.client import YouzanClient
from oms.orders.types import NewOrder

REPLY = {"code": 0, "msg": "success"}
SIGNATURE_MODES = ("auto", "event-sign", "body")
MAX_PAGE_SIZE = 100
MAX_PAGE_NO = 100
MAX_RESULTS = 10_000
LAG_SECONDS = 3 * 60
MIN_WINDOW_SECONDS = 60
DEFAULT_WINDOW_MINUTES = 60
DEFAULT_LOOKBACK_HOURS = 24
DEFAULT_OVERLAP_MINUTES = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


class YouzanAdapter:
    kind = "youzan"
    polls = True
    receives_webhooks = True
    poll_seconds = 900

    def __init__(self, clock=utc_now):
        self.clock = clock

    def is_ping(self, request: RawRequest) -> bool:
        return False

    def verify(self, request: RawRequest, account: Account) -> None:
        client_id = str(account.config.get("client_id") or "")
        client_secret = str(account.config.get("client_secret") or account.webhook_secret or "")
        if not (client_id and client_secret):
            raise BadSignature("no client_id/client_secret is configured for this Youzan shop")
        mode = str(account.config.get("push_signature") or "auto")
        if mode not in SIGNATURE_MODES:
            raise BadSignature(f"push_signature must be one of {', '.join(SIGNATURE_MODES)}, not {mode!r}")
        given = request.header("event-sign").strip().lower()
        if given and mode != "body":
            expected = mapping.event_sign(client_id=client_id, body=request.body, client_secret=client_secret)
            if not hmac.compare_digest(expected.encode(), given.encode()):
                raise BadSignature("Event-Sign does not match the body")
            return
        if mode == "event-sign":
            raise BadSignature("the Event-Sign header is missing")
        self._verify_body_sign(request.body, client_id, client_secret)

    def _verify_body_sign(self, body: bytes, client_id: str, client_secret: str) -> None:
        """The older scheme: the body's ``sign`` over its ``msg`` (the body has to be read to find them)."""
        try:
            data = mapping.load(body)
        except ValueError as exc:
            raise BadSignature("no Event-Sign header, and the body is not JSON carrying a sign") from exc
        sign = data.get("sign") if isinstance(data, dict) else None
        msg = data.get("msg") if isinstance(data, dict) else None
        if not isinstance(sign, str) or not sign.strip() or not isinstance(msg, str):
            raise BadSignature("neither an Event-Sign header nor a sign over msg in the body")
        expected = mapping.message_sign(client_id=client_id, msg=msg, client_secret=client_secret)
        if not hmac.compare_digest(expected.encode(), sign.strip().lower().encode()):
            raise BadSignature("the body's sign does not match its msg")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        message = mapping.push_message(request.body)
        return WebhookInfo(event_id=mapping.message_id(message), topic=message["type"].strip(), reply=REPLY)

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        try:
            data = mapping.load(request.body)
        except ValueError as exc:
            raise NotPlatformFormat(f"not JSON: {exc}") from exc
        if mapping.is_sold_response(data):
            return ParsedEvent(orders=mapping.orders_from_sold_response(data, **options(account)))
        if mapping.is_trade_response(data):
            return ParsedEvent(orders=[mapping.order_from_trade_response(data, **options(account))])
        if mapping.is_push(data):
            return ParsedEvent(fetch_ids=mapping.fetch_ids(mapping.push_message(request.body)))
        raise NotPlatformFormat("neither a Youzan push nor a trades.sold.get/trade.get answer")

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        _, data = YouzanClient(account.config, self.clock).trade_get(external_id)
        return mapping.order_from_trade_response(data, **options(account))

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        head = int(self.clock().timestamp()) - LAG_SECONDS
        page_size = max(1, min(MAX_PAGE_SIZE, int(config.get("page_size") or MAX_PAGE_SIZE)))
        max_pages = min(MAX_PAGE_NO, MAX_RESULTS // page_size)
        window = int(float(config.get("poll_window_minutes", DEFAULT_WINDOW_MINUTES)) * 60)
        overlap = int(float(config.get("poll_overlap_minutes", DEFAULT_OVERLAP_MINUTES)) * 60)
        lookback = int(float(config.get("poll_lookback_hours", DEFAULT_LOOKBACK_HOURS)) * 3600)
        start = int(cursor.get("start_update") or head - lookback)
        if cursor.get("end_update"):
            end, page, last_page = int(cursor["end_update"]), int(cursor["page"]), cursor.get("last_page")
        else:
            end = max(min(start + max(window, MIN_WINDOW_SECONDS), head), start + MIN_WINDOW_SECONDS)
            page, last_page = 1, None
        request = {
            "start_update": mapping.beijing_text(start),
            "end_update": mapping.beijing_text(end),
            "page_no": page,
            "page_size": page_size,
        }
        raw, data = YouzanClient(config, self.clock).trades_sold_get(request)
        if not mapping.is_sold_response(data):
            raise NotPlatformFormat("youzan.trades.sold.get answered without data.full_order_info_list")
        if last_page is None:
            last_page = math.ceil(int(mapping.response_data(data).get("total_results") or 0) / page_size)
            if last_page > max_pages and end - start > MIN_WINDOW_SECONDS:
                narrower = {"start_update": start, "end_update": start + (end - start) // 2, "page": 1}
                return PollPage(body=raw, orders=[], cursor={**narrower, "last_page": None}, has_more=True)
            last_page = min(last_page, max_pages)
            following_page = last_page if last_page > 1 else 0
        else:
            following_page = page - 1
        if following_page >= 1:
            following = {
                "start_update": start,
                "end_update": end,
                "page": following_page,
                "last_page": last_page,
            }
            return PollPage(body=raw, orders=[], cursor=following, has_more=True)
        following = {"start_update": max(start, end - overlap)}
        return PollPage(body=raw, orders=[], cursor=following, has_more=end < head)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """``youzan.skus.custom.get`` by ``item_no``, then ``youzan.item.quantity.update`` (type 0) each."""
        client = YouzanClient(account.config, self.clock)
        targets = mapping.sku_targets(client.skus_custom_get(sku_code), sku_code)
        if not targets:
            raise PermanentError(f"no Youzan SKU has the item_no {sku_code!r}")
        for target in targets:
            if not mapping.quantity_updated(
                client.item_quantity_update(mapping.quantity_update_body(target, quantity))
            ):
                raise PermanentError(f"Youzan did not update the stock of sku {target['sku_id']}")
        return ", ".join(f"{t['item_id']}/{t['sku_id']}" for t in targets)


def options(account: Account) -> dict:
    """Mapping choices the channel config makes (see ``mapping``); only an explicit "no" changes a default."""
    value = str(account.config.get("payment_includes_post_fee", "")).strip().lower()
    return {"payment_includes_post_fee": value not in ("false", "0", "no", "off")}


ADAPTER = YouzanAdapter()
