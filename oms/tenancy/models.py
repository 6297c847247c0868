"""Merchants (tenants), their members and API tokens.

Every tenant-owned row in every app carries a ``merchant`` foreign key (one column name, ``merchant_id``,
everywhere) and is reached through ``Model.objects.for_merchant(merchant)``, so that PostgreSQL row-level
security can later be added on that one column as a second wall.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oms.core.models import BaseModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("an email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in; belongs to merchants through memberships. The email is the login."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    username = None
    email = models.EmailField(_("email"), unique=True)
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    def __str__(self) -> str:
        return self.email


class Merchant(BaseModel):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    currency = models.CharField(max_length=3, default="CNY")
    plan = models.CharField(max_length=20, default="trial")
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.slug


class TenantQuerySet(models.QuerySet):
    def for_merchant(self, merchant: Merchant) -> TenantQuerySet:
        if merchant is None:
            return self.none()
        return self.filter(merchant=merchant)


TenantManager = models.Manager.from_queryset(TenantQuerySet)


class TenantModel(BaseModel):
    merchant = models.ForeignKey(Merchant, on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    WAREHOUSE = "warehouse", _("Warehouse operator")
    CLERK = "clerk", _("Store clerk")
    VIEWER = "viewer", _("Viewer")


WRITE_ROLES = {Role.OWNER, Role.MANAGER, Role.WAREHOUSE, Role.CLERK}
ADMIN_ROLES = {Role.OWNER, Role.MANAGER}


class Membership(TenantModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    store = models.ForeignKey(
        "locations.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["merchant", "user"], name="membership_unique_user"),
            models.CheckConstraint(
                condition=~Q(role="clerk") | Q(store__isnull=False), name="membership_clerk_has_store"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.merchant_id}:{self.role}"

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def can_admin(self) -> bool:
        return self.role in ADMIN_ROLES


class Invitation(TenantModel):
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    store = models.ForeignKey(
        "locations.Location", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write")


class ApiToken(TenantModel):
    """A bearer token; only its SHA-256 is stored, the secret is shown once at creation."""

    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    scopes = ArrayField(models.CharField(max_length=10, choices=Scope.choices), default=list)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
