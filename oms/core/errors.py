"""Domain errors: each carries a code and an HTTP status, and becomes the API error object."""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        if code:
            self.code = code


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class Conflict(DomainError):
    code = "conflict"
    status = 409


class NotFound(DomainError):
    code = "not_found"
    status = 404


class ValidationFailed(DomainError):
    code = "validation_error"
    status = 400
