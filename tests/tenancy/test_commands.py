"""The bootstrap commands of CONTRACT.md, run as a shell user would run them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from oms.tenancy.models import ApiToken, Membership, Merchant, Role
from tests.helpers import test_database_url

ROOT = Path(__file__).resolve().parents[2]
GOOD = "Corr3ct-Horse-Battery"


@pytest.fixture
def manage(transactional_db):
    """Run manage.py in a child process against the test database."""
    env = {**os.environ, "DATABASE_URL": test_database_url(), "DJANGO_SETTINGS_MODULE": "oms.settings.test"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    return run


def test_create_merchant_then_token_works_on_the_api(manage):
    created = manage(
        "create_merchant",
        "--slug",
        "acme",
        "--name",
        "Acme Ltd",
        "--owner-email",
        "a@acme.test",
        "--password",
        "Corr3ct-Horse-Battery",
    )
    token = manage("create_api_token", "--merchant", "acme", "--name", "ci", "--scopes", "read")

    assert created.returncode == 0, created.stderr
    assert token.returncode == 0, token.stderr
    merchant = Merchant.objects.get(slug="acme")
    assert Membership.objects.get(merchant=merchant).role == Role.OWNER
    secret = token.stdout.strip().splitlines()[-1]
    assert ApiToken.objects.get(merchant=merchant).scopes == ["read"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/orders/").status_code == 200


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            (
                "create_merchant",
                "--slug",
                "taken",
                "--name",
                "X",
                "--owner-email",
                "b@x.test",
                "--password",
                "Corr3ct-Horse-Battery",
            ),
            "taken",
        ),
        (
            (
                "create_merchant",
                "--slug",
                "weak",
                "--name",
                "X",
                "--owner-email",
                "c@x.test",
                "--password",
                "123",
            ),
            "too short",
        ),
        (("create_api_token", "--merchant", "nobody"), "unknown merchant"),
        (("create_api_token", "--merchant", "taken", "--scopes", "admin"), "unknown scopes"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(manage, args, message):
    manage(
        "create_merchant",
        "--slug",
        "taken",
        "--name",
        "T",
        "--owner-email",
        "t@x.test",
        "--password",
        "Corr3ct-Horse-Battery",
    )

    result = manage(*args)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert not Merchant.objects.filter(slug="weak").exists()
