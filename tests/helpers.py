"""Small helpers shared by tests that start child processes (workers, servers, manage.py)."""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    """DATABASE_URL pointing at the test database pytest-django created (TCP or a unix socket alike)."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or settings.DATABASE_URL)
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


test_database_url.__test__ = False  # not a test, despite its name
