"""The domain error every service raises for a refused action.

It carries a translated message and, where it is about one input, the field
name, so forms, the admin and the API all show it where the user looks.
"""
from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message, *, field: str | None = None, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code

    def as_form_error(self, form) -> None:
        field = self.field if self.field in getattr(form, "fields", {}) else None
        form.add_error(field, self.message)


class ConflictError(DomainError):
    """Someone else changed the object first; the user should reload and retry."""

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message, field=field, code="conflict")
