"""lib.params: numbers from a query string, strictly: anything else is absent, never an exception."""
import pytest

from lib.params import ID_MAX, bounded_int, object_id


@pytest.mark.parametrize("value, expected", [
    ("2026", 2026), (" 2026 ", 2026), ("1999", None), ("2101", None), ("abc", None), ("", None), (None, None),
    ("²", None), ("２０２６", None), ("1e3", None), ("-2026", None), ("99999999999999999999", None),
])
def test_bounded_int(value, expected):
    assert bounded_int(value, 2000, 2100) == expected


def test_object_id_fits_a_bigint():
    assert object_id(str(ID_MAX)) == ID_MAX
    assert object_id(str(ID_MAX + 1)) is None and object_id("0") is None and object_id("-1") is None
