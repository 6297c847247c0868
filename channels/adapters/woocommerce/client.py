"""HTTP to the WooCommerce REST API (``/wp-json/wc/v3``) with the store's consumer key and secret.

Auth is HTTP Basic (WooCommerce's way over HTTPS); ``query_string_auth: true`` in the config sends the key and
secret as query parameters instead, for servers that strip the Authorization header.
"""

from __future__ import annotations

import json

import requests

from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.http import check_retryable, send

TIMEOUT = (5, 20)


class WooCommerceClient:
    def __init__(self, config: dict):
        base = (config.get("api_base_url") or config.get("site_url") or "").strip()
        if not base:
            raise PermanentError("the WooCommerce channel needs site_url (or api_base_url) in its config")
        self.base = base.rstrip("/") + "/wp-json/wc/v3"
        self.key = config.get("consumer_key") or ""
        self.secret = config.get("consumer_secret") or ""
        self.query_auth = bool(config.get("query_string_auth"))

    def _get(self, path: str, params: dict | None = None) -> requests.Response:
        params = dict(params or {})
        auth = None
        if self.query_auth:
            params.update(consumer_key=self.key, consumer_secret=self.secret)
        else:
            auth = (self.key, self.secret)
        response = send(
            "WooCommerce",
            "GET",
            f"{self.base}/{path}",
            params=params,
            auth=auth,
            headers={"Accept": "application/json"},
            timeout=TIMEOUT,
        )
        check_retryable("WooCommerce", response)
        if response.status_code >= 400:
            raise PermanentError(
                f"WooCommerce refused GET {path}: {response.status_code} {response.text[:200]}"
            )
        return response

    def orders_page(self, params: dict) -> tuple[bytes, int | None]:
        """One page of ``GET orders``: the raw body and ``X-WP-TotalPages`` (None without the header)."""
        response = self._get("orders", params)
        total = response.headers.get("X-WP-TotalPages", "")
        return response.content, int(total) if total.isdigit() else None

    def order(self, order_id: str) -> bytes:
        return self._get(f"orders/{order_id}").content

    def _send(self, method: str, path: str, params: dict | None = None, body: dict | None = None):
        """One request of the stock push, authenticated like ``_get``; the decoded JSON answer."""
        params = dict(params or {})
        auth = None
        if self.query_auth:
            params.update(consumer_key=self.key, consumer_secret=self.secret)
        else:
            auth = (self.key, self.secret)
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = send(
            "WooCommerce",
            method,
            f"{self.base}/{path}",
            params=params,
            data=json.dumps(body) if body is not None else None,
            auth=auth,
            headers=headers,
            timeout=TIMEOUT,
        )
        check_retryable("WooCommerce", response)
        if response.status_code >= 400:
            raise PermanentError(
                f"WooCommerce refused {method} {path}: {response.status_code} {response.text[:200]}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise RetryableError(
                f"WooCommerce answered {method} {path} with a body that is not JSON"
            ) from exc

    def products_by_sku(self, sku: str):
        """``GET products?sku=``: the products and variations with exactly this SKU."""
        return self._send("GET", "products", {"sku": sku})

    def put(self, path: str, body: dict):
        return self._send("PUT", path, body=body)
