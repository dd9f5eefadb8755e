"""The shape of a call (what the operator types); the rules are in petitions', dispatch's and knowledge's services."""
from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from knowledge.models import Article
from lib.fields import IdNumberField, PhoneField, SubmissionTokenField
from org.models import Area, Classification, HandlingUnit
from petitions.forms import GroupedAreaField, GroupedClassificationField, IntakeFieldsMixin
from petitions.models import Channel, ComplainantType, Kind, Petition, Status

# The channels an operator records: the hotline and the channels that reach the platform by hand.
# (The web form, WeChat and the API file for themselves.)
OPERATOR_CHANNELS = [c for c in Channel.choices if c[0] not in (Channel.WEB, Channel.API, Channel.WECHAT)]
TITLE_FROM_CONTENT = 30  # characters of the content that make the title when the operator gives none


class CallForm(IntakeFieldsMixin, forms.Form):
    """One call. The fields are declared in the tab order of a call: phone, name, area, classification,
    content (then the buttons, then the details the operator reaches by hotkey or after the buttons)."""

    complainant_phone = PhoneField(mobile_only=False, label=_("Caller's phone"),
                                   widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel",
                                                                 "autocomplete": "off"}))
    complainant_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50,
                                       widget=forms.TextInput(attrs={"autocomplete": "off"}))
    area = GroupedAreaField(label=_("Area"), empty_label=_("Choose the district or street"))
    classification = GroupedClassificationField(
        label=_("Classification"), required=False, empty_label=_("Not sure — the dispatcher will classify it"))
    content = forms.CharField(label=_("What the caller says"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    # --- details: defaults fit most calls
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, initial=Kind.COMPLAINT)
    channel = forms.ChoiceField(label=_("Channel"), choices=OPERATOR_CHANNELS, initial=Channel.PHONE)
    title = forms.CharField(label=_("Title"), max_length=100, required=False,
                            help_text=_("Empty: the first words of the content."))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    confidential = forms.BooleanField(label=_("The caller asks for confidentiality (保密)"), required=False)
    complainant_type = forms.ChoiceField(label=capfirst(Petition._meta.get_field("complainant_type").verbose_name),
                                         choices=ComplainantType.choices, initial=ComplainantType.PERSON)
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=100, required=False)
    complainant_id_number = IdNumberField(label=_("ID number"), required=False)
    # --- answering on the spot (直接办结) from the knowledge base
    kb_query = forms.CharField(label=_("Search the knowledge base"), max_length=100, required=False)
    article = forms.ModelChoiceField(label=_("Article answered from"), queryset=Article.objects.all(),
                                     required=False, widget=forms.RadioSelect)
    answer = forms.CharField(label=_("Answer given to the caller"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    token = SubmissionTokenField()

    def clean_title(self):
        return (self.cleaned_data.get("title") or "").strip()

    def clean(self):
        data = super().clean()
        if not data.get("title") and data.get("content"):
            first_line = data["content"].strip().splitlines()[0].strip()
            data["title"] = first_line[:TITLE_FROM_CONTENT]
            if len(data["title"]) < 4:  # 噪音⏎每天晚上…: the opening words of the whole text, on one line
                data["title"] = " ".join(data["content"].split())[:TITLE_FROM_CONTENT]
        elif data.get("title") and len(data["title"]) < 4:
            self.add_error("title", _("Give a short title of at least 4 characters, or leave it empty."))
        return data


class SearchForm(forms.Form):
    """Finding a petition while the caller waits. Every field narrows; none is required."""

    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    phone_last4 = forms.RegexField(label=_("Last four digits of the phone"), regex=r"^\d{4}$", required=False,
                                   error_messages={"invalid": _("Four digits, e.g. 5678.")},
                                   widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4}))
    number = forms.RegexField(label=_("Tracking number"), regex=r"^\d{6,20}$", required=False,
                              error_messages={"invalid": _("A tracking number has only digits, e.g. 20261123000042.")})
    words = forms.CharField(label=_("Words of the title, content or address"), max_length=100, required=False)
    area = forms.ModelChoiceField(label=_("Area"), required=False,
                                  queryset=Area.objects.filter(is_active=True).order_by("path"))
    classification = forms.ModelChoiceField(label=_("Classification"), required=False,
                                            queryset=Classification.objects.filter(is_active=True).order_by("path"),
                                            widget=forms.TextInput(attrs={"placeholder": _("item code")}),
                                            to_field_name="code")
    unit = forms.ModelChoiceField(label=_("Handling unit"), required=False,
                                  queryset=HandlingUnit.objects.filter(is_active=True).order_by("code"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Status.choices])
    received_from = forms.DateField(label=_("Received from"), required=False,
                                    widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    received_to = forms.DateField(label=_("Received until"), required=False,
                                  widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))

    # Dates a petition can have been received on. Beyond them there is nothing to find, and the year 1 or 9999
    # overflows the date arithmetic of the search (a day is added, the time zone is converted).
    FIRST_DATE, LAST_DATE = dt.date(1990, 1, 1), dt.date(2099, 12, 31)

    def _date_in_range(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not self.FIRST_DATE <= value <= self.LAST_DATE:
            raise forms.ValidationError(_("Give a date between %(first)s and %(last)s.")
                                        % {"first": self.FIRST_DATE.isoformat(), "last": self.LAST_DATE.isoformat()})
        return value

    def clean_received_from(self):
        return self._date_in_range("received_from")

    def clean_received_to(self):
        return self._date_in_range("received_to")

    def clean(self):
        data = super().clean()
        first, last = data.get("received_from"), data.get("received_to")
        if first and last and first > last:
            self.add_error("received_to", _("The end date is before the start date."))
        return data

    @property
    def is_empty(self) -> bool:
        return not any(v not in (None, "") for v in getattr(self, "cleaned_data", {}).values())
