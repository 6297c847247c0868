"""Orders from a CSV or Excel file: one row per order line, rows grouped into orders by ``external_id``.

The uploaded file is stored first as an inbound event (source ``import``) of the merchant's CSV channel, so
nothing is lost; an ``ImportJob`` then reads it in a task and reports progress after each batch. Every row
is checked on its own: a bad row never stops the good orders, an order with a bad row is not created and
all its rows are reported (spreadsheet row numbers, the header being row 1). An order is found again by its
external id on the CSV channel, so importing a file twice creates nothing twice (a changed file updates
its orders, as a newer version from a platform would). Money is ``Decimal``; times without an offset are
in the merchant's time zone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from channels.models import (
    ChannelKind,
    ImportJob,
    ImportStatus,
    InboundEvent,
    InboundSource,
    InboundStatus,
)
from channels.normalize.order import normalize_order
from channels.services import channel_for_internal
from oms.core.actors import Actor
from oms.core.errors import DomainError, NotFound
from oms.orders.models import Order
from oms.orders.services import order_apply_channel_version, order_create
from oms.orders.types import NewOrder, NewOrderLine

logger = logging.getLogger("channels.imports")

BATCH_ROWS = 50
MAX_ROWS = 50_000
CENT = Decimal("0.01")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    help_text: str
    example: str
    per_order: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("external_id", True, _("Your order number; rows with the same one form one order."), "WX-1001"),
    Column("external_number", False, _("The number shown to people, if it differs."), "#1001"),
    Column("placed_at", False, _("When the order was placed, in your time zone."), "2026-11-11 10:30"),
    Column("currency", False, _("Three letters; empty for your merchant currency."), "CNY"),
    Column("customer_name", False, _("The buyer."), "张伟"),
    Column("customer_phone", False, _("The buyer's phone."), "13800138000"),
    Column("customer_email", False, _("The buyer's email."), "zhang@example.com"),
    Column("ship_name", False, _("The recipient, if not the buyer."), "张伟"),
    Column("ship_phone", False, _("The recipient's phone, if not the buyer's."), "13800138000"),
    Column("country", False, _("Two letters; empty for CN."), "CN"),
    Column("province", False, _("Province or state."), "广东省"),
    Column("city", False, _("City."), "深圳市"),
    Column("district", False, _("District or county."), "南山区"),
    Column("detail", False, _("Street, building, room."), "科技园南区 1 号"),
    Column("postal_code", False, _("Postal code."), "518057"),
    Column("delivery_method", False, _("express, same_city or pickup; empty for express."), "express"),
    Column("pickup_location", False, _("The store or pickup point code, for pickup."), ""),
    Column("shipping_total", False, _("Shipping charged, once per order."), "8.00"),
    Column("discount_total", False, _("Discount, once per order."), "0.00"),
    Column("priority", False, _("urgent, high, normal or low."), "normal"),
    Column("note", False, _("The buyer's note."), ""),
    Column("tags", False, _("Tags separated by commas."), "vip"),
    Column("sku", True, _("Your SKU (or the channel's, mapped on the SKU mappings page)."), "TEA-001", False),
    Column("title", False, _("The product name, if not the catalog's."), "", False),
    Column("variant", False, _("Size, colour…"), "", False),
    Column("quantity", True, _("A whole number above zero."), "2", False),
    Column("unit_price", True, _("The price of one, with a dot for decimals."), "59.90", False),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
REQUIRED = tuple(column.name for column in COLUMNS if column.required)
ORDER_COLUMNS = tuple(column.name for column in COLUMNS if column.per_order and column.name != "external_id")

ALIASES = {
    "order_id": "external_id",
    "order_no": "external_id",
    "订单号": "external_id",
    "外部订单号": "external_id",
    "下单时间": "placed_at",
    "币种": "currency",
    "客户": "customer_name",
    "客户姓名": "customer_name",
    "买家": "customer_name",
    "客户电话": "customer_phone",
    "买家电话": "customer_phone",
    "邮箱": "customer_email",
    "收件人": "ship_name",
    "收货人": "ship_name",
    "收件人电话": "ship_phone",
    "收货人电话": "ship_phone",
    "国家": "country",
    "省": "province",
    "省份": "province",
    "市": "city",
    "城市": "city",
    "区": "district",
    "区县": "district",
    "详细地址": "detail",
    "address": "detail",
    "邮编": "postal_code",
    "配送方式": "delivery_method",
    "自提点": "pickup_location",
    "运费": "shipping_total",
    "优惠": "discount_total",
    "优先级": "priority",
    "备注": "note",
    "标签": "tags",
    "商品编码": "sku",
    "商品名称": "title",
    "规格": "variant",
    "qty": "quantity",
    "数量": "quantity",
    "price": "unit_price",
    "单价": "unit_price",
}
DELIVERY_METHODS = {"express": "express", "same_city": "same_city", "pickup": "pickup", "快递": "express"}
DELIVERY_METHODS.update(
    {"同城": "same_city", "同城配送": "same_city", "自提": "pickup", "门店自提": "pickup"}
)
PRIORITIES = ("urgent", "high", "normal", "low")
MAX_LENGTHS = {"external_id": 128, "external_number": 128, "sku": 100, "title": 300, "variant": 200}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)

# Row problems: a code, the message template (shown translated) and its parameters.
MESSAGES = {
    "required": _("This column is required."),
    "missing_column": _("The file has no %(column)s column."),
    "too_long": _("At most %(max)s characters."),
    "invalid_quantity": _("%(value)s is not a whole number above zero."),
    "invalid_amount": _("%(value)s is not an amount; write it like 12.50."),
    "negative_amount": _("The amount must not be negative."),
    "too_many_decimals": _("%(value)s has more than two decimal places."),
    "invalid_date": _("%(value)s is not a date and time; write it like 2026-11-11 10:30."),
    "invalid_choice": _("%(value)s is not one of: %(choices)s."),
    "invalid_currency": _("%(value)s is not a three-letter currency code."),
    "invalid_country": _("%(value)s is not a two-letter country code."),
    "invalid_email": _("%(value)s is not an email address."),
    "conflict": _("Differs from row %(first_row)s of the same order (%(first)s)."),
    "order_skipped": _(
        "Order %(external_id)s was not imported because of errors on its other rows (%(rows)s)."
    ),
    "order_refused": _("Order %(external_id)s was not imported: %(reason)s"),
}
FILE_MESSAGES = {
    "empty": _("The file has no rows."),
    "not_readable": _("The file cannot be read as CSV or Excel .xlsx."),
    "too_many_rows": _("The file has more than %(max)s rows; split it in parts."),
    "missing_columns": _("Required columns are missing: %(columns)s."),
    "interrupted": _("The import stopped unexpectedly; import the file again (nothing is created twice)."),
}


def error_message(error: dict) -> str:
    """A stored row error in the reader's language (the stored ``message`` is the English text)."""
    code = error.get("code", "")
    template = MESSAGES.get(code, FILE_MESSAGES.get(code))
    if template is None:
        return error.get("message", "")
    try:
        return str(template) % error.get("params", {})
    except (KeyError, TypeError, ValueError):
        return error.get("message", "")


def file_error_message(code: str, params: dict | None = None) -> str:
    template = FILE_MESSAGES.get(code)
    return str(template) % (params or {}) if template is not None else code


def _error(row: int, field_name: str, code: str, **params) -> dict:
    with override("en"):
        message = str(MESSAGES[code]) % params
    return {"row": row, "field": field_name, "code": code, "message": message, "params": params}


class ImportFileError(Exception):
    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


# --- Reading the file -------------------------------------------------------------------------------------


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's Unicode text), else GB18030 (covers GBK)."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError("not_readable") from exc


def canonical_column(header) -> str:
    name = str(header or "").replace("\ufeff", "").strip()
    key = re.sub(r"[\s\-]+", "_", name.lower())
    if key in COLUMN_NAMES:
        return key
    return ALIASES.get(key, ALIASES.get(name, key))


def is_xlsx(content: bytes, filename: str = "") -> bool:
    return content.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx")


def _csv_records(content: bytes) -> Iterator[list]:
    text = decode_text(content)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", "\t", ";"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as exc:
        raise ImportFileError("not_readable") from exc


def _xlsx_records(content: bytes) -> Iterator[list]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError("not_readable") from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def read_rows(content: bytes, filename: str = "") -> tuple[list[str], list[tuple[int, dict]]]:
    """The file's columns (canonical names) and its non-empty rows as ``(row number, {column: value})``."""
    records = _xlsx_records(content) if is_xlsx(content, filename) else _csv_records(content)
    header: list[str] | None = None
    rows: list[tuple[int, dict]] = []
    for number, values in enumerate(records, start=1):
        if header is None:
            if not any(_text(value) for value in values):
                continue
            header = [canonical_column(value) for value in values]
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise ImportFileError("missing_columns", columns=", ".join(missing), missing=missing)
            continue
        if not any(_text(value) for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError("too_many_rows", max=MAX_ROWS)
        row = {}
        for name, value in zip(header, values, strict=False):
            if name in COLUMN_NAMES and name not in row:
                row[name] = value
        rows.append((number, row))
    if header is None or not rows:
        raise ImportFileError("empty")
    return header, rows


def _text(value) -> str:
    """A cell as text: Excel numbers without a trailing .0 (phones, ids), strings trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(Decimal(repr(value)))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return " ".join(str(value).split())


# --- Checking rows ----------------------------------------------------------------------------------------


@dataclass
class RowResult:
    """One row read and checked: its values (typed) and its problems."""

    number: int
    values: dict
    errors: list[dict] = field(default_factory=list)


def _amount(value, row: RowResult, column: str, *, required: bool) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = _text(value)
    else:
        text = _text(value).replace("¥", "").replace("￥", "").replace("$", "").replace(" ", "")
        if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", text):
            text = text.replace(",", "")
    if not text:
        if required:
            row.errors.append(_error(row.number, column, "required"))
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        row.errors.append(_error(row.number, column, "invalid_amount", value=_text(value)))
        return None
    if amount < 0:
        row.errors.append(_error(row.number, column, "negative_amount"))
        return None
    if amount != amount.quantize(CENT):
        row.errors.append(_error(row.number, column, "too_many_decimals", value=text))
        return None
    return amount.quantize(CENT)


def _quantity(value, row: RowResult) -> int | None:
    text = _text(value)
    if not text:
        row.errors.append(_error(row.number, "quantity", "required"))
        return None
    if re.fullmatch(r"\d+(\.0+)?", text) and 0 < int(Decimal(text)) <= 1_000_000:
        return int(Decimal(text))
    row.errors.append(_error(row.number, "quantity", "invalid_quantity", value=text))
    return None


def _placed_at(value, row: RowResult, zone: ZoneInfo) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)  # noqa: DTZ001  made aware below
    else:
        text = _text(value)
        moment = None
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            for pattern in DATE_FORMATS:
                try:
                    moment = datetime.strptime(text, pattern)  # noqa: DTZ007  made aware below
                    break
                except ValueError:
                    continue
        if moment is None:
            row.errors.append(_error(row.number, "placed_at", "invalid_date", value=text))
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def check_row(number: int, raw: dict, *, zone: ZoneInfo) -> RowResult:
    """Every column of one row checked and typed; problems listed with their column."""
    row = RowResult(number=number, values={})
    values = row.values
    for name in COLUMN_NAMES:
        if name in ("placed_at", "quantity", "unit_price", "shipping_total", "discount_total"):
            continue
        values[name] = _text(raw.get(name))
        limit = MAX_LENGTHS.get(name, 500)
        if len(values[name]) > limit:
            row.errors.append(_error(number, name, "too_long", max=limit))
    for name in ("external_id", "sku"):
        if not values[name]:
            row.errors.append(_error(number, name, "required"))
    values["quantity"] = _quantity(raw.get("quantity"), row)
    values["unit_price"] = _amount(raw.get("unit_price"), row, "unit_price", required=True)
    for name in ("shipping_total", "discount_total"):
        values[name] = _amount(raw.get(name), row, name, required=False)
    values["placed_at"] = _placed_at(raw.get("placed_at"), row, zone)
    if values["currency"]:
        values["currency"] = values["currency"].upper()
        if not re.fullmatch(r"[A-Z]{3}", values["currency"]):
            row.errors.append(_error(number, "currency", "invalid_currency", value=values["currency"]))
    if values["country"]:
        values["country"] = values["country"].upper()
        if not re.fullmatch(r"[A-Z]{2}", values["country"]):
            row.errors.append(_error(number, "country", "invalid_country", value=values["country"]))
    if values["customer_email"]:
        try:
            validate_email(values["customer_email"])
        except ValidationError:
            row.errors.append(
                _error(number, "customer_email", "invalid_email", value=values["customer_email"])
            )
    if values["delivery_method"]:
        method = DELIVERY_METHODS.get(values["delivery_method"].lower())
        if method is None:
            row.errors.append(
                _error(
                    number,
                    "delivery_method",
                    "invalid_choice",
                    value=values["delivery_method"],
                    choices="express, same_city, pickup",
                )
            )
        values["delivery_method"] = method or ""
    if values["priority"]:
        if values["priority"].lower() not in PRIORITIES:
            row.errors.append(
                _error(
                    number,
                    "priority",
                    "invalid_choice",
                    value=values["priority"],
                    choices=", ".join(PRIORITIES),
                )
            )
        values["priority"] = values["priority"].lower()
    return row


@dataclass
class OrderRows:
    external_id: str
    rows: list[RowResult]


def group_rows(rows: Iterable[RowResult]) -> tuple[list[OrderRows], list[RowResult]]:
    """Rows grouped by external id (in order of appearance) and the rows that have none."""
    groups: dict[str, OrderRows] = {}
    loose = []
    for row in rows:
        key = row.values.get("external_id", "")
        if not key:
            loose.append(row)
            continue
        groups.setdefault(key, OrderRows(key, [])).rows.append(row)
    return list(groups.values()), loose


def order_values(group: OrderRows) -> dict:
    """Order-level columns: the first row that gives a value; a later row giving another is an error."""
    chosen: dict[str, tuple[object, int]] = {}
    for row in group.rows:
        for name in ORDER_COLUMNS:
            value = row.values.get(name)
            if value in (None, ""):
                continue
            if name not in chosen:
                chosen[name] = (value, row.number)
            elif chosen[name][0] != value:
                first, first_row = chosen[name]
                row.errors.append(
                    _error(row.number, name, "conflict", first_row=first_row, first=_text(first))
                )
    return {name: value for name, (value, _row) in chosen.items()}


def build_order(group: OrderRows, order: dict, *, currency: str) -> NewOrder:
    """The standard order of a group of good rows; ``order`` holds its order-level values."""
    customer = {
        "name": order.get("customer_name") or order.get("ship_name", ""),
        "phone": order.get("customer_phone") or order.get("ship_phone", ""),
        "email": order.get("customer_email", ""),
    }
    address_keys = ("province", "city", "district", "detail", "postal_code")
    address = {key: order.get(key, "") for key in address_keys}
    if any(address.values()):
        address.update(
            country=order.get("country", "CN"),
            name=order.get("ship_name") or customer["name"],
            phone=order.get("ship_phone") or customer["phone"],
        )
    else:
        address = {}
    tags = tuple(tag for tag in re.split(r"[,;|，；]\s*", order.get("tags", "")) if tag)
    return NewOrder(
        external_id=group.external_id,
        external_number=order.get("external_number") or group.external_id,
        currency=order.get("currency") or currency,
        placed_at=order.get("placed_at"),
        priority=order.get("priority") or "normal",
        delivery_method=order.get("delivery_method") or "express",
        pickup_location_code=order.get("pickup_location", ""),
        customer=customer,
        shipping_address=address,
        shipping_total=order.get("shipping_total") or Decimal("0"),
        discount_total=order.get("discount_total") or Decimal("0"),
        note=order.get("note", ""),
        tags=tags,
        lines=tuple(
            NewOrderLine(
                sku=row.values["sku"],
                title=row.values.get("title", ""),
                variant=row.values.get("variant", ""),
                quantity=row.values["quantity"] or 0,
                unit_price=row.values["unit_price"] or Decimal("0"),
            )
            for row in group.rows
        ),
    )


# --- Jobs -------------------------------------------------------------------------------------------------


def import_job_create(*, merchant, user, filename: str, content: bytes, content_type: str = "") -> ImportJob:
    """Store the uploaded file as an inbound event and queue its import (after commit)."""
    channel = channel_for_internal(merchant=merchant, kind=ChannelKind.CSV)
    with transaction.atomic():
        event = InboundEvent.objects.create(
            merchant=merchant,
            channel=channel,
            source=InboundSource.IMPORT,
            topic="orders/import",
            headers={
                "filename": filename[:255],
                "sha256": hashlib.sha256(content).hexdigest(),
                "uploaded-by": getattr(user, "email", ""),
            },
            body=content,
            content_type=(content_type or (XLSX_TYPE if is_xlsx(content, filename) else "text/csv"))[:200],
            received_at=timezone.now(),
        )
        job = ImportJob.objects.create(
            merchant=merchant, channel=channel, inbound_event=event, created_by=user, filename=filename[:255]
        )
        _enqueue(job)
    return job


def import_event_replay(*, merchant, event_id, user=None) -> ImportJob:
    """Import a stored file again (after SKU mappings or products were fixed): a new job, same event."""
    event = (
        InboundEvent.objects.for_merchant(merchant)
        .filter(pk=event_id, source=InboundSource.IMPORT)
        .select_related("channel")
        .first()
    )
    if event is None:
        raise NotFound("no such import")
    with transaction.atomic():
        job = ImportJob.objects.create(
            merchant=merchant,
            channel=event.channel,
            inbound_event=event,
            created_by=user,
            filename=event.headers.get("filename", ""),
        )
        _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    from channels.tasks import import_job_run_task

    transaction.on_commit(lambda: import_job_run_task.delay(str(job.pk)), robust=True)


def import_job_get(*, merchant, job_id) -> ImportJob | None:
    return ImportJob.objects.for_merchant(merchant).select_related("inbound_event").filter(pk=job_id).first()


@dataclass
class _Progress:
    job: ImportJob
    created: list[str]
    existing: list[str]
    errors: list[dict] = field(default_factory=list)
    processed: int = 0
    unsaved: int = 0

    def add(self, rows: int) -> None:
        self.processed += rows
        self.unsaved += rows
        if self.unsaved >= BATCH_ROWS:
            self.save()

    def save(self) -> None:
        ImportJob.objects.filter(pk=self.job.pk).update(
            processed_rows=self.processed,
            created_orders=self.created,
            existing_orders=self.existing,
            errors=self.errors,
            updated_at=timezone.now(),
        )
        self.unsaved = 0


def import_job_run(*, job_id) -> ImportJob:
    """Run one import (again, after a lost worker): safe twice, as orders are found by external id."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).update(status=ImportStatus.RUNNING, started_at=Coalesce(F("started_at"), now), updated_at=now)
    job = ImportJob.objects.select_related("merchant", "channel", "inbound_event", "created_by").get(
        pk=job_id
    )
    if not claimed:
        return job
    try:
        return _run(job)
    except Exception:
        _fail(job, ImportFileError("interrupted"))  # never left "running" with a page polling it forever
        raise


def _run(job: ImportJob) -> ImportJob:
    event = job.inbound_event
    InboundEvent.objects.filter(pk=event.pk).update(attempts=F("attempts") + 1)
    try:
        _header, raw_rows = read_rows(bytes(event.body), job.filename)
    except ImportFileError as exc:
        return _fail(job, exc)
    zone = ZoneInfo(job.merchant.timezone)
    checked = [check_row(number, raw, zone=zone) for number, raw in raw_rows]
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(checked))
    groups, loose = group_rows(checked)
    progress = _Progress(job=job, created=[], existing=[])
    earlier_created = set(job.created_orders or [])
    actor = (
        Actor(label=f"{job.created_by.email} (import)", user_id=job.created_by_id)
        if job.created_by
        else Actor.system(f"import {job.filename}")
    )
    for row in loose:
        progress.errors += row.errors
        progress.add(1)
    for group in groups:
        values = order_values(group)
        bad_rows = [row.number for row in group.rows if row.errors]
        if bad_rows:
            progress.errors += _skipped_errors(group, bad_rows)
        else:
            data = build_order(group, values, currency=job.merchant.currency)
            _file_order(job, group, data, actor, progress, earlier_created)
        progress.add(len(group.rows))
    progress.errors.sort(key=_error_position)
    progress.save()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )
    rows_in_error = len({error["row"] for error in progress.errors})
    InboundEvent.objects.filter(pk=event.pk).update(
        status=InboundStatus.PROCESSED,
        processed_at=timezone.now(),
        error=f"{rows_in_error} rows not imported" if rows_in_error else "",
        order_ids=progress.created + progress.existing,
    )
    logger.info(
        "channels.import.done",
        extra={"job": str(job.pk), "orders": len(progress.created), "row_errors": len(progress.errors)},
    )
    job.refresh_from_db()
    return job


def _error_position(error: dict) -> tuple[int, int]:
    column = error["field"]
    return error["row"], COLUMN_NAMES.index(column) if column in COLUMN_NAMES else -1


def _skipped_errors(group: OrderRows, bad_rows: list[int]) -> list[dict]:
    errors = [error for row in group.rows for error in row.errors]
    rows = ", ".join(str(number) for number in bad_rows)
    errors += [
        _error(row.number, "external_id", "order_skipped", external_id=group.external_id, rows=rows)
        for row in group.rows
        if not row.errors
    ]
    return errors


def _file_order(
    job: ImportJob, group: OrderRows, data: NewOrder, actor, progress: _Progress, earlier
) -> None:
    merchant, channel = job.merchant, job.channel
    data = normalize_order(channel=channel, data=data)
    try:
        existing = (
            Order.objects.for_merchant(merchant).filter(channel=channel, external_id=data.external_id).first()
        )
        if existing is None:
            order, created = order_create(merchant=merchant, channel=channel, data=data, actor=actor)
        else:
            order_apply_channel_version(
                merchant=merchant, order_id=existing.pk, data=data, actor=actor, allow_same_version=True
            )
            order, created = existing, False
    except DomainError as exc:
        progress.errors.append(
            _error(
                group.rows[0].number,
                "external_id",
                "order_refused",
                external_id=group.external_id,
                reason=exc.message,
            )
        )
        return
    if created or str(order.pk) in earlier:
        progress.created.append(str(order.pk))
    else:
        progress.existing.append(str(order.pk))


def _fail(job: ImportJob, exc: ImportFileError) -> ImportJob:
    params = {key: value for key, value in exc.params.items() if key != "missing"}
    with override("en"):
        message = file_error_message(exc.code, params)
    errors = [_error(1, column, "missing_column", column=column) for column in exc.params.get("missing", [])]
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED,
        error=exc.code,
        errors=errors or [{"row": 1, "field": "", "code": exc.code, "message": message, "params": params}],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )
    InboundEvent.objects.filter(pk=job.inbound_event_id).update(
        status=InboundStatus.FAILED, error=message, processed_at=timezone.now()
    )
    logger.warning("channels.import.unreadable", extra={"job": str(job.pk), "code": exc.code})
    job.refresh_from_db()
    return job


# --- Templates --------------------------------------------------------------------------------------------


def template_csv() -> bytes:
    """The header row, with a BOM so that Excel opens it as UTF-8."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(COLUMN_NAMES)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def template_xlsx() -> bytes:
    """An Excel template: the header row on the first sheet, what each column means on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "orders"
    sheet.append(list(COLUMN_NAMES))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("external_id", "customer_phone", "ship_phone", "postal_code", "sku"):
        letter = sheet.cell(row=1, column=COLUMN_NAMES.index(column) + 1).column_letter
        for row in range(2, 1001):
            sheet[f"{letter}{row}"].number_format = "@"  # text: keeps long ids and phones whole
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("help")
    help_sheet.append([str(_("Column")), str(_("Required")), str(_("Meaning")), str(_("Example"))])
    for column in COLUMNS:
        help_sheet.append(
            [column.name, str(_("yes")) if column.required else "", str(column.help_text), column.example]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
