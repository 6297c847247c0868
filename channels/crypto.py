"""Channel credentials encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256).

Keys come from ``CHANNEL_CREDENTIAL_KEYS`` (comma-separated Fernet keys, newest first, so keys can be
rotated); without it a key is derived from ``SECRET_KEY`` so the quick start needs no setup.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    derived = hashlib.sha256(b"oms.channels.credentials:" + secret_key.encode()).digest()
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def fernet() -> MultiFernet:
    return _fernet(tuple(getattr(settings, "CHANNEL_CREDENTIAL_KEYS", ())), settings.SECRET_KEY)


def encrypt_json(value: dict) -> str:
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict:
    if not token:
        return {}
    try:
        return json.loads(fernet().decrypt(token.encode()))
    except InvalidToken as exc:
        raise ValueError("channel credentials cannot be decrypted with the configured keys") from exc
