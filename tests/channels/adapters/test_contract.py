"""One contract over every adapter in the registry: the interface the intake relies on."""

from __future__ import annotations

import pytest

from channels.adapters.base import Account, BadSignature, PermanentError, RawRequest
from channels.adapters.registry import KINDS, get_adapter, polling_kinds, webhook_kinds

ACCOUNT = Account(
    id="00000000-0000-0000-0000-000000000000", kind="", config={}, webhook_secret="s3cret", cursor={}
)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_an_adapter_that_names_itself_and_its_halves(kind):
    adapter = get_adapter(kind)

    assert adapter is not None
    assert adapter.kind == kind
    assert adapter.polls or adapter.receives_webhooks
    assert int(adapter.poll_seconds) > 0
    for method in ("is_ping", "verify", "inspect", "parse", "fetch_order", "fetch_page", "push_stock"):
        assert callable(getattr(adapter, method)), method


@pytest.mark.parametrize("kind", webhook_kinds())
def test_an_unsigned_request_is_refused_before_anything_is_read(kind):
    adapter = get_adapter(kind)
    request = RawRequest(headers={"content-type": "application/json"}, body=b'{"id": 1}')

    assert adapter.is_ping(request) is False
    with pytest.raises(BadSignature):
        adapter.verify(request, ACCOUNT)


@pytest.mark.parametrize("kind", sorted(set(KINDS) - set(webhook_kinds())))
def test_a_polled_only_adapter_refuses_pushes(kind):
    adapter = get_adapter(kind)
    request = RawRequest(headers={}, body=b"{}")

    with pytest.raises(PermanentError):
        adapter.verify(request, ACCOUNT)
    with pytest.raises(PermanentError):
        adapter.inspect(request)


def test_the_registry_lists_polled_and_pushed_platforms():
    assert set(polling_kinds()) >= {
        "amazon",
        "taobao",
        "jd",
        "pinduoduo",
        "sandbox",
        "shopify",
        "woocommerce",
    }
    assert set(webhook_kinds()) == {"shopify", "woocommerce", "bigcommerce", "douyin", "youzan"}
    assert get_adapter("store") is None and get_adapter("api") is None and get_adapter("csv") is None
