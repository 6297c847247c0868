"""The one small interface every channel adapter implements, and the plain data it speaks.

Adapters are pure where they map formats (``mapping.py``: platform JSON → ``NewOrder``, no Django), and
do HTTP only in ``client.py``. The intake service (``channels.intake``) is the only caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from oms.orders.types import NewOrder


class AdapterError(Exception):
    """Something went wrong talking to or understanding a platform."""

    retryable = False


class RetryableError(AdapterError):
    """Timeouts, 5xx, 429: worth trying again later (``retry_after`` seconds when the platform says)."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(AdapterError):
    """Bad credentials, a body that is not the platform's format: retrying will not help."""


class BadSignature(PermanentError):
    """The request is not signed by the platform with this account's secret."""


class NotPlatformFormat(PermanentError):
    """The body cannot be read as this platform's format."""


@dataclass(frozen=True)
class Account:
    """What an adapter may know of a channel account: credentials and settings, nothing of the database."""

    id: str
    kind: str
    config: dict
    webhook_secret: str
    cursor: dict


@dataclass(frozen=True)
class RawRequest:
    """A webhook request as received: header names lower-cased, the body as the exact bytes."""

    headers: dict[str, str]
    body: bytes
    content_type: str = ""

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


@dataclass(frozen=True)
class WebhookInfo:
    """What the intake reads of a verified request before processing: its event id, topic, and the reply."""

    event_id: str = ""
    topic: str = ""
    reply: dict | None = None


@dataclass
class ParsedEvent:
    """The orders a stored event carries, and external order ids the adapter must fetch to complete it."""

    orders: list[NewOrder] = field(default_factory=list)
    fetch_ids: list[str] = field(default_factory=list)


@dataclass
class PollPage:
    """One page of a polled order API: its raw body (stored as an inbound event), orders, next cursor."""

    body: bytes
    orders: list[NewOrder]
    cursor: dict
    has_more: bool


class ChannelAdapter(Protocol):
    """``receives_webhooks``/``polls`` say which half applies; the other half raises PermanentError."""

    kind: str
    polls: bool
    receives_webhooks: bool
    poll_seconds: int

    def is_ping(self, request: RawRequest) -> bool: ...

    def inspect(self, request: RawRequest) -> WebhookInfo: ...

    def verify(self, request: RawRequest, account: Account) -> None: ...

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent: ...

    def fetch_order(self, account: Account, external_id: str) -> NewOrder: ...

    def fetch_page(self, account: Account, cursor: dict) -> PollPage: ...


class PolledAdapter:
    """Base of adapters whose platform is only polled: no webhook reaches them, orders come in pages."""

    polls = True
    receives_webhooks = False
    label = "this platform's"

    def is_ping(self, request: RawRequest) -> bool:
        return False

    def verify(self, request: RawRequest, account: Account) -> None:
        raise PermanentError(f"{self.label} orders are polled, not pushed")

    def inspect(self, request: RawRequest) -> WebhookInfo:
        raise PermanentError(f"{self.label} orders are polled, not pushed")
