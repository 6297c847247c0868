"""Helpers of the inventory page tests: locations, products, stock received through the ledger service,
orders with product lines at a given time, suppliers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels.services import channel_for_internal
from inventory.models import StockLevel, StockMove, Supplier, SupplierProduct
from inventory.services.stock import stock_adjust
from oms.catalog.models import BundleComponent, Product
from oms.core.actors import Actor
from oms.locations.models import Location
from oms.orders.services import order_create
from oms.orders.types import NewOrder, NewOrderLine
from oms.tenancy.models import Role
from tests.dashboard.conftest import SHENZHEN, client_for, make_member

ACTOR = Actor.system("test")


def make_location(merchant, code: str, **values) -> Location:
    values.setdefault("name", f"Warehouse {code}")
    return Location.objects.create(merchant=merchant, code=code, **values)


def make_product(merchant, sku: str, **values) -> Product:
    values.setdefault("title", f"Product {sku}")
    return Product.objects.create(merchant=merchant, sku=sku, **values)


def make_bundle(merchant, sku: str, parts: dict[Product, int]) -> Product:
    bundle = make_product(merchant, sku)
    for component, quantity in parts.items():
        BundleComponent.objects.create(
            merchant=merchant, bundle=bundle, component=component, quantity=quantity
        )
    return bundle


def receive(merchant, code: str, sku: str, units: int, *, safety: int | None = None):
    return stock_adjust(
        merchant=merchant, warehouse=code, sku=sku, delta=units, safety=safety, kind="receipt", actor=ACTOR
    )


def adjust(merchant, code: str, sku: str, delta: int):
    return stock_adjust(merchant=merchant, warehouse=code, sku=sku, delta=delta, reason="test", actor=ACTOR)


def level(merchant, code: str, sku: str) -> StockLevel | None:
    return StockLevel.objects.filter(merchant=merchant, location__code=code, product__sku=sku).first()


def moves(merchant, sku: str) -> list[tuple]:
    return list(
        StockMove.objects.filter(merchant=merchant, product__sku=sku)
        .order_by("created_at", "pk")
        .values_list("location__code", "kind", "on_hand_delta", "allocated_delta", "safety_delta")
    )


def sell(merchant, sku: str, quantity: int, *, placed_at, cancelled: bool = False, customer: str = "Li Lei"):
    order, _ = order_create(
        merchant=merchant,
        channel=channel_for_internal(merchant=merchant, kind="api"),
        data=NewOrder(
            lines=(NewOrderLine(sku=sku, quantity=quantity, unit_price=Decimal("10")),),
            placed_at=placed_at,
            customer={"name": customer, "phone": "13800138000"},
            shipping_address=SHENZHEN,
            cancelled=cancelled,
        ),
        actor=ACTOR,
    )
    return order


def make_supplier(merchant, name: str, *, links: dict[Product, dict] | None = None, **values) -> Supplier:
    supplier = Supplier.objects.create(merchant=merchant, name=name, **values)
    for product, terms in (links or {}).items():
        SupplierProduct.objects.create(merchant=merchant, supplier=supplier, product=product, **terms)
    return supplier


@pytest.fixture
def client_as(merchant):
    """A logged-in client of a new member of Acme with the given role."""

    def make(role: str):
        store = make_location(merchant, f"STORE-{role}", kind="store") if role == Role.CLERK else None
        return client_for(make_member(merchant, role, store=store).user)

    return make
