# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Contact pressure: counting, the warnings and the breach KPI, by hand."""

from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import XrmWorld

D = date(2026, 6, 1)


@tagged("post_install", "-at_install")
class TestContactPressure(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ICP = cls.env["ir.config_parameter"].sudo()
        for key, value in {
            "pressure_period_days": "30",
            "pressure_max_customer": "5",
            "pressure_max_agent": "2",
            "pressure_max_supplier": "0",
            "pressure_max_other": "0",
            "capture_email": "True",
        }.items():
            ICP.set_param(f"xrm_relationship.{key}", value)
        cls.now = fields.Datetime.now().replace(microsecond=0)

    def _ago(self, days, hours=0):
        return fields.Datetime.to_string(self.now - timedelta(days=days, hours=hours))

    def _pressed_world(self):
        pressed = self._partner("Pressed Co", xrm_max_outbound=3)
        self._interaction(pressed, self._ago(1), direction="outbound")
        self._interaction(
            pressed, self._ago(10), user=self.bob, direction="outbound", channel="email"
        )
        self._interaction(pressed, self._ago(29, 23), direction="outbound")
        self._interaction(pressed, self._ago(31), direction="outbound")  # too old
        self._interaction(pressed, self._ago(2), direction="inbound")  # inbound
        self._interaction(
            pressed, self._ago(3), direction="outbound", active=False
        )  # archived
        return pressed

    def test_pressure_counted_and_shown_everywhere(self):
        pressed = self._pressed_world()
        self.assertEqual(pressed.xrm_pressure_count, 3)
        self.assertEqual(pressed.xrm_pressure_limit, 3)
        self.assertEqual(pressed.xrm_pressure_state, "full")
        self.assertEqual(pressed.xrm_pressure_label, "3 / 3 outbound in 30 days")
        # a contact person shows its company's pressure
        person = self.env["res.partner"].create(
            {"name": "Pat Pressed", "parent_id": pressed.id}
        )
        self.assertEqual(person.xrm_pressure_label, "3 / 3 outbound in 30 days")
        # the relationship type's default applies without an own limit
        calm = self._partner("Calm Co")
        self._interaction(calm, self._ago(4), direction="outbound")
        self.assertEqual(calm.xrm_pressure_label, "1 / 5 outbound in 30 days")
        self.assertEqual(calm.xrm_pressure_state, "ok")
        free = self._partner("Supplier Co", rtype="supplier")
        self.assertEqual(free.xrm_pressure_label, "0 outbound in 30 days")
        # lead and ticket show the relationship's pressure
        lead = self.env["crm.lead"].create(
            {"name": "More", "partner_id": person.id, "company_id": self.company.id}
        )
        self.assertEqual(lead.xrm_pressure_label, "3 / 3 outbound in 30 days")
        self.assertEqual(lead.xrm_pressure_state, "full")
        ticket = self._ticket(pressed, False)
        self.assertEqual(ticket.xrm_pressure_label, "3 / 3 outbound in 30 days")
        # one more makes it "over"
        self._interaction(pressed, self._ago(0, 1), direction="outbound")
        pressed.invalidate_recordset()
        self.assertEqual(pressed.xrm_pressure_state, "over")
        self.assertEqual(pressed.xrm_pressure_label, "4 / 3 outbound in 30 days")

    def test_logging_one_too_many_warns_with_who_contacted(self):
        pressed = self._pressed_world()
        Interaction = self.env["xrm.interaction"].with_user(self.alice)
        Interaction = Interaction.with_company(self.company)
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs:
            form = Form(Interaction)
            form.partner_id = pressed
            form.direction = "outbound"
        message = "\n".join(logs.output)
        self.assertIn(
            "Pressed Co has already had 3 outbound contacts in the last 30 days "
            "(limit 3)",
            message,
        )
        self.assertIn("Alice", message)
        self.assertIn("Bob", message)
        self.assertIn("Email", message)
        # not blocking: it is saved all the same
        form.channel = "phone"
        interaction = form.save()
        self.assertEqual(interaction.partner_id, pressed)
        # inbound, or under the limit: no warning
        calm = self._partner("Calm Co")
        for partner, direction in ((pressed, "inbound"), (calm, "outbound")):
            record = Interaction.new({"partner_id": partner.id, "direction": direction})
            self.assertIsNone(record._onchange_xrm_pressure())
        # editing one of the three counts the other two: 2 + 1 is within 3
        pressed2 = self._partner("Pressed Two", xrm_max_outbound=3)
        first = self._interaction(pressed2, self._ago(1), direction="outbound")
        self._interaction(pressed2, self._ago(2), direction="outbound")
        self._interaction(pressed2, self._ago(3), direction="outbound")
        self.assertIsNone(first._onchange_xrm_pressure())
        self.assertTrue(
            Interaction.new(
                {"partner_id": pressed2.id, "direction": "outbound"}
            )._onchange_xrm_pressure()
        )

    def test_composer_warns_before_an_email_too_many(self):
        pressed = self._pressed_world()
        lead = self.env["crm.lead"].create(
            {"name": "Again", "partner_id": pressed.id, "company_id": self.company.id}
        )
        composer = (
            self.env["mail.compose.message"]
            .with_context(default_model="crm.lead", default_res_ids=[lead.id])
            .create({"body": "Hello again"})
        )
        self.assertIn(
            "Pressed Co has already had 3 outbound contacts",
            composer.xrm_pressure_warning,
        )
        calm = self._partner("Calm Co")
        composer = (
            self.env["mail.compose.message"]
            .with_context(default_model="res.partner", default_res_ids=[calm.id])
            .create({"body": "Hello"})
        )
        self.assertFalse(composer.xrm_pressure_warning)

    def test_contact_pressure_breaches_kpi(self):
        """W = [2026-05-02, 2026-06-01); pressure period 30 days.

        Agent (limit 2 from its type): outbound on 04-20, 05-05 (2nd: within),
        05-10 (3rd in [04-10, 05-10]: breach, Alice), 05-12 (4th: breach, Bob),
        06-01 (on D: out). Customer with its own limit 1: 04-01 (more than 30
        days before any contact in W), 04-05 (before W: seen, not counted),
        05-02 00:00 (04-05 and itself: 2 > 1, breach, Alice), 05-30 (05-02 and
        itself: breach, Bob). Supplier (no limit): never.
        Alice 2, Bob 2, company 4.
        """
        kpi = self._kpi("contact_pressure_breaches")
        agent = self._partner("Agent Co", rtype="agent")
        out = {"direction": "outbound"}
        self._interaction(agent, "2026-04-20 10:00:00", **out)
        self._interaction(agent, "2026-05-05 10:00:00", **out)
        self._interaction(agent, "2026-05-10 10:00:00", **out)
        self._interaction(agent, "2026-05-12 10:00:00", user=self.bob, **out)
        self._interaction(agent, "2026-06-01 00:00:00", **out)
        self._interaction(agent, "2026-05-11 10:00:00", direction="inbound")
        customer = self._partner("Own Limit Co", xrm_max_outbound=1)
        self._interaction(customer, "2026-04-01 10:00:00", **out)  # before lookback
        self._interaction(customer, "2026-04-05 10:00:00", **out)  # seen, not in W
        self._interaction(customer, "2026-05-02 00:00:00", **out)
        self._interaction(customer, "2026-05-30 10:00:00", user=self.bob, **out)
        supplier = self._partner("Supplier Co", rtype="supplier")
        for day in range(3, 20):
            self._interaction(supplier, f"2026-05-{day:02d} 10:00:00", **out)
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertEqual(scopes[None].value, 4)
        self.assertEqual(scopes[self.alice].value, 2)
        self.assertEqual(scopes[self.bob].value, 2)
        self.assertEqual(kpi.last_status, "warning")  # any breach: warning
        breaches = self.env["xrm.interaction"].search(
            scopes[None].action_open_numerator()["domain"]
        )
        self.assertEqual(
            sorted(breaches.mapped("date")),
            sorted(
                self._dt(v)
                for v in (
                    "2026-05-10 10:00:00",
                    "2026-05-12 10:00:00",
                    "2026-05-02 00:00:00",
                    "2026-05-30 10:00:00",
                )
            ),
        )

    def _dt(self, text):
        return fields.Datetime.to_datetime(text)

    def test_limits_are_checked_and_for_managers(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xrm_pressure_max_customer": -2})
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xrm_pressure_period_days": 0})
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.alice).create(
                {"xrm_pressure_max_customer": 50}
            )
