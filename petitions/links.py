"""The citizen's way back: personal links to a petition, signed, expiring and revocable.

Every message to a citizen carries a link that opens their petition without
typing the number and the phone. The link holds the number and the petition's
`link_version`, signed with the secret key and a timestamp: it expires after
PORTAL_LINK_MAX_AGE_DAYS, and raising the version (petition_links_revoke, an
action in the admin) revokes every link sent so far. A wrong, expired or
revoked link gets one answer that says nothing about which it was.
"""
from __future__ import annotations

from django.conf import settings
from django.db.models import F
from django.urls import reverse

from lib.links import link_read, link_token
from petitions.models import Petition

SALT = "petitions.personal-link"


def petition_token(petition: Petition) -> str:
    return link_token(number=petition.number, version=petition.link_version, salt=SALT)


def petition_link(petition: Petition) -> str:
    return settings.PORTAL_PUBLIC_URL + reverse("petitions:open", args=[petition_token(petition)])


def petition_from_token(token: str) -> Petition | None:
    found = link_read(token, salt=SALT, max_age_days=settings.PORTAL_LINK_MAX_AGE_DAYS)
    return Petition.objects.filter(number=found[0], link_version=found[1]).first() if found else None


def petition_links_revoke(*, petition: Petition) -> None:
    Petition.objects.filter(pk=petition.pk).update(link_version=F("link_version") + 1)
