# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Interactions documented before 19.0.1.2.0 get their "documented once" mark.

Documented ones now, and those put back to To Document since: the state's
tracking says so (its labels are matched in every language they were
logged in).
"""

from odoo.tools import SQL


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        SQL(
            """
            UPDATE xrm_interaction i
               SET was_documented = TRUE
             WHERE i.was_documented IS NOT TRUE
               AND (i.state = 'done' OR EXISTS (
                    SELECT 1
                      FROM mail_message m
                      JOIN mail_tracking_value t ON t.mail_message_id = m.id
                      JOIN ir_model_fields f ON f.id = t.field_id
                      JOIN ir_model_fields_selection s
                        ON s.field_id = f.id AND s.value = 'done'
                     WHERE m.model = 'xrm.interaction'
                       AND m.res_id = i.id
                       AND f.model = 'xrm.interaction'
                       AND f.name = 'state'
                       AND EXISTS (
                            SELECT 1 FROM jsonb_each_text(s.name) label
                             WHERE label.value IN (t.old_value_char, t.new_value_char)
                       )
               ))
            """
        )
    )
