"""Numbers from a query string, parsed strictly (imports no app).

A public page must not answer 500 to `?year=abc` or `?district=99999999999999999999`: `int()` raises on the
first, and the second overflows SQLite's integers (OverflowError) or PostgreSQL's bigint ("out of range").
A value that is not a plain decimal number within its bounds is treated as absent.
"""
from __future__ import annotations

# The largest primary key of a BigAutoField (PostgreSQL bigint, SQLite's 64-bit integer).
ID_MAX = 2**63 - 1


def bounded_int(value, low: int, high: int) -> int | None:
    """`value` as an int when it is ASCII digits (an optional leading minus) within [low, high], else None."""
    text = str(value or "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not digits or len(digits) > 19 or not (digits.isascii() and digits.isdigit()):
        return None
    number = int(text)
    return number if low <= number <= high else None


def object_id(value) -> int | None:
    """A primary key from a query string, or None."""
    return bounded_int(value, 1, ID_MAX)
