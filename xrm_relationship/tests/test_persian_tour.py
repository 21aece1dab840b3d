# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The web client in Persian, right to left, with Solar Hijri dates.

Odoo builds its right-to-left styles with the ``rtlcss`` program (the setup
installs it); the tours check ``html[dir=rtl]`` on our screens.
"""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

FA = "fa_IR"


@tagged("post_install", "-at_install")
class TestPersianTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang(FA)
        cls.env.company.xrm_calendar = "jalali"
        cls.persian = new_test_user(
            cls.env,
            login="tour_persian",
            groups="xrm_relationship.group_xrm_manager,sales_team.group_sale_manager",
            lang=FA,
        )
        stage = cls.env["xrm.journey.stage"].create(
            {"name": "Tour Stage", "max_days": 10, "sequence": 900}
        )
        stage.with_context(lang=FA).name = "مرحلهٔ تور"
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "Tour Partner FA",
                "is_company": True,
                "xrm_relation_type": "customer",
                "user_id": cls.persian.id,
            }
        )
        cls.env["xrm.interaction"].create(
            {
                "partner_id": cls.partner.id,
                "user_id": cls.persian.id,
                "date": fields.Datetime.now() - timedelta(days=20),
                "state": "done",
                "summary": "Review",
                "outcome": "positive",
                "quality": 4,
            }
        )
        # In the stage too long: at risk, with its last contact shown.
        cls.partner.write(
            {
                "xrm_stage_id": stage.id,
                "xrm_stage_date": fields.Datetime.now() - timedelta(days=40),
            }
        )

    def test_dashboard_in_persian(self):
        self.start_tour(
            "/odoo/xrm-dashboard", "xrm_persian_dashboard_tour", login="tour_persian"
        )

    def test_partner_tabs_in_persian(self):
        self.start_tour(
            f"/odoo/res.partner/{self.partner.id}",
            "xrm_persian_partner_tour",
            login="tour_persian",
        )
