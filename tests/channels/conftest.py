import pytest

from channels.models import Source
from petitions.models import Channel
from tests.channels.fake_wechat import AES_KEY, APP_ID, APP_SECRET, TEMPLATE_ID, TOKEN, FakeCallback, FakeWeChat

POLICE_KEY = "police-110-test-key-0123456789"
CALLBACK_KEY = "callback-key-0123456789"


@pytest.fixture
def fake_wechat(settings):
    fake = FakeWeChat().start()
    settings.PORTAL_WECHAT_API_URL = fake.url + "/"
    settings.PORTAL_WECHAT_OAUTH_URL = fake.url + "/connect/"
    settings.PORTAL_PUBLIC_URL = "http://testserver"
    settings.PORTAL_QUIET_HOURS = (0, 0)  # whatever the clock says when this runs
    yield fake
    fake.stop()


@pytest.fixture
def wechat_source(db, fake_wechat):
    Source.objects.update_or_create(channel=Channel.WECHAT, defaults=dict(
        enabled=True, app_id=APP_ID, secret=APP_SECRET, token=TOKEN, aes_key=AES_KEY, template_id=TEMPLATE_ID))
    return Source.objects.get(channel=Channel.WECHAT)


@pytest.fixture
def fake_110(db):
    fake = FakeCallback().start()
    Source.objects.update_or_create(channel=Channel.POLICE_110, defaults=dict(
        enabled=True, secret=POLICE_KEY, callback_url=fake.url + "/callback", callback_key=CALLBACK_KEY))
    yield fake
    fake.stop()
