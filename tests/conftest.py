"""Shared fixtures: merchants, members and clients, against the real PostgreSQL of the test settings."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from oms.tenancy.models import Membership, Role
from oms.tenancy.services import api_token_create, merchant_create

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture(autouse=True)
def _no_outbound_network(monkeypatch):
    """Tests never reach the internet: any connection outside this machine fails loudly."""
    import socket

    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "localhost", "::1")
            and not host.startswith("/")
        ):
            raise OSError(f"outbound network blocked in tests: {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def make_merchant(slug: str):
    return merchant_create(slug=slug, name=slug.title(), owner_email=f"owner@{slug}.test", password=PASSWORD)


@pytest.fixture
def merchant(db):
    return make_merchant("acme")


@pytest.fixture
def rival(db):
    return make_merchant("rival")


@pytest.fixture
def owner(merchant):
    return Membership.objects.get(merchant=merchant, role=Role.OWNER).user


@pytest.fixture
def rival_owner(rival):
    return Membership.objects.get(merchant=rival, role=Role.OWNER).user


def token_client(merchant, scopes=("read", "write")) -> APIClient:
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION="Bearer "
        + api_token_create(merchant=merchant, name="t", scopes=list(scopes)).secret
    )
    return client


@pytest.fixture
def api(merchant) -> APIClient:
    return token_client(merchant)


@pytest.fixture
def rival_api(rival) -> APIClient:
    return token_client(rival)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def rival_client(rival_owner):
    from django.test import Client

    other = Client()
    other.force_login(rival_owner)
    return other
