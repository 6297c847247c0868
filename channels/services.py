"""Writes on channel accounts; intake (webhooks, polling, normalization) grows here in the intake issue."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from channels.models import ChannelAccount, ChannelKind, SkuMapping
from oms.core.errors import Conflict

FIELDS = ("kind", "name", "config", "webhook_secret", "status")


def channel_create(*, merchant, **values) -> ChannelAccount:
    return ChannelAccount.objects.create(
        merchant=merchant, **{k: v for k, v in values.items() if k in FIELDS}
    )


def channel_update(*, channel: ChannelAccount, **values) -> ChannelAccount:
    for key, value in values.items():
        if key in FIELDS:
            setattr(channel, key, value)
    channel.save()
    return channel


def channel_delete(*, channel: ChannelAccount) -> None:
    try:
        channel.delete()
    except ProtectedError as exc:
        raise Conflict(f"channel {channel.name} has orders; pause it instead", code="in_use") from exc


def channel_for_internal(*, merchant, kind: str) -> ChannelAccount:
    """The merchant's one account for an internal source (open API, store counter, CSV), made on first use."""
    names = {ChannelKind.API: "Open API", ChannelKind.STORE: "Store counter", ChannelKind.CSV: "CSV import"}
    found = ChannelAccount.objects.for_merchant(merchant).filter(kind=kind).order_by("created_at").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ChannelAccount.objects.create(
                merchant=merchant, kind=kind, name=str(names.get(kind, kind))
            )
    except IntegrityError:
        return ChannelAccount.objects.for_merchant(merchant).filter(kind=kind).order_by("created_at").first()


def sku_mapping_set(*, merchant, channel: ChannelAccount, channel_sku: str, sku: str) -> SkuMapping:
    """Map a channel SKU onto a merchant SKU (replacing an earlier mapping); replay events to apply it."""
    mapping, _ = SkuMapping.objects.update_or_create(
        merchant=merchant, channel=channel, channel_sku=channel_sku.strip(), defaults={"sku": sku.strip()}
    )
    return mapping
