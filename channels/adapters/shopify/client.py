"""HTTP to the Shopify Admin API: ``X-Shopify-Access-Token``; REST orders with cursor paging by the ``Link``
header, and GraphQL (``graphql.json``) for the stock push."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import requests

from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.http import check_retryable, retry_after_header, send

DEFAULT_API_VERSION = "2026-04"
TIMEOUT = (5, 20)


class ShopifyClient:
    def __init__(self, config: dict):
        domain = (config.get("shop_domain") or "").strip()
        base = (config.get("api_base_url") or "").strip() or (f"https://{domain}" if domain else "")
        if not base:
            raise PermanentError("the Shopify channel needs shop_domain (or api_base_url) in its config")
        self.base = base.rstrip("/")
        self.version = config.get("api_version") or DEFAULT_API_VERSION
        self.token = config.get("access_token") or ""

    def _get(self, path: str, params: dict | None = None) -> requests.Response:
        url = f"{self.base}/admin/api/{self.version}/{path}"
        headers = {"X-Shopify-Access-Token": self.token, "Accept": "application/json"}
        response = send("Shopify", "GET", url, params=params, headers=headers, timeout=TIMEOUT)
        if response.status_code == 429:
            raise RetryableError("Shopify rate limit (429)", retry_after=retry_after_header(response.headers))
        check_retryable("Shopify", response)
        if response.status_code >= 400:
            raise PermanentError(f"Shopify refused GET {path}: {response.status_code} {response.text[:200]}")
        return response

    def orders_page(self, params: dict) -> tuple[bytes, str]:
        """One page of ``GET orders.json``: the raw body and the next page's ``page_info`` ("" at the end)."""
        response = self._get("orders.json", params)
        next_url = response.links.get("next", {}).get("url", "")
        page_info = parse_qs(urlsplit(next_url).query).get("page_info", [""])[0] if next_url else ""
        return response.content, page_info

    def order(self, order_id: str) -> bytes:
        return self._get(f"orders/{order_id}.json").content

    def graphql(self, request: dict) -> dict:
        """``POST /admin/api/{version}/graphql.json``: the decoded answer of a query or mutation without
        top-level ``errors`` (``THROTTLED`` is retryable, every other GraphQL error permanent)."""
        url = f"{self.base}/admin/api/{self.version}/graphql.json"
        headers = {
            "X-Shopify-Access-Token": self.token,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        response = send("Shopify", "POST", url, data=json.dumps(request), headers=headers, timeout=TIMEOUT)
        check_retryable("Shopify", response)
        if response.status_code >= 400:
            raise PermanentError(f"Shopify refused GraphQL: {response.status_code} {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError as exc:
            raise RetryableError("Shopify answered GraphQL with a body that is not JSON") from exc
        errors = answer.get("errors") if isinstance(answer, dict) else None
        if errors:
            raise graphql_error(errors)
        if not isinstance(answer, dict) or not isinstance(answer.get("data"), dict):
            raise PermanentError("Shopify answered GraphQL without data")
        return answer


def graphql_error(errors) -> PermanentError | RetryableError:
    """Top-level GraphQL ``errors``: a throttled query (``extensions.code`` THROTTLED) may be retried."""
    if not isinstance(errors, list):
        return PermanentError(f"Shopify GraphQL error: {str(errors)[:200]}")
    codes = {
        str((error.get("extensions") or {}).get("code") or "") for error in errors if isinstance(error, dict)
    }
    text = "; ".join(str(error.get("message") or "") for error in errors if isinstance(error, dict))
    if "THROTTLED" in codes:
        return RetryableError(f"Shopify throttled the query: {text}")
    return PermanentError(f"Shopify GraphQL error: {text[:300]}")
