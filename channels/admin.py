"""Each channel as a configurable source: enabled, key or secret, callback URL. A secret is never shown back
in full: the form leaves it empty, an empty field keeps the stored value, and the list shows its last four."""
from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from channels.models import PoliceTransfer, Source
from channels.sources import masked

SECRET_FIELDS = ("secret", "token", "aes_key", "callback_key")


class SourceForm(forms.ModelForm):
    callback_url = forms.URLField(label=_("callback URL"), max_length=300, required=False, assume_scheme="https",
                                  help_text=Source._meta.get_field("callback_url").help_text)

    class Meta:
        model = Source
        fields = ["enabled", "app_id", "secret", "token", "aes_key", "template_id", "callback_url", "callback_key"]
        widgets = {name: forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
                   for name in SECRET_FIELDS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SECRET_FIELDS:
            stored = getattr(self.instance, name, "")
            self.fields[name].required = False
            if stored:
                self.fields[name].help_text = _("Stored: %(masked)s. Leave empty to keep it.") % {
                    "masked": masked(stored)}

    def clean(self):
        data = super().clean()
        for name in SECRET_FIELDS:
            if not data.get(name):
                data[name] = getattr(self.instance, name, "")  # empty keeps what is stored
        if data.get("aes_key") and len(data["aes_key"]) != 43:
            self.add_error("aes_key", _("The EncodingAESKey has 43 characters."))
        return data


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceForm
    list_display = ("__str__", "enabled", "app_id", "secret_masked", "callback_url", "updated_at")
    list_filter = ("enabled",)

    def has_add_permission(self, request):
        return False  # one row per channel, created at migrate

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("key or secret"))
    def secret_masked(self, obj):
        return masked(obj.secret)


@admin.register(PoliceTransfer)
class PoliceTransferAdmin(admin.ModelAdmin):
    list_display = ("incident_number", "petition", "received_at")
    search_fields = ("incident_number", "petition__number")
    readonly_fields = ("incident_number", "petition", "payload", "received_at")
    exclude = ("fingerprint",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
