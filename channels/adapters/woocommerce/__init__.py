"""WooCommerce: order webhooks (HMAC of the raw body, form ping) and the wc/v3 orders API."""
