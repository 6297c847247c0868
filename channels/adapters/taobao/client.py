"""HTTP to the Taobao Open Platform gateway: a signed form POST to ``{api_base_url}/router/rest``.

System parameters ``method``, ``app_key``, ``session``, ``timestamp`` (Beijing time, within 10 minutes of
TOP's clock), ``format=json``, ``v=2.0``, ``sign_method`` and ``sign`` (``mapping.sign``) travel with the
business parameters in one ``application/x-www-form-urlencoded;charset=utf-8`` body.

TOP answers failures with HTTP 200 and ``{"error_response": {code, msg, sub_code, sub_msg}}``:

* code 7 (app call limit) and 10 (service unavailable), ``accesscontrol.*`` limits and the platform's own
  transient ``isp.*`` sub-codes (remote service error/timeout, connection errors, service unavailable,
  unknown error) → ``RetryableError``; a "ban will last for N more seconds" message becomes ``retry_after``;
* everything else (25 bad signature, 26/27 missing or bad session, 11/12 permissions, 15 with an ``isv.*``
  business sub-code, …) → ``PermanentError``.

Timeouts, connection errors and HTTP 5xx/429 are retryable too.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import requests

from channels.adapters.base import AdapterError, NotPlatformFormat, PermanentError, RetryableError
from channels.adapters.taobao import mapping

TIMEOUT = 20
DEFAULT_BASE_URL = "https://gw.api.taobao.com"
ROUTER_PATH = "/router/rest"
CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
RETRYABLE_CODES = frozenset({7, 10})
RETRYABLE_SUB_CODES = (
    "accesscontrol.",
    "isp.top-remote-",
    "isp.remote-service-",
    "isp.remote-connection-",
    "isp.unknown-error",
)
_BAN_SECONDS = re.compile(r"(\d+)\s*more\s*second", re.IGNORECASE)


def response_key(method: str) -> str:
    """``taobao.trade.fullinfo.get`` → ``trade_fullinfo_get_response``."""
    return method.removeprefix("taobao.").replace(".", "_") + "_response"


def error_from(error: dict) -> AdapterError:
    """The adapter error for a TOP ``error_response``: retryable or permanent (see the module docstring)."""
    try:
        code = int(error.get("code") or 0)
    except (TypeError, ValueError):
        code = 0
    sub_code = str(error.get("sub_code") or "")
    sub_msg = str(error.get("sub_msg") or "")
    text = f"TOP error {code}: {error.get('msg', '')}"
    if sub_code:
        text += f" ({sub_code}: {sub_msg})" if sub_msg else f" ({sub_code})"
    retryable = (
        code in RETRYABLE_CODES
        or sub_code.startswith(RETRYABLE_SUB_CODES)
        or (sub_code.startswith("isp.") and sub_code.endswith("-service-unavailable"))
    )
    if not retryable:
        return PermanentError(text)
    ban = _BAN_SECONDS.search(sub_msg)
    return RetryableError(text, retry_after=float(max(int(ban.group(1)), 1)) if ban else None)


class TopClient:
    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        session_key: str,
        sign_method: str = "hmac-sha256",
        base_url: str = DEFAULT_BASE_URL,
        http: requests.Session | None = None,
    ):
        if sign_method not in mapping.SIGN_METHODS:
            raise PermanentError(f"unknown TOP sign_method {sign_method!r}")
        self.app_key = app_key
        self.app_secret = app_secret
        self.session_key = session_key
        self.sign_method = sign_method
        self.url = base_url.rstrip("/") + ROUTER_PATH
        self.http = http or requests.Session()

    def signed_params(self, method: str, params: dict[str, str], timestamp: str) -> dict[str, str]:
        """System + business parameters and their ``sign``, exactly as they are posted."""
        signed = {
            "method": method,
            "app_key": self.app_key,
            "session": self.session_key,
            "timestamp": timestamp,
            "format": "json",
            "v": "2.0",
            "sign_method": self.sign_method,
            **{name: str(value) for name, value in params.items() if value not in (None, "")},
        }
        signed["sign"] = mapping.sign(signed, self.app_secret, self.sign_method)
        return signed

    def call(self, method: str, params: dict[str, str], timestamp: str) -> dict:
        """One API call; the whole answer document (``{"<api>_response": {...}}``) as TOP sent it."""
        body = urlencode(self.signed_params(method, params, timestamp))
        try:
            response = self.http.post(
                self.url, data=body, headers={"Content-Type": CONTENT_TYPE}, timeout=TIMEOUT
            )
        except requests.Timeout as exc:
            raise RetryableError(f"TOP timed out: {exc}") from exc
        except requests.ConnectionError as exc:
            raise RetryableError(f"TOP unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"TOP {method}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise PermanentError(f"TOP {method}: HTTP {response.status_code}")
        try:
            document = json.loads(response.content)
        except ValueError as exc:
            raise NotPlatformFormat(f"TOP {method}: the answer is not JSON") from exc
        if not isinstance(document, dict):
            raise NotPlatformFormat(f"TOP {method}: the answer is not an object")
        if "error_response" in document:
            raise error_from(document["error_response"] or {})
        if response_key(method) not in document:
            raise NotPlatformFormat(f"TOP {method}: no {response_key(method)} in the answer")
        return document
