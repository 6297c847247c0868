"""Another merchant's objects answer 404 on every endpoint and action, for its tokens and its users."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from channels.models import ChannelAccount
from channels.services import channel_create, channel_for_internal
from oms.catalog.models import Product
from oms.catalog.services import product_create
from oms.core.actors import Actor
from oms.locations.models import Location
from oms.locations.services import location_create
from oms.orders.models import Order
from oms.orders.services import order_create
from oms.orders.types import NewOrder, NewOrderLine


@pytest.fixture
def owned(merchant):
    """One object of each kind belonging to ``merchant``."""
    order, _ = order_create(
        merchant=merchant,
        channel=channel_for_internal(merchant=merchant, kind="api"),
        data=NewOrder(
            lines=(NewOrderLine(sku="A", quantity=1, unit_price=Decimal("5")),), external_id="OWN-1"
        ),
        actor=Actor.system(),
    )
    return {
        "orders": order,
        "warehouses": location_create(merchant=merchant, code="W1", name="W1", kind="warehouse"),
        "products": product_create(merchant=merchant, sku="SKU-1", title="One"),
        "channels": channel_create(merchant=merchant, kind="shopify", name="Shop", webhook_secret="s"),
    }


MODELS = {"orders": Order, "warehouses": Location, "products": Product, "channels": ChannelAccount}
UPDATES = {
    "warehouses": {"name": "stolen"},
    "products": {"title": "stolen"},
    "channels": {"name": "stolen"},
}


def snapshot(resource: str, obj) -> dict:
    row = MODELS[resource].objects.filter(pk=obj.pk).values().first()
    row.pop("updated_at", None)
    return row


@pytest.fixture(params=["token", "session"])
def intruder(request, rival, rival_owner) -> APIClient:
    if request.param == "token":
        return request.getfixturevalue("rival_api")
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(rival_owner)
    return client


@pytest.mark.parametrize("resource", ["orders", "warehouses", "products", "channels"])
def test_list_shows_only_own_rows(intruder, owned, resource):
    response = intruder.get(f"/api/v1/{resource}/")

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("resource", ["orders", "warehouses", "products", "channels"])
def test_detail_is_404(intruder, owned, resource):
    response = intruder.get(f"/api/v1/{resource}/{owned[resource].pk}/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("resource", ["warehouses", "products", "channels"])
@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_update_and_delete_are_404_and_change_nothing(intruder, owned, resource, method):
    before = snapshot(resource, owned[resource])

    response = getattr(intruder, method)(
        f"/api/v1/{resource}/{owned[resource].pk}/", UPDATES[resource], format="json"
    )

    assert response.status_code == 404
    assert snapshot(resource, owned[resource]) == before


@pytest.mark.parametrize("action", ["cancel", "hold", "release"])
def test_order_actions_are_404_and_change_nothing(intruder, owned, action):
    order = owned["orders"]
    before = (order.status, order.events.count())

    response = intruder.post(f"/api/v1/orders/{order.pk}/{action}/")

    assert response.status_code == 404
    order.refresh_from_db()
    assert (order.status, order.events.count()) == before


def test_same_codes_in_two_merchants_do_not_clash(api, rival_api):
    for client in (api, rival_api):
        assert (
            client.post("/api/v1/warehouses/", {"code": "SH1", "name": "x"}, format="json").status_code == 201
        )
        assert client.post("/api/v1/products/", {"sku": "S", "title": "x"}, format="json").status_code == 201

    assert api.post("/api/v1/products/", {"sku": "S", "title": "y"}, format="json").status_code == 400


def test_filtering_by_another_merchants_channel_finds_nothing(rival_api, owned):
    response = rival_api.get(f"/api/v1/orders/?channel={owned['orders'].channel_id}")

    assert response.json()["count"] == 0
