from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who did something: a person, a token or the system itself."""

    label: str
    user_id: object | None = None

    @classmethod
    def system(cls, what: str = "system") -> Actor:
        return cls(label=what)
