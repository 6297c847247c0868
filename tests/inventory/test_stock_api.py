"""The stock endpoints of CONTRACT.md: levels, adjustments, transfers, the ledger, errors, isolation."""

from __future__ import annotations

import pytest

from inventory.models import StockLevel, StockMove
from inventory.selectors import ledger_mismatches
from tests.inventory.conftest import levels, make_location, make_product, place, receive

LEVEL_KEYS = {"warehouse", "sku", "on_hand", "allocated", "safety", "available", "updated_at"}


def level_rows(response) -> list[tuple]:
    return [
        (r["warehouse"], r["sku"], r["on_hand"], r["allocated"], r["safety"], r["available"])
        for r in response.json()["results"]
    ]


@pytest.fixture
def stocked(merchant, sites):
    for sku in ("MUG", "TEE"):
        make_product(merchant, sku)
    receive(merchant, "SZ1", "MUG", 5)
    receive(merchant, "GZ1", "MUG", 2)
    receive(merchant, "SZ1", "TEE", 1)
    return merchant


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [("GZ1", "MUG", 2, 0, 0, 2), ("SZ1", "MUG", 5, 2, 0, 3), ("SZ1", "TEE", 1, 0, 0, 1)]),
        ("?sku=MUG", [("GZ1", "MUG", 2, 0, 0, 2), ("SZ1", "MUG", 5, 2, 0, 3)]),
        ("?warehouse=SZ1", [("SZ1", "MUG", 5, 2, 0, 3), ("SZ1", "TEE", 1, 0, 0, 1)]),
        ("?sku=MUG&warehouse=GZ1", [("GZ1", "MUG", 2, 0, 0, 2)]),
        ("?sku=NOPE", []),
    ],
)
def test_list_levels_with_filters(api, stocked, run_events, query, expected):
    with run_events():
        place(stocked, {"MUG": 2})

    response = api.get(f"/api/v1/stock/{query}")

    assert response.status_code == 200
    assert level_rows(response) == expected
    assert response.json()["count"] == len(expected)
    assert all(set(row) == LEVEL_KEYS for row in response.json()["results"])


@pytest.mark.parametrize(
    ("body", "expected", "move"),
    [
        ({"delta": 3}, (8, 0, 0, 8), ("receipt", 3, 0)),
        ({"delta": -2, "reason": "broken"}, (3, 0, 0, 3), ("adjustment", -2, 0)),
        ({"set_on_hand": 4, "reason": "count"}, (4, 0, 0, 4), ("count", -1, 0)),
        ({"delta": 1, "kind": "return"}, (6, 0, 0, 6), ("return", 1, 0)),
        ({"safety": 2}, (5, 0, 2, 3), ("safety", 0, 2)),
    ],
)
def test_adjust_answers_the_new_level_and_writes_the_ledger(api, stocked, body, expected, move):
    response = api.post(
        "/api/v1/stock/adjustments/", {"warehouse": "SZ1", "sku": "MUG", **body}, format="json"
    )

    assert response.status_code == 201
    data = response.json()
    assert (data["warehouse"], data["sku"]) == ("SZ1", "MUG")
    assert (data["on_hand"], data["allocated"], data["safety"], data["available"]) == expected
    last = StockMove.objects.filter(location__code="SZ1", product__sku="MUG").order_by("-created_at").first()
    assert (last.kind, last.on_hand_delta, last.safety_delta) == move
    assert last.reason == body.get("reason", "")
    assert last.actor_label == "API token t"
    assert ledger_mismatches(merchant=stocked) == []


def test_a_receipt_through_the_api_goes_to_a_waiting_order(api, stocked, run_events):
    with run_events():
        order = place(stocked, {"TEE": 3})
    order.refresh_from_db()
    assert order.status == "partially_allocated"

    with run_events():
        response = api.post(
            "/api/v1/stock/adjustments/", {"warehouse": "GZ1", "sku": "TEE", "delta": 2}, format="json"
        )

    assert response.status_code == 201
    detail = api.get(f"/api/v1/orders/{order.pk}/").json()
    assert detail["status"] == "allocated"
    assert detail["allocations"] == [
        {"warehouse": "GZ1", "sku": "TEE", "quantity": 2},
        {"warehouse": "SZ1", "sku": "TEE", "quantity": 1},
    ]
    assert detail["issues"] == []


def test_transfer_moves_free_units_and_answers_both_levels(api, stocked):
    response = api.post(
        "/api/v1/stock/transfers/",
        {"source": "SZ1", "destination": "SH1", "sku": "MUG", "quantity": 2, "reason": "rebalance"},
        format="json",
    )

    assert response.status_code == 201
    assert sorted((r["warehouse"], r["on_hand"], r["available"]) for r in response.json()) == [
        ("SH1", 2, 2),
        ("SZ1", 3, 3),
    ]
    assert [
        (m.kind, m.location.code, m.on_hand_delta, m.reference)
        for m in StockMove.objects.filter(kind__in=["transfer_out", "transfer_in"]).order_by("created_at")
    ] == [("transfer_out", "SZ1", -2, "SH1"), ("transfer_in", "SH1", 2, "SZ1")]


def test_moves_list_the_ledger_newest_first_with_filters(api, stocked):
    everything = api.get("/api/v1/stock/moves/").json()
    mugs_in_sz1 = api.get("/api/v1/stock/moves/?sku=MUG&warehouse=SZ1").json()

    assert [(m["warehouse"], m["sku"], m["kind"], m["on_hand_delta"]) for m in everything["results"]] == [
        ("SZ1", "TEE", "receipt", 1),
        ("GZ1", "MUG", "receipt", 2),
        ("SZ1", "MUG", "receipt", 5),
    ]
    assert [(m["warehouse"], m["sku"]) for m in mugs_in_sz1["results"]] == [("SZ1", "MUG")]
    assert set(everything["results"][0]) == {
        "id",
        "created_at",
        "warehouse",
        "sku",
        "kind",
        "on_hand_delta",
        "allocated_delta",
        "safety_delta",
        "order",
        "reason",
        "reference",
        "actor_label",
    }


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "fields"),
    [
        (
            "adjustments",
            {"warehouse": "SZ1", "sku": "NOPE", "delta": 1},
            404,
            "not_found",
            {"sku": ["unknown"]},
        ),
        (
            "adjustments",
            {"warehouse": "XX9", "sku": "MUG", "delta": 1},
            404,
            "not_found",
            {"warehouse": ["unknown"]},
        ),
        (
            "transfers",
            {"source": "SZ1", "destination": "XX9", "sku": "MUG", "quantity": 1},
            404,
            "not_found",
            {"destination": ["unknown"]},
        ),
        (
            "transfers",
            {"source": "SZ1", "destination": "GZ1", "sku": "NOPE", "quantity": 1},
            404,
            "not_found",
            {"sku": ["unknown"]},
        ),
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG", "delta": -9}, 409, "insufficient_stock", {}),
        (
            "transfers",
            {"source": "SZ1", "destination": "GZ1", "sku": "MUG", "quantity": 6},
            409,
            "insufficient_stock",
            {},
        ),
    ],
)
def test_unknown_codes_answer_404_and_impossible_changes_409_and_nothing_changes(
    api, stocked, path, body, status, code, fields
):
    before = (levels(stocked), StockMove.objects.count())

    response = api.post(f"/api/v1/stock/{path}/", body, format="json")

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["fields"] == fields
    assert (levels(stocked), StockMove.objects.count()) == before


@pytest.mark.parametrize(
    ("path", "body", "fields"),
    [
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG"}, {"delta"}),
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG", "delta": 1, "set_on_hand": 3}, {"delta"}),
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG", "set_on_hand": -1}, {"set_on_hand"}),
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG", "safety": -1}, {"safety"}),
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG", "delta": "many"}, {"delta"}),
        ("adjustments", {"warehouse": "SZ1", "sku": "MUG", "delta": 1, "kind": "shipment"}, {"kind"}),
        ("adjustments", {"sku": "MUG", "delta": 1}, {"warehouse"}),
        ("transfers", {"source": "SZ1", "destination": "GZ1", "sku": "MUG", "quantity": 0}, {"quantity"}),
        ("transfers", {"source": "SZ1", "destination": "SZ1", "sku": "MUG", "quantity": 1}, {"destination"}),
        ("transfers", {"source": "SZ1", "sku": "MUG", "quantity": 1}, {"destination"}),
    ],
)
def test_invalid_bodies_answer_400_with_the_fields_and_nothing_changes(api, stocked, path, body, fields):
    before = (levels(stocked), StockMove.objects.count())

    response = api.post(f"/api/v1/stock/{path}/", body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"
    assert set(response.json()["error"]["fields"]) == fields
    assert (levels(stocked), StockMove.objects.count()) == before


@pytest.mark.parametrize("who", ["token", "session"])
def test_another_merchant_sees_no_levels_and_cannot_touch_them(
    request, stocked, rival, rival_api, rival_client, who
):
    client = rival_api if who == "token" else rival_client
    make_location(rival, "GZ1")  # the rival has its own GZ1: a code is unique per merchant only
    before = (levels(stocked), StockMove.objects.for_merchant(stocked).count())

    listed = client.get("/api/v1/stock/")
    ledger = client.get("/api/v1/stock/moves/")
    adjusted = client.post(
        "/api/v1/stock/adjustments/",
        {"warehouse": "SZ1", "sku": "MUG", "delta": 5},
        content_type="application/json",
    )
    moved = client.post(
        "/api/v1/stock/transfers/",
        {"source": "SZ1", "destination": "GZ1", "sku": "MUG", "quantity": 1},
        content_type="application/json",
    )

    assert listed.status_code == 200 and listed.json()["results"] == []
    assert ledger.status_code == 200 and ledger.json()["results"] == []
    assert (adjusted.status_code, adjusted.json()["error"]["fields"]) == (404, {"warehouse": ["unknown"]})
    assert (moved.status_code, moved.json()["error"]["fields"]) == (404, {"source": ["unknown"]})
    assert (levels(stocked), StockMove.objects.for_merchant(stocked).count()) == before
    assert not StockLevel.objects.for_merchant(rival).exists()


def test_a_location_of_another_merchant_with_a_known_sku_is_still_unknown(stocked, rival, rival_api):
    make_product(rival, "MUG")

    response = rival_api.post(
        "/api/v1/stock/adjustments/", {"warehouse": "SZ1", "sku": "MUG", "delta": 5}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "unknown warehouse 'SZ1'",
        "fields": {"warehouse": ["unknown"]},
    }
    assert levels(stocked)[("SZ1", "MUG")] == (5, 0)


def test_stock_endpoints_need_authentication(client, stocked):
    assert client.get("/api/v1/stock/").status_code == 401
    assert client.post("/api/v1/stock/adjustments/", {}, content_type="application/json").status_code == 401
    assert client.get("/api/v1/stock/moves/").status_code == 401


def test_a_read_only_token_cannot_adjust(stocked):
    from tests.conftest import token_client

    reader = token_client(stocked, scopes=("read",))

    response = reader.post(
        "/api/v1/stock/adjustments/", {"warehouse": "SZ1", "sku": "MUG", "delta": 5}, format="json"
    )

    assert response.status_code == 403
    assert reader.get("/api/v1/stock/").status_code == 200
    assert levels(stocked)[("SZ1", "MUG")] == (5, 0)


def test_the_order_detail_of_another_merchant_is_404(api, rival_api, stocked, run_events):
    with run_events():
        order = place(stocked, {"MUG": 1})

    assert rival_api.get(f"/api/v1/orders/{order.pk}/").status_code == 404
    assert api.get(f"/api/v1/orders/{order.pk}/").json()["allocations"] == [
        {"warehouse": "SZ1", "sku": "MUG", "quantity": 1}
    ]
