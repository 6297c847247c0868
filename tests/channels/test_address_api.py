"""POST /api/v1/addresses/normalize/: smart paste and address fields through the API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from oms.tenancy.models import Membership, Role
from tests.conftest import token_client

URL = "/api/v1/addresses/normalize/"


def test_pasted_text_is_split_and_completed(api):
    response = api.post(
        URL, {"address": "张三 13800138000 广东省深圳市南山区科技园南区8栋", "country": "CN"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {
        "name": "张三",
        "phone": "+8613800138000",
        "country": "CN",
        "province": "广东省",
        "province_code": "",
        "city": "深圳市",
        "district": "南山区",
        "detail": "科技园南区8栋",
        "postal_code": "",
        "region_code": "440305",
        "latitude": 22.533287,
        "longitude": 113.930413,
        "problems": [],
    }


def test_fields_are_completed_too(api):
    response = api.post(
        URL,
        {
            "address": {
                "province": "广东",
                "city": "深圳",
                "district": "南山",
                "detail": "科技园",
                "phone": "13800138000",
            }
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 200
    assert (body["province"], body["city"], body["district"], body["region_code"], body["phone"]) == (
        "广东省",
        "深圳市",
        "南山区",
        "440305",
        "+8613800138000",
    )
    assert [problem["code"] for problem in body["problems"]] == ["missing_name"]


def test_problems_are_listed_once(api):
    body = api.post(URL, {"address": "张三 科技园南区8栋"}, format="json").json()

    assert [problem["code"] for problem in body["problems"]] == ["unknown_region", "missing_phone"]
    assert (body["region_code"], body["latitude"], body["longitude"]) == ("", None, None)


def test_a_city_without_districts_is_complete(api):
    body = api.post(URL, {"address": "张三 13800138000 河南省济源市沁园街道1号"}, format="json").json()

    assert (body["city"], body["district"], body["region_code"], body["problems"]) == (
        "济源市",
        "",
        "419001",
        [],
    )


def test_a_division_without_its_own_point_takes_the_one_above(api):
    body = api.post(URL, {"address": {"region_code": "653228", "detail": "x"}}, format="json").json()

    assert body["region_code"] == "653228"
    assert body["latitude"] is not None and body["longitude"] is not None


def test_an_invalid_phone_is_reported_and_kept(api):
    body = api.post(
        URL, {"address": {"phone": "12345", "detail": "广东省深圳市南山区科技园"}}, format="json"
    ).json()

    assert body["phone"] == "12345"
    assert "invalid_phone" in [problem["code"] for problem in body["problems"]]


def test_a_foreign_address(api):
    response = api.post(
        URL,
        {
            "address": "John Smith, 1600 Amphitheatre Pkwy, Mountain View, CA 94043, +1 650-253-0000",
            "country": "US",
        },
        format="json",
    )

    body = response.json()
    assert response.status_code == 200
    assert {key: body[key] for key in ("name", "phone", "country", "province", "province_code", "city")} == {
        "name": "John Smith",
        "phone": "+16502530000",
        "country": "US",
        "province": "CA",
        "province_code": "CA",
        "city": "Mountain View",
    }
    assert (body["region_code"], body["latitude"], body["problems"]) == ("", None, [])


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"address": ""},
        {"address": "   "},
        {"address": None},
        {"address": {}},
        {"address": {"province": "", "detail": " "}},
        {"address": {"province": 5}},
        {"address": ["广东省"]},
        {"address": 42},
    ],
)
def test_a_missing_or_empty_address_is_400_with_the_error_object(api, payload):
    response = api.post(URL, payload, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert list(error["fields"]) == ["address"]


def test_without_a_token_it_is_401(db):
    response = APIClient().post(URL, {"address": "张三 13800138000 广东省深圳市南山区科技园"}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_read_only_token_may_call_it(merchant):
    client = token_client(merchant, scopes=("read",))

    response = client.post(URL, {"address": "张三 13800138000 广东省深圳市南山区科技园"}, format="json")

    assert response.status_code == 200
    assert response.json()["region_code"] == "440305"


def test_a_read_only_token_still_cannot_write_elsewhere(merchant):
    client = token_client(merchant, scopes=("read",))

    assert client.post("/api/v1/products/", {"sku": "X", "title": "X"}, format="json").status_code == 403


def test_a_viewer_member_may_call_it_with_a_session(merchant, django_user_model):
    viewer = django_user_model.objects.create_user("viewer@acme.test", "Corr3ct-Horse-Battery")
    Membership.objects.create(merchant=merchant, user=viewer, role=Role.VIEWER)
    client = APIClient()
    client.force_login(viewer)

    response = client.post(URL, {"address": "张三 13800138000 北京朝阳区建国路1号"}, format="json")

    assert response.status_code == 200
    assert response.json()["region_code"] == "110105"
