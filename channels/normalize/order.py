"""From what an adapter read to the standard order: names, addresses and SKUs made consistent."""

from __future__ import annotations

from dataclasses import replace

from channels.models import ChannelAccount, SkuMapping
from channels.normalize.address import normalize_address
from channels.normalize.names import format_name
from oms.catalog.models import Product
from oms.orders.types import NewOrder, NewOrderLine


def map_lines(*, channel: ChannelAccount, lines: tuple[NewOrderLine, ...]) -> tuple[NewOrderLine, ...]:
    """A line's SKU: its mapping for this channel, else the merchant SKU of the same code (auto-match)."""
    codes = {line.channel_sku or line.sku for line in lines}
    mapped = dict(
        SkuMapping.objects.for_merchant(channel.merchant)
        .filter(channel=channel, channel_sku__in=codes)
        .values_list("channel_sku", "sku")
    )
    known = set(
        Product.objects.for_merchant(channel.merchant)
        .filter(sku__in=codes | {line.sku for line in lines})
        .values_list("sku", flat=True)
    )
    out = []
    for line in lines:
        code = line.channel_sku or line.sku
        if code in mapped:
            sku = mapped[code]
        elif line.sku in known:
            sku = line.sku
        elif code in known:
            sku = code
        else:
            sku = line.sku or code
        out.append(replace(line, sku=sku, channel_sku=code))
    return tuple(out)


def normalize_order(*, channel: ChannelAccount, data: NewOrder) -> NewOrder:
    customer = dict(data.customer or {})
    customer["name"] = format_name(customer.get("name", ""))
    address = normalize_address(dict(data.shipping_address or {}))
    if address.get("name"):
        address["name"] = format_name(address["name"])
    return replace(
        data, customer=customer, shipping_address=address, lines=map_lines(channel=channel, lines=data.lines)
    )
