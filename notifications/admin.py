"""Admin -> Outbox and Admin -> Message templates.

The outbox holds the citizens' mobile numbers and e-mail addresses and the texts sent to them, read by the
supervisors and the inspection office too (org.roles). So, as in the petitions' list (petitions.admin):
- a recipient is shown, and searched, only to the platform's staff who see personal data (operators, dispatchers,
  platform administrators: `User.sees_personal_data`), and each of their searches is recorded in the access
  records (`outbox_searched`, which petitions writes to its AccessRecord); everyone else reads it masked
  (139****5678) and searches the subject only;
- outside the platform (the inspection office) a citizen's, applicant's or representative's address is not shown
  at all, masked or not, and their messages' words pass through the redactor: a row does not say whether the
  petition it reports is confidential, and a confidential complainant is known to the platform only (DOMAIN.md 3);
- nobody reads a personal link (/petitions/p/<token>/, /disclosure/requests/r/<token>/): it opens the citizen's
  own session on their petition or request, and staff must not act as the citizen.
"""
import contextlib
import re
from contextvars import ContextVar

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from lib.admin import CappedCountAdmin
from lib.identity import normalise_phone
from lib.masking import mask_phone
from lib.redact import redact
from notifications.catalog import AUDIENCES, CATALOG, UNIT
from notifications.models import MessageTemplate, Notification
from notifications.services import notification_retry
from notifications.signals import outbox_searched
from org.permissions import is_platform_staff

# A personal link, with or without the site's address in front (the SMS, the e-mail, the WeChat payload's url).
PERSONAL_LINK = re.compile(r"(?:https?://[^\s/\"'<>]+(?:/[^\s/\"'<>]+)*?)?/(?:petitions/p|disclosure/requests/r)/"
                           r"[^\s/\"'<>]+/?")
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")

# What the current request's user may see of the recipients. Context variables, not attributes of the (shared,
# multi-threaded) ModelAdmin, as in petitions.admin.
_RECIPIENTS: ContextVar[bool] = ContextVar("outbox_recipients", default=False)
_PLATFORM: ContextVar[bool] = ContextVar("outbox_platform", default=False)


def sees_recipients(user) -> bool:
    """The platform's staff who see personal data: they find a message by its recipient and read it whole."""
    return bool(getattr(user, "sees_personal_data", False) or user.is_superuser) and is_platform_staff(user)


def _audience(notification) -> str | None:
    message = CATALOG.get(notification.key.split(":", 1)[0])
    return message.audience if message else None


def _masked(notification) -> str:
    recipient = notification.recipient
    if notification.channel == Notification.Channel.EMAIL and "@" in recipient:
        local, _at, domain = recipient.partition("@")
        return f"{local[:1]}***@{domain}"
    return mask_phone(recipient)


@admin.register(Notification)
class NotificationAdmin(CappedCountAdmin, admin.ModelAdmin):
    list_display = ("created_at", "channel", "recipient_shown", "subject", "status", "attempts", "next_attempt_at",
                    "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("subject",)  # the real search is get_search_results below
    search_help_text = _("Subject. The platform's staff who see personal data also find a message by its "
                         "recipient; every such search is recorded.")
    # The text is shown through `message`: a secret one (a one-time code) never is, a personal link never is.
    fields = ("key_shown", "channel", "recipient_shown", "subject", "message", "status", "attempts",
              "next_attempt_at", "claimed_at", "last_error", "created_at", "sent_at")
    readonly_fields = fields
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _set_viewer(self, request):
        _RECIPIENTS.set(sees_recipients(request.user))
        _PLATFORM.set(is_platform_staff(request.user))

    def changelist_view(self, request, extra_context=None):
        self._set_viewer(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._set_viewer(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if not sees_recipients(request.user):
            return queryset.filter(subject__icontains=term), False
        outbox_searched.send(sender=Notification, user=request.user, term=term)
        found = Q(recipient__icontains=term) | Q(subject__icontains=term) | Q(key__icontains=term)
        with contextlib.suppress(ValueError):  # not a phone: the words alone
            found |= Q(recipient=normalise_phone(term))  # stored normalised: "139 1234 5678" finds 13912345678
        return queryset.filter(found), False

    @staticmethod
    def _hidden(obj) -> bool:
        """A person's address (not a unit's), and the viewer outside the platform."""
        return not _PLATFORM.get() and _audience(obj) != UNIT

    @admin.display(description=_("recipient"))
    def recipient_shown(self, obj):
        if _RECIPIENTS.get():
            return obj.recipient
        return _("not shown outside the platform") if self._hidden(obj) else _masked(obj)

    @admin.display(description=_("key"))
    def key_shown(self, obj):
        """The key ends with the recipient (and a login code's step is the phone): shown as the recipient is."""
        if _RECIPIENTS.get():
            return obj.key
        head, separator, _address = obj.key.rpartition(f":{obj.channel}:")
        head = _MOBILE_IN_TEXT.sub(lambda match: mask_phone(match.group()), head if separator else obj.key)
        return f"{head}{separator}{self.recipient_shown(obj)}" if separator else head

    @admin.display(description=_("message"))
    def message(self, obj):
        if not obj.is_secret:
            text = PERSONAL_LINK.sub(str(_("[personal link]")), obj.body)
            return redact(text) if not _RECIPIENTS.get() and self._hidden(obj) else text
        if obj.status == Notification.Status.SENT:
            return _("Cleared once sent: it contained a one-time code.")
        if obj.status == Notification.Status.FAILED:
            return _("Cleared because it contained a one-time code, and not sent: it cannot be retried. "
                     "A 三民 representative's voting code is on the draw's code sheet, to be delivered from there; "
                     "a citizen asks for a new login code.")
        return _("Not shown: it contains a one-time code. It is cleared once sent.")

    # Only for those who may change the outbox: Django offers a list's actions to anyone who can open it, and the
    # supervisors, who read it, must not be able to send anything again.
    @admin.action(description=_("Retry the selected failed messages now"), permissions=["change"])
    def retry_now(self, request, queryset):
        queued = secret = undeliverable = 0
        not_failed = queryset.exclude(status=Notification.Status.FAILED).count()
        for notification in queryset.filter(status=Notification.Status.FAILED):
            if notification.is_secret:
                secret += 1  # its text was cleared when it failed: nothing to send again
                continue
            if notification_retry(notification=notification).status == Notification.Status.PENDING:
                queued += 1
            else:
                undeliverable += 1  # a landline or a malformed address: it stays failed until someone fixes it
        self.message_user(request, ngettext(
            "%(count)d message was queued to be sent again.",
            "%(count)d messages were queued to be sent again.", queued) % {"count": queued},
            messages.SUCCESS if queued else messages.INFO)
        if undeliverable:
            self.message_user(request, ngettext(
                "%(count)d message stays failed: its recipient cannot receive it (a landline or a malformed "
                "address). Correct the contact details; the next message goes to the new ones.",
                "%(count)d messages stay failed: their recipients cannot receive them (a landline or a malformed "
                "address). Correct the contact details; the next messages go to the new ones.",
                undeliverable) % {"count": undeliverable}, messages.WARNING)
        if not_failed:
            self.message_user(request, ngettext(
                "%(count)d selected message had not failed: left as it is.",
                "%(count)d selected messages had not failed: left as they are.", not_failed) % {"count": not_failed},
                messages.INFO)
        if secret:
            self.message_user(request, ngettext(
                "%(count)d message was not retried: it contained a one-time code, cleared when it failed.",
                "%(count)d messages were not retried: they contained a one-time code, cleared when they failed.",
                secret) % {"count": secret}, messages.WARNING)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The wording of every message (notifications.catalog): the variables a template may use are
    shown beside it and checked when it is saved."""

    list_display = ("code", "audience", "trigger", "is_active", "updated_at")
    list_filter = ("is_active",)
    search_fields = ("code", "body_zh", "body_en")
    readonly_fields = ("code", "audience", "trigger", "variables")
    fields = ("code", "audience", "trigger", "variables", "subject_zh", "body_zh", "subject_en", "body_en",
              "is_active")

    def has_add_permission(self, request):
        return False  # one row per message of the catalog, created at migrate

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recipient"))
    def audience(self, obj):
        message = CATALOG.get(obj.code)
        return AUDIENCES.get(message.audience, "") if message else ""

    @admin.display(description=_("sent when"))
    def trigger(self, obj):
        message = CATALOG.get(obj.code)
        return message.trigger if message else ""

    @admin.display(description=_("variables"))
    def variables(self, obj):
        message = CATALOG.get(obj.code)
        return ", ".join("{%s}" % v for v in message.variables) if message else ""
