"""Addresses from channels to the standard shape (placeholder until the address normalizer lands)."""

from __future__ import annotations


def normalize_address(address: dict) -> dict:
    return address
