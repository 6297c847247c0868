"""Stock fixtures: locations in real Chinese districts (their coordinates come from the division list), SKUs,
receipts through the ledger service and orders through ``order_create``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from channels.services import channel_for_internal
from inventory.models import Allocation, AllocationPolicy, AllocationStatus, StockLevel
from inventory.services.stock import stock_adjust
from oms.catalog.models import BundleComponent
from oms.catalog.services import product_create
from oms.core.actors import Actor
from oms.locations.services import location_create
from oms.orders.services import order_create
from oms.orders.types import NewOrder, NewOrderLine

CLERK = Actor.system("test")

# district code -> (province, city, district)
DISTRICTS = {
    "310115": ("上海市", "上海市", "浦东新区"),
    "440305": ("广东省", "深圳市", "南山区"),
    "440304": ("广东省", "深圳市", "福田区"),
    "440106": ("广东省", "广州市", "天河区"),
    "110105": ("北京市", "北京市", "朝阳区"),
    "330106": ("浙江省", "杭州市", "西湖区"),
    "420111": ("湖北省", "武汉市", "洪山区"),
}
# code -> (district code, kind, capabilities); distances to a Shenzhen Nanshan customer: SZ1 0 km, FT1 13 km,
# GZ1 88 km, SH1 1,225 km, BJ1 1,948 km
LOCATIONS = {
    "SH1": ("310115", "warehouse", []),
    "SZ1": ("440305", "warehouse", []),
    "GZ1": ("440106", "warehouse", ["cold_chain"]),
    "BJ1": ("110105", "warehouse", ["cold_chain"]),
    "FT1": ("440304", "store", ["same_city"]),
}


def address(region_code: str, **extra) -> dict:
    province, city, district = DISTRICTS[region_code]
    return {
        "name": "王芳",
        "phone": "13800138000",
        "country": "CN",
        "province": province,
        "city": city,
        "district": district,
        "detail": "科技园 1 号",
        **extra,
    }


def make_location(merchant, code: str, region_code: str | None = None, kind=None, capabilities=None):
    default_region, default_kind, default_capabilities = LOCATIONS.get(code, ("310115", "warehouse", []))
    return location_create(
        merchant=merchant,
        code=code,
        name=code,
        kind=kind or default_kind,
        address=address(region_code or default_region),
        capabilities=default_capabilities if capabilities is None else capabilities,
    )


def make_product(merchant, sku: str, **attributes):
    return product_create(merchant=merchant, sku=sku, title=sku, attributes=attributes)


def make_bundle(merchant, sku: str, parts: dict):
    bundle = make_product(merchant, sku)
    for component, quantity in parts.items():
        BundleComponent.objects.create(
            merchant=merchant,
            bundle=bundle,
            component=merchant_product(merchant, component),
            quantity=quantity,
        )
    return bundle


def merchant_product(merchant, sku: str):
    from oms.catalog.models import Product

    return Product.objects.get(merchant=merchant, sku=sku)


def receive(merchant, warehouse: str, sku: str, units: int):
    return stock_adjust(
        merchant=merchant, warehouse=warehouse, sku=sku, delta=units, kind="receipt", actor=CLERK
    )


def place(merchant, lines: dict | list, region_code: str = "440305", channel=None, **fields):
    """Create an order (allocated on arrival when domain events fire); ``lines`` maps SKU -> quantity."""
    pairs = list(lines.items()) if isinstance(lines, dict) else list(lines)
    data = NewOrder(
        lines=tuple(NewOrderLine(sku=sku, quantity=qty, unit_price=Decimal("10")) for sku, qty in pairs),
        shipping_address=address(region_code) if region_code else {},
        customer={"name": "王芳", "phone": "13800138000"},
        **fields,
    )
    order, _ = order_create(
        merchant=merchant,
        channel=channel or channel_for_internal(merchant=merchant, kind="api"),
        data=data,
        actor=CLERK,
    )
    return order


def set_policy(merchant, **fields) -> AllocationPolicy:
    policy, _ = AllocationPolicy.objects.update_or_create(merchant=merchant, defaults=fields)
    return policy


def held(order) -> list[tuple[str, str, int]]:
    """The order's active allocations as sorted (location code, SKU, units)."""
    return sorted(
        (a.location.code, a.product.sku, a.quantity)
        for a in Allocation.objects.filter(order=order, status=AllocationStatus.ACTIVE).select_related(
            "location", "product"
        )
    )


def levels(merchant) -> dict[tuple[str, str], tuple[int, int]]:
    """(location code, SKU) -> (on hand, allocated) for every level of the merchant."""
    return {
        (level.location.code, level.product.sku): (level.on_hand, level.allocated)
        for level in StockLevel.objects.for_merchant(merchant).select_related("location", "product")
    }


@pytest.fixture
def run_events(django_capture_on_commit_callbacks):
    """Domain events (allocation on arrival, release on cancel…) run their tasks when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def sites(merchant):
    return {code: make_location(merchant, code) for code in LOCATIONS}
