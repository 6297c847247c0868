"""The allocation planner: which locations serve which lines. Pure: plain data in, a plan and its reasons out.

Default policy (the merchant may change it, see ``Policy``): among the locations able to serve the order
(cold-chain goods only from ``cold_chain`` locations, same-city delivery only from locations in the customer's
city, pickup only from the chosen store), serve it from one location if one can, the nearest first; split only
when none can, along the lines, into as few parts as possible; when stock is short, allocate what the shortage
policy allows. Every decision carries its reason ("SH1: only location with all lines; 1,213 km").
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Need:
    """Units of one product one order line still needs (a bundle line becomes one need per component)."""

    key: str
    product_id: object
    quantity: int
    cold_chain: bool = False


@dataclass
class Site:
    location_id: object
    code: str
    region_code: str
    latitude: float | None
    longitude: float | None
    capabilities: frozenset[str]
    available: dict  # product_id -> units free to allocate (after safety stock and channel holdback)
    rank: int = 10_000  # position in the merchant's location priority list


@dataclass(frozen=True)
class Policy:
    prefer_nearest: bool = False
    allow_split: bool = True
    ship_available: bool = True


@dataclass(frozen=True)
class Destination:
    region_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    delivery_method: str = "express"
    pickup_location_id: object | None = None


@dataclass(frozen=True)
class Pick:
    key: str
    product_id: object
    location_id: object
    quantity: int


@dataclass
class Plan:
    picks: list[Pick] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    short: dict = field(default_factory=dict)  # need key -> units that could not be allocated

    @property
    def is_complete(self) -> bool:
        return not self.short


def distance_km(site: Site, destination: Destination) -> float | None:
    if None in (site.latitude, site.longitude, destination.latitude, destination.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(
        math.radians, (site.latitude, site.longitude, destination.latitude, destination.longitude)
    )
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _km_text(km: float | None) -> str:
    return "distance unknown" if km is None else f"{km:,.0f} km"


def _same_city(site: Site, destination: Destination) -> bool:
    return (
        bool(site.region_code and destination.region_code)
        and site.region_code[:4] == destination.region_code[:4]
    )


def eligible(site: Site, need: Need, destination: Destination) -> bool:
    if need.cold_chain and "cold_chain" not in site.capabilities:
        return False
    if destination.delivery_method == "pickup" and destination.pickup_location_id is not None:
        return site.location_id == destination.pickup_location_id
    if destination.delivery_method == "same_city":
        return _same_city(site, destination)
    return True


def _order_key(site: Site, destination: Destination) -> tuple:
    km = distance_km(site, destination)
    return (site.rank, math.inf if km is None else km, site.code)


def _nearest_key(site: Site, destination: Destination) -> tuple:
    km = distance_km(site, destination)
    return (math.inf if km is None else km, site.rank, site.code)


def plan(needs: list[Need], sites: list[Site], destination: Destination, policy: Policy) -> Plan:
    needs = [need for need in needs if need.quantity > 0]
    result = Plan()
    if not needs:
        return result
    free = {site.location_id: dict(site.available) for site in sites}
    rank = _nearest_key if policy.prefer_nearest else _order_key

    def can_serve(site: Site, need: Need, units: int) -> bool:
        return eligible(site, need, destination) and free[site.location_id].get(need.product_id, 0) >= units

    def take(site: Site, need: Need, units: int, reason: str) -> None:
        free[site.location_id][need.product_id] = free[site.location_id].get(need.product_id, 0) - units
        result.picks.append(Pick(need.key, need.product_id, site.location_id, units))
        if reason not in result.reasons:
            result.reasons.append(reason)

    whole = sorted(
        (s for s in sites if all(can_serve(s, n, n.quantity) for n in needs)),
        key=lambda s: rank(s, destination),
    )
    if whole and not policy.prefer_nearest:
        site = whole[0]
        why = "only location with all lines" if len(whole) == 1 else f"has all lines; nearest of {len(whole)}"
        if site.rank < 10_000 and len(whole) > 1:
            why = f"has all lines; first in the priority list of {len(whole)}"
        for need in needs:
            take(site, need, need.quantity, f"{site.code}: {why}; {_km_text(distance_km(site, destination))}")
        return result

    if policy.prefer_nearest:
        for need in needs:
            options = sorted(
                (s for s in sites if can_serve(s, need, need.quantity)), key=lambda s: rank(s, destination)
            )
            if options:
                site = options[0]
                take(
                    site,
                    need,
                    need.quantity,
                    f"{site.code}: nearest with the line; {_km_text(distance_km(site, destination))}",
                )
        remaining = [n for n in needs if not any(p.key == n.key for p in result.picks)]
    else:
        remaining = list(needs)

    if policy.allow_split:
        while remaining:
            scored = []
            for site in sites:
                served = [n for n in remaining if can_serve(site, n, n.quantity)]
                if served:
                    scored.append(
                        (
                            -sum(n.quantity for n in served),
                            -len(served),
                            rank(site, destination),
                            site,
                            served,
                        )
                    )
            if not scored:
                break
            *_, site, served = min(scored, key=lambda item: item[:3])
            for need in served:
                take(
                    site,
                    need,
                    need.quantity,
                    f"{site.code}: split, serves {len(served)} of the lines; "
                    + _km_text(distance_km(site, destination)),
                )
            remaining = [n for n in remaining if n not in served]
    elif remaining and not policy.ship_available:
        result.short = {n.key: n.quantity for n in needs}
        result.picks, result.reasons = (
            [],
            ["no single location has every line and the order may not be split"],
        )
        return result

    for need in remaining:
        missing = need.quantity
        if policy.ship_available and (policy.allow_split or not result.picks):
            options = sorted((s for s in sites if can_serve(s, need, 1)), key=lambda s: rank(s, destination))
            if not policy.allow_split:
                used = {p.location_id for p in result.picks}
                options = [s for s in options if not used or s.location_id in used][:1]
            for site in options:
                units = min(missing, free[site.location_id].get(need.product_id, 0))
                if units > 0:
                    take(
                        site,
                        need,
                        units,
                        f"{site.code}: part of a short line; {_km_text(distance_km(site, destination))}",
                    )
                    missing -= units
                if missing == 0:
                    break
        if missing:
            result.short[need.key] = missing

    if result.short and not policy.ship_available:
        result.picks, result.reasons = [], ["stock is short and the whole order waits"]
        result.short = {n.key: n.quantity for n in needs}
    return result
