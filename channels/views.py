"""Channel pages: connected shops and their health, inbound events, SKU mappings, the store counter form
and the CSV/Excel import. Owners and managers change things; every member may look (clerks use the store
form). Reads that only these pages need sit at the top; writes go through the services.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from channels import imports, intake, services, stock_sync, store_form
from channels.adapters.base import AdapterError
from channels.adapters.registry import get_adapter
from channels.forms import (
    INTERNAL_KINDS,
    ChannelCredentialsForm,
    ChannelForm,
    ImportUploadForm,
    InboundEventFilterForm,
    MappingReplayForm,
    SkuMappingForm,
    StockSyncForm,
    StoreAddressForm,
    StoreOrderForm,
    expected_keys,
)
from channels.models import (
    ChannelAccount,
    ChannelKind,
    ChannelStatus,
    ImportJob,
    InboundEvent,
    InboundSource,
    InboundStatus,
    SkuMapping,
)
from channels.tasks import channel_poll_task
from oms.catalog.models import Product
from oms.core.actors import Actor
from oms.core.errors import Conflict, DomainError, NotFound
from oms.orders.models import Order, OrderIssue, OrderLine, OrderStatus
from oms.orders.services import LINES_EDITABLE
from oms.tenancy.context import current_membership
from oms.tenancy.decorators import admin_required, member_required, role_required
from oms.tenancy.models import ADMIN_ROLES, Role

PAGE_SIZE = 50
REPLAY_LIMIT = 200
RECENT = timedelta(hours=24)
OPEN_STATUSES = (
    OrderStatus.NEW,
    OrderStatus.ON_HOLD,
    OrderStatus.ALLOCATED,
    OrderStatus.PARTIALLY_ALLOCATED,
    OrderStatus.BACKORDERED,
    OrderStatus.EXCEPTION,
)
STATUS_COUNTS = tuple(InboundStatus.values)
STORE_ROLES = (*ADMIN_ROLES, Role.CLERK)

admin_writes = role_required(*ADMIN_ROLES, reads_open=True)


# --- Reads of these pages ---------------------------------------------------------------------------------


def _merchant(request):
    return current_membership(request).merchant


def _channel_or_404(merchant, channel_id) -> ChannelAccount:
    return get_object_or_404(ChannelAccount.objects.for_merchant(merchant), pk=channel_id)


def channel_health_list(*, merchant):
    """Accounts with their inbound events of the last 24 h counted by status: one query."""
    since = timezone.now() - RECENT
    counts = {
        f"events_{status}": Count(
            "inbound_events",
            filter=Q(inbound_events__received_at__gte=since, inbound_events__status=status),
        )
        for status in STATUS_COUNTS
    }
    return ChannelAccount.objects.for_merchant(merchant).annotate(**counts).order_by("name")


def _capabilities(channel: ChannelAccount) -> dict:
    """What the platform's connector does; a platform whose connector is missing still gets its address."""
    adapter = get_adapter(channel.kind)
    external = channel.kind not in INTERNAL_KINDS and channel.kind != ChannelKind.SANDBOX
    webhooks = bool(getattr(adapter, "receives_webhooks", False))
    return {
        "installed": adapter is not None,
        "webhooks": webhooks,
        "polls": bool(getattr(adapter, "polls", False)),
        "show_webhook": webhooks or (adapter is None and external),
    }


def unmapped_channel_skus(*, merchant, channel=None) -> list[dict]:
    """Distinct channel SKUs on lines without a product, of open orders with an open ``unknown_sku`` issue."""
    open_issue = OrderIssue.objects.filter(
        order=OuterRef("order"), code="unknown_sku", resolved_at__isnull=True
    )
    lines = OrderLine.objects.for_merchant(merchant).filter(
        Exists(open_issue), product__isnull=True, order__status__in=OPEN_STATUSES
    )
    if channel is not None:
        lines = lines.filter(order__channel=channel)
    return list(
        lines.annotate(code=Coalesce(NullIf("channel_sku", Value("")), "sku"))
        .exclude(code="")
        .values("order__channel_id", "order__channel__name", "code")
        .annotate(orders=Count("order", distinct=True), title=Max("title"))
        .order_by("order__channel__name", "code")
    )


def affected_orders(*, merchant, channel: ChannelAccount, channel_sku: str):
    """Orders of a channel whose unmatched lines carry this channel SKU and whose lines a replay may still
    change (the core's ``LINES_EDITABLE``; later ones would only get a ``late_change`` issue)."""
    line = OrderLine.objects.filter(order=OuterRef("pk"), product__isnull=True).filter(
        Q(channel_sku=channel_sku) | Q(channel_sku="", sku=channel_sku)
    )
    issue = OrderIssue.objects.filter(order=OuterRef("pk"), code="unknown_sku", resolved_at__isnull=True)
    return (
        Order.objects.for_merchant(merchant)
        .filter(channel=channel, status__in=LINES_EDITABLE)
        .filter(Exists(line), Exists(issue))
    )


def affected_events(*, merchant, channel: ChannelAccount, channel_sku: str):
    order_ids = [
        str(pk)
        for pk in affected_orders(merchant=merchant, channel=channel, channel_sku=channel_sku).values_list(
            "pk", flat=True
        )
    ]
    if not order_ids:
        return InboundEvent.objects.none()
    return (
        InboundEvent.objects.for_merchant(merchant)
        .filter(channel=channel, status__in=[InboundStatus.PROCESSED, InboundStatus.FAILED])
        .filter(order_ids__has_any_keys=order_ids)
        .order_by("received_at")
    )


def _order_numbers(merchant, ids) -> dict[str, str]:
    ids = {str(pk) for pk in ids}
    if not ids:
        return {}
    rows = Order.objects.for_merchant(merchant).filter(pk__in=ids).values_list("pk", "number")
    return {str(pk): number for pk, number in rows}


def _actor(request) -> Actor:
    return Actor(label=request.user.email, user_id=request.user.pk)


# --- Channels ---------------------------------------------------------------------------------------------


@member_required
def channel_list(request):
    membership = current_membership(request)
    channels = channel_health_list(merchant=membership.merchant)
    return render(
        request,
        "channels/channel_list.html",
        {"channels": channels, "can_edit": membership.can_admin, "statuses": InboundStatus.choices},
    )


@admin_required
def channel_create(request):
    kind = request.GET.get("kind", "")
    form = ChannelForm(request.POST or None, kind=kind)
    if request.method == "GET" and request.htmx:
        return render(request, "channels/_credential_fields.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(merchant=_merchant(request), **form.channel_values())
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Channel %(name)s connected.") % {"name": channel.name})
            return redirect("channels:detail", channel_id=channel.pk)
    return render(request, "channels/channel_form.html", {"form": form})


@admin_writes
def channel_detail(request, channel_id):
    """The channel's page; a POST saves its stock sync settings (owners and managers only)."""
    membership = current_membership(request)
    merchant = membership.merchant
    channel = _channel_or_404(merchant, channel_id)
    stock_form = StockSyncForm.for_channel(channel, request.POST if request.method == "POST" else None)
    if request.method == "POST" and stock_form.is_valid():
        data = stock_form.cleaned_data
        stock_sync.stock_sync_settings_update(
            channel=channel,
            enabled=data["stock_sync_enabled"],
            share_percent=data["stock_share_percent"],
            buffer=data["stock_buffer"],
        )
        messages.success(
            request,
            _("Stock settings of %(name)s saved; every product is pushed again.") % {"name": channel.name},
        )
        return redirect(reverse("channels:detail", args=[channel.pk]) + "#stock-sync")
    stored = set(channel.config)
    since = timezone.now() - RECENT
    counts = dict(
        InboundEvent.objects.for_merchant(merchant)
        .filter(channel=channel, received_at__gte=since)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    recent = InboundEvent.objects.for_merchant(merchant).filter(channel=channel).defer("body")[:10]
    context = {
        "channel": channel,
        "webhook_url": request.build_absolute_uri(channel.webhook_path),
        "capabilities": _capabilities(channel),
        "config_keys": sorted(stored),
        "missing_keys": [key for key in expected_keys(channel.kind) if key not in stored],
        "counts": [(status, label, counts.get(status, 0)) for status, label in InboundStatus.choices],
        "recent_events": recent,
        "can_edit": membership.can_admin,
        "stock": {
            "capable": channel.kind in stock_sync.push_kinds(),
            "form": stock_form,
            "pushes": stock_sync.stock_push_log_list(merchant=merchant, channel=channel),
            **stock_sync.stock_sync_summary(merchant=merchant, channel=channel),
        },
    }
    return render(request, "channels/channel_detail.html", context, status=400 if stock_form.errors else 200)


@admin_required
def channel_credentials(request, channel_id):
    channel = _channel_or_404(_merchant(request), channel_id)
    form = ChannelCredentialsForm(request.POST or None, channel=channel)
    if request.method == "POST" and form.is_valid():
        services.channel_update(channel=channel, **form.channel_values())
        messages.success(request, _("Settings of %(name)s saved.") % {"name": channel.name})
        return redirect("channels:detail", channel_id=channel.pk)
    return render(
        request,
        "channels/channel_credentials.html",
        {"form": form, "channel": channel, "config_keys": sorted(channel.config)},
    )


@require_POST
@admin_required
def channel_sync(request, channel_id):
    channel = _channel_or_404(_merchant(request), channel_id)
    if not _capabilities(channel)["polls"]:
        messages.error(request, _("This channel is not polled; its platform sends its orders."))
    elif channel.status == ChannelStatus.PAUSED:
        messages.error(request, _("The channel is paused; resume it first."))
    else:
        channel_poll_task.delay(str(channel.pk))
        messages.success(request, _("Sync started. New orders appear in a moment."))
    return redirect("channels:detail", channel_id=channel.pk)


def _channel_set_status(request, channel_id, status: str, done: str):
    channel = _channel_or_404(_merchant(request), channel_id)
    services.channel_update(channel=channel, status=status)
    messages.success(request, done % {"name": channel.name})
    return redirect("channels:detail", channel_id=channel.pk)


@require_POST
@admin_required
def channel_pause(request, channel_id):
    return _channel_set_status(
        request, channel_id, ChannelStatus.PAUSED, _("%(name)s paused: it is not polled.")
    )


@require_POST
@admin_required
def channel_resume(request, channel_id):
    return _channel_set_status(request, channel_id, ChannelStatus.ACTIVE, _("%(name)s resumed."))


# --- Inbound events ---------------------------------------------------------------------------------------


@member_required
def event_list(request):
    merchant = _merchant(request)
    form = InboundEventFilterForm(request.GET or None, merchant=merchant)
    filters = form.filters()
    events = InboundEvent.objects.for_merchant(merchant).select_related("channel").defer("body", "headers")
    if filters.get("channel"):
        events = events.filter(channel=filters["channel"])
    for key in ("status", "source"):
        if filters.get(key):
            events = events.filter(**{key: filters[key]})
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    numbers = _order_numbers(merchant, {pk for event in page.object_list for pk in event.order_ids or []})
    rows = [
        (event, [(pk, numbers[pk]) for pk in event.order_ids or [] if pk in numbers])
        for event in page.object_list
    ]
    context = {"form": form, "page_obj": page, "rows": rows, "is_filtered": bool(filters)}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(
        request, "channels/_event_rows.html" if partial else "channels/event_list.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _event_or_404(merchant, event_id) -> InboundEvent:
    return get_object_or_404(
        InboundEvent.objects.for_merchant(merchant).select_related("channel"), pk=event_id
    )


def _body_text(event: InboundEvent) -> tuple[str, bool]:
    """The body for reading: pretty JSON when it is JSON, else text; (text, is_json)."""
    body = bytes(event.body)
    if imports.is_xlsx(body, event.headers.get("filename", "")):
        return "", False
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False), True
    except (ValueError, UnicodeDecodeError):
        pass
    try:
        return imports.decode_text(body), False
    except imports.ImportFileError:
        return body.decode("utf-8", errors="replace"), False


@member_required
def event_detail(request, event_id):
    membership = current_membership(request)
    event = _event_or_404(membership.merchant, event_id)
    body, is_json = _body_text(event)
    context = {
        "event": event,
        "body": body,
        "is_json": is_json,
        "body_size": len(bytes(event.body)),
        "headers": sorted(event.headers.items()),
        "orders": sorted(
            _order_numbers(membership.merchant, event.order_ids or []).items(), key=lambda o: o[1]
        ),
        "jobs": event.import_jobs.order_by("-created_at")[:5] if event.source == InboundSource.IMPORT else [],
        "can_replay": membership.can_admin,
    }
    return render(request, "channels/event_detail.html", context)


@require_GET
@member_required
def event_body(request, event_id):
    """The stored body exactly as received, as a download."""
    event = _event_or_404(_merchant(request), event_id)
    filename = event.headers.get("filename") or f"event-{event.pk}.bin"
    response = HttpResponse(bytes(event.body), content_type=event.content_type or "application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@admin_required
def event_replay(request, event_id):
    merchant = _merchant(request)
    event = _event_or_404(merchant, event_id)
    if event.source == InboundSource.IMPORT:
        job = imports.import_event_replay(merchant=merchant, event_id=event.pk, user=request.user)
        messages.success(request, _("The file is being imported again."))
        return redirect("channels:import_detail", job_id=job.pk)
    try:
        event = intake.inbound_event_replay(merchant=merchant, event_id=event.pk)
    except NotFound as error:
        raise Http404(error.message) from error
    except AdapterError as error:
        messages.error(request, _("Replay failed: %(error)s") % {"error": error})
    else:
        label = InboundStatus(event.status).label
        if event.status == InboundStatus.PROCESSED:
            messages.success(request, _("Replayed: %(status)s.") % {"status": label})
        else:
            messages.warning(
                request, _("Replayed: %(status)s. %(error)s") % {"status": label, "error": event.error}
            )
    return redirect("channels:event_detail", event_id=event.pk)


# --- SKU mappings -----------------------------------------------------------------------------------------


@admin_writes
def mapping_list(request):
    membership = current_membership(request)
    merchant = membership.merchant
    channel = None
    if request.GET.get("channel"):
        channel = (
            ChannelAccount.objects.for_merchant(merchant)
            .filter(pk=_uuid_or_none(request.GET["channel"]))
            .first()
        )
        if channel is None:
            raise Http404
    form = SkuMappingForm(request.POST or None, merchant=merchant, initial={"channel": channel})
    if request.method == "POST" and form.is_valid():
        mapping = services.sku_mapping_set(merchant=merchant, **form.cleaned_data)
        messages.success(
            request,
            _("%(channel_sku)s is now mapped to %(sku)s.")
            % {"channel_sku": mapping.channel_sku, "sku": mapping.sku},
        )
        url = reverse("channels:mappings")
        return redirect(f"{url}?mapped={mapping.pk}" + (f"&channel={channel.pk}" if channel else ""))
    mappings = (
        SkuMapping.objects.for_merchant(merchant)
        .select_related("channel")
        .order_by("channel__name", "channel_sku")
    )
    if channel is not None:
        mappings = mappings.filter(channel=channel)
    mapped = None
    if request.GET.get("mapped"):
        mapped = (
            SkuMapping.objects.for_merchant(merchant)
            .select_related("channel")
            .filter(pk=_uuid_or_none(request.GET["mapped"]))
            .first()
        )
    replay_offer = None
    if mapped is not None:
        orders = affected_orders(merchant=merchant, channel=mapped.channel, channel_sku=mapped.channel_sku)
        events = affected_events(merchant=merchant, channel=mapped.channel, channel_sku=mapped.channel_sku)
        replay_offer = {"mapping": mapped, "orders": orders.count(), "events": events.count()}
    context = {
        "form": form,
        "channel": channel,
        "channels": ChannelAccount.objects.for_merchant(merchant).order_by("name"),
        "mappings": mappings,
        "unmapped": unmapped_channel_skus(merchant=merchant, channel=channel),
        "replay_offer": replay_offer,
        "our_skus": Product.objects.for_merchant(merchant)
        .filter(is_active=True)
        .values_list("sku", "title")[:1000],
        "can_edit": membership.can_admin,
    }
    return render(request, "channels/mapping_list.html", context)


def _uuid_or_none(value: str):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


@require_POST
@admin_required
def mapping_delete(request, mapping_id):
    mapping = get_object_or_404(SkuMapping.objects.for_merchant(_merchant(request)), pk=mapping_id)
    mapping.delete()
    messages.success(request, _("Mapping of %(channel_sku)s removed.") % {"channel_sku": mapping.channel_sku})
    return redirect("channels:mappings")


@require_POST
@admin_required
def mapping_replay(request):
    """Replay the stored events of the open orders that carry a channel SKU, so a new mapping applies."""
    merchant = _merchant(request)
    form = MappingReplayForm(request.POST, merchant=merchant)
    if not form.is_valid():
        raise Http404
    channel, channel_sku = form.cleaned_data["channel"], form.cleaned_data["channel_sku"]
    events = list(affected_events(merchant=merchant, channel=channel, channel_sku=channel_sku)[:REPLAY_LIMIT])
    before = affected_orders(merchant=merchant, channel=channel, channel_sku=channel_sku).count()
    failed = 0
    for event in events:
        try:
            if event.source == InboundSource.IMPORT:
                imports.import_event_replay(merchant=merchant, event_id=event.pk, user=request.user)
            else:
                replayed = intake.inbound_event_replay(merchant=merchant, event_id=event.pk)
                failed += replayed.status == InboundStatus.FAILED
        except AdapterError:
            failed += 1
    after = affected_orders(merchant=merchant, channel=channel, channel_sku=channel_sku).count()
    messages.success(
        request,
        _("%(events)s events replayed; %(fixed)s of %(orders)s orders now have their SKU.")
        % {"events": len(events), "fixed": before - after, "orders": before},
    )
    if failed:
        messages.warning(
            request, _("%(count)s events failed again; open them to see why.") % {"count": failed}
        )
    return redirect(f"{reverse('channels:mappings')}?channel={channel.pk}")


# --- Store counter ----------------------------------------------------------------------------------------


def _clerk_store(membership):
    return membership.store if membership.role == Role.CLERK else None


@role_required(*STORE_ROLES)
def store_order(request):
    membership = current_membership(request)
    merchant = membership.merchant
    store = _clerk_store(membership)
    form = StoreOrderForm(
        request.POST or None, merchant=merchant, store=store, initial={"token": secrets.token_urlsafe(24)}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        entry = store_form.StoreOrder(
            store=data["store"],
            delivery=data["delivery"],
            customer={
                "name": data["customer_name"] or data["ship_name"],
                "phone": data["customer_phone"] or data["ship_phone"],
                "email": data["customer_email"],
            },
            address=form.address(),
            lines=tuple(form.lines),
            note=data["note"],
        )
        try:
            order, _created = store_form.store_order_submit(
                merchant=merchant, entry=entry, token=data["token"], actor=_actor(request)
            )
        except Conflict:
            sent = store_form.store_order_for_token(merchant=merchant, token=data["token"])
            form.add_error(
                None,
                _("This form was already sent as order %(number)s; start a new order to sell again.")
                % {"number": sent.number if sent else "?"},
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("channels:store_order_done", order_id=order.pk)
    context = {"form": form, "lines": form.line_rows, "has_stores": form.fields["store"].queryset.exists()}
    return render(request, "channels/store_order_form.html", context)


@role_required(*STORE_ROLES)
def store_order_done(request, order_id):
    merchant = _merchant(request)
    order = get_object_or_404(
        Order.objects.for_merchant(merchant).select_related("pickup_location").prefetch_related("lines"),
        pk=order_id,
    )
    return render(
        request,
        "channels/store_order_done.html",
        {"order": order, "taken_now": store_form.TAKEN_NOW in order.tags},
    )


@require_GET
@role_required(*STORE_ROLES)
def store_products(request):
    products, exact = store_form.store_product_search(
        merchant=_merchant(request), query=request.GET.get("q", "")
    )
    return render(
        request,
        "channels/_product_results.html",
        {"products": products, "exact": exact, "query": request.GET.get("q", "").strip()},
    )


@require_POST
@role_required(*STORE_ROLES)
def store_paste(request):
    """Smart paste: the pasted text split into recipient and address fields, shown for checking."""
    from channels.normalize.paste import parse_contact

    text = request.POST.get("paste", "")
    country = (request.POST.get("country") or "CN").upper()[:2]
    parsed = parse_contact(text, country) if text.strip() else {}
    initial = {
        "ship_name": parsed.get("name", ""),
        "ship_phone": parsed.get("phone", ""),
        **{key: parsed.get(key, "") for key in ("province", "city", "district", "detail", "postal_code")},
        "country": parsed.get("country") or country,
    }
    context = {
        "form": StoreAddressForm(initial=initial),
        "parsed": bool(parsed),
        "problems": _paste_problems(parsed),
    }
    return render(request, "channels/_store_address.html", context)


def _paste_problems(parsed: dict) -> list[str]:
    known = {
        "missing_phone": _("No phone number found."),
        "missing_name": _("No name found."),
        "unknown_region": _("No known province, city or district found."),
        "missing_address": _("No address found."),
        "incomplete_address": _("The address is incomplete: check the district and the street."),
        "invalid_phone": _("The phone number is not valid."),
    }
    problems = []
    for problem in parsed.get("problems", []):
        code = problem.get("code", "") if isinstance(problem, dict) else str(problem)
        message = problem.get("message", code) if isinstance(problem, dict) else str(problem)
        problems.append(str(known.get(code, message)))
    return problems


# --- Import -----------------------------------------------------------------------------------------------


@admin_writes
def import_start(request):
    membership = current_membership(request)
    merchant = membership.merchant
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.import_job_create(
            merchant=merchant,
            user=request.user,
            filename=upload.name,
            content=upload.read(),
            content_type=upload.content_type or "",
        )
        return redirect("channels:import_detail", job_id=job.pk)
    jobs = ImportJob.objects.for_merchant(merchant).defer("errors", "created_orders", "existing_orders")[:10]
    context = {
        "form": form,
        "jobs": jobs,
        "columns": imports.COLUMNS,
        "can_edit": membership.can_admin,
    }
    return render(request, "channels/import_form.html", context)


@require_GET
@member_required
def import_template(request, file_format):
    if file_format == "xlsx":
        response = HttpResponse(imports.template_xlsx(), content_type=imports.XLSX_TYPE)
    else:
        response = HttpResponse(imports.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="orders-template.{file_format}"'
    return response


@member_required
def import_detail(request, job_id):
    merchant = _merchant(request)
    job = imports.import_job_get(merchant=merchant, job_id=job_id)
    if job is None:
        raise Http404
    context = {"job": job}
    if job.is_finished:
        created = _order_numbers(merchant, job.created_orders)
        context.update(
            errors=[{**error, "text": imports.error_message(error)} for error in job.errors],
            created=sorted(created.items(), key=lambda item: item[1]),
            existing_count=len(job.existing_orders),
        )
    template = "channels/_import_progress.html" if request.htmx else "channels/import_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response
