import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from oms.tenancy.models import TenantModel


class ChannelKind(models.TextChoices):
    SHOPIFY = "shopify", "Shopify"
    WOOCOMMERCE = "woocommerce", "WooCommerce"
    BIGCOMMERCE = "bigcommerce", "BigCommerce"
    AMAZON = "amazon", "Amazon"
    TAOBAO = "taobao", _("Taobao / Tmall")
    JD = "jd", _("JD")
    PINDUODUO = "pinduoduo", _("Pinduoduo")
    DOUYIN = "douyin", _("Douyin shop")
    YOUZAN = "youzan", _("Youzan")
    STORE = "store", _("Store counter")
    API = "api", _("Open API")
    CSV = "csv", _("CSV import")
    SANDBOX = "sandbox", _("Sandbox")


class ChannelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ERROR = "error", _("Error")


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)


class ChannelAccount(TenantModel):
    """One connected shop on one platform (or an internal source such as the open API)."""

    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    name = models.CharField(max_length=200)
    config = models.JSONField(default=dict, blank=True)
    webhook_secret = models.CharField(max_length=255, blank=True)
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token, editable=False)
    status = models.CharField(max_length=10, choices=ChannelStatus.choices, default=ChannelStatus.ACTIVE)
    poll_cursor = models.JSONField(default=dict, blank=True)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def webhook_path(self) -> str:
        return f"/webhooks/{self.kind}/{self.webhook_token}/"
