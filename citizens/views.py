"""“My petitions”: a citizen signs in with their phone and a one-time SMS code and sees everything
they have filed: petitions, information requests, event sign-ups and 三民 suggestions."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citizens import selectors, services
from disclosure.views import MY_REQUESTS, MY_REQUESTS_UNTIL, SESSION_REQUESTS
from evaluation import metrics
from lib.fields import PhoneField
from lib.ratelimits import limit
from petitions import publication
from petitions.views import MY_TRACKED, MY_UNTIL, SESSION_FILED, SESSION_TRACKED, forget

LARGE_TEXT_COOKIE = "portal_large_text"
# What signing in to "My petitions" lets this browser open: forgotten with the phone on sign-out (and by WeChat's
# pages when another follower's openid comes into the session).
SIGN_IN_GRANTS = (MY_TRACKED, MY_UNTIL, MY_REQUESTS, MY_REQUESTS_UNTIL, SESSION_TRACKED, SESSION_FILED,
                  SESSION_REQUESTS)


class PhoneForm(forms.Form):
    phone = PhoneField(label=gettext_lazy("Your mobile phone"), mobile_only=True)


class CodeForm(forms.Form):
    phone = PhoneField(widget=forms.HiddenInput, mobile_only=True)
    code = forms.RegexField(label=gettext_lazy("The 6-digit code we sent"), regex=r"^\d{6}$", max_length=6,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
                            error_messages={"invalid": gettext_lazy("The code has 6 digits.")})


@limit("my-code", "PORTAL_RATE_MY_CODE")
def start(request):
    if services.session_phone(request):
        return redirect("citizens:mine")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        services.code_send(phone=phone)
        # The same answer whether or not the number has filed anything, or a code was already sent.
        return render(request, "citizens/code.html", {"form": CodeForm(initial={"phone": phone}), "phone": phone,
                                                      "minutes": settings.PORTAL_MY_CODE_MINUTES})
    return render(request, "citizens/start.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
@limit("my-code", "PORTAL_RATE_MY_CODE")
def verify(request):
    form = CodeForm(request.POST)
    if form.is_valid() and services.code_check(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"]):
        services.session_start(request, form.cleaned_data["phone"])
        return redirect("citizens:mine")
    if form.is_valid():
        # Wrong, expired or used up: one answer.
        form.add_error("code", _("This code is wrong or no longer valid. Check it, or ask for a new one."))
    return render(request, "citizens/code.html", {"form": form, "phone": request.POST.get("phone", ""),
                                                  "minutes": settings.PORTAL_MY_CODE_MINUTES}, status=400)


def mine(request):
    phone = services.session_phone(request)
    if phone is None:
        return redirect("citizens:start")
    found = selectors.everything_of(phone)
    # Each item opens on its own tracking page without asking again, for as long as the sign-in lasts.
    request.session[MY_TRACKED] = [p.pk for p in found.petitions][-200:]
    request.session[MY_UNTIL] = services.session_until(request)
    request.session[MY_REQUESTS] = [r.pk for r in found.requests][-200:]
    request.session[MY_REQUESTS_UNTIL] = services.session_until(request)
    return render(request, "citizens/mine.html", {"phone": phone, "found": found})


@require_POST
def sign_out(request):
    services.session_end(request, also=SIGN_IN_GRANTS)
    messages.success(request, _("You are signed out."))
    response = redirect("citizens:start")
    forget(response)  # and the petitions this browser tracked by number and phone or opened by a link
    return response


# --- the home page: the door to everything public ---------------------------------------------------------

def home(request):
    today = timezone.localdate()
    first = today.replace(day=1)
    return render(request, "citizens/home.html", {
        "month": first, "figures": metrics.city(first, today),
        "answers": publication.recent_answers(limit=5),
    })


@require_POST
def toggle_large_text(request):
    """Large text and high contrast for elderly readers (适老化): a cookie, so it works without JavaScript."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.COOKIES.get(LARGE_TEXT_COOKIE) == "1":
        response.delete_cookie(LARGE_TEXT_COOKIE)
    else:
        response.set_cookie(LARGE_TEXT_COOKIE, "1", max_age=365 * 86400, samesite="Lax")
    return response
