"""What the pages of "my petitions" say and how they are built."""
import re
from html.parser import HTMLParser

import pytest
from django.utils import translation
from django import forms
from django.template import Context, Template

from tests.citizens.test_mine import PHONE, _sign_in


class _FormsInParagraphs(HTMLParser):
    """Finds a <form> opened inside a <p>: HTML parsers close the paragraph at the form, so what follows the form
    falls out of the line and an empty <p></p> is left behind."""

    def __init__(self):
        super().__init__()
        self.open_paragraphs, self.found = 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.open_paragraphs += 1
        elif tag == "form" and self.open_paragraphs:
            self.found.append(dict(attrs).get("action"))

    def handle_endtag(self, tag):
        if tag == "p" and self.open_paragraphs:
            self.open_paragraphs -= 1


def _forms_in_paragraphs(html: str) -> list:
    parser = _FormsInParagraphs()
    parser.feed(html)
    return parser.found


@pytest.mark.django_db
def test_the_code_page_gives_the_codes_life_from_the_setting(client, city, settings):
    settings.PORTAL_MY_CODE_MINUTES = 5
    page = client.post("/my/", {"phone": PHONE}).content.decode()
    assert "5分钟内有效" in page and "10分钟" not in page
    client.cookies["django_language"] = "en"
    page = client.post("/my/", {"phone": PHONE}).content.decode()
    assert "It is valid for 5 minutes." in page
    page = client.post("/my/verify/", {"phone": PHONE, "code": "12345"}).content.decode()  # a page with errors
    assert "It is valid for 5 minutes." in page
    settings.PORTAL_MY_CODE_MINUTES = 1
    assert "It is valid for 1 minute." in client.post("/my/", {"phone": PHONE}).content.decode()


@pytest.mark.django_db
def test_the_sign_out_button_stands_on_the_phones_line_not_inside_a_paragraph(client, city):
    _sign_in(client)
    page = client.get("/my/all/").content.decode()
    assert _forms_in_paragraphs(page) == []
    line = re.search(r'<div class="signed-in">(.*?)</div>', page, re.S).group(1)
    assert "139****5678" in line and 'action="/my/sign-out/"' in line


@pytest.mark.django_db
def test_an_error_on_the_hidden_phone_is_shown_above_the_form(client, city):
    """The code form carries the phone in a hidden field: an error on it was summed up as "correct the errors
    below", and there was nothing below to correct."""
    client.cookies["django_language"] = "en"
    page = client.post("/my/verify/", {"phone": "abc", "code": "123456"})
    assert page.status_code == 400
    summary = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', page.content.decode(), re.S).group(1)
    assert "Enter a mainland mobile number (11 digits, e.g. 13812345678)." in summary
    client.cookies["django_language"] = "zh-hans"
    page = client.post("/my/verify/", {"phone": "abc", "code": "123456"}).content.decode()
    summary = re.search(r'<div class="form-errors" role="alert">(.*?)</div>', page, re.S).group(1)
    assert "手机号" in summary and "Enter" not in summary


class _Choices(forms.Form):
    rating = forms.ChoiceField(label="How satisfied are you?", choices=[("1", "Yes"), ("0", "No")],
                               widget=forms.RadioSelect)
    topics = forms.MultipleChoiceField(label="Topics", choices=[("a", "A"), ("b", "B")], required=False,
                                       widget=forms.CheckboxSelectMultiple, help_text="Any that apply")
    name = forms.CharField(label="Name")


def _field(form, name) -> str:
    return Template('{% include "includes/field.html" %}').render(Context({"field": form[name]}))


def test_a_radio_or_checkbox_list_is_a_fieldset_whose_legend_asks_the_question():
    form = _Choices(data={"rating": "9", "name": "x"})
    with translation.override("en"):  # Django's own error text, read in English
        rating = _field(form, "rating")
    assert 'for=""' not in rating and "<label for=\"id_rating\"" not in rating
    assert re.search(r'<fieldset class="field has-error">\s*<legend>How satisfied are you\?', rating)
    assert 'for="id_rating_0"' in rating and 'for="id_rating_1"' in rating  # each option keeps its own label
    assert "Select a valid choice." in rating and rating.strip().endswith("</fieldset>")  # the error in the set
    topics = _field(form, "topics")
    assert re.search(r'<fieldset class="field">\s*<legend>Topics</legend>', topics) and "Any that apply" in topics
    assert '<label for="id_name">Name' in _field(form, "name")  # other fields keep their label


@pytest.mark.django_db
def test_you_are_on_the_citizens_form_is_a_fieldset(client, city):
    client.cookies["django_language"] = "en"
    page = client.get("/petitions/new/").content.decode()
    assert 'for=""' not in page
    assert re.search(r'<fieldset class="field">\s*<legend>You are', page)
