"""Inventory pages: the stock grid, adjustments and transfers, the ledger, locations, products, the allocation
policy, purchasing (alerts, suggestions, transfer suggestions), suppliers and CSV imports; and the suppliers'
public report page.

Who may do what: every member reads; owners, managers and warehouse operators change stock and products;
owners and managers (the purchasing role) change locations, the allocation policy, suppliers and import files.
Writes go through services (stock only through ``inventory.services.stock``); their refusals become messages.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from inventory import catalog_admin, product_import, replenishment, suppliers
from inventory.forms import (
    AllocationPolicyForm,
    ImportForm,
    LocationForm,
    ProductForm,
    StockAdjustForm,
    StockFilterForm,
    StockTransferForm,
    SupplierForm,
    SupplierProductForm,
    TransferSuggestionForm,
)
from inventory.models import StockLevel, StockMove, Supplier, SupplierProduct
from inventory.services import stock
from inventory.services.allocation import policy_for
from oms.catalog.models import BundleComponent, Product
from oms.core.actors import Actor
from oms.core.errors import DomainError, NotFound
from oms.locations import services as location_services
from oms.locations.models import Location
from oms.tenancy.context import current_membership
from oms.tenancy.decorators import admin_required, member_required, role_required
from oms.tenancy.forms import add_domain_error
from oms.tenancy.models import ADMIN_ROLES, Role

PAGE_SIZE = 50
STOCK_ROLES = (Role.OWNER, Role.MANAGER, Role.WAREHOUSE)
NEW_LINK_SESSION_KEY = "inventory_new_supplier_link"
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

stock_required = role_required(*STOCK_ROLES)
admin_writes = role_required(*ADMIN_ROLES, reads_open=True)


def _merchant(request):
    return current_membership(request).merchant


def _actor(request) -> Actor:
    return Actor(label=request.user.email, user_id=request.user.pk)


def _may(request, roles) -> bool:
    return current_membership(request).role in roles


# --- Stock grid, adjustments, transfers, ledger -------------------------------------------------------------


def _low_levels(merchant):
    """Levels at or below their reorder point (the location's, else the product's) or their safety stock."""
    return (
        StockLevel.objects.for_merchant(merchant)
        .filter(product_id=OuterRef("pk"), location__active=True)
        .annotate(
            free=F("on_hand") - F("allocated") - F("safety"),
            point=Coalesce("reorder_point", "product__reorder_point"),
        )
        .filter(Q(free__lte=F("point")) | Q(free__lte=F("safety")))
    )


@member_required
def stock_grid(request):
    """SKU × location: a page of products, the active locations and the page's levels (three queries)."""
    merchant = _merchant(request)
    form = StockFilterForm(request.GET or None)
    search, low_only = "", False
    if form.is_valid():
        search, low_only = form.cleaned_data["search"].strip(), form.cleaned_data["low"]
    products = Product.objects.for_merchant(merchant).order_by("sku")
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(title__icontains=search) | Q(barcode=search))
    if low_only:
        products = products.filter(Exists(_low_levels(merchant)))
    page = Paginator(products.only("pk", "sku", "title", "reorder_point", "is_active"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    locations = list(Location.objects.for_merchant(merchant).filter(active=True).order_by("code"))
    levels = {
        (level.product_id, level.location_id): level
        for level in StockLevel.objects.for_merchant(merchant).filter(
            product_id__in=[product.pk for product in page.object_list], location__in=locations
        )
    }
    rows = []
    for product in page.object_list:
        cells = []
        for location in locations:
            level = levels.get((product.pk, location.pk))
            if level is None:
                cells.append({"location": location, "level": None, "low": False})
                continue
            point = replenishment.effective_reorder_point(level.reorder_point, product.reorder_point)
            available = level.available
            cells.append(
                {
                    "location": location,
                    "level": level,
                    "available": available,
                    "reorder_point": point,
                    "low": replenishment.is_low(available, point, level.safety),
                }
            )
        rows.append({"product": product, "cells": cells, "low": any(cell["low"] for cell in cells)})
    context = {
        "form": form,
        "page_obj": page,
        "rows": rows,
        "locations": locations,
        "can_change_stock": _may(request, STOCK_ROLES),
        "is_filtered": bool(search or low_only),
    }
    return render(request, "inventory/stock_grid.html", context)


def _stock_error(request, error: DomainError, form) -> None:
    messages.error(request, error.message)
    add_domain_error(form, error)


@stock_required
def stock_adjust(request):
    merchant = _merchant(request)
    initial = {"sku": request.GET.get("sku", ""), "location": request.GET.get("warehouse", "")}
    form = StockAdjustForm(request.POST or None, merchant=merchant, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        location, sku = data["location"], data["sku"].strip()
        product = Product.objects.for_merchant(merchant).filter(sku=sku).first()
        try:
            if product is None:
                raise NotFound(_("Unknown SKU %(sku)s.") % {"sku": sku}, fields={"sku": ["unknown"]})
            if data["quantity"] is not None or data["safety"] is not None:
                quantity, kind = data["quantity"], data["kind"]
                stock.stock_adjust(
                    merchant=merchant,
                    warehouse=location.code,
                    sku=sku,
                    actor=_actor(request),
                    delta=quantity if quantity is not None and kind != form.COUNT else None,
                    set_on_hand=quantity if kind == form.COUNT else None,
                    safety=data["safety"],
                    reason=data["reason"],
                    kind=kind,
                )
            if data["reorder_point"] is not None:
                catalog_admin.level_reorder_point_set(
                    merchant=merchant, location=location, product=product, reorder_point=data["reorder_point"]
                )
        except DomainError as error:
            _stock_error(request, error, form)
        else:
            replenishment.replenishment_alerts_scan(merchant=merchant, product_ids=[product.pk])
            messages.success(
                request, _("Stock of %(sku)s at %(code)s saved.") % {"sku": sku, "code": location.code}
            )
            return redirect("inventory:product_ledger", product_id=product.pk)
    return render(request, "inventory/stock_adjust.html", {"form": form})


@stock_required
def stock_transfer(request):
    merchant = _merchant(request)
    initial = {"sku": request.GET.get("sku", ""), "source": request.GET.get("warehouse", "")}
    form = StockTransferForm(request.POST or None, merchant=merchant, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            out, _into = stock.stock_transfer(
                merchant=merchant,
                source=data["source"].code,
                destination=data["destination"].code,
                sku=data["sku"].strip(),
                quantity=data["quantity"],
                reason=data["reason"],
                actor=_actor(request),
            )
        except DomainError as error:
            _stock_error(request, error, form)
        else:
            replenishment.replenishment_alerts_scan(merchant=merchant, product_ids=[out.product_id])
            messages.success(
                request,
                _("%(quantity)s × %(sku)s moved from %(source)s to %(destination)s.")
                % {
                    "quantity": data["quantity"],
                    "sku": data["sku"].strip(),
                    "source": data["source"].code,
                    "destination": data["destination"].code,
                },
            )
            return redirect("inventory:product_ledger", product_id=out.product_id)
    return render(request, "inventory/stock_transfer.html", {"form": form})


@member_required
def product_ledger(request, product_id):
    merchant = _merchant(request)
    product = get_object_or_404(Product.objects.for_merchant(merchant), pk=product_id)
    levels = list(
        StockLevel.objects.for_merchant(merchant)
        .filter(product=product)
        .select_related("location")
        .order_by("location__code")
    )
    for level in levels:
        level.effective_reorder_point = replenishment.effective_reorder_point(
            level.reorder_point, product.reorder_point
        )
    moves = (
        StockMove.objects.for_merchant(merchant).filter(product=product).select_related("location", "order")
    )
    location_code = request.GET.get("warehouse", "").strip()
    if location_code:
        moves = moves.filter(location__code=location_code)
    page = Paginator(moves.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "product": product,
        "levels": levels,
        "page_obj": page,
        "location_code": location_code,
        "can_change_stock": _may(request, STOCK_ROLES),
    }
    return render(request, "inventory/product_ledger.html", context)


# --- Locations and products ---------------------------------------------------------------------------------


@member_required
def location_list(request):
    merchant = _merchant(request)
    locations = Location.objects.for_merchant(merchant).order_by("kind", "code")
    return render(
        request,
        "inventory/location_list.html",
        {"locations": locations, "can_edit": _may(request, ADMIN_ROLES)},
    )


def _location_form_page(request, location=None):
    merchant = _merchant(request)
    initial = LocationForm.initial_from(location) if location else None
    form = LocationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if location is None:
                location = location_services.location_create(merchant=merchant, **form.values())
            else:
                location = location_services.location_update(location=location, **form.values())
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Location %(code)s saved.") % {"code": location.code})
            return redirect("inventory:locations")
    return render(request, "inventory/location_form.html", {"form": form, "location": location})


@admin_required
def location_create(request):
    return _location_form_page(request)


@admin_required
def location_edit(request, location_id):
    location = get_object_or_404(Location.objects.for_merchant(_merchant(request)), pk=location_id)
    return _location_form_page(request, location)


@member_required
def product_list(request):
    merchant = _merchant(request)
    search = request.GET.get("search", "").strip()
    products = Product.objects.for_merchant(merchant)
    if search:
        products = products.filter(Q(sku__icontains=search) | Q(title__icontains=search) | Q(barcode=search))
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "search": search, "can_edit": _may(request, STOCK_ROLES)}
    return render(request, "inventory/product_list.html", context)


def _product_form_page(request, product=None):
    merchant = _merchant(request)
    components = (
        list(
            BundleComponent.objects.for_merchant(merchant).filter(bundle=product).select_related("component")
        )
        if product
        else []
    )
    initial = ProductForm.initial_from(product, components) if product else None
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            product = catalog_admin.product_save(
                merchant=merchant,
                product=product,
                flags=form.flags(),
                components=form.cleaned_data["components"],
                **form.values(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
            return redirect("inventory:products")
    return render(request, "inventory/product_form.html", {"form": form, "product": product})


@stock_required
def product_create(request):
    return _product_form_page(request)


@stock_required
def product_edit(request, product_id):
    product = get_object_or_404(Product.objects.for_merchant(_merchant(request)), pk=product_id)
    return _product_form_page(request, product)


# --- Allocation policy --------------------------------------------------------------------------------------


@admin_writes
def allocation_policy(request):
    merchant = _merchant(request)
    policy = policy_for(merchant)
    form = AllocationPolicyForm(
        request.POST or None, merchant=merchant, initial=AllocationPolicyForm.initial_from(policy)
    )
    can_edit = _may(request, ADMIN_ROLES)
    if request.method == "POST" and form.is_valid():
        try:
            catalog_admin.allocation_policy_save(
                merchant=merchant,
                preference=form.cleaned_data["preference"],
                allow_split=form.cleaned_data["allow_split"],
                shortage=form.cleaned_data["shortage"],
                location_priority=form.cleaned_data["location_priority"],
                channel_holdback=form.channel_holdback(),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Allocation policy saved."))
            return redirect("inventory:policy")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "inventory/policy_form.html", {"form": form, "can_edit": can_edit})


# --- Purchasing: alerts, suggestions, transfer suggestions --------------------------------------------------


@member_required
def purchasing(request):
    merchant = _merchant(request)
    search = request.GET.get("search", "").strip()
    only_needed = request.GET.get("all") != "1"
    rows = replenishment.purchase_suggestion_list(merchant=merchant, search=search, only_needed=only_needed)
    to_order = {}
    for row in rows:
        if row.supplier_id and row.suggested:
            to_order.setdefault(row.supplier_id, {"name": row.supplier_name, "skus": 0})["skus"] += 1
    context = {
        "alerts": replenishment.alert_list(merchant=merchant),
        "page_obj": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
        "search": search,
        "only_needed": only_needed,
        "to_order": sorted(to_order.items(), key=lambda item: item[1]["name"]),
        "sales_days": replenishment.SALES_DAYS,
        "review_days": replenishment.REVIEW_DAYS,
        "can_acknowledge": _may(request, ADMIN_ROLES),
    }
    return render(request, "inventory/purchasing_list.html", context)


@require_POST
@admin_required
def alert_acknowledge(request, alert_id):
    try:
        replenishment.alert_acknowledge(merchant=_merchant(request), alert_id=alert_id, actor=_actor(request))
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("Alert acknowledged; it closes when the stock is back."))
    return redirect("inventory:purchasing")


@member_required
def transfer_suggestions(request):
    context = {
        "suggestions": replenishment.transfer_suggestion_list(merchant=_merchant(request)),
        "can_transfer": _may(request, STOCK_ROLES),
    }
    return render(request, "inventory/transfer_suggestions.html", context)


@require_POST
@stock_required
def transfer_suggestion_apply(request):
    form = TransferSuggestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This transfer suggestion is incomplete."))
        return redirect("inventory:transfers")
    try:
        moved = replenishment.transfer_suggestion_apply(
            merchant=_merchant(request), actor=_actor(request), **form.cleaned_data
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(quantity)s × %(sku)s moved from %(source)s to %(destination)s.")
            % {**form.cleaned_data, "quantity": moved},
        )
    return redirect("inventory:transfers")


# --- Suppliers ----------------------------------------------------------------------------------------------


@admin_writes
def supplier_list(request):
    merchant = _merchant(request)
    form = SupplierForm(request.POST or None, initial={"currency": merchant.currency})
    if request.method == "POST" and form.is_valid():
        try:
            supplier = suppliers.supplier_create(merchant=merchant, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            _link_show_once(
                request, suppliers.supplier_link_issue(merchant=merchant, supplier_id=supplier.pk)
            )
            messages.success(request, _("Supplier %(name)s added.") % {"name": supplier.name})
            return redirect("inventory:supplier_detail", supplier_id=supplier.pk)
    context = {
        "form": form,
        "suppliers": Supplier.objects.for_merchant(merchant).order_by("name"),
        "can_edit": _may(request, ADMIN_ROLES),
    }
    return render(request, "inventory/supplier_list.html", context)


@admin_writes
def supplier_detail(request, supplier_id):
    merchant = _merchant(request)
    supplier = get_object_or_404(Supplier.objects.for_merchant(merchant), pk=supplier_id)
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            suppliers.supplier_update(merchant=merchant, supplier_id=supplier.pk, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Supplier saved."))
            return redirect("inventory:supplier_detail", supplier_id=supplier.pk)
    can_edit = _may(request, ADMIN_ROLES)
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    new_link = request.session.pop(NEW_LINK_SESSION_KEY, None)
    context = {
        "supplier": supplier,
        "form": form,
        "product_form": SupplierProductForm(),
        "links": SupplierProduct.objects.for_merchant(merchant)
        .filter(supplier=supplier)
        .select_related("product"),
        "new_link": new_link if new_link and new_link.get("supplier") == str(supplier.pk) else None,
        "can_edit": can_edit,
    }
    response = render(request, "inventory/supplier_detail.html", context)
    add_never_cache_headers(response)
    return response


@require_POST
@admin_required
def supplier_product_save(request, supplier_id):
    merchant = _merchant(request)
    supplier = get_object_or_404(Supplier.objects.for_merchant(merchant), pk=supplier_id)
    form = SupplierProductForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(message for errors in form.errors.values() for message in errors))
        return redirect("inventory:supplier_detail", supplier_id=supplier.pk)
    try:
        link = suppliers.supplier_product_set(merchant=merchant, supplier_id=supplier.pk, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(sku)s saved for this supplier.") % {"sku": link.product.sku})
    return redirect("inventory:supplier_detail", supplier_id=supplier.pk)


@require_POST
@admin_required
def supplier_product_remove(request, supplier_id, link_id):
    try:
        suppliers.supplier_product_remove(
            merchant=_merchant(request), supplier_id=supplier_id, link_id=link_id
        )
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("SKU removed from this supplier."))
    return redirect("inventory:supplier_detail", supplier_id=supplier_id)


@require_POST
@admin_required
def supplier_link_issue(request, supplier_id):
    try:
        issued = suppliers.supplier_link_issue(merchant=_merchant(request), supplier_id=supplier_id)
    except NotFound as error:
        raise Http404(error.message) from error
    _link_show_once(request, issued)
    return redirect("inventory:supplier_detail", supplier_id=supplier_id)


def _link_show_once(request, issued: suppliers.IssuedLink) -> None:
    """The session carries the new link to the next page, which shows it once (like a new API token)."""
    url = request.build_absolute_uri(reverse("supplier_public:report", args=[issued.token]))
    request.session[NEW_LINK_SESSION_KEY] = {"supplier": str(issued.supplier.pk), "url": url}


@require_POST
@admin_required
def supplier_link_revoke(request, supplier_id):
    try:
        suppliers.supplier_link_revoke(merchant=_merchant(request), supplier_id=supplier_id)
    except NotFound as error:
        raise Http404(error.message) from error
    messages.success(request, _("The supplier's link no longer works."))
    return redirect("inventory:supplier_detail", supplier_id=supplier_id)


def _cell(value) -> str:
    """Spreadsheets run cells that start like a formula; text from users is quoted so it stays text."""
    text = str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_START) else text


PURCHASE_COLUMNS = (
    "supplier_sku",
    "sku",
    "title",
    "quantity",
    "pack_size",
    "packs",
    "unit_cost",
    "currency",
    "line_cost",
    "units_sold_28d",
    "velocity_per_day",
    "lead_time_days",
    "safety",
    "on_hand",
    "allocated",
    "on_order",
)


@require_GET
@member_required
def supplier_purchase_csv(request, supplier_id):
    merchant = _merchant(request)
    supplier = get_object_or_404(Supplier.objects.for_merchant(merchant), pk=supplier_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PURCHASE_COLUMNS)
    for row in replenishment.purchase_list_for_supplier(merchant=merchant, supplier=supplier):
        writer.writerow(
            [
                _cell(row.supplier_sku),
                _cell(row.sku),
                _cell(row.title),
                row.suggested,
                row.pack_size,
                row.packs,
                row.unit_cost,
                row.currency,
                row.cost,
                row.units_sold,
                row.velocity_display,
                row.lead_time_days,
                row.safety,
                row.on_hand,
                row.allocated,
                row.on_order,
            ]
        )
    response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    name = slugify(supplier.name) or str(supplier.pk)[:8]
    response["Content-Disposition"] = (
        f'attachment; filename="purchase-{name}-{timezone.localdate():%Y%m%d}.csv"'
    )
    return response


def supplier_public(request, token):
    """A supplier's private report: no login, only the token of its link (unguessable, revocable)."""
    supplier = suppliers.supplier_for_token(token)
    if supplier is None:
        raise Http404
    report = suppliers.supplier_report(supplier=supplier)
    response = render(
        request, "inventory/supplier_public.html", {"report": report, "zone": supplier.merchant.timezone}
    )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- CSV import ---------------------------------------------------------------------------------------------


@admin_required
def import_upload(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        raw = form.cleaned_data["file"].read(product_import.MAX_BYTES + 1)
        try:
            result = product_import.IMPORTERS[kind](
                merchant=_merchant(request), raw=raw, actor=_actor(request)
            )
        except product_import.ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if result.applied or result.unchanged:
                messages.success(
                    request,
                    _("%(applied)s row(s) applied, %(unchanged)s unchanged, %(failed)s refused.")
                    % {
                        "applied": result.applied,
                        "unchanged": result.unchanged,
                        "failed": result.failed_rows,
                    },
                )
    return render(request, "inventory/import_form.html", {"form": form, "result": result})


@require_GET
@member_required
def import_template(request, kind):
    if kind not in product_import.COLUMNS:
        raise Http404
    response = HttpResponse(product_import.template_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response
