"""The allocation planner: which locations serve which lines. Pure: plain data in, a plan and its reasons out.

Default policy (the merchant may change it, see ``Policy``): among the locations able to serve the order
(cold-chain goods only from ``cold_chain`` locations, same-city delivery only from locations in the customer's
city, pickup only from the chosen store), serve it from one location if one can, the nearest first; split only
when none can, along the lines, into as few parts as possible (a line that no location holds in full is taken
from several, the locations already in the plan first); when stock is short, allocate what the shortage policy
allows. Every decision carries its reason ("SH1: only location with all lines; 1,213 km").
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field

NO_RANK = 10_000
SPLIT_SEARCH_BUDGET = 20_000  # combinations of locations tried for the fewest parts; greedy beyond that


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
    rank: int = NO_RANK  # position in the merchant's location priority list


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
    rank = _nearest_key if policy.prefer_nearest else _order_key
    sites = sorted(sites, key=lambda s: rank(s, destination))
    free = {site.location_id: dict(site.available) for site in sites}

    def units_at(site: Site, need: Need) -> int:
        return (
            max(0, free[site.location_id].get(need.product_id, 0)) if eligible(site, need, destination) else 0
        )

    def fits(site: Site, group) -> bool:
        """The site can serve every need of ``group`` in full at once (needs may share a product)."""
        demand: dict = defaultdict(int)
        for need in group:
            if not eligible(site, need, destination):
                return False
            demand[need.product_id] += need.quantity
        return all(free[site.location_id].get(product, 0) >= units for product, units in demand.items())

    def take(site: Site, need: Need, units: int, why: str) -> None:
        free[site.location_id][need.product_id] = free[site.location_id].get(need.product_id, 0) - units
        result.picks.append(Pick(need.key, need.product_id, site.location_id, units))
        reason = f"{site.code}: {why}; {_km_text(distance_km(site, destination))}"
        if reason not in result.reasons:
            result.reasons.append(reason)

    if not policy.prefer_nearest or not policy.allow_split:
        whole = [site for site in sites if fits(site, needs)]
        if whole:
            site = whole[0]
            if len(whole) == 1:
                why = "only location with all lines"
            elif site.rank < NO_RANK and not policy.prefer_nearest:
                why = f"has all lines; first in the priority list of {len(whole)}"
            else:
                why = f"has all lines; nearest of {len(whole)}"
            for need in needs:
                take(site, need, need.quantity, why)
            return result

    if not policy.allow_split:
        if not policy.ship_available:
            result.short = {n.key: n.quantity for n in needs}
            result.reasons = ["no single location has every line and the order may not be split"]
            return result
        _one_site_partly(needs, sites, units_at, take)
    else:
        remaining = list(needs)
        if policy.prefer_nearest:
            for need in needs:
                site = next((s for s in sites if fits(s, [need])), None)
                if site is not None:
                    take(site, need, need.quantity, "nearest with the line")
                    remaining.remove(need)
        _split(remaining, sites, fits, take)
        used = {pick.location_id for pick in result.picks}
        served = {pick.key for pick in result.picks}
        for need in (n for n in remaining if n.key not in served):
            by_use = sorted(sites, key=lambda s: s.location_id not in used)  # stable: keeps the rank order
            total = sum(units_at(s, need) for s in by_use)
            why = (
                f"part of a line no location holds in full ({need.quantity} units)"
                if total >= need.quantity
                else "part of a short line"
            )
            missing = need.quantity
            for site in by_use:
                units = min(missing, units_at(site, need))
                if units:
                    take(site, need, units, why)
                    used.add(site.location_id)
                    missing -= units
                if not missing:
                    break

    allocated: dict = defaultdict(int)
    for pick in result.picks:
        allocated[pick.key] += pick.quantity
    result.short = {n.key: n.quantity - allocated[n.key] for n in needs if allocated[n.key] < n.quantity}
    if result.short and not policy.ship_available:
        result.picks, result.reasons = [], ["stock is short and the whole order waits"]
        result.short = {n.key: n.quantity for n in needs}
    return result


def _one_site_partly(needs, sites, units_at, take) -> None:
    """No split allowed and no location has everything: the one location that can serve the most units."""
    best, best_score = None, None
    for site in sites:
        left: dict = defaultdict(int)
        units = whole = 0
        for need in needs:
            got = min(need.quantity, units_at(site, need) - left[need.product_id])
            if got > 0:
                left[need.product_id] += got
                units += got
                whole += got == need.quantity
        score = (units, whole)
        if units and (best_score is None or score > best_score):
            best, best_score = site, score
    if best is None:
        return
    total = sum(need.quantity for need in needs)
    why = f"no location has all lines, the order may not be split: serves {best_score[0]} of {total} units"
    for need in needs:
        units = min(need.quantity, units_at(best, need))
        if units:
            take(best, need, units, why)


def _split(remaining, sites, fits, take) -> None:
    """Serve the lines that single locations hold in full from as few locations as possible, nearest first."""
    coverable = [n for n in remaining if any(fits(s, [n]) for s in sites)]
    if not coverable:
        return
    candidates = [s for s in sites if any(fits(s, [n]) for n in coverable)]

    def assign(combo) -> dict | None:
        """Each line to the first location of ``combo`` that still has it; None if one is left over."""
        given: dict = {site.location_id: [] for site in combo}
        for need in coverable:
            site = next((s for s in combo if fits(s, [*given[s.location_id], need])), None)
            if site is None:
                return None
            given[site.location_id].append(need)
        return given

    tried = 0
    for size in range(1, len(candidates) + 1):
        for combo in itertools.combinations(candidates, size):  # rank order: the nearest combinations first
            tried += 1
            if tried > SPLIT_SEARCH_BUDGET:
                return _split_greedy(coverable, candidates, fits, take)
            given = assign(combo)
            if given is not None:
                for site in combo:
                    served = given[site.location_id]
                    why = (
                        f"split, serves {len(served)} of the lines"
                        if size > 1
                        else f"serves the {len(served)} line(s) a location holds in full"
                    )
                    for need in served:
                        take(site, need, need.quantity, why)
                return None
    return None


def _split_greedy(coverable, candidates, fits, take) -> None:
    left = list(coverable)
    while left:
        best, best_served = None, []
        for site in candidates:
            served: list = []
            for need in left:
                if fits(site, [*served, need]):
                    served.append(need)
            if len(served) > len(best_served):
                best, best_served = site, served
        if best is None:
            return
        for need in best_served:
            take(best, need, need.quantity, f"split, serves {len(best_served)} of the lines")
        left = [n for n in left if n not in best_served]
