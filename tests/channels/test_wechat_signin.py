"""WeChat's sign-in (OAuth) is tied to the browser that started it, and a phone is remembered on a follower's
account only when that follower proved it: a follower's own last redirect sent to someone else must not put
their openid into the victim's session nor take the victim's phone (login CSRF)."""
import time
from urllib.parse import urlsplit

import requests
from django.urls import reverse

from channels.models import WechatUser
from channels.services import wechat_user_seen
from citizens import services as citizens
from tests import factories
from tests.channels.test_wechat import oauth

VICTIM_PHONE = "13912345678"


def _prove(client, phone):
    """The SMS code of "my petitions" was entered in this browser (citizens.services.session_start)."""
    session = client.session
    session[citizens.SESSION_KEY] = phone
    session[citizens.SESSION_UNTIL] = time.time() + 600
    session.save()


def _last_redirect(client, fake, openid, page="mine"):
    """Tap the menu in `client` and follow WeChat's authorize page, but keep the link back to the portal."""
    fake.phone_openid = openid
    fake.followers.add(openid)
    to_wechat = client.get(f"/channels/wechat/login/?next={page}")
    link = requests.get(to_wechat["Location"], allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def test_a_followers_own_last_redirect_opened_in_a_victims_browser_signs_nobody_in(client, city, wechat_source,
                                                                                  fake_wechat):
    petition = factories.file_petition(city)  # the victim's, filed on the web with VICTIM_PHONE
    attacker = client.__class__()
    link = _last_redirect(attacker, fake_wechat, "oAttacker")
    victim = client
    oauth(victim, fake_wechat, "oVictim", page="mine")
    _prove(victim, VICTIM_PHONE)
    landed = victim.get(link)
    assert landed.status_code == 400  # the state was not started by this browser
    assert victim.session.get("channels:openid") == "oVictim"
    assert victim.get(reverse("channels:wechat_mine")).status_code == 200
    assert not WechatUser.objects.filter(openid="oAttacker").exclude(verified_phone="").exists()
    # The attacker's next menu tap, in their own WeChat, does not open the victim's petitions.
    again = client.__class__()
    oauth(again, fake_wechat, "oAttacker", page="mine")
    assert again.get(reverse("citizens:mine")).status_code == 302
    assert petition.number not in again.get(reverse("channels:wechat_mine")).content.decode()
    # The victim's own round trip still works, once.
    session = victim.session
    session.pop("channels:openid")
    session.save()
    own = _last_redirect(victim, fake_wechat, "oVictim")
    assert victim.get(own).status_code == 302
    assert victim.get(own).status_code == 400  # once


def test_a_state_without_this_browsers_nonce_is_refused(client, city, wechat_source, fake_wechat):
    link = _last_redirect(client, fake_wechat, "oFollower")
    session = client.session
    session["channels:oauth-nonces"] = []
    session.save()
    assert client.get(link).status_code == 400 and "channels:openid" not in client.session


def test_a_phone_proven_before_the_openid_came_in_is_not_remembered_on_the_account(client, city, wechat_source,
                                                                                  fake_wechat):
    link = _last_redirect(client, fake_wechat, "oFollower")
    _prove(client, VICTIM_PHONE)  # someone proved a phone in this browser before the openid came
    assert client.get(link).status_code == 302
    assert client.get(reverse("channels:wechat_mine")).status_code == 200
    assert WechatUser.objects.get(openid="oFollower").verified_phone == ""
    _prove(client, VICTIM_PHONE)  # proven now, with this follower's openid in the session
    client.get(reverse("channels:wechat_mine"))
    assert WechatUser.objects.get(openid="oFollower").verified_phone == VICTIM_PHONE


def test_another_followers_openid_coming_in_takes_the_proven_phone_and_grants_away(client, city, wechat_source,
                                                                                  fake_wechat):
    factories.file_petition(city)
    link = _last_redirect(client, fake_wechat, "oSecond")
    # Meanwhile the first follower's openid is in the session, with a phone proven after it.
    session = client.session
    session["channels:openid"] = "oFirst"
    session.save()
    WechatUser.objects.filter(pk=wechat_user_seen(openid="oFirst").pk).update(verified_phone=VICTIM_PHONE)
    _prove(client, VICTIM_PHONE)
    assert client.get(reverse("citizens:mine")).status_code == 200
    assert client.get(link).status_code == 302
    assert client.session.get("channels:openid") == "oSecond"
    assert client.get(reverse("citizens:mine")).status_code == 302  # the first follower's phone is gone
    assert "petitions:my_tracked" not in client.session
    client.get(reverse("channels:wechat_mine"))
    assert WechatUser.objects.get(openid="oSecond").verified_phone == ""
    assert WechatUser.objects.get(openid="oFirst").verified_phone == VICTIM_PHONE  # not signed out by this
