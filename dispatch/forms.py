import uuid

from django import forms
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.translation import gettext_lazy as _

from dispatch.models import PauseReason
from org.models import Area, Classification, HandlingUnit
from petitions.forms import IntakeFieldsMixin, MultipleFileField
from petitions.models import Satisfaction


def unit_queryset():
    return HandlingUnit.objects.filter(is_active=True).exclude(kind=HandlingUnit.Kind.PLATFORM)


# --- unit choosers: the tree of units, searchable by name and area (docs/dispatch.md, "Choosing units") ------

# Units without a parent are grouped by kind in this order; a district government heads a group of its own
# with its street offices and their community committees below (the tree, not the alphabet: committees
# used to come first in a flat list of 443 units).
ROOT_GROUPS = (
    HandlingUnit.Kind.CITY_DEPARTMENT, HandlingUnit.Kind.PUBLIC_SERVICE, HandlingUnit.Kind.STATIONED,
    HandlingUnit.Kind.DISTRICT_GOVERNMENT, HandlingUnit.Kind.STREET_OFFICE, HandlingUnit.Kind.COMMUNITY,
    HandlingUnit.Kind.PLATFORM,
)
INDENT = "\u3000"  # an ideographic space: kept by browsers in a plain <option>, unlike ASCII spaces


def unit_tree(units) -> list[tuple[str, list[tuple[HandlingUnit, int, str]]]]:
    """`units` as the tree: [(group label, [(unit, depth, area names), ...]), ...].

    A unit whose parent is not among `units` becomes a root. Two queries: the units with their areas, and
    every area's name (for "search by area": a street office is found by its district's name too)."""
    units = list(units.prefetch_related("areas"))
    area_names = dict(Area.objects.values_list("code", "name"))
    by_pk = {unit.pk: unit for unit in units}
    children: dict[int | None, list[HandlingUnit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id if unit.parent_id in by_pk else None, []).append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: u.code)

    def where(unit) -> str:
        names = []
        for area in unit.areas.all():
            names += [area_names.get(code, "") for code in area.ancestor_codes if area_names.get(code) not in names]
        return " ".join(names)

    def walk(unit, depth, rows):
        rows.append((unit, depth, where(unit)))
        for child in children.get(unit.pk, []):
            walk(child, depth + 1, rows)
        return rows

    roots = children.get(None, [])
    groups = []
    for kind in ROOT_GROUPS:
        of_kind = [unit for unit in roots if unit.kind == kind]
        if kind == HandlingUnit.Kind.DISTRICT_GOVERNMENT:
            groups += [(unit.name, walk(unit, 0, [])) for unit in of_kind]
        elif of_kind:
            rows = []
            for unit in of_kind:
                walk(unit, 0, rows)
            groups.append((HandlingUnit.Kind(kind).label, rows))
    return groups


class UnitTreeIterator(ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for label, rows in unit_tree(self.queryset):
            yield (label, [(UnitTreeValue(unit.pk, unit, depth, area), INDENT * depth + unit.name)
                           for unit, depth, area in rows])


class UnitTreeValue(ModelChoiceIteratorValue):
    def __init__(self, value, instance, depth, area):
        super().__init__(value, instance)
        self.depth, self.area = depth, area


class UnitTreeSelectMixin:
    """Each option carries data-depth and data-area: the vendored tom-select (static/js/dispatcher.js) searches
    the name and the area and draws the tree; without JavaScript it is a plain select with indented names."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if isinstance(value, UnitTreeValue):
            option["attrs"].update({"data-depth": value.depth, "data-area": value.area,
                                    "data-name": value.instance.name})
        return option


def _chooser_attrs(kind: str) -> dict:
    return {"data-unit-chooser": kind, "data-placeholder": _("Type part of a unit's name or of its area"),
            "data-no-results": _("No unit matches."), "data-remove": _("Remove")}


class UnitTreeSelect(UnitTreeSelectMixin, forms.Select):
    def __init__(self, attrs=None):
        super().__init__({**_chooser_attrs("one"), **(attrs or {})})


class UnitTreeSelectMultiple(UnitTreeSelectMixin, forms.SelectMultiple):
    def __init__(self, attrs=None):
        super().__init__({**_chooser_attrs("many"), "size": 8, **(attrs or {})})


class UnitChoiceField(forms.ModelChoiceField):
    iterator = UnitTreeIterator
    widget = UnitTreeSelect


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = UnitTreeIterator
    widget = UnitTreeSelectMultiple



class NoteForm(forms.Form):
    note = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class AnswerForm(forms.Form):
    content = forms.CharField(label=_("Answer: what was done and the result"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    solved = forms.BooleanField(label=_("The problem is solved"), required=False, initial=True)
    attachments = MultipleFileField(label=_("Attachments (photos of the result, documents)"))
    # Files that passed their checks wait on the server under this token when the answer is sent back (a short
    # text, another file refused): nothing chosen is lost (petitions/drafts.py, as on the citizen's form).
    draft = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("draft", uuid.uuid4())

    def clean_attachments(self):
        return IntakeFieldsMixin.clean_attachments(self)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Why is this not your unit's?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    suggested_unit = UnitChoiceField(label=_("Which unit should handle it? (optional)"), required=False,
                                            queryset=unit_queryset())


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=20)
    reason = forms.CharField(label=_("Why is more time needed?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class WaitForm(forms.Form):
    code = forms.ChoiceField(label=_("Why does the clock stop?"), choices=PauseReason.choices,
                             widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Details (required for “Other”)"), max_length=500, required=False,
                             help_text=_("For “further materials”, the citizen reads these words on their tracking "
                                         "page: say what to send."))


class PauseDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                     choices=[("yes", _("Approve the longer stop")),
                                              ("no", _("Refuse: the clock keeps running"))])
    note = forms.CharField(label=_("Note to the unit"), max_length=1000, required=False)


# --- the dispatcher's console ---------------------------------------------------------------------------

class RedispatchForm(forms.Form):
    lead_unit = UnitChoiceField(label=_("Lead unit"), queryset=unit_queryset())
    co_units = UnitMultipleChoiceField(label=_("Co-handling units"), queryset=unit_queryset(), required=False)
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    expected = forms.CharField(widget=forms.HiddenInput, required=False)
    # The petition as the dispatcher saw it (its last change): a second post of the same form is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class StreetForm(forms.Form):
    unit = UnitChoiceField(label=_("Street or town office"),
                                  queryset=unit_queryset().filter(kind=HandlingUnit.Kind.STREET_OFFICE))
    reason = forms.CharField(label=_("Reason"), max_length=1000)
    expected = forms.CharField(widget=forms.HiddenInput, required=False)
    # The petition as the dispatcher saw it (its last change): a second post of the same form is refused.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


class UnitForm(forms.Form):
    unit = UnitChoiceField(label=_("Unit"), queryset=unit_queryset())
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
    new_lead = UnitChoiceField(label=_("Re-dispatch to (for an approved return)"), required=False,
                                      queryset=unit_queryset())


class ExtensionDecisionForm(DecisionForm):
    new_lead = None  # re-dispatching is a return's: an extension keeps its unit


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Review"), coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                     choices=[("yes", _("Approve and publish")), ("no", _("Reject for re-handling"))])
    public_answer = forms.CharField(label=_("Answer published to the citizen (leave empty to publish as written)"),
                                    required=False, widget=forms.Textarea(attrs={"rows": 4}))
    note = forms.CharField(label=_("Note to the unit"), max_length=1000, required=False,
                           help_text=_("The unit reads it with the decision; required when the answer is sent back."),
                           widget=forms.Textarea(attrs={"rows": 2}))


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
