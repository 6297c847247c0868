"""The sandbox shop's own order format (a small JSON document) and realistic orders to fill it with."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from decimal import Decimal

from channels.normalize.names import full_name
from oms.orders.types import NewOrder, NewOrderLine

BUYERS = [
    ("伟", "张", "13800138000", "广东省 深圳市 南山区 科苑路 15 号"),
    ("芳", "王", "13911112222", "北京市 朝阳区 建国路 93 号"),
    ("娜", "李", "13788889999", "上海市 徐汇区 漕溪北路 398 号"),
    ("洋", "刘", "13311112222", "浙江省 杭州市 西湖区 文三路 90 号"),
    ("静", "陈", "15900001111", "四川省 成都市 武侯区 天府大道北段 1700 号"),
    ("磊", "杨", "18612345678", "湖北省 武汉市 洪山区 珞喻路 1037 号"),
    ("敏", "赵", "13512345678", "江苏省 南京市 鼓楼区 汉口路 22 号"),
    ("强", "黄", "13687654321", "广东省 广州市 天河区 天河路 208 号"),
    ("杰", "周", "15811112222", "陕西省 西安市 雁塔区 小寨东路 126 号"),
    ("霞", "吴", "17712345678", "湖南省 长沙市 岳麓区 麓山南路 932 号"),
]


def generate(rng: random.Random, skus: list[tuple[str, str]], count: int, now: datetime, serial: int) -> dict:
    """A page of ``count`` sandbox orders using the merchant's SKUs (``[(sku, title)]``)."""
    orders = []
    for index in range(count):
        first, last, phone, address = rng.choice(BUYERS)
        province, city, *rest = address.split(" ")
        district, detail = (rest[0], " ".join(rest[1:])) if len(rest) > 1 else ("", " ".join(rest))
        if city.endswith("区"):
            district, city, detail = city, province, " ".join(rest)
        picks = (
            rng.sample(skus, min(len(skus), rng.choice([1, 1, 2]))) if skus else [("SANDBOX-ITEM", "Sample")]
        )
        orders.append(
            {
                "id": f"SBX-{serial + index:07d}",
                "created": now.isoformat(),
                "updated": now.isoformat(),
                "status": "paid",
                "buyer": {"first_name": first, "last_name": last, "mobile": phone},
                "address": {"province": province, "city": city, "district": district, "street": detail},
                "items": [
                    {
                        "sku": sku,
                        "title": title,
                        "qty": rng.choice([1, 1, 2]),
                        "price": rng.choice(["39.00", "59.90", "88.00"]),
                    }
                    for sku, title in picks
                ],
                "shipping": rng.choice(["0.00", "8.00"]),
            }
        )
    return {"orders": orders, "serial": serial + count}


def parse_page(body: bytes) -> list[NewOrder]:
    page = json.loads(body, parse_float=Decimal)
    return [order_from_sandbox(order) for order in page["orders"]]


def order_from_sandbox(order: dict) -> NewOrder:
    buyer, address = order["buyer"], order["address"]
    name = full_name(buyer.get("first_name"), buyer.get("last_name"))
    return NewOrder(
        external_id=order["id"],
        external_number=order["id"],
        currency="CNY",
        placed_at=datetime.fromisoformat(order["created"]).astimezone(UTC),
        platform_updated_at=datetime.fromisoformat(order["updated"]).astimezone(UTC),
        platform_status=order["status"],
        payment_pending=order["status"] == "unpaid",
        cancelled=order["status"] == "cancelled",
        customer={"name": name, "phone": buyer.get("mobile", "")},
        shipping_address={
            "name": name,
            "phone": buyer.get("mobile", ""),
            "country": "CN",
            "province": address["province"],
            "city": address["city"],
            "district": address["district"],
            "detail": address["street"],
        },
        shipping_total=Decimal(str(order.get("shipping", "0"))),
        lines=tuple(
            NewOrderLine(
                sku=item["sku"],
                channel_sku=item["sku"],
                title=item["title"],
                quantity=int(item["qty"]),
                unit_price=Decimal(str(item["price"])),
            )
            for item in order["items"]
        ),
    )
