# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestSecurity(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Secret Customer", "is_company": True}
        )
        cls.interaction = cls.env["xrm.interaction"].create(
            {
                "partner_id": cls.customer.id,
                "summary": "Confidential pricing",
                "outcome": "positive",
                "quality": 4,
                "state": "done",
                "user_id": cls.xrm_manager.id,
            }
        )
        cls.portal_user = new_test_user(
            cls.env, login="xrm_portal", groups="base.group_portal"
        )
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.manager_b = new_test_user(
            cls.env,
            login="xrm_manager_b",
            groups="xrm_relationship.group_xrm_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, [cls.company_b.id])],
        )

    def test_portal_and_internal_users_see_nothing(self):
        stage = self.env.ref("xrm_relationship.xrm_journey_stage_active")
        self.customer.xrm_stage_id = stage
        transition = self.customer.xrm_transition_ids
        for user in (self.portal_user, self.plain_user):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.interaction.with_user(user).read(["summary"])
                with self.assertRaises(AccessError):
                    transition.with_user(user).read(["to_stage_id"])
                with self.assertRaises(AccessError):
                    self.env["xrm.interaction"].with_user(user).create(
                        {"partner_id": self.customer.id}
                    )
        with self.assertRaises(AccessError):
            stage.with_user(self.portal_user).read(["name"])

    def test_other_company_manager_sees_nothing(self):
        Interaction = self.env["xrm.interaction"].with_user(self.manager_b)
        self.assertFalse(Interaction.search([("id", "=", self.interaction.id)]))
        with self.assertRaises(AccessError):
            self.interaction.with_user(self.manager_b).read(["summary"])

    def test_internal_user_without_xrm_rights_reads_contacts_without_error(self):
        # Opening a contact must not fail on the XRM counters and panel.
        fields_to_read = [
            "name",
            "xrm_interaction_count",
            "xrm_engagement_count",
            "xrm_is_first_contact",
            "xrm_last_meaningful_id",
            "xrm_to_document_count",
        ]
        [values] = self.customer.with_user(self.plain_user).read(fields_to_read)
        self.assertEqual(values["xrm_interaction_count"], 0)
        self.assertFalse(values["xrm_last_meaningful_id"])
        self.assertEqual(
            self.customer.with_user(self.xrm_manager).xrm_interaction_count, 1
        )
