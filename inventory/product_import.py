"""CSV import of products and of stock counts, row by row: good rows are applied, bad rows never are.

Every row is checked first (row, column, message); then each good row is applied in its own transaction:
products through ``inventory.catalog_admin.product_save``, counts through ``stock_adjust(set_on_hand=…,
kind="count")``. A row whose values are already what the file says changes nothing, so importing the same
file twice writes no new rows (products unchanged, no ledger rows). Files are UTF-8 (with or without the BOM
spreadsheets add) or GB18030/GBK, separated by commas, semicolons or tabs. An empty cell keeps the current
value (a new product gets the default).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from inventory import catalog_admin
from inventory.models import MoveKind, StockLevel
from inventory.replenishment import replenishment_alerts_scan
from inventory.services.stock import stock_adjust
from oms.catalog.models import Product
from oms.core.actors import Actor
from oms.core.errors import DomainError
from oms.locations.models import Location

PRODUCT_COLUMNS = (
    "sku",
    "title",
    "barcode",
    "weight_grams",
    "length_mm",
    "width_mm",
    "height_mm",
    "fresh",
    "fragile",
    "custom",
    "presale",
    "reorder_point",
)
STOCK_COLUMNS = ("warehouse", "sku", "on_hand", "safety")
REQUIRED = {"products": ("sku", "title"), "stock": ("warehouse", "sku")}
COLUMNS = {"products": PRODUCT_COLUMNS, "stock": STOCK_COLUMNS}
NUMBERS = ("weight_grams", "length_mm", "width_mm", "height_mm", "reorder_point")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
TRUE = {"1", "true", "yes", "y", "t", "x", "是", "真", "✓"}
FALSE = {"", "0", "false", "no", "n", "f", "否", "假"}
REASON = "CSV import"


class ImportFileError(Exception):
    """The file as a whole cannot be read (encoding, size, header); nothing was applied."""


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number: the header is row 1
    column: str
    message: str


@dataclass
class ImportResult:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def applied(self) -> int:
        return self.created + self.updated

    @property
    def failed_rows(self) -> int:
        return len({error.row for error in self.errors})


def template_csv(kind: str) -> bytes:
    """The header row of an import file, UTF-8 with a BOM so spreadsheets open it as UTF-8."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(COLUMNS[kind])
    return buffer.getvalue().encode("utf-8-sig")


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ImportFileError(_("The file is neither UTF-8 nor GB18030/GBK text.")) from exc


def _reader(text: str):
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ","
    if "," not in first:
        delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def read_rows(kind: str, raw: bytes) -> list[tuple[int, dict]]:
    """(row number, {column: value}) for each non-empty data row; ImportFileError for an unusable file."""
    if kind not in COLUMNS:
        raise ImportFileError(_("Unknown import kind."))
    reader = _reader(decode(raw))
    try:
        return _records(kind, reader)
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from exc


def _records(kind: str, reader) -> list[tuple[int, dict]]:
    header, header_row = None, 0
    for index, values in enumerate(reader, start=1):
        if any(value.strip() for value in values):
            header, header_row = values, index
            break
    if header is None:
        raise ImportFileError(_("The file is empty."))
    names = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED[kind] if name not in names]
    if missing:
        raise ImportFileError(
            _("The header lacks the column(s): %(columns)s. Download the template.")
            % {"columns": ", ".join(missing)}
        )
    rows = []
    for number, values in enumerate(reader, start=header_row + 1):
        if not any(value.strip() for value in values):
            continue
        record = {
            name: (values[index].strip() if index < len(values) else "") for index, name in enumerate(names)
        }
        rows.append((number, {name: record.get(name, "") for name in COLUMNS[kind] if name in names}))
        if len(rows) > MAX_ROWS:
            raise ImportFileError(_("The file has more than %(count)s rows.") % {"count": MAX_ROWS})
    return rows


def _number(value: str, column: str, number: int, errors: list[RowError]) -> int | None:
    """A whole number ≥ 0; "" is None (keep the current value). Spreadsheets' "12.0" is accepted."""
    if value == "":
        return None
    text = value.replace(",", "")
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit():
        errors.append(
            RowError(number, column, _("“%(value)s” is not a whole number ≥ 0.") % {"value": value})
        )
        return None
    return int(text)


def _flag(value: str, column: str, number: int, errors: list[RowError]) -> bool | None:
    if value == "":
        return None
    text = value.strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    errors.append(
        RowError(number, column, _("“%(value)s” is not yes/no (1/0, true/false).") % {"value": value})
    )
    return None


def _duplicates(rows, key, column: str, errors: list[RowError]) -> None:
    """Rows that name the same thing twice are all refused: which of them is right cannot be known."""
    seen: dict = {}
    for number, values in rows:
        seen.setdefault(key(values), []).append(number)
    for numbers in seen.values():
        if len(numbers) > 1:
            for number in numbers:
                others = ", ".join(str(other) for other in numbers if other != number)
                errors.append(
                    RowError(number, column, _("Listed again on row(s) %(rows)s.") % {"rows": others})
                )


def products_import(*, merchant, raw: bytes, actor: Actor) -> ImportResult:
    rows = read_rows("products", raw)
    result = ImportResult(kind="products", rows=len(rows))
    errors: list[RowError] = []
    _duplicates(rows, lambda values: values["sku"], "sku", errors)
    existing = {
        product.sku: product
        for product in Product.objects.for_merchant(merchant).filter(
            sku__in=[values["sku"] for _, values in rows]
        )
    }
    planned = []
    for number, values in rows:
        row_errors: list[RowError] = []
        if not values["sku"]:
            row_errors.append(RowError(number, "sku", _("A SKU is required.")))
        elif len(values["sku"]) > 100:
            row_errors.append(RowError(number, "sku", _("A SKU has at most 100 characters.")))
        if not values["title"]:
            row_errors.append(RowError(number, "title", _("A title is required.")))
        elif len(values["title"]) > 300:
            row_errors.append(RowError(number, "title", _("A title has at most 300 characters.")))
        if len(values.get("barcode", "")) > 64:
            row_errors.append(RowError(number, "barcode", _("A barcode has at most 64 characters.")))
        numbers = {name: _number(values.get(name, ""), name, number, row_errors) for name in NUMBERS}
        flags = {name: _flag(values.get(name, ""), name, number, row_errors) for name in catalog_admin.FLAGS}
        if row_errors:
            errors.extend(row_errors)
            continue
        changes = {"title": values["title"], **{k: v for k, v in numbers.items() if v is not None}}
        if values.get("barcode"):
            changes["barcode"] = values["barcode"]
        planned.append((number, values["sku"], changes, {k: v for k, v in flags.items() if v is not None}))
    bad = {error.row for error in errors}
    for number, sku, changes, flags in planned:
        if number in bad:
            continue
        product = existing.get(sku)
        if product is not None and _same(product, changes, flags):
            result.unchanged += 1
            continue
        try:
            catalog_admin.product_save(merchant=merchant, product=product, flags=flags, sku=sku, **changes)
        except DomainError as error:
            errors.append(RowError(number, "sku", error.message))
            continue
        if product is None:
            result.created += 1
        else:
            result.updated += 1
    result.errors = sorted(errors, key=lambda error: (error.row, error.column))
    return result


def _same(product: Product, changes: dict, flags: dict) -> bool:
    attributes = product.attributes or {}
    return all(getattr(product, key) == value for key, value in changes.items()) and all(
        bool(attributes.get(key)) == value for key, value in flags.items()
    )


def stock_import(*, merchant, raw: bytes, actor: Actor) -> ImportResult:
    """Counts: ``on_hand`` is what was counted (the level is set to it), ``safety`` the safety stock."""
    rows = read_rows("stock", raw)
    result = ImportResult(kind="stock", rows=len(rows))
    errors: list[RowError] = []
    _duplicates(rows, lambda values: (values["warehouse"], values["sku"]), "sku", errors)
    locations = dict(Location.objects.for_merchant(merchant).values_list("code", "pk"))
    products = dict(
        Product.objects.for_merchant(merchant)
        .filter(sku__in=[v["sku"] for _, v in rows])
        .values_list("sku", "pk")
    )
    levels = {
        (location_id, product_id): (on_hand, safety)
        for location_id, product_id, on_hand, safety in StockLevel.objects.for_merchant(merchant)
        .filter(product_id__in=list(products.values()))
        .values_list("location_id", "product_id", "on_hand", "safety")
    }
    planned = []
    for number, values in rows:
        row_errors: list[RowError] = []
        if not values["warehouse"]:
            row_errors.append(RowError(number, "warehouse", _("A warehouse code is required.")))
        elif values["warehouse"] not in locations:
            row_errors.append(
                RowError(
                    number, "warehouse", _("Unknown warehouse “%(code)s”.") % {"code": values["warehouse"]}
                )
            )
        if not values["sku"]:
            row_errors.append(RowError(number, "sku", _("A SKU is required.")))
        elif values["sku"] not in products:
            row_errors.append(RowError(number, "sku", _("Unknown SKU “%(sku)s”.") % {"sku": values["sku"]}))
        on_hand = _number(values.get("on_hand", ""), "on_hand", number, row_errors)
        safety = _number(values.get("safety", ""), "safety", number, row_errors)
        if (
            on_hand is None
            and safety is None
            and not any(e.column in ("on_hand", "safety") for e in row_errors)
        ):
            row_errors.append(RowError(number, "on_hand", _("Give on_hand, safety or both.")))
        if row_errors:
            errors.extend(row_errors)
            continue
        planned.append((number, values["warehouse"], values["sku"], on_hand, safety))
    bad = {error.row for error in errors}
    for number, warehouse, sku, on_hand, safety in planned:
        if number in bad:
            continue
        current = levels.get((locations[warehouse], products[sku]))
        current_on_hand, current_safety = current if current else (0, 0)
        if (on_hand is None or on_hand == current_on_hand) and (safety is None or safety == current_safety):
            result.unchanged += 1
            continue
        try:
            stock_adjust(
                merchant=merchant,
                warehouse=warehouse,
                sku=sku,
                actor=actor,
                set_on_hand=on_hand,
                safety=safety,
                reason=REASON,
                kind=MoveKind.COUNT,
            )
        except DomainError as error:
            errors.append(RowError(number, "on_hand", error.message))
            continue
        if current is None:
            result.created += 1
        else:
            result.updated += 1
    result.errors = sorted(errors, key=lambda error: (error.row, error.column))
    if result.applied:
        replenishment_alerts_scan(merchant=merchant, product_ids=list(products.values()))
    return result


IMPORTERS = {"products": products_import, "stock": stock_import}
