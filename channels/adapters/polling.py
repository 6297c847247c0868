"""The time window of a reconciliation poll by "modified since", shared by the adapters that page that way.

A run starts at the persisted cursor's time (``poll_lookback_hours`` back on the first run); the next run
starts ``poll_overlap_minutes`` before the newest modification seen, so an order changed while we paged, or
stamped by a clock a little behind ours, is read again rather than missed (the intake drops the repeats).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

DEFAULT_OVERLAP_MINUTES = 5
DEFAULT_LOOKBACK_HOURS = 24


def utc_now() -> datetime:
    return datetime.now(UTC)


def window_start(stored: str | None, config: dict, now: datetime) -> datetime:
    if stored:
        return datetime.fromisoformat(stored).astimezone(UTC)
    hours = float(config.get("poll_lookback_hours", DEFAULT_LOOKBACK_HOURS))
    return (now - timedelta(hours=hours)).replace(microsecond=0)


def newest(stored: str | None, seen: list[datetime]) -> datetime | None:
    """The newest modification time of this run so far (``stored`` is the value kept across its pages)."""
    times = [*seen, *([datetime.fromisoformat(stored)] if stored else [])]
    return max(times) if times else None


def next_window_start(start: datetime, newest_seen: datetime | None, config: dict) -> datetime:
    """Where the next run starts: the newest modification seen minus the overlap, never before ``start``."""
    if newest_seen is None:
        return start
    overlap = timedelta(minutes=float(config.get("poll_overlap_minutes", DEFAULT_OVERLAP_MINUTES)))
    return max(start, newest_seen.astimezone(UTC) - overlap)


def next_cursor(
    key: str, start: datetime, newest_seen: datetime | None, config: dict, *, continuation: dict | None
) -> dict:
    """The cursor after a page: the same window plus the platform's ``continuation`` (next page number or
    token) while the run goes on, else the next run's window start under ``key``."""
    if continuation:
        return {
            key: start.isoformat(),
            **continuation,
            "newest": newest_seen.isoformat() if newest_seen else "",
        }
    return {key: next_window_start(start, newest_seen, config).isoformat()}
