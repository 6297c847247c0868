"""HTTP to BigCommerce's v2 orders API: ``/stores/{store_hash}/v2/…`` with ``X-Auth-Token`` (and the v3
catalog and inventory APIs under ``/v3`` for the stock push).

Lists are bare JSON arrays without paging metadata (a short page is the last) and an empty list is ``204 No
Content``. Bodies are returned as the platform's bytes so that what is stored is what it sent.
"""

from __future__ import annotations

import json

from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.http import check_retryable, send

DEFAULT_BASE = "https://api.bigcommerce.com"
SUB_PAGE_LIMIT = 250
TIMEOUT = (5, 20)


class BigCommerceClient:
    def __init__(self, config: dict):
        store_hash = (config.get("store_hash") or "").strip()
        if not store_hash:
            raise PermanentError("the BigCommerce channel needs store_hash in its config")
        base = (config.get("api_base_url") or DEFAULT_BASE).strip().rstrip("/")
        self.base = f"{base}/stores/{store_hash}/v2"
        self.base_v3 = f"{base}/stores/{store_hash}/v3"
        self.headers = {"X-Auth-Token": config.get("access_token") or "", "Accept": "application/json"}

    def get(self, path: str, params: dict | None = None) -> bytes:
        """The body of ``GET /v2/{path}``; ``b"[]"`` for 204 No Content."""
        response = send(
            "BigCommerce", "GET", f"{self.base}/{path}", params=params, headers=self.headers, timeout=TIMEOUT
        )
        check_retryable("BigCommerce", response, _seconds)
        if response.status_code >= 400:
            raise PermanentError(
                f"BigCommerce refused GET {path}: {response.status_code} {response.text[:200]}"
            )
        return b"[]" if response.status_code == 204 or not response.content.strip() else response.content

    def get_all(self, path: str) -> bytes:
        """Every page of a sub-resource list, as one JSON array made of the pages' own bytes."""
        pages, page = [], 1
        while True:
            body = self.get(path, {"page": page, "limit": SUB_PAGE_LIMIT})
            rows = json.loads(body)
            if rows:
                pages.append(body.strip()[1:-1].strip())
            if len(rows) < SUB_PAGE_LIMIT:
                return b"[" + b",".join(pages) + b"]"
            page += 1

    def v3(self, method: str, path: str, params: dict | None = None, body: dict | None = None) -> dict:
        """One call of the v3 API (``/stores/{store_hash}/v3/{path}``); the decoded JSON answer."""
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        response = send(
            "BigCommerce",
            method,
            f"{self.base_v3}/{path}",
            params=params,
            data=json.dumps(body) if body is not None else None,
            headers=headers,
            timeout=TIMEOUT,
        )
        check_retryable("BigCommerce", response, _seconds)
        if response.status_code >= 400:
            raise PermanentError(
                f"BigCommerce refused {method} {path}: {response.status_code} {_problem(response)}"
            )
        try:
            answer = response.json() if response.content.strip() else {}
        except ValueError as exc:
            raise RetryableError(
                f"BigCommerce answered {method} {path} with a body that is not JSON"
            ) from exc
        return answer if isinstance(answer, dict) else {"data": answer}


def _problem(response) -> str:
    """The ``title`` of a v3 problem answer (``application/problem+json``), else the start of the body."""
    try:
        return str(response.json().get("title") or "")[:300]
    except (ValueError, AttributeError):
        return response.text[:200]


def _seconds(headers) -> float | None:
    """BigCommerce says when the rate-limit window resets in ``X-Rate-Limit-Time-Reset-Ms``."""
    for name, scale in (("X-Rate-Limit-Time-Reset-Ms", 1000.0), ("Retry-After", 1.0)):
        try:
            return float(headers.get(name, "")) / scale
        except ValueError:
            continue
    return None
