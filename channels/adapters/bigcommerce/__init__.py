"""BigCommerce: thin store/order/* webhooks (Standard Webhooks) and the v2 orders API."""
