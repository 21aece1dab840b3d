# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Values of the wrong kind, refused with a message that names the field.

Forms never send them, outside systems do (JSON-2, XML-RPC): a score given as
"excellent" or a date as "yesterday" must be a clear validation error, not a
server error with a traceback, and a text in a relation field must not be
silently read as "empty".
"""

from odoo import _, models
from odoo.exceptions import ValidationError

CONVERTED = ("integer", "float", "monetary", "date", "datetime", "selection")


def check_input_types(records, vals_list):
    for vals in vals_list:
        for name, value in vals.items():
            field = records._fields.get(name)
            if field is None or value is False or value is None:
                continue
            try:
                if field.type == "many2one":
                    valid = type(value) is int or (
                        isinstance(value, models.BaseModel)
                        and value._name == field.comodel_name
                        and len(value) <= 1
                    )
                elif field.type in CONVERTED:
                    field.convert_to_cache(value, records)
                    valid = True
                else:
                    continue
            except (ValueError, TypeError):
                valid = False
            if not valid:
                raise ValidationError(
                    _(
                        "%(field)s: %(value)s is not a valid value.",
                        field=field._description_string(records.env),
                        value=repr(value)[:100],
                    )
                )
