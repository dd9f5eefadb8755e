from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.models import PauseReason
from org.models import Area, Classification, HandlingUnit
from petitions.forms import IntakeFieldsMixin, MultipleFileField
from petitions.models import Satisfaction


def unit_queryset():
    return HandlingUnit.objects.filter(is_active=True).exclude(kind=HandlingUnit.Kind.PLATFORM)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AnswerForm(forms.Form):
    content = forms.CharField(label=_("Answer: what was done and the result"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    solved = forms.BooleanField(label=_("The problem is solved"), required=False, initial=True)
    attachments = MultipleFileField(label=_("Attachments (photos of the result, documents)"))

    def clean_attachments(self):
        return IntakeFieldsMixin.clean_attachments(self)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why is this not your unit's?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    suggested_unit = forms.ModelChoiceField(label=_("Which unit should handle it? (optional)"), required=False,
                                            queryset=unit_queryset())


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=20)
    reason = forms.CharField(label=_("Why is more time needed?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class WaitForm(forms.Form):
    code = forms.ChoiceField(label=_("Why does the clock stop?"), choices=PauseReason.choices,
                             widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Details (required for “Other”)"), max_length=500, required=False)


class PauseDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                     choices=[("yes", _("Approve the longer stop")),
                                              ("no", _("Refuse: the clock keeps running"))])
    note = forms.CharField(label=_("Note to the unit"), max_length=1000, required=False)


# --- the dispatcher's console ---------------------------------------------------------------------------

class RedispatchForm(forms.Form):
    lead_unit = forms.ModelChoiceField(label=_("Lead unit"), queryset=unit_queryset())
    co_units = forms.ModelMultipleChoiceField(label=_("Co-handling units"), queryset=unit_queryset(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    expected = forms.CharField(widget=forms.HiddenInput, required=False)


class StreetForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Street or town office"),
                                  queryset=unit_queryset().filter(kind=HandlingUnit.Kind.STREET_OFFICE))
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    expected = forms.CharField(widget=forms.HiddenInput, required=False)


class UnitForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=unit_queryset())
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class MergeForm(forms.Form):
    into = forms.RegexField(label=_("Tracking number of the petition to keep"), regex=r"^\d{14,16}$")
    duplicate = forms.BooleanField(label=_("It is a duplicate (same complainant, same matter)"), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class RepeatLinkForm(forms.Form):
    original = forms.RegexField(label=_("Tracking number of the earlier petition of the same matter"),
                                regex=r"^\d{14,16}$")
    reason = forms.CharField(label=_("Why it is the same matter"), max_length=1000)


class RepeatUnlinkForm(forms.Form):
    reason = forms.CharField(label=_("Why it is not the same matter"), max_length=1000)


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                     choices=[("yes", _("Approve")), ("no", _("Refuse"))])
    note = forms.CharField(label=_("Note to the unit"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    new_lead = forms.ModelChoiceField(label=_("Re-dispatch to (for an approved return)"), required=False,
                                      queryset=unit_queryset())


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Review"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                     choices=[("yes", _("Approve and publish")), ("no", _("Reject for re-handling"))])
    public_answer = forms.CharField(label=_("Answer published to the citizen (leave empty to publish as written)"),
                                    required=False, widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices, widget=forms.RadioSelect)
    solved = forms.TypedChoiceField(label=_("Solved?"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                    choices=[("yes", _("Solved")), ("no", _("Not solved"))])
    comment = forms.CharField(label=_("What the citizen said"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ClassifyForm(forms.Form):
    classification = forms.ModelChoiceField(label=_("Classification item"),
                                            queryset=Classification.objects.filter(is_active=True, is_leaf=True))
    reason = forms.CharField(label=_("Note"), max_length=500, required=False)


class DryRunForm(forms.Form):
    classification = forms.ModelChoiceField(label=_("Classification item"), required=False,
                                            queryset=Classification.objects.filter(is_active=True).order_by("path"))
    area = forms.ModelChoiceField(label=_("Area"), queryset=Area.objects.filter(is_active=True).order_by("path"))
    text = forms.CharField(label=_("Title and content"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
