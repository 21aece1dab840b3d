# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Two indexes of xrm.interaction no query reads, which every capture wrote.

``partner_id`` lost its own index (``xrm_interaction_partner_date_idx`` leads
with it) and ``is_meaningful`` its one (half the rows either way; the
meaningful ones are read through ``xrm_interaction_meaningful_idx``). Odoo
keeps an index a field no longer asks for: they are dropped here.
"""

from odoo.tools.sql import drop_index


def migrate(cr, version):
    for name in (
        "xrm_interaction__partner_id_index",
        "xrm_interaction__is_meaningful_index",
    ):
        drop_index(cr, name, "xrm_interaction")
