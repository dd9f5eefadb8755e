import pytest

from lib.identity import normalise_id_number, normalise_phone
from lib.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize("raw,expected", [
    ("13812341234", "13812341234"), (" 138 1234 1234 ", "13812341234"), ("+8613812341234", "13812341234"),
    ("0532-88881234", "0532-88881234"), ("053288881234", "053288881234"), ("12345", "12345"),
])
def test_valid_phones(raw, expected):
    assert normalise_phone(raw) == expected


@pytest.mark.parametrize("raw", ["", "1381234123", "23812341234", "abc", "138123412345", "0532-1234"])
def test_invalid_phones(raw):
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_id_number_checksum():
    assert normalise_id_number("11010519491231002x") == "11010519491231002X"
    with pytest.raises(ValueError):
        normalise_id_number("110105194912310021")
    with pytest.raises(ValueError):
        normalise_id_number("1101051949")


def test_masks():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("") == ""
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_name("王小明") == "王*明"
    assert mask_name("王明") == "王*"
