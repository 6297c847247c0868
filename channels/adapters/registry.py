"""Every channel adapter, by channel kind: the one place that knows which platforms exist."""

from __future__ import annotations

from importlib import import_module

from channels.adapters.base import ChannelAdapter

ADAPTERS: dict[str, str] = {
    "sandbox": "channels.adapters.sandbox.adapter",
}


def get_adapter(kind: str) -> ChannelAdapter | None:
    path = ADAPTERS.get(kind)
    return import_module(path).ADAPTER if path else None


def polling_kinds() -> list[str]:
    return [kind for kind in ADAPTERS if get_adapter(kind).polls]


def webhook_kinds() -> list[str]:
    return [kind for kind in ADAPTERS if getattr(get_adapter(kind), "receives_webhooks", False)]
