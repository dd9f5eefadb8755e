"""三民: the ballot stays secret from the database administrator and the logs, even
while voting is open; the voting codes have their own key (docs/sanmin.md)."""
import datetime as dt
import io
import logging
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from evaluation import sanmin
from evaluation.models import Campaign, Representative, SpentBallotToken, TallyCell
from evaluation.sanmin_logging import VotingRequestFilter
from lib.errors import DomainError
from tests.concurrency import postgres_only
from tests.evaluation import test_sanmin
from tests.evaluation.test_sanmin import OPEN, drawn, ratings_for

campaign = test_sanmin.campaign  # the same fixture: a campaign with two departments and 61 candidates

VOTING = OPEN + dt.timedelta(hours=1)
CHOICES = ["satisfied", "basic", "unsatisfied", "basic", "satisfied", "unsatisfied"]


def varied_ratings(campaign, index):
    units = sorted(set(TallyCell.objects.filter(campaign=campaign).values_list("unit_id", flat=True)))
    return {u: CHOICES[(index + n) % len(CHOICES)] for n, u in enumerate(units)}


def tables_written(queries) -> set[str]:
    written = set()
    for query in queries:
        sql = query["sql"].upper()
        for verb, word in (("UPDATE ", "UPDATE "), ("INSERT ", "INTO "), ("DELETE ", "FROM ")):
            if sql.startswith(verb):
                written.add(sql.split(word, 1)[1].split()[0].strip('"').lower())
    return written


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_row_versions_link_no_representative_to_any_counter_while_voting_is_open(campaign):
    """Six ballots while voting is open, then what a database administrator can read:
    the transaction ids (xmin) of the representatives', the spent tokens' and the
    counters' rows. The code's transaction touches the representative only; the
    counting transaction touches the token and the counters only."""
    _, codes = drawn(campaign)
    codes = sorted(codes.values())[:6]
    with time_machine.travel(VOTING), CaptureQueriesContext(connection) as cast:
        for index, code in enumerate(codes):
            sanmin.ballot_cast(campaign=campaign, code=code, ratings=varied_ratings(campaign, index))
    # Each step commits on its own: a savepoint would hide one transaction inside another under a sub-id.
    assert not [q for q in cast.captured_queries if "SAVEPOINT" in q["sql"].upper()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM evaluation_representative WHERE campaign_id = %s AND has_voted",
                       [campaign.pk])
        voters = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT xmin::text FROM evaluation_spentballottoken WHERE campaign_id = %s", [campaign.pk])
        tokens = {row[0] for row in cursor.fetchall()}
        cursor.execute("SELECT unit_id, choice, count, xmin::text FROM evaluation_tallycell WHERE campaign_id = %s",
                       [campaign.pk])
        cells = cursor.fetchall()
    assert len(voters) == 6 and len(tokens) == 6  # one transaction per code used, one per ballot counted
    counters = {xmin for *_, xmin in cells}
    assert voters.isdisjoint(tokens) and voters.isdisjoint(counters)
    assert counters <= tokens  # a counter shares its row version with a token's counting only
    # Every counter of a department carries the same row version, whatever the last ballot chose:
    # the version tells that a ballot rated the department, never which rating.
    by_unit = {}
    for unit_id, _choice, _count, xmin in cells:
        by_unit.setdefault(unit_id, set()).add(xmin)
    assert all(len(xmins) == 1 for xmins in by_unit.values())
    assert sum(count for _u, _c, count, _x in cells) == 6 * len(by_unit)


@pytest.mark.django_db
def test_using_a_code_and_counting_a_ballot_write_disjoint_tables(campaign):
    """No row, live or dead, is written by both transactions, so no chain of row versions
    (xmin/xmax) leads from a representative to a ballot."""
    _, codes = drawn(campaign)
    with time_machine.travel(VOTING):
        with CaptureQueriesContext(connection) as issued:
            token = sanmin.ballot_paper_issue(campaign=campaign, code=next(iter(codes.values())))
        with CaptureQueriesContext(connection) as counted:
            sanmin.ballot_deposit(campaign=campaign, token=token, ratings=ratings_for(campaign))
    assert tables_written(issued.captured_queries) == {"evaluation_representative"}
    assert tables_written(counted.captured_queries) == {"evaluation_spentballottoken", "evaluation_tallycell"}
    stored = SpentBallotToken.objects.get()
    assert token not in stored.token_hash and {f.name for f in SpentBallotToken._meta.get_fields()} == {
        "campaign", "token_hash"}  # a hash; no representative, no time, no sequence


@pytest.mark.django_db
def test_a_ballot_token_counts_once_and_cannot_be_forged(campaign):
    _, codes = drawn(campaign)
    other = Campaign.objects.create(**{f.attname: getattr(campaign, f.attname) for f in Campaign._meta.concrete_fields
                                       if f.name not in ("id", "year")}, year=2025)
    with time_machine.travel(VOTING):
        token = sanmin.ballot_paper_issue(campaign=campaign, code=next(iter(codes.values())))
        body, signature = token.rsplit(".", 1)
        for forged in (body + "." + "0" * 64, body.replace(str(campaign.pk), str(other.pk), 1) + "." + signature):
            with pytest.raises(DomainError) as raised:
                sanmin.ballot_deposit(campaign=campaign, token=forged, ratings=ratings_for(campaign))
            assert raised.value.code == "unknown"
        with pytest.raises(DomainError) as raised:
            sanmin.ballot_deposit(campaign=other, token=token, ratings=ratings_for(campaign))
        assert raised.value.code == "unknown"
        sanmin.ballot_deposit(campaign=campaign, token=token, ratings=ratings_for(campaign))
        with pytest.raises(DomainError) as raised:
            sanmin.ballot_deposit(campaign=campaign, token=token, ratings=ratings_for(campaign))
        assert raised.value.code == "used"
    assert sum(TallyCell.objects.values_list("count", flat=True)) == 2  # one ballot, two departments
    with time_machine.travel(OPEN + dt.timedelta(days=6)):
        sanmin.tally_seal(campaign=campaign)
    assert not SpentBallotToken.objects.exists()  # no ballot can come any more: the tokens go at the seal


@pytest.mark.django_db
def test_the_page_keeps_the_ballot_paper_when_counting_fails_after_the_code_was_used(campaign, client, monkeypatch):
    _, codes = drawn(campaign)
    code = next(iter(codes.values()))
    real_deposit = sanmin.ballot_deposit

    def broken(**kwargs):
        raise DatabaseError("connection lost")

    with time_machine.travel(VOTING):
        step1 = client.post("/evaluation/sanmin/2026/vote/", {"code": code})
        data = {"code": code, "cast": "1", **{f"unit_{u.pk}": "basic" for u in step1.context["departments"]}}
        monkeypatch.setattr(sanmin, "ballot_deposit", broken)
        failed = client.post("/evaluation/sanmin/2026/vote/", data)
        assert failed.status_code == 400 and failed.context["token"]
        assert Representative.objects.filter(has_voted=True).count() == 1  # the code is used...
        assert sum(TallyCell.objects.values_list("count", flat=True)) == 0  # ...the ballot not yet counted
        monkeypatch.setattr(sanmin, "ballot_deposit", real_deposit)
        again = {**data, "code": "", "token": failed.context["token"]}
        counted = client.post("/evaluation/sanmin/2026/vote/", again)
        assert "evaluation/sanmin/voted.html" in [t.name for t in counted.templates]
        assert sum(TallyCell.objects.filter(choice="basic").values_list("count", flat=True)) == 2
        assert client.post("/evaluation/sanmin/2026/vote/", again).status_code == 400  # counted once


def filtered_console():
    return next(h for h in logging.getLogger().handlers
                if any(isinstance(f, VotingRequestFilter) for f in h.filters))


@pytest.mark.django_db
def test_voting_requests_leave_no_line_in_the_log(campaign, client):
    _, codes = drawn(campaign)
    code = next(iter(codes.values()))
    stream = io.StringIO()
    old = filtered_console().setStream(stream)
    try:
        with time_machine.travel(VOTING):
            step1 = client.post("/evaluation/sanmin/2026/vote/", {"code": code})
            data = {"code": code, "cast": "1", **{f"unit_{u.pk}": "basic" for u in step1.context["departments"]}}
            assert client.post("/evaluation/sanmin/2026/vote/", data).status_code == 200
            assert client.post("/evaluation/sanmin/2026/vote/?x=1", data).status_code == 400  # "Bad Request"
            assert client.post("/evaluation/sanmin/2025/vote/", data).status_code == 404  # "Not Found"
            assert client.post("/evaluation/sanmin/2026/", {"name": ""}).status_code == 400  # another page
        runserver = logging.getLogger("django.server")
        runserver.info('"%s" %s %s', "POST /evaluation/sanmin/2026/vote/ HTTP/1.1", "200", "812")
        runserver.info('"%s" %s %s', "GET /evaluation/sanmin/2026/ HTTP/1.1", "200", "9120")
    finally:
        filtered_console().setStream(old)
    log = stream.getvalue()
    assert "/vote/" not in log and code not in log
    assert "Bad Request: /evaluation/sanmin/2026/" in log and "GET /evaluation/sanmin/2026/ HTTP/1.1" in log


def test_a_server_error_on_the_voting_page_is_kept_with_its_day_only():
    def record(level):
        r = logging.LogRecord("django.request", level, __file__, 1, "Internal Server Error: %s",
                              ("/evaluation/sanmin/2026/vote/",), None)
        r.created = dt.datetime(2026, 12, 20, 10, 17, 42).timestamp()
        return r

    kept = record(logging.ERROR)
    assert VotingRequestFilter().filter(kept)
    formatted = logging.Formatter("%(asctime)s %(message)s").format(kept)
    assert formatted.startswith("2026-12-20 00:00:00,000 ") and "10:17" not in formatted
    assert not VotingRequestFilter().filter(record(logging.WARNING))


def test_gunicorn_leaves_the_voting_pages_out_of_its_access_log(capsys):
    from gunicorn.config import Config

    from config.gunicorn_logger import Logger

    config = Config()
    config.set("accesslog", "-")
    logger = Logger(config)
    response = SimpleNamespace(status="200", response_length=812, headers=(), sent=812)
    request = SimpleNamespace(headers=())
    for path in ("/evaluation/sanmin/2026/vote/", "/evaluation/sanmin/2026/"):
        logger.access(response, request, {"REQUEST_METHOD": "POST", "RAW_URI": path, "PATH_INFO": path,
                                          "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1"}, dt.timedelta(seconds=0.1))
    log = capsys.readouterr().out
    assert "POST /evaluation/sanmin/2026/ HTTP/1.1" in log and "/vote/" not in log


@pytest.mark.django_db
def test_rotating_the_secret_key_keeps_the_voting_codes(campaign, settings):
    _, codes = drawn(campaign)
    code = next(iter(codes.values()))
    settings.SECRET_KEY = "rotated-" + "k" * 50
    with time_machine.travel(VOTING):
        assert sanmin.representative_by_code(campaign, code)
        settings.PORTAL_SANMIN_CODE_KEY = "another-code-key-" + "c" * 40
        with pytest.raises(DomainError) as raised:
            sanmin.representative_by_code(campaign, code)
    assert raised.value.code == "unknown"  # the codes follow their own key, and only it


def test_production_refuses_to_start_without_the_code_key():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "PORTAL_SANMIN_CODE_KEY")}
    env = {**env, "DJANGO_SECRET_KEY": "x" * 20 + "production-secret-key-0123456789abcdefghijklmn",
           "DJANGO_REQUIRE_SECRET_KEY": "1", "DJANGO_DEBUG": "0"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=Path(__file__).resolve().parents[2], env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "PORTAL_SANMIN_CODE_KEY must be set in production" in result.stderr
