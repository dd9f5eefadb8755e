import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from tests import factories


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    """Each test gets its own media folder, an empty cache and the site's language (a request in English leaves
    English active in the thread: LocaleMiddleware never deactivates it, and a later test's lazy text would read
    English)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.PORTAL_SMS_BACKEND = "notifications.backends.ConsoleSmsBackend"
    _clear_cache()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    _clear_cache()


def _clear_cache():
    from lib import versions

    versions.expire_all()  # the process-local calendar and catalog ask the (emptied) cache again
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith("RedisCache"):
        # Parallel workers share Redis: delete only this worker's keys, never FLUSHDB.
        client = cache._cache.get_client(write=True)
        prefix = settings.CACHES["default"].get("KEY_PREFIX", "")
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture
def city(db):
    return factories.make_city()


@pytest.fixture
def operator(city):
    return factories.make_user("operator", "operator", city.platform)


@pytest.fixture
def dispatcher(city):
    return factories.make_user("dispatcher", "dispatcher", city.platform)


@pytest.fixture
def supervisor(city):
    return factories.make_user("supervisor", "supervisor", city.platform)


@pytest.fixture
def platform_admin(city):
    return factories.make_user("padmin", "admin", city.platform)


@pytest.fixture
def urban_handler(city):
    return factories.make_user("urban_handler", "unit_handler", city.urban)


@pytest.fixture
def street_handler(city):
    return factories.make_user("street_handler", "unit_handler", city.street_office)


@pytest.fixture
def other_street_handler(city):
    return factories.make_user("other_street_handler", "unit_handler", city.other_street_office)


@pytest.fixture
def petition(city):
    return factories.file_petition(city)


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def act(django_capture_on_commit_callbacks):
    """act(when, fn, **kw): fn(**kw) at the frozen moment `when`, its on-commit callbacks run (the counters and
    messages a change leaves behind)."""
    def run(when, fn, **kw):
        with time_machine.travel(when, tick=False), django_capture_on_commit_callbacks(execute=True):
            return fn(**kw)
    return run
