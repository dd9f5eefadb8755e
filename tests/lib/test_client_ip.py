"""The client's address: X-Forwarded-For counts only as far as our own proxies wrote it."""
import pytest
from django.test import RequestFactory

from lib.client_ip import client_ip


def request(remote="10.0.0.1", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize("forwarded", [None, "1.2.3.4", "1.2.3.4, 5.6.7.8", "garbage"])
def test_without_trusted_proxies_the_header_is_ignored(settings, forwarded):
    settings.PORTAL_TRUSTED_PROXIES = 0
    assert client_ip(request("203.0.113.9", forwarded)) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_appended_counts(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    # The client forged "6.6.6.6"; our proxy appended the address it really saw.
    assert client_ip(request("10.0.0.1", "6.6.6.6, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(request("10.0.0.1", "198.51.100.7")) == "198.51.100.7"


def test_behind_two_proxies_the_second_from_the_right(settings):
    settings.PORTAL_TRUSTED_PROXIES = 2
    assert client_ip(request("10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1")) == "198.51.100.7"
    # Fewer entries than proxies: the farthest one a proxy of ours wrote.
    assert client_ip(request("10.0.0.2", "10.0.0.1")) == "10.0.0.1"


@pytest.mark.parametrize("forwarded", ["", "not-an-address", " , "])
def test_a_missing_or_broken_header_falls_back_to_the_peer(settings, forwarded):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request("10.0.0.1", forwarded)) == "10.0.0.1"


def test_ipv6_is_normalised(settings):
    settings.PORTAL_TRUSTED_PROXIES = 1
    assert client_ip(request("10.0.0.1", "2001:DB8:0:0::1")) == "2001:db8::1"
