from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluation import reports
from evaluation.models import Report, Topic, TopicUpdate


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "period_start", "period_end", "generated_at", "published_at")
    list_filter = ("kind",)
    readonly_fields = ("kind", "period_start", "period_end", "title", "generated_at", "published_at", "xlsx", "pdf")
    exclude = ("data",)
    actions = ["publish", "regenerate"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Publish the selected monthly bulletins"), permissions=("change",))
    def publish(self, request, queryset):
        for report in queryset.filter(kind=Report.Kind.MONTHLY):
            reports.report_publish(report=report)
        messages.success(request, _("Published."))

    @admin.action(description=_("Regenerate the selected reports"), permissions=("change",))
    def regenerate(self, request, queryset):
        for report in queryset:
            reports.report_generate(kind=report.kind, day=report.period_start)


class TopicUpdateInline(admin.TabularInline):
    model = TopicUpdate
    extra = 1
    fields = ("at", "progress", "note")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["at"].initial = timezone.now
        return formset


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("title", "month", "status", "lead_unit", "progress")
    list_filter = ("status", "month")
    autocomplete_fields = ("classification", "area", "lead_unit")
    inlines = [TopicUpdateInline]
    exclude = ("created_at",)

    def save_model(self, request, obj, form, change):
        if not obj.created_at:
            obj.created_at = timezone.now()
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for update in instances:
            update.by = request.user
            update.save()
            # The topic's progress is its latest reported figure.
            Topic.objects.filter(pk=update.topic_id).update(progress=update.progress)
        formset.save_m2m()


from django import forms  # noqa: E402
from import_export import fields as ie_fields, widgets  # noqa: E402
from import_export.admin import ImportExportModelAdmin  # noqa: E402

from evaluation import sanmin  # noqa: E402
from evaluation.models import Campaign, Candidate, DepartmentReport, ReportGroup, Suggestion  # noqa: E402
from lib import spreadsheets  # noqa: E402
from lib.spreadsheets import SafeModelResource  # noqa: E402
from org.models import Area  # noqa: E402


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "organiser", "voting_opens_at", "voting_closes_at", "drawn_at",
                    "results_published_at")
    autocomplete_fields = ("organiser",)
    readonly_fields = ("pool_hash", "quotas", "algorithm", "seed_commitment", "seed", "drawn_at", "tally_sealed_at",
                       "results_published_at")

    def get_readonly_fields(self, request, obj=None):
        # Once drawn, the ballot's settings are fixed: the counters exist for this scale's ratings, the codes
        # went out with this window, and after sealing a reopened window would take ballots into published
        # results (docs/sanmin.md).
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.drawn_at:
            fields = (*fields, "voting_opens_at", "voting_closes_at", "scale")
        if obj is not None and obj.results_published_at:
            fields = (*fields, "weight_percent")  # the published results give each department's points with it
        return fields


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ("title", "theme", "adoption", "excellent", "submitted_at")
    list_filter = ("campaign", "theme", "adoption", "excellent")
    search_fields = ("title", "content")
    readonly_fields = ("campaign", "name", "phone", "theme", "title", "content", "submitted_at")
    fields = readonly_fields + ("answer", "answered_by", "adoption", "excellent")
    autocomplete_fields = ("answered_by",)


def _drawn(group) -> bool:
    return group is not None and group.pk is not None and group.campaign.drawn_at is not None


class DepartmentReportInline(admin.TabularInline):
    # After the draw, the departments of a group are fixed (DepartmentReport.clean): no report added, removed
    # or moved to another department; the summary and the document stay editable.
    model = DepartmentReport
    extra = 1
    autocomplete_fields = ("unit",)

    def get_extra(self, request, obj=None, **kwargs):
        return 0 if _drawn(obj) else self.extra

    def has_add_permission(self, request, obj=None):
        return not _drawn(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not _drawn(obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "unit") if _drawn(obj) else fields


@admin.register(ReportGroup)
class ReportGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign", "scheduled_at", "venue")
    inlines = [DepartmentReportInline]

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "campaign") if _drawn(obj) else fields

    def has_delete_permission(self, request, obj=None):
        return not _drawn(obj) and super().has_delete_permission(request, obj)


def _duplicate_message(other: str) -> str:
    return _("The pool already holds this person (same phone) as pool id %(id)s: one person, one chance.") % {
        "id": other}


class CandidateResource(SafeModelResource):
    """The candidate pool as a spreadsheet: external_id, name, phone, district (code), sector, source.
    Each row is checked as the admin's form checks it (Candidate.clean: nothing changes once the pool's hash
    is out), and a phone already in the pool, or twice in the file, is refused on its row."""

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._people: dict[int, dict[str, str]] = {}

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.campaign_id and "phone" not in errors:
            people = getattr(self, "_people", {})
            if instance.campaign_id not in people:
                people[instance.campaign_id] = sanmin.pool_people(instance.campaign_id)
            other = sanmin.pool_duplicate_of(instance, people[instance.campaign_id])
            if other is not None:
                errors["phone"] = _duplicate_message(other)
            elif instance.source == Candidate.Source.POOL:
                person = sanmin.person_of(instance.phone)
                if person:
                    people[instance.campaign_id].setdefault(person, instance.external_id)
        super().validate_instance(instance, errors, validate_unique)

    district = ie_fields.Field(attribute="district", column_name="district",
                               widget=widgets.ForeignKeyWidget(Area, field="code"))
    campaign = ie_fields.Field(attribute="campaign", column_name="campaign",
                               widget=widgets.ForeignKeyWidget(Campaign, field="year"))

    class Meta:
        model = Candidate
        import_id_fields = ("campaign", "external_id")
        fields = ("campaign", "external_id", "name", "phone", "district", "sector", "source")
        clean_model_instances = True
        use_transactions = True


class CandidateForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        campaign, phone = cleaned.get("campaign"), cleaned.get("phone")
        if campaign is not None and phone and "phone" not in self.errors:
            candidate = Candidate(campaign=campaign, phone=phone, external_id=cleaned.get("external_id") or "",
                                  source=cleaned.get("source") or Candidate.Source.POOL)
            other = sanmin.pool_duplicate_of(candidate, sanmin.pool_people(campaign.pk, exclude_pk=self.instance.pk))
            if other is not None:
                self.add_error("phone", _duplicate_message(other))
        return cleaned


def _frozen(candidate) -> bool:
    campaign = candidate.campaign
    return bool(campaign.drawn_at or (campaign.commitment_published_at and candidate.source == Candidate.Source.POOL))


@admin.register(Candidate)
class CandidateAdmin(ImportExportModelAdmin):
    resource_classes = [CandidateResource]
    export_form_class = spreadsheets.LabelledExportForm
    form = CandidateForm
    list_display = ("external_id", "district", "sector", "source", "campaign")
    list_filter = ("campaign", "source", "sector")
    search_fields = ("external_id",)
    show_full_result_count = False

    # The pool holds tens of thousands of names and mobile phones (PIPL): it leaves the portal only in
    # the hands of the campaign's organiser (Campaign.organiser), and only that campaign's pool. Not
    # even a platform administrator or a superuser exports it; importing needs `import_candidate`.
    def has_export_permission(self, request):
        return request.user.is_active and Campaign.objects.filter(organiser=request.user).exists()

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).filter(campaign__organiser=request.user)

    # Once the pool's hash is out, its candidates are read-only (Candidate.clean; after the draw, every one); the
    # admin's bulk delete refuses them too, as it asks has_delete_permission of each object.
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not (obj is not None and _frozen(obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (obj is not None and _frozen(obj))
