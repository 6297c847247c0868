"""Helpers of the dashboard tests: orders in the standard format, members with a given role, stores."""

from __future__ import annotations

from decimal import Decimal

from django.test import Client

from channels.services import channel_for_internal
from oms.core.actors import Actor
from oms.locations.models import Location, LocationKind
from oms.orders.services import order_create
from oms.orders.types import NewOrder, NewOrderLine
from oms.tenancy.models import Membership, User
from tests.conftest import PASSWORD

SHENZHEN = {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园 1 号"}


def make_order(merchant, *, external_number: str = "", customer: str = "Li Lei", sku: str = "A", **values):
    data = NewOrder(
        lines=(NewOrderLine(sku=sku, quantity=1, unit_price=Decimal("5")),),
        external_id=external_number,
        external_number=external_number,
        customer={"name": customer},
        shipping_address=SHENZHEN,
        **values,
    )
    order, _ = order_create(
        merchant=merchant,
        channel=channel_for_internal(merchant=merchant, kind="api"),
        data=data,
        actor=Actor.system(),
    )
    return order


def make_store(merchant, code: str = "S1") -> Location:
    return Location.objects.create(
        merchant=merchant, code=code, name=f"Store {code}", kind=LocationKind.STORE
    )


def make_member(merchant, role: str, *, email: str | None = None, store=None) -> Membership:
    user = User.objects.create_user(email or f"{role}@{merchant.slug}.test", PASSWORD)
    return Membership.objects.create(merchant=merchant, user=user, role=role, store=store)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
