"""Each channel's switch and credentials (Admin → Channel sources), and how a secret is shown back."""
from __future__ import annotations

from petitions.models import Channel

from channels.models import Source

# Web pages of the portal's own are open unless switched off; integrations need their credentials first.
OPEN_BY_DEFAULT = frozenset({Channel.GRID, Channel.ENTERPRISE, Channel.MAYOR_MAILBOX})


def ensure_sources(**kwargs) -> None:
    """One row per channel, created after migrate so the admin lists them all."""
    existing = set(Source.objects.values_list("channel", flat=True))
    Source.objects.bulk_create([Source(channel=code, enabled=code in OPEN_BY_DEFAULT)
                                for code, _label in Source.CHANNELS if code not in existing], ignore_conflicts=True)


def source_for(channel: str) -> Source:
    source = Source.objects.filter(channel=channel).first()
    return source if source is not None else Source(channel=channel, enabled=channel in OPEN_BY_DEFAULT)


def masked(secret: str) -> str:
    """"abcdefgh1234" -> "••••1234": enough to tell two keys apart, never enough to use one."""
    if not secret:
        return ""
    return "••••" + (secret[-4:] if len(secret) >= 12 else "")
