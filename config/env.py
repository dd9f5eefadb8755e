"""Strict parsing of environment variables.

A bad value stops start-up with a message that names the variable, instead of
running with a silently wrong setting (docs/development.md, settings).
"""
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, default)
    if raw not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {list(choices)}, got {raw!r}")
    return raw


def env_url(name: str, *, schemes: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if raw and not raw.startswith(tuple(f"{s}://" for s in schemes)):
        raise ImproperlyConfigured(
            f"{name} must start with one of {[s + '://' for s in schemes]}, got {raw!r}"
        )
    return raw


def env_time_range(name: str, default: str) -> tuple[int, int]:
    """"21:00-08:00" -> (1260, 480): minutes after midnight; the range may wrap past midnight."""
    raw = os.environ.get(name, default).strip()
    try:
        start, end = (part.strip() for part in raw.split("-"))
        minutes = []
        for part in (start, end):
            hours, mins = part.split(":")
            value = int(hours) * 60 + int(mins)
            if not (0 <= int(hours) <= 23 and 0 <= int(mins) <= 59):
                raise ValueError
            minutes.append(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 21:00-08:00, got {raw!r}") from None
    return minutes[0], minutes[1]
_RATE_UNITS = {"s": "s", "sec": "s", "second": "s", "m": "m", "min": "m", "minute": "m",
               "h": "h", "hour": "h", "d": "d", "day": "d"}


def env_rate(name: str, default: str) -> str:
    """A rate limit such as `60/h` (also `60/hour`), returned as `60/h`, which both
    django-ratelimit and DRF read. A bad value stops start-up."""
    raw = os.environ.get(name, default).strip()
    count, _, unit = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or unit.strip().lower() not in _RATE_UNITS:
        raise ImproperlyConfigured(f"{name} must be a rate like 60/h (per s, m, h or d), got {raw!r}")
    return f"{int(count)}/{_RATE_UNITS[unit.strip().lower()]}"
