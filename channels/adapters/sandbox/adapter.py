"""The sandbox channel: a built-in shop that 'sells' a few orders each poll, so the demo is alive."""

from __future__ import annotations

import json
import random

from django.utils import timezone

from channels.adapters.base import Account, ParsedEvent, PermanentError, PolledAdapter, PollPage, RawRequest
from channels.adapters.sandbox import mapping
from oms.catalog.models import Product


class SandboxAdapter(PolledAdapter):
    kind = "sandbox"
    label = "the sandbox"
    poll_seconds = 30

    def parse(self, request: RawRequest, account: Account) -> ParsedEvent:
        return ParsedEvent(orders=mapping.parse_page(request.body))

    def fetch_order(self, account: Account, external_id: str):
        raise PermanentError("the sandbox has no order API")

    def fetch_page(self, account: Account, cursor: dict) -> PollPage:
        serial = int(cursor.get("serial", 1))
        rng = random.Random(f"{account.id}:{serial}")  # noqa: S311  demo data, not security
        skus = _skus(account)
        count = int(account.config.get("orders_per_poll", rng.choice([1, 2, 3])))
        page = mapping.generate(rng, skus, count, timezone.now(), serial)
        return PollPage(
            body=json.dumps(page, ensure_ascii=False).encode(),
            orders=[],
            cursor={**cursor, "serial": page["serial"]},
            has_more=False,
        )

    def push_stock(self, account: Account, sku_code: str, quantity: int) -> str:
        """The sandbox shop takes the figure without any network: the push log is its only record."""
        return "sandbox: recorded, nothing sent"


def _skus(account: Account) -> list[tuple[str, str]]:
    from channels.models import ChannelAccount

    merchant_id = ChannelAccount.objects.values_list("merchant_id", flat=True).get(pk=account.id)
    return list(
        Product.objects.filter(merchant_id=merchant_id, is_active=True).values_list("sku", "title")[:50]
    )


ADAPTER = SandboxAdapter()
