"""Every channel adapter, by channel kind: the one place that knows which platforms exist."""

from __future__ import annotations

from importlib import import_module

from channels.adapters.base import ChannelAdapter

KINDS = (
    "shopify",
    "woocommerce",
    "bigcommerce",
    "amazon",
    "taobao",
    "jd",
    "pinduoduo",
    "douyin",
    "youzan",
    "sandbox",
)
ADAPTERS: dict[str, str] = {kind: f"channels.adapters.{kind}.adapter" for kind in KINDS}


def get_adapter(kind: str) -> ChannelAdapter | None:
    """The adapter of a platform kind; None for the internal kinds (store, api, csv)."""
    path = ADAPTERS.get(kind)
    if path is None:
        return None
    try:
        return import_module(path).ADAPTER
    except ModuleNotFoundError as exc:
        if exc.name and path.startswith(exc.name):
            return None
        raise


def polling_kinds() -> list[str]:
    return [kind for kind in ADAPTERS if getattr(get_adapter(kind), "polls", False)]


def webhook_kinds() -> list[str]:
    return [kind for kind in ADAPTERS if getattr(get_adapter(kind), "receives_webhooks", False)]
