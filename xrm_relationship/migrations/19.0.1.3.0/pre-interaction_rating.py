# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""xrm.interaction inherits rating.mixin: its stored ``rating_last_value``.

Created here, before the module update, so Odoo finds the column and does not
compute it row by row in Python for every interaction (10,000,000 of them on
a large database). Adding a column without a default rewrites no row; the
only interactions with an answered rating (there are none before this
version, unless ratings were posted on them by hand) are filled in one UPDATE.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column


def migrate(cr, version):
    if column_exists(cr, "xrm_interaction", "rating_last_value"):
        return
    create_column(cr, "xrm_interaction", "rating_last_value", "float8")
    # The mixin's rule: the rating of the last written answered rating.
    cr.execute(
        SQL(
            """
            UPDATE xrm_interaction i
               SET rating_last_value = last.rating
              FROM (
                SELECT DISTINCT ON (r.res_id) r.res_id, r.rating
                  FROM rating_rating r
                 WHERE r.res_model = 'xrm.interaction' AND r.consumed
                 ORDER BY r.res_id, r.write_date DESC, r.id DESC
              ) last
             WHERE last.res_id = i.id
            """
        )
    )
