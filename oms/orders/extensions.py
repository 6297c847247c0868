"""Sections that later stages add to the order detail (allocations, shipments, tracking link).

The core does not import the stages; a stage registers ``fn(order) -> value`` under a key in its
``AppConfig.ready`` and the order serializer and page render whatever is registered.
"""

from __future__ import annotations

from collections.abc import Callable

_sections: dict[str, Callable] = {}
DEFAULTS = {"allocations": list, "shipments": list, "tracking_url": lambda: None}


def register_section(key: str, fn: Callable) -> None:
    _sections[key] = fn


def detail_sections(order) -> dict:
    values = {key: make() for key, make in DEFAULTS.items()}
    for key, fn in _sections.items():
        values[key] = fn(order)
    return values


_stock_holders: list[Callable] = []


def register_stock_holder(fn: Callable) -> None:
    """``fn(order) -> bool``: whether a stage holds stock for the order (then its lines stay as they are)."""
    _stock_holders.append(fn)


def order_holds_stock(order) -> bool:
    return any(fn(order) for fn in _stock_holders)
