"""Who of the staff sees a complainant's identity (DOMAIN.md sections 3 and 13).

A confidential complainant (保密) is known to the hotline platform only: not to
the handling units, not to the government inspection office or discipline
inspection (they supervise the work, not the person), and not to the public.
Citizens write their identity into the text and into file names even when
they ask for confidentiality, so for everyone but the platform a confidential
petition's words go through the personal-data redactor and its files carry
neutral names. Units see neutral file names on every petition: a photo called
"张三13812345678.jpg" says more than its content.

The public side has its own, stricter policy: `petitions.publication`.
"""
from __future__ import annotations

import os

from django.utils.translation import gettext as _

from lib.redact import redact
from org.permissions import is_platform_staff


def is_platform(user) -> bool:
    """Staff of the hotline platform itself (and superusers): one rule with the outbox's admin."""
    return is_platform_staff(user)


def sees_identity(user, petition) -> bool:
    """May this user see who the complainant is (name, phone, ID; masked or not is a separate rule)?"""
    return not petition.confidential or is_platform(user)


def identity(petition) -> list[tuple[str, str]]:
    """What the portal knows of the complainant's identity: masked wherever it is written in a confidential
    petition's words, with or without a cue around it ("张建国说…", which the rules alone do not find)."""
    return [("name", petition.complainant_name), ("phone", petition.complainant_phone),
            ("id_number", petition.complainant_id_number), ("organisation", petition.enterprise_name)]


def redact_petition(petition, text: str | None) -> str:
    """A confidential petition's text (its title, content, address, a history note) with the personal data the
    rules find and the complainant's own name, phone and ID number masked."""
    return redact(text or "", identity(petition))


def shown_text(user, petition, text: str) -> str:
    """A petition's title, content or address as this user may read it."""
    return text if sees_identity(user, petition) else redact_petition(petition, text)


def for_units(petition, text: str | None) -> str:
    """A note about the petition that goes to its units or to the supervisors' pool (a reviewer's reason, a
    look-back finding, a supervision notice): staff write the caller's name and phone into it ("电话回访王小明
    13912345678…"), and for a confidential petition none of it may reach them."""
    return redact_petition(petition, text) if petition.confidential else (text or "")


# What a supervisor's drill-down leaves as written in an ordinary petition's words: where (house numbers,
# plates) and which organisation. Who (names, phones, ID numbers, cards, accounts) is masked, as in its header.
SUPERVISOR_KEEPS = ("house_number", "plate", "organisation", "credit_code")


def for_supervisors(petition, text: str | None) -> str:
    """A petition's words (title, content, a history note) on the supervisors' drill-down: they supervise the
    work, not the person. Staff write the caller's name and phone into the history ("已电话联系王小明
    13912345678"), citizens into the content: masked on every petition, and a confidential one wholly redacted."""
    if petition.confidential:
        return redact_petition(petition, text)
    return redact(text or "", identity(petition), keep=SUPERVISOR_KEEPS)


def case_title(petition) -> str:
    """The title a supervision case or notice carries: inspection offices and units read it."""
    return for_units(petition, petition.title)


def neutral_name(attachment, index: int | None = None) -> str:
    """A file name that says nothing about the person: 附件3.jpg."""
    extension = os.path.splitext(attachment.original_name or "")[1].lower()[:8]
    number = index if index is not None else attachment.pk
    return _("attachment-%(number)s") % {"number": number} + extension


def attachment_name(user, attachment) -> str:
    return attachment.original_name if is_platform(user) else neutral_name(attachment)
