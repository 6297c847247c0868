"""Channel, inventory, fulfillment and tracking pages of the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from channels.models import ChannelAccount
from oms.catalog.models import Product
from oms.locations.models import Location
from oms.tenancy.models import Role
from tests.dashboard.conftest import client_for, make_member

pytestmark = pytest.mark.django_db


def test_connecting_a_channel_shows_its_full_webhook_url(owner_client, merchant):
    response = owner_client.post(
        reverse("channels:create"),
        {
            "kind": "shopify",
            "name": "Acme Shopify",
            "webhook_secret": "shpss_1",
            "config": '{"shop": "acme"}',
        },
    )

    channel = ChannelAccount.objects.get(merchant=merchant, name="Acme Shopify")
    assert response.status_code == 302
    assert response.url == reverse("channels:detail", args=[channel.pk])
    assert (channel.kind, channel.config, channel.webhook_secret) == ("shopify", {"shop": "acme"}, "shpss_1")
    html = owner_client.get(response.url).content.decode()
    assert f"http://testserver/webhooks/shopify/{channel.webhook_token}/" in html
    assert "shpss_1" not in html
    assert "<code>shop</code>" in html
    assert "acme</code>" not in html


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("{not json", "Enter a valid JSON."),
        ("[1, 2]", "The settings must be a JSON object: {…}."),
    ],
)
def test_channel_config_must_be_a_json_object(owner_client, merchant, config, message):
    response = owner_client.post(
        reverse("channels:create"), {"kind": "shopify", "name": "Shop", "config": config}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["config"] == [message]
    assert not ChannelAccount.objects.filter(merchant=merchant, name="Shop").exists()


def test_internal_kinds_are_not_offered_when_connecting(owner_client):
    kinds = {
        value
        for value, _ in owner_client.get(reverse("channels:create")).context["form"].fields["kind"].choices
    }

    assert {"api", "store", "csv"} & kinds == set()
    assert {"shopify", "taobao", "sandbox"} <= kinds


def test_viewer_sees_channels_but_no_connect_button(merchant):
    ChannelAccount.objects.create(merchant=merchant, kind="jd", name="Acme JD")
    viewer = client_for(make_member(merchant, Role.VIEWER).user)

    html = viewer.get(reverse("channels:list")).content.decode()

    assert "Acme JD" in html
    assert reverse("channels:create") not in html
    assert viewer.get(reverse("channels:create")).status_code == 403


def test_locations_list_shows_their_fields(owner_client, merchant):
    Location.objects.create(
        merchant=merchant,
        code="SZ-1",
        name="Shenzhen store",
        kind="store",
        address={"city": "深圳市", "district": "南山区"},
        capabilities=["pickup", "same_city"],
    )

    html = owner_client.get(reverse("inventory:locations")).content.decode()

    assert "<code>SZ-1</code>" in html
    assert "Shenzhen store" in html
    assert "深圳市 / 南山区" in html
    assert "pickup, same_city" in html


@pytest.mark.parametrize(
    ("search", "shown"), [("", {"TEA-1", "CUP-1"}), ("tea", {"TEA-1"}), ("690123", {"CUP-1"})]
)
def test_products_search(owner_client, merchant, search, shown):
    Product.objects.create(
        merchant=merchant, sku="TEA-1", title="Green tea", weight_grams=250, reorder_point=5
    )
    Product.objects.create(merchant=merchant, sku="CUP-1", title="Cup", barcode="690123")

    response = owner_client.get(reverse("inventory:products"), {"search": search})

    assert {product.sku for product in response.context["page_obj"].object_list} == shown


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("fulfillment:shipments", "Shipments appear here once orders are dispatched."),
        ("tracking:parcels", "Parcels being tracked appear here."),
    ],
)
def test_later_stages_show_an_honest_empty_state(owner_client, name, text):
    response = owner_client.get(reverse(name))

    assert response.status_code == 200
    assert text in response.content.decode()
    assert "<table" not in response.content.decode()
