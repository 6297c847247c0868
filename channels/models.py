import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
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
    stock_sync_enabled = models.BooleanField(_("push stock levels"), default=True)
    stock_share_percent = models.PositiveSmallIntegerField(
        _("share of available stock (%)"),
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    stock_buffer = models.PositiveIntegerField(_("units kept back"), default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stock_share_percent__lte=100), name="channel_stock_share_at_most_100"
            )
        ]

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


# --- Stock sync to channels (channels.stock_sync) ---------------------------------------------------------


class StockPushMark(TenantModel):
    """The durable "this channel needs the new stock figure of this product" flag, one row per pair.

    A stock change sets ``needs_push`` and ``marked_at``; the sweep claims a due row (``needs_push`` off,
    ``claimed_until`` set) in a short transaction, pushes without holding any lock, then clears the claim.
    A row changed again while its push runs keeps ``needs_push`` and is pushed by the next sweep; a claim
    whose worker died expires at ``claimed_until``. ``retry_at`` holds the backoff after a failed push.
    """

    channel = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="stock_marks")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    needs_push = models.BooleanField(default=True)
    marked_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    pushed_at = models.DateTimeField(null=True, blank=True)
    last_quantity = models.IntegerField(null=True, blank=True)
    last_channel_skus = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "product"], name="stock_push_mark_unique_channel_product"
            )
        ]
        indexes = [
            models.Index(fields=["marked_at"], condition=Q(needs_push=True), name="stock_push_mark_due"),
            models.Index(
                fields=["claimed_until"],
                condition=Q(claimed_until__isnull=False),
                name="stock_push_mark_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.product_id}"


class StockPushStatus(models.TextChoices):
    OK = "ok", _("Pushed")
    ERROR = "error", _("Failed")
    SKIPPED = "skipped", _("Skipped")


class StockPushLog(TenantModel):
    """One push of a stock figure to one channel SKU (or a push skipped because the figure did not change)."""

    channel = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="stock_pushes")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sku = models.CharField(max_length=100, blank=True)
    channel_sku = models.CharField(max_length=128, blank=True)
    quantity = models.IntegerField()
    available = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=StockPushStatus.choices)
    error = models.TextField(blank=True)
    detail = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["channel", "-at"], name="stock_push_log_channel_at")]

    def __str__(self) -> str:
        return f"{self.channel_sku}={self.quantity} {self.status}"
