"""The order endpoints of CONTRACT.md: create (open API), idempotency, detail, filters, state changes."""

from __future__ import annotations

import pytest

from oms.catalog.services import product_create
from oms.orders.models import Order, OrderEvent, OrderStatus

ADDRESS = {
    "name": "刘洋",
    "phone": "13311112222",
    "country": "CN",
    "province": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "detail": "文三路 90 号",
}


def order_body(**overrides) -> dict:
    body = {
        "external_id": "EXT-1",
        "currency": "CNY",
        "customer": {"name": "刘洋", "phone": "13311112222", "email": "Liu@Example.com"},
        "shipping_address": ADDRESS,
        "lines": [{"sku": "MUG-1", "title": "Mug", "quantity": 2, "unit_price": "25.00"}],
    }
    body.update(overrides)
    return body


@pytest.fixture
def mug(merchant):
    return product_create(merchant=merchant, sku="MUG-1", title="Mug", weight_grams=350)


def test_create_computes_totals_normalizes_phone_and_address(api, mug):
    response = api.post(
        "/api/v1/orders/", order_body(shipping_total="10.00", discount_total="5.00"), format="json"
    )

    assert response.status_code == 201
    order = response.json()
    assert order["number"].startswith("SO")
    assert order["status"] == "new"
    assert (order["subtotal"], order["shipping_total"], order["discount_total"], order["total"]) == (
        "50.00",
        "10.00",
        "5.00",
        "55.00",
    )
    assert order["lines"] == [
        {
            "sku": "MUG-1",
            "channel_sku": "",
            "title": "Mug",
            "variant": "",
            "quantity": 2,
            "unit_price": "25.00",
            "total": "50.00",
        }
    ]
    assert order["shipping_address"]["region_code"] == "330106"
    assert order["shipping_address"]["phone"] == "+8613311112222"
    assert order["customer"] == {"name": "刘洋", "email": "liu@example.com", "phone": "+8613311112222"}
    assert order["channel"]["kind"] == "api"
    assert order["issues"] == []
    assert [event["kind"] for event in order["events"]] == ["created"]
    assert order["events"][0]["actor"] == "API token t"
    assert order["allocations"] == [] and order["shipments"] == []


def test_order_numbers_are_unique_and_increasing_per_merchant(api, rival_api, mug):
    first = api.post("/api/v1/orders/", order_body(external_id="A"), format="json").json()["number"]
    second = api.post("/api/v1/orders/", order_body(external_id="B"), format="json").json()["number"]
    rival_first = rival_api.post("/api/v1/orders/", order_body(external_id="A"), format="json").json()[
        "number"
    ]

    assert (first, second) == ("SO000001", "SO000002")
    assert rival_first == "SO000001"


def test_problems_become_issues_and_the_order_is_still_accepted(api):
    body = order_body(
        customer={"name": "X", "phone": "12345"},
        shipping_address={**ADDRESS, "province": "不存在省", "city": "", "district": ""},
        total="999.00",
    )

    response = api.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 201
    codes = sorted(issue["code"] for issue in response.json()["issues"])
    assert codes == ["invalid_phone", "total_mismatch", "unknown_region", "unknown_sku"]
    assert response.json()["total"] == "999.00"


def test_missing_address_is_an_issue_except_for_pickup(api, mug):
    express = api.post(
        "/api/v1/orders/", order_body(external_id="E", shipping_address={}), format="json"
    ).json()
    pickup = api.post(
        "/api/v1/orders/",
        order_body(external_id="P", shipping_address={}, delivery_method="pickup"),
        format="json",
    ).json()

    assert [issue["code"] for issue in express["issues"]] == ["missing_address"]
    assert pickup["issues"] == []


def test_idempotency_key_replay_returns_the_same_order(api, mug):
    first = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1


def test_idempotency_key_with_a_different_body_is_409(api, mug):
    api.post("/api/v1/orders/", order_body(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = api.post(
        "/api/v1/orders/", order_body(note="changed"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_same_external_id_without_key_is_not_a_second_order(api, mug):
    first = api.post("/api/v1/orders/", order_body(), format="json").json()
    same = api.post("/api/v1/orders/", order_body(), format="json")
    different = api.post("/api/v1/orders/", order_body(note="other"), format="json")

    assert same.json()["id"] == first["id"]
    assert different.status_code == 409
    assert different.json()["error"]["code"] == "duplicate_external_id"
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (order_body(lines=[]), "lines"),
        (order_body(lines=[{"sku": "A", "quantity": 0, "unit_price": "1.00"}]), "lines"),
        (order_body(priority="asap"), "priority"),
        (order_body(currency="euro"), "currency"),
        (order_body(placed_at="yesterday"), "placed_at"),
    ],
)
def test_invalid_body_is_400_with_the_error_object(api, body, field):
    response = api.post("/api/v1/orders/", body, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]
    assert Order.objects.count() == 0


def test_list_filters(api, mug):
    api.post("/api/v1/orders/", order_body(external_id="A", priority="urgent"), format="json")
    beijing = {**ADDRESS, "province": "北京市", "city": "北京市", "district": "朝阳区"}
    api.post("/api/v1/orders/", order_body(external_id="B", shipping_address=beijing), format="json")
    api.post(
        "/api/v1/orders/", order_body(external_id="C", placed_at="2026-01-01T00:00:00+08:00"), format="json"
    )

    def externals(query: str) -> list[str]:
        response = api.get(f"/api/v1/orders/?{query}")
        assert response.status_code == 200
        return sorted(order["external_id"] for order in response.json()["results"])

    assert externals("") == ["A", "B", "C"]
    assert externals("priority=urgent") == ["A"]
    assert externals("region_code=11") == ["B"]
    assert externals("region_code=330106") == ["A", "C"]
    assert externals("external_id=B") == ["B"]
    assert externals("placed_before=2026-02-01T00:00:00Z") == ["C"]
    assert externals("placed_after=2026-02-01T00:00:00Z") == ["A", "B"]
    assert externals("status=new") == ["A", "B", "C"]
    assert externals("status=cancelled") == []
    assert externals("search=MUG-1") == ["A", "B", "C"]
    assert externals("search=%2B8613311112222") == ["A", "B", "C"]
    assert externals("search=nobody") == []


def test_list_is_paginated(api, mug):
    for index in range(3):
        api.post("/api/v1/orders/", order_body(external_id=f"P{index}"), format="json")

    page = api.get("/api/v1/orders/?page_size=2").json()

    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"] and page["previous"] is None


@pytest.mark.parametrize(
    ("steps", "expected_status", "expected_events"),
    [
        (["hold"], "on_hold", ["created", "held"]),
        (["hold", "release"], "new", ["created", "held", "released"]),
        (["cancel"], "cancelled", ["created", "cancelled"]),
        (["hold", "cancel"], "cancelled", ["created", "held", "cancelled"]),
    ],
)
def test_state_changes(api, mug, steps, expected_status, expected_events):
    order_id = api.post("/api/v1/orders/", order_body(), format="json").json()["id"]

    for step in steps:
        response = api.post(
            f"/api/v1/orders/{order_id}/{step}/", {"reason": f"because {step}"}, format="json"
        )
        assert response.status_code == 200

    detail = api.get(f"/api/v1/orders/{order_id}/").json()
    assert detail["status"] == expected_status
    assert [event["kind"] for event in detail["events"]] == expected_events
    assert detail["events"][-1]["reason"] == f"because {steps[-1]}"


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        (["cancel"], "cancel"),
        (["cancel"], "hold"),
        (["cancel"], "release"),
        ([], "release"),
        (["hold"], "hold"),
    ],
)
def test_illegal_transition_is_409_and_changes_nothing(api, mug, steps, refused):
    order_id = api.post("/api/v1/orders/", order_body(), format="json").json()["id"]
    for step in steps:
        api.post(f"/api/v1/orders/{order_id}/{step}/")
    before = (Order.objects.get(pk=order_id).status, OrderEvent.objects.filter(order_id=order_id).count())

    response = api.post(f"/api/v1/orders/{order_id}/{refused}/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert (
        Order.objects.get(pk=order_id).status,
        OrderEvent.objects.filter(order_id=order_id).count(),
    ) == before


def test_unknown_and_malformed_ids_are_404_with_the_error_object(api):
    for path in ("/api/v1/orders/00000000-0000-0000-0000-000000000000/", "/api/v1/orders/not-a-uuid/"):
        response = api.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"


def test_created_on_hold_waits(api, mug):
    order = api.post("/api/v1/orders/", order_body(hold=True), format="json").json()

    assert order["status"] == OrderStatus.ON_HOLD
    assert [event["kind"] for event in order["events"]] == ["created", "held"]
