"""The hot paths run a bounded number of statements, the way zulip asserts its query counts: a change that
adds a query per row, or a forgotten select_related, fails here before it is felt at city scale."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dispatch import handling, routing, services
from dispatch.catalog import rule_create
from dispatch.models import Role, Target
from tests import factories


@pytest.fixture
def routed(city):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    rule_create(key="noise-s", kind="sector", classification=city.noise, target=Target.UNIT, lead_unit=city.urban)
    routing.invalidate()
    yield
    routing.invalidate()


def count(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_dispatch_sign_answer_queue_and_tracking_stay_bounded(client, city, routed, street_handler,
                                                             django_assert_max_num_queries):
    petition = factories.file_petition(city)
    routing.get_catalog()  # compiled once per process, not per dispatch
    # Dispatch: lock, decide in memory, two assignments, the transition and its event, the units' and the
    # citizen's messages (outbox rows and inbox items).
    with django_assert_max_num_queries(30):
        services.dispatch_petition(petition=petition)
    lead = petition.assignments.get(role=Role.LEAD)
    # Sign-for: lock petition and assignment, check membership, move, event, transition.
    with django_assert_max_num_queries(12):
        handling.assignment_sign(assignment=lead, actor=street_handler)
    # The answer: the same locks, the reply row, the move and the event (on the petition row already locked), the
    # open pause it ends (if any), the pending return and extension requests it withdraws (one UPDATE each), and
    # the perfunctory phrases the reply is checked against (cached for five minutes, dispatch/perfunctory.py).
    with django_assert_max_num_queries(16):
        handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，已处理完毕。")
    # The unit's queue: one page whatever the number of rows (no query per row).
    for _ in range(5):
        other = factories.file_petition(city)
        services.dispatch_petition(petition=other)
    client.force_login(street_handler)
    with django_assert_max_num_queries(11):
        assert client.get("/dispatch/?queue=all").status_code == 200
    # Tracking by number and phone: the rate-limit counter lives in the cache, the lookup is one query.
    with django_assert_max_num_queries(6):
        assert client.post("/petitions/track/", {"number": petition.number,
                                                 "phone": petition.complainant_phone}).status_code == 302
