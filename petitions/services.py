"""Writes to petitions. Views, the admin, the API and tasks call these and
never set a petition's state themselves (docs/development.md, rule 2)."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from lib import ratelimits
from lib.errors import ConflictError, DomainError
from lib.redact import redact
from lib.upload_handlers import OversizedUpload
from lib.uploads import UploadRejected, clean_upload
from lib.workdays import local_date
from notifications.services import queued_together
from org.calendar import get_calendar
from petitions import messages, privacy, selectors, signals, transitions
from petitions.models import (
    MEDIA_CHANNELS,
    OPEN_STATUSES,
    AccessRecord,
    ApiKey,
    Attachment,
    CallbackAttempt,
    CloseReason,
    DailyCounter,
    EventKind,
    Kind,
    Petition,
    PetitionEvent,
    Rating,
    Satisfaction,
    Status,
    Stream,
)

UPLOAD_MESSAGES = {
    "empty": lambda: _("The file is empty."),
    "too_large": lambda: _("The file is larger than %(size)s.")
    % {"size": filesizeformat(settings.PORTAL_UPLOAD_MAX_BYTES)},
    "unsupported_type": lambda: _("Only JPEG, PNG or WebP pictures and PDF documents are accepted."),
    "name_mismatch": lambda: _("The file's content does not match its name."),
    "too_many_pixels": lambda: _("The picture is too large."),
    "corrupt": lambda: _("The file is damaged and cannot be read."),
    "active_content": lambda: _("PDF files with scripts or actions are not accepted."),
    "encrypted": lambda: _("Password-protected PDF files are not accepted."),
    "too_complex": lambda: _("The PDF file is too complex to be checked. Print it to a new PDF and send that."),
}


@dataclass
class CleanUpload:
    original_name: str
    content: bytes
    content_type: str
    extension: str


def attachment_clean(upload) -> CleanUpload:
    """Check one uploaded file by content; raise DomainError(field='attachments')."""
    limit = settings.PORTAL_UPLOAD_MAX_BYTES
    try:
        if isinstance(upload, OversizedUpload):
            raise UploadRejected("too_large")  # refused while streaming; nothing of it was kept
        # Never more than the limit into memory, whatever the upload claims its size is.
        data = upload.read(limit + 1)
        cleaned = clean_upload(upload.name, data, max_bytes=limit)
    except UploadRejected as rejected:
        message = UPLOAD_MESSAGES.get(str(rejected), UPLOAD_MESSAGES["corrupt"])()
        raise DomainError(f"{upload.name}: {message}", field="attachments") from None
    return CleanUpload(upload.name[-200:], cleaned.content, cleaned.content_type, cleaned.extension)


def _allocate_number(now: dt.datetime) -> str:
    """The next tracking number of the day: yyyymmdd + 6-digit sequence.

    One upsert: the counter row is created at the day's first filing and locked for the rest of the
    filing transaction, so two intakes can never take the same number, and the first two filings of a
    day do not collide (ON CONFLICT decides).
    """
    day = local_date(now)
    table = connection.ops.quote_name(DailyCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
                       f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last", [day])
        last = cursor.fetchone()[0]
    return f"{day:%Y%m%d}{last:06d}"


def _record(petition: Petition, *, kind: str, at: dt.datetime, actor=None, from_status: str = "",
            to_status: str = "", reason: str = "", data: dict | None = None, public: bool = False) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition, kind=kind, at=at, actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status, to_status=to_status, reason=reason, data=data or {}, public=public,
    )


def petition_file(
    *,
    channel: str,
    kind: str,
    area,
    title: str,
    content: str,
    complainant_name: str,
    complainant_phone: str,
    classification=None,
    address: str = "",
    latitude=None,
    longitude=None,
    complainant_type: str = "person",
    complainant_id_number: str = "",
    enterprise_name: str = "",
    confidential: bool = False,
    publish_consent: bool = False,
    language: str = "zh-hans",
    attachments: Iterable[CleanUpload] = (),
    actor=None,
    submission_token: uuid.UUID | None = None,
    api_key=None,
) -> tuple[Petition, bool]:
    """Record a new petition. Returns (petition, created).

    With a submission token already used for the same phone, returns the petition that token
    created and False: a form posted twice makes one petition. The same token with another phone is
    not a repeat but someone else's token: a petition of its own is filed, and the other stays unseen.
    Media items wait for screening; everything else is received for dispatch.
    """
    if submission_token is not None:
        existing = Petition.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            if existing.complainant_phone == complainant_phone:
                return existing, False  # the same form posted twice
            # Someone else's token (copied, guessed): their petition is never shown to this sender, whose own
            # petition is filed as any other (nothing submitted is lost), without the token.
            submission_token = None
    if classification is not None and not classification.is_active:
        raise DomainError(_("This classification item is no longer in use."), field="classification")
    if not area.is_active:
        raise DomainError(_("This area is no longer in use."), field="area")
    now = timezone.now()
    status = Status.SCREENING if channel in MEDIA_CHANNELS else Status.RECEIVED
    # The receipt and the dispatch's messages (work orders, the "dispatched" SMS) go to the worker as one task.
    with queued_together():
        try:
            with transaction.atomic():
                petition = Petition.objects.create(
                    number=_allocate_number(now), channel=channel, kind=kind, status=status,
                    classification=classification, area=area, district=area.district, address=address,
                    latitude=latitude, longitude=longitude, title=title, content=content,
                    complainant_type=complainant_type, complainant_name=complainant_name,
                    complainant_phone=complainant_phone, complainant_id_number=complainant_id_number,
                    enterprise_name=enterprise_name, confidential=confidential, received_at=now,
                    # Consent to publish means nothing on a confidential petition: it is never published.
                    publish_consent=publish_consent and not confidential, language=language[:8],
                    filed_by=actor if getattr(actor, "pk", None) else None, submission_token=submission_token,
                    api_key=api_key,
                )
                Attachment.objects.bulk_create(
                    [_attachment(petition, upload, now, actor) for upload in attachments]
                )
                _record(petition, kind=EventKind.FILED, at=now, actor=actor, to_status=status,
                        data={"channel": channel, **({"api_key": api_key.name} if api_key else {})}, public=True)
                # The receipt with the tracking number and the personal link, in the filing's transaction.
                messages.tell_citizen(petition, "citizen.receipt", key=str(petition.pk), urgent=True)
        except IntegrityError:
            # Two posts of the same form raced past the check above: the other one won.
            if submission_token is not None:
                existing = Petition.objects.filter(submission_token=submission_token).first()
                if existing is not None and existing.complainant_phone == complainant_phone:
                    return existing, False
                if existing is not None:
                    raise DomainError(_("This form could not be sent. Please send it again.")) from None
            raise
        if status == Status.RECEIVED:
            # The petition as filed goes with the signal: dispatch need not read it back (issue 20).
            transaction.on_commit(lambda: signals.petition_filed.send(sender=Petition, petition_id=petition.pk,
                                                                      petition=petition))
        return petition, True


def _attachment(petition: Petition, upload: CleanUpload, now: dt.datetime, actor, purpose=Attachment.Purpose.PETITION):
    attachment = Attachment(
        petition=petition, purpose=purpose, original_name=upload.original_name,
        content_type=upload.content_type, size=len(upload.content), uploaded_at=now,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    attachment.file.save(f"{uuid.uuid4().hex}{upload.extension}", ContentFile(upload.content), save=False)
    return attachment


def attachments_add(*, petition: Petition, uploads: Iterable[CleanUpload], actor, purpose: str) -> list[Attachment]:
    now = timezone.now()
    return Attachment.objects.bulk_create([_attachment(petition, u, now, actor, purpose) for u in uploads])


def attachments_publish(*, ids: Iterable[int], now: dt.datetime) -> int:
    """The files of an approved answer the reviewer kept: from now on the citizen sees and downloads them."""
    return Attachment.objects.filter(pk__in=list(ids), purpose=Attachment.Purpose.ANSWER,
                                     published_at__isnull=True).update(published_at=now)


def petition_transition(
    *,
    petition: Petition | int,
    to: str,
    actor=None,
    kind: str = EventKind.STATUS,
    reason: str = "",
    data: dict | None = None,
    public: bool = True,
    expected: Iterable[str] | None = None,
    changes: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
    held: bool = False,
) -> Petition:
    """Move a petition to `to`: lock, check the table, save, record; one transaction.

    `expected` names the statuses the caller saw; if the petition moved on in
    the meantime the caller lost a race and gets a ConflictError saying so.
    `changes` are further fields saved with the status (answer, closed_at...).
    `held`: the caller has locked `petition` (a Petition read with select_for_update) in the transaction it
    is in: the step is made on that object, without reading and locking the row again (issue 20).
    """
    now = now or timezone.now()
    if held:
        if not isinstance(petition, Petition) or not transaction.get_connection().in_atomic_block:
            raise ValueError("held=True needs the locked Petition, inside the transaction that locked it")
        return _transition(petition, to=to, actor=actor, kind=kind, reason=reason, data=data, public=public,
                           expected=expected, changes=changes, now=now)
    petition_id = petition.pk if isinstance(petition, Petition) else petition
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition_id)
        _transition(locked, to=to, actor=actor, kind=kind, reason=reason, data=data, public=public,
                    expected=expected, changes=changes, now=now)
    if isinstance(petition, Petition):
        petition.refresh_from_db()
        return petition
    return locked


def _transition(locked: Petition, *, to: str, actor, kind: str, reason: str, data: dict | None, public: bool,
                expected: Iterable[str] | None, changes: dict[str, Any] | None, now: dt.datetime) -> Petition:
    """The step itself, on a petition row this transaction has locked."""
    from_status = locked.status
    if expected is not None and from_status not in set(expected):
        raise ConflictError(
            _("Petition %(number)s was changed by someone else meanwhile: it is now “%(status)s”.")
            % {"number": locked.number, "status": locked.get_status_display()}
        )
    if not transitions.allowed(from_status, to):
        raise DomainError(
            _("A petition that is “%(from)s” cannot become “%(to)s”.")
            % {"from": locked.get_status_display(), "to": Status(to).label},
            code="invalid_transition",
        )
    locked.status = to
    fields = ["status", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(locked, name, value)
        fields.append(name)
    if to in (Status.CLOSED, Status.CLOSED_ON_SPOT, Status.ROUTED_OUT, Status.MERGED):
        locked.closed_at = now
        fields.append("closed_at")
    if to == Status.CALLBACK:
        # The callback's clock (回访): nothing waits without one (docs/supervision.md).
        locked.callback_due_at = get_calendar().deadline_from(now, settings.PORTAL_CALLBACK_WORKING_DAYS)
        locked.callback_overdue_at = None
        fields += ["callback_due_at", "callback_overdue_at"]
    if from_status == Status.CLOSED:
        locked.close_reason = ""  # reopened: how it closes next time is decided then
        fields.append("close_reason")
    locked.save(update_fields=sorted(set(fields)))
    event = _record(locked, kind=kind, at=now, actor=actor, from_status=from_status, to_status=to,
                    reason=reason, data=data, public=public)
    messages.on_transition(locked, from_status=from_status, to_status=to, reopened=kind == EventKind.REOPENED,
                           reason=reason, event_id=event.pk)
    channel = locked.channel
    transaction.on_commit(
        lambda: signals.petition_status_changed.send(
            sender=Petition, petition_id=locked.pk, from_status=from_status, to_status=to, channel=channel
        )
    )
    return locked


def petition_record_event(*, petition: Petition, kind: str, actor=None, reason: str = "",
                          data: dict | None = None, public: bool = False) -> PetitionEvent:
    """A step that does not change the status (a contact with the citizen, a note)."""
    return _record(petition, kind=kind, at=timezone.now(), actor=actor, reason=reason, data=data, public=public)


def petition_screen(*, petition: Petition, stream: str, actor, routed_to: str = "", reason: str = "") -> Petition:
    """Screen a media item (初筛): government service enters the workflow; the
    three other streams are recorded and routed to their own bodies."""
    if stream not in Stream.values:
        raise DomainError(_("Choose one of the four streams."), field="stream")
    if stream == Stream.GOVERNMENT_SERVICE:
        petition = petition_transition(
            petition=petition, to=Status.RECEIVED, actor=actor, kind=EventKind.SCREENED, reason=reason,
            data={"stream": stream}, expected=[Status.SCREENING], changes={"stream": stream},
        )
        transaction.on_commit(lambda: signals.petition_filed.send(sender=Petition, petition_id=petition.pk))
        return petition
    if not routed_to.strip():
        raise DomainError(_("Say which body the item is routed to."), field="routed_to")
    return petition_transition(
        petition=petition, to=Status.ROUTED_OUT, actor=actor, kind=EventKind.SCREENED, reason=reason,
        data={"stream": stream, "routed_to": routed_to}, expected=[Status.SCREENING],
        changes={"stream": stream, "routed_to": routed_to.strip()},
    )


def petition_close_on_spot(*, petition: Petition, answer: str, actor) -> Petition:
    """An operator answers a consultation from the knowledge base (直接办结)."""
    if petition.kind != Kind.CONSULTATION:
        raise DomainError(_("Only a consultation can be answered on the spot."), field="kind")
    if not answer.strip():
        raise DomainError(_("Write the answer given to the caller."), field="answer")
    now = timezone.now()
    return petition_transition(
        petition=petition, to=Status.CLOSED_ON_SPOT, actor=actor, reason=answer.strip(),
        expected=[Status.RECEIVED], changes={"answer": answer.strip(), "answered_at": now}, now=now,
    )


def petition_rate(*, petition: Petition, satisfaction: str, solved: bool, comment: str = "",
                  source: str = Rating.Source.CITIZEN, actor=None) -> Rating:
    """Record the callback result (回访) of the current round and close or reopen.

    Satisfied or basically satisfied closes the petition; unsatisfied sends it
    back to the unit for re-handling in a new round (dispatch restarts the
    unit's clock on `petition_reopened`).
    """
    if satisfaction not in Satisfaction.values:
        raise DomainError(_("Choose how satisfied you are."), field="satisfaction")
    now = timezone.now()
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.status != Status.CALLBACK:
            raise DomainError(_("This petition is not waiting for a rating."), code="not_ratable")
        if Rating.objects.filter(petition=locked, round=locked.handling_round).exists():
            raise DomainError(_("This answer has already been rated."), code="already_rated")
        rating = Rating.objects.create(
            petition=locked, round=locked.handling_round, satisfaction=satisfaction, solved=solved,
            comment=comment.strip(), source=source, rated_at=now,
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        data = {"satisfaction": satisfaction, "solved": solved, "round": locked.handling_round}
        if satisfaction == Satisfaction.UNSATISFIED:
            petition_transition(
                petition=locked, to=Status.IN_PROGRESS, actor=actor, kind=EventKind.REOPENED,
                reason=comment.strip(), data=data, changes={"handling_round": locked.handling_round + 1}, now=now,
            )
            transaction.on_commit(
                lambda: signals.petition_reopened.send(sender=Petition, petition_id=locked.pk, reason="unsatisfied")
            )
        else:
            petition_transition(petition=locked, to=Status.CLOSED, actor=actor, kind=EventKind.RATED,
                                data=data, changes={"close_reason": CloseReason.RATED}, now=now)
    petition.refresh_from_db()
    return rating


def _tracking_failures_key(phone: str) -> str:
    return "track-fail:" + hashlib.sha256(phone.encode()).hexdigest()[:24]


def tracking_blocked(phone: str) -> bool:
    """Too many lookups with this phone and a wrong number this hour (PORTAL_TRACK_PHONE_FAILURES)."""
    return ratelimits.counted(_tracking_failures_key(phone)) >= settings.PORTAL_TRACK_PHONE_FAILURES


def tracking_lookup(*, number: str, phone: str) -> Petition | None:
    """The petition with this number and phone, for the web page, the API's tracking and its rating.

    The per-address limit (PORTAL_RATE_TRACK) does not stop someone who knows a reporter's phone from trying the
    day's tracking numbers from many addresses: the failures are also counted per phone, and past
    PORTAL_TRACK_PHONE_FAILURES in an hour that phone finds nothing, right number or not (the same answer as a wrong
    one: nothing to probe). The phone is kept only as a hash in the cache."""
    if tracking_blocked(phone):
        return None
    petition = selectors.petition_for_tracking(number=number, phone=phone)
    if petition is None:
        ratelimits.count(_tracking_failures_key(phone), 3600)
    return petition


# While someone handles it: a supplement to a petition still in screening, answered or closed would be read by no one.
SUPPLEMENT_STATUSES = frozenset({Status.RECEIVED, Status.CONSULTATION, Status.DISPATCHED, Status.IN_PROGRESS})
SUPPLEMENT_MAX_FILES = 20  # the citizen's own files on one petition, those filed with it included


def petition_supplement(*, petition: Petition, content: str, uploads: Iterable[CleanUpload] = (),
                        actor=None) -> PetitionEvent:
    """The citizen adds words and files to their own petition while it is being handled (a unit waiting for their
    materials, or something they remembered). One public step of the timeline, the files as the citizen's own, and
    the units holding the work told at once in the same transaction (petitions.messages.units_supplemented); the
    unit restarts its stopped clock itself once it has what it needs (docs/intake.md)."""
    content = content.strip()
    if len(content) < 10:
        raise DomainError(_("Write at least 10 characters: what you add and why."), field="content")
    uploads = list(uploads)
    now = timezone.now()
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.status not in SUPPLEMENT_STATUSES:
            raise DomainError(_("This petition is no longer being handled: materials cannot be added. Call 12345 "
                                "or file a new petition."), code="not_open")
        have = Attachment.objects.filter(petition=locked, purpose=Attachment.Purpose.PETITION).count()
        if have + len(uploads) > SUPPLEMENT_MAX_FILES:
            raise DomainError(_("A petition holds at most %(count)s of your files; %(left)s more can be added.")
                              % {"count": SUPPLEMENT_MAX_FILES, "left": max(SUPPLEMENT_MAX_FILES - have, 0)},
                              field="attachments")
        if uploads:
            attachments_add(petition=locked, uploads=uploads, actor=actor, purpose=Attachment.Purpose.PETITION)
        event = _record(locked, kind=EventKind.SUPPLEMENT, at=now, actor=actor, reason=content,
                        data={"files": len(uploads)}, public=True)
        messages.units_supplemented(locked, event_id=event.pk)
    return event


def petition_callback_failed(*, petition: Petition, outcome: str, actor, note: str = "") -> CallbackAttempt:
    """The operator tried the callback (回访) and could not complete it. After
    PORTAL_CALLBACK_MAX_ATTEMPTS failed attempts in the round the petition closes as
    "could not be reached" (无法联系): closed without a rating, so it counts as not rated,
    neither satisfied nor unsatisfied (`close_reason` = unreachable)."""
    if outcome not in CallbackAttempt.Outcome.values:
        raise DomainError(_("Choose what happened on the call."), field="outcome")
    now = timezone.now()
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.status != Status.CALLBACK:
            raise DomainError(_("This petition is not waiting for a callback."), code="not_ratable")
        attempt = CallbackAttempt.objects.create(
            petition=locked, round=locked.handling_round, outcome=outcome, note=note.strip()[:500], at=now,
            recorded_by=actor if getattr(actor, "pk", None) else None)
        failed = CallbackAttempt.objects.filter(petition=locked, round=locked.handling_round).count()
        limit = settings.PORTAL_CALLBACK_MAX_ATTEMPTS
        _record(locked, kind=EventKind.CALLBACK_ATTEMPT, at=now, actor=actor, reason=note.strip(),
                data={"outcome": outcome, "attempt": failed, "of": limit, "round": locked.handling_round})
        if failed >= limit:
            petition_transition(
                petition=locked, to=Status.CLOSED, actor=actor, kind=EventKind.STATUS,
                reason=_("The citizen could not be reached after %(count)s callbacks: closed without a rating.")
                % {"count": failed},
                data={"unreachable": True, "attempts": failed}, changes={"close_reason": CloseReason.UNREACHABLE},
                now=now)
    petition.refresh_from_db()
    return attempt


def callback_attempts_left(petition: Petition) -> int:
    done = CallbackAttempt.objects.filter(petition=petition, round=petition.handling_round).count()
    return max(0, settings.PORTAL_CALLBACK_MAX_ATTEMPTS - done)


def petition_classify(*, petition: Petition, classification, actor, reason: str = "") -> Petition:
    """A dispatcher sets or corrects the classification item (before routing)."""
    if not classification.is_active or not classification.is_leaf:
        raise DomainError(_("Choose an active leaf item of the classification."), field="classification")
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        old = locked.classification_id
        locked.classification = classification
        locked.save(update_fields=["classification", "updated_at"])
        _record(locked, kind=EventKind.NOTE, at=timezone.now(), actor=actor, reason=reason,
                data={"classification": [old, classification.pk]})
    petition.refresh_from_db()
    return petition


def _chain_recount(root_id: int) -> int:
    """Store the chain's repeat count on the root and on every repeat of it: one UPDATE that counts as it
    writes, and says what it wrote."""
    table = connection.ops.quote_name(Petition._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET repeat_count = (SELECT count(*) FROM {table} AS r WHERE r.repeat_of_id = %s) "
                       f"WHERE id = %s OR repeat_of_id = %s RETURNING repeat_count", [root_id, root_id, root_id])
        row = cursor.fetchone()
    return row[0] if row else 0


def petition_link_repeat(*, petition: Petition, original: Petition, actor=None, reason: str = "",
                         by_hand: bool = False) -> int:
    """Link `petition` as a repeat of the matter `original` belongs to.

    Repeats always point at the root matter (the earliest petition of the chain); every member stores the
    chain's count of repeats (supervision acts from the 3rd petition, DOMAIN.md section 6). A petition that
    was itself a root brings its own repeats along. Returns the chain's new count.
    """
    root_id = original.repeat_of_id or original.pk
    if root_id == petition.pk or original.pk == petition.pk:
        raise DomainError(_("A petition cannot repeat itself."), field="original")
    now = timezone.now()
    with transaction.atomic():
        # Lock the root first, then the repeat: the same order everywhere avoids deadlocks.
        root = Petition.objects.select_for_update().get(pk=root_id)
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.repeat_of_id == root.pk:
            if by_hand and not locked.repeat_by_hand:
                locked.repeat_by_hand = True
                locked.save(update_fields=["repeat_by_hand", "updated_at"])
            return root.repeat_count
        previous_root = locked.repeat_of_id
        locked.repeat_of = root
        locked.repeat_by_hand = locked.repeat_by_hand or by_hand
        locked.save(update_fields=["repeat_of", "repeat_by_hand", "updated_at"])
        Petition.objects.filter(repeat_of_id=locked.pk).update(repeat_of=root)  # its own repeats follow it
        if previous_root:
            _chain_recount(previous_root)
        count = _chain_recount(root.pk)
        who = actor if getattr(actor, "pk", None) else None
        PetitionEvent.objects.bulk_create([  # both sides of the link, one INSERT
            PetitionEvent(petition=locked, kind=EventKind.REPEAT, at=now, actor=who, reason=reason,
                          data={"original": root.number, "repeat_count": count, "by_hand": by_hand}),
            PetitionEvent(petition=root, kind=EventKind.REPEAT, at=now, actor=who, reason=reason,
                          data={"repeat": locked.number, "repeat_count": count, "by_hand": by_hand}),
        ])
    return count


def petition_unlink_repeat(*, petition: Petition, actor=None, reason: str = "", by_hand: bool = False) -> Petition:
    """Undo a repeat link (a dispatcher's correction, or a classification that no longer matches).

    Unlinking the root of a chain makes its earliest repeat the new root. By hand, a reason is required and
    the decision sticks: automatic detection leaves the petition alone afterwards."""
    if by_hand and not reason.strip():
        raise DomainError(_("Say why this petition is not the same matter."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        if locked.repeat_of_id:
            root_id = locked.repeat_of_id
            Petition.objects.select_for_update().filter(pk=root_id).first()
            locked.repeat_of = None
        else:
            members = list(Petition.objects.select_for_update().filter(repeat_of_id=locked.pk)
                           .order_by("received_at", "pk").values_list("pk", flat=True))
            if not members:
                if by_hand and not locked.repeat_by_hand:
                    locked.repeat_by_hand = True
                    locked.save(update_fields=["repeat_by_hand", "updated_at"])
                return locked
            root_id = members[0]
            Petition.objects.filter(pk=root_id).update(repeat_of=None)
            Petition.objects.filter(pk__in=members[1:]).update(repeat_of_id=root_id)
        locked.repeat_count = 0
        locked.repeat_by_hand = locked.repeat_by_hand or by_hand
        locked.save(update_fields=["repeat_of", "repeat_count", "repeat_by_hand", "updated_at"])
        count = _chain_recount(root_id)
        root = Petition.objects.get(pk=root_id)
        _record(locked, kind=EventKind.REPEAT_UNLINKED, at=now, actor=actor, reason=reason,
                data={"original": root.number, "by_hand": by_hand})
        _record(root, kind=EventKind.REPEAT_UNLINKED, at=now, actor=actor, reason=reason,
                data={"repeat": locked.number, "repeat_count": count, "by_hand": by_hand})
    return locked


def petition_merge(*, petition: Petition, into: Petition, actor, duplicate: bool = False, reason: str = "") -> Petition:
    """Close `petition` into another: as a duplicate of it, or merged with it.
    The surviving petition carries the handling; both histories say so."""
    if into.pk == petition.pk:
        raise DomainError(_("A petition cannot be merged into itself."), field="into")
    if into.status == Status.MERGED:
        raise DomainError(_("Petition %(number)s is itself merged; choose the one it was merged into.")
                          % {"number": into.number}, field="into")
    if into.status not in OPEN_STATUSES:
        # Closed, answered on the spot or routed out: nobody handles it any more, so a petition merged into it
        # would never be answered.
        raise DomainError(_("Petition %(number)s is no longer being handled (%(status)s): a petition merged into it "
                            "would never be answered. Handle this one on its own.")
                          % {"number": into.number, "status": into.get_status_display()}, field="into")
    with transaction.atomic():
        merged = petition_transition(
            petition=petition, to=Status.MERGED, actor=actor, kind=EventKind.MERGED, reason=reason,
            data={"into": into.number, "duplicate": duplicate}, changes={"merged_into": into},
        )
        # Petitions merged into this one earlier follow it: their citizens' pages show, and their messages come
        # from, the petition that is handled (no chain of merged petitions to a dead end).
        Petition.objects.filter(merged_into=petition, status=Status.MERGED).update(merged_into=into)
        # The surviving petition's units read its history (dispatch's unit page, the supervisors' drill-down): the
        # dispatcher's reason names the merged petition's complainant ("李秀英（139…，保密）反映同一工地"), who, if
        # confidential, is known to the platform only. Its history there carries the words as units may read them;
        # the merged petition keeps them whole.
        _record(into, kind=EventKind.MERGED, at=timezone.now(), actor=actor, reason=privacy.for_units(petition, reason),
                data={"from": petition.number, "duplicate": duplicate})
    return merged


def petition_reopen(*, petition: Petition, actor, reason: str) -> Petition:
    """Reopen a closed petition for a new round of handling (look-back found a
    false closure); dispatch puts the lead unit back to work."""
    with transaction.atomic():
        locked = Petition.objects.select_for_update().get(pk=petition.pk)
        petition_transition(petition=locked, to=Status.IN_PROGRESS, actor=actor, kind=EventKind.REOPENED,
                            reason=reason, expected=[Status.CLOSED],
                            changes={"handling_round": locked.handling_round + 1, "closed_at": None})
        transaction.on_commit(
            lambda: signals.petition_reopened.send(sender=Petition, petition_id=locked.pk, reason="lookback")
        )
    petition.refresh_from_db()
    return petition


# --- API keys for integrators ---------------------------------------------------------------------------

def _hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def apikey_issue(*, name: str, actor=None):
    """Issue a key; returns (ApiKey, the key itself). Only its hash is stored.
    A key files petitions through Open311 and the API: only platform administrators
    (the `add_apikey` permission) issue one; `actor=None` is the server's own command."""
    _apikey_require(actor, "petitions.add_apikey")
    if not name.strip():
        raise DomainError(_("Give the key a name (the integrator)."), field="name")
    raw = f"pk_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(name=name.strip(), prefix=raw[3:11], key_hash=_hash_key(raw),
                                created_at=timezone.now(), created_by=actor if getattr(actor, "pk", None) else None)
    return key, raw


def _apikey_require(actor, permission: str) -> None:
    if actor is not None and not actor.has_perm(permission):
        raise DomainError(_("Only platform administrators manage API keys."), field="name")


def apikey_revoke(*, key, actor=None):
    _apikey_require(actor, "petitions.change_apikey")
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key


def apikey_authenticate(raw: str):
    """The active key matching `raw`, or None."""
    if not raw or not raw.startswith("pk_"):
        return None
    key = ApiKey.objects.filter(key_hash=_hash_key(raw), revoked_at__isnull=True).first()
    if key is not None:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def access_record(*, user, action: str, petition: Petition | None = None, detail: str = "") -> None:
    """Log a staff member's look at personal data (petitions.models.AccessRecord)."""
    if getattr(user, "pk", None) is None:
        return
    AccessRecord.objects.create(at=timezone.now(), user=user, action=action, petition=petition, detail=detail[:100])


def outbox_search_record(sender, *, user, term: str, **kwargs) -> None:
    """A search of Admin -> Outbox by recipient (notifications.signals.outbox_searched), recorded as a search of
    the petitions' list is: who, when, and the term masked."""
    access_record(user=user, action=AccessRecord.Action.SEARCH, detail=f"outbox: {redact(term)}")
