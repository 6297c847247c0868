"""A demo merchant with a login, warehouses, stores, products and orders: a living dashboard at once."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.utils import timezone

from channels.models import ChannelAccount, ChannelKind
from channels.services import channel_create, channel_for_internal
from inventory.models import StockLevel
from inventory.services.stock import stock_adjust
from oms.catalog.models import Product
from oms.catalog.services import product_create
from oms.core.actors import Actor
from oms.locations.models import Location
from oms.locations.services import location_create
from oms.orders.models import Order
from oms.orders.services import order_cancel, order_create, order_hold
from oms.orders.types import NewOrder, NewOrderLine
from oms.tenancy.models import Merchant
from oms.tenancy.services import merchant_create

SLUG = "demo"
EMAIL = "demo@example.com"
PASSWORD = "Demo-Shop-2026"

LOCATIONS = [
    (
        "SH1",
        "上海浦东仓 Shanghai DC",
        "warehouse",
        ("上海市", "上海市", "浦东新区", "张江路 88 号"),
        ["cold_chain", "same_city"],
    ),
    (
        "SZ1",
        "深圳南山仓 Shenzhen DC",
        "warehouse",
        ("广东省", "深圳市", "南山区", "科技园南区 8 栋"),
        ["same_city"],
    ),
    ("CD1", "成都双流仓 Chengdu DC", "warehouse", ("四川省", "成都市", "双流区", "航空港物流园 2 号库"), []),
    (
        "BJ-S1",
        "北京三里屯店 Sanlitun store",
        "store",
        ("北京市", "北京市", "朝阳区", "三里屯路 19 号"),
        ["pickup", "same_city"],
    ),
    (
        "HZ-P1",
        "杭州西湖自提点 West Lake pickup",
        "pickup_point",
        ("浙江省", "杭州市", "西湖区", "文三路 90 号"),
        ["pickup"],
    ),
]

PRODUCTS = [
    ("TEA-LJ-250", "西湖龙井 250g Longjing tea", 300, {"fresh": False}),
    ("TEA-PU-357", "普洱茶饼 357g Pu'er cake", 420, {}),
    ("MUG-CER-01", "陶瓷马克杯 Ceramic mug", 350, {"fragile": True}),
    ("TSHIRT-RED-M", "T 恤 红 M T-shirt red M", 180, {}),
    ("TSHIRT-BLK-L", "T 恤 黑 L T-shirt black L", 190, {}),
    ("LYCHEE-1KG", "妃子笑荔枝 1kg Lychee", 1100, {"fresh": True}),
    ("MOONCAKE-6", "月饼礼盒 6 只 Mooncake box", 900, {"presale": True}),
    ("NAME-MUG", "定制刻字杯 Engraved mug", 380, {"custom": True, "fragile": True}),
]

CUSTOMERS = [
    ("张伟", "13800138000", ("广东省", "深圳市", "南山区", "粤海街道 科苑路 15 号")),
    ("王芳", "13911112222", ("北京市", "北京市", "朝阳区", "建国路 93 号 万达广场")),
    ("李娜", "13788889999", ("上海市", "上海市", "徐汇区", "漕溪北路 398 号")),
    ("刘洋", "13311112222", ("浙江省", "杭州市", "西湖区", "文三路 90 号")),
    ("陈静", "15900001111", ("四川省", "成都市", "武侯区", "天府大道北段 1700 号")),
    ("杨磊", "18612345678", ("湖北省", "武汉市", "洪山区", "珞喻路 1037 号")),
    ("赵敏", "13512345678", ("江苏省", "南京市", "鼓楼区", "汉口路 22 号")),
    ("黄强", "13687654321", ("广东省", "广州市", "天河区", "天河路 208 号")),
    ("周杰", "15811112222", ("陕西省", "西安市", "雁塔区", "小寨东路 126 号")),
    ("吴霞", "17712345678", ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放北路 2 号")),
]


class Command(BaseCommand):
    help = "Create (or top up) the demo merchant with a login, locations, products and orders."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=40)

    def handle(self, *args, orders: int, **options):
        rng = random.Random(2026)
        merchant = Merchant.objects.filter(slug=SLUG).first()
        if merchant is None:
            merchant = merchant_create(
                slug=SLUG, name="Demo Tea & Gifts 演示商店", owner_email=EMAIL, password=PASSWORD
            )
        for code, name, kind, (province, city, district, detail), capabilities in LOCATIONS:
            if not Location.objects.for_merchant(merchant).filter(code=code).exists():
                location_create(
                    merchant=merchant,
                    code=code,
                    name=name,
                    kind=kind,
                    capabilities=capabilities,
                    address={
                        "country": "CN",
                        "province": province,
                        "city": city,
                        "district": district,
                        "detail": detail,
                    },
                )
        for sku, title, grams, attributes in PRODUCTS:
            if not Product.objects.for_merchant(merchant).filter(sku=sku).exists():
                product_create(
                    merchant=merchant,
                    sku=sku,
                    title=title,
                    weight_grams=grams,
                    attributes=attributes,
                    reorder_point=20,
                    barcode=f"69{rng.randrange(10**10, 10**11)}",
                )
        if not StockLevel.objects.for_merchant(merchant).exists():
            self._stock(merchant, rng)
        if not ChannelAccount.objects.for_merchant(merchant).filter(kind=ChannelKind.SANDBOX).exists():
            channel_create(merchant=merchant, kind=ChannelKind.SANDBOX, name="Sandbox shop 沙盒店铺")
        sources = [
            ChannelAccount.objects.for_merchant(merchant).get(kind=ChannelKind.SANDBOX),
            channel_for_internal(merchant=merchant, kind=ChannelKind.API),
            channel_for_internal(merchant=merchant, kind=ChannelKind.STORE),
        ]
        already = Order.objects.for_merchant(merchant).count()
        for index in range(already, already + orders):
            self._order(merchant, rng, sources[index % len(sources)], index)
        self.stdout.write(
            self.style.SUCCESS(
                f"demo merchant ready: {Order.objects.for_merchant(merchant).count()} orders\n"
                f"  log in as {EMAIL} / {PASSWORD} at the address printed below"
            )
        )

    def _stock(self, merchant, rng: random.Random) -> None:
        """Opening stock: warehouses hold most SKUs, fresh goods only where there is a cold chain."""
        for code, _, kind, _, capabilities in LOCATIONS:
            if kind == "pickup_point":
                continue
            for sku, _, _, attributes in PRODUCTS:
                if attributes.get("fresh") and "cold_chain" not in capabilities:
                    continue
                units = rng.choice([0, 5, 12, 30, 60]) if kind == "warehouse" else rng.choice([0, 3, 8])
                if units:
                    stock_adjust(
                        merchant=merchant,
                        warehouse=code,
                        sku=sku,
                        delta=units,
                        kind="receipt",
                        reason="opening stock",
                        actor=Actor.system("demo"),
                    )

    def _order(self, merchant, rng: random.Random, channel, index: int) -> None:
        name, phone, (province, city, district, detail) = rng.choice(CUSTOMERS)
        picks = rng.sample(PRODUCTS, rng.choice([1, 1, 2, 3]))
        lines = tuple(
            NewOrderLine(
                sku=sku,
                title=title,
                quantity=rng.choice([1, 1, 2, 3]),
                unit_price=Decimal(rng.choice(["39.00", "59.90", "88.00", "128.00", "199.00"])),
            )
            for sku, title, _, _ in picks
        )
        if index % 13 == 7:
            lines += (
                NewOrderLine(
                    sku="OLD-SKU-404", title="下架商品 Retired item", quantity=1, unit_price=Decimal("9.90")
                ),
            )
        data = NewOrder(
            lines=lines,
            external_id=f"DEMO-{index + 1:05d}",
            external_number=f"#{10000 + index}",
            currency="CNY",
            placed_at=timezone.now() - timedelta(minutes=rng.randrange(5, 60 * 24 * 7)),
            priority=rng.choice(["normal"] * 6 + ["high", "urgent", "low"]),
            order_type="fresh" if any(p[3].get("fresh") for p in picks) else "normal",
            delivery_method=rng.choice(["express"] * 5 + ["same_city"]),
            customer={"name": name, "phone": phone, "email": f"buyer{index}@example.com"},
            shipping_address={
                "name": name,
                "phone": phone,
                "country": "CN",
                "province": province,
                "city": city,
                "district": district,
                "detail": detail,
            },
            shipping_total=Decimal(rng.choice(["0.00", "8.00", "12.00"])),
            discount_total=Decimal(rng.choice(["0.00", "0.00", "5.00"])),
            note=rng.choice(["", "", "请工作日送货 deliver on weekdays", "礼品包装 gift wrap"]),
        )
        order, _ = order_create(merchant=merchant, channel=channel, data=data, actor=Actor.system("demo"))
        if index % 11 == 3:
            order_hold(
                merchant=merchant,
                order_id=order.pk,
                actor=Actor.system("demo"),
                reason="address to confirm with buyer",
            )
        elif index % 17 == 5:
            order_cancel(
                merchant=merchant, order_id=order.pk, actor=Actor.system("demo"), reason="buyer changed mind"
            )
