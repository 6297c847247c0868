"""Tenant isolation of the dashboard: another merchant's ids are 404 and change nothing; lists are private."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse

from channels.models import ChannelAccount
from oms.catalog.models import Product
from oms.locations.models import Location
from oms.orders.models import OrderEvent
from oms.tenancy.models import Role
from oms.tenancy.services import api_token_create, invitation_create
from tests.dashboard.conftest import make_member, make_order, make_store

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_rows(merchant, owner):
    """One row of every kind a dashboard URL takes the id of, all belonging to Acme."""
    order = make_order(merchant, external_number="ACME-1")
    return {
        "order": order,
        "membership": make_member(merchant, Role.VIEWER),
        "invitation": invitation_create(
            merchant=merchant, email="guest@acme.test", role=Role.VIEWER, invited_by=owner
        ).invitation,
        "token": api_token_create(merchant=merchant, name="acme-erp").token,
        "channel": ChannelAccount.objects.create(merchant=merchant, kind="shopify", name="Acme Shopify"),
    }


URLS = [
    ("get", "orders:detail", "order", {}),
    ("post", "orders:cancel", "order", {"reason": "rival"}),
    ("post", "orders:hold", "order", {"reason": "rival"}),
    ("post", "orders:release", "order", {"reason": "rival"}),
    ("post", "orders:reallocate", "order", {"reason": "rival"}),
    ("post", "settings:member_update", "membership", {"role": Role.MANAGER}),
    ("post", "settings:member_remove", "membership", {}),
    ("post", "settings:invitation_revoke", "invitation", {}),
    ("post", "settings:token_revoke", "token", {}),
    ("get", "channels:detail", "channel", {}),
]


def snapshot(row) -> dict:
    return model_to_dict(type(row).objects.get(pk=row.pk))


@pytest.mark.parametrize(("method", "name", "row", "data"), URLS, ids=[name for _, name, _, _ in URLS])
def test_another_merchants_id_is_404_and_changes_nothing(rival_client, acme_rows, method, name, row, data):
    target = acme_rows[row]
    before = snapshot(target)
    events = OrderEvent.objects.filter(order=acme_rows["order"]).count()

    response = getattr(rival_client, method)(reverse(name, args=[target.pk]), data)

    assert response.status_code == 404
    assert snapshot(target) == before
    assert OrderEvent.objects.filter(order=acme_rows["order"]).count() == events


def test_every_dashboard_url_with_an_id_is_covered():
    from django.urls import get_resolver

    def names(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                yield from names(pattern, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif "_id>" in str(pattern.pattern):
                yield f"{prefix}{pattern.name}"

    dashboard = {name for name in names(get_resolver()) if not name.startswith("api:")}

    from tests.channels.test_channel_pages import URLS as CHANNEL_URLS
    from tests.inventory_pages.test_isolation_and_roles import URLS as INVENTORY_URLS

    covered = {name for _, name, _, _ in URLS + CHANNEL_URLS + INVENTORY_URLS}
    assert dashboard == covered


def test_rival_rows_are_absent_from_every_list(owner_client, merchant, rival, rival_owner):
    make_order(merchant, external_number="ACME-1", customer="Han Meimei")
    make_order(rival, external_number="RIVAL-77", customer="Zhang Wei")
    Location.objects.create(merchant=merchant, code="ACME-WH", name="Acme warehouse")
    Location.objects.create(merchant=rival, code="RIVAL-WH", name="Rival warehouse")
    Product.objects.create(merchant=merchant, sku="ACME-SKU", title="Acme tea")
    Product.objects.create(merchant=rival, sku="RIVAL-SKU", title="Rival tea")
    ChannelAccount.objects.create(merchant=merchant, kind="shopify", name="Acme Shopify")
    ChannelAccount.objects.create(merchant=rival, kind="shopify", name="Rival Shopify")
    api_token_create(merchant=merchant, name="acme-erp")
    api_token_create(merchant=rival, name="rival-erp")
    make_member(rival, Role.VIEWER, email="viewer@rival.test")
    invitation_create(merchant=rival, email="guest@rival.test", role=Role.VIEWER, invited_by=rival_owner)
    make_store(rival, "RIVAL-STORE")
    pages = {
        reverse("orders:list"): ("ACME-1", ["RIVAL-77", "Zhang Wei"]),
        reverse("inventory:locations"): ("ACME-WH", ["RIVAL-WH"]),
        reverse("inventory:products"): ("ACME-SKU", ["RIVAL-SKU"]),
        reverse("channels:list"): ("Acme Shopify", ["Rival Shopify"]),
        reverse("settings:tokens"): ("acme-erp", ["rival-erp"]),
        reverse("settings:members"): ("owner@acme.test", ["rival.test", "RIVAL-STORE", "Store RIVAL-STORE"]),
    }

    for url, (own, foreign) in pages.items():
        html = owner_client.get(url).content.decode()
        assert own in html, url
        assert [text for text in foreign if text in html] == [], url


def test_order_filter_by_a_rival_channel_shows_nothing(owner_client, merchant, rival):
    make_order(merchant, external_number="ACME-1")
    rival_order = make_order(rival, external_number="RIVAL-77")

    response = owner_client.get(reverse("orders:list"), {"channel": rival_order.channel_id})

    assert "RIVAL-77" not in response.content.decode()
    assert "channel" in response.context["form"].errors
