# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Privileged actions check rights, whatever door is used (issue 19, point 5)."""

import json
from datetime import datetime, timedelta

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.res_partner import MAX_HEALTH_PARTNERS
from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestPrivilegedActions(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Guarded Co", "is_company": True, "xrm_relation_type": "customer"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="priv_portal",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create({"name": "Priv Portal", "parent_id": cls.customer.id})
            .id,
        )
        # may edit contacts (Odoo's Contact Creation), has no XRM rights
        cls.contact_editor = new_test_user(
            cls.env,
            login="priv_contacts",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.agent = new_test_user(
            cls.env,
            login="priv_agent",
            name="Hal Helpdesk",
            groups="helpdesk_mgmt.group_helpdesk_user",
        )
        cls.active = cls.env.ref("xrm_relationship.xrm_journey_stage_active")
        cls.support = cls.env.ref("xrm_relationship.xrm_journey_stage_support")
        cls.churned = cls.env["xrm.journey.stage"].search(
            [("is_churn", "=", True)], limit=1
        )

    def test_compute_health_needs_xrm_rights(self):
        for user in (self.contact_editor, self.agent, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).action_xrm_compute_health()
        self.assertTrue(
            self.customer.with_user(self.xrm_user).action_xrm_compute_health()
        )

    def test_compute_health_is_bounded_per_call(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {n}"} for n in range(MAX_HEALTH_PARTNERS + 1)]
        )
        with self.assertRaises(UserError):
            partners.with_user(self.xrm_manager).action_xrm_compute_health()
        self.assertTrue(
            partners[:MAX_HEALTH_PARTNERS]
            .with_user(self.xrm_manager)
            .action_xrm_compute_health()
        )

    def test_internal_user_cannot_change_xrm_fields(self):
        partner = self.customer.with_user(self.contact_editor)
        for vals in (
            {"xrm_stage_id": self.active.id},
            {"xrm_churn_reason": "Too expensive"},
            {"xrm_relation_type": "supplier"},
            {"xrm_max_outbound": 99},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                partner.write(vals)
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(self.contact_editor).create(
                {"name": "Sneaky", "xrm_stage_id": self.active.id}
            )
        # the rest of the contact stays theirs to edit, and to duplicate
        partner.write({"phone": "+1 555 0100"})
        copy = partner.copy()
        self.assertFalse(copy.sudo().xrm_relation_type)
        self.assertFalse(self.customer.xrm_stage_id)
        self.assertFalse(self.customer.xrm_churn_reason)

    def test_admin_without_xrm_rights_merges_contacts_with_xrm_values(self):
        self.customer.write({"email": "ops@guarded.example.com"})
        twin = self.env["res.partner"].create(
            {
                "name": "Guarded Co (twin)",
                "is_company": True,
                "email": "ops@guarded.example.com",
                "xrm_relation_type": "agent",
                "xrm_cs_score": 80.0,
            }
        )
        # Odoo lets administrators merge; this one has no XRM rights
        admin = new_test_user(
            self.env,
            login="priv_admin",
            groups="base.group_system,base.group_partner_manager",
        )
        wizard = (
            self.env["base.partner.merge.automatic.wizard"].with_user(admin).create({})
        )
        wizard._merge((self.customer | twin).ids, self.customer.with_user(admin))
        self.assertFalse(twin.exists())
        self.assertEqual(self.customer.xrm_cs_score, 80.0)

    def test_computed_scores_are_written_by_the_system_only(self):
        for user in (self.xrm_user, self.xrm_manager):
            for vals in ({"xrm_health": "green"}, {"xrm_cs_score": 99.0}):
                with self.subTest(user=user.login, vals=vals):
                    with self.assertRaises(AccessError):
                        self.customer.with_user(user).write(vals)
        # a salesperson moves the journey
        self.customer.with_user(self.xrm_user).write({"xrm_stage_id": self.active.id})
        self.assertEqual(self.customer.xrm_stage_id, self.active)

    def test_agent_without_xrm_rights_moves_the_stage_through_tickets(self):
        self.env["ir.config_parameter"].set_param(
            "xrm_relationship.auto_support", "True"
        )
        self.customer.xrm_stage_id = self.active
        Ticket = self.env["helpdesk.ticket"].with_user(self.agent)
        ticket = Ticket.create(
            {
                "name": "Printer broken",
                "description": "<p>It smokes.</p>",
                "partner_id": self.customer.id,
            }
        )
        self.assertEqual(self.customer.xrm_stage_id, self.support)
        ticket.write(
            {"stage_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id}
        )
        self.assertEqual(self.customer.xrm_stage_id, self.active)

    def test_refresh_suggestions_needs_a_helpdesk_agent(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Printer jams",
                "description": "<p>jam</p>",
                "partner_id": self.portal_user.partner_id.id,
            }
        )
        for user in (self.portal_user, self.plain_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).action_xrm_refresh_suggestions()
        self.assertTrue(ticket.with_user(self.agent).action_xrm_refresh_suggestions())


@tagged("post_install", "-at_install")
class TestPrivilegedActionsExternal(HttpCase):
    """The same locks through JSON-2 (API key) and the portal's session."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Remote Co", "is_company": True}
        )
        cls.internal = new_test_user(
            cls.env,
            login="priv_internal",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="priv_portal_http",
            password="priv_portal_http",
            groups="base.group_portal",
            partner_id=cls.env["res.partner"]
            .create(
                {
                    "name": "Remote Portal",
                    "parent_id": cls.customer.id,
                    "email": "portal@remote.example.com",
                }
            )
            .id,
        )
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.internal)
            ._generate(
                scope="rpc",
                name="priv",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )
        cls.active = cls.env.ref("xrm_relationship.xrm_journey_stage_active")

    def _json2(self, model, method, **params):
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(params),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.key}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )

    @mute_logger("odoo.http")
    def test_json2_internal_user_cannot_write_xrm_fields(self):
        for method, params in (
            ("write", {"ids": self.customer.ids, "vals": {"xrm_stage_id": 1}}),
            ("write", {"ids": self.customer.ids, "vals": {"xrm_churn_reason": "x"}}),
            ("create", {"vals_list": [{"name": "X", "xrm_relation_type": "agent"}]}),
            ("action_xrm_compute_health", {"ids": self.customer.ids}),
        ):
            with self.subTest(method=method, params=params):
                response = self._json2("res.partner", method, **params)
                self.assertEqual(response.status_code, 403, response.text)
        self.assertFalse(self.customer.xrm_stage_id)
        self.assertFalse(self.customer.xrm_churn_reason)
        self.assertFalse(self.env["res.partner"].search([("name", "=", "X")]))
        # the contact itself stays editable through the API
        response = self._json2(
            "res.partner", "write", ids=self.customer.ids, vals={"phone": "+1 555"}
        )
        self.assertEqual(response.status_code, 200, response.text)

    @mute_logger("odoo.http")
    def test_portal_files_a_ticket_but_cannot_run_the_refresh(self):
        self.authenticate(self.portal_user.login, self.portal_user.login)
        response = self.url_open(
            "/submitted/ticket",
            data={
                "subject": "Portal printer jams",
                "description": "The printer jams on every page.",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertEqual(response.status_code, 200)
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Portal printer jams")]
        )
        self.assertEqual(ticket.partner_id, self.portal_user.partner_id)
        for method, kwargs in (
            ("action_xrm_refresh_suggestions", {}),
            ("read", {"fields": ["xrm_suggestion_ids"]}),
        ):
            with self.subTest(method=method):
                with self.assertRaisesRegex(JsonRpcException, "AccessError"):
                    self.make_jsonrpc_request(
                        f"/web/dataset/call_kw/helpdesk.ticket/{method}",
                        {
                            "model": "helpdesk.ticket",
                            "method": method,
                            "args": [ticket.ids],
                            "kwargs": kwargs,
                        },
                    )
