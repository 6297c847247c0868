"""HTTP to the Pinduoduo open platform gateway: ``POST {base}/api/router``, form-encoded, signed.

System parameters: ``type`` (the API name), ``client_id``, ``access_token``, ``timestamp`` (Unix seconds),
``data_type=JSON``, ``version=V1``, ``sign``. Errors come back with HTTP 200 as
``{"error_response": {error_code, error_msg, sub_code, sub_msg, request_id}}``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import requests

from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.pinduoduo import mapping

DEFAULT_BASE_URL = "https://gw-api.pinduoduo.com"
TIMEOUT = (5, 20)
# 10019: access_token expired (seen in captured responses). Codes that mean "called too often": 70031 is
# the commonly cited one but was not confirmed against PDD's own code table, so messages are read as well.
AUTH_CODES = frozenset({10019})
RATE_LIMIT_CODES = frozenset({70031})
RATE_LIMIT_WORDS = ("频繁", "限流", "超限", "rate limit", "too many", "too frequent")


class PddClient:
    def __init__(self, config: dict, clock: Callable[[], datetime]):
        self.base = ((config.get("api_base_url") or "").strip() or DEFAULT_BASE_URL).rstrip("/")
        self.client_id = config.get("client_id") or ""
        self.client_secret = config.get("client_secret") or ""
        self.access_token = config.get("access_token") or ""
        self.clock = clock
        if not (self.client_id and self.client_secret):
            raise PermanentError("the Pinduoduo channel needs client_id and client_secret in its config")

    def signed(self, api_type: str, business: dict) -> dict:
        params = {
            "type": api_type,
            "client_id": self.client_id,
            "access_token": self.access_token,
            "timestamp": str(int(self.clock().timestamp())),
            "data_type": "JSON",
            "version": "V1",
            **{key: str(value) for key, value in business.items()},
        }
        return {**params, "sign": mapping.sign(params, self.client_secret)}

    def call(self, api_type: str, business: dict) -> tuple[bytes, dict]:
        """The raw body and its parsed JSON; platform errors raised as Retryable/PermanentError."""
        url = f"{self.base}/api/router"
        headers = {"Content-Type": "application/x-www-form-urlencoded;charset=utf-8"}
        try:
            response = requests.post(
                url, data=self.signed(api_type, business), headers=headers, timeout=TIMEOUT
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(f"Pinduoduo unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"Pinduoduo gateway error {response.status_code} on {api_type}")
        if response.status_code >= 400:
            raise PermanentError(f"Pinduoduo refused {api_type}: HTTP {response.status_code}")
        try:
            data = mapping.load(response.content)
        except ValueError as exc:
            raise RetryableError(f"Pinduoduo answered {api_type} with a body that is not JSON") from exc
        if not isinstance(data, dict):
            raise RetryableError(f"Pinduoduo answered {api_type} with a body that is not a JSON object")
        if "error_response" in data:
            raise error_from(api_type, data["error_response"] or {})
        return response.content, data

    def increment(self, business: dict) -> tuple[bytes, dict]:
        return self.call("pdd.order.number.list.increment.get", business)

    def information(self, order_sn: str) -> tuple[bytes, dict]:
        return self.call("pdd.order.information.get", {"order_sn": order_sn})

    def goods_list(self, outer_id: str) -> dict:
        return self.call(mapping.GOODS_LIST_GET, mapping.goods_list_params(outer_id))[1]

    def quantity_update(self, target: dict, quantity: int) -> dict:
        return self.call(mapping.GOODS_QUANTITY_UPDATE, mapping.quantity_update_params(target, quantity))[1]


def error_from(api_type: str, error: dict) -> PermanentError | RetryableError:
    code = error.get("error_code")
    text = " ".join(
        str(part)
        for part in (error.get("error_msg"), error.get("sub_code"), error.get("sub_msg"))
        if part not in (None, "")
    )
    message = f"Pinduoduo {api_type} error {code}: {text}".strip()
    try:
        number = int(code)
    except (TypeError, ValueError):
        number = None
    if number in RATE_LIMIT_CODES or any(word in text.lower() for word in RATE_LIMIT_WORDS):
        return RetryableError(message)
    if number in AUTH_CODES:
        return PermanentError(f"{message} (authorise the shop again)")
    return PermanentError(message)
