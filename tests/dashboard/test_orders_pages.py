"""Order pages: filtered list, htmx partial, detail with timeline and issues, actions, language switch."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from oms.orders.models import Order, OrderEvent, OrderStatus
from oms.tenancy.models import Role
from tests.dashboard.conftest import client_for, make_member, make_order

pytestmark = pytest.mark.django_db


def numbers_in(response) -> list[str]:
    return [order.external_number for order in response.context["page_obj"].object_list]


def event_kinds(order) -> list[str]:
    return list(
        OrderEvent.objects.filter(order=order).order_by("at", "created_at").values_list("kind", flat=True)
    )


@pytest.fixture
def orders(merchant):
    return {
        "new": make_order(merchant, external_number="EXT-NEW", customer="Han Meimei"),
        "held": make_order(merchant, external_number="EXT-HELD", customer="Zhang Wei", hold=True),
        "urgent": make_order(merchant, external_number="EXT-URGENT", customer="Wang Fang", priority="urgent"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"EXT-NEW", "EXT-HELD", "EXT-URGENT"}),
        ({"status": "on_hold"}, {"EXT-HELD"}),
        ({"status": "new"}, {"EXT-NEW", "EXT-URGENT"}),
        ({"priority": "urgent"}, {"EXT-URGENT"}),
        ({"search": "zhang"}, {"EXT-HELD"}),
        ({"search": "EXT-NEW"}, {"EXT-NEW"}),
        ({"search": "nobody"}, set()),
        ({"status": "cancelled"}, set()),
        ({"region_code": "4403"}, {"EXT-NEW", "EXT-HELD", "EXT-URGENT"}),
        ({"region_code": "440305"}, {"EXT-NEW", "EXT-HELD", "EXT-URGENT"}),
        ({"region_code": "1101"}, set()),
    ],
)
def test_filters_narrow_the_list(owner_client, orders, query, expected):
    response = owner_client.get(reverse("orders:list"), query)

    assert response.status_code == 200
    assert set(numbers_in(response)) == expected


def test_channel_filter_keeps_the_channels_orders(owner_client, orders):
    channel = orders["new"].channel

    response = owner_client.get(reverse("orders:list"), {"channel": channel.pk})

    assert set(numbers_in(response)) == {"EXT-NEW", "EXT-HELD", "EXT-URGENT"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"placed_from": "2024-05-02"}, ["LATE-NIGHT"]),
        ({"placed_to": "2024-05-01"}, []),
        ({"placed_from": "2024-05-01", "placed_to": "2024-05-02"}, ["LATE-NIGHT"]),
        ({"placed_to": "2024-05-02"}, ["LATE-NIGHT"]),
    ],
)
def test_date_filters_are_whole_days_in_the_merchants_time_zone(owner_client, merchant, query, expected):
    make_order(merchant, external_number="LATE-NIGHT", placed_at=datetime(2024, 5, 1, 16, 30, tzinfo=UTC))
    make_order(merchant, external_number="LATER", placed_at=datetime(2024, 6, 1, tzinfo=UTC))

    response = owner_client.get(
        reverse("orders:list"), {**query, "placed_to": query.get("placed_to", "2024-05-31")}
    )

    assert numbers_in(response) == expected


def test_an_invalid_filter_is_reported_and_ignored(owner_client, orders):
    response = owner_client.get(reverse("orders:list"), {"region_code": "abc", "status": "on_hold"})

    assert response.context["form"].errors["region_code"] == ["Up to six digits, such as 4403 or 440305."]
    assert numbers_in(response) == ["EXT-HELD"]


def test_htmx_request_returns_only_the_rows_partial(owner_client, orders):
    response = owner_client.get(reverse("orders:list"), {"status": "on_hold"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    names = [template.name for template in response.templates]
    assert names[0] == "orders/_order_rows.html"
    assert "base.html" not in names
    assert "<html" not in html
    assert 'class="filters' not in html
    assert "EXT-HELD" in html
    assert "EXT-NEW" not in html
    assert "HX-Request" in response["Vary"]


def test_full_page_has_the_htmx_filter_form(owner_client, orders):
    html = owner_client.get(reverse("orders:list")).content.decode()

    assert 'hx-get="/orders/"' in html
    assert 'hx-target="#order-results"' in html
    assert 'hx-push-url="true"' in html
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert f'href="/orders/{orders["new"].pk}/"' in html


def test_list_is_paginated_by_fifty(owner_client, merchant):
    for index in range(51):
        make_order(merchant, external_number=f"BULK-{index:02d}")

    first = owner_client.get(reverse("orders:list"))
    second = owner_client.get(reverse("orders:list"), {"page": 2})

    assert len(numbers_in(first)) == 50
    assert len(numbers_in(second)) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_empty_list_shows_the_empty_state(owner_client):
    html = owner_client.get(reverse("orders:list")).content.decode()

    assert "No orders yet." in html


def test_detail_shows_header_lines_issues_and_timeline(owner_client, merchant):
    order = make_order(merchant, external_number="EXT-9", placed_at=datetime(2024, 5, 1, 16, 30, tzinfo=UTC))

    response = owner_client.get(reverse("orders:detail", args=[order.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Order {order.number}" in html
    assert "EXT-9" in html
    assert "2024-05-02 00:30" in html
    assert "Asia/Shanghai" in html
    assert "Open issues" in html
    assert "<code>unknown_sku</code> line 1: SKU &#x27;A&#x27; is not in the catalog" in html
    assert "5.00 CNY" in html
    assert "广东省 深圳市 南山区" in html
    assert "Region code: 440305" in html
    assert "Not allocated yet." in html
    assert "No shipments yet." in html
    assert '<span class="timeline-kind">created</span>' in html
    assert "Order received from Open API (EXT-9)" in html


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        ("new", {"cancel", "hold", "reallocate"}),
        ("backordered", {"cancel", "hold", "reallocate"}),
        ("on_hold", {"cancel", "release"}),
        ("cancelled", set()),
    ],
)
def test_only_allowed_action_buttons_are_shown(owner_client, merchant, status, shown):
    order = make_order(merchant, external_number="EXT-1")
    Order.objects.filter(pk=order.pk).update(status=status)

    html = owner_client.get(reverse("orders:detail", args=[order.pk])).content.decode()

    actions = set(re.findall(rf'formaction="/orders/{order.pk}/(\w+)/"', html))
    assert actions == shown


def test_viewer_sees_no_action_buttons(merchant):
    order = make_order(merchant, external_number="EXT-1")
    viewer = client_for(make_member(merchant, Role.VIEWER).user)

    html = viewer.get(reverse("orders:detail", args=[order.pk])).content.decode()

    assert "formaction=" not in html


def test_hold_release_cancel_write_events(owner_client, owner, merchant):
    order = make_order(merchant, external_number="EXT-1")

    held = owner_client.post(
        reverse("orders:hold", args=[order.pk]), {"reason": "address check"}, follow=True
    )
    assert "Order put on hold." in held.content.decode()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ON_HOLD
    owner_client.post(reverse("orders:release", args=[order.pk]))
    assert Order.objects.get(pk=order.pk).status == OrderStatus.NEW
    cancelled = owner_client.post(reverse("orders:cancel", args=[order.pk]), {"reason": "customer asked"})

    assert cancelled.status_code == 302
    assert cancelled.url == reverse("orders:detail", args=[order.pk])
    assert Order.objects.get(pk=order.pk).status == OrderStatus.CANCELLED
    assert event_kinds(order) == ["created", "held", "released", "cancelled"]
    last = OrderEvent.objects.filter(order=order, kind="cancelled").get()
    assert (last.reason, last.actor_label, last.actor_id) == ("customer asked", "owner@acme.test", owner.pk)
    html = owner_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "Reason: customer asked" in html
    assert "Reason: address check" in html


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("new", "release", "only an order on hold can be released; this one is new"),
        ("cancelled", "cancel", "an order that is cancelled cannot become cancelled"),
        ("cancelled", "hold", "an order that is cancelled cannot become on_hold"),
        ("shipped", "cancel", "an order that is shipped cannot become cancelled"),
    ],
)
def test_an_illegal_action_shows_a_message_and_changes_nothing(
    owner_client, merchant, status, action, message
):
    order = make_order(merchant, external_number="EXT-1")
    Order.objects.filter(pk=order.pk).update(status=status)
    events = event_kinds(order)

    response = owner_client.post(reverse(f"orders:{action}", args=[order.pk]), follow=True)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Order.objects.get(pk=order.pk).status == status
    assert event_kinds(order) == events


def test_unknown_order_is_404(owner_client):
    missing = "00000000-0000-0000-0000-000000000000"

    assert owner_client.get(f"/orders/{missing}/").status_code == 404
    assert owner_client.post(f"/orders/{missing}/cancel/").status_code == 404


def test_language_switch_renders_chinese_labels(owner_client, orders):
    english = owner_client.get(reverse("orders:list")).content.decode()
    assert ">Orders</a>" in english

    switched = owner_client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/orders/"})

    assert switched.status_code == 302
    assert switched.url == "/orders/"
    html = owner_client.get(reverse("orders:list")).content.decode()
    assert '<html lang="zh-hans">' in html
    for label in ("订单", "库存", "履约", "物流跟踪", "渠道", "设置", "退出登录"):
        assert f">{label}<" in html, label
    detail = owner_client.get(reverse("orders:detail", args=[orders["held"].pk])).content.decode()
    assert "时间线" in detail
    assert "已暂停" in detail


def test_anonymous_is_sent_to_login_and_htmx_gets_a_client_redirect(client):
    page = client.get(reverse("orders:list"))
    partial = client.get(reverse("orders:list"), headers={"HX-Request": "true"})

    assert page.status_code == 302
    assert page.url == "/accounts/login/?next=/orders/"
    assert partial["HX-Redirect"] == "/accounts/login/"


def test_reallocate_button_logs_the_request_and_is_refused_once_cancelled(owner_client, merchant):
    order = make_order(merchant, external_number="EXT-R")

    page = owner_client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    done = owner_client.post(
        reverse("orders:reallocate", args=[order.pk]), {"reason": "policy changed"}, follow=True
    )

    assert reverse("orders:reallocate", args=[order.pk]) in page
    assert "Allocated again." in done.content.decode()
    assert order.events.get(kind="reallocation_requested").reason == "policy changed"
    owner_client.post(reverse("orders:cancel", args=[order.pk]))
    refused = owner_client.post(reverse("orders:reallocate", args=[order.pk]), follow=True)
    assert "cannot be re-allocated" in refused.content.decode()
    assert order.events.filter(kind="reallocation_requested").count() == 1
