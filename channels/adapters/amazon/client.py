"""HTTP to Amazon: the Login with Amazon token endpoint and the SP-API Orders v0 operations.

Why a small ``requests`` client and not ``python-amazon-sp-api`` (evaluated at 2.1.35): that library can be
aimed at another host only by reaching into its internals. ``Client.endpoint`` comes from a ``Marketplaces``
enum (and the ``SP_API_DEFAULT_MARKETPLACE`` environment variable silently overrides the marketplace passed
in); the ``host`` header is computed as ``endpoint[8:]``, which assumes ``https://`` and is wrong for the
``http://127.0.0.1:…`` test double; the LWA host and scheme are class attributes of ``AccessTokenClient``; the
access token is kept in a module-global ``TTLCache`` keyed by the refresh token alone (not by host or
client id, and for a fixed 3,200 s whatever ``expires_in`` says), which tests and multi-tenant use would
have to clear by hand; and ``getOrderItems`` calls get four extra marketplace query parameters that the
operation does not define. Pointing it at ``config["api_base_url"]`` therefore needs a subclass that
re-implements ``headers`` plus resetting private module state: the fragile kind of patching. Since Amazon
dropped AWS Signature V4 for SP-API calls (2 October 2023), what is left to write by hand is three HTTP
requests, so this module makes them with ``requests``, as docs/adapters.md prescribes for adapter clients.

Errors: timeouts, connection errors, 5xx and 429 (``QuotaExceeded``) → ``RetryableError`` (``retry_after``
from ``Retry-After``, else from ``x-amzn-RateLimit-Limit`` requests/second, else none); 401/403 →
``AccessDenied`` (the adapter fetches a new token once); other 4xx and LWA ``invalid_grant`` →
``PermanentError``.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from urllib.parse import quote

import requests

from channels.adapters.base import NotPlatformFormat, PermanentError, RetryableError

TIMEOUT = 20
LWA_BASE_URL = "https://api.amazon.com"
LWA_TOKEN_PATH = "/auth/o2/token"  # noqa: S105  a URL path, not a secret
REGION_HOSTS = {
    "na": "https://sellingpartnerapi-na.amazon.com",
    "eu": "https://sellingpartnerapi-eu.amazon.com",
    "fe": "https://sellingpartnerapi-fe.amazon.com",
}
USER_AGENT = f"oms-adapter/1.0 (Language=Python/{platform.python_version()})"


class AccessDenied(PermanentError):
    """401/403: the access token was refused (expired, revoked, or the app lacks the role)."""


def _retry_after(response: requests.Response) -> float | None:
    header = response.headers.get("Retry-After")
    if header:
        try:
            return max(float(header), 1.0)
        except ValueError:
            return None
    rate = response.headers.get("x-amzn-RateLimit-Limit")
    if rate:
        try:
            per_second = float(rate)
        except ValueError:
            return None
        if per_second > 0:
            return max(1.0 / per_second, 1.0)
    return None


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        first = errors[0]
        return f"{first.get('code', '')}: {first.get('message', '')}".strip(": ")
    if isinstance(body, dict) and body.get("error"):
        return f"{body['error']}: {body.get('error_description', '')}".strip(": ")
    return f"HTTP {response.status_code}"


class AmazonClient:
    def __init__(
        self,
        *,
        api_base_url: str,
        lwa_base_url: str,
        client_id: str,
        client_secret: str,
        refresh_token: str,
        session: requests.Session | None = None,
    ):
        self.api_base_url = api_base_url.rstrip("/")
        self.lwa_base_url = lwa_base_url.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.refresh_token = refresh_token
        self.session = session or requests.Session()

    def _send(self, method: str, url: str, **kwargs) -> requests.Response:
        try:
            return self.session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.Timeout as exc:
            raise RetryableError(f"Amazon timed out: {exc}") from exc
        except requests.ConnectionError as exc:
            raise RetryableError(f"Amazon unreachable: {exc}") from exc

    def fetch_access_token(self) -> tuple[str, int]:
        """Exchange the refresh token for an LWA access token: (token, lifetime in seconds)."""
        response = self._send(
            "POST",
            self.lwa_base_url + LWA_TOKEN_PATH,
            data={
                "grant_type": "refresh_token",
                "refresh_token": self.refresh_token,
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"LWA token: {_error_text(response)}", retry_after=_retry_after(response))
        if response.status_code != 200:
            raise PermanentError(f"LWA token refused: {_error_text(response)}")
        try:
            body = response.json()
            return body["access_token"], int(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError) as exc:
            raise NotPlatformFormat(f"LWA token response not understood: {exc}") from exc

    def get(self, path: str, params: dict, access_token: str) -> dict:
        """One SP-API GET; the decoded JSON body (the mapping reads money from the stored page as Decimal)."""
        response = self._send(
            "GET",
            self.api_base_url + path,
            params=params,
            headers={
                "x-amz-access-token": access_token,
                "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
                "user-agent": USER_AGENT,
                "accept": "application/json",
            },
        )
        if response.status_code == 429:
            raise RetryableError(
                f"Amazon throttled {path}: {_error_text(response)}", retry_after=_retry_after(response)
            )
        if response.status_code >= 500:
            raise RetryableError(
                f"Amazon {path}: {_error_text(response)}", retry_after=_retry_after(response)
            )
        if response.status_code in (401, 403):
            raise AccessDenied(f"Amazon refused access to {path}: {_error_text(response)}")
        if response.status_code != 200:
            raise PermanentError(f"Amazon {path}: {_error_text(response)}")
        try:
            body = json.loads(response.content)
        except ValueError as exc:
            raise NotPlatformFormat(f"Amazon {path}: not JSON") from exc
        if not isinstance(body, dict) or "payload" not in body:
            raise NotPlatformFormat(f"Amazon {path}: no payload in the response")
        return body

    def get_orders(self, params: dict, access_token: str) -> dict:
        return self.get("/orders/v0/orders", params, access_token)

    def get_order(self, order_id: str, access_token: str) -> dict:
        return self.get(f"/orders/v0/orders/{quote(order_id, safe='')}", {}, access_token)

    def get_order_items(self, order_id: str, access_token: str, next_token: str = "") -> dict:
        params = {"NextToken": next_token} if next_token else {}
        return self.get(f"/orders/v0/orders/{quote(order_id, safe='')}/orderItems", params, access_token)

    def call_json(
        self, method: str, path: str, params: dict, access_token: str, body: dict | None = None
    ) -> dict:
        """One SP-API call outside the Orders API (no ``payload`` wrapper): the decoded JSON answer.
        404 (no such listing) and other 4xx are permanent; 401/403 raise ``AccessDenied``."""
        headers = {
            "x-amz-access-token": access_token,
            "x-amz-date": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
            "user-agent": USER_AGENT,
            "accept": "application/json",
        }
        if body is not None:
            headers["content-type"] = "application/json"
        response = self._send(
            method,
            self.api_base_url + path,
            params=params,
            data=json.dumps(body) if body is not None else None,
            headers=headers,
        )
        if response.status_code == 429:
            raise RetryableError(
                f"Amazon throttled {method} {path}: {_error_text(response)}",
                retry_after=_retry_after(response),
            )
        if response.status_code >= 500:
            raise RetryableError(
                f"Amazon {method} {path}: {_error_text(response)}", retry_after=_retry_after(response)
            )
        if response.status_code in (401, 403):
            raise AccessDenied(f"Amazon refused access to {path}: {_error_text(response)}")
        if response.status_code != 200:
            raise PermanentError(f"Amazon {method} {path}: {_error_text(response)}")
        try:
            answer = json.loads(response.content)
        except ValueError as exc:
            raise NotPlatformFormat(f"Amazon {path}: not JSON") from exc
        if not isinstance(answer, dict):
            raise NotPlatformFormat(f"Amazon {path}: not a JSON object")
        return answer
