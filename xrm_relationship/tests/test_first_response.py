# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Website leads: one acknowledgement, the first human response, its KPI."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import tagged

from odoo.addons.xrm_relationship.models.crm_lead import (
    ACK_LOCK_MAX,
    ACK_LOCK_NAMESPACE,
)

from .common import XrmWorld, dt

D = date(2026, 6, 1)


@tagged("post_install", "-at_install")
class TestFirstResponse(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env.ref("utm.utm_medium_website")
        cls.portal_source = cls.env["utm.source"].create({"name": "Partner portal"})
        cls.company.write(
            {
                "xrm_ack_medium_ids": [(6, 0, cls.website.ids)],
                "xrm_ack_source_ids": [(6, 0, cls.portal_source.ids)],
            }
        )
        cls.team = cls.env["crm.team"].create(
            {"name": "Web Team", "company_id": cls.company.id}
        )

    def _lead(self, name, created=None, **vals):
        lead = self.env["crm.lead"].create(
            {
                "name": name,
                "type": "lead",
                "company_id": self.company.id,
                "email_from": f"{name.lower().replace(' ', '.')}@example.com",
                "medium_id": self.website.id,
                "user_id": self.alice.id,
                **vals,
            }
        )
        if created:
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s WHERE id = %s",
                [dt(created), lead.id],
            )
            lead.invalidate_recordset(["create_date"])
        return lead

    def _mails(self, lead):
        return self.env["mail.mail"].search(
            [("model", "=", "crm.lead"), ("res_id", "=", lead.id)]
        )

    def test_acknowledgement_sent_once_per_lead(self):
        lead = self._lead("Web Lead")
        self.assertTrue(lead.xrm_fast_response)
        self.assertTrue(lead.xrm_ack_sent_date)
        mails = self._mails(lead)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.subject, "We received your request: Web Lead")
        self.assertEqual(mails.email_to, "web.lead@example.com")
        self.assertIn("a person will answer you shortly", str(mails.body_html))
        self.assertIn("Acknowledgement", lead.message_ids[0].body)
        # an update never sends it again, not even a new source
        lead.write({"name": "Web Lead (renamed)", "description": "<p>More</p>"})
        lead.write({"medium_id": self.website.id, "source_id": self.portal_source.id})
        self.assertEqual(len(self._mails(lead)), 1)
        # a duplicate made in the back office does not write to the customer
        self.assertFalse(self._mails(lead.copy()))
        # the automatic email is neither a contact nor a human answer
        self.assertFalse(
            self.env["xrm.interaction"].search([("lead_id", "=", lead.id)])
        )
        self.assertFalse(lead.xrm_first_response_date)
        # the team's own template; a configured source; others get nothing
        template = self.env["mail.template"].create(
            {
                "name": "Web team thanks",
                "model_id": self.env["ir.model"]._get_id("crm.lead"),
                "subject": "Thanks from the web team: {{ object.name }}",
                "email_to": "{{ object.email_from }}",
                "body_html": "<p>We will call you within the hour.</p>",
            }
        )
        self.team.xrm_ack_template_id = template
        team_lead = self._lead("Team Lead", team_id=self.team.id)
        self.assertEqual(
            self._mails(team_lead).subject, "Thanks from the web team: Team Lead"
        )
        portal = self._lead(
            "Portal Lead", medium_id=False, source_id=self.portal_source.id
        )
        self.assertEqual(len(self._mails(portal)), 1)
        phone = self._lead(
            "Phone Lead", medium_id=self.env.ref("utm.utm_medium_phone").id
        )
        self.assertFalse(phone.xrm_fast_response)
        self.assertFalse(self._mails(phone))
        no_email = self._lead("No Email", email_from=False)
        self.assertTrue(no_email.xrm_fast_response)
        self.assertFalse(no_email.xrm_ack_sent_date)

    def test_first_human_response_and_kpi(self):
        """W = [2026-05-02, 2026-06-01) (30 days).

        A (Alice) created 05-10 10:00: a note at 10:05 and an inbound contact
        at 10:10 are no answer, an outbound call logged for 10:30 by Bob is:
        30 min; an email by Alice at 11:00 comes later. B (Bob) created 05-12
        08:00: the customer writes at 08:10, Bob answers at 10:00: 120 min.
        C (Alice) created 05-31 12:00, unanswered: 720 min until D.
        F (Bob) created 05-31 23:00, answered 06-01 01:00: 60 min until D.
        Company (30 + 120 + 720 + 60) / 4 = 232.5; Alice 750 / 2 = 375;
        Bob 180 / 2 = 90. Leads before W or not from the website: out.
        """
        kpi = self._kpi("first_response_minutes")
        customer = self._partner("Web Customer")
        lead_a = self._lead("Lead A", "2026-05-10 10:00:00", partner_id=customer.id)
        with freeze_time("2026-05-10 10:05:00"):
            lead_a.with_user(self.alice).message_post(
                body="Looks promising", subtype_xmlid="mail.mt_note"
            )
        self._interaction(
            customer, "2026-05-10 09:50:00", direction="outbound", lead_id=lead_a.id
        )  # before the lead existed
        self._interaction(
            customer, "2026-05-10 10:10:00", direction="inbound", lead_id=lead_a.id
        )
        self._interaction(
            customer,
            "2026-05-10 10:30:00",
            user=self.bob,
            direction="outbound",
            lead_id=lead_a.id,
        )
        with freeze_time("2026-05-10 11:00:00"):
            lead_a.with_user(self.alice).message_post(
                body="Here is our offer",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertAlmostEqual(lead_a.xrm_first_response_minutes, 30.0)
        self.assertEqual(lead_a.xrm_first_response_user_id, self.bob)

        lead_b = self._lead("Lead B", "2026-05-12 08:00:00", user_id=self.bob.id)
        visitor = self.env["res.partner"].create(
            {"name": "Visitor", "email": "visitor@example.com"}
        )
        with freeze_time("2026-05-12 08:10:00"):
            lead_b.message_post(
                body="Any news?",
                author_id=visitor.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertFalse(lead_b.xrm_first_response_date)
        with freeze_time("2026-05-12 10:00:00"):
            lead_b.with_user(self.bob).message_post(
                body="Happy to help",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertAlmostEqual(lead_b.xrm_first_response_minutes, 120.0)
        self.assertEqual(lead_b.xrm_first_response_user_id, self.bob)

        self._lead("Lead C", "2026-05-31 12:00:00")
        customer_f = self._partner("Late Customer")
        lead_f = self._lead(
            "Lead F",
            "2026-05-31 23:00:00",
            partner_id=customer_f.id,
            user_id=self.bob.id,
        )
        self._interaction(
            customer_f, "2026-06-01 01:00:00", direction="outbound", lead_id=lead_f.id
        )
        self.assertAlmostEqual(lead_f.xrm_first_response_minutes, 120.0)
        # out: created before W, or not from a fast-response source
        self._lead("Lead Old", "2026-04-01 10:00:00")
        self._lead(
            "Lead Phone",
            "2026-05-20 10:00:00",
            medium_id=self.env.ref("utm.utm_medium_phone").id,
        )
        scopes = self._by_scope(kpi.compute_kpis(as_of=D))
        self.assertValue(scopes[None], 232.5, 930, 4)
        self.assertValue(scopes[self.alice], 375.0, 750, 2)
        self.assertValue(scopes[self.bob], 90.0, 180, 2)
        self.assertEqual(kpi.unit, "minutes")

    def test_settings_are_for_managers(self):
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.alice).create(
                {"xrm_ack_medium_ids": [(6, 0, [])]}
            )
        with self.assertRaises(AccessError):
            self.team.with_user(self.alice).write({"xrm_ack_template_id": False})

    def _acknowledged(self, leads):
        return leads.filtered("xrm_ack_sent_date")

    def test_acknowledgement_rate_limited_per_address_and_domain(self):
        """Outsiders cannot make us write to anyone at will.

        Defaults: 3 per address and 20 per domain in 24 hours; public webmail
        domains count per address only. Every lead is kept; a skipped
        acknowledgement is noted on the lead.
        """
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xrm_ack_max_per_email, 3)
        self.assertEqual(settings.xrm_ack_max_per_domain, 20)
        with freeze_time("2026-06-01 10:00:00"):
            one_by_one = self.env["crm.lead"]
            for n in range(5):
                one_by_one |= self._lead(
                    f"Victim {n}", email_from='"Victim" <Victim@Target.example>'
                )
            self.assertEqual(len(one_by_one), 5, "every lead is kept")
            self.assertEqual(self._acknowledged(one_by_one), one_by_one[:3])
            self.assertEqual(len(self._mails(one_by_one[0])), 1)
            self.assertFalse(self._mails(one_by_one[3]))
            self.assertIn("not sent", one_by_one[4].message_ids[0].body)
            self.assertIn("victim@target.example", one_by_one[4].message_ids[0].body)
            # one batch of many leads: the same limit, counted within it
            batch = self.env["crm.lead"].create(
                [
                    {
                        "name": f"Batch {n}",
                        "type": "lead",
                        "company_id": self.company.id,
                        "email_from": "batch@target.example",
                        "medium_id": self.website.id,
                    }
                    for n in range(5)
                ]
            )
            self.assertEqual(len(self._acknowledged(batch)), 3)
            # the domain: 20 in all (3 + 3 so far), whatever the address
            others = self.env["crm.lead"].browse()
            for n in range(16):
                others |= self._lead(f"Other {n}", email_from=f"o{n}@target.example")
            self.assertEqual(self._acknowledged(others), others[:14])
            self.assertIn("target.example", others[-1].message_ids[0].body)
            # webmail: only per address
            webmail = self.env["crm.lead"].browse()
            for n in range(25):
                webmail |= self._lead(f"Gmail {n}", email_from=f"g{n}@gmail.com")
            self.assertEqual(self._acknowledged(webmail), webmail)
        # a day later the address is welcome again
        with freeze_time("2026-06-02 10:00:01"):
            again = self._lead("Victim again", email_from="victim@target.example")
            self.assertTrue(again.xrm_ack_sent_date)

    def test_acknowledgement_never_waits_for_a_concurrent_one(self):
        """Another transaction acknowledging the same address (or domain) at
        this moment holds its lock: this lead is kept, noted, and not
        acknowledged, so that the two cannot pass the limit together; once
        the other has committed, the address is acknowledged again."""
        other = db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(other.close)

        def hold(key):
            # a try-lock: this test must fail, not hang, if the key is taken
            other.execute(
                "SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))",
                (ACK_LOCK_NAMESPACE, key),
            )
            self.assertTrue(other.fetchone()[0], key)

        hold("email:busy@target.example")
        busy = self._lead("Busy", email_from="busy@target.example")
        self.assertTrue(busy.exists(), "the lead is kept")
        self.assertFalse(busy.xrm_ack_sent_date)
        self.assertIn("same moment", busy.message_ids[0].body)
        # a colleague at the same domain is not held up by that address
        colleague = self._lead("Colleague", email_from="colleague@target.example")
        self.assertTrue(colleague.xrm_ack_sent_date)
        # a domain being acknowledged elsewhere holds up its addresses
        hold("domain:held.example")
        held = self._lead("Held domain", email_from="third@held.example")
        self.assertFalse(held.xrm_ack_sent_date)
        # webmail is counted per address only: its domain is never locked
        hold("domain:gmail.com")
        webmail = self._lead("Webmail", email_from="someone@gmail.com")
        self.assertTrue(webmail.xrm_ack_sent_date)
        other.rollback()  # the other transaction ends
        again = self._lead("Busy again", email_from="busy@target.example")
        self.assertTrue(again.xrm_ack_sent_date)

    def test_bulk_creation_holds_a_bounded_number_of_locks(self):
        """An import of many leads in one transaction is not two forms racing:
        past ACK_LOCK_MAX keys it takes no lock per address (each would hold
        a slot of PostgreSQL's lock table until the commit), and every lead
        is still acknowledged within the limits."""

        def ack_locks():
            self.env.cr.execute(
                "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory'"
                " AND pid = pg_backend_pid() AND classid = %s",
                (ACK_LOCK_NAMESPACE,),
            )
            return self.env.cr.fetchone()[0]

        one = self._lead("One", email_from="one@first.example")
        self.assertTrue(one.xrm_ack_sent_date)
        self.assertEqual(ack_locks(), 2, "its address and its domain")
        batch = self.env["crm.lead"].create(
            [
                {
                    "name": f"Imported {n}",
                    "type": "lead",
                    "company_id": self.company.id,
                    "email_from": f"buyer{n}@import{n}.example",
                    "medium_id": self.website.id,
                }
                for n in range(ACK_LOCK_MAX)
            ]
        )
        self.assertEqual(len(batch.filtered("xrm_ack_sent_date")), ACK_LOCK_MAX)
        self.assertEqual(ack_locks(), 2, "no lock per imported address")

    def test_rate_limits_are_checked(self):
        for field in ("xrm_ack_max_per_email", "xrm_ack_max_per_domain"):
            with self.assertRaises(ValidationError):
                self.env["res.config.settings"].create({field: 0})

    def test_acknowledgement_echoes_a_bounded_escaped_excerpt(self):
        long_name = "<b>Buy now</b> at spam.example " + "x" * 5000
        lead = self._lead(
            long_name,
            contact_name="<script>alert(1)</script>" + "y" * 5000,
            partner_name="Z" * 5000,
            description="<p>SECRET-DESCRIPTION " + "d" * 5000 + "</p>",
            email_from="a@b.example, c@d.example",
        )
        mail = self._mails(lead)
        self.assertEqual(len(mail), 1)
        self.assertLessEqual(len(mail.subject), 100)
        self.assertTrue(mail.subject.startswith("We received your request: <b>Buy"))
        body = str(mail.body_html)
        self.assertNotIn("SECRET-DESCRIPTION", body)
        self.assertNotIn("<script>", body)
        self.assertNotIn("<b>Buy", body)
        self.assertIn("&lt;b&gt;Buy now", body)
        self.assertNotIn("x" * 100, body)
        self.assertNotIn("y" * 100, body)
        self.assertNotIn("Z" * 100, body)
        # one address, never a list the submitter typed
        self.assertEqual(mail.email_to, "a@b.example")
