"""The forms of open government: the application of Art. 29 (the public form and the office's entry of
in-person and postal requests) and the officers' steps on a request's clock."""
from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc

from disclosure import rules
from disclosure.models import (
    AnswerType,
    ApplicantType,
    Body,
    DeliveryForm,
    DeliveryWay,
    IdType,
    InfoRequest,
    OrganisationKind,
    WithholdReason,
)
from lib.fields import ID_NUMBER_MESSAGES, PhoneField, SubmissionTokenField
from lib.identity import IdNumberRejected, normalise_id_number

# Travel documents: the shapes printed on them (checked loosely: a wrong shape is a typo, not a forgery test).
DOCUMENT_SHAPES = {
    IdType.PASSPORT: (re.compile(r"^[A-Z0-9]{5,17}$"), gettext_lazy("A passport number has 5 to 17 letters and digits.")),
    IdType.HK_MACAU: (re.compile(r"^[HM]\d{8,10}$"),
                      gettext_lazy("A permit number for Hong Kong and Macao residents is H or M and 8 to 10 digits.")),
    IdType.TAIWAN: (re.compile(r"^\d{8}$"), gettext_lazy("A permit number for Taiwan residents has 8 digits.")),
}


def clean_document(id_type: str, raw: str) -> str:
    """The number of the identity document, normalised, or a ValidationError naming what is wrong."""
    value = re.sub(r"[\s-]", "", raw or "").upper()
    if not value:
        raise forms.ValidationError(_("Enter the document's number."), code="required")
    if id_type == IdType.RESIDENT_ID:
        try:
            return normalise_id_number(value)
        except IdNumberRejected as rejected:
            raise forms.ValidationError(ID_NUMBER_MESSAGES[rejected.code], code=f"id_{rejected.code}") from None
    if id_type == IdType.USCC:
        try:
            return uscc.validate(value)
        except stdnum_errors.ValidationError:
            raise forms.ValidationError(_("This is not a valid unified social credit code: 18 characters, the last "
                                          "a check character that must match."), code="uscc") from None
    pattern, message = DOCUMENT_SHAPES[id_type]
    if not pattern.match(value):
        raise forms.ValidationError(message, code="document_shape")
    return value


class ApplicationForm(forms.Form):
    """Art. 29: who applies (and their identity document), how to reach them, what they ask for,
    and the form and way it is to be delivered; addressed to one body."""

    body = forms.ModelChoiceField(label=gettext_lazy("Addressed to"), queryset=Body.objects.none(),
                                  empty_label=gettext_lazy("— choose the department or district —"),
                                  help_text=gettext_lazy("Each city department and district government answers "
                                                         "for the information it holds."))
    applicant_type = forms.ChoiceField(label=gettext_lazy("Applicant"), choices=ApplicantType.choices,
                                       widget=forms.RadioSelect, initial=ApplicantType.PERSON)
    organisation_kind = forms.ChoiceField(label=gettext_lazy("Kind of organisation"), required=False,
                                          choices=[("", "—")] + list(OrganisationKind.choices),
                                          help_text=gettext_lazy("Only when an organisation applies."))
    applicant_name = forms.CharField(label=gettext_lazy("Name (of the person or the organisation)"), max_length=100)
    id_type = forms.ChoiceField(label=gettext_lazy("Identity document"), choices=IdType.choices,
                                help_text=gettext_lazy("Organisations: the unified social credit code."))
    id_number = forms.CharField(label=gettext_lazy("Document number"), max_length=32)
    applicant_phone = PhoneField(mobile_only=True, label=gettext_lazy("Mobile phone"))
    applicant_email = forms.EmailField(label=gettext_lazy("E-mail"), required=False,
                                       help_text=gettext_lazy("Needed when the answer is to be sent by e-mail."))
    applicant_address = forms.CharField(label=gettext_lazy("Postal address"), max_length=200, required=False,
                                        help_text=gettext_lazy("Needed when the answer is to be sent by post."))
    description = forms.CharField(label=gettext_lazy("The information you ask for"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=gettext_lazy("Name the document, the period and the subject as precisely as you can."))
    delivery_form = forms.ChoiceField(label=gettext_lazy("Form"), choices=DeliveryForm.choices,
                                      widget=forms.RadioSelect, initial=DeliveryForm.ELECTRONIC)
    delivery_way = forms.ChoiceField(label=gettext_lazy("Way of delivery"), choices=DeliveryWay.choices,
                                     widget=forms.RadioSelect, initial=DeliveryWay.ONLINE)
    submission_token = SubmissionTokenField()

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies if bodies is not None else Body.objects.filter(
            is_active=True).select_related("unit")

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("Describe the information in at least 10 characters."))
        return value

    def clean(self):
        data = super().clean()
        kind, id_type = data.get("applicant_type"), data.get("id_type")
        if kind == ApplicantType.ORGANISATION:
            if not data.get("organisation_kind"):
                self.add_error("organisation_kind", _("Say what kind of organisation applies."))
            if id_type and id_type != IdType.USCC:
                self.add_error("id_type", _("An organisation identifies itself by its unified social credit code."))
                id_type = None
        elif kind == ApplicantType.PERSON:
            data["organisation_kind"] = ""
            if id_type == IdType.USCC:
                self.add_error("id_type", _("A natural person identifies themselves by an identity document."))
                id_type = None
        if id_type and "id_number" in data:
            try:
                data["id_number"] = clean_document(id_type, data["id_number"])
            except forms.ValidationError as error:
                self.add_error("id_number", error)
        way = data.get("delivery_way")
        if way == DeliveryWay.EMAIL and not data.get("applicant_email") and "applicant_email" not in self.errors:
            self.add_error("applicant_email", _("Give the e-mail address to send the answer to."))
        if way == DeliveryWay.POST and not (data.get("applicant_address") or "").strip():
            self.add_error("applicant_address", _("Give the postal address to send the answer to."))
        return data


class RecordForm(ApplicationForm):
    """The office enters a request made in person (received that day, with a printed receipt) or by
    registered mail (received the day it was signed for), Art. 31."""

    via = forms.ChoiceField(label=gettext_lazy("Arrived"), choices=[
        (InfoRequest.Via.IN_PERSON, gettext_lazy("In person, today")),
        (InfoRequest.Via.MAIL, gettext_lazy("By registered mail"))])
    signed_for_on = forms.DateField(label=gettext_lazy("Mail signed for on"), required=False,
                                    widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                                    help_text=gettext_lazy("Registered mail only: the day it was signed for."))
    applicant_phone = PhoneField(mobile_only=False, label=gettext_lazy("Phone"))
    submission_token = SubmissionTokenField()

    field_order = ["via", "signed_for_on", "body"]

    def clean(self):
        data = super().clean()
        if data.get("via") == InfoRequest.Via.MAIL:
            day = data.get("signed_for_on")
            if day is None:
                self.add_error("signed_for_on", _("Give the day the registered mail was signed for."))
            elif day > timezone.localdate():
                self.add_error("signed_for_on", _("The mail cannot be signed for in the future."))
            elif day < timezone.localdate() - dt.timedelta(days=rules.MAIL_SIGNED_FOR_MAX_AGE_DAYS):
                self.add_error("signed_for_on", _("The mail must have been signed for at most %(days)s days ago: "
                                                  "check the date.") % {"days": rules.MAIL_SIGNED_FOR_MAX_AGE_DAYS})
        else:
            data["signed_for_on"] = None
        return data


class CorrectionForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("What to add"), widget=forms.Textarea(attrs={"rows": 3}))
    answer_within_days = forms.IntegerField(label=gettext_lazy("Working days for the applicant"), min_value=1,
                                            max_value=60, initial=15)


class CorrectedForm(forms.Form):
    """The office records a corrected request that came by hand or post (Art. 30)."""

    text = forms.CharField(label=gettext_lazy("The corrected request"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text=gettext_lazy("What the applicant sent back, as written."))
    on = forms.DateField(label=gettext_lazy("Arrived on"), initial=timezone.localdate,
                         widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                         help_text=gettext_lazy("The answer period restarts from this day."))

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The corrected request cannot arrive in the future."))
        return day


class ApplicantCorrectionForm(forms.Form):
    """The applicant sends the correction from their status page (Art. 30): it arrives the day it is sent."""

    text = forms.CharField(label=gettext_lazy("Your corrected request"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=gettext_lazy("Describe again the information you ask for, with what the "
                                                  "notice asks you to add."))

    def clean_text(self):
        value = self.cleaned_data["text"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("Describe the information in at least 10 characters."))
        return value


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=gettext_lazy("Extra working days"), min_value=1, max_value=20)
    reason = forms.CharField(label=gettext_lazy("Reason notified to the applicant"), max_length=300)


class RefuseForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Why not"), required=False, max_length=300)


class ConsultForm(forms.Form):
    third_party = forms.CharField(label=gettext_lazy("Third party consulted"), max_length=200)
    question = forms.CharField(label=gettext_lazy("What the third party is asked"), required=False,
                               widget=forms.Textarea(attrs={"rows": 3}))


class ConsultedForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("The third party's opinion"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(forms.Form):
    answer_type = forms.ChoiceField(label=gettext_lazy("Answer"), choices=AnswerType.choices)
    text = forms.CharField(label=gettext_lazy("Answer text"), widget=forms.Textarea(attrs={"rows": 4}))
    where_published = forms.CharField(label=gettext_lazy("Where published"), required=False)
    right_body_ref = forms.ModelChoiceField(label=gettext_lazy("The right body (on the portal)"), required=False,
                                            queryset=Body.objects.filter(is_active=True).select_related("unit"))
    right_body = forms.CharField(label=gettext_lazy("The right body (another one)"), required=False)
    withhold_reason = forms.ChoiceField(label=gettext_lazy("Reason withheld"), required=False,
                                        choices=[("", "—")] + list(WithholdReason.choices))
    fee_method = forms.ChoiceField(label=gettext_lazy("Fee"), choices=[
        ("none", gettext_lazy("Free")), ("per_request", gettext_lazy("Per request")),
        ("per_page", gettext_lazy("Per page"))])
    pages = forms.IntegerField(label=gettext_lazy("Pages"), min_value=0, max_value=rules.MAX_PAGES, initial=0,
                               required=False)


class ForwardForm(forms.Form):
    to = forms.ModelChoiceField(label=gettext_lazy("Forward to"),
                                queryset=Body.objects.filter(is_active=True).select_related("unit"))


class EmptyForm(forms.Form):
    pass


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=gettext_lazy("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=gettext_lazy("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
