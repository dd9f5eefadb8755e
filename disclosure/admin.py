"""The disclosure officers' side: policies, Q&A, and each information request's
clock, moved only through disclosure.services."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import re_path, reverse
from django.utils.translation import gettext_lazy as _

from lib.admin import ReadOnlyInline
from disclosure import services
from disclosure.models import AnswerType, InfoRequest, Policy, Question, RequestEvent, WithholdReason
from lib.errors import DomainError


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "issuer", "issued_on", "theme", "published")
    list_filter = ("theme", "published")
    search_fields = ("title", "number", "text")
    autocomplete_fields = ("issuer",)
    date_hierarchy = "issued_on"


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("question", "theme", "district", "department", "views", "helpful", "not_helpful")
    list_filter = ("theme",)
    search_fields = ("question", "answer")
    autocomplete_fields = ("policy", "district", "department")


class EventInline(ReadOnlyInline):
    model = RequestEvent
    fields = ("at", "kind", "actor", "note", "data")


class CorrectionForm(forms.Form):
    text = forms.CharField(label=_("What to add"), widget=forms.Textarea(attrs={"rows": 3}))
    answer_within_days = forms.IntegerField(label=_("Working days for the applicant"), min_value=1, max_value=60,
                                            initial=15)


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=20)
    reason = forms.CharField(label=_("Reason notified to the applicant"))


class AnswerForm(forms.Form):
    answer_type = forms.ChoiceField(label=_("Answer"), choices=AnswerType.choices)
    text = forms.CharField(label=_("Answer text"), widget=forms.Textarea(attrs={"rows": 4}))
    where_published = forms.CharField(label=_("Where published"), required=False)
    right_body = forms.CharField(label=_("The right body"), required=False)
    withhold_reason = forms.ChoiceField(label=_("Reason withheld"), required=False,
                                        choices=[("", "—")] + list(WithholdReason.choices))
    fee_method = forms.ChoiceField(label=_("Fee"), choices=[("none", _("Free")), ("per_request", _("Per request")),
                                                            ("per_page", _("Per page"))])
    pages = forms.IntegerField(label=_("Pages"), min_value=0, initial=0)


class EmptyForm(forms.Form):
    pass


@admin.register(InfoRequest)
class InfoRequestAdmin(admin.ModelAdmin):
    list_display = ("number", "applicant_name", "status", "received_on", "due_on", "answer_type", "overdue_at")
    list_filter = ("status", "answer_type", "via")
    search_fields = ("number", "applicant_name", "description")
    readonly_fields = [f.name for f in InfoRequest._meta.fields]
    inlines = [EventInline]
    change_form_template = "admin/disclosure/inforequest/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        # Only the actions' names: a bare "<str:action>" also caught "<pk>/change/" and the history page,
        # which then answered a bare 403.
        actions = "|".join(self.ACTIONS)
        return [re_path(rf"^(?P<pk>\d+)/(?P<action>{actions})/$", self.admin_site.admin_view(self.action_view),
                        name="disclosure_inforequest_action")] + super().get_urls()

    ACTIONS = {
        "correction": (CorrectionForm, lambda r, u, d: services.request_correction(request=r, actor=u, **d)),
        "corrected": (EmptyForm, lambda r, u, d: services.request_corrected(request=r, actor=u)),
        "extend": (ExtensionForm, lambda r, u, d: services.request_extend(request=r, actor=u, **d)),
        "consult": (EmptyForm, lambda r, u, d: services.request_consult(request=r, actor=u)),
        "consulted": (EmptyForm, lambda r, u, d: services.request_consulted(request=r, actor=u)),
        "answer": (AnswerForm, lambda r, u, d: services.request_answer(request=r, actor=u, **d)),
        "paid": (EmptyForm, lambda r, u, d: services.request_paid(request=r, actor=u)),
    }

    def action_view(self, request, pk, action):
        if action not in self.ACTIONS:
            raise PermissionDenied
        item = get_object_or_404(InfoRequest, pk=pk)
        if not self.has_view_permission(request, item) or not request.user.has_perm("disclosure.change_inforequest"):
            raise PermissionDenied
        form_class, perform = self.ACTIONS[action]
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                perform(item, request.user, form.cleaned_data)
            except DomainError as error:
                error.as_form_error(form)
            else:
                messages.success(request, _("Done."))
                return redirect(reverse("admin:disclosure_inforequest_change", args=[item.pk]))
        return render(request, "admin/petitions/petition/action.html", {
            **self.admin_site.each_context(request), "title": item.number, "petition": item, "form": form,
            "opts": self.model._meta})


from disclosure.models import Event, ProgressReport, Project, ProjectItem, Signup  # noqa: E402


class ProjectItemInline(admin.TabularInline):
    model = ProjectItem
    extra = 1


class ProgressReportInline(admin.TabularInline):
    model = ProgressReport
    extra = 1


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "lead_unit", "target", "measure", "third_party_evaluation")
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
