"""HTTP to the Shopify Admin REST API: ``X-Shopify-Access-Token``, cursor paging by the ``Link`` header."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from channels.adapters.base import PermanentError, RetryableError

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
        try:
            response = requests.get(url, params=params, headers=headers, timeout=TIMEOUT)
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(f"Shopify unreachable: {exc}") from exc
        if response.status_code == 429:
            raise RetryableError("Shopify rate limit (429)", retry_after=_seconds(response.headers))
        if response.status_code >= 500:
            raise RetryableError(
                f"Shopify error {response.status_code}", retry_after=_seconds(response.headers)
            )
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


def _seconds(headers) -> float | None:
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None
