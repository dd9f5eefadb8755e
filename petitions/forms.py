"""Shape checks for the citizen's and the operator's forms (business rules
stay in services). Every message is translated and tied to its field."""
from __future__ import annotations

import time
import uuid

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.choices import BaseChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from lib.errors import DomainError
from lib.fields import IdNumberField, PhoneField, RoundedDecimalField
from org.geo import area_at
from org.models import Area, Classification
from petitions.models import CallbackAttempt, Channel, ComplainantType, Kind, Petition, Satisfaction, Stream
from petitions.services import attachment_clean


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


# The form's option lists (~330 items) are drawn once per version of the areas and the classification, not on
# every request: drawing them cost ~37 ms a page (issue 20). Saving or deleting an area or an item bumps the
# version in the shared cache (petitions.apps connects `choices_invalidate`), so every worker redraws; the
# TTL bounds staleness after bulk writes that send no signal (the catalog loader's bulk_update).
CHOICES_TTL = 60
CHOICES_VERSION_CHECK = 2  # seconds between two reads of the shared version (a Redis round trip each)
_CHOICES_VERSION_KEY = "petitions:intake-choices:version"
_choices: dict = {"version": None, "loaded_at": 0.0, "checked_at": 0.0, "lists": {}, "html": {}}


def choices_invalidate(**kwargs) -> None:
    cache.set(_CHOICES_VERSION_KEY, uuid.uuid4().hex, None)
    _choices.update(version=None, lists={}, html={})


def _choices_store() -> dict:
    now = time.monotonic()
    if _choices["version"] is not None and now - _choices["checked_at"] < CHOICES_VERSION_CHECK:
        return _choices
    version = cache.get(_CHOICES_VERSION_KEY)
    if version is None:
        cache.add(_CHOICES_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_CHOICES_VERSION_KEY)
    if _choices["version"] != version or now - _choices["loaded_at"] > CHOICES_TTL:
        _choices.update(version=version, loaded_at=now, lists={}, html={})
    _choices["checked_at"] = now
    return _choices


def cached_fragment(key: tuple, build) -> str:
    """HTML that depends only on the option lists and the language (the unbound intake form's fields), drawn
    once per version: `build()` draws it."""
    html = _choices_store()["html"]
    key = ("fragment", translation.get_language(), *key)
    if key not in html:
        html[key] = build()
    return html[key]


class CachedSelect(forms.Select):
    """A select whose HTML is drawn once per version of its options while nothing is selected (the form as
    first shown); a redisplayed form with a choice made is drawn afresh."""

    def render(self, name, value, attrs=None, renderer=None):
        if value not in (None, "", []):
            return super().render(name, value, attrs, renderer)
        key = (name, translation.get_language(), tuple(sorted((attrs or {}).items())),
               tuple(sorted(self.attrs.items())))
        html = _choices_store()["html"]
        if key not in html:
            html[key] = super().render(name, value, attrs, renderer)
        return html[key]


class _CachedChoices(BaseChoiceIterator):
    """Read when the select is drawn, not when the form class is defined; computed once per version."""

    def __init__(self, field, name: str, build):
        self.field, self.name, self.build = field, name, build

    def __iter__(self):
        lists = _choices_store()["lists"]
        key = (self.name, translation.get_language(), str(self.field.empty_label))
        if key not in lists:
            lists[key] = list(self.build(self.field))
        return iter(lists[key])


def _areas(field):
    if field.empty_label is not None:
        yield ("", field.empty_label)
    for pk, name, level in field.queryset.values_list("pk", "name", "level"):
        yield (pk, name if level == Area.Level.DISTRICT else f"— {name}")


def _grouped_leaves(field):
    nodes = dict(Classification.objects.filter(is_active=True).values_list("code", "name"))
    groups: dict[str, list] = {}
    for pk, path, name in field.queryset.values_list("pk", "path", "name"):
        codes = [c for c in path.split("/") if c]
        group = " / ".join(nodes.get(c, "") for c in codes[:2])
        label = " / ".join(nodes.get(c, "") for c in codes[2:]) or name
        groups.setdefault(group, []).append((pk, label))
    if field.empty_label is not None:
        yield ("", field.empty_label)
    yield from sorted(groups.items())


def _cached_object(field, name: str, value, prepare=None):
    """The choice posted, looked up among the field's objects read once per version of the option lists
    (like the lists themselves): each filing read its area, its district and its item (issue 20). The objects are
    shared by the requests of one process and must not be changed."""
    if value in field.empty_values:
        return None
    store = _choices_store()["lists"]
    key = ("objects", name)
    if key not in store:
        objects = {obj.pk: obj for obj in field.queryset}
        if prepare is not None:
            prepare(objects)
        store[key] = objects
    try:
        found = store[key].get(int(str(value).strip()))
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                    params={"value": value})
    return found


def _with_districts(areas: dict) -> None:
    """Each area's district, from one query (Area.district asks the database once per area otherwise)."""
    districts = {a.code: a for a in Area.objects.filter(level=Area.Level.DISTRICT)}
    for area in areas.values():
        if area.level != Area.Level.CITY:
            area.__dict__["district"] = next((districts[c] for c in area.ancestor_codes if c in districts), None)


class GroupedAreaField(forms.ModelChoiceField):
    """Districts and their streets, grouped so the select works without JavaScript. The posted area is found
    among the areas read once per version of the lists (a form that narrows `queryset` must not use it)."""

    widget = CachedSelect

    def to_python(self, value):
        return _cached_object(self, "area", value, _with_districts)

    def __init__(self, **kwargs):
        queryset = Area.objects.filter(is_active=True, level__in=[Area.Level.DISTRICT, Area.Level.STREET])
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return obj.name if obj.level == Area.Level.DISTRICT else f"— {obj.name}"

    def _get_choices(self):
        return _CachedChoices(self, "area", _areas)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class GroupedClassificationField(forms.ModelChoiceField):
    """Leaves grouped under their category (level 2) as optgroups: category, then item, without JavaScript;
    the label shows the path below the category, so "小区路灯损坏" and "路灯不亮" say where they belong."""

    widget = CachedSelect

    def __init__(self, **kwargs):
        super().__init__(queryset=Classification.objects.filter(is_active=True, is_leaf=True).order_by("path"),
                         **kwargs)

    def to_python(self, value):
        return _cached_object(self, "classification", value)

    def _get_choices(self):
        return _CachedChoices(self, "classification", _grouped_leaves)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class IntakeFieldsMixin:
    """Cleaning shared by the citizen's form and the operator's intake form."""

    def clean_title(self):
        value = self.cleaned_data["title"].strip()
        if len(value) < 4:
            raise forms.ValidationError(_("Give a short title of at least 4 characters."), code="too_short")
        return value

    def clean_content(self):
        value = self.cleaned_data["content"].strip()
        if len(value) < 10:
            raise forms.ValidationError(
                _("Describe the matter in at least 10 characters: what, where and since when."), code="too_short"
            )
        return value

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > settings.PORTAL_UPLOAD_MAX_FILES:
            raise forms.ValidationError(
                _("Attach at most %(count)s files.") % {"count": settings.PORTAL_UPLOAD_MAX_FILES}, code="too_many"
            )
        cleaned = []
        for upload in files:
            try:
                cleaned.append(attachment_clean(upload))
            except DomainError as error:
                raise forms.ValidationError(error.message, code="bad_file") from None
        return cleaned

    def clean(self):
        data = super().clean()
        if data.get("complainant_type") == ComplainantType.ENTERPRISE and not data.get("enterprise_name", "").strip():
            self.add_error("enterprise_name", _("Give the enterprise's name."))
        return data


class CitizenPetitionForm(IntakeFieldsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What kind of request is it?"), choices=Kind.choices, initial=Kind.COMPLAINT)
    area = GroupedAreaField(label=_("District or street"), empty_label=_("Choose where it happens"), required=False,
                            help_text=_("Or point at the place on the map below."))
    latitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False,
                                   widget=forms.HiddenInput)
    longitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False,
                                    widget=forms.HiddenInput)
    classification = GroupedClassificationField(
        label=_("Category"), required=False, empty_label=_("Not sure — the hotline will classify it"),
        help_text=_("Choose the category, then the item; or let us suggest one from your words."),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False,
                              help_text=_("Street, number, building: where exactly?"))
    title = forms.CharField(label=_("Title"), max_length=100)
    content = forms.CharField(label=_("What happened?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    complainant_type = forms.ChoiceField(label=_("You are"), choices=ComplainantType.choices,
                                         initial=ComplainantType.PERSON, widget=forms.RadioSelect)
    enterprise_name = forms.CharField(label=_("Enterprise name"), max_length=100, required=False)
    complainant_name = forms.CharField(label=_("Your name"), max_length=50)
    complainant_phone = PhoneField(
        mobile_only=True, label=_("Mobile phone"),
        help_text=_("You will need it, with the tracking number, to follow your petition."))
    complainant_id_number = IdNumberField(label=_("ID number (optional)"), required=False)
    confidential = forms.BooleanField(label=_("Keep my identity confidential"), required=False,
                                      help_text=Petition._meta.get_field("confidential").help_text)
    publish_consent = forms.BooleanField(
        label=_("My words may be published"), required=False,
        help_text=_("Your description and address may be shown on the public site with your name, phone numbers "
                    "and other personal data masked. Never for a confidential petition or a report of wrongdoing."))
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        help_text=_("Up to 5 JPEG, PNG, WebP or PDF files, 10 MB each. Location data in photos is removed."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    # A field people never see; bots fill it in.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("Leave this field empty."))
        return ""

    def clean(self):
        data = super().clean()
        if data.get("area") is None and "area" not in self.errors:
            # The place picked on the map finds its street (the boundaries of org/geo.py).
            found = area_at(data.get("latitude"), data.get("longitude"))
            if found is None:
                self.add_error("area", _("Choose where it happens, or point at the place on the map."))
            else:
                data["area"] = found
        return data


class SupplementForm(forms.Form):
    """Further materials from the citizen on their own open petition: words, and files as on the form."""

    content = forms.CharField(
        label=_("What you add"), min_length=10, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The units handling your petition read it at once. At least 10 characters."),
        error_messages={"min_length": _("Write at least 10 characters: what you add and why.")})
    attachments = MultipleFileField(
        label=_("Photos or documents"),
        help_text=_("Up to 5 JPEG, PNG, WebP or PDF files, 10 MB each. Location data in photos is removed."),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
    )
    draft = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("draft", uuid.uuid4())

    def clean_content(self):
        return self.cleaned_data["content"].strip()

    clean_attachments = IntakeFieldsMixin.clean_attachments


class TrackForm(forms.Form):
    number = forms.RegexField(label=_("Tracking number"), regex=r"^\s*\d{14,16}\s*$", max_length=20,
                              error_messages={"invalid": _("A tracking number has 14 digits, e.g. 20261123000042.")},
                              widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    # Any phone a petition can carry: an operator may have recorded the caller's landline.
    phone = PhoneField(mobile_only=False, label=_("Phone given with the petition"))

    def clean_number(self):
        return self.cleaned_data["number"].strip()


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("Are you satisfied with the answer?"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    solved = forms.TypedChoiceField(label=_("Was your problem solved?"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("Yes, solved")), ("no", _("No, not solved"))],
                                    widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Anything to add? (optional)"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class CallbackFailedForm(forms.Form):
    """A callback the operator could not complete (回访未成功)."""

    outcome = forms.ChoiceField(label=_("What happened on the call?"), choices=CallbackAttempt.Outcome.choices,
                                widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class OperatorIntakeForm(IntakeFieldsMixin, forms.ModelForm):
    """The admin's "add petition" form: a phone call recorded in under a minute."""

    answer_on_spot = forms.CharField(
        label=_("Answer on the spot"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For a consultation answered from the knowledge base: the petition is closed at once (直接办结)."),
    )
    attachments = MultipleFileField(label=_("Attachments"))
    # The caller may ring from a landline; a service number is still refused.
    complainant_phone = PhoneField(
        mobile_only=False, label=capfirst(Petition._meta.get_field("complainant_phone").verbose_name),
        widget=forms.TextInput(attrs={"autofocus": True, "inputmode": "tel", "class": "vTextField"}))
    complainant_id_number = IdNumberField(
        label=capfirst(Petition._meta.get_field("complainant_id_number").verbose_name), required=False)

    class Meta:
        model = Petition
        fields = [
            "channel", "kind", "complainant_phone", "complainant_name", "complainant_type", "enterprise_name",
            "complainant_id_number", "confidential", "area", "classification", "address", "title", "content",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].initial = Channel.PHONE
        self.fields["kind"].initial = Kind.COMPLAINT

    def clean(self):
        data = super().clean()
        if data.get("answer_on_spot", "").strip() and data.get("kind") != Kind.CONSULTATION:
            self.add_error("answer_on_spot", _("Only a consultation can be answered on the spot."))
        return data


class ScreenForm(forms.Form):
    stream = forms.ChoiceField(label=_("Stream"), choices=Stream.choices)
    routed_to = forms.CharField(label=_("Routed to (body)"), max_length=100, required=False)
    reason = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseOnSpotForm(forms.Form):
    answer = forms.CharField(label=_("Answer given"), widget=forms.Textarea(attrs={"rows": 4}))
