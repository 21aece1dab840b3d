# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import datetime

from odoo import fields, models
from odoo.tools.misc import format_date, format_datetime

from ..tools import calendar


# The calendar in a file of its own (res_company.py holds the other settings).
class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    xrm_calendar = fields.Selection(
        calendar.CALENDARS,
        string="Calendar",
        default=calendar.GREGORIAN,
        required=True,
        help="Solar Hijri: incentive periods are Hijri months and quarters, and "
        "Persian readers see dates in Hijri. Dates stay stored in Gregorian.",
    )
    xrm_persian_digits = fields.Boolean(
        string="Persian Digits",
        help="Hijri dates printed with Persian digits (۱۴۰۵/۰۱/۰۱).",
    )

    def _xrm_period_bounds(self, day, months):
        """First and last day of the company's month (1) or quarter (3)."""
        return calendar.period_bounds(day, months, self.xrm_calendar or "gregorian")

    def _xrm_calendar_info(self):
        """What the browser needs to print dates in the company's calendar."""
        return {
            "calendar": self.xrm_calendar or calendar.GREGORIAN,
            "persian_digits": self.xrm_persian_digits,
        }

    def _xrm_hijri_for_reader(self):
        """Dates in Hijri: a Solar Hijri company read in Persian."""
        return (self.xrm_calendar == calendar.JALALI) and calendar.is_persian(
            self.env.lang
        )

    def _xrm_format_date(self, value):
        """A date or datetime as this reader should read it ('' when empty).

        Hijri for a Persian reader of a Solar Hijri company, else what Odoo
        prints for the reader's language (a datetime in their time zone).
        """
        if not value:
            return ""
        is_datetime = isinstance(value, datetime)
        if not self._xrm_hijri_for_reader():
            if is_datetime:
                return format_datetime(self.env, value, dt_format="short")
            return format_date(self.env, value)
        if is_datetime:
            value = fields.Datetime.context_timestamp(self, value).replace(tzinfo=None)
        return calendar.format_jalali(value, self.xrm_persian_digits)
