"""HTTP to the Douyin shop open API: ``POST {base}/{module}/{action}?app_key=…&method=…&access_token=…
&timestamp=…&v=2&sign_method=hmac-sha256&sign=…`` with ``param_json`` as the JSON body.

An answer is ``{code, msg, sub_code, sub_msg, log_id, data}``; ``code`` 10000 is success. The other codes,
as the SDKs list them: 20000 service unavailable and 20001 internal timeout, 60000 rate limited (retried);
30001 no permission / authorisation closed, 30002 untrusted IP, 40001–40004 missing or invalid parameters
(including an expired or unknown access_token and a bad signature), 50001/50002 platform or business
failure, 70000 API offline, 80000 security, 90000 other (not retried).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import requests

from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.douyin import mapping

DEFAULT_BASE_URL = "https://openapi-fxg.jinritemai.com"
TIMEOUT = (5, 20)
RETRYABLE_CODES = frozenset({20000, 20001, 60000})


class DoudianClient:
    def __init__(self, config: dict, clock: Callable[[], datetime]):
        self.base = ((config.get("api_base_url") or "").strip() or DEFAULT_BASE_URL).rstrip("/")
        self.app_key = str(config.get("app_key") or "")
        self.app_secret = config.get("app_secret") or ""
        self.access_token = config.get("access_token") or ""
        self.clock = clock
        if not (self.app_key and self.app_secret):
            raise PermanentError("the Douyin shop channel needs app_key and app_secret in its config")

    def query(self, method: str, body: str) -> dict:
        timestamp = str(int(self.clock().timestamp()))
        return {
            "app_key": self.app_key,
            "method": method,
            "access_token": self.access_token,
            "timestamp": timestamp,
            "v": mapping.API_VERSION,
            "sign_method": "hmac-sha256",
            "sign": mapping.api_sign(
                app_key=self.app_key,
                app_secret=self.app_secret,
                method=method,
                param_json=body,
                timestamp=timestamp,
            ),
        }

    def call(self, method: str, params: dict) -> tuple[bytes, dict]:
        """The raw body and its parsed JSON of a successful call (``code`` 10000)."""
        body = mapping.param_json(params)
        url = f"{self.base}/{method.replace('.', '/')}"
        try:
            response = requests.post(
                url,
                params=self.query(method, body),
                data=body.encode(),
                headers={"Content-Type": "application/json", "Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(f"Douyin shop unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"Douyin shop gateway error {response.status_code} on {method}")
        if response.status_code >= 400:
            raise PermanentError(f"Douyin shop refused {method}: HTTP {response.status_code}")
        try:
            data = mapping.load(response.content)
        except ValueError as exc:
            raise RetryableError(f"Douyin shop answered {method} with a body that is not JSON") from exc
        if not isinstance(data, dict):
            raise RetryableError(f"Douyin shop answered {method} with a body that is not a JSON object")
        code = data.get("code")
        if code != mapping.SUCCESS:
            raise error_from(method, data)
        return response.content, data

    def order_detail(self, order_id: str) -> tuple[bytes, dict]:
        return self.call("order.orderDetail", {"shop_order_id": order_id})

    def search_list(self, params: dict) -> tuple[bytes, dict]:
        return self.call("order.searchList", params)

    def sync_stock(self, params: dict) -> dict:
        return self.call(mapping.SYNC_STOCK, params)[1]


def error_from(method: str, data: dict) -> PermanentError | RetryableError:
    code = data.get("code")
    text = " ".join(
        str(part)
        for part in (data.get("msg"), data.get("sub_code"), data.get("sub_msg"))
        if part not in (None, "")
    )
    message = f"Douyin shop {method} error {code}: {text} (log_id {data.get('log_id', '')})"
    try:
        number = int(code)
    except (TypeError, ValueError):
        number = None
    if number in RETRYABLE_CODES:
        return RetryableError(message)
    return PermanentError(message)
