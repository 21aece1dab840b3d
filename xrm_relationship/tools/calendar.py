# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Gregorian and Solar Hijri (jalali) periods and dates.

The database keeps Gregorian dates; periods are cut and dates printed in
the company's calendar (``res.company.xrm_calendar``). The conversions are
``jdatetime``'s: no table of ours.
"""

from datetime import datetime, timedelta

import jdatetime
from dateutil.relativedelta import relativedelta

GREGORIAN = "gregorian"
JALALI = "jalali"
CALENDARS = [(GREGORIAN, "Gregorian"), (JALALI, "Solar Hijri (Jalali)")]
PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def period_bounds(day, months, calendar=GREGORIAN):
    """First and last day (Gregorian dates) of the period holding ``day``.

    ``months`` is 1 (a month) or 3 (a quarter; quarters begin in months
    1, 4, 7 and 10 of the calendar's year).
    """
    if calendar == JALALI:
        jday = jdatetime.date.fromgregorian(date=day)
        first = (jday.month - 1) // months * months + 1
        start = jdatetime.date(jday.year, first, 1)
        after = first + months  # 13 is Farvardin of the next year
        end = jdatetime.date(jday.year + (after - 1) // 12, (after - 1) % 12 + 1, 1)
        return start.togregorian(), end.togregorian() - timedelta(days=1)
    start = day.replace(month=(day.month - 1) // months * months + 1, day=1)
    return start, start + relativedelta(months=months, days=-1)


def to_jalali(value):
    """A ``jdatetime`` date (or datetime) for a Gregorian date (or datetime)."""
    if isinstance(value, datetime):
        return jdatetime.datetime.fromgregorian(datetime=value)
    return jdatetime.date.fromgregorian(date=value)


def format_jalali(value, persian_digits=False):
    """``1405/01/01`` (and ``1405/01/01 14:05`` for a datetime)."""
    pattern = "%Y/%m/%d %H:%M" if isinstance(value, datetime) else "%Y/%m/%d"
    text = to_jalali(value).strftime(pattern)
    return text.translate(PERSIAN_DIGITS) if persian_digits else text


def is_persian(lang):
    return bool(lang) and lang.split("_")[0] == "fa"
