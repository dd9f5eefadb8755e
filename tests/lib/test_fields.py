"""Form fields shared by the apps (lib/fields.py)."""
from decimal import Decimal

import pytest
from django import forms

from lib.fields import RoundedDecimalField


class PointForm(forms.Form):
    latitude = RoundedDecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)


@pytest.mark.parametrize("given,kept", [("36.06612345678", Decimal("36.066123")), ("36.0661235", Decimal("36.066124")),
                                        ("-36.1", Decimal("-36.100000")), ("", None)])
def test_a_point_from_a_phone_is_rounded_to_the_places_kept(given, kept):
    form = PointForm({"latitude": given})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["latitude"] == kept


@pytest.mark.parametrize("given", ["NaN", "Infinity", "95.1234567", "abc"])
def test_what_is_not_a_point_is_still_refused(given):
    assert "latitude" in PointForm({"latitude": given}).errors


@pytest.mark.parametrize("given", ["1e30", "-1e22", "123456789012345678901234567890"])
def test_a_huge_number_is_refused_not_a_server_error(given):
    assert "latitude" in PointForm({"latitude": given}).errors
