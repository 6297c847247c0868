"""Order pages: the filtered list, the detail with its timeline, and the cancel / hold / release actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.core.actors import Actor
from oms.core.errors import DomainError, NotFound
from oms.orders import selectors, services
from oms.orders.extensions import detail_sections
from oms.orders.forms import OrderActionForm, OrderFilterForm
from oms.orders.models import OrderStatus
from oms.orders.transitions import CANCELLABLE, HOLDABLE, can_transition
from oms.tenancy.context import current_membership
from oms.tenancy.decorators import member_required

PAGE_SIZE = 50


@member_required
def order_list(request):
    merchant = current_membership(request).merchant
    form = OrderFilterForm(request.GET or None, merchant=merchant)
    filters = form.filters()
    page = Paginator(selectors.order_list(merchant=merchant, filters=filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page_obj": page, "is_filtered": bool(filters)}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "orders/_order_rows.html" if partial else "orders/order_list.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _allowed_actions(order, membership) -> dict[str, bool]:
    may_write = membership.can_write
    return {
        "cancel": may_write and order.status in CANCELLABLE,
        "hold": may_write and order.status in HOLDABLE,
        "release": may_write
        and order.status == OrderStatus.ON_HOLD
        and can_transition(OrderStatus.ON_HOLD, OrderStatus.NEW),
        "reallocate": may_write and order.status in services.REALLOCATABLE,
    }


@member_required
def order_detail(request, order_id):
    membership = current_membership(request)
    order = selectors.order_get(merchant=membership.merchant, order_id=order_id)
    if order is None:
        raise Http404
    context = {
        "order": order,
        "sections": detail_sections(order),
        "actions": _allowed_actions(order, membership),
        "action_form": OrderActionForm(),
    }
    return render(request, "orders/order_detail.html", context)


def _order_action(request, order_id, action, done_message: str):
    form = OrderActionForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        action(
            merchant=current_membership(request).merchant,
            order_id=order_id,
            actor=Actor(label=request.user.email, user_id=request.user.pk),
            reason=reason,
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done_message)
    return redirect("orders:detail", order_id=order_id)


@require_POST
@member_required
def order_cancel(request, order_id):
    return _order_action(request, order_id, services.order_cancel, _("Order cancelled."))


@require_POST
@member_required
def order_hold(request, order_id):
    return _order_action(request, order_id, services.order_hold, _("Order put on hold."))


@require_POST
@member_required
def order_release(request, order_id):
    return _order_action(request, order_id, services.order_release, _("Hold released."))


@require_POST
@member_required
def order_reallocate(request, order_id):
    return _order_action(request, order_id, services.order_reallocate, _("Allocated again."))
