"""Pinduoduo: polled. ``pdd.order.number.list.increment.get`` lists the orders changed in a window of at most
30 minutes (``start_updated_at``/``end_updated_at``, Unix seconds; ``order_status=5``/``refund_status=5`` mean
all), then ``pdd.order.information.get`` reads each one; both raw answers are stored together as the page.

Paging follows the API's own advice: orders that change while we page leave the window and shift the pages
behind them, so a window is read from its last page back to the first (the first request, page 1 with
``use_has_next=false``, tells the total). The window ends ``LAG_SECONDS`` before now (so nothing is added to
it while we page), and the next one starts ``poll_overlap_minutes`` before its end (the intake drops the
repeats by order number and ``updated_at``).

Cursor: ``{"start_updated_at"}`` between windows; ``{"start_updated_at", "end_updated_at", "page",
"last_page"}`` inside one.

Stock push: ``pdd.goods.list.get`` (``outer_id``) then ``pdd.goods.quantity.update`` (see ``mapping``).
"""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

from channels.adapters.base import (
    Account,
    NotPlatformFormat,
    ParsedEvent,
    PermanentError,
    PollPage,
    RawRequest,
    WebhookInfo,
)
from channels.adapters.pinduoduo import mapping
from channels.adapters.pinduoduo.client import PddClient
from oms.orders.types import NewOrder

WINDOW_SECONDS = 30 * 60
LAG_SECONDS = 3 * 60
MIN_WINDOW_SECONDS = 60
MAX_PAGE_SIZE = 100
DEFAULT_LOOKBACK_HOURS = 24
DEFAULT_OVERLAP_MINUTES = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


class PinduoduoAdapter:
    kind = "pinduoduo"
    polls = True
    receives_webhooks = False
    poll_seconds = 300

    def __init__(self, clock=utc_now):
        self.clock = clock

    def is_ping(self, request: RawRequest) -> bool:
        return False

    def verify(self, request: RawRequest, account: Account) -> None:
        raise PermanentError("Pinduoduo orders are polled; this channel takes no webhooks")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        raise PermanentError("Pinduoduo orders are polled; this channel takes no webhooks")

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        data = _object(request.body)
        if "increment" in data:
            return ParsedEvent(orders=mapping.orders_from_page(data))
        if mapping.INFORMATION_KEY in data:
            return ParsedEvent(orders=[mapping.order_from_pdd(mapping.order_info(data))])
        raise NotPlatformFormat("not a Pinduoduo poll page nor an order_info_get_response")

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        _, data = PddClient(account.config, self.clock).information(external_id)
        return mapping.order_from_pdd(mapping.order_info(data))

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        client = PddClient(config, self.clock)
        now = int(self.clock().timestamp())
        head = now - LAG_SECONDS
        page_size = max(1, min(MAX_PAGE_SIZE, int(config.get("page_size") or MAX_PAGE_SIZE)))
        overlap = int(float(config.get("poll_overlap_minutes", DEFAULT_OVERLAP_MINUTES)) * 60)
        lookback = int(float(config.get("poll_lookback_hours", DEFAULT_LOOKBACK_HOURS)) * 3600)
        start = int(cursor.get("start_updated_at") or head - lookback)
        if cursor.get("end_updated_at"):
            end, page, last_page = int(cursor["end_updated_at"]), int(cursor["page"]), cursor["last_page"]
        else:
            end = max(min(start + WINDOW_SECONDS, head), start + MIN_WINDOW_SECONDS)
            page, last_page = 1, None
        request = {
            "start_updated_at": start,
            "end_updated_at": end,
            "is_lucky_flag": 0,
            "order_status": 5,
            "refund_status": 5,
            "page": page,
            "page_size": page_size,
            "use_has_next": "false",
        }
        raw, data = client.increment(request)
        listing = data.get(mapping.INCREMENT_KEY)
        if not isinstance(listing, dict):
            raise NotPlatformFormat(f"Pinduoduo answered without {mapping.INCREMENT_KEY}")
        informations = [self._information(client, entry) for entry in listing.get("order_sn_list") or []]
        body = mapping.compose_page(request, raw, informations)
        if last_page is None:
            last_page = math.ceil(int(listing.get("total_count") or 0) / page_size)
            following_page = last_page if last_page > 1 else 0
        else:
            following_page = page - 1
        if following_page >= 1:
            following = {
                "start_updated_at": start,
                "end_updated_at": end,
                "page": following_page,
                "last_page": last_page,
            }
            return PollPage(body=body, orders=[], cursor=following, has_more=True)
        following = {"start_updated_at": max(start, end - overlap)}
        return PollPage(body=body, orders=[], cursor=following, has_more=end < head)

    def _information(self, client: PddClient, entry: dict) -> bytes:
        order_sn = str(entry.get("order_sn") or "")
        try:
            raw, _ = client.information(order_sn)
        except PermanentError as exc:  # the list entry carries the same fields: keep going without it
            return json.dumps({"order_sn": order_sn, "error": str(exc)}, ensure_ascii=False).encode()
        return raw

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """``pdd.goods.list.get`` by the SKU's ``outer_id``, then ``pdd.goods.quantity.update`` (type 1)."""
        client = PddClient(account.config, self.clock)
        targets = mapping.sku_targets(client.goods_list(sku_code), sku_code)
        if not targets:
            raise PermanentError(f"no Pinduoduo SKU has the outer_id {sku_code!r}")
        for target in targets:
            if not mapping.quantity_updated(client.quantity_update(target, quantity)):
                raise PermanentError(f"Pinduoduo did not update the stock of sku {target['sku_id']}")
        return ", ".join(f"{t['goods_id']}/{t['sku_id']}" for t in targets)


def _object(body: bytes) -> dict:
    try:
        data = mapping.load(body)
    except ValueError as exc:
        raise NotPlatformFormat(f"not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise NotPlatformFormat("not a JSON object")
    return data


ADAPTER = PinduoduoAdapter()
