"""The production profile passes Django's deployment checks when its variables are set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    env.update({"DJANGO_SETTINGS_MODULE": "oms.settings.production", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_profile_passes_check_deploy():
    result = run_check(
        {
            "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-0123456789",
            "ALLOWED_HOSTS": "oms.example.com",
            "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        }
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key():
    result = run_check(
        {"ALLOWED_HOSTS": "oms.example.com", "DATABASE_URL": "postgres://postgres@127.0.0.1/x"}
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
