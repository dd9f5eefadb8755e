"""Hostile identities shared by the tests of every public form (issue 13)."""
from stdnum.cn import ric


def id_number(first17: str) -> str:
    """The 17 digits with their correct check digit: what a forger computes."""
    return first17 + ric.calc_check_digit(first17 + "0")


VALID_ID = id_number("11010519491231002")  # 11010519491231002X
# Checksums right, dates wrong: month 13 day 99 (the number found in issue 13), 30 February,
# a birth in 2999 and one in 1800.
BAD_DATE_IDS = [id_number("11010520001399001"), id_number("11010519900230001"),
                id_number("11010529990101001"), id_number("11010518000101001")]
BAD_CHECKSUM_ID = "110105194912310021"
HOSTILE_IDS = BAD_DATE_IDS + [BAD_CHECKSUM_ID, "11010519491231002", "1101051949123100AX"]

# Hotlines: never a complainant's phone, anywhere.
SERVICE_NUMBERS = ["12345", "10086", "95598", "110", "96166", "0532-96166", "4006001234", "+86 12345"]
LANDLINE = "0532-88881234"
