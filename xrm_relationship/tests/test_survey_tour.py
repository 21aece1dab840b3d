# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The satisfaction request in a browser (issue 14 acceptance): the
salesperson documents a call, the customer answers 2 on Odoo's rating page,
the salesperson sees the follow-up activity."""

from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSurveyTour(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.survey_phone", "True"
        )
        cls.seller = new_test_user(
            cls.env,
            login="tour_survey_seller",
            name="Sally Seller",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Vox Tour Co",
                "is_company": True,
                "xrm_relation_type": "customer",
                "user_id": cls.seller.id,
            }
        )
        cls.vera = cls.env["res.partner"].create(
            {
                "name": "Vera Vox",
                "parent_id": cls.customer.id,
                "email": "vera@voxtour.example.com",
            }
        )
        cls.interaction = cls.env["xrm.interaction"].create(
            {
                "partner_id": cls.vera.id,
                "user_id": cls.seller.id,
                "channel": "phone",
                "date": fields.Datetime.now() - timedelta(hours=2),
                "summary": "Renewal call",
                "outcome": "neutral",
                "quality": 3,
            }
        )

    def test_document_answer_follow_up(self):
        url = f"/odoo/xrm.interaction/{self.interaction.id}"
        self.start_tour(url, "xrm_survey_document_tour", login="tour_survey_seller")
        rating = self.interaction.rating_ids
        self.assertEqual(len(rating), 1)
        # The customer follows the link of the mail (not logged in).
        self.start_tour(f"/rate/{rating.access_token}/3", "xrm_survey_answer_tour")
        self.interaction.invalidate_recordset()
        self.assertEqual(self.interaction.csat, 2)
        self.assertEqual(len(self.interaction.activity_ids), 1)
        self.assertEqual(self.interaction.activity_ids.user_id, self.seller)
        self.start_tour(url, "xrm_survey_followup_tour", login="tour_survey_seller")
