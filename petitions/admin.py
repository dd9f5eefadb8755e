"""The operators' side: phone intake, screening, on-the-spot answers and search.

Every write goes through petitions.services; the change form is read-only,
because a petition's state only moves through its transitions.
"""
from __future__ import annotations

from contextvars import ContextVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib.admin import CappedCountAdmin, ReadOnlyInline
from lib.errors import DomainError
from lib.masking import mask_id_number, mask_phone
from lib.redact import redact
from org.models import Area
from petitions import privacy, selectors, services
from petitions.forms import CallbackFailedForm, CloseOnSpotForm, OperatorIntakeForm, RatingForm, ScreenForm
from petitions.models import (
    AccessRecord,
    ApiKey,
    Attachment,
    CallbackAttempt,
    Kind,
    Petition,
    PetitionEvent,
    Rating,
    Status,
)


class PetitionEventInline(ReadOnlyInline):
    model = PetitionEvent
    fields = ("at", "kind", "from_status", "to_status", "actor", "reason", "public")
    ordering = ("at", "id")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("name_shown", "purpose", "content_type", "size", "uploaded_at")

    @admin.display(description=_("file name"))
    def name_shown(self, obj):
        name = obj.original_name if _PLATFORM.get() else privacy.neutral_name(obj)
        url = reverse("petitions:attachment", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, name)


class RatingInline(ReadOnlyInline):
    model = Rating
    fields = ("round", "satisfaction", "solved", "comment", "source", "rated_at", "recorded_by")


# Whether the current request's user may see unmasked personal data. A context
# variable, not an attribute of the (shared, multi-threaded) ModelAdmin.
_FULL_DATA: ContextVar[bool] = ContextVar("petition_admin_full_data", default=False)
# Whether the user is the hotline platform's (the only staff who may know a confidential complainant).
_PLATFORM: ContextVar[bool] = ContextVar("petition_admin_platform", default=False)


def _sees_personal_data(request) -> bool:
    user = request.user
    return getattr(user, "sees_personal_data", False) or user.is_superuser


class DistrictFilter(admin.SimpleListFilter):
    """By district: the city's districts (a dozen rows). The filter by area it replaces listed the areas that have
    petitions, a DISTINCT over the whole table on every page of the list (0.8 s at 1,900,000 petitions)."""

    title = _("district")
    parameter_name = "district"

    def lookups(self, request, model_admin):
        return list(Area.objects.filter(level=Area.Level.DISTRICT).order_by("code").values_list("pk", "name"))

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(district_id=int(value)) if value and value.isdigit() else queryset


@admin.register(Petition)
class PetitionAdmin(CappedCountAdmin, admin.ModelAdmin):
    list_display = ("number", "title_shown", "kind", "status", "channel", "area", "classification", "phone", "received_at")
    list_filter = ("status", "channel", "kind", "confidential", DistrictFilter)
    list_select_related = ("area", "classification")
    date_hierarchy = "received_at"
    search_fields = ("number",)  # the real search is get_search_results below
    search_help_text = _("Tracking number, phone number, or words of the title, content or address.")
    inlines = [AttachmentInline, RatingInline, PetitionEventInline]
    autocomplete_fields = ("area", "classification")
    list_per_page = 50

    fieldsets = (
        (_("Matter"), {"fields": ("number", "status", "channel", "kind", "stream", "routed_to", "classification",
                                  "area", "address_shown", "title_shown", "content_shown")}),
        (_("Complainant"), {"fields": ("complainant_type", "enterprise_name_shown", "complainant_name_shown",
                                       "phone_full", "id_number", "confidential", "publish_consent")}),
        (_("Handling"), {"fields": ("received_at", "answer", "answered_at", "closed_at", "handling_round",
                                    "repeat_of", "repeat_count", "merged_into", "filed_by")}),
    )

    # A confidential complainant is known to the platform only (petitions.privacy): the inspection
    # offices, who supervise with view rights, read the words through the redactor and no identity.
    @staticmethod
    def _hidden(obj) -> bool:
        return obj.confidential and not _PLATFORM.get()

    @admin.display(description=_("title"))
    def title_shown(self, obj):
        return privacy.redact_petition(obj, obj.title) if self._hidden(obj) else obj.title

    @admin.display(description=_("content"))
    def content_shown(self, obj):
        return privacy.redact_petition(obj, obj.content) if self._hidden(obj) else obj.content

    @admin.display(description=_("address"))
    def address_shown(self, obj):
        return privacy.redact_petition(obj, obj.address) if self._hidden(obj) else obj.address

    @admin.display(description=pgettext_lazy("person", "name"))
    def complainant_name_shown(self, obj):
        return _("Confidential") if self._hidden(obj) else obj.complainant_name

    @admin.display(description=_("enterprise name"))
    def enterprise_name_shown(self, obj):
        return _("Confidential") if self._hidden(obj) and obj.enterprise_name else obj.enterprise_name

    @admin.display(description=_("phone"))
    def phone(self, obj):
        if self._hidden(obj):
            return _("Confidential")
        return obj.complainant_phone if _FULL_DATA.get() else mask_phone(obj.complainant_phone)

    @admin.display(description=_("phone"))
    def phone_full(self, obj):
        return self.phone(obj)

    @admin.display(description=_("ID number"))
    def id_number(self, obj):
        if self._hidden(obj):
            return _("Confidential") if obj.complainant_id_number else ""
        return obj.complainant_id_number if _FULL_DATA.get() else mask_id_number(obj.complainant_id_number)

    def _set_viewer(self, request):
        _FULL_DATA.set(_sees_personal_data(request))
        _PLATFORM.set(privacy.is_platform(request.user))

    def changelist_view(self, request, extra_context=None):
        self._set_viewer(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._set_viewer(request)
        petition = self.get_object(request, object_id)
        if petition is not None and request.method == "GET":
            services.access_record(user=request.user, action=AccessRecord.Action.VIEW, petition=petition)
        extra_context = extra_context or {}
        if petition is not None:
            # A recorded petition is never edited through this form (every field is read-only and save_model
            # refuses): no Save buttons, which only led to a bare 403. Its actions are the buttons above it,
            # shown only to whoever may take them.
            extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False,
                                 show_delete=False)
            may_act = self.has_change_permission(request, petition)
            extra_context["can_screen"] = may_act and petition.status == Status.SCREENING
            extra_context["can_close_on_spot"] = (may_act and petition.status == Status.RECEIVED
                                                  and petition.kind == Kind.CONSULTATION)
            extra_context["can_record_callback"] = may_act and petition.status == Status.CALLBACK
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        found = selectors.petition_search(queryset, search_term)
        term = search_term.strip()
        if term and not (term.isdigit() and len(term) >= 14):  # a tracking number names nobody
            services.access_record(user=request.user, action=AccessRecord.Action.SEARCH, detail=redact(term))
        if search_term.strip() and not privacy.is_platform(request.user):
            # Finding a confidential petition by a phone or a name would tell who filed it.
            found = found.exclude(confidential=True)
        return found, False

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = OperatorIntakeForm
            kwargs["fields"] = None
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return (
                # The caller's phone first: the operator types it while the caller talks.
                (_("Caller"), {"fields": ("complainant_phone", "complainant_name", "channel", "kind",
                                          "complainant_type", "enterprise_name", "complainant_id_number", "confidential")}),
                (_("Matter"), {"fields": ("area", "classification", "address", "title", "content", "attachments")}),
                (_("Answer on the spot"), {"fields": ("answer_on_spot",)}),
            )
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [f for block in self.fieldsets for f in block[1]["fields"]]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.confidential and not privacy.is_platform(request.user):
            # Their files may show their face, their home or their name: the platform's only.
            return [i for i in self.inlines if i is not AttachmentInline]
        return self.inlines

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "complainant_phone" and field is not None:
            field.widget.attrs.update({"autofocus": True, "inputmode": "tel"})
        return field

    def has_delete_permission(self, request, obj=None):
        return False  # a petition is never deleted: "全程可查可溯"

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        with transaction.atomic():
            petition, _created = services.petition_file(
                channel=data["channel"], kind=data["kind"], area=data["area"], classification=data["classification"],
                address=data["address"], title=data["title"], content=data["content"],
                complainant_type=data["complainant_type"], enterprise_name=data["enterprise_name"],
                complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"],
                complainant_id_number=data["complainant_id_number"], confidential=data["confidential"],
                attachments=data.get("attachments") or [], actor=request.user,
            )
            if data.get("answer_on_spot", "").strip():
                services.petition_close_on_spot(petition=petition, answer=data["answer_on_spot"], actor=request.user)
        obj.pk = petition.pk
        obj.number = petition.number

    def save_related(self, request, form, formsets, change):
        pass  # nothing related is edited through this form

    def response_add(self, request, obj, post_url_continue=None):
        messages.success(request, _("Petition %(number)s recorded.") % {"number": obj.number})
        if "_addanother" in request.POST:
            return redirect(reverse("admin:petitions_petition_add"))
        return redirect(reverse("admin:petitions_petition_change", args=[obj.pk]))

    # --- object actions -----------------------------------------------------------------
    def get_urls(self):
        return [
            path("<int:pk>/screen/", self.admin_site.admin_view(self.screen_view), name="petitions_petition_screen"),
            path("<int:pk>/close-on-spot/", self.admin_site.admin_view(self.close_on_spot_view),
                 name="petitions_petition_close_on_spot"),
            path("<int:pk>/callback/", self.admin_site.admin_view(self.callback_view),
                 name="petitions_petition_callback"),
        ] + super().get_urls()

    def _action_view(self, request, pk, form_class, title, perform):
        petition = get_object_or_404(Petition, pk=pk)
        if not self.has_change_permission(request, petition):
            raise PermissionDenied
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                perform(petition, form.cleaned_data)
            except DomainError as error:
                error.as_form_error(form)
            else:
                messages.success(request, _("Done."))
                return redirect(reverse("admin:petitions_petition_change", args=[petition.pk]))
        context = {**self.admin_site.each_context(request), "title": title, "petition": petition, "form": form,
                   "opts": self.model._meta}
        return render(request, "admin/petitions/petition/action.html", context)

    def screen_view(self, request, pk):
        return self._action_view(
            request, pk, ScreenForm, _("Screen a media item"),
            lambda p, d: services.petition_screen(petition=p, stream=d["stream"], routed_to=d["routed_to"],
                                                  reason=d["reason"], actor=request.user),
        )

    def callback_view(self, request, pk):
        """回访: the operator records what the citizen said on the phone (the same rating as online),
        or a call that did not get through; the last allowed failure closes it as unreachable."""
        petition = get_object_or_404(Petition, pk=pk)
        if not self.has_change_permission(request, petition):
            raise PermissionDenied
        failed = request.method == "POST" and request.POST.get("what") == "failed"
        form = RatingForm(request.POST if request.method == "POST" and not failed else None)
        failed_form = CallbackFailedForm(request.POST if failed else None)
        bound = failed_form if failed else form
        if request.method == "POST" and bound.is_valid():
            data = bound.cleaned_data
            try:
                if failed:
                    services.petition_callback_failed(petition=petition, outcome=data["outcome"], note=data["note"],
                                                      actor=request.user)
                else:
                    services.petition_rate(petition=petition, satisfaction=data["satisfaction"],
                                           solved=data["solved"], comment=data["comment"],
                                           source=Rating.Source.CALLBACK, actor=request.user)
            except DomainError as error:
                error.as_form_error(bound)
            else:
                messages.success(request, _("Done."))
                return redirect(reverse("admin:petitions_petition_change", args=[petition.pk]))
        attempts = CallbackAttempt.objects.filter(petition=petition, round=petition.handling_round)
        context = {**self.admin_site.each_context(request), "title": _("Record the callback"), "petition": petition,
                   "form": form, "failed_form": failed_form, "attempts": attempts,
                   "attempts_left": services.callback_attempts_left(petition), "opts": self.model._meta}
        return render(request, "admin/petitions/petition/callback.html", context,
                      status=400 if request.method == "POST" else 200)

    def close_on_spot_view(self, request, pk):
        return self._action_view(
            request, pk, CloseOnSpotForm, _("Answer on the spot"),
            lambda p, d: services.petition_close_on_spot(petition=p, answer=d["answer"], actor=request.user),
        )


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Issue and revoke integrators' keys. The key is shown once, when issued."""

    form = ApiKeyForm
    list_display = ("name", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "created_at", "created_by", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False  # petitions filed with a key keep pointing at it

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        key, raw = services.apikey_issue(name=form.cleaned_data["name"], actor=request.user)
        obj.pk = key.pk
        messages.warning(request, _("Copy the key now, it will not be shown again: %(key)s") % {"key": raw})

    @admin.action(description=_("Revoke the selected keys"), permissions=("change",))
    def revoke(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            services.apikey_revoke(key=key, actor=request.user)


@admin.register(AccessRecord)
class AccessRecordAdmin(CappedCountAdmin, admin.ModelAdmin):
    """The audit of staff looks at personal data: read-only, for the platform administrators."""

    list_display = ("at", "user", "action", "petition", "detail")
    list_filter = ("action",)
    list_select_related = ("user", "petition")
    date_hierarchy = "at"
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
