"""Queue and send notifications: after commit, retried with backoff, never twice.

Sending claims a row with a conditional UPDATE (pending -> sending WHERE
status = 'pending'); a worker that finds the row already claimed stops:
another one got there first. Each row is marked (sent, back to pending, or
failed) by its own UPDATE right after its own delivery attempt, so a worker
killed mid-batch leaves only the message it was delivering in doubt. A failure
puts it back to pending with exponential backoff (1, 2, 4 ... minutes, capped at
an hour) until MAX_ATTEMPTS, then it is failed; a failure no retry can cure (the
gateway says the number is invalid: PermanentSmsError) fails it at once. A
recipient that cannot be one (an SMS to a landline, a malformed e-mail) is
stored failed at enqueue time and never sent: visible in the admin outbox,
never silent.

A row left `sending` longer than STUCK_AFTER (its worker was killed) is
reclaimed by the sweep. A live batch keeps its claim fresh: before each
delivery, once the claim is CLAIM_REFRESH old, one UPDATE renews it on the rows
the batch still holds and returns them; a row that was reclaimed meanwhile is
not among them and is left to its new owner. So a row is delivered at most
CLAIM_REFRESH plus one delivery (every backend has a timeout of seconds) after
its claim was last confirmed, far inside STUCK_AFTER.

The honest limit: if a worker dies (or one delivery hangs for longer than
STUCK_AFTER - CLAIM_REFRESH) after the provider accepted a message but before
its row is marked sent, the reclaim sends that one message again. The window is
the few milliseconds between the provider's answer and our UPDATE, and the key
goes to the gateway as an idempotency key, so gateways that honour one
deduplicate even that.

A message the catalog marks secret (a one-time code) keeps its text only while
it may still be sent: the UPDATE that marks it sent or failed clears the body.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from lib.identity import is_mobile, normalise_phone
from notifications import backends
from notifications.models import SECRET_MESSAGES, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
MAX_BACKOFF = dt.timedelta(hours=1)
STUCK_AFTER = dt.timedelta(minutes=10)
# A batch renews its claim this often: one small UPDATE a minute at most, and a live batch is never taken for
# a dead one (STUCK_AFTER), however many messages it holds and however slow the gateway (15 s each at most).
CLAIM_REFRESH = dt.timedelta(minutes=1)
# The most messages one task holds: a sweep that writes 10,000 digests in one transaction queues 200 tasks the
# workers share, not one task that a single worker spends hours on.
TASK_BATCH = 50


def _check_recipient(channel: str, recipient: str) -> tuple[str, str]:
    """(the recipient normalised, "") or (as given, why it can never be sent to)."""
    if channel == Notification.Channel.SMS:
        try:
            number = normalise_phone(recipient)
        except ValueError:
            number = ""
        # Only a mainland mobile takes an SMS: a unit's duty phone may be a landline or a hotline.
        if is_mobile(number):
            return number, ""
        return recipient, "invalid mobile number"
    if channel != Notification.Channel.EMAIL:
        # A registered channel (WeChat, a partner's callback) checks its own recipients when it sends.
        return recipient, ""
    try:
        validate_email(recipient.strip())
    except ValidationError:
        return recipient, "invalid e-mail address"
    return recipient.strip(), ""


def notification_enqueue(*, key: str, channel: str, recipient: str, body: str, subject: str = "",
                         not_before: dt.datetime | None = None) -> Notification:
    """Queue a message; a second call with the same key returns the first row.
    `not_before` holds it until then (quiet hours); the sweep sends it when it is due.
    A recipient that cannot receive it is stored failed, with the reason, and not sent."""
    now = timezone.now()
    recipient, invalid = _check_recipient(channel, recipient)
    if invalid and key.startswith(SECRET_MESSAGES):
        body = ""  # never sent: the code must not wait in the outbox either (the admin says why it is empty)
    notification = Notification(
        key=key[:200], channel=channel, recipient=recipient[:200], subject=subject[:200], body=body,
        next_attempt_at=max(now, not_before) if not_before else now, created_at=now, last_error=invalid,
        status=Notification.Status.FAILED if invalid else Notification.Status.PENDING)
    notification.pk = insert_new(notification, ["key"])
    if notification.pk is None:
        return Notification.objects.get(key=key[:200])
    if invalid:
        logger.warning("notification %s not sent: %s", key, invalid)
    else:
        _queue_on_commit(notification.pk)
    return notification


def insert_new(obj, conflict_fields: list[str]) -> int | None:
    """INSERT the unsaved `obj` unless a row with the same `conflict_fields` exists: its id, or None.
    One statement where a savepoint, an INSERT and a release (and a rollback on a duplicate) were three:
    every filing queues its receipt through here (issue 20)."""
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    conflict = ", ".join(quote(meta.get_field(name).column) for name in conflict_fields)
    sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT ({conflict}) DO NOTHING "
           f"RETURNING {quote(meta.pk.column)}")
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding, obj._state.db = False, connection.alias
    return obj.pk


class _Batch:
    """The notifications one transaction queued: one task for all of them after commit, not one broker
    round trip each (a filing queues four; issue 20)."""

    def __init__(self):
        self.pks: list[int] = []
        self.done = False

    def __call__(self):
        self.done = True
        _queue_many(self.pks)


_together = threading.local()


@contextmanager
def queued_together():
    """The messages committed inside this block (by any number of transactions: a filing's receipt, then its
    dispatch's work orders and SMS) go to the worker as one task when the block ends. The rows are committed
    already; if the process dies before the end, the outbox sweep sends them."""
    if getattr(_together, "pks", None) is not None:
        yield  # an outer block queues them
        return
    _together.pks = []
    try:
        yield
    finally:
        pks, _together.pks = _together.pks, None
        if pks:
            _queue_many(pks)


def _queue_on_commit(pk: int) -> None:
    if not connection.in_atomic_block:
        transaction.on_commit(lambda: _queue(pk))  # autocommit: the row is already committed
        return
    # The batch this transaction registered, while its callback is still pending (a rolled-back savepoint
    # drops the callback with the rows it queued; the next row starts a new batch).
    pending = next((callback for _ids, callback, _robust in reversed(connection.run_on_commit)
                    if isinstance(callback, _Batch) and not callback.done), None)
    if pending is None:
        pending = _Batch()
        transaction.on_commit(pending)
    pending.pks.append(pk)


def _queue_many(pks: list[int]) -> None:
    held = getattr(_together, "pks", None)
    if held is not None:
        held.extend(pks)
        return
    if len(pks) == 1:
        _queue(pks[0])
        return
    from notifications.tasks import send_notifications  # cycle: tasks <-> services (the task calls the service)

    for start in range(0, len(pks), TASK_BATCH):
        chunk = pks[start:start + TASK_BATCH]
        try:
            send_notifications.delay(chunk)
        except Exception:  # the broker is down: the sweep sends them
            logger.warning("could not queue notifications %s; the sweep will send them", chunk)
            return


def insert_new_many(objs: list, conflict_fields: list[str], batch: int = 1000, also: tuple[str, ...] = ()) -> list:
    """`insert_new` for many unsaved rows of one model, in multi-row INSERTs: the ids of the rows inserted
    (those whose `conflict_fields` already existed are skipped). With `also` (field names), each item is a
    tuple of the id and those fields' values, from the same RETURNING."""
    if not objs:
        return []
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    conflict = ", ".join(quote(meta.get_field(name).column) for name in conflict_fields)
    returning = ", ".join([quote(meta.pk.column), *(quote(meta.get_field(name).column) for name in also)])
    row = f"({', '.join(['%s'] * len(fields))})"
    ids: list = []
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start:start + batch]
            params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in chunk for f in fields]
            cursor.execute(f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
                           f"VALUES {', '.join([row] * len(chunk))} ON CONFLICT ({conflict}) DO NOTHING "
                           f"RETURNING {returning}", params)
            ids += [tuple(r) if also else r[0] for r in cursor.fetchall()]
    return ids


def notifications_enqueue_many(rows: list[dict]) -> int:
    """`notification_enqueue` for many messages in bulk (a sweep's digests): each dict has key, channel,
    recipient, body and optionally subject and not_before; keys already queued are skipped. Returns how
    many rows were written; the pending ones are queued after commit, as one task."""
    now = timezone.now()
    objs = []
    for row in rows:
        recipient, invalid = _check_recipient(row["channel"], row["recipient"])
        not_before = row.get("not_before")
        objs.append(Notification(
            key=row["key"][:200], channel=row["channel"], recipient=recipient[:200],
            subject=row.get("subject", "")[:200], body=row["body"], created_at=now, last_error=invalid,
            next_attempt_at=max(now, not_before) if not_before else now,
            status=Notification.Status.FAILED if invalid else Notification.Status.PENDING))
    inserted = insert_new_many(objs, ["key"], also=("status",))  # one statement: no read-back of the statuses
    pending = [pk for pk, status in inserted if status == Notification.Status.PENDING]
    if pending and not connection.in_atomic_block:
        _queue_many(pending)  # autocommit: the rows are already committed
    for pk in pending if connection.in_atomic_block else ():
        _queue_on_commit(pk)  # with the transaction's other messages: one task after commit
    return len(inserted)


def _queue(pk: int) -> None:
    held = getattr(_together, "pks", None)
    if held is not None:
        held.append(pk)
        return
    from notifications.tasks import send_notification  # cycle: tasks <-> services (the task calls the service)

    try:
        send_notification.delay(pk)
    except Exception:  # the broker is down: the sweep sends it
        logger.warning("could not queue notification %s; the sweep will send it", pk)


def backoff(attempts: int) -> dt.timedelta:
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def notification_send(*, pk: int, now: dt.datetime | None = None) -> bool:
    """Send one pending notification if it is due. Returns True if this call sent it."""
    return notifications_send([pk], now=now) == 1


def _claim(pks: list[int], now: dt.datetime, at: dt.datetime) -> list[Notification]:
    """Claim the rows among `pks` pending and due by `now` (pending -> sending, claimed `at`) and read them, in
    one statement."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in Notification._meta.concrete_fields)
    marks = ", ".join(["%s"] * len(pks))
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores it (SQLite compares text)
    return list(Notification.objects.raw(
        f"UPDATE {table} SET status = %s, claimed_at = %s WHERE id IN ({marks}) AND status = %s "
        f"AND next_attempt_at <= %s RETURNING {columns}",
        [Notification.Status.SENDING, adapt(at), *pks, Notification.Status.PENDING, adapt(now)]))


def _deliver(notification: Notification) -> None:
    if notification.channel == Notification.Channel.EMAIL:
        backends.send_email(recipient=notification.recipient, subject=notification.subject, body=notification.body)
    elif notification.channel == Notification.Channel.SMS:
        backends.sms_backend().send(recipient=notification.recipient, body=notification.body, key=notification.key)
    else:
        backends.delivery_for(notification.channel)(notification)


def _renew(held: list[int], claimed_at: dt.datetime, at: dt.datetime) -> set[int]:
    """Renew this batch's claim on the rows it still holds (still sending, with its own claim time) and return
    them, in one statement; a row the sweep reclaimed meanwhile (its worker taken for dead) is not among them."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    marks = ", ".join(["%s"] * len(held))
    adapt = connection.ops.adapt_datetimefield_value  # as the ORM stores it (SQLite compares text)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET claimed_at = %s WHERE id IN ({marks}) AND status = %s "
                       f"AND claimed_at = %s RETURNING id",
                       [adapt(at), *held, Notification.Status.SENDING, adapt(claimed_at)])
        return {row[0] for row in cursor.fetchall()}


def notifications_send(pks: list[int], *, now: dt.datetime | None = None) -> int:
    """Send the due, pending notifications among `pks`; returns how many this call sent. The rows are claimed
    together (one UPDATE ... RETURNING: a row another worker claimed first is not among them), then each is
    delivered and marked on its own (one UPDATE each, right after its delivery: a worker killed mid-batch
    resends nothing it had marked). The claim is renewed every CLAIM_REFRESH, so a slow batch is never
    reclaimed by the sweep while it runs. `now` says what is due (and when a failure is retried); the claim
    is stamped with the clock, whatever `now` the caller passed (the sweep passes its start to every chunk)."""
    claimed_at = timezone.now()
    now = now or claimed_at
    pks = list(dict.fromkeys(pks))
    if not pks:
        return 0
    claimed = _claim(pks, now, claimed_at)
    held = {n.pk for n in claimed}
    sent = 0
    for index, notification in enumerate(claimed):
        clock = timezone.now()
        if clock - claimed_at >= CLAIM_REFRESH:
            waiting = [n.pk for n in claimed[index:] if n.pk in held]
            held = _renew(waiting, claimed_at, clock) if waiting else set()
            claimed_at = clock
        if notification.pk not in held:
            continue  # reclaimed by the sweep while this batch was slow: its new owner sends it
        secret = {"body": ""} if notification.is_secret else {}  # the code must not outlive its delivery
        try:
            _deliver(notification)
        except Exception as error:  # noqa: BLE001 - any provider failure is retried, unless it is permanent
            attempts = notification.attempts + 1
            failed = attempts >= MAX_ATTEMPTS or isinstance(error, backends.PermanentDeliveryError)
            # Only while this batch still holds it: a row reclaimed meanwhile is its new owner's to record.
            Notification.objects.filter(pk=notification.pk, status=Notification.Status.SENDING,
                                        claimed_at=claimed_at).update(
                status=Notification.Status.FAILED if failed else Notification.Status.PENDING, attempts=attempts,
                next_attempt_at=now + backoff(attempts), last_error=f"{type(error).__name__}: {error}"[:2000],
                claimed_at=None, **(secret if failed else {}))
            logger.warning("notification %s failed (attempt %s): %s", notification.pk, attempts, error)
            continue
        # Delivered: marked at once, even if the sweep took it back to pending meanwhile (then nobody sends it again).
        Notification.objects.filter(
            pk=notification.pk, status__in=(Notification.Status.SENDING, Notification.Status.PENDING)).update(
            status=Notification.Status.SENT, attempts=F("attempts") + 1, sent_at=timezone.now(), claimed_at=None,
            **secret)
        sent += 1
    return sent


def notification_retry(*, notification: Notification) -> Notification:
    """An administrator retries a failed message now. One whose recipient can never receive it stays failed,
    and so does a secret one: its text (a one-time code) was cleared when it failed, there is nothing to send.
    A 三民 representative gets the code from the draw's code sheet; a citizen asks for a new login code."""
    if notification.is_secret or _check_recipient(notification.channel, notification.recipient)[1]:
        return notification
    Notification.objects.filter(pk=notification.pk, status=Notification.Status.FAILED).update(
        status=Notification.Status.PENDING, next_attempt_at=timezone.now(), attempts=0)
    transaction.on_commit(lambda: _queue(notification.pk))
    notification.refresh_from_db()
    return notification


def sweep_outbox(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Send what is due (lost tasks, retries) and reclaim rows stuck in sending."""
    now = now or timezone.now()
    reclaimed = Notification.objects.filter(status=Notification.Status.SENDING, claimed_at__lte=now - STUCK_AFTER).update(
        status=Notification.Status.PENDING, next_attempt_at=now, claimed_at=None)
    due = list(Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:batch])
    sent = sum(notifications_send(due[start:start + TASK_BATCH], now=now) for start in range(0, len(due), TASK_BATCH))
    return {"sent": sent, "due": len(due), "reclaimed": reclaimed}
