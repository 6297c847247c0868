"""HTTP to the Youzan cloud open API (有赞云): ``POST {base}/api/{api}/{version}?access_token=…`` with the
business parameters as a JSON body (youzan/open-sdk-php ``HttpConfig`` and ``Http::post``; the PHP SDK's GET
is deprecated in favour of POST).

An answer is ``{trace_id, code, success, message, data}``; ``code`` 200 with ``success`` true is success,
any other is a business error (e.g. 106000001 "每次可搜索一年订单记录", a search range over a year).
Gateway errors come as ``{gw_err_resp: {err_code, err_msg}}``; 4202 (token expired) and 4203 (token missing
or invalid) are answered by fetching a new token once, when the token came from ``/auth/token``.

Tokens: a self-use app (自用型) gets one with ``POST {base}/auth/token`` and the JSON body ``{client_id,
client_secret, authorize_type: "silent", grant_id, refresh: false}`` (``grant_id`` is the shop's kdt_id); the
answer's ``data`` holds ``access_token`` and ``expires`` (milliseconds since the epoch). Tokens are kept in
this process until five minutes before they expire. A channel may instead carry an ``access_token`` of its own
(tool-type apps authorised elsewhere); it is then used as it is.

Rate limits: no Youzan code for "called too often" could be confirmed from public sources, so HTTP 429, 5xx,
the codes listed in ``config["rate_limit_codes"]`` and messages with the usual words are retried.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

import requests

from channels.adapters.base import PermanentError, RetryableError
from channels.adapters.youzan import mapping

DEFAULT_BASE_URL = "https://open.youzanyun.com"
TIMEOUT = (5, 20)
TRADES_SOLD_GET = "youzan.trades.sold.get"
TRADE_GET = "youzan.trade.get"
DEFAULT_SOLD_GET_VERSION = "4.0.4"
DEFAULT_TRADE_GET_VERSION = "4.0.1"
TOKEN_CODES = frozenset({4202, 4203})
RATE_LIMIT_WORDS = ("频繁", "限流", "超限", "频率", "rate limit", "too many", "too frequent")
TOKEN_MARGIN_SECONDS = 300
TOKEN_FALLBACK_SECONDS = 3600

# (base url, client_id, grant_id) → (access_token, valid until as Unix seconds)
_tokens: dict[tuple[str, str, str], tuple[str, float]] = {}


def forget_tokens() -> None:
    _tokens.clear()


class YouzanClient:
    def __init__(self, config: dict, clock: Callable[[], datetime]):
        self.base = ((config.get("api_base_url") or "").strip() or DEFAULT_BASE_URL).rstrip("/")
        self.client_id = str(config.get("client_id") or "")
        self.client_secret = str(config.get("client_secret") or "")
        self.grant_id = str(config.get("grant_id") or config.get("kdt_id") or "")
        self.static_token = str(config.get("access_token") or "")
        self.sold_get_version = str(config.get("trades_sold_get_version") or DEFAULT_SOLD_GET_VERSION)
        self.trade_get_version = str(config.get("trade_get_version") or DEFAULT_TRADE_GET_VERSION)
        try:
            self.rate_limit_codes = frozenset(int(code) for code in config.get("rate_limit_codes") or ())
        except (TypeError, ValueError) as exc:
            raise PermanentError(
                "rate_limit_codes in the Youzan channel config must be a list of numbers"
            ) from exc
        self.clock = clock
        if not self.static_token and not (self.client_id and self.client_secret and self.grant_id):
            raise PermanentError(
                "the Youzan channel needs an access_token, or client_id, client_secret and grant_id, "
                "in its config"
            )

    # --- tokens -----------------------------------------------------------------------------------------

    @property
    def _token_key(self) -> tuple[str, str, str]:
        return (self.base, self.client_id, self.grant_id)

    def token(self) -> str:
        if self.static_token:
            return self.static_token
        cached = _tokens.get(self._token_key)
        if cached and cached[1] > self.clock().timestamp():
            return cached[0]
        return self.fetch_token()

    def fetch_token(self) -> str:
        body = {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "authorize_type": "silent",
            "grant_id": self.grant_id,
            "refresh": False,
        }
        _, data = self._post(f"{self.base}/auth/token", body, "/auth/token")
        token_data = data.get("data") if isinstance(data.get("data"), dict) else {}
        token = str(token_data.get("access_token") or "")
        if data.get("success") is not True or not token:
            raise error_from("/auth/token", data, self.rate_limit_codes)
        now = self.clock().timestamp()
        try:
            until = int(token_data["expires"]) / 1000 - TOKEN_MARGIN_SECONDS
        except (KeyError, TypeError, ValueError):
            until = now + TOKEN_FALLBACK_SECONDS
        _tokens[self._token_key] = (token, until)
        return token

    # --- calls ------------------------------------------------------------------------------------------

    def _post(self, url: str, body: dict, what: str, params: dict | None = None) -> tuple[bytes, dict]:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = requests.post(
                url,
                params=params,
                data=payload,
                headers={"Content-Type": "application/json;charset=UTF-8", "Accept": "application/json"},
                timeout=TIMEOUT,
            )
        except (requests.Timeout, requests.ConnectionError) as exc:
            raise RetryableError(f"Youzan unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"Youzan gateway error {response.status_code} on {what}")
        if response.status_code >= 400:
            raise PermanentError(f"Youzan refused {what}: HTTP {response.status_code}")
        try:
            data = mapping.load(response.content)
        except ValueError as exc:
            raise RetryableError(f"Youzan answered {what} with a body that is not JSON") from exc
        if not isinstance(data, dict):
            raise RetryableError(f"Youzan answered {what} with a body that is not a JSON object")
        return response.content, data

    def call(self, api: str, version: str, business: dict) -> tuple[bytes, dict]:
        """The raw body and parsed JSON of a successful call; errors raised as Retryable/PermanentError.
        A token Youzan no longer knows (4202, 4203) is fetched again once, unless the channel supplied it."""
        url = f"{self.base}/api/{api}/{version}"
        raw, data = self._post(url, business, api, params={"access_token": self.token()})
        if not is_success(data) and not self.static_token and error_code(data) in TOKEN_CODES:
            _tokens.pop(self._token_key, None)
            raw, data = self._post(url, business, api, params={"access_token": self.token()})
        if not is_success(data):
            raise error_from(api, data, self.rate_limit_codes, static_token=bool(self.static_token))
        return raw, data

    def trades_sold_get(self, business: dict) -> tuple[bytes, dict]:
        return self.call(TRADES_SOLD_GET, self.sold_get_version, business)

    def trade_get(self, tid: str) -> tuple[bytes, dict]:
        return self.call(TRADE_GET, self.trade_get_version, {"tid": tid})

    def skus_custom_get(self, item_no: str) -> dict:
        return self.call(mapping.SKUS_CUSTOM_GET, mapping.STOCK_API_VERSION, {"item_no": item_no})[1]

    def item_quantity_update(self, body: dict) -> dict:
        return self.call(mapping.ITEM_QUANTITY_UPDATE, mapping.STOCK_API_VERSION, body)[1]


def is_success(data: dict) -> bool:
    return (
        "gw_err_resp" not in data
        and data.get("success") is True
        and str(data.get("code")) == str(mapping.SUCCESS)
    )


def error_code(data: dict) -> int | None:
    gateway = data.get("gw_err_resp")
    code = gateway.get("err_code") if isinstance(gateway, dict) else data.get("code")
    try:
        return int(code)
    except (TypeError, ValueError):
        return None


def error_from(
    what: str, data: dict, rate_limit_codes: frozenset[int] = frozenset(), *, static_token: bool = True
) -> PermanentError | RetryableError:
    gateway = data.get("gw_err_resp")
    if isinstance(gateway, dict):
        code, text = gateway.get("err_code"), str(gateway.get("err_msg") or "")
    else:
        code, text = data.get("code"), str(data.get("message") or "")
    trace = f" (trace_id {data['trace_id']})" if data.get("trace_id") else ""
    message = f"Youzan {what} error {code}: {text}".rstrip() + trace
    number = error_code(data)
    if number in rate_limit_codes or any(word in text.lower() for word in RATE_LIMIT_WORDS):
        return RetryableError(message)
    if number in TOKEN_CODES and static_token:
        return PermanentError(f"{message} (authorise the shop again)")
    return PermanentError(message)
