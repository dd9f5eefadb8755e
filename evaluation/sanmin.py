"""The annual 三民 evaluation: suggestions, the verifiable draw of citizen
representatives, one-time voting codes, the secret ballot and the results.
(DOMAIN.md section 8; docs/sanmin.md explains how an outsider verifies the draw.)"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, PositiveIntegerField, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import (
    Campaign,
    Candidate,
    ReportGroup,
    Representative,
    SpentBallotToken,
    Suggestion,
    TallyCell,
)
from lib.errors import DomainError
from lib.identity import PhoneRejected, normalise_phone
from notifications.messaging import Recipients, message_send
from org.models import HandlingUnit

ALGORITHM = "sanmin-draw-v1"
CHOICES = ("satisfied", "basic", "unsatisfied")
WEIGHTS = {"satisfied": 100, "basic": 60, "unsatisfied": 0}  # a department's score out of 100
SCORES = tuple(str(n) for n in range(1, 11))  # the "score" scale: 1 to 10, worth 10 points each


def choices_for(campaign: Campaign) -> tuple[str, ...]:
    return SCORES if campaign.scale == Campaign.Scale.SCORE else CHOICES


def choice_label(campaign: Campaign, choice: str) -> str:
    """A rating as a column heading: the three words, or "rated 7" on the 1–10 scale."""
    if campaign.scale == Campaign.Scale.SCORE:
        return _("Rated %(score)s") % {"score": choice}
    return {"satisfied": _("Satisfied"), "basic": _("Basically satisfied"), "unsatisfied": _("Unsatisfied")}[choice]


def points(campaign: Campaign, choice: str) -> float:
    return int(choice) * 10 if campaign.scale == Campaign.Scale.SCORE else WEIGHTS[choice]


# --- the draw ---------------------------------------------------------------------------------------------

def pool_lines(campaign: Campaign) -> list[str]:
    """The canonical pool: one line per candidate of the random-draw pool,
    `external_id|district_code|sector`, sorted by external_id. No names or phones:
    this list is published, and its SHA-256 is the pool hash."""
    rows = (Candidate.objects.filter(campaign=campaign, source=Candidate.Source.POOL)
            .values_list("external_id", "district__code", "sector"))
    return sorted(f"{i}|{d}|{s}" for i, d, s in rows)


def drawn_ids(campaign: Campaign) -> list[str]:
    """The pool ids the draw selected (published after the draw: ids only, no names)."""
    return sorted(Representative.objects.filter(campaign=campaign, candidate__source=Candidate.Source.POOL)
                  .values_list("candidate__external_id", flat=True))


def turnout(campaign: Campaign) -> dict:
    """How many representatives were drawn and how many voted (has_voted says who, never how)."""
    total = Representative.objects.filter(campaign=campaign).count()
    voted = Representative.objects.filter(campaign=campaign, has_voted=True).count()
    return {"representatives": total, "voted": voted, "percent": round(100 * voted / total, 1) if total else None}


def pool_hash(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def select(lines: list[str], quotas: dict[str, int], seed: str) -> list[str]:
    """sanmin-draw-v1: in each stratum `district_code|sector`, the `quota` candidates
    whose SHA-256(seed + "|" + external_id) is smallest. Anyone can re-run it."""
    strata: dict[str, list[str]] = {}
    for line in lines:
        external_id, district, sector = line.split("|", 2)
        strata.setdefault(f"{district}|{sector}", []).append(external_id)
    chosen = []
    for stratum, quota in sorted(quotas.items()):
        members = strata.get(stratum, [])
        members.sort(key=lambda i: hashlib.sha256(f"{seed}|{i}".encode()).hexdigest())
        chosen += members[:quota]
    return sorted(chosen)


def person_of(phone: str) -> str | None:
    """Who a candidate is, for "one representative per person": the phone, normalised (a mobile with +86
    or spaces is the same person); None when there is no usable number, which matches nobody."""
    try:
        return normalise_phone(phone)
    except PhoneRejected:
        digits = re.sub(r"\D", "", phone or "")
        return digits or None


def pool_people(campaign_id: int, *, exclude_pk: int | None = None) -> dict[str, str]:
    """Who is in the random-draw pool already: the normalised phone of each pool candidate and its pool id."""
    rows = Candidate.objects.filter(campaign_id=campaign_id, source=Candidate.Source.POOL).exclude(pk=exclude_pk)
    people = {}
    for external_id, phone in rows.values_list("external_id", "phone"):
        person = person_of(phone)
        if person:
            people.setdefault(person, external_id)
    return people


def pool_duplicate_of(candidate: Candidate, people: dict[str, str]) -> str | None:
    """The pool id already holding this candidate's phone (one person, one chance), or None."""
    if candidate.source != Candidate.Source.POOL:
        return None
    person = person_of(candidate.phone)
    other = people.get(person) if person else None
    return other if other is not None and other != candidate.external_id else None


def pool_duplicates(campaign: Campaign) -> list[list[str]]:
    """The pool ids that share one phone (one person in the pool twice), each set sorted."""
    by_person: dict[str, list[str]] = {}
    for external_id, phone in Candidate.objects.filter(campaign=campaign, source=Candidate.Source.POOL).values_list(
            "external_id", "phone"):
        person = person_of(phone)
        if person:
            by_person.setdefault(person, []).append(external_id)
    return sorted(sorted(ids) for ids in by_person.values() if len(ids) > 1)


def draw_prepare(*, campaign: Campaign, quotas: dict[str, int]) -> str:
    """Publish the pool hash, the quotas, the algorithm and a commitment to a fresh
    seed. Returns the seed: keep it offline until the draw (it is not stored)."""
    if campaign.drawn_at:
        raise DomainError(_("The draw has already taken place."))
    # One person, one chance and one code: the same phone twice in the pool is refused before the pool's
    # hash is published (both could be drawn, and a drawn id cannot be dropped without failing verification).
    duplicates = pool_duplicates(campaign)
    if duplicates:
        raise DomainError(_("The pool holds the same person more than once (same phone): %(ids)s. Keep one of "
                            "each before preparing the draw.") % {"ids": "; ".join(", ".join(d) for d in duplicates)},
                          field="pool", code="duplicates")
    lines = pool_lines(campaign)
    strata = {line.split("|", 1)[1] for line in lines}
    unknown = [s for s in quotas if s not in strata]
    if unknown:
        raise DomainError(_("Quotas name strata with no candidates: %(strata)s") % {"strata": ", ".join(unknown)},
                          field="quotas")
    seed = secrets.token_hex(32)
    # Once only. An organiser who could prepare again could keep the seeds whose draw they like and
    # discard the others, and the draw would still verify: the commitment binds only if it is the first.
    # The conditional update makes two prepares at once publish one commitment.
    published = Campaign.objects.filter(pk=campaign.pk, seed_commitment="", drawn_at__isnull=True).update(
        pool_hash=pool_hash(lines), quotas=quotas, algorithm=ALGORITHM,
        seed_commitment=hashlib.sha256(seed.encode()).hexdigest(), commitment_published_at=timezone.now())
    campaign.refresh_from_db()
    if not published:
        raise DomainError(_("The commitment to the seed was published on %(when)s and cannot be replaced.") % {
            "when": timezone.localtime(campaign.commitment_published_at).strftime("%Y-%m-%d %H:%M")
            if campaign.commitment_published_at else "—"}, code="committed")
    return seed


def _code_hash(code: str) -> str:
    # Its own key, not SECRET_KEY: rotating the secret key must not void the printed codes.
    return hmac.new(settings.PORTAL_SANMIN_CODE_KEY.encode(), code.strip().upper().encode(), hashlib.sha256).hexdigest()


def draw_run(*, campaign: Campaign, seed: str) -> list[tuple[Representative, str]]:
    """The draw: check the seed against its commitment and the pool against its hash,
    select, add the recommended and volunteer representatives, give each a one-time
    code (only its keyed hash is stored), publish the seed. Returns (representative,
    code) pairs to print for distribution; they are never shown again."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.drawn_at:
            raise DomainError(_("The draw has already taken place."))
        if hashlib.sha256(seed.encode()).hexdigest() != locked.seed_commitment:
            raise DomainError(_("This seed does not match the published commitment."), field="seed")
        lines = pool_lines(locked)
        if pool_hash(lines) != locked.pool_hash:
            raise DomainError(_("The pool changed after its hash was published."), code="pool_changed")
        chosen = set(select(lines, locked.quotas, seed))
        # One representative per person (same phone): the drawn first (their ids are published and verified),
        # then the recommended, then the volunteers; a later entry of someone already in is left out. The
        # command says how many were left out (people_left_out).
        order = {Candidate.Source.POOL: 0, Candidate.Source.RECOMMENDED: 1, Candidate.Source.VOLUNTEER: 2}
        everyone = sorted(list(Candidate.objects.filter(campaign=locked).exclude(source=Candidate.Source.POOL))
                          + list(Candidate.objects.filter(campaign=locked, source=Candidate.Source.POOL,
                                                          external_id__in=chosen)),
                          key=lambda c: (order.get(c.source, 3), c.external_id))
        people, seen = [], set()
        for candidate in everyone:
            person = person_of(candidate.phone)
            if person is not None and person in seen:
                continue
            seen.add(person)
            people.append(candidate)
        issued, representatives = [], []
        for person in people:
            code = secrets.token_hex(5).upper()
            representatives.append(Representative(campaign=locked, candidate=person, code_hash=_code_hash(code)))
            issued.append(code)
        Representative.objects.bulk_create(representatives, batch_size=2000)
        groups = list(ReportGroup.objects.filter(campaign=locked))
        through = Representative.groups.through
        through.objects.bulk_create([through(representative_id=r.pk, reportgroup_id=g.pk)
                                     for r in Representative.objects.filter(campaign=locked) for g in groups],
                                    batch_size=5000)
        departments = {d.unit_id for g in groups for d in g.reports.all()}
        TallyCell.objects.bulk_create([TallyCell(campaign=locked, unit_id=u, choice=c)
                                       for u in sorted(departments) for c in choices_for(locked)],
                                      ignore_conflicts=True)
        locked.seed, locked.drawn_at = seed, timezone.now()
        locked.save(update_fields=["seed", "drawn_at"])
    by_candidate = {r.candidate_id: r for r in Representative.objects.filter(campaign=campaign)}
    return [(by_candidate[p.pk], code) for p, code in zip(people, issued)]


def people_left_out(campaign: Campaign) -> int:
    """Recommended or volunteer candidates given no code because the same person (same phone) already
    had one: the organiser sees the count after the draw."""
    others = Candidate.objects.filter(campaign=campaign).exclude(source=Candidate.Source.POOL)
    return others.count() - others.filter(representative__isnull=False).count()


def draw_verify(*, campaign: Campaign, lines: list[str] | None = None) -> list[str]:
    """Re-run the published draw; returns the differences (empty = verified)."""
    lines = lines if lines is not None else pool_lines(campaign)
    problems = []
    if pool_hash(lines) != campaign.pool_hash:
        problems.append("pool hash differs")
    if hashlib.sha256(campaign.seed.encode()).hexdigest() != campaign.seed_commitment:
        problems.append("seed does not match its commitment")
    expected = set(select(lines, campaign.quotas, campaign.seed))
    actual = set(Representative.objects.filter(campaign=campaign, candidate__source=Candidate.Source.POOL)
                 .values_list("candidate__external_id", flat=True))
    if expected != actual:
        problems.append(f"{len(expected ^ actual)} representatives differ from the re-run")
    return problems


# --- the ballot -------------------------------------------------------------------------------------------

def departments_for(representative: Representative) -> list:
    return list(HandlingUnit.objects.filter(
        pk__in=ReportGroup.departments.through.objects.filter(group__in=representative.groups.all())
        .values("unit_id")).order_by("code"))


def _check_window(campaign: Campaign, now: dt.datetime, *, field: str = "code") -> None:
    # Sealed is closed for good, whatever the dates say: sealing dropped the spent tokens and the results
    # may be published, so a ballot after it would change published results (or count a token twice).
    if campaign.tally_sealed_at:
        raise DomainError(_("Voting is closed: this code has expired."), field=field, code="expired")
    if now < campaign.voting_opens_at:
        raise DomainError(_("Voting has not opened yet."), field=field, code="not_open")
    if now >= campaign.voting_closes_at:
        raise DomainError(_("Voting is closed: this code has expired."), field=field, code="expired")


def representative_by_code(campaign: Campaign, code: str, *, now: dt.datetime | None = None) -> Representative:
    now = now or timezone.now()
    _check_window(campaign, now)
    representative = Representative.objects.filter(campaign=campaign, code_hash=_code_hash(code)).first()
    if representative is None:
        raise DomainError(_("This voting code is not valid."), field="code", code="unknown")
    if representative.has_voted:
        raise DomainError(_("This voting code has already been used."), field="code", code="used")
    return representative


def _check_ratings(campaign: Campaign, ratings: dict[int, str], paper: set[int]) -> None:
    if set(ratings) != paper:
        raise DomainError(_("Rate every department you heard, once each."), field="ratings")
    if any(choice not in choices_for(campaign) for choice in ratings.values()):
        raise DomainError(_("Choose one of the ratings offered for each department."), field="ratings")


# A ballot token is signed, not stored: `campaign.departments.nonce.signature`. Using a code writes
# only the representative's row; the token's hash is written when the ballot is counted, in another
# transaction, so no row version (live or dead) is shared between a representative and a ballot.
def _token_key() -> bytes:
    return hmac.new(settings.PORTAL_SANMIN_CODE_KEY.encode(), b"sanmin ballot token", hashlib.sha256).digest()


def _token_sign(body: str) -> str:
    return hmac.new(_token_key(), body.encode(), hashlib.sha256).hexdigest()


# A token's shape: campaign id, department ids joined by "-", a urlsafe nonce, a hex signature. Checked
# before the signature, so anything else (a non-ASCII character, which hmac.compare_digest cannot compare
# as text) is refused as an invalid paper, not a server error.
_TOKEN = re.compile(r"[0-9]+\.(?:[0-9]+(?:-[0-9]+)*)?\.[A-Za-z0-9_-]+\.[0-9a-f]{64}")
# The longest token accepted: 4 KB names about 450 departments with 7-digit ids, far more than a campaign's
# four report groups hold. A bound, never a cut: the token is refused whole past it (cutting it at 200
# characters voided, after the code was used, the ballot of a voter whose paper named 40 departments).
TOKEN_MAX_LENGTH = 4096


def _token_paper(campaign: Campaign, token: str) -> set[int]:
    """The departments a token's ballot rates, if the token is genuine and this campaign's."""
    token = (token or "").strip()
    if len(token) > TOKEN_MAX_LENGTH or not _TOKEN.fullmatch(token):
        raise DomainError(_("This ballot paper is not valid."), field="token", code="unknown")
    body, _dot, signature = token.rpartition(".")
    if not hmac.compare_digest(_token_sign(body).encode(), signature.encode()):
        raise DomainError(_("This ballot paper is not valid."), field="token", code="unknown")
    campaign_pk, departments, _nonce = body.split(".", 2)
    if campaign_pk != str(campaign.pk):
        raise DomainError(_("This ballot paper is not valid."), field="token", code="unknown")
    return {int(u) for u in departments.split("-") if u}


def ballot_paper_issue(*, campaign: Campaign, code: str, now: dt.datetime | None = None) -> str:
    """Use the code (transaction 1): mark the representative as having voted with a
    conditional update, so a hundred submissions of one code at once give one paper,
    and hand back a one-time ballot token: random, signed, naming only the campaign
    and the departments to rate. Nothing about the token is stored here."""
    now = now or timezone.now()
    representative = representative_by_code(campaign, code, now=now)
    departments = "-".join(str(u.pk) for u in departments_for(representative))
    with transaction.atomic():
        marked = Representative.objects.filter(pk=representative.pk, has_voted=False).update(has_voted=True)
        if not marked:
            raise DomainError(_("This voting code has already been used."), field="code", code="used")
    body = f"{campaign.pk}.{departments}.{secrets.token_urlsafe(24)}"
    return f"{body}.{_token_sign(body)}"


def ballot_deposit(*, campaign: Campaign, token: str, ratings: dict[int, str], now: dt.datetime | None = None) -> None:
    """Count the ballot (transaction 2): spend the token (its hash, once) and add the
    ratings. Every counter of the paper's departments is rewritten, the chosen ones
    +1 and the others +0, so a counter's row version says that the last ballot rated
    its department (as every ballot on that paper does), never which rating it gave."""
    now = now or timezone.now()
    _check_window(campaign, now, field="token")
    paper = _token_paper(campaign, token)
    _check_ratings(campaign, ratings, paper)
    try:
        # No savepoint around the token: a subtransaction would get an id of its own.
        with transaction.atomic():
            SpentBallotToken.objects.create(campaign=campaign, token_hash=hashlib.sha256(token.strip().encode()).hexdigest())
            # Locked in id order: concurrent ballots on overlapping papers queue instead of deadlocking.
            cells = list(TallyCell.objects.select_for_update().filter(campaign=campaign, unit_id__in=paper)
                         .order_by("pk").values_list("pk", "unit_id", "choice"))
            chosen = [pk for pk, unit_id, choice in cells if ratings[unit_id] == choice]
            if len(chosen) != len(paper):
                raise DomainError(_("Choose one of the ratings offered for each department."), field="ratings")
            TallyCell.objects.filter(pk__in=[pk for pk, _u, _c in cells]).update(count=Case(
                When(pk__in=chosen, then=F("count") + 1), default=F("count"), output_field=PositiveIntegerField()))
    except IntegrityError:  # the token's hash is already there: this ballot was counted
        raise DomainError(_("This ballot has already been counted."), field="token", code="used") from None


def paper_departments(campaign: Campaign, token: str) -> list:
    return list(HandlingUnit.objects.filter(pk__in=_token_paper(campaign, token)).order_by("code"))


def ballot_check(*, campaign: Campaign, code: str, ratings: dict[int, str], now: dt.datetime | None = None) -> None:
    """Check a ballot before its code is used, so a mistake does not use up the code."""
    representative = representative_by_code(campaign, code, now=now)
    _check_ratings(campaign, ratings, {u.pk for u in departments_for(representative)})
    # Every rating must have its counter, or the code would be used and the ballot then refused
    # (ballot_deposit counts only into existing counters): a department added to a group after the
    # draw has none. The report groups are fixed at the draw; this is the check behind that rule.
    present = set(TallyCell.objects.filter(campaign=campaign, unit_id__in=ratings).values_list("unit_id", "choice"))
    if set(ratings.items()) - present:
        raise DomainError(_("This ballot paper names a department that cannot be counted. Your code has not been "
                            "used: please tell the evaluation office."), code="paper")


def ballot_cast(*, campaign: Campaign, code: str, ratings: dict[int, str], now: dt.datetime | None = None) -> None:
    """One representative, one ballot, in two transactions that share no row: the
    code is used (ballot_paper_issue), then the ballot is counted under the token
    (ballot_deposit). The ratings are checked first, so a mistake does not use up the
    code. Nothing recorded says whose ballot it was. (The voting page calls the steps
    itself, to keep the token on the page if counting fails after the code was used.)"""
    now = now or timezone.now()
    ballot_check(campaign=campaign, code=code, ratings=ratings, now=now)
    token = ballot_paper_issue(campaign=campaign, code=code, now=now)
    ballot_deposit(campaign=campaign, token=token, ratings=ratings, now=now)


def tally_seal(*, campaign: Campaign, now: dt.datetime | None = None) -> None:
    """After voting closes: rewrite every counter and every "has voted" flag in one
    transaction and drop the spent tokens (no ballot can come any more), so the
    tables' row versions no longer tell which transaction last touched a counter."""
    now = now or timezone.now()
    if now < campaign.voting_closes_at:
        raise DomainError(_("Voting is still open."), code="open")
    with transaction.atomic():
        TallyCell.objects.filter(campaign=campaign).update(count=F("count"))
        Representative.objects.filter(campaign=campaign).update(has_voted=F("has_voted"))
        SpentBallotToken.objects.filter(campaign=campaign).delete()
        Campaign.objects.filter(pk=campaign.pk).update(tally_sealed_at=now)
    campaign.refresh_from_db()


def results(*, campaign: Campaign, now: dt.datetime | None = None) -> list[dict]:
    """Each department's score and rank and its share of the annual assessment. Refused
    to everyone, administrators included, until voting has closed and the tally is sealed
    (tally_seal refuses before voting closes, and no ballot is taken once sealed). Sealed is
    enough: the window's dates are not looked at again, so moving them cannot hide the results.
    `now` is accepted for the callers that pass it."""
    if not campaign.tally_sealed_at:
        raise DomainError(_("No results while voting is open."), code="voting_open")

    counts: dict[int, dict[str, int]] = {}
    for cell in TallyCell.objects.filter(campaign=campaign):
        counts.setdefault(cell.unit_id, dict.fromkeys(choices_for(campaign), 0))[cell.choice] = cell.count
    names = dict(HandlingUnit.objects.filter(pk__in=counts).values_list("pk", "name"))
    rows = []
    for unit_id, c in counts.items():
        total = sum(c.values())
        score = sum(points(campaign, k) * v for k, v in c.items()) / total if total else None
        rows.append({"unit_id": unit_id, "unit": names.get(unit_id, ""), "counts": c, "ballots": total,
                     "score": score, "assessment_points": score * campaign.weight_percent / 100 if score is not None else None})
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["unit"]))
    # Equal scores share a rank (1, 1, 3): twelve departments at 100.00 are all first.
    position, previous = 0, None
    for index, row in enumerate(rows, start=1):
        if row["score"] is None:
            row["rank"] = None
            continue
        score = round(row["score"], 10)
        if score != previous:
            position, previous = index, score
        row["rank"] = position
    return rows


def suggestion_submit(*, campaign: Campaign, name: str, phone: str, theme: str, title: str, content: str,
                      submission_token: uuid.UUID | None = None) -> Suggestion:
    """With a submission token already used, returns the suggestion that token made: the
    public form posted twice makes one suggestion."""
    if submission_token is not None:
        existing = Suggestion.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
    today = timezone.localdate()
    if not campaign.suggestions_open <= today <= campaign.suggestions_close:
        raise DomainError(_("Suggestions are not being collected now."), code="closed")
    try:
        with transaction.atomic():
            return Suggestion.objects.create(campaign=campaign, name=name.strip(), phone=phone, theme=theme,
                                             title=title.strip(), content=content.strip(), submitted_at=timezone.now(),
                                             submission_token=submission_token)
    except IntegrityError:
        # Two posts of the same form raced past the check above: the other one won.
        existing = Suggestion.objects.filter(submission_token=submission_token).first()
        if submission_token is None or existing is None:
            raise
        return existing


# --- telling the representatives (docs/notifications.md) -----------------------------------------------------

REMIND_BEFORE = dt.timedelta(days=2)
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def codes_send(*, campaign: Campaign, issued: list[tuple[Representative, str]]) -> int:
    """Each drawn representative with a mobile number gets their code by SMS. The code travels in the
    outbox only until it is sent or has failed: the body is cleared then, and never shown in the admin (the
    catalog marks `representative.code` secret). A failed one is delivered from the draw's code sheet."""
    sent = 0
    link = settings.PORTAL_PUBLIC_URL + reverse("evaluation:sanmin_vote", args=[campaign.year])
    until = timezone.localtime(campaign.voting_closes_at).strftime("%Y-%m-%d %H:%M")
    with transaction.atomic():
        for representative, code in issued:
            phone = representative.candidate.phone
            if _MOBILE.match(phone or ""):
                sent += message_send(code="representative.code", key=str(representative.pk), context={
                    "campaign": campaign.title, "code": code, "link": link, "until": until},
                    to=Recipients(phones=[phone]))
    return sent


def voting_reminders(*, now: dt.datetime | None = None) -> int:
    """Two days before voting closes, once per campaign: remind those who have not voted (the
    reminder carries no code: only its hash is stored)."""
    now = now or timezone.now()
    reminded = 0
    due = Campaign.objects.filter(reminded_at__isnull=True, voting_opens_at__lte=now, voting_closes_at__gt=now,
                                  voting_closes_at__lte=now + REMIND_BEFORE)
    for campaign in due:
        with transaction.atomic():
            if not Campaign.objects.filter(pk=campaign.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another sweep got there first
            link = settings.PORTAL_PUBLIC_URL + reverse("evaluation:sanmin_vote", args=[campaign.year])
            until = timezone.localtime(campaign.voting_closes_at).strftime("%Y-%m-%d %H:%M")
            for representative in (Representative.objects.filter(campaign=campaign, has_voted=False)
                                   .select_related("candidate").iterator(chunk_size=2000)):
                phone = representative.candidate.phone
                if _MOBILE.match(phone or ""):
                    reminded += message_send(code="representative.reminder", key=str(representative.pk),
                                             to=Recipients(phones=[phone]),
                                             context={"campaign": campaign.title, "until": until, "link": link})
    return reminded
