# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Pieces the analysis reports (report/) share."""

from odoo import fields
from odoo.exceptions import UserError
from odoo.tools import SQL


def selection_index_sql(table, column, selection):
    """SQL: the 1-based place of ``table.column``'s value in ``selection``.

    0 when empty; with the other keys of a row it makes a stable row id that
    the report can read again.
    """
    return SQL(
        "COALESCE(array_position(%s::varchar[], %s::varchar), 0)",
        [code for code, _label in selection],
        SQL.identifier(table, column),
    )


def context_date(model, key, message):
    """The date in ``model``'s context under ``key``, today when absent.

    ``message`` is the (translated) error for a value that is not a date.
    """
    try:
        value = fields.Date.to_date(model.env.context.get(key))
    except (TypeError, ValueError) as error:
        raise UserError(message) from error
    return value or fields.Date.context_today(model)
