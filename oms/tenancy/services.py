"""Writes on merchants, members, invitations and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from oms.core.errors import Conflict, NotFound, ValidationFailed
from oms.tenancy.models import ApiToken, Invitation, Membership, Merchant, Role, Scope, User

TOKEN_PREFIX = "oms"  # noqa: S105  the public prefix of every token, not a secret


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), fields={"password": exc.messages}) from exc


@transaction.atomic
def merchant_create(*, slug: str, name: str, owner_email: str, password: str) -> Merchant:
    slug = slugify(slug)
    if not slug:
        raise ValidationFailed("the merchant slug is empty", fields={"slug": ["required"]})
    if Merchant.objects.filter(slug=slug).exists():
        raise Conflict(f"the slug {slug!r} is taken", fields={"slug": ["taken"]}, code="slug_taken")
    owner_email = owner_email.strip().lower()
    user = User.objects.filter(email=owner_email).first()
    if user is None:
        candidate = User(email=owner_email)
        _check_password(password, candidate)
        user = User.objects.create_user(owner_email, password)
    elif not user.check_password(password):
        raise Conflict(
            f"{owner_email} already has an account; give its password to add a merchant",
            fields={"owner_email": ["exists"]},
            code="email_taken",
        )
    try:
        with transaction.atomic():
            merchant = Merchant.objects.create(
                slug=slug,
                name=name.strip() or slug,
                trial_ends_at=timezone.now() + timedelta(days=settings.TRIAL_DAYS),
            )
    except IntegrityError as exc:
        raise Conflict(f"the slug {slug!r} is taken", code="slug_taken") from exc
    Membership.objects.create(merchant=merchant, user=user, role=Role.OWNER)
    return merchant


def merchant_signup(*, company: str, email: str, password: str) -> tuple[Merchant, User]:
    """Self-service trial: a merchant named after the company, with a free slug, and its owner."""
    base = slugify(company)[:40] or "shop"
    slug = base
    while Merchant.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    merchant = merchant_create(slug=slug, name=company, owner_email=email, password=password)
    return merchant, User.objects.get(email=email.strip().lower())


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str


def api_token_create(
    *, merchant: Merchant, name: str, scopes: list[str] | None = None, created_by: User | None = None
) -> IssuedToken:
    scopes = sorted(set(scopes or [Scope.READ, Scope.WRITE]))
    unknown = set(scopes) - set(Scope.values)
    if unknown:
        raise ValidationFailed(
            f"unknown scopes: {', '.join(sorted(unknown))}", fields={"scopes": sorted(unknown)}
        )
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        merchant=merchant,
        name=name.strip() or "token",
        prefix=prefix,
        key_hash=hash_secret(secret),
        scopes=scopes,
        created_by=created_by,
    )
    return IssuedToken(token=token, secret=secret)


def api_token_revoke(*, merchant: Merchant, token_id) -> ApiToken:
    tokens = ApiToken.objects.for_merchant(merchant)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound("no such token")
    tokens.filter(pk=token_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: Invitation
    secret: str


def invitation_create(
    *, merchant: Merchant, email: str, role: str, invited_by: User, store=None, accept_url_base: str = ""
) -> IssuedInvitation:
    email = email.strip().lower()
    if role not in Role.values or (role == Role.OWNER and not _is_owner(merchant, invited_by)):
        raise ValidationFailed(f"role {role!r} cannot be given here", fields={"role": ["invalid"]})
    if role == Role.CLERK and store is None:
        raise ValidationFailed("a store clerk must be bound to a store", fields={"store": ["required"]})
    if Membership.objects.for_merchant(merchant).filter(user__email=email, is_active=True).exists():
        raise Conflict(f"{email} is already a member", fields={"email": ["member"]})
    secret = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        merchant=merchant,
        email=email,
        role=role,
        store=store if role == Role.CLERK else None,
        token_hash=hash_secret(secret),
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    link = f"{accept_url_base}{secret}/"
    transaction.on_commit(
        lambda: send_mail(
            f"You are invited to {merchant.name}",
            f"{invited_by.email} invited you to join {merchant.name} as {role}.\n\nAccept: {link}\n",
            None,
            [email],
        )
    )
    return IssuedInvitation(invitation=invitation, secret=secret)


def _is_owner(merchant: Merchant, user: User) -> bool:
    return (
        Membership.objects.for_merchant(merchant).filter(user=user, role=Role.OWNER, is_active=True).exists()
    )


def invitation_get_open(secret: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("merchant")
        .filter(token_hash=hash_secret(secret), accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at < timezone.now():
        raise NotFound("this invitation is unknown, used or expired")
    return invitation


@transaction.atomic
def invitation_accept(*, secret: str, password: str, user: User | None = None) -> Membership:
    invitation = invitation_get_open(secret)
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now()
    )
    if not updated:
        raise NotFound("this invitation is already used")
    if user is None:
        user = User.objects.filter(email=invitation.email).first()
        if user is None:
            _check_password(password, User(email=invitation.email))
            user = User.objects.create_user(invitation.email, password)
        elif not user.check_password(password):
            raise ValidationFailed("wrong password for the existing account", fields={"password": ["wrong"]})
    membership, _ = Membership.objects.update_or_create(
        merchant=invitation.merchant,
        user=user,
        defaults={"role": invitation.role, "store": invitation.store, "is_active": True},
    )
    return membership


def membership_update(*, merchant: Merchant, membership_id, role: str, store=None, actor: User) -> Membership:
    membership = Membership.objects.for_merchant(merchant).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound("no such member")
    if role not in Role.values:
        raise ValidationFailed(f"unknown role {role!r}", fields={"role": ["invalid"]})
    if (role == Role.OWNER or membership.role == Role.OWNER) and not _is_owner(merchant, actor):
        raise ValidationFailed("only an owner can change owners", fields={"role": ["owner_only"]})
    if membership.role == Role.OWNER and role != Role.OWNER and _owner_count(merchant) == 1:
        raise Conflict("a merchant keeps at least one owner", code="last_owner")
    if role == Role.CLERK and store is None:
        raise ValidationFailed("a store clerk must be bound to a store", fields={"store": ["required"]})
    membership.role = role
    membership.store = store if role == Role.CLERK else None
    membership.save(update_fields=["role", "store", "updated_at"])
    return membership


def membership_remove(*, merchant: Merchant, membership_id, actor: User) -> None:
    membership = Membership.objects.for_merchant(merchant).filter(pk=membership_id).first()
    if membership is None:
        raise NotFound("no such member")
    if membership.role == Role.OWNER:
        if not _is_owner(merchant, actor):
            raise ValidationFailed("only an owner can remove an owner")
        if _owner_count(merchant) == 1:
            raise Conflict("a merchant keeps at least one owner", code="last_owner")
    membership.delete()


def _owner_count(merchant: Merchant) -> int:
    return Membership.objects.for_merchant(merchant).filter(role=Role.OWNER, is_active=True).count()


def invitation_revoke(*, merchant: Merchant, invitation_id) -> Invitation:
    invitation = Invitation.objects.for_merchant(merchant).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("no such invitation")
    updated = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise Conflict("this invitation was already used or revoked", code="invitation_closed")
    invitation.refresh_from_db()
    return invitation


def merchant_update(*, merchant: Merchant, name: str, timezone_name: str, currency: str) -> Merchant:
    merchant.name = name.strip() or merchant.name
    merchant.timezone = timezone_name
    merchant.currency = currency.upper()
    merchant.save(update_fields=["name", "timezone", "currency", "updated_at"])
    return merchant
