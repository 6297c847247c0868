"""``push_stock`` of every platform adapter, on the platform double (real HTTP on 127.0.0.1): the exact
requests (method, path, query, body, auth headers, signature) and how the platform's failures are classified.

The answers queued here are shaped as each platform documents them (the module of each adapter's ``mapping``
names the source); only the values are invented.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime

import pytest

from channels import intake
from channels.adapters.amazon import mapping as amazon_mapping
from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.douyin import mapping as douyin_mapping
from channels.adapters.jd import mapping as jd_mapping
from channels.adapters.pinduoduo import mapping as pdd_mapping
from channels.adapters.registry import get_adapter
from channels.adapters.shopify import mapping as shopify_mapping
from channels.adapters.taobao import mapping as taobao_mapping
from channels.services import channel_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@pytest.fixture(autouse=True)
def fixed_clocks(monkeypatch):
    for kind in ("amazon", "taobao", "jd", "pinduoduo", "douyin", "youzan"):
        monkeypatch.setattr(get_adapter(kind), "clock", lambda: NOW)


@pytest.fixture
def connect(merchant, platform):
    def make(kind: str, **config):
        channel = channel_create(
            merchant=merchant, kind=kind, name=f"{kind} shop", config={"api_base_url": platform.url, **config}
        )
        return intake.account_view(channel)

    return make


def push(account, code: str, quantity: int) -> str:
    return get_adapter(account.kind).push_stock(account, code, quantity)


def form(request) -> dict[str, str]:
    return request.form()


def query(request) -> dict[str, str]:
    return {key: values[0] for key, values in request.query.items()}


# --- Shopify: GraphQL productVariants(sku:) + inventorySetQuantities ------------------------------------

SHOPIFY_GRAPHQL = "/admin/api/2026-04/graphql.json"
SHOPIFY = {"shop_domain": "acme.myshopify.com", "access_token": "shpat_stock_token", "api_version": "2026-04"}


def shopify_variants(*nodes) -> dict:
    return {
        "data": {"productVariants": {"nodes": list(nodes)}},
        "extensions": {"cost": {"requestedQueryCost": 4}},
    }


def shopify_variant(sku: str, variant: int, item: int, locations=(71234567,), tracked=True) -> dict:
    return {
        "id": f"gid://shopify/ProductVariant/{variant}",
        "sku": sku,
        "inventoryItem": {
            "id": f"gid://shopify/InventoryItem/{item}",
            "tracked": tracked,
            "inventoryLevels": {
                "nodes": [
                    {"location": {"id": f"gid://shopify/Location/{location}"}} for location in locations
                ]
            },
        },
    }


SHOPIFY_SET_OK = {
    "data": {
        "inventorySetQuantities": {
            "inventoryAdjustmentGroup": {"id": "gid://shopify/InventoryAdjustmentGroup/990011"},
            "userErrors": [],
        }
    }
}


def test_shopify_finds_the_variant_by_sku_and_sets_available_at_its_only_location(connect, platform):
    account = connect("shopify", **SHOPIFY)
    platform.add(
        "POST",
        SHOPIFY_GRAPHQL,
        shopify_variants(
            shopify_variant("TEE-RED-M", 4401, 5501),
            shopify_variant("TEE-RED-ML", 4402, 5502),  # a prefix hit
        ),
    )
    platform.add("POST", SHOPIFY_GRAPHQL, SHOPIFY_SET_OK)

    detail = push(account, "TEE-RED-M", 7)

    lookup, mutation = platform.requests
    assert (lookup.method, lookup.path, lookup.headers["X-Shopify-Access-Token"]) == (
        "POST",
        SHOPIFY_GRAPHQL,
        "shpat_stock_token",
    )
    assert lookup.headers["Content-Type"] == "application/json"
    assert lookup.json() == {
        "query": shopify_mapping.STOCK_LOOKUP_QUERY,
        "variables": {"query": 'sku:"TEE-RED-M"'},
    }
    body = mutation.json()
    key = re.search(r'@idempotent\(key: "([^"]+)"\)', body["query"]).group(1)
    assert UUID.match(key)
    assert body["query"] == shopify_mapping.SET_QUANTITIES_MUTATION % key
    assert body["variables"] == {
        "input": {
            "name": "available",
            "reason": "correction",
            "quantities": [
                {
                    "inventoryItemId": "gid://shopify/InventoryItem/5501",
                    "locationId": "gid://shopify/Location/71234567",
                    "quantity": 7,
                    "changeFromQuantity": None,
                }
            ],
        }
    }
    assert detail == "gid://shopify/InventoryItem/5501@gid://shopify/Location/71234567"


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ("80001", "gid://shopify/Location/80001"),
        ("gid://shopify/Location/80002", "gid://shopify/Location/80002"),
    ],
)
def test_shopify_uses_the_configured_location(connect, platform, configured, expected):
    account = connect("shopify", **SHOPIFY, location_id=configured)
    platform.add(
        "POST", SHOPIFY_GRAPHQL, shopify_variants(shopify_variant("MUG", 1, 2, locations=(80001, 80002)))
    )
    platform.add("POST", SHOPIFY_GRAPHQL, SHOPIFY_SET_OK)

    push(account, "MUG", 0)

    assert platform.requests[1].json()["variables"]["input"]["quantities"][0]["locationId"] == expected


def test_shopify_escapes_quotes_in_the_sku_search():
    assert shopify_mapping.sku_search('A"B\\C') == 'sku:"A\\"B\\\\C"'


@pytest.mark.parametrize(
    ("answers", "error", "message"),
    [
        ([shopify_variants()], PermanentError, "no Shopify variant has the SKU 'MUG'"),
        ([shopify_variants(shopify_variant("MUG", 1, 2, tracked=False))], PermanentError, "does not track"),
        (
            [shopify_variants(shopify_variant("MUG", 1, 2, locations=(1, 2)))],
            PermanentError,
            "set location_id",
        ),
        (
            [
                shopify_variants(shopify_variant("MUG", 1, 2)),
                {
                    "data": {
                        "inventorySetQuantities": {
                            "inventoryAdjustmentGroup": None,
                            "userErrors": [
                                {"code": "INVALID_LOCATION", "field": ["input"], "message": "not stocked"}
                            ],
                        }
                    }
                },
            ],
            PermanentError,
            "INVALID_LOCATION not stocked",
        ),
        (
            [{"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}],
            RetryableError,
            "Throttled",
        ),
        (
            [{"errors": [{"message": "Field 'x' doesn't exist", "extensions": {"code": "undefinedField"}}]}],
            PermanentError,
            "doesn't exist",
        ),
    ],
)
def test_shopify_failures_are_classified(connect, platform, answers, error, message):
    account = connect("shopify", **SHOPIFY)
    for answer in answers:
        platform.add("POST", SHOPIFY_GRAPHQL, answer)

    with pytest.raises(error, match=re.escape(message)):
        push(account, "MUG", 3)


# --- WooCommerce: GET products?sku= then PUT the product or the variation ------------------------------

WOO = {"site_url": "https://shop.example.com", "consumer_key": "ck_stock", "consumer_secret": "cs_stock"}
WOO_BASE = "/wp-json/wc/v3"


def test_woocommerce_sets_stock_quantity_on_a_variation_under_its_parent(connect, platform):
    account = connect("woocommerce", **WOO)
    platform.add(
        "GET",
        f"{WOO_BASE}/products",
        [
            {"id": 812, "parent_id": 799, "type": "variation", "sku": "TEE-RED-M", "manage_stock": False},
            {"id": 813, "parent_id": 799, "type": "variation", "sku": "TEE-RED-M2"},
        ],
    )
    platform.add("PUT", f"{WOO_BASE}/products/799/variations/812", {"id": 812, "stock_quantity": 9})

    detail = push(account, "TEE-RED-M", 9)

    lookup, update = platform.requests
    expected_auth = "Basic " + base64.b64encode(b"ck_stock:cs_stock").decode()
    assert (lookup.method, lookup.path, query(lookup), lookup.headers["Authorization"]) == (
        "GET",
        f"{WOO_BASE}/products",
        {"sku": "TEE-RED-M"},
        expected_auth,
    )
    assert (update.method, update.path, update.json(), update.headers["Authorization"]) == (
        "PUT",
        f"{WOO_BASE}/products/799/variations/812",
        {"manage_stock": True, "stock_quantity": 9},
        expected_auth,
    )
    assert detail == "products/799/variations/812"


def test_woocommerce_a_simple_product_with_query_string_auth(connect, platform):
    account = connect("woocommerce", **WOO, query_string_auth=True)
    platform.add("GET", f"{WOO_BASE}/products", [{"id": 55, "parent_id": 0, "type": "simple", "sku": "MUG"}])
    platform.add("PUT", f"{WOO_BASE}/products/55", {"id": 55})

    push(account, "MUG", 0)

    lookup, update = platform.requests
    assert query(lookup) == {"sku": "MUG", "consumer_key": "ck_stock", "consumer_secret": "cs_stock"}
    assert (update.path, query(update), update.json()) == (
        f"{WOO_BASE}/products/55",
        {"consumer_key": "ck_stock", "consumer_secret": "cs_stock"},
        {"manage_stock": True, "stock_quantity": 0},
    )
    assert "Authorization" not in update.headers


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, [], PermanentError),
        (429, {"code": "too_many_requests"}, RetryableError),
        (503, "", RetryableError),
        (401, {"code": "woocommerce_rest_cannot_view"}, PermanentError),
    ],
)
def test_woocommerce_failures_are_classified(connect, platform, status, body, error):
    account = connect("woocommerce", **WOO)
    platform.add("GET", f"{WOO_BASE}/products", body, status=status)

    with pytest.raises(error):
        push(account, "MUG", 1)


# --- BigCommerce: v3 variants?sku=, the product's inventory_tracking, absolute adjustment ---------------

BC = {"store_hash": "abc123", "access_token": "bc_stock_token"}
BC_V3 = "/stores/abc123/v3"


@pytest.mark.parametrize(
    ("tracking", "item"),
    [("variant", {"variant_id": 382}), ("product", {"product_id": 192})],
)
def test_bigcommerce_sets_the_count_absolutely_per_variant_or_product(connect, platform, tracking, item):
    account = connect("bigcommerce", **BC)
    platform.add(
        "GET",
        f"{BC_V3}/catalog/variants",
        {
            "data": [
                {"id": 382, "product_id": 192, "sku": "SMIT"},
                {"id": 383, "product_id": 192, "sku": "SMIT-1"},
            ]
        },
    )
    platform.add(
        "GET", f"{BC_V3}/catalog/products/192", {"data": {"inventory_tracking": tracking}, "meta": {}}
    )
    platform.add("PUT", f"{BC_V3}/inventory/adjustments/absolute", {"transaction_id": "8e1a-44"})

    push(account, "SMIT", 12)

    variants, product, adjustment = platform.requests
    assert (variants.method, variants.path, query(variants)) == (
        "GET",
        f"{BC_V3}/catalog/variants",
        {"sku": "SMIT"},
    )
    assert (product.path, query(product)) == (
        f"{BC_V3}/catalog/products/192",
        {"include_fields": "inventory_tracking"},
    )
    assert (adjustment.method, adjustment.path, adjustment.json()) == (
        "PUT",
        f"{BC_V3}/inventory/adjustments/absolute",
        {
            "reason": "Stock sync from the order hub",
            "items": [{"location_id": 1, **item, "quantity": 12}],
        },
    )
    assert {request.headers["X-Auth-Token"] for request in platform.requests} == {"bc_stock_token"}


def test_bigcommerce_uses_the_configured_location(connect, platform):
    account = connect("bigcommerce", **BC, location_id=3)
    platform.add("GET", f"{BC_V3}/catalog/variants", {"data": [{"id": 1, "product_id": 2, "sku": "A"}]})
    platform.add("GET", f"{BC_V3}/catalog/products/2", {"data": {"inventory_tracking": "variant"}})
    platform.add("PUT", f"{BC_V3}/inventory/adjustments/absolute", {"transaction_id": "x"})

    push(account, "A", 4)

    assert platform.requests[2].json()["items"] == [{"location_id": 3, "variant_id": 1, "quantity": 4}]


@pytest.mark.parametrize(
    ("tracking", "adjustment_status", "error", "message"),
    [
        ("none", 200, PermanentError, "does not track inventory"),
        (
            "variant",
            422,
            PermanentError,
            "[Item with variant_id 1 is tracked by product, please update stock by product id]",
        ),
        ("variant", 429, RetryableError, "429"),
    ],
)
def test_bigcommerce_failures_are_classified(connect, platform, tracking, adjustment_status, error, message):
    account = connect("bigcommerce", **BC)
    platform.add("GET", f"{BC_V3}/catalog/variants", {"data": [{"id": 1, "product_id": 2, "sku": "A"}]})
    platform.add("GET", f"{BC_V3}/catalog/products/2", {"data": {"inventory_tracking": tracking}})
    platform.add(
        "PUT",
        f"{BC_V3}/inventory/adjustments/absolute",
        {
            "status": 422,
            "title": "[Item with variant_id 1 is tracked by product, please update stock by product id]",
            "type": "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes",
            "errors": {},
        },
        status=adjustment_status,
        headers={"Content-Type": "application/problem+json", "X-Rate-Limit-Time-Reset-Ms": "1500"},
    )

    with pytest.raises(error, match=re.escape(message)) as raised:
        push(account, "A", 4)

    if error is RetryableError:
        assert raised.value.retry_after == 1.5


# --- Amazon: getListingsItem (product type) then patchListingsItem ------------------------------------

AMAZON = {
    "client_id": "amzn1.application-oa2-client.0123456789abcdef",
    "client_secret": "amzn1.oa2-cs.v1.test-client-secret",
    "refresh_token": "Atzr|IwEBIEXAMPLE-LWA-REFRESH-TOKEN",
    "marketplace_id": "ATVPDKIKX0DER",
    "seller_id": "A3SELLER0TEST",
}
LISTING = "/listings/2021-08-01/items/A3SELLER0TEST/TEE%2FRED%20M"


@pytest.fixture
def amazon(connect, platform):
    handler = platform.server.RequestHandlerClass
    handler.do_PATCH = handler.do_GET  # the double records PATCH like any other method
    platform.add_fixture("POST", "/auth/o2/token", "channels/amazon/lwa_token.json")
    return connect("amazon", **AMAZON, lwa_base_url=platform.url)


def amazon_listing(product_type: str = "SHIRT") -> dict:
    return {
        "sku": "TEE/RED M",
        "summaries": [
            {
                "marketplaceId": "ATVPDKIKX0DER",
                "asin": "B071VG5N9D",
                "productType": product_type,
                "conditionType": "new_new",
                "status": ["BUYABLE"],
                "itemName": "Red tee",
                "createdDate": "2026-02-01T00:00:00Z",
                "lastUpdatedDate": "2026-03-01T00:00:00Z",
            }
        ],
    }


def test_amazon_reads_the_product_type_then_merges_the_quantity(amazon, platform):
    platform.add("GET", LISTING, amazon_listing())
    platform.add(
        "PATCH",
        LISTING,
        {"sku": "TEE/RED M", "status": "ACCEPTED", "submissionId": "f1dc2914-75dd-11ea", "issues": []},
    )

    detail = push(amazon, "TEE/RED M", 15)

    token, listing, patch = platform.requests
    assert (token.method, token.path, token.form()["grant_type"]) == (
        "POST",
        "/auth/o2/token",
        "refresh_token",
    )
    assert (listing.method, listing.path, query(listing)) == (
        "GET",
        LISTING,
        {"marketplaceIds": "ATVPDKIKX0DER", "includedData": "summaries"},
    )
    assert (patch.method, patch.path, query(patch)) == ("PATCH", LISTING, {"marketplaceIds": "ATVPDKIKX0DER"})
    assert patch.json() == {
        "productType": "SHIRT",
        "patches": [
            {
                "op": "merge",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 15}],
            }
        ],
    }
    assert {listing.headers["x-amz-access-token"], patch.headers["x-amz-access-token"]} == {
        "Atza|IwEBIEXAMPLE-LWA-ACCESS-TOKEN"
    }
    assert patch.headers["content-type"] == "application/json"
    assert detail == "ATVPDKIKX0DER SHIRT submission f1dc2914-75dd-11ea"


@pytest.mark.parametrize(
    ("listing_status", "listing_body", "patch_status", "patch_body", "error", "message"),
    [
        (
            404,
            {"errors": [{"code": "NOT_FOUND", "message": "SKU not found"}]},
            200,
            {},
            PermanentError,
            "NOT_FOUND: SKU not found",
        ),
        (
            200,
            amazon_listing(),
            200,
            {
                "sku": "TEE/RED M",
                "status": "INVALID",
                "submissionId": "s-1",
                "issues": [{"code": "90220", "message": "quantity is invalid", "severity": "ERROR"}],
            },
            PermanentError,
            "INVALID: 90220 quantity is invalid",
        ),
        (
            200,
            amazon_listing(),
            429,
            {"errors": [{"code": "QuotaExceeded", "message": "You exceeded your quota"}]},
            RetryableError,
            "QuotaExceeded",
        ),
        (200, {"sku": "TEE/RED M", "summaries": []}, 200, {}, PermanentError, "has no product type"),
    ],
)
def test_amazon_failures_are_classified(
    amazon, platform, listing_status, listing_body, patch_status, patch_body, error, message
):
    platform.add("GET", LISTING, listing_body, status=listing_status)
    platform.add("PATCH", LISTING, patch_body, status=patch_status)

    with pytest.raises(error, match=re.escape(message)):
        push(amazon, "TEE/RED M", 1)


def test_amazon_builds_the_patch_as_the_merge_tutorial_shows():
    assert amazon_mapping.fulfillment_patch("PRODUCT", 20)["patches"][0] == {
        "op": "merge",
        "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 20}],
    }


# --- Taobao TOP: skus.custom.get / items.custom.get by outer_id, then item.quantity.update --------------

TAOBAO_SECRET = "top_test_app_secret_0000"
TAOBAO = {
    "app_key": "12345678",
    "app_secret": TAOBAO_SECRET,
    "session": "top_session_abc",
    "sign_method": "hmac-sha256",
}
TOP = "/router/rest"


def assert_top_signed(request) -> dict:
    params = form(request)
    unsigned = {key: value for key, value in params.items() if key != "sign"}
    assert params["sign"] == taobao_mapping.sign(unsigned, TAOBAO_SECRET, "hmac-sha256")
    assert {
        key: params[key] for key in ("app_key", "session", "timestamp", "format", "v", "sign_method")
    } == {
        "app_key": "12345678",
        "session": "top_session_abc",
        "timestamp": "2026-11-22 12:00:00",
        "format": "json",
        "v": "2.0",
        "sign_method": "hmac-sha256",
    }
    return unsigned


def test_taobao_updates_the_sku_found_by_its_outer_id(connect, platform):
    account = connect("taobao", **TAOBAO)
    platform.add(
        "POST",
        TOP,
        {
            "skus_custom_get_response": {
                "skus": {"sku": [{"sku_id": 4411223344, "num_iid": 653217890123, "outer_id": "TEA-LJ-250"}]},
                "request_id": "r1",
            }
        },
    )
    platform.add(
        "POST",
        TOP,
        {
            "item_quantity_update_response": {
                "item": {"num_iid": 653217890123, "num": 30, "modified": "2026-11-22 12:00:01"},
                "request_id": "r2",
            }
        },
    )

    detail = push(account, "TEA-LJ-250", 30)

    lookup, update = (assert_top_signed(request) for request in platform.requests)
    assert {key: lookup[key] for key in ("method", "outer_id", "fields")} == {
        "method": "taobao.skus.custom.get",
        "outer_id": "TEA-LJ-250",
        "fields": "sku_id,num_iid,outer_id",
    }
    assert {
        key: value for key, value in update.items() if key not in {"app_key", "session", "timestamp"}
    } == {
        "method": "taobao.item.quantity.update",
        "format": "json",
        "v": "2.0",
        "sign_method": "hmac-sha256",
        "num_iid": "653217890123",
        "sku_id": "4411223344",
        "quantity": "30",
        "type": "1",
    }
    assert platform.requests[0].headers["Content-Type"] == "application/x-www-form-urlencoded;charset=utf-8"
    assert detail == "653217890123/4411223344"


def test_taobao_an_item_without_skus_is_found_by_the_item_outer_id(connect, platform):
    account = connect("taobao", **TAOBAO)
    platform.add("POST", TOP, {"skus_custom_get_response": {"request_id": "r1"}})
    platform.add(
        "POST",
        TOP,
        {
            "items_custom_get_response": {
                "items": {"item": [{"num_iid": 600001, "outer_id": "CUP"}]},
                "request_id": "r",
            }
        },
    )
    platform.add("POST", TOP, {"item_quantity_update_response": {"item": {"num_iid": 600001, "num": 0}}})

    push(account, "CUP", 0)

    methods = [form(request)["method"] for request in platform.requests]
    assert methods == ["taobao.skus.custom.get", "taobao.items.custom.get", "taobao.item.quantity.update"]
    update = form(platform.requests[2])
    assert (update["num_iid"], update["quantity"], update["type"], "sku_id" in update) == (
        "600001",
        "0",
        "1",
        False,
    )


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (
            {
                "error_response": {
                    "code": 7,
                    "msg": "App Call Limited",
                    "sub_msg": "ban will last for 12 more seconds",
                }
            },
            RetryableError,
        ),
        (
            {"error_response": {"code": 27, "msg": "Invalid session", "sub_code": "invalid-sessionkey"}},
            PermanentError,
        ),
    ],
)
def test_taobao_gateway_errors_are_classified(connect, platform, answer, error):
    account = connect("taobao", **TAOBAO)
    platform.add("POST", TOP, answer)

    with pytest.raises(error):
        push(account, "CUP", 1)


def test_taobao_a_code_nobody_carries_is_permanent(connect, platform):
    account = connect("taobao", **TAOBAO)
    platform.add("POST", TOP, {"skus_custom_get_response": {"request_id": "r1"}})
    platform.add("POST", TOP, {"items_custom_get_response": {"request_id": "r2"}})

    with pytest.raises(PermanentError, match="no Taobao item or SKU has the outer_id 'CUP'"):
        push(account, "CUP", 1)


# --- JD JOS: sku.read.searchSkuList by outId, then stock.write.updateSkuStock ---------------------------

JD_SECRET = "jd_test_app_secret_0000"
JD = {"app_key": "JDTESTAPPKEY0001", "app_secret": JD_SECRET, "access_token": "jd_token_1"}
JOS = "/routerjson"


def assert_jos_signed(request) -> dict:
    params = form(request)
    unsigned = {key: value for key, value in params.items() if key != "sign"}
    assert params["sign"] == jd_mapping.sign(unsigned, JD_SECRET)
    assert (params["app_key"], params["access_token"], params["timestamp"], params["v"]) == (
        "JDTESTAPPKEY0001",
        "jd_token_1",
        "2026-11-22 12:00:00",
        "2.0",
    )
    return params


def jd_search(*skus) -> dict:
    return {
        "jingdong_sku_read_searchSkuList_responce": {
            "code": "0",
            "page": {"pageSize": 20, "data": list(skus), "pageNo": 1, "totalItem": len(skus)},
        }
    }


JD_UPDATED = {"jingdong_stock_write_updateSkuStock_responce": {"code": "0", "success": True}}


def test_jd_finds_the_sku_id_by_outer_id_and_sets_its_stock(connect, platform):
    account = connect("jd", **JD, store_id="8801")
    platform.add(
        "POST",
        JOS,
        jd_search(
            {"status": 1, "skuId": 25416150278, "wareId": 11387765438, "outerId": "TEA-LJ-250"},
            {"status": 1, "skuId": 25416150279, "wareId": 11387765438, "outerId": "TEA-LJ-250X"},
        ),
    )
    platform.add("POST", JOS, JD_UPDATED)

    detail = push(account, "TEA-LJ-250", 18)

    search, update = (assert_jos_signed(request) for request in platform.requests)
    assert (search["method"], json.loads(search["360buy_param_json"])) == (
        "jingdong.sku.read.searchSkuList",
        {"outId": "TEA-LJ-250", "field": "skuId,wareId,outerId"},
    )
    assert (update["method"], update["360buy_param_json"]) == (
        "jingdong.stock.write.updateSkuStock",
        '{"skuId":25416150278,"stockNum":18,"storeId":8801}',
    )
    assert detail == "25416150278"


def test_jd_a_numeric_code_no_sku_carries_is_taken_as_the_jd_sku_id(connect, platform):
    account = connect("jd", **JD)
    platform.add("POST", JOS, jd_search())
    platform.add("POST", JOS, JD_UPDATED)

    push(account, "100012345678", 2)

    assert form(platform.requests[1])["360buy_param_json"] == '{"skuId":100012345678,"stockNum":2}'


@pytest.mark.parametrize(
    ("answers", "error", "message"),
    [
        ([jd_search()], PermanentError, "no JD SKU has the outerId 'TEA'"),
        (
            [{"error_response": {"code": "2", "zh_desc": "调用频繁", "en_desc": "App Call Limited"}}],
            RetryableError,
            "App Call Limited",
        ),
        (
            [
                jd_search({"skuId": 1, "outerId": "TEA"}),
                {"jingdong_stock_write_updateSkuStock_responce": {"code": "0", "success": False}},
            ],
            PermanentError,
            "did not update",
        ),
    ],
)
def test_jd_failures_are_classified(connect, platform, answers, error, message):
    account = connect("jd", **JD)
    for answer in answers:
        platform.add("POST", JOS, answer)

    with pytest.raises(error, match=re.escape(message)):
        push(account, "TEA", 2)


# --- Pinduoduo: pdd.goods.list.get by outer_id, then pdd.goods.quantity.update ------------------------

PDD_SECRET = "pdd_test_client_secret_0000"
PDD = {"client_id": "pdd_client_1", "client_secret": PDD_SECRET, "access_token": "pdd_token_1"}
PDD_ROUTER = "/api/router"


def assert_pdd_signed(request) -> dict:
    params = form(request)
    unsigned = {key: value for key, value in params.items() if key != "sign"}
    assert params["sign"] == pdd_mapping.sign(unsigned, PDD_SECRET)
    assert {
        key: params[key] for key in ("client_id", "access_token", "timestamp", "data_type", "version")
    } == {
        "client_id": "pdd_client_1",
        "access_token": "pdd_token_1",
        "timestamp": str(int(NOW.timestamp())),
        "data_type": "JSON",
        "version": "V1",
    }
    return {
        key: value
        for key, value in unsigned.items()
        if key not in ("client_id", "access_token", "timestamp", "data_type", "version")
    }


def test_pinduoduo_updates_the_sku_with_that_merchant_code(connect, platform):
    account = connect("pinduoduo", **PDD)
    platform.add(
        "POST",
        PDD_ROUTER,
        {
            "goods_list_get_response": {
                "total_count": 1,
                "goods_list": [
                    {
                        "goods_id": 3270139874,
                        "goods_name": "纯棉袜",
                        "is_more_sku": 1,
                        "goods_quantity": 120,
                        "is_onsale": 1,
                        "sku_list": [
                            {
                                "sku_id": 91100001,
                                "outer_id": "SOCK-WHT",
                                "sku_quantity": 60,
                                "is_sku_onsale": 1,
                            },
                            {
                                "sku_id": 91100002,
                                "outer_id": "SOCK-BLK",
                                "sku_quantity": 60,
                                "is_sku_onsale": 1,
                            },
                        ],
                    }
                ],
            }
        },
    )
    platform.add("POST", PDD_ROUTER, {"goods_quantity_update_response": {"is_success": True}})

    detail = push(account, "SOCK-BLK", 44)

    lookup, update = (assert_pdd_signed(request) for request in platform.requests)
    assert lookup == {"type": "pdd.goods.list.get", "outer_id": "SOCK-BLK", "page": "1", "page_size": "100"}
    assert update == {
        "type": "pdd.goods.quantity.update",
        "goods_id": "3270139874",
        "sku_id": "91100002",
        "quantity": "44",
        "update_type": "1",
    }
    assert detail == "3270139874/91100002"


@pytest.mark.parametrize(
    ("status", "answers", "error"),
    [
        (429, [{}], RetryableError),
        (200, [{"error_response": {"error_code": 70031, "error_msg": "调用过于频繁"}}], RetryableError),
        (200, [{"goods_list_get_response": {"total_count": 0, "goods_list": []}}], PermanentError),
        (
            200,
            [
                {
                    "goods_list_get_response": {
                        "goods_list": [{"goods_id": 1, "sku_list": [{"sku_id": 2, "outer_id": "S"}]}]
                    }
                },
                {"goods_quantity_update_response": {"is_success": False}},
            ],
            PermanentError,
        ),
    ],
)
def test_pinduoduo_failures_are_classified(connect, platform, status, answers, error):
    account = connect("pinduoduo", **PDD)
    for answer in answers:
        platform.add("POST", PDD_ROUTER, answer, status=status)

    with pytest.raises(error):
        push(account, "S", 1)


# --- Douyin shop: sku.syncStock by merchant code, full update ----------------------------------------

DOUYIN_SECRET = "dy_test_app_secret_0000"
DOUYIN = {"app_key": "7011223344556677889", "app_secret": DOUYIN_SECRET, "access_token": "dy_token_1"}


def test_douyin_syncs_the_stock_of_the_code_with_a_signed_call(connect, platform):
    account = connect("douyin", **DOUYIN)
    platform.add(
        "POST",
        "/sku/syncStock",
        {"code": 10000, "msg": "success", "sub_code": "", "sub_msg": "", "log_id": "2026112212", "data": {}},
    )

    detail = push(account, "TEA-LJ-250", 25)

    (request,) = platform.requests
    body = request.body.decode()
    assert body == '{"code":"TEA-LJ-250","incremental":false,"stock_num":25}'
    params = query(request)
    timestamp = str(int(NOW.timestamp()))
    assert params == {
        "app_key": "7011223344556677889",
        "method": "sku.syncStock",
        "access_token": "dy_token_1",
        "timestamp": timestamp,
        "v": "2",
        "sign_method": "hmac-sha256",
        "sign": douyin_mapping.api_sign(
            app_key="7011223344556677889",
            app_secret=DOUYIN_SECRET,
            method="sku.syncStock",
            param_json=body,
            timestamp=timestamp,
        ),
    }
    assert request.headers["Content-Type"] == "application/json"
    assert detail == "log_id 2026112212"


def test_douyin_a_regional_warehouse_is_named_when_configured():
    assert douyin_mapping.sync_stock_params("A", 3, "WH-SH") == {
        "code": "A",
        "incremental": False,
        "stock_num": 3,
        "out_warehouse_id": "WH-SH",
    }


@pytest.mark.parametrize(
    ("status", "answer", "error"),
    [
        (200, {"code": 60000, "msg": "调用频率超限", "log_id": "1"}, RetryableError),
        (429, {}, RetryableError),
        (
            200,
            {
                "code": 50002,
                "msg": "业务处理失败",
                "sub_code": "isv.business-failed:1014",
                "sub_msg": "sku不存在",
            },
            PermanentError,
        ),
    ],
)
def test_douyin_failures_are_classified(connect, platform, status, answer, error):
    account = connect("douyin", **DOUYIN)
    platform.add("POST", "/sku/syncStock", answer, status=status)

    with pytest.raises(error):
        push(account, "A", 1)


# --- Youzan: skus.custom.get by item_no, then item.quantity.update ------------------------------------

YOUZAN = {"client_id": "yz_client_1", "client_secret": "yz_secret_1", "access_token": "yz_static_token"}


def youzan_ok(data) -> dict:
    return {"trace_id": "yz7-1", "code": 200, "success": True, "message": "successful", "data": data}


def test_youzan_sets_the_quantity_of_the_skus_with_that_item_no(connect, platform):
    account = connect("youzan", **YOUZAN)
    platform.add(
        "POST",
        "/api/youzan.skus.custom.get/3.0.0",
        youzan_ok({"skus": [{"item_id": 402334455, "sku_id": 36612233, "item_no": "CUP-QC", "quantity": 4}]}),
    )
    platform.add("POST", "/api/youzan.item.quantity.update/3.0.0", youzan_ok({"is_success": True}))

    detail = push(account, "CUP-QC", 11)

    lookup, update = platform.requests
    assert (lookup.path, query(lookup), lookup.json()) == (
        "/api/youzan.skus.custom.get/3.0.0",
        {"access_token": "yz_static_token"},
        {"item_no": "CUP-QC"},
    )
    assert (update.path, query(update), update.json()) == (
        "/api/youzan.item.quantity.update/3.0.0",
        {"access_token": "yz_static_token"},
        {"item_id": 402334455, "sku_id": 36612233, "quantity": 11, "type": 0},
    )
    assert update.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert detail == "402334455/36612233"


@pytest.mark.parametrize(
    ("status", "answers", "error"),
    [
        (429, [{}], RetryableError),
        (200, [youzan_ok({"skus": []})], PermanentError),
        (
            200,
            [{"trace_id": "t", "code": 141500101, "success": False, "message": "调用过于频繁"}],
            RetryableError,
        ),
        (
            200,
            [
                youzan_ok({"skus": [{"item_id": 1, "sku_id": 2, "item_no": "A"}]}),
                youzan_ok({"is_success": False}),
            ],
            PermanentError,
        ),
    ],
)
def test_youzan_failures_are_classified(connect, platform, status, answers, error):
    account = connect("youzan", **YOUZAN)
    platform.add("POST", "/api/youzan.skus.custom.get/3.0.0", answers[0], status=status)
    if len(answers) > 1:
        platform.add("POST", "/api/youzan.item.quantity.update/3.0.0", answers[1])

    with pytest.raises(error):
        push(account, "A", 1)


# --- every platform: a 429 is retryable, the sandbox sends nothing ------------------------------------


@pytest.mark.parametrize(
    ("kind", "config", "method", "path"),
    [
        ("shopify", SHOPIFY, "POST", SHOPIFY_GRAPHQL),
        ("woocommerce", WOO, "GET", f"{WOO_BASE}/products"),
        ("bigcommerce", BC, "GET", f"{BC_V3}/catalog/variants"),
        ("taobao", TAOBAO, "POST", TOP),
        ("jd", JD, "POST", JOS),
        ("pinduoduo", PDD, "POST", PDD_ROUTER),
        ("douyin", DOUYIN, "POST", "/sku/syncStock"),
        ("youzan", YOUZAN, "POST", "/api/youzan.skus.custom.get/3.0.0"),
    ],
)
def test_a_429_from_any_platform_is_retryable(connect, platform, kind, config, method, path):
    account = connect(kind, **config)
    platform.add(method, path, {"errors": "slow down"}, status=429, headers={"Retry-After": "7"})

    with pytest.raises(RetryableError):
        push(account, "SKU-1", 1)


def test_amazon_429_is_retryable_with_the_retry_after(amazon, platform):
    platform.add(
        "GET",
        LISTING,
        {"errors": [{"code": "QuotaExceeded", "message": "slow"}]},
        status=429,
        headers={"Retry-After": "7"},
    )

    with pytest.raises(RetryableError) as raised:
        push(amazon, "TEE/RED M", 1)

    assert raised.value.retry_after == 7.0


def test_the_sandbox_push_records_without_any_network(connect, platform):
    account = connect("sandbox")

    assert push(account, "CH-RED", 5) == "sandbox: recorded, nothing sent"
    assert platform.requests == []


def test_every_platform_adapter_can_push_stock():
    from channels.stock_sync import push_kinds

    assert push_kinds() == [
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
    ]
