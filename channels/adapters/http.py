"""The transport half every platform client shares: what a failure to reach a platform means for us.

Network failures, 429 and 5xx answers are worth trying again later (``RetryableError``, with the wait the
platform asks for); what a 4xx or a business error means stays in each platform's client.
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from channels.adapters.base import RetryableError

TIMEOUT = (5, 20)


def retry_after_header(headers) -> float | None:
    try:
        return float(headers.get("Retry-After", ""))
    except ValueError:
        return None


def send(platform: str, method: str, url: str, **kwargs) -> requests.Response:
    """One HTTP call; a timeout or a refused connection becomes ``RetryableError``."""
    timeout = kwargs.pop("timeout", TIMEOUT)
    try:
        return requests.request(method, url, timeout=timeout, **kwargs)
    except (requests.Timeout, requests.ConnectionError) as exc:
        raise RetryableError(f"{platform} unreachable: {exc}") from exc


def check_retryable(
    platform: str, response: requests.Response, retry_after: Callable = retry_after_header
) -> requests.Response:
    """A 429 or 5xx answer becomes ``RetryableError`` with the platform's wait; anything else passes."""
    if response.status_code == 429 or response.status_code >= 500:
        raise RetryableError(
            f"{platform} error {response.status_code}", retry_after=retry_after(response.headers)
        )
    return response
