"""JD channel: polled ``jingdong.pop.order.search`` by modified time (``dateType`` 0).

Config (``account.config``): ``app_key``, ``app_secret``, ``access_token``; optional: ``api_base_url``,
``order_states`` (default: every state the search reports, see ``status_map.POLLED_STATES``),
``page_size`` (default and JD's usual maximum 50), ``window_minutes`` (default 1440, at most 30 days: JD
takes about a month between ``start_date`` and ``end_date``), ``overlap_minutes`` (5),
``initial_lookback_hours`` (24).

Cursor (``ChannelAccount.poll_cursor``), times in UTC ISO 8601::

    {"next_start": "2026-11-21T06:55:00+00:00"}                                        # between windows
    {"window_start": "...", "window_end": "...", "page": 2}                             # inside a window

A window runs from the cursor's start to ``min(start + window, now)``; it is read page by page until
``page × page_size ≥ orderTotal``. The next window starts ``overlap_minutes`` before the end of the last
one (the intake drops the orders it has seen); a run goes on window after window while it is behind.

Stock push: ``jingdong.sku.read.searchSkuList`` (``outId``) then ``jingdong.stock.write.updateSkuStock``
(``store_id`` in the config for a store's stock), see ``mapping``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from channels.adapters.base import Account, ParsedEvent, PermanentError, PolledAdapter, PollPage, RawRequest
from channels.adapters.jd import mapping, status_map
from channels.adapters.jd.client import DEFAULT_BASE_URL, JosClient
from oms.orders.types import NewOrder

SEARCH = "jingdong.pop.order.search"
OPTIONAL_FIELDS = (
    "orderId,venderId,orderType,payType,orderTotalPrice,orderSellerPrice,orderPayment,freightPrice,"
    "sellerDiscount,orderState,orderStateRemark,deliveryType,invoiceInfo,orderRemark,orderStartTime,"
    "orderEndTime,modified,paymentConfirmTime,venderRemark,balanceUsed,consigneeInfo,itemInfoList,open_id_buyer"
)
DEFAULT_WINDOW = timedelta(days=1)
MAX_WINDOW = timedelta(days=30)
DEFAULT_PAGE_SIZE = 50
DEFAULT_OVERLAP_MINUTES = 5
DEFAULT_LOOKBACK_HOURS = 24
WINDOW_KEYS = ("window_start", "window_end", "page", "next_start")


def _setting(config: dict, name: str) -> str:
    if not config.get(name):
        raise PermanentError(f"the JD channel's config lacks {name}")
    return str(config[name])


def _client(account: Account) -> JosClient:
    config = account.config
    return JosClient(
        app_key=_setting(config, "app_key"),
        app_secret=_setting(config, "app_secret"),
        access_token=_setting(config, "access_token"),
        base_url=config.get("api_base_url") or DEFAULT_BASE_URL,
    )


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _states(config: dict) -> str:
    states = config.get("order_states") or status_map.POLLED_STATES
    return states if isinstance(states, str) else ",".join(states)


def window_end(start: datetime, now: datetime, length: timedelta) -> datetime:
    return min(start + min(length, MAX_WINDOW), now)


class JdAdapter(PolledAdapter):
    kind = "jd"
    label = "JD"
    poll_seconds = 300

    def clock(self) -> datetime:
        return timezone.now()

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        return ParsedEvent(orders=mapping.orders_from_page(request.body))

    def fetch_order(self, account: Account, external_id: str) -> NewOrder:
        raise PermanentError("the JD adapter reads orders by search pages only")

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
            minutes = config.get("window_minutes")
            length = timedelta(minutes=float(minutes)) if minutes else DEFAULT_WINDOW
            start = min(start, now - timedelta(minutes=1))
            end, page = window_end(start, now, length), 1
        page_size = min(int(config.get("page_size") or DEFAULT_PAGE_SIZE), 100)
        param_json = mapping.search_param_json(
            start=start,
            end=end,
            states=_states(config),
            fields=OPTIONAL_FIELDS,
            page=page,
            page_size=page_size,
        )
        document = client.call(SEARCH, param_json, mapping.format_time(now))
        result = mapping.search_result(document)
        api_result = result.get("apiResult") or {}
        if api_result.get("success") is False:
            reason = (
                f"{api_result.get('englishErrCode') or ''} {api_result.get('chineseErrCode') or ''}".strip()
            )
            raise PermanentError(f"JOS {SEARCH}: {reason or 'the search failed'}")
        body = mapping.page_body(document)
        total = int(result.get("orderTotal") or 0)
        if page * page_size < total:
            next_cursor = {**base, "window_start": _iso(start), "window_end": _iso(end), "page": page + 1}
            return PollPage(body=body, orders=[], cursor=next_cursor, has_more=True)
        overlap = timedelta(minutes=float(config.get("overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
        behind = end < now
        if behind:  # the next window is read in this run: it must start after this one did
            overlap = min(overlap, (end - start) / 2)
        next_cursor = {**base, "next_start": _iso(end - overlap)}
        return PollPage(body=body, orders=[], cursor=next_cursor, has_more=behind)

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """``searchSkuList`` by ``outId`` for the skuIds, then ``updateSkuStock``. A code no SKU carries as
        its outerId but made of digits is taken as a JD skuId (the intake files JD lines by skuId)."""
        client = _client(account)
        now = mapping.format_time(self.clock())
        sku_ids = mapping.sku_ids(
            client.call(mapping.SKU_SEARCH, mapping.sku_search_param_json(sku_code), now), sku_code
        )
        if not sku_ids and sku_code.isdigit():
            sku_ids = [sku_code]
        if not sku_ids:
            raise PermanentError(f"no JD SKU has the outerId {sku_code!r}")
        store_id = str(account.config.get("store_id") or "")
        for sku_id in sku_ids:
            param_json = mapping.stock_update_param_json(sku_id, quantity, store_id)
            document = client.call(mapping.STOCK_UPDATE, param_json, mapping.format_time(self.clock()))
            if not mapping.stock_update_succeeded(document):
                raise PermanentError(f"JD did not update the stock of skuId {sku_id}")
        return ", ".join(sku_ids)


ADAPTER = JdAdapter()
