"""The disclosure officers' side: bodies, policies, Q&A, and each information request's
clock, moved only through disclosure.services. Officers see their own body's requests only
(disclosure.selectors.requests_visible_to); the city's office, supervisors and admins see all."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from disclosure import pdf, selectors, services
from disclosure.forms import (
    AnswerForm,
    ConsultedForm,
    ConsultForm,
    CorrectedForm,
    CorrectionForm,
    EmptyForm,
    ExtensionForm,
    ForwardForm,
    RecordForm,
    RefuseForm,
)
from disclosure.models import (
    EXTENSION_DECIDABLE,
    AbandonReason,
    AnswerType,
    Body,
    InfoRequest,
    Policy,
    Question,
    RequestEvent,
    RequestStatus,
)
from disclosure.transitions import PAUSED
from lib.admin import ReadOnlyInline
from lib.errors import DomainError
from lib.params import object_id
from org.calendar import get_calendar


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("unit", "supervises_all", "is_active")
    list_filter = ("supervises_all", "is_active")
    search_fields = ("unit__name", "unit__code")
    autocomplete_fields = ("unit",)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "issuer", "issued_on", "theme", "validity", "published")
    list_filter = ("validity", "theme", "published")
    search_fields = ("title", "number", "text")
    autocomplete_fields = ("issuer", "amended_by")
    date_hierarchy = "issued_on"


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("question", "theme", "district", "department", "views", "helpful", "not_helpful")
    list_filter = ("theme",)
    search_fields = ("question", "answer")
    autocomplete_fields = ("policy", "district", "department")


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "kind", "actor", "note", "details")
    verbose_name_plural = gettext_lazy("History")

    @admin.display(description=gettext_lazy("details"))
    def details(self, obj):
        rows = obj.details()
        return format_html_join(mark_safe("<br>"), "{}: {}", rows) if rows else "—"


def clock(item: InfoRequest, today=None) -> tuple[str, str]:
    """(state, text) of the request's clock: running with working days left, paused, overdue, or done."""
    today = today or timezone.localdate()
    if item.status in PAUSED:
        until = item.correction_until if item.status == RequestStatus.CORRECTION else item.consultation_due_on
        return "paused", _("Paused until %(date)s") % {"date": until}
    if item.status == RequestStatus.FEE_DUE:
        return "paused", _("Fee due by %(date)s") % {"date": item.fee_due_on}
    if item.status != RequestStatus.RECEIVED:
        return "done", "—"
    calendar = get_calendar()
    if item.due_on < today:
        return "overdue", _("Overdue by %(days)s working days") % {"days": calendar.workdays_between(item.due_on, today)}
    return "running", _("%(days)s working days left") % {"days": calendar.workdays_between(today, item.due_on)}


class BodyFilter(admin.SimpleListFilter):
    title = gettext_lazy("addressed to")
    parameter_name = "body"

    def lookups(self, request, model_admin):
        visible = selectors.requests_visible_to(request.user)
        return [(b.pk, str(b)) for b in Body.objects.filter(requests__in=visible).distinct().select_related("unit")]

    def queryset(self, request, queryset):
        body_id = object_id(self.value())  # `?body=abc` or 25 digits: ignored, never a 500 (lib/params.py)
        return queryset.filter(body_id=body_id) if body_id is not None else queryset


class ClockFilter(admin.SimpleListFilter):
    title = gettext_lazy("clock")
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [("running", _("Running")), ("paused", _("Paused")), ("overdue", _("Overdue")),
                ("extension", _("Extension waiting for the head"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "running":
            return queryset.filter(status=RequestStatus.RECEIVED, due_on__gte=today)
        if self.value() == "paused":
            return queryset.filter(status__in=[*PAUSED, RequestStatus.FEE_DUE])
        if self.value() == "overdue":
            return queryset.filter(status=RequestStatus.RECEIVED, due_on__lt=today)
        if self.value() == "extension":
            # Only where the head can decide it (Art. 33, within the running period): not while the applicant
            # corrects (the restarted period drops it) nor on a closed request.
            return queryset.filter(extension_asked_days__gt=0, status__in=EXTENSION_DECIDABLE)
        return queryset


# action: (form, the service call, who may: "officer" any officer of the body, "head" only with approve_extension)
ACTIONS = {
    "correction": (CorrectionForm, lambda r, u, d: services.request_correction(request=r, actor=u, **d), "officer",
                   gettext_lazy("Correction notice")),
    "corrected": (CorrectedForm, lambda r, u, d: services.request_corrected(request=r, actor=u, **d), "officer",
                  gettext_lazy("Correction received")),
    "extend_ask": (ExtensionForm, lambda r, u, d: services.request_extension_ask(request=r, actor=u, **d), "officer",
                   gettext_lazy("Ask for an extension")),
    "extend_approve": (EmptyForm, lambda r, u, d: services.request_extend(request=r, actor=u), "head",
                       gettext_lazy("Approve the extension")),
    "extend_refuse": (RefuseForm, lambda r, u, d: services.request_extension_refuse(request=r, actor=u, **d), "head",
                      gettext_lazy("Refuse the extension")),
    "extend": (ExtensionForm, lambda r, u, d: services.request_extend(request=r, actor=u, **d), "head",
               gettext_lazy("Extend")),
    "consult": (ConsultForm, lambda r, u, d: services.request_consult(request=r, actor=u, **d), "officer",
                gettext_lazy("Consult a third party")),
    "consulted": (ConsultedForm, lambda r, u, d: services.request_consulted(request=r, actor=u, **d), "officer",
                  gettext_lazy("Consultation over")),
    "answer": (AnswerForm, lambda r, u, d: services.request_answer(request=r, actor=u, **d), "officer",
               gettext_lazy("Answer")),
    "paid": (EmptyForm, lambda r, u, d: services.request_paid(request=r, actor=u), "officer",
             gettext_lazy("Fee paid")),
    "forward": (ForwardForm, lambda r, u, d: services.request_forward(request=r, actor=u, **d), "officer",
                gettext_lazy("Forward to the right body")),
}


def actions_for(item: InfoRequest, user) -> list[tuple[str, str]]:
    """The steps open to this user at the request's present state (the buttons on its page)."""
    if not selectors.may_act_on(user, item) or not user.has_perm("disclosure.change_inforequest"):
        return []
    head = user.has_perm("disclosure.approve_extension")
    status = item.status
    names = []
    if status == RequestStatus.RECEIVED and not item.correction_sent_on:
        names.append("correction")
    if status == RequestStatus.CORRECTION or (status == RequestStatus.ABANDONED
                                              and item.abandon_reason == AbandonReason.NO_CORRECTION):
        names.append("corrected")  # abandoned: one posted in time may be recorded after the sweep (Art. 30)
    if status in (RequestStatus.RECEIVED, RequestStatus.CONSULTING) and not item.extension_days:
        in_time = services.extension_still_possible(item)  # Art. 33: decided within the period
        if item.extension_asked_days:
            names += (["extend_approve"] if in_time else []) + ["extend_refuse"] if head else []
        elif in_time:
            names += ["extend_ask"] + (["extend"] if head else [])
    if status == RequestStatus.RECEIVED:
        names.append("consult")
    if status == RequestStatus.CONSULTING:
        names.append("consulted")
    if status in (RequestStatus.RECEIVED, RequestStatus.CONSULTING):
        names.append("answer")
    if status == RequestStatus.FEE_DUE:
        names.append("paid")
    if item.answer_type == AnswerType.NOT_THIS_BODY and not item.forwards.exists():
        names.append("forward")
    return [(name, ACTIONS[name][3]) for name in names]


@admin.register(InfoRequest)
class InfoRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "body", "applicant_name", "status", "received_on", "due_on", "clock_column",
                    "answer_type")
    list_filter = (ClockFilter, "status", BodyFilter, "via", "answer_type")
    search_fields = ("number", "applicant_name", "description")
    readonly_fields = [f.name for f in InfoRequest._meta.fields]
    fieldsets = [
        (None, {"fields": ["number", "body", "status", "via", "submitted_at", "received_on", "due_on",
                           "forwarded_from"]}),
        (gettext_lazy("Application (Art. 29)"), {"fields": [
            "applicant_type", "organisation_kind", "applicant_name", "id_type", "id_number", "applicant_phone",
            "applicant_email", "applicant_address", "description", "delivery_form", "delivery_way"]}),
        (gettext_lazy("Clock"), {"fields": [
            "correction_sent_on", "correction_text", "correction_until", "corrected_on", "corrected_text",
            "clock_restarted_on",
            "extension_asked_days", "extension_reason", "extension_days", "extension_approved_by", "third_party",
            "consultation_question", "consultation_started_on", "consultation_due_on", "consulted_workdays",
            "overdue_at"]}),
        (gettext_lazy("Answer and fee"), {"fields": [
            "answer_type", "withhold_reason", "answer_text", "where_published", "right_body", "right_body_ref",
            "answered_on", "pages", "fee", "fee_due_on", "paid_on", "abandon_reason", "closed_on"]}),
    ]
    inlines = [EventInline]
    change_form_template = "admin/disclosure/inforequest/change_form.html"
    change_list_template = "admin/disclosure/inforequest/change_list.html"
    list_select_related = ("body__unit",)

    @admin.display(description=gettext_lazy("clock"))
    def clock_column(self, obj):
        state, text = clock(obj)
        return format_html('<span class="clock clock-{}">{}</span>', state, text)

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "now_year": timezone.localdate().year})

    def get_queryset(self, request):
        return selectors.requests_visible_to(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # requests arrive through the public form or the office's entry (record/)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        # Under their own prefixes: `<pk>/<action>/` caught the admin's own `<pk>/change/` (every detail page 403).
        view = self.admin_site.admin_view
        return [
            path("record/", view(self.record_view), name="disclosure_inforequest_record"),
            path("<int:pk>/act/<str:action>/", view(self.action_view), name="disclosure_inforequest_action"),
            path("<int:pk>/notice/<str:kind>.pdf", view(self.notice_view), name="disclosure_inforequest_notice"),
        ] + super().get_urls()

    def _item(self, request, pk: int) -> InfoRequest:
        item = self.get_queryset(request).filter(pk=pk).first()
        if item is None:  # another body's request is not there at all for this officer
            raise Http404
        return item

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The page is read-only: the request moves only through its steps (the buttons), never by saving the form.
        extra = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False,
                 "show_save_and_add_another": False, "show_delete": False}
        item = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if item is not None:
            state, text = clock(item)
            extra.update(clock_state=state, clock_text=text, step_actions=actions_for(item, request.user),
                         notices=[(kind, pdf.NOTICES[kind]) for kind in pdf.available(item)],
                         forwarded_as=list(item.forwards.all()))
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def action_view(self, request, pk, action):
        if action not in ACTIONS:
            raise Http404
        item = self._item(request, pk)
        form_class, perform, who, label = ACTIONS[action]
        if not request.user.has_perm("disclosure.change_inforequest") or not selectors.may_act_on(request.user, item):
            raise PermissionDenied
        if who == "head" and not request.user.has_perm("disclosure.approve_extension"):
            raise PermissionDenied
        initial = {"to": item.right_body_ref_id} if action == "forward" else None
        form = form_class(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                result = perform(item, request.user, form.cleaned_data)
            except DomainError as error:
                error.as_form_error(form)
            else:
                messages.success(request, _("Done: %(step)s.") % {"step": label})
                target = result if isinstance(result, InfoRequest) and action == "forward" else item
                return redirect(reverse("admin:disclosure_inforequest_change", args=[target.pk]))
        return render(request, "admin/disclosure/inforequest/action.html", {
            **self.admin_site.each_context(request), "title": f"{item.number} · {label}", "item": item,
            "form": form, "opts": self.model._meta, "clock_text": clock(item)[1], "label": label,
        }, status=400 if form.errors else 200)

    def notice_view(self, request, pk, kind):
        item = self._item(request, pk)
        if kind not in pdf.available(item):
            raise Http404
        response = HttpResponse(pdf.notice_pdf(item, kind), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{item.number}-{kind}.pdf"'
        return response

    def record_view(self, request):
        """The office enters a request made in person or by registered mail (Art. 31)."""
        if not request.user.has_perm("disclosure.add_inforequest"):
            raise PermissionDenied
        own = selectors.body_of(request.user)
        if request.user.is_superuser or request.user.role == "admin":
            bodies = Body.objects.filter(is_active=True).select_related("unit")
        else:
            bodies = Body.objects.filter(pk=own.pk if own else None)
        form = RecordForm(request.POST or None, bodies=bodies, initial={"body": own.pk if own else None})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                item = services.request_submit(actor=request.user, **data)
            except DomainError as error:
                error.as_form_error(form)
            else:
                messages.success(request, _("Request %(number)s recorded: received on %(day)s.") % {
                    "number": item.number, "day": item.received_on})
                return redirect(reverse("admin:disclosure_inforequest_change", args=[item.pk]))
        return render(request, "admin/disclosure/inforequest/action.html", {
            **self.admin_site.each_context(request), "title": _("Record a request made in person or by mail"),
            "form": form, "opts": self.model._meta, "label": _("Record a request made in person or by mail"),
        }, status=400 if form.errors else 200)


from disclosure.models import Event, ProgressReport, Project, ProjectItem, Signup  # noqa: E402


class ProjectItemInline(admin.TabularInline):
    model = ProjectItem
    extra = 1


class ProgressReportInline(admin.TabularInline):
    model = ProgressReport
    extra = 1
    readonly_fields = ("reported_by", "reminded_at", "supervised_at")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "lead_unit", "target", "measure", "third_party_evaluation",
                    "evaluation_published_on")
    list_filter = ("year",)
    search_fields = ("title",)
    autocomplete_fields = ("lead_unit", "co_units", "implementing_units")
    inlines = [ProjectItemInline, ProgressReportInline]


class SignupInline(admin.TabularInline):
    model = Signup
    extra = 0
    readonly_fields = ("name", "phone", "created_at", "score", "comment")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "starts_at", "place", "capacity")
    list_filter = ("kind",)
    inlines = [SignupInline]
