"""The platform's side of dispatch in the Django admin: the responsibility
catalog (versioned, with a dry run and spreadsheet import/export), and the
dispatcher's queue with a console per petition. Every write is a service call."""
from __future__ import annotations

import io
from contextvars import ContextVar
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.admin import CappedCountAdmin, ReadOnlyInline
from dispatch import catalog, catalog_io, forms, perfunctory, repeats, review, routing, selectors, services
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    CatalogRule,
    ExtensionRequest,
    PerfunctoryPhrase,
    QueuedPetition,
    Reply,
    RequestStatus,
    ReturnRequest,
)
from lib.errors import DomainError
from lib.params import object_id
from petitions import privacy
from petitions.models import Petition, Status

# Who is looking at the current admin page (a context variable, not an attribute of the shared ModelAdmin):
# what a confidential petition's title says depends on it (petitions.privacy).
_VIEWER: ContextVar[object] = ContextVar("dispatch_admin_viewer", default=None)


def _title_for(petition) -> str:
    """The petition's title as the current viewer may read it: a confidential complainant's name or phone
    written into it is masked for everyone outside the hotline platform (petitions.privacy.shown_text)."""
    return privacy.shown_text(_VIEWER.get(), petition, petition.title)


class CatalogRuleForm(django_forms.ModelForm):
    class Meta:
        model = CatalogRule
        fields = ["key", "kind", "classification", "area", "keywords", "target", "lead_unit", "co_units", "priority",
                  "is_fallback", "note"]

    def validate_constraints(self):
        pass  # a revision shares its key with the version it replaces; the service checks the rest


@admin.register(CatalogRule)
class CatalogRuleAdmin(admin.ModelAdmin):
    form = CatalogRuleForm
    list_display = ("key", "version", "kind", "classification", "area", "keywords", "target", "lead_unit", "priority",
                    "is_fallback", "active")
    list_filter = ("active", "kind", "target", "is_fallback")
    search_fields = ("key", "keywords", "classification__name", "area__name", "lead_unit__name", "note")
    autocomplete_fields = ("classification", "area", "lead_unit", "co_units")
    list_select_related = ("classification", "area", "lead_unit")
    change_list_template = "admin/dispatch/catalogrule/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_export": request.user.has_perm("dispatch.export_catalogrule"),
                         "may_import": request.user.has_perm("dispatch.import_catalogrule")}
        return super().changelist_view(request, extra_context)

    def get_readonly_fields(self, request, obj=None):
        return ("key",) if obj is not None else ()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.active:
            return False  # a retired version is history: it is never edited
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # retire instead: assignments point at their rule

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in catalog.RULE_FIELDS}
        try:
            if change:
                saved = catalog.rule_revise(rule=obj, actor=request.user, co_units=form.cleaned_data["co_units"], **data)
            else:
                saved = catalog.rule_create(key=form.cleaned_data["key"], actor=request.user,
                                             co_units=form.cleaned_data["co_units"], **data)
        except DomainError as error:
            raise PermissionDenied(error.message) from None
        obj.pk, obj.version = saved.pk, saved.version

    def save_related(self, request, form, formsets, change):
        pass  # the service set the co-units

    def response_change(self, request, obj):
        messages.success(request, _("Saved as version %(version)s; the previous version is kept.") % {"version": obj.version})
        return HttpResponseRedirect(reverse("admin:dispatch_catalogrule_changelist"))

    @admin.action(description=_("Retire the selected rules"), permissions=("change",))
    def retire(self, request, queryset):
        for rule in queryset.filter(active=True):
            catalog.rule_retire(rule=rule, actor=request.user)

    actions = ["retire"]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dry-run/", view(self.dry_run_view), name="dispatch_catalogrule_dry_run"),
            path("export/", view(self.export_view), name="dispatch_catalogrule_export"),
            path("import/", view(self.import_view), name="dispatch_catalogrule_import"),
            path("unrouted/", view(self.unrouted_view), name="dispatch_catalogrule_unrouted"),
        ] + super().get_urls()

    def unrouted_view(self, request):
        """The classification leaves nothing in the catalog routes: they would wait for a dispatcher."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "title": _("Items the catalog does not route"),
                   "leaves": selectors.unrouted_leaves(), "opts": self.model._meta}
        return render(request, "admin/dispatch/catalogrule/unrouted.html", context)

    def dry_run_view(self, request):
        """Where would a petition go, and why? Nothing is stored."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = forms.DryRunForm(request.GET or None)
        decision = None
        if form.is_valid():
            classification = form.cleaned_data["classification"]
            decision = routing.decide(
                classification_path=classification.path if classification else None,
                area_path=form.cleaned_data["area"].path, text=form.cleaned_data["text"],
                sector_id=classification.sector_id if classification else None,
            )
        catalog = routing.get_catalog()
        context = {**self.admin_site.each_context(request), "title": _("Dry run of the catalog"), "form": form,
                   "decision": decision, "unit_names": catalog.unit_names, "opts": self.model._meta,
                   "rule_count": catalog.rule_count}
        return render(request, "admin/dispatch/catalogrule/dry_run.html", context)

    def export_view(self, request):
        if not request.user.has_perm("dispatch.export_catalogrule"):
            raise PermissionDenied
        response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="responsibility-catalog.xlsx"'
        buffer = io.BytesIO()
        catalog_io.export_catalog(buffer)
        response.write(buffer.getvalue())
        return response

    def import_view(self, request):
        if not request.user.has_perm("dispatch.import_catalogrule"):
            raise PermissionDenied
        result = None
        if request.method == "POST" and request.FILES.get("file"):
            result = catalog_io.import_catalog(request.FILES["file"], actor=request.user)
            if not result.errors:
                messages.success(request, _("Catalog imported: %(c)s new, %(r)s revised, %(x)s retired, %(u)s unchanged.")
                                 % {"c": result.created, "r": result.revised, "x": result.retired, "u": result.unchanged})
                return redirect("admin:dispatch_catalogrule_changelist")
        context = {**self.admin_site.each_context(request), "title": _("Import the catalog"), "result": result,
                   "opts": self.model._meta, "columns": catalog_io.COLUMNS}
        return render(request, "admin/dispatch/catalogrule/import.html", context, status=400 if result else 200)


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ("unit", "role", "status", "rule", "dispatched_at", "signed_at", "sign_due_at", "handle_due_at",
              "extended_days", "answered_at", "answer")


@admin.register(PerfunctoryPhrase)
class PerfunctoryPhraseAdmin(admin.ModelAdmin):
    """The phrases that flag an answer as perfunctory to the reviewer (dispatch.perfunctory)."""
    list_display = ("phrase", "active", "note")
    list_filter = ("active",)
    search_fields = ("phrase", "note")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        perfunctory.invalidate()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        perfunctory.invalidate()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        perfunctory.invalidate()


@admin.register(Assignment)
class AssignmentAdmin(CappedCountAdmin, admin.ModelAdmin):
    list_display = ("petition_shown", "unit", "role", "status", "sign_due_at", "handle_due_at", "dispatched_at")
    list_filter = ("status", "role", "unit__kind")
    search_fields = ("petition__number", "unit__name")
    list_select_related = ("petition", "unit")
    # The petition is shown by petition_shown, never by Petition.__str__ (number and the raw title, which may
    # carry a confidential complainant's name).
    readonly_fields = ["petition_shown"] + [f.name for f in Assignment._meta.fields if f.name != "petition"]

    def get_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description=_("petition"), ordering="petition__number")
    def petition_shown(self, obj):
        return f"{obj.petition.number} {_title_for(obj.petition)}"

    def changelist_view(self, request, extra_context=None):
        _VIEWER.set(request.user)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        _VIEWER.set(request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QueueFilter(admin.SimpleListFilter):
    """Routing work and callbacks are two queues (the filter only names them: get_queryset picks the queue)."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [(selectors.ROUTING_QUEUE, _("Routing work")), (selectors.CALLBACK_QUEUE, _("Callbacks (回访)"))]

    def queryset(self, request, queryset):
        return queryset

    def choices(self, changelist):
        current = _queue(self.value())
        for value, label in self.lookup_choices:
            yield {"selected": current == value, "query_string": changelist.get_query_string({self.parameter_name: value}),
                   "display": label}


def _queue(value) -> str:
    return value if value in selectors.DISPATCHER_QUEUES else selectors.ROUTING_QUEUE


@admin.register(QueuedPetition)
class DispatchQueueAdmin(CappedCountAdmin, admin.ModelAdmin):
    """The dispatcher's queue: what needs a decision, the most urgent first, and a console per petition.
    Callbacks are a queue of their own (docs/dispatch.md, "The dispatcher's queue")."""

    list_display = ("number", "title_shown", "status", "classification", "area", "channel", "received_at", "urgency")
    list_display_links = ("number", "title_shown")
    list_filter = (QueueFilter, "status", "channel")
    search_fields = ("number", "title", "complainant_phone")
    sortable_by = ()  # the order is the urgency: a column sort would hide the most urgent
    change_list_template = "admin/dispatch/queuedpetition/change_list.html"

    def get_queryset(self, request):
        return selectors.dispatcher_queue_by_urgency(_queue(request.GET.get("queue")))

    def get_ordering(self, request):
        return ["urgent_since", "pk"]

    def changelist_view(self, request, extra_context=None):
        counts = selectors.dispatcher_queue_counts()
        current = _queue(request.GET.get("queue"))
        tabs = [(queue, label, counts[queue], queue == current) for queue, label in (
            (selectors.ROUTING_QUEUE, _("Routing work")), (selectors.CALLBACK_QUEUE, _("Callbacks (回访)")))]
        self._now = timezone.now()
        _VIEWER.set(request.user)
        return super().changelist_view(request, {**(extra_context or {}), "queue_tabs": tabs})

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip() and not privacy.is_platform(request.user):
            # Finding a confidential petition by the phone (or a name in its title) would tell who filed it
            # (petitions.privacy; the same rule as the petitions' own admin list).
            found = found.exclude(confidential=True)
        return found, may_have_duplicates

    @admin.display(description=_("title"))
    def title_shown(self, obj):
        return _title_for(obj)

    @admin.display(description=_("urgency"))
    def urgency(self, obj):
        """Hours waited plus the head starts, with the reasons (docs/dispatch.md)."""
        now = getattr(self, "_now", None) or timezone.now()
        reasons = [format_html("{} +{}", label, _hours_text(value)) for label, value in (
            (_("limit"), obj.head_limit), (_("unit's request"), obj.head_request),
            (_("repeats"), obj.head_repeat), (pgettext_lazy("urgency", "channel"), obj.head_channel)) if value]
        waited = _hours_text(now - obj.received_at)
        total = format_html("<strong>{}</strong>", _hours_text(now - obj.urgent_since))
        details = format_html_join(" · ", "{}", ((r,) for r in reasons))
        return format_html("{} <small>({} {}{}{})</small>", total, _("waited"), waited, " · " if reasons else "",
                           details)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return redirect(_console_url(request, object_id))

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/console/", view(self.console_view), name="dispatch_console"),
            path("<int:pk>/console/<str:action>/", view(self.console_action), name="dispatch_console_action"),
        ] + super().get_urls()

    def _require(self, request):
        if not request.user.has_perm("dispatch.dispatch_petitions"):
            raise PermissionDenied

    # Every form of the console gets its own id prefix: the page holds a dozen forms with fields of the same
    # name ("reason", "unit", "approve"), and duplicate ids break labels and assistive technology.
    FORM_IDS = {"redispatch_form": "redispatch", "street_form": "street", "co_form": "co",
                "consultation_form": "consultation", "merge_form": "merge", "review_form": "review",
                "callback_form": "callback", "classify_form": "classify", "repeat_form": "repeat",
                "unrepeat_form": "unrepeat"}

    @classmethod
    def _form(cls, form_class, key, data=None):
        """The console's form for `key`; ("return", pk) and ("extension", pk) are one decision form a request."""
        prefix = f"{key[0]}{key[1]}" if isinstance(key, tuple) else cls.FORM_IDS[key]
        return form_class(data, auto_id=f"id_{prefix}_%s")

    def _context(self, request, petition, **overrides):
        assignments = petition.assignments.select_related("unit", "rule").order_by("-dispatched_at")
        returns = list(ReturnRequest.objects.filter(assignment__petition=petition, status=RequestStatus.PENDING)
                       .select_related("assignment__unit", "suggested_unit"))
        extensions = list(ExtensionRequest.objects.filter(assignment__petition=petition, status=RequestStatus.PENDING)
                          .select_related("assignment__unit"))
        for kind, requests, form_class in (("return", returns, forms.DecisionForm),
                                           ("extension", extensions, forms.ExtensionDecisionForm)):
            for item in requests:
                item.form = overrides.pop(f"{kind}:{item.pk}", None) or self._form(form_class, (kind, item.pk))
        blank = {key: self._form(form_class, key) for key, form_class in (
            ("co_form", forms.UnitForm), ("consultation_form", forms.ReasonForm), ("merge_form", forms.MergeForm),
            ("review_form", forms.ReviewForm), ("callback_form", forms.CallbackForm),
            ("classify_form", forms.ClassifyForm), ("repeat_form", forms.RepeatLinkForm),
            ("unrepeat_form", forms.RepeatUnlinkForm))}
        for key, form_class in (("redispatch_form", forms.RedispatchForm), ("street_form", forms.StreetForm)):
            blank[key] = form_class(initial={"expected": petition.status, "seen": services.petition_seen(petition)},
                                    auto_id=f"id_{self.FORM_IDS[key]}_%s")
        context = {
            **self.admin_site.each_context(request), "title": _("Dispatch console"), "petition": petition,
            "opts": self.model._meta, "assignments": assignments,
            "proposals": [a for a in assignments if a.status == AssignmentStatus.PROPOSED],
            "decision": routing.decide_for(petition),
            "unit_names": routing.get_catalog().unit_names,
            "returns": returns, "extensions": extensions,
            "reply": Reply.objects.filter(petition=petition, review=Reply.Review.PENDING).first(),
            # A review form sent back keeps the files the reviewer had unticked unticked (None: all ticked).
            "review_files_kept": _published_files(request.POST) if request.method == "POST" else None,
            "events": petition.events.select_related("actor").order_by("at", "id"),
            "Status": Status, "can_redispatch": petition.status in services.REDISPATCHABLE,
            **blank,
            "chain": list(repeats.chain(petition.repeat_of_id or petition.pk).only("pk", "number", "status",
                                                                                    "received_at"))
            if petition.repeat_count else [],
            "repeat_kind_allowed": petition.kind not in repeats.NEVER_REPEATS,
            # The queue the dispatcher came from (tab, filters, search) travels with every form and link, so
            # "Back to the queue" returns to it after any decision (Django's own _changelist_filters).
            "keep_queue": _keep_queue(request),
            "queue_url": reverse("admin:dispatch_queuedpetition_changelist") + (
                f"?{_changelist_filters(request)}" if _changelist_filters(request) else ""),
        }
        context.update(overrides)
        return context

    def console_view(self, request, pk):
        self._require(request)
        petition = get_object_or_404(Petition.objects.select_related("classification", "area"), pk=pk)
        return render(request, "admin/dispatch/console.html", self._context(request, petition))

    def console_action(self, request, pk, action):
        self._require(request)
        if request.method != "POST":
            return redirect("admin:dispatch_console", pk=pk)
        petition = get_object_or_404(Petition.objects.select_related("classification", "area"), pk=pk)
        user = request.user
        handlers = {
            "dispatch": (None, None, lambda d: services.dispatch_petition(petition=petition, actor=user, mode="auto")),
            "confirm": (None, None, lambda d: services.dispatch_confirm(petition=petition, actor=user)),
            "redispatch": (forms.RedispatchForm, "redispatch_form", lambda d: services.dispatch_redispatch(
                petition=petition, lead_unit=d["lead_unit"], co_units=d["co_units"], actor=user, reason=d["reason"],
                expected=[d["expected"]] if d["expected"] else None, seen=d["seen"] or None)),
            "street": (forms.StreetForm, "street_form", lambda d: services.dispatch_direct_to_street(
                petition=petition, unit=d["unit"], actor=user, reason=d["reason"],
                expected=[d["expected"]] if d["expected"] else None, seen=d["seen"] or None)),
            "add_co": (forms.UnitForm, "co_form", lambda d: services.dispatch_add_co_unit(
                petition=petition, unit=d["unit"], actor=user, reason=d["reason"])),
            "remove_co": (None, None, lambda d: services.dispatch_remove_co_unit(
                assignment=_posted(Assignment.objects.filter(petition=petition), request.POST.get("assignment")),
                actor=user)),
            "consultation": (forms.ReasonForm, "consultation_form", lambda d: services.dispatch_to_consultation(
                petition=petition, actor=user, reason=d["reason"])),
            "merge": (forms.MergeForm, "merge_form", lambda d: services.dispatch_merge(
                petition=petition, into=_petition_by_number(d["into"]), actor=user, duplicate=d["duplicate"],
                reason=d["reason"])),
            "repeat": (forms.RepeatLinkForm, "repeat_form", lambda d: repeats.repeat_link(
                petition=petition, original=_petition_by_number(d["original"], field="original"), actor=user,
                reason=d["reason"])),
            "unrepeat": (forms.RepeatUnlinkForm, "unrepeat_form", lambda d: repeats.repeat_unlink(
                petition=petition, actor=user, reason=d["reason"])),
            "classify": (forms.ClassifyForm, "classify_form", lambda d: services.dispatch_classify(
                petition=petition, classification=d["classification"], actor=user, reason=d["reason"])),
            "return": (forms.DecisionForm, f"return:{_int(request.POST.get('request'))}", lambda d: review.return_decide(
                request=_posted(ReturnRequest.objects.filter(assignment__petition=petition),
                                request.POST.get("request")),
                approve=d["approve"], actor=user, note=d["note"], new_lead=d["new_lead"])),
            "extension": (forms.ExtensionDecisionForm, f"extension:{_int(request.POST.get('request'))}",
                          lambda d: review.extension_decide(
                request=_posted(ExtensionRequest.objects.filter(assignment__petition=petition),
                                request.POST.get("request")),
                approve=d["approve"], actor=user, note=d["note"])),
            "review": (forms.ReviewForm, "review_form", lambda d: review.reply_review(
                reply=_posted(Reply.objects.filter(petition=petition), request.POST.get("reply")),
                approve=d["approve"], actor=user, note=d["note"], public_answer=d["public_answer"],
                published_files=_published_files(request.POST))),
            "callback": (forms.CallbackForm, "callback_form", lambda d: review.callback_record(
                petition=petition, actor=user, satisfaction=d["satisfaction"], solved=d["solved"],
                comment=d["comment"])),
        }
        if action not in handlers:
            raise PermissionDenied
        form_class, key, perform = handlers[action]
        form = None
        if form_class is not None:
            form = self._form(form_class, tuple(key.split(":")) if ":" in key else key, data=request.POST)
        if form is not None and not form.is_valid():
            return render(request, "admin/dispatch/console.html", self._context(request, petition, **{key: form}),
                          status=400)
        try:
            perform(form.cleaned_data if form else {})
        except DomainError as error:
            if form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
                return render(request, "admin/dispatch/console.html",
                              self._context(request, petition, **{key: form}), status=400)
            messages.error(request, error.message)
        else:
            messages.success(request, _done(action, form.cleaned_data if form else {}))
        return redirect(_console_url(request, petition.pk))


def _done(action: str, data: dict) -> str:
    """What the console says after a decision: what happened, not just that something did."""
    if action == "review":
        return (_("Answer approved and published; the citizen is told.") if data["approve"]
                else _("Answer sent back to the unit for re-handling, with your note."))
    if action in ("return", "extension"):
        decided = {("return", True): _("Return approved."), ("return", False): _("Return refused; the unit is told why."),
                   ("extension", True): _("Extension approved."),
                   ("extension", False): _("Extension refused; the unit is told why.")}
        return decided[action, data["approve"]]
    return _("Done.")


def _changelist_filters(request) -> str:
    return request.GET.get("_changelist_filters", "")


def _keep_queue(request) -> str:
    """The query string that carries the queue's filters from page to page ("" when there are none)."""
    filters = _changelist_filters(request)
    return f"?{urlencode({'_changelist_filters': filters})}" if filters else ""


def _console_url(request, pk) -> str:
    return reverse("admin:dispatch_console", kwargs={"pk": pk}) + _keep_queue(request)


def _hours_text(delta) -> str:
    return _("%(hours)s h") % {"hours": max(0, int(delta.total_seconds() // 3600))}


def _published_files(post) -> list[int] | None:
    """The answer's files the reviewer kept ticked; None when the form listed none (keep them all)."""
    if not post.get("files_listed"):
        return None
    return [pk for pk in map(object_id, post.getlist("publish_file")) if pk]


def _int(value) -> int:
    return object_id(value) or 0


def _posted(queryset, value):
    """The object a console form names by its id (a hidden field): a malformed id ("abc", "²", twenty digits)
    is no object at all, answered like one that is gone (404), never a 500 from int() or the database."""
    return get_object_or_404(queryset, pk=object_id(value))


def _petition_by_number(number: str, field: str = "into") -> Petition:
    petition = Petition.objects.filter(number=number).first()
    if petition is None:
        raise DomainError(_("No petition has this tracking number."), field=field)
    return petition
