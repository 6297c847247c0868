"""Amazon Selling Partner API (Orders v0): a polled channel."""
