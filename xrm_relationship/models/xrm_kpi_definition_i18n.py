# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.tools import SQL

# The KPI texts fa.po (or any .po) translates.
TRANSLATED = ("name", "description")


class XrmKpiDefinition(models.Model):
    """The shipped KPIs' translations on their per-company copies.

    Each company's KPIs are copies made by code (``_xrm_ensure_company_kpis``)
    and have no xmlid, so Odoo's translation import, which finds records by
    xmlid, never reaches them: a language added after the addon left them in
    English. Each copy takes the languages it lacks from the shipped record of
    its code, as long as its English text is still the shipped one (a text a
    company rewrote keeps its own words).
    """

    _inherit = "xrm.kpi.definition"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _xrm_copy_shipped_translations(self):
        self.env.flush_all()
        shipped = SQL(
            """
            SELECT d.code, d.name, d.description
              FROM xrm_kpi_definition d
              JOIN ir_model_data imd
                ON imd.model = 'xrm.kpi.definition' AND imd.res_id = d.id
               AND imd.module = 'xrm_relationship'
            """
        )
        for field in TRANSLATED:
            column = SQL.identifier(field)
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE xrm_kpi_definition c
                       SET %(column)s = s.%(column)s || c.%(column)s
                      FROM (%(shipped)s) s
                     WHERE c.code = s.code
                       AND c.%(column)s->>'en_US' = s.%(column)s->>'en_US'
                       AND NOT (c.%(column)s @> s.%(column)s)
                       AND NOT EXISTS (
                           SELECT 1 FROM ir_model_data m
                            WHERE m.model = 'xrm.kpi.definition' AND m.res_id = c.id)
                    """,
                    column=column,
                    shipped=shipped,
                )
            )
        self.env.invalidate_all()


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _load_module_terms(self, modules, langs, overwrite=False):
        # Installing or updating a language: the per-company copies follow.
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "xrm_relationship" in modules and "xrm.kpi.definition" in self.env:
            self.env["xrm.kpi.definition"]._xrm_copy_shipped_translations()
        return result
