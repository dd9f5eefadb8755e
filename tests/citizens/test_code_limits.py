"""The one-time code of "my petitions": at most five guesses are ever compared per code, even in parallel; a code
signs in once; a phone gets at most PORTAL_MY_CODE_PER_DAY codes a day."""
import datetime as dt
import re
import threading
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache

from citizens import services
from notifications.models import Notification
from tests.concurrency import race

PHONE = "13912345678"
redis_only = pytest.mark.skipif(not django_settings.REDIS_URL,
                                reason="threads against a shared cache server: needs REDIS_URL")


def _code(phone=PHONE) -> str:
    sms = Notification.objects.filter(recipient=phone, key__startswith="citizen.login_code:").latest("id")
    return re.search(r"\d{6}", sms.body).group(0)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


class _Gate:
    """Holds every comparison of a code until each of `n` tries has either reached its comparison or given up:
    the worst interleaving, every read of the stored code done before any try writes anything, on every run."""

    def __init__(self, n: int):
        self.n, self.compared, self.done = n, 0, 0
        self.condition = threading.Condition()

    def around(self, digest):
        def held(*args):
            with self.condition:
                self.compared += 1
                self.condition.notify_all()
                assert self.condition.wait_for(lambda: self.compared + self.done >= self.n, timeout=10)
            return digest(*args)
        return held

    def attempt(self, code: str):
        def run():
            try:
                return services.code_check(phone=PHONE, code=code)
            finally:
                with self.condition:
                    self.done += 1
                    self.condition.notify_all()
        return run


@pytest.mark.django_db
def test_thirty_parallel_guesses_get_five_comparisons_and_kill_the_code(city):
    assert services.code_send(phone=PHONE)
    code = _code()
    gate = _Gate(30)
    with mock.patch.object(services, "_digest", gate.around(services._digest)):
        results = race(*[gate.attempt(_wrong(code)) for _ in range(30)])
    assert results == [("ok", False)] * 30
    assert gate.compared == services.MAX_TRIES  # was 30: every guess read "no tries yet"
    assert services.code_check(phone=PHONE, code=code) is False  # the code is dead, not at "one try"


@pytest.mark.django_db
def test_two_right_tries_at_the_same_moment_sign_in_once(city):
    assert services.code_send(phone=PHONE)
    code = _code()
    gate = _Gate(2)
    with mock.patch.object(services, "_digest", gate.around(services._digest)):
        results = race(gate.attempt(code), gate.attempt(code))
    assert sorted(results) == [("ok", False), ("ok", True)]


@pytest.mark.django_db
def test_the_sixth_try_is_refused_even_with_the_right_code(city):
    assert services.code_send(phone=PHONE)
    code = _code()
    for _ in range(services.MAX_TRIES):
        assert services.code_check(phone=PHONE, code=_wrong(code)) is False
    assert services.code_check(phone=PHONE, code=code) is False
    # A new code (a minute later) starts from zero tries.
    cache.delete(f"citizens:code-wait:{PHONE}")  # Redis keeps its own clock
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=2)):
        assert services.code_send(phone=PHONE)
    fresh = _code()
    for _ in range(services.MAX_TRIES - 1):
        assert services.code_check(phone=PHONE, code=_wrong(fresh)) is False
    assert services.code_check(phone=PHONE, code=fresh) is True
    assert services.code_check(phone=PHONE, code=fresh) is False  # once only


def _ask_from_many_addresses(client, times: int) -> None:
    start = dt.datetime.now(dt.timezone.utc)
    for n in range(times):
        # Each from another address, and past the minute's and the hour's limits (they have their own tests).
        cache.delete_many([f"citizens:code-wait:{PHONE}", f"citizens:code-hour:{PHONE}"])
        with time_machine.travel(start + dt.timedelta(seconds=n), tick=False):  # an SMS a second at most
            response = client.post("/my/", {"phone": PHONE}, REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}")
        assert response.status_code == 200


def _codes_sent() -> int:
    return Notification.objects.filter(recipient=PHONE, key__startswith="citizen.login_code:").count()


@pytest.mark.django_db
def test_a_phone_gets_at_most_the_daily_number_of_codes_whatever_the_addresses(client, city, settings):
    assert settings.PORTAL_MY_CODE_PER_DAY == 10
    _ask_from_many_addresses(client, 30)
    assert _codes_sent() == 10


@pytest.mark.django_db
@pytest.mark.skipif(bool(django_settings.REDIS_URL), reason="Redis expires keys on its own clock, not the test's")
def test_the_daily_number_of_codes_counts_from_the_first_for_24_hours(client, city, settings):
    settings.PORTAL_MY_CODE_PER_DAY = 3
    start = dt.datetime.now(dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        _ask_from_many_addresses(client, 5)
    with time_machine.travel(start + dt.timedelta(hours=23, minutes=59), tick=False):
        _ask_from_many_addresses(client, 1)
    assert _codes_sent() == 3
    with time_machine.travel(start + dt.timedelta(hours=24, minutes=1), tick=False):
        _ask_from_many_addresses(client, 1)
    assert _codes_sent() == 4


@redis_only
@pytest.mark.django_db
def test_thirty_guesses_racing_on_redis_get_at_most_five_comparisons(city):
    assert services.code_send(phone=PHONE)
    code = _code()
    compared = []
    digest = services._digest

    def counted(*args):
        compared.append(1)
        return digest(*args)

    with mock.patch.object(services, "_digest", counted):
        results = race(*[lambda: services.code_check(phone=PHONE, code=_wrong(code)) for _ in range(30)])
    assert results == [("ok", False)] * 30
    assert len(compared) <= services.MAX_TRIES
    assert services.code_check(phone=PHONE, code=code) is False
