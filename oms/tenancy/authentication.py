"""Bearer API tokens: looked up by their public prefix, compared by hash in constant time."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from oms.tenancy.models import ApiToken
from oms.tenancy.services import TOKEN_PREFIX, hash_secret

LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenUser:
    """Stands for the token in ``request.user``: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token

    def __str__(self) -> str:
        return f"token:{self.token.name}"


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        keyword, _, secret = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        secret = secret.strip()
        parts = secret.split("_")
        if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
            raise exceptions.AuthenticationFailed("Invalid token.")
        token = ApiToken.objects.select_related("merchant").filter(prefix=parts[1]).first()
        if token is None or not hmac.compare_digest(token.key_hash, hash_secret(secret)):
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This token has been revoked.")
        if not token.merchant.is_active:
            raise exceptions.AuthenticationFailed("This merchant is suspended.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return TokenUser(token), token

    def authenticate_header(self, request) -> str:
        return self.keyword
