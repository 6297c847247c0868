"""The pure allocation planner: plain data in, picks, shortages and reasons out (no database)."""

from __future__ import annotations

import pytest

from inventory.planner import Destination, Need, Pick, Policy, Site, distance_km, plan
from oms.core import divisions

# code -> district code; distances to a Shenzhen Nanshan customer: SZ1 0 km, FT1 13 km, GZ1 88 km,
# SH1 1,225 km, WH1 887 km, BJ1 1,948 km
REGIONS = {
    "SZ1": "440305",
    "FT1": "440304",
    "GZ1": "440106",
    "SH1": "310115",
    "WH1": "420111",
    "BJ1": "110105",
}
SHENZHEN = "440305"


def site(code: str, stock: dict, capabilities=(), rank: int = 10_000, located: bool = True) -> Site:
    point = divisions.by_code(REGIONS[code])
    return Site(
        location_id=code,
        code=code,
        region_code=REGIONS[code],
        latitude=point.latitude if located else None,
        longitude=point.longitude if located else None,
        capabilities=frozenset(capabilities),
        available=dict(stock),
        rank=rank,
    )


def to(region_code: str = SHENZHEN, **fields) -> Destination:
    point = divisions.by_code(region_code)
    return Destination(region_code=region_code, latitude=point.latitude, longitude=point.longitude, **fields)


def needs(**lines) -> list[Need]:
    """One need per line, keyed by the line name, for the product of the same name (``A=2`` → 2 × A)."""
    return [Need(key=name, product_id=name, quantity=units) for name, units in lines.items()]


def picks(result) -> list[tuple[str, str, int]]:
    return sorted((p.location_id, p.key, p.quantity) for p in result.picks)


def test_the_only_location_with_every_line_serves_the_whole_order():
    result = plan(
        needs(A=2, B=1),
        [site("GZ1", {"A": 5}), site("SH1", {"A": 2, "B": 1})],
        to(),
        Policy(),
    )

    assert picks(result) == [("SH1", "A", 2), ("SH1", "B", 1)]
    assert result.reasons == ["SH1: only location with all lines; 1,225 km"]
    assert result.short == {} and result.is_complete


def test_the_nearest_of_several_complete_locations_serves():
    result = plan(
        needs(A=1),
        [site("SH1", {"A": 9}), site("GZ1", {"A": 1}), site("BJ1", {"A": 9})],
        to(),
        Policy(),
    )

    assert picks(result) == [("GZ1", "A", 1)]
    assert result.reasons == ["GZ1: has all lines; nearest of 3; 88 km"]


def test_fewest_locations_beat_a_nearer_one_that_has_only_part():
    result = plan(
        needs(A=1, B=1),
        [site("SZ1", {"A": 9}), site("BJ1", {"A": 1, "B": 1})],
        to(),
        Policy(),
    )

    assert picks(result) == [("BJ1", "A", 1), ("BJ1", "B", 1)]
    assert result.reasons == ["BJ1: only location with all lines; 1,948 km"]


def test_split_along_the_lines_only_when_no_location_has_everything():
    result = plan(needs(A=2, B=1), [site("GZ1", {"A": 2}), site("SH1", {"B": 3})], to(), Policy())

    assert picks(result) == [("GZ1", "A", 2), ("SH1", "B", 1)]
    assert result.reasons == [
        "GZ1: split, serves 1 of the lines; 88 km",
        "SH1: split, serves 1 of the lines; 1,225 km",
    ]
    assert result.is_complete


def test_split_takes_as_few_parts_as_possible_not_the_location_with_most_units():
    # SZ1 holds the two big lines (20 units) but taking it first would leave four small lines on two more
    # locations: three parts. SH1 + BJ1 serve everything in two.
    lines = needs(L1=1, L2=1, L3=10, L4=10, L5=1, L6=1)
    result = plan(
        lines,
        [
            site("SZ1", {"L3": 10, "L4": 10}),
            site("SH1", {"L1": 1, "L2": 1, "L3": 10}),
            site("BJ1", {"L4": 10, "L5": 1, "L6": 1}),
        ],
        to(),
        Policy(),
    )

    assert {p.location_id for p in result.picks} == {"SH1", "BJ1"}
    assert picks(result) == [
        ("BJ1", "L4", 10),
        ("BJ1", "L5", 1),
        ("BJ1", "L6", 1),
        ("SH1", "L1", 1),
        ("SH1", "L2", 1),
        ("SH1", "L3", 10),
    ]


def test_among_equally_small_splits_the_nearest_locations_serve():
    result = plan(
        needs(A=1, B=1),
        [site("BJ1", {"A": 1}), site("SH1", {"B": 1}), site("GZ1", {"A": 1}), site("SZ1", {"B": 1})],
        to(),
        Policy(),
    )

    assert picks(result) == [("GZ1", "A", 1), ("SZ1", "B", 1)]


def test_two_lines_of_one_product_are_served_together_within_the_stock_of_a_location():
    # GZ1 has 4: enough for either line, not for both (6); SH1 has 6.
    lines = [Need("line-1", "A", 3), Need("line-2", "A", 3)]

    result = plan(lines, [site("GZ1", {"A": 4}), site("SH1", {"A": 6})], to(), Policy())

    assert picks(result) == [("SH1", "line-1", 3), ("SH1", "line-2", 3)]
    assert result.reasons == ["SH1: only location with all lines; 1,225 km"]


@pytest.mark.parametrize("ship_available", [True, False])
def test_a_line_no_location_holds_in_full_is_served_from_several(ship_available):
    result = plan(
        needs(A=5),
        [site("SH1", {"A": 3}), site("GZ1", {"A": 3})],
        to(),
        Policy(ship_available=ship_available),
    )

    assert picks(result) == [("GZ1", "A", 3), ("SH1", "A", 2)]
    assert result.is_complete
    assert result.reasons == [
        "GZ1: part of a line no location holds in full (5 units); 88 km",
        "SH1: part of a line no location holds in full (5 units); 1,225 km",
    ]


def test_short_stock_allocates_what_is_there_under_ship_available():
    result = plan(needs(A=5, B=1), [site("GZ1", {"A": 3, "B": 1})], to(), Policy(ship_available=True))

    assert picks(result) == [("GZ1", "A", 3), ("GZ1", "B", 1)]
    assert result.short == {"A": 2}
    assert not result.is_complete
    assert result.reasons == [
        "GZ1: serves the 1 line(s) a location holds in full; 88 km",
        "GZ1: part of a short line; 88 km",
    ]


def test_short_stock_makes_the_whole_order_wait_under_wait_whole():
    result = plan(needs(A=5, B=1), [site("GZ1", {"A": 3, "B": 1})], to(), Policy(ship_available=False))

    assert result.picks == []
    assert result.short == {"A": 5, "B": 1}
    assert result.reasons == ["stock is short and the whole order waits"]


def test_nothing_anywhere_is_short_in_full():
    result = plan(needs(A=2), [site("GZ1", {"B": 3})], to(), Policy())

    assert result.picks == [] and result.short == {"A": 2} and result.reasons == []


@pytest.mark.parametrize(
    ("cold_sites", "expected"),
    [
        (("BJ1",), [("BJ1", "A", 1)]),  # the near ones are not cold-chain: far but cold it is
        ((), []),  # no cold chain anywhere: nothing, however much stock there is
    ],
)
def test_cold_chain_goods_only_from_cold_chain_locations(cold_sites, expected):
    cold = [Need("A", "A", 1, cold_chain=True)]
    candidates = [
        site("SZ1", {"A": 9}),
        site("GZ1", {"A": 9}),
        site("BJ1", {"A": 9}, capabilities=("cold_chain",) if "BJ1" in cold_sites else ()),
    ]

    result = plan(cold, candidates, to(), Policy())

    assert picks(result) == expected
    assert result.short == ({} if expected else {"A": 1})


def test_ordinary_lines_of_a_cold_order_may_come_from_anywhere_only_the_cold_line_is_constrained():
    lines = [Need("fish", "fish", 1, cold_chain=True), Need("mug", "mug", 1)]

    result = plan(
        lines,
        [site("SZ1", {"fish": 5, "mug": 5}), site("BJ1", {"fish": 5}, capabilities=("cold_chain",))],
        to(),
        Policy(),
    )

    assert picks(result) == [("BJ1", "fish", 1), ("SZ1", "mug", 1)]


@pytest.mark.parametrize(
    ("stocked", "expected"),
    [
        (
            ("GZ1", "SH1", "FT1"),
            [("FT1", "A", 1)],
        ),  # Futian is in Shenzhen; Guangzhou is nearer than Shanghai
        (("GZ1", "SH1"), []),  # no location in the customer's city: nothing, 88 km is not the same city
    ],
)
def test_same_city_delivery_only_from_locations_in_that_city(stocked, expected):
    result = plan(
        needs(A=1),
        [site(code, {"A": 5}) for code in stocked],
        to(delivery_method="same_city"),
        Policy(),
    )

    assert picks(result) == expected


@pytest.mark.parametrize(
    ("store_stock", "expected", "short"),
    [
        ({"A": 2}, [("FT1", "A", 2)], {}),
        ({"A": 1}, [("FT1", "A", 1)], {"A": 1}),  # the rest waits for the store, not for a warehouse
        ({}, [], {"A": 2}),
    ],
)
def test_pickup_orders_only_from_the_chosen_store(store_stock, expected, short):
    result = plan(
        needs(A=2),
        [site("SZ1", {"A": 9}), site("FT1", store_stock)],
        to(delivery_method="pickup", pickup_location_id="FT1"),
        Policy(),
    )

    assert picks(result) == expected
    assert result.short == short


def test_prefer_nearest_takes_each_line_from_its_nearest_location_even_if_it_splits():
    candidates = [site("SH1", {"A": 1, "B": 1}), site("GZ1", {"A": 1})]

    default = plan(needs(A=1, B=1), candidates, to(), Policy())
    nearest = plan(needs(A=1, B=1), candidates, to(), Policy(prefer_nearest=True))

    assert picks(default) == [("SH1", "A", 1), ("SH1", "B", 1)]
    assert picks(nearest) == [("GZ1", "A", 1), ("SH1", "B", 1)]
    assert nearest.reasons == ["GZ1: nearest with the line; 88 km", "SH1: nearest with the line; 1,225 km"]


def test_prefer_nearest_never_splits_when_splitting_is_off():
    candidates = [site("SH1", {"A": 1, "B": 1}), site("BJ1", {"A": 1, "B": 1}), site("GZ1", {"A": 1})]

    result = plan(needs(A=1, B=1), candidates, to(), Policy(prefer_nearest=True, allow_split=False))

    assert picks(result) == [("SH1", "A", 1), ("SH1", "B", 1)]
    assert result.reasons == ["SH1: has all lines; nearest of 2; 1,225 km"]


def test_never_split_waits_when_no_location_has_everything_and_the_whole_order_waits():
    result = plan(
        needs(A=1, B=1),
        [site("GZ1", {"A": 1}), site("SH1", {"B": 1})],
        to(),
        Policy(allow_split=False, ship_available=False),
    )

    assert result.picks == []
    assert result.short == {"A": 1, "B": 1}
    assert result.reasons == ["no single location has every line and the order may not be split"]


def test_never_split_with_allocate_what_is_there_takes_the_one_location_with_most_units():
    # GZ1 is nearest but has 1 unit; SH1 has 3 of the 4 units ordered: one parcel from SH1.
    result = plan(
        needs(A=2, B=2),
        [site("GZ1", {"A": 1}), site("SH1", {"A": 2, "B": 1}), site("BJ1", {"B": 2})],
        to(),
        Policy(allow_split=False, ship_available=True),
    )

    assert picks(result) == [("SH1", "A", 2), ("SH1", "B", 1)]
    assert result.short == {"B": 1}
    assert {p.location_id for p in result.picks} == {"SH1"}
    assert result.reasons == [
        "SH1: no location has all lines, the order may not be split: serves 3 of 4 units; 1,225 km"
    ]


def test_the_location_priority_list_comes_before_distance():
    candidates = [site("GZ1", {"A": 5}), site("BJ1", {"A": 5}, rank=1), site("SH1", {"A": 5}, rank=0)]

    result = plan(needs(A=1), candidates, to(), Policy())

    assert picks(result) == [("SH1", "A", 1)]
    assert result.reasons == ["SH1: has all lines; first in the priority list of 3; 1,225 km"]


def test_a_location_without_coordinates_comes_after_those_with_a_distance():
    candidates = [site("BJ1", {"A": 5}, located=False), site("SH1", {"A": 5})]

    result = plan(needs(A=1), candidates, to(), Policy())

    assert picks(result) == [("SH1", "A", 1)]
    assert distance_km(candidates[0], to()) is None


def test_no_needs_no_picks():
    assert plan([Need("A", "A", 0)], [site("SZ1", {"A": 1})], to(), Policy()).picks == []


@pytest.mark.parametrize(
    "policy",
    [Policy(), Policy(prefer_nearest=True), Policy(allow_split=False), Policy(ship_available=False)],
)
def test_a_plan_never_takes_more_than_a_location_has(policy):
    lines = [Need(f"line-{i}", "A", 2) for i in range(4)] + [Need("b", "B", 3)]
    candidates = [site("SZ1", {"A": 3, "B": 1}), site("GZ1", {"A": 3, "B": 2}), site("SH1", {"A": 1})]
    stock = {(c.code, product): units for c in candidates for product, units in c.available.items()}

    result = plan(lines, candidates, to(), policy)

    taken: dict = {}
    for pick in result.picks:
        taken[(pick.location_id, pick.product_id)] = (
            taken.get((pick.location_id, pick.product_id), 0) + pick.quantity
        )
    assert all(units <= stock[key] for key, units in taken.items())
    assert all(isinstance(p, Pick) and p.quantity > 0 for p in result.picks)
    assert sum(taken.values()) + sum(result.short.values()) == 11
