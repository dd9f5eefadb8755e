"""The Regulations on Open Government Information (政府信息公开条例, 2019) and the
2020 national fee rules, as pure functions (DOMAIN.md section 10).

Dates here are calendar dates; working days come from the official calendar.
"""
from __future__ import annotations

import datetime as dt
import math

from lib.workdays import WorkCalendar

ANSWER_DAYS = 20  # Art. 33: within 20 working days of receipt
MAX_EXTENSION_DAYS = 20  # Art. 33: one extension of at most 20 working days, approved
CORRECTION_NOTICE_DAYS = 7  # Art. 30: one correction notice within 7 working days
THIRD_PARTY_DAYS = 15  # Art. 32: third parties have 15 working days to give an opinion
PAYMENT_DAYS = 20  # fee rules: unpaid within 20 working days = abandoned
# The most pages one answer is charged for: far beyond any real answer, and its fee (¥3,994,700) fits the fee
# column (a PostgreSQL integer, 2,147,483,647); 10**19 pages made the form's answer a 500.
MAX_PAGES = 100_000
# The years the public pages and the annual report accept (outside: the projects page shows this year, the
# report answers 404; `dt.date(0, 1, 1)` does not even exist).
FIRST_YEAR, LAST_YEAR = 2000, 2100
# Art. 31: a registered letter counts from the day it was signed for, which the officer types in when recording it.
# A day longer ago than this is a typo (2001-01-01 made a request overdue at once and counted it in 2001's annual
# report); a month covers a letter left in the post room over a holiday.
MAIL_SIGNED_FOR_MAX_AGE_DAYS = 30
PROJECT_REPORT_GRACE_DAYS = 3  # a practical project's late report: reminded, then supervised after 3 working days


def answer_due(calendar: WorkCalendar, received_on: dt.date, *, extension_days: int = 0,
               paused_workdays: int = 0) -> dt.date:
    """The answer deadline: 20 working days after receipt (day 0), plus an approved
    extension, plus the working days of third-party consultation (which do not count)."""
    return calendar.add_workdays(received_on, ANSWER_DAYS + extension_days + paused_workdays).due


def correction_notice_deadline(calendar: WorkCalendar, received_on: dt.date) -> dt.date:
    return calendar.add_workdays(received_on, CORRECTION_NOTICE_DAYS).due


def fee_per_request(nth_this_month: int) -> int:
    """Yuan for the applicant's nth request in a calendar month (按件计收): the first 10
    free, the 11th-30th ¥100 each, then ¥100 more for each further band of 10."""
    if nth_this_month <= 10:
        return 0
    if nth_this_month <= 30:
        return 100
    return 100 + 100 * math.ceil((nth_this_month - 30) / 10)


def fee_per_pages(pages: int) -> int:
    """Yuan for one request of `pages` pages (按量计收): up to 30 free, 31-100 at ¥10,
    101-200 at ¥20, over 200 at ¥40 a page, each band for the pages in it."""
    fee = 0
    for low, high, price in ((30, 100, 10), (100, 200, 20), (200, None, 40)):
        if pages > low:
            fee += ((min(pages, high) if high else pages) - low) * price
    return fee
