"""Failed logins counted per address across accounts.

django-axes locks a username at one address after PORTAL_LOGIN_FAILURE_LIMIT failures;
that cannot see one address trying a few passwords on each of many accounts (4 wrong
passwords on each of 8 accounts locked nothing). Every failure is also counted for the
address (lib.client_ip, so a forged X-Forwarded-For changes nothing); past
PORTAL_RATE_LOGIN_FAILURES, every login from the address is refused, even with the
right password, until the window ends.
"""
from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from lib.ratelimits import log_refusal, usage

GROUP = "login-failures"
SETTING = "PORTAL_RATE_LOGIN_FAILURES"


def address_refused(request) -> bool:
    counted = usage(request, GROUP, SETTING, increment=False)
    return counted is not None and counted["count"] >= counted["limit"]


def login_refused(request, username: str) -> bool:
    """Whether a login for this username from this request's address is refused now:
    the address has too many failures, or axes has locked the username there."""
    from axes.handlers.proxy import AxesProxyHandler

    return address_refused(request) or not AxesProxyHandler.is_allowed(request, {"username": username})


class AddressFailureBackend:
    """First in AUTHENTICATION_BACKENDS: refuses, never authenticates. (No get_user, so
    sessions, and the test client's force_login, name the model backend, not this one.)"""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and address_refused(request):
            log_refusal(request, GROUP)
            # AxesMiddleware answers a request flagged like this with the lockout page (429),
            # for the staff login and the admin's alike.
            request.axes_locked_out = True
            raise PermissionDenied  # authenticate() stops here and sends user_login_failed
        return None


@receiver(user_login_failed, dispatch_uid="org.login_guard.count_failure")
def count_failure(sender, credentials=None, request=None, **kwargs):
    if request is None:
        return
    counted = usage(request, GROUP, SETTING, increment=True)
    if counted is not None and counted["count"] >= counted["limit"]:
        # The failure that reaches the limit already answers 429, as axes does for the username.
        request.axes_locked_out = True
