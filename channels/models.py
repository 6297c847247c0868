import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from channels.crypto import decrypt_json, encrypt_json
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
    config_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
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

    @property
    def config(self) -> dict:
        return decrypt_json(self.config_encrypted)

    @config.setter
    def config(self, value: dict) -> None:
        self.config_encrypted = encrypt_json(value or {})

    @property
    def webhook_secret(self) -> str:
        return decrypt_json(self.webhook_secret_encrypted).get("secret", "")

    @webhook_secret.setter
    def webhook_secret(self, value: str) -> None:
        self.webhook_secret_encrypted = encrypt_json({"secret": value}) if value else ""


class InboundSource(models.TextChoices):
    WEBHOOK = "webhook", _("Webhook")
    POLL = "poll", _("Poll")
    IMPORT = "import", _("Import")
    FORM = "form", _("Store form")
    SANDBOX = "sandbox", _("Sandbox")


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Duplicate")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed")


class InboundEvent(TenantModel):
    """A raw request or API page exactly as received, saved before anything parses it."""

    channel = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="inbound_events")
    source = models.CharField(max_length=10, choices=InboundSource.choices)
    external_event_id = models.CharField(max_length=200, blank=True)
    topic = models.CharField(max_length=100, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField()
    content_type = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=InboundStatus.choices, default=InboundStatus.RECEIVED)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    order_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_event_id"],
                condition=~Q(external_event_id="") & Q(status__in=["received", "processed", "failed"]),
                name="inbound_event_unique_external_id",
            )
        ]
        indexes = [
            models.Index(fields=["merchant", "channel", "status"], name="inbound_channel_status"),
            models.Index(
                fields=["received_at"], condition=Q(status="received"), name="inbound_pending_received"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_event_id or self.pk}"


class SkuMapping(TenantModel):
    """A channel's SKU (or its item/variant id) mapped onto the merchant's SKU."""

    channel = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="sku_mappings")
    channel_sku = models.CharField(max_length=128)
    sku = models.CharField(max_length=100)

    class Meta:
        ordering = ["channel_sku"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "channel_sku"], name="sku_mapping_unique_channel_sku")
        ]

    def __str__(self) -> str:
        return f"{self.channel_sku} → {self.sku}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(TenantModel):
    """One uploaded CSV/Excel file of orders and its progress; the file itself is its inbound event's body."""

    channel = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="import_jobs")
    inbound_event = models.ForeignKey(InboundEvent, on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(
        "tenancy.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_orders = models.JSONField(default=list, blank=True)
    existing_orders = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import:{self.filename or self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
