"""Shopify: orders webhooks (HMAC of the raw body) and the Admin REST orders API for reconciliation."""
