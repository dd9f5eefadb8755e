"""Property-based fuzzing of /api/v1/ from its own OpenAPI schema: whatever
the input, no endpoint answers with a server error. Runs as a superuser (so
the calls get past authentication and into the views) and anonymously.
docs/api.md records how many cases a run generates."""
import pytest
import schemathesis
from hypothesis import HealthCheck, settings as hypothesis_settings

from config.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
CALLS = {"count": 0}  # how many cases ran (reported at the end of the session by conftest)

@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app directly, which fires request_started/finished;
    Django would close the connection of the test transaction there (as the test client
    avoids by disconnecting these handlers, so do we)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


FUZZ_SETTINGS = hypothesis_settings(
    max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture
def superuser_token(city):
    from rest_framework.authtoken.models import Token

    from org.models import User
    from tests.factories import file_petition

    file_petition(city)
    user = User.objects.create_superuser("fuzzer", "f@example.com", "pw-for-tests-1", role="admin")
    return Token.objects.create(user=user).key


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_as_superuser(case, superuser_token):
    CALLS["count"] += 1
    response = case.call(headers={"Authorization": f"Token {superuser_token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])


@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_anonymously(case, city):
    CALLS["count"] += 1
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])


def teardown_module(module):
    print(f"\nschemathesis fuzz: {CALLS['count']} cases, no server error")
