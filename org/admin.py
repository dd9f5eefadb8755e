from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.contrib.auth.models import Group
from django.db.models import SET_NULL
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from lib import spreadsheets
from org import resources
from org.models import Area, CalendarDay, CalendarYear, Classification, HandlingUnit, Sector, User, past_day_message
from org.roles import sync_user_groups
from org.services import classification_refresh_leaves


@admin.register(Area)
class AreaAdmin(ImportExportModelAdmin):
    resource_classes = [resources.AreaResource]
    export_form_class = spreadsheets.LabelledExportForm
    list_display = ("name", "code", "level", "parent", "population", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)
    ordering = ("path",)


@admin.register(Sector)
class SectorAdmin(ImportExportModelAdmin):
    resource_classes = [resources.SectorResource]
    export_form_class = spreadsheets.LabelledExportForm
    list_display = ("code", "name")
    search_fields = ("name", "code")


class ReachableFilter(admin.SimpleListFilter):
    """Units no message can reach (no duty phone, no e-mail): the admin's warning links here."""

    title = _("reachable")
    parameter_name = "reachable"

    def lookups(self, request, model_admin):
        return [("no", _("No phone or e-mail")), ("yes", _("Has a phone or an e-mail"))]

    def queryset(self, request, queryset):
        unreachable = HandlingUnit.unreachable()  # no e-mail, no mobile for SMS
        if self.value() == "no":
            return queryset.filter(unreachable)
        if self.value() == "yes":
            return queryset.exclude(unreachable)
        return queryset


@admin.register(HandlingUnit)
class HandlingUnitAdmin(ImportExportModelAdmin):
    resource_classes = [resources.HandlingUnitResource]
    export_form_class = spreadsheets.LabelledExportForm
    list_display = ("name", "code", "kind", "sector", "parent", "phone", "email", "round_the_clock", "is_active")
    list_filter = (ReachableFilter, "kind", "sector", "round_the_clock", "is_active")
    search_fields = ("name", "code")
    autocomplete_fields = ("parent", "areas", "sector")


@admin.register(Classification)
class ClassificationAdmin(ImportExportModelAdmin):
    resource_classes = [resources.ClassificationResource]
    export_form_class = spreadsheets.LabelledExportForm
    list_display = ("name", "code", "depth", "top_class", "tier", "urgent_hours", "sector", "is_leaf", "is_active")
    list_filter = ("top_class", "tier", "is_leaf", "depth", "is_active")
    search_fields = ("name", "code", "keywords")
    autocomplete_fields = ("parent", "sector")
    ordering = ("path",)

    def get_search_results(self, request, queryset, search_term):
        # Petitions are classified to leaf items: offer only those in autocompletes.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            queryset = queryset.filter(is_leaf=True, is_active=True)
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        classification_refresh_leaves()

    # An item's last child deleted makes it a leaf again: offered again to the pickers, the form and the API.
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        classification_refresh_leaves()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        classification_refresh_leaves()


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "source", "updated_at")


@admin.register(CalendarDay)
class CalendarDayAdmin(ImportExportModelAdmin):
    resource_classes = [resources.CalendarDayResource]
    export_form_class = spreadsheets.LabelledExportForm
    list_display = ("date", "name", "is_workday")
    list_filter = ("is_workday", "name")
    date_hierarchy = "date"

    # A day before today is history: deadlines were counted on it (CalendarDay.clean). Its date and kind are shown
    # read-only, it cannot be deleted, and a bulk delete that includes one is refused with the reason.
    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.date < timezone.localdate():
            return ("date", "is_workday")
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.date < timezone.localdate():
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        today = timezone.localdate()
        past = [f"{day}: {past_day_message(day.date)}" for day in objs if day.date < today]
        if past and super().has_delete_permission(request):
            # has_delete_permission(obj) refused the past days, which Django reports as a missing permission;
            # say why instead.
            perms_needed = set(perms_needed) - {CalendarDay._meta.verbose_name}
        return deleted, counts, perms_needed, list(protected) + past


def history_count(user) -> int:
    """How many records of the history name this account as who acted: every relation that would lose its
    author (SET_NULL) if the account were deleted."""
    relations = [field for field in User._meta.get_fields(include_hidden=True)
                 if field.auto_created and not field.concrete and getattr(field, "on_delete", None) is SET_NULL]
    return sum(field.related_model._default_manager.filter(**{field.field.name: user}).count() for field in relations)


class PasswordChangeForm(AdminPasswordChangeForm):
    # Django 5.2 appends this warning to the help text as a plain English string, which no catalog reaches.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        SetUnusablePasswordMixin.usable_password_help_text,
        _("If disabled, the current password for this user will be lost."),
    )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    change_password_form = PasswordChangeForm
    list_display = ("username", "first_name", "last_name", "role", "unit", "is_active")
    list_filter = ("role", "is_active", "unit__kind")
    search_fields = ("username", "first_name", "last_name", "unit__name")
    autocomplete_fields = ("unit",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("Role in the portal"), {"fields": ("role", "unit", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Role in the portal"), {"fields": ("role", "unit")}),)

    def get_fieldsets(self, request, obj=None):
        """A platform admin who is not a superuser manages staff accounts, not privileges: no superuser flag, no
        single permissions, and of the groups only the duties ("duty:…"; the role's group follows the role).
        Otherwise they could make themselves a superuser or take the ballot's counters (org/roles.py)."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        hidden = {"is_superuser", "is_staff", "user_permissions"}
        return [(name, {**options, "fields": tuple(f for f in options["fields"] if f not in hidden)})
                for name, options in fieldsets]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__startswith="duty:")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # A superuser's account (its password included) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """An account that acted (filed, dispatched, signed, answered, reviewed, decided…) is named in the
        history, which must say who did what (全程可查可溯): deleting it would leave those records without
        their author. It is refused with the reason; deactivating the account (Active unticked) is the way."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        acted = [user for user in objs if history_count(user)]
        return deleted, counts, perms_needed, list(protected) + [
            _("%(user)s is named in %(count)s records of the history; untick Active to close the account instead.")
            % {"user": user.get_username(), "count": history_count(user)} for user in acted]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        sync_user_groups(form.instance)
