import datetime as dt

import pytest

from lib.identity import IdNumberRejected, PhoneRejected, normalise_id_number, normalise_phone
from lib.masking import mask_id_number, mask_name, mask_phone
from tests.identities import BAD_CHECKSUM_ID, BAD_DATE_IDS, LANDLINE, SERVICE_NUMBERS, VALID_ID, id_number


@pytest.mark.parametrize("raw,expected", [
    ("13812341234", "13812341234"), (" 138 1234 1234 ", "13812341234"), ("+8613812341234", "13812341234"),
    ("0532-88881234", "0532-88881234"), ("053288881234", "053288881234"),
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


@pytest.mark.parametrize("raw", SERVICE_NUMBERS + ["119", "120", "10010", "12315", "95588", "8001234567"])
def test_service_numbers_are_never_a_persons_phone(raw):
    for mobile_only in (False, True):
        with pytest.raises(PhoneRejected) as rejected:
            normalise_phone(raw, mobile_only=mobile_only)
        assert rejected.value.code == "service"


def test_mobile_only_refuses_a_landline_and_keeps_mobiles():
    assert normalise_phone(LANDLINE) == LANDLINE
    with pytest.raises(PhoneRejected) as rejected:
        normalise_phone(LANDLINE, mobile_only=True)
    assert rejected.value.code == "landline"
    assert normalise_phone("+86 139 1234 5678", mobile_only=True) == "13912345678"
    with pytest.raises(PhoneRejected) as rejected:
        normalise_phone("1391234567", mobile_only=True)
    assert rejected.value.code == "invalid"


@pytest.mark.parametrize("raw", ["010-12345678", "0532-98765432"])
def test_a_local_number_starting_with_a_service_prefix_is_not_a_landline(raw):
    with pytest.raises(PhoneRejected):
        normalise_phone(raw)


@pytest.mark.parametrize("raw", BAD_DATE_IDS)
def test_an_id_number_with_a_right_check_digit_but_an_impossible_birth_date_is_refused(raw):
    with pytest.raises(IdNumberRejected) as rejected:
        normalise_id_number(raw, today=dt.date(2026, 11, 23))
    assert rejected.value.code == "birth_date"


def test_an_id_number_of_someone_born_today_passes_and_tomorrow_does_not():
    born_today = id_number("11010520261123001")
    assert normalise_id_number(born_today, today=dt.date(2026, 11, 23)) == born_today
    with pytest.raises(IdNumberRejected):
        normalise_id_number(born_today, today=dt.date(2026, 11, 22))


def test_id_number_refusals_say_why():
    codes = {}
    for raw in (BAD_CHECKSUM_ID, "11010519491231002", BAD_DATE_IDS[0]):
        with pytest.raises(IdNumberRejected) as rejected:
            normalise_id_number(raw)
        codes[raw] = rejected.value.code
    assert list(codes.values()) == ["checksum", "format", "birth_date"]
    assert normalise_id_number(f" {VALID_ID.lower()} ") == VALID_ID
