# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Our own data records read in Persian, also when Persian comes after us.

A database gets Persian after the addon is installed: Odoo then imports
``fa.po`` onto the records that have the xmlids it names. The KPI
definitions of other companies are copies made by code, with no xmlid.
"""

from odoo.tests import tagged

from .common import XrmCommon

FA = "fa_IR"


@tagged("post_install", "-at_install")
class TestDataInPersian(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second company before Persian: its KPIs are copies.
        cls.other = cls.env["res.company"].create({"name": "Persian later"})
        cls.env["xrm.kpi.definition"]._xrm_ensure_company_kpis()
        lang = cls.env["res.lang"]._activate_lang(FA)
        # What installing a language does (base.language.install), for our module.
        cls.env["ir.module.module"]._load_module_terms(
            ["xrm_relationship"], [lang.code]
        )

    def _kpi(self, company, code="csat_avg"):
        return (
            self.env["xrm.kpi.definition"]
            .with_context(active_test=False, lang=FA)
            .search([("company_id", "=", company.id), ("code", "=", code)])
        )

    def test_shipped_records_read_in_persian(self):
        ref = self.env.ref
        self.assertEqual(
            ref("xrm_relationship.xrm_journey_stage_active").with_context(lang=FA).name,
            "فعال",
        )
        self.assertEqual(
            ref("xrm_relationship.xrm_kpi_csat_avg").with_context(lang=FA).name,
            "میانگین رضایت",
        )
        tier = ref("xrm_relationship.xrm_relationship_tier_key")
        self.assertNotEqual(
            tier.with_context(lang=FA).name, tier.with_context(lang="en_US").name
        )

    def test_company_copies_of_kpis_read_in_persian(self):
        # copied before Persian was added
        self.assertEqual(self._kpi(self.other).name, "میانگین رضایت")
        self.assertEqual(
            self._kpi(self.other).with_context(lang="en_US").name,
            "Average Satisfaction",
        )
        # copied after
        later = self.env["res.company"].create({"name": "After Persian"})
        self.env["xrm.kpi.definition"]._xrm_ensure_company_kpis()
        self.assertEqual(self._kpi(later).name, "میانگین رضایت")
