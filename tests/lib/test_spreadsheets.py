"""The spreadsheet helper writes text as text (lib/spreadsheets.py)."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from lib import spreadsheets


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1"])
def test_dangerous_text_is_quoted_and_unquoted_back(text):
    assert spreadsheets.escape(text) == "'" + text
    assert spreadsheets.unescape(spreadsheets.escape(text)) == text


def test_harmless_values_are_left_alone():
    for value in ["噪音扰民", "'quoted", "", None, 3, -2, 1.5, Decimal("-1.5"), dt.date(2026, 1, 1)]:
        assert spreadsheets.escape(value) == value
    assert spreadsheets.unescape("'plain") == "'plain"


def test_written_cells_are_text_and_numbers_stay_numbers():
    book = Workbook()
    spreadsheets.write_rows(book.active, [["=HYPERLINK(\"http://x\")", -2, dt.date(2026, 1, 2), None]],
                            header=["=title", "count", "date", "empty"])
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.data_type for c in sheet[1]] == ["s", "s", "s", "s"]
    assert sheet["A2"].value == "'=HYPERLINK(\"http://x\")" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -2 and sheet["C2"].value.date() == dt.date(2026, 1, 2) and sheet["D2"].value is None


def test_control_characters_a_citizen_pasted_do_not_break_the_export():
    """openpyxl refuses a cell holding a vertical tab or an escape: one petition stopped the unit's whole export."""
    book = Workbook()
    spreadsheets.write_rows(book.active, [["楼道堆物\x0b，消防通道\x1b堵塞", "=1\x00"]])
    out = io.BytesIO()
    book.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A1"].value == "楼道堆物，消防通道堵塞" and sheet["B1"].value == "'=1"
