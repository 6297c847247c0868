"""HTTP to the JD JOS gateway: a signed form POST to ``{api_base_url}/routerjson``.

Parameters: ``method``, ``app_key``, ``access_token``, ``timestamp`` (Beijing time; JD's gateway code
table allows 6 minutes of clock difference), ``v=2.0``, ``360buy_param_json`` (the business JSON string)
and ``sign`` (``mapping.sign``, computed over the JSON string exactly as it is posted).

Errors: the gateway answers ``{"error_response": {"code", "zh_desc", "en_desc"}}``. Code 2 (App Call
Limited) is retryable, and so is an error whose description says the call was limited, the service busy,
unavailable or timed out [inferred: JD's full list of gateway codes was not available; 19 is a bad
``access_token``, 12 a bad signature]; every other gateway error is permanent. A business failure inside a
normal answer (``code`` ≠ "0" or ``apiResult.success`` false) is permanent. Timeouts, connection errors and
HTTP 5xx/429 are retryable.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import requests

from channels.adapters.base import AdapterError, NotPlatformFormat, PermanentError, RetryableError
from channels.adapters.jd import mapping

TIMEOUT = 20
DEFAULT_BASE_URL = "https://api.jd.com"
ROUTER_PATH = "/routerjson"
CONTENT_TYPE = "application/x-www-form-urlencoded;charset=utf-8"
RETRYABLE_CODES = frozenset({"2"})
RETRYABLE_WORDS = (
    "limit",
    "busy",
    "unavailable",
    "timeout",
    "timed out",
    "频繁",
    "限流",
    "繁忙",
    "超时",
    "不可用",
)


def response_key(method: str) -> str:
    """``jingdong.pop.order.search`` → ``jingdong_pop_order_search_responce`` (JD's spelling)."""
    return method.replace(".", "_") + "_responce"


def error_from(error: dict) -> AdapterError:
    code = str(error.get("code") or "")
    text = f"JOS error {code}: {error.get('en_desc') or ''} {error.get('zh_desc') or ''}".strip()
    described = f"{error.get('en_desc') or ''} {error.get('zh_desc') or ''}".lower()
    if code in RETRYABLE_CODES or any(word in described for word in RETRYABLE_WORDS):
        return RetryableError(text)
    return PermanentError(text)


class JosClient:
    def __init__(
        self,
        *,
        app_key: str,
        app_secret: str,
        access_token: str,
        base_url: str = DEFAULT_BASE_URL,
        http: requests.Session | None = None,
    ):
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_token = access_token
        self.url = base_url.rstrip("/") + ROUTER_PATH
        self.http = http or requests.Session()

    def signed_params(self, method: str, param_json: str, timestamp: str) -> dict[str, str]:
        params = {
            "method": method,
            "app_key": self.app_key,
            "access_token": self.access_token,
            "timestamp": timestamp,
            "v": "2.0",
            "360buy_param_json": param_json,
        }
        params["sign"] = mapping.sign(params, self.app_secret)
        return params

    def call(self, method: str, param_json: str, timestamp: str) -> dict:
        """One API call; the whole answer document as JD sent it."""
        body = urlencode(self.signed_params(method, param_json, timestamp))
        try:
            response = self.http.post(
                self.url, data=body, headers={"Content-Type": CONTENT_TYPE}, timeout=TIMEOUT
            )
        except requests.Timeout as exc:
            raise RetryableError(f"JOS timed out: {exc}") from exc
        except requests.ConnectionError as exc:
            raise RetryableError(f"JOS unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"JOS {method}: HTTP {response.status_code}")
        if response.status_code != 200:
            raise PermanentError(f"JOS {method}: HTTP {response.status_code}")
        try:
            document = json.loads(response.content)
        except ValueError as exc:
            raise NotPlatformFormat(f"JOS {method}: the answer is not JSON") from exc
        if not isinstance(document, dict):
            raise NotPlatformFormat(f"JOS {method}: the answer is not an object")
        if "error_response" in document:
            raise error_from(document["error_response"] or {})
        answer = document.get(response_key(method))
        if not isinstance(answer, dict):
            raise NotPlatformFormat(f"JOS {method}: no {response_key(method)} in the answer")
        if str(answer.get("code", "0")) != "0":
            raise error_from(answer)
        return document
