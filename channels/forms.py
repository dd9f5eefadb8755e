"""Shape checks of the channels' forms and payloads; every message translated and on its field."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from lib.errors import DomainError
from lib.fields import PhoneField, RoundedDecimalField, SubmissionTokenField
from org.geo import area_at, city_area
from org.models import Area, Classification
from petitions.forms import CitizenPetitionForm, GroupedAreaField, GroupedClassificationField, MultipleFileField, \
    MultipleFileInput
from petitions.models import ComplainantType, Kind
from petitions.services import attachment_clean


class WechatPetitionForm(CitizenPetitionForm):
    """The citizen's form inside WeChat: the same rules; name and phone come prefilled from the last filing,
    text and photos from the messages sent to the account."""


class MailboxForm(CitizenPetitionForm):
    """The mayor's mailbox (市长信箱): a letter is a petition with the citizen form's rules."""

    title = forms.CharField(label=_("Subject of your letter"), max_length=100)
    content = forms.CharField(label=_("Your letter to the mayor"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 10}))


class EnterpriseForm(CitizenPetitionForm):
    """The enterprise service line: the complainant is an enterprise, named with its credit code."""

    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=24,
        help_text=_("The 18 characters on the business licence, e.g. 91370200MA3C4XXXXX."))
    complainant_name = forms.CharField(label=_("Contact person"), max_length=50)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise_name"].required = True
        self.fields["complainant_type"].widget = forms.HiddenInput()
        self.fields["complainant_type"].initial = ComplainantType.ENTERPRISE
        self.fields["complainant_type"].required = False

    def clean_complainant_type(self):
        return ComplainantType.ENTERPRISE

    def clean_credit_code(self):
        try:
            return uscc.validate(self.cleaned_data["credit_code"])
        except StdnumError as error:
            code = type(error).__name__
            if code == "InvalidChecksum":
                raise forms.ValidationError(
                    _("This unified social credit code is not valid: its check character does not match."),
                    code="checksum") from None
            raise forms.ValidationError(
                _("A unified social credit code has 18 characters: digits and capital letters (no I, O, S, V or Z)."),
                code="format") from None


class GridReportForm(forms.Form):
    """A grid worker's report from the street: what, where (the phone's location or the list), photos."""

    kind = forms.ChoiceField(label=_("What kind of problem?"), initial=Kind.HELP,
                             choices=[(Kind.HELP, _("A problem to fix")), (Kind.COMPLAINT, _("A complaint heard")),
                                      (Kind.REPORT, _("Wrongdoing seen")), (Kind.SUGGESTION, _("A suggestion"))])
    area = GroupedAreaField(label=_("District or street"), empty_label=_("Choose where it is"), required=False,
                            help_text=_("Or use the phone's location on the map."))
    latitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
                                   widget=forms.HiddenInput)
    longitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False,
                                    widget=forms.HiddenInput)
    classification = GroupedClassificationField(label=_("Category"), required=False,
                                                empty_label=_("Not sure — the dispatcher will classify it"))
    address = forms.CharField(label=_("Exact place"), max_length=200, required=False,
                              help_text=_("Building, gate, landmark."))
    title = forms.CharField(label=_("Title"), max_length=100)
    content = forms.CharField(label=_("What did you find?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    attachments = MultipleFileField(
        label=_("Photos taken on the spot"),
        help_text=_("Up to 5 photos. Location data in photos is removed; the place comes from the map."),
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    submission_token = SubmissionTokenField()

    def clean_title(self):
        value = self.cleaned_data["title"].strip()
        if len(value) < 4:
            raise forms.ValidationError(_("Give a short title of at least 4 characters."), code="too_short")
        return value

    def clean_content(self):
        value = self.cleaned_data["content"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("Describe what you found in at least 10 characters."), code="too_short")
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > settings.PORTAL_UPLOAD_MAX_FILES:
            raise forms.ValidationError(_("Attach at most %(count)s files.") % {"count": settings.PORTAL_UPLOAD_MAX_FILES},
                                        code="too_many")
        cleaned = []
        for upload in files:
            try:
                cleaned.append(attachment_clean(upload))
            except DomainError as error:
                raise forms.ValidationError(error.message, code="bad_file") from None
        return cleaned

    def clean(self):
        data = super().clean()
        if data.get("area") is None and "area" not in self.errors:
            found = area_at(data.get("latitude"), data.get("longitude"))
            if found is None:
                self.add_error("area", _("Choose where it is, or use the phone's location on the map."))
            else:
                data["area"] = found
        return data


class PoliceTransferForm(forms.Form):
    """The JSON body of a 110 transfer (docs/channels.md). Unknown keys are ignored."""

    incident_number = forms.RegexField(
        regex=r"^[A-Za-z0-9][A-Za-z0-9_-]{3,39}$", max_length=40,
        error_messages={"invalid": _("An incident number has 4 to 40 letters, digits, hyphens or underscores.")})
    content = forms.CharField(max_length=5000)
    title = forms.CharField(max_length=100, required=False)
    kind = forms.ChoiceField(choices=Kind.choices, required=False)
    caller_name = forms.CharField(max_length=50, required=False)
    caller_phone = PhoneField(mobile_only=False)
    address = forms.CharField(max_length=200, required=False)
    latitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False)
    area = forms.CharField(max_length=20, required=False)
    classification = forms.CharField(max_length=20, required=False)

    def clean_content(self):
        value = self.cleaned_data["content"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("Describe the matter in at least 10 characters: what, where and since when."),
                                        code="too_short")
        return value

    def clean_area(self):
        code = self.cleaned_data["area"].strip()
        if not code:
            return None
        area = Area.objects.filter(code=code, is_active=True).first()
        if area is None:
            raise forms.ValidationError(_("No active area has this code."), code="unknown")
        return area

    def clean_classification(self):
        code = self.cleaned_data["classification"].strip()
        if not code:
            return None
        item = Classification.objects.filter(code=code, is_active=True, is_leaf=True).first()
        if item is None:
            raise forms.ValidationError(_("No active classification item has this code."), code="unknown")
        return item

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        # The place: the area code given, else the point's street, else the city for the dispatcher to place.
        data["area"] = data.get("area") or area_at(data.get("latitude"), data.get("longitude")) or city_area()
        if data["area"] is None:
            self.add_error("area", _("No active area has this code."))
        data["kind"] = data.get("kind") or Kind.HELP
        data["title"] = (data.get("title") or "").strip() or data["content"][:30]
        data["caller_name"] = (data.get("caller_name") or "").strip() or str(_("110 caller"))
        return data

