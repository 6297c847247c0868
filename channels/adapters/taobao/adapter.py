"""Taobao / Tmall channel: polled ``taobao.trades.sold.increment.get`` + ``taobao.trade.fullinfo.get``.

Config (``account.config``): ``app_key``, ``app_secret``, ``session`` (the seller's access token;
``access_token`` is read too); optional: ``sign_method`` (``md5``, ``hmac``, ``hmac-sha256``: default),
``api_base_url``, ``page_size`` (1–100, default 50), ``window_minutes`` (at most 1440: TOP takes at most
one day between ``start_modified`` and ``end_modified``), ``overlap_minutes`` (5),
``initial_lookback_hours`` (24).

The increment API lists the trades modified in a window (only the fields asked for; TOP's docs send you to
``taobao.trade.fullinfo.get`` for the rest), so each page is followed by one fullinfo call per trade and
stored as one composite document (``mapping.page_body``).

Cursor (``ChannelAccount.poll_cursor``), times in UTC ISO 8601::

    {"next_start": "2026-11-21T06:55:00+00:00"}                                        # between windows
    {"window_start": "...", "window_end": "...", "page": 2}                             # inside a window

A window runs from the cursor's start to ``min(start + window, now)`` and is read page by page
(``page_no``, ``use_has_next=true``: ``has_next`` drives paging). When it is done the next one starts
``overlap_minutes`` before its end: TOP lists trades newest-modified first, so a trade changed while we page
leaves the window for the next one, and the overlap re-reads the edge (the intake drops what it has seen).
A run goes on window after window while it is behind the clock.

Stock push: ``taobao.skus.custom.get`` (or ``taobao.items.custom.get``) by ``outer_id``, then
``taobao.item.quantity.update`` with ``type=1`` (see ``mapping``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from channels.adapters.base import Account, ParsedEvent, PermanentError, PolledAdapter, PollPage, RawRequest
from channels.adapters.taobao import mapping
from channels.adapters.taobao.client import DEFAULT_BASE_URL, TopClient
from oms.orders.types import NewOrder

INCREMENT = "taobao.trades.sold.increment.get"
FULLINFO = "taobao.trade.fullinfo.get"
INCREMENT_FIELDS = "tid,tid_str,status,modified,created,payment,type"
FULLINFO_FIELDS = (
    "tid,tid_str,status,type,created,modified,pay_time,payment,total_fee,post_fee,discount_fee,adjust_fee,"
    "buyer_open_uid,buyer_message,seller_memo,seller_flag,shipping_type,receiver_name,receiver_state,"
    "receiver_city,receiver_district,receiver_town,receiver_address,receiver_zip,receiver_mobile,"
    "receiver_phone,receiver_country,oaid,orders,promotion_details"
)
MAX_WINDOW = timedelta(days=1)
DEFAULT_PAGE_SIZE = 50
DEFAULT_OVERLAP_MINUTES = 5
DEFAULT_LOOKBACK_HOURS = 24
WINDOW_KEYS = ("window_start", "window_end", "page", "next_start")


def _setting(config: dict, *names: str) -> str:
    for name in names:
        if config.get(name):
            return str(config[name])
    raise PermanentError(f"the Taobao channel's config lacks {names[0]}")


def _client(account: Account) -> TopClient:
    config = account.config
    return TopClient(
        app_key=_setting(config, "app_key"),
        app_secret=_setting(config, "app_secret"),
        session_key=_setting(config, "session", "access_token"),
        sign_method=str(config.get("sign_method") or "hmac-sha256"),
        base_url=config.get("api_base_url") or DEFAULT_BASE_URL,
    )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def window_end(start: datetime, now: datetime, length: timedelta) -> datetime:
    """The end of the window starting at ``start``: ``length`` later (never more than a day), or now."""
    return min(start + min(length, MAX_WINDOW), now)


class TaobaoAdapter(PolledAdapter):
    kind = "taobao"
    label = "Taobao"
    poll_seconds = 300

    def clock(self) -> datetime:
        return timezone.now()

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        return ParsedEvent(orders=mapping.orders_from_page(request.body))

    def _timestamp(self) -> str:
        return mapping.format_time(self.clock())

    def _fullinfo(self, client: TopClient, tid: str) -> dict:
        return client.call(FULLINFO, {"fields": FULLINFO_FIELDS, "tid": tid}, self._timestamp())

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        answer = self._fullinfo(_client(account), external_id)
        return mapping.order_from_trade(answer["trade_fullinfo_get_response"]["trade"])

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        config = account.config
        client = _client(account)
        now = self.clock().replace(microsecond=0)
        base = {key: value for key, value in cursor.items() if key not in WINDOW_KEYS}
        if cursor.get("window_start") and cursor.get("window_end"):
            start = datetime.fromisoformat(cursor["window_start"])
            end = datetime.fromisoformat(cursor["window_end"])
            page = int(cursor.get("page") or 1)
        else:
            lookback = timedelta(hours=float(config.get("initial_lookback_hours", DEFAULT_LOOKBACK_HOURS)))
            start = (
                datetime.fromisoformat(cursor["next_start"]) if cursor.get("next_start") else now - lookback
            )
            length = timedelta(minutes=float(config.get("window_minutes") or MAX_WINDOW.total_seconds() / 60))
            start = min(start, now - timedelta(minutes=1))
            end, page = window_end(start, now, length), 1
        params = {
            "fields": INCREMENT_FIELDS,
            "start_modified": mapping.format_time(start),
            "end_modified": mapping.format_time(end),
            "page_no": str(page),
            "page_size": str(min(int(config.get("page_size") or DEFAULT_PAGE_SIZE), 100)),
            "use_has_next": "true",
        }
        increment = client.call(INCREMENT, params, mapping.format_time(now))
        answer = increment["trades_sold_increment_get_response"]
        trades = mapping.unwrap(answer.get("trades"), "trade")
        fullinfo = [self._fullinfo(client, mapping.tid_of(trade)) for trade in trades]
        body = mapping.page_body(increment, fullinfo)
        if answer.get("has_next") in (True, "true"):
            next_cursor = {**base, "window_start": _iso(start), "window_end": _iso(end), "page": page + 1}
            return PollPage(body=body, orders=[], cursor=next_cursor, has_more=True)
        overlap = timedelta(minutes=float(config.get("overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
        behind = end < now
        if behind:  # the next window is read in this run: it must start after this one did
            overlap = min(overlap, (end - start) / 2)
        next_cursor = {**base, "next_start": _iso(end - overlap)}
        return PollPage(body=body, orders=[], cursor=next_cursor, has_more=behind)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """Find ``num_iid``/``sku_id`` by the seller's code, then ``taobao.item.quantity.update`` (type 1)."""
        client = _client(account)
        lookup = {"outer_id": sku_code, "fields": mapping.SKU_FIELDS}
        targets = mapping.sku_targets(
            client.call(mapping.SKUS_CUSTOM_GET, lookup, self._timestamp()), sku_code
        )
        if not targets:
            lookup = {"outer_id": sku_code, "fields": mapping.ITEM_FIELDS}
            answer = client.call(mapping.ITEMS_CUSTOM_GET, lookup, self._timestamp())
            targets = mapping.item_targets(answer, sku_code)
        if not targets:
            raise PermanentError(f"no Taobao item or SKU has the outer_id {sku_code!r}")
        for target in targets:
            params = mapping.quantity_update_params(target, quantity)
            client.call(mapping.ITEM_QUANTITY_UPDATE, params, self._timestamp())
        return ", ".join(f"{t['num_iid']}/{t['sku_id']}" if t["sku_id"] else t["num_iid"] for t in targets)


ADAPTER = TaobaoAdapter()
