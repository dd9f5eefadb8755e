"""Maintaining the knowledge base (*Admin → Knowledge base*): platform admins and knowledge editors (the
`knowledge_editor` duty in org/roles.py) write articles; operators, dispatchers and supervisors read them.

An article is retired by giving it an end date (valid to), not by deleting it: one an operator has cited stays,
so the answer given on the spot can still be checked (a cited article cannot be deleted)."""
from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from knowledge import selectors
from knowledge.models import Article, Citation
from lib.admin import ReadOnlyInline


class ValidityFilter(admin.SimpleListFilter):
    title = _("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("in_force", _("In force")), ("expired", _("Expired")), ("future", _("Not yet valid"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "in_force":
            return queryset.filter(valid_from__lte=today).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        if self.value() == "expired":
            return queryset.filter(valid_to__lt=today)
        if self.value() == "future":
            return queryset.filter(valid_from__gt=today)
        return queryset


class CitationInline(ReadOnlyInline):
    model = Citation
    fields = ("petition_number", "cited_by_name", "cited_at")
    verbose_name_plural = _("cited when closing consultations on the spot")

    @admin.display(description=_("tracking number"))
    def petition_number(self, obj):
        return obj.petition.number

    @admin.display(description=_("cited by"))
    def cited_by_name(self, obj):
        return (obj.cited_by.get_full_name() or obj.cited_by.username) if obj.cited_by else "—"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("petition", "cited_by").order_by("-cited_at")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "classification", "theme", "owner_unit", "valid_from", "valid_to", "in_force",
                    "is_public", "views", "helpful_votes", "times_cited")
    list_filter = (ValidityFilter, "is_public", "theme")
    search_fields = ("title",)  # replaced by the Chinese word search below; Django needs a field to show the box
    search_help_text = _("Chinese words: the question, the answer, the policy, the theme or the classification item.")
    autocomplete_fields = ("classification", "owner_unit", "policy")
    readonly_fields = ("views", "helpful_votes", "not_helpful_votes", "created_at", "updated_at")
    inlines = [CitationInline]
    fieldsets = (
        (None, {"fields": ("title", "answer", "policy_basis", "policy")}),
        (_("Where it belongs"), {"fields": ("classification", "theme", "owner_unit")}),
        (pgettext_lazy("knowledge article", "Validity and publication"),
         {"fields": ("valid_from", "valid_to", "is_public")}),
        (_("Readers"), {"fields": ("views", "helpful_votes", "not_helpful_votes", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return (super().get_queryset(request).select_related("classification", "owner_unit")
                .annotate(citation_count=Count("citations")))

    def get_search_results(self, request, queryset, search_term):
        """The same Chinese-aware matching as the operators' and the public search (jieba words)."""
        if not search_term.strip():
            return queryset, False
        return selectors.articles_matching(queryset, search_term), False

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj):
        return obj.in_force(timezone.localdate())

    @admin.display(description=_("times cited"), ordering="citation_count")
    def times_cited(self, obj):
        return obj.citation_count
