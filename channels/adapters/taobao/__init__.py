"""Taobao / Tmall Open Platform (TOP): a polled channel."""
