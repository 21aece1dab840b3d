# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestSuccessStory(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Story World"})
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id])
        )
        companies = [(6, 0, [cls.company.id])]
        cls.sales = new_test_user(
            cls.env,
            login="story_sales",
            name="Sara Story",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.manager = new_test_user(
            cls.env,
            login="story_manager",
            name="Max Story",
            groups="xrm_relationship.group_xrm_manager,sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=companies,
        )
        Partner = cls.env["res.partner"]
        cls.industry = cls.env["res.partner.industry"].create({"name": "Cold chain"})
        cls.tag = cls.env["res.partner.category"].create({"name": "Fleet"})
        cls.us = cls.env.ref("base.us")

        def company_partner(name, **vals):
            return Partner.create(
                {
                    "name": name,
                    "is_company": True,
                    "company_id": cls.company.id,
                    "xrm_relation_type": "customer",
                    "user_id": cls.sales.id,
                    **vals,
                }
            )

        cls.customer = company_partner("Northwind")
        cls.contact = Partner.create(
            {"name": "Laura", "parent_id": cls.customer.id, "email": "l@nw.example"}
        )
        cls.outsider = company_partner("Elsewhere")
        cls.outsider_contact = Partner.create(
            {"name": "Otto", "parent_id": cls.outsider.id}
        )
        cls.company_partner = staticmethod(company_partner)
        cls.goal = cls.env["xrm.customer.goal"].create(
            {
                "name": "Deliveries in 48 hours",
                "partner_id": cls.customer.id,
                "company_id": cls.company.id,
                "description": "From five days to 48 hours.",
            }
        )

    def _story(self, partner, state="approved", consent=True, **vals):
        values = {
            "name": f"Story of {partner.name}",
            "partner_id": partner.id,
            "company_id": self.company.id,
            "state": state,
            **vals,
        }
        if consent:
            contact = partner.child_ids[:1] or self.env["res.partner"].create(
                {"name": f"{partner.name} contact", "parent_id": partner.id}
            )
            values.update(consent=True, consent_partner_id=contact.id)
        return self.env["xrm.success.story"].create(values)

    def _lead(self, partner):
        return self.env["crm.lead"].create(
            {
                "name": f"Deal with {partner.name}",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "user_id": self.sales.id,
            }
        )

    # ------------------------------------------------------------------
    def test_story_is_drafted_from_an_achieved_goal_only(self):
        goal = self.goal.with_user(self.sales)
        with self.assertRaises(UserError):
            goal.action_draft_story()
        self.assertFalse(self.goal.story_ids)
        goal.action_achieve()
        action = goal.action_draft_story()
        story = self.env["xrm.success.story"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "xrm.success.story")
        self.assertEqual(story.name, "Deliveries in 48 hours")
        self.assertEqual(story.partner_id, self.customer)
        self.assertEqual(story.goal_id, self.goal)
        self.assertEqual(story.outcome, "From five days to 48 hours.")
        self.assertEqual(story.state, "draft")
        self.assertFalse(story.consent)

    def test_review_is_for_managers(self):
        self.goal.action_achieve()
        Story = self.env["xrm.success.story"].with_user(self.sales)
        with self.assertRaises(AccessError):
            Story.create(
                {
                    "name": "Self-approved",
                    "partner_id": self.customer.id,
                    "state": "approved",
                }
            )
        story = Story.create({"name": "Draft", "partner_id": self.customer.id})
        story.write({"challenge": "Five days per delivery"})
        for action in ("action_approve", "action_publish", "action_archive_story"):
            with self.assertRaises(AccessError):
                getattr(story, action)()
        with self.assertRaises(AccessError):
            story.write({"state": "published"})
        self.assertEqual(story.state, "draft")
        story.with_user(self.manager).action_approve()
        self.assertEqual(story.state, "approved")
        # Once reviewed, salespeople no longer change it.
        with self.assertRaises(AccessError):
            story.write({"outcome": "Changed after review"})
        story.with_user(self.manager).action_publish()
        story.with_user(self.manager).action_archive_story()
        self.assertEqual(story.state, "archived")

    def test_consent_names_a_contact_of_the_customer(self):
        story = (
            self.env["xrm.success.story"]
            .with_context(tracking_disable=False, mail_notrack=False)
            .with_user(self.sales)
            .create({"name": "Draft", "partner_id": self.customer.id})
        )
        with self.assertRaises(ValidationError):
            story.write({"consent": True})
        with self.assertRaises(ValidationError):
            story.write(
                {"consent": True, "consent_partner_id": self.outsider_contact.id}
            )
        self.assertFalse(story.consent)
        # The date is the system's: a caller's is ignored.
        story.write(
            {
                "consent": True,
                "consent_partner_id": self.contact.id,
                "consent_date": "2001-01-01 00:00:00",
            }
        )
        self.assertTrue(story.consent_date)
        self.assertGreater(story.consent_date.year, 2001)
        # Tracking is written before commit (mail's flush_tracking).
        self.env.flush_all()
        self.env.cr.precommit.run()
        tracked = story.sudo().message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "consent"
        )
        self.assertEqual(tracked.mail_message_id.author_id, self.sales.partner_id)
        story.write({"consent": False})
        self.assertFalse(story.consent_date)

    def test_story_without_consent_cannot_be_sent(self):
        lead = self._lead(self.company_partner("Prospect", country_id=self.us.id))
        messages = len(lead.message_ids)
        for story in (
            self._story(self.customer, consent=False),
            self._story(self.outsider, state="draft"),
        ):
            with self.assertRaises(UserError):
                story.with_user(self.sales).with_context(
                    xrm_lead_id=lead.id
                ).action_send_to_lead()
        self.assertEqual(len(lead.message_ids), messages)
        self.assertFalse(lead.xrm_story_use_ids)
        self.assertFalse(
            self.env["xrm.interaction"].search([("lead_id", "=", lead.id)])
        )

    def test_suggestions_rank_similar_customers(self):
        prospect = self.company_partner(
            "Prospect",
            industry_id=self.industry.id,
            category_id=[(6, 0, self.tag.ids)],
            country_id=self.us.id,
        )
        lead = self._lead(prospect)
        by_type = self._story(self.company_partner("Same type", country_id=self.us.id))
        by_tag = self._story(
            self.company_partner("Tagged"), tag_ids=[(6, 0, self.tag.ids)]
        )
        by_industry = self._story(
            self.company_partner("Same industry", industry_id=self.industry.id)
        )
        self._story(
            self.company_partner("Other", country_id=self.env.ref("base.fr").id)
        )
        # Not sendable, or the prospect's own: never suggested.
        self._story(
            self.company_partner("No consent", industry_id=self.industry.id),
            consent=False,
        )
        self._story(
            self.company_partner("Draft", industry_id=self.industry.id), state="draft"
        )
        self._story(prospect)
        by_type_newer = self._story(
            self.company_partner("Same type 2", country_id=self.us.id)
        )
        self.assertEqual(
            lead.with_user(self.sales).xrm_story_ids.ids,
            [by_industry.id, by_tag.id, by_type_newer.id],
        )
        self.assertNotIn(by_type, lead.with_user(self.sales).xrm_story_ids)

    def test_send_posts_counts_in_pressure_and_records_the_use(self):
        prospect = self.company_partner("Prospect", country_id=self.us.id)
        prospect_contact = self.env["res.partner"].create(
            {"name": "Pat", "parent_id": prospect.id, "email": "pat@p.example"}
        )
        lead = self._lead(prospect)
        lead.partner_id = prospect_contact
        story = self._story(
            self.company_partner("Storyteller", country_id=self.us.id),
            challenge="Late trucks",
            outcome="On time",
        )
        Pressure = self.env["xrm.contact.pressure"]
        before = Pressure._xrm_pressure_counts(prospect).get(prospect.id, 0)
        story.with_user(self.sales).with_context(
            xrm_lead_id=lead.id
        ).action_send_to_lead()
        self.assertEqual(
            Pressure._xrm_pressure_counts(prospect).get(prospect.id, 0), before + 1
        )
        message = lead.message_ids[0]
        self.assertIn(prospect_contact, message.partner_ids)
        self.assertIn("On time", message.body)
        use = lead.xrm_story_use_ids
        self.assertEqual(len(use), 1)
        self.assertEqual(
            (use.story_id, use.partner_id, use.user_id),
            (story, prospect_contact, self.sales),
        )
        self.assertEqual(story.use_count, 1)

    def test_send_respects_the_contact_pressure_limit(self):
        prospect = self.company_partner(
            "Busy", country_id=self.us.id, xrm_max_outbound=1
        )
        lead = self._lead(prospect)
        self.env["xrm.interaction"].create(
            {
                "partner_id": prospect.id,
                "company_id": self.company.id,
                "direction": "outbound",
                "channel": "phone",
            }
        )
        story = self._story(self.customer)
        messages = len(lead.message_ids)
        with self.assertRaisesRegex(UserError, "Not sent"):
            story.with_user(self.sales).with_context(
                xrm_lead_id=lead.id
            ).action_send_to_lead()
        self.assertEqual(len(lead.message_ids), messages)
        self.assertFalse(lead.xrm_story_use_ids)

    def test_win_rate_with_and_without_stories(self):
        story = self._story(self.customer)
        Use = self.env["xrm.success.story.use"]

        def closed(won, with_story):
            lead = self._lead(self.customer)
            if with_story:
                Use.create(
                    {
                        "story_id": story.id,
                        "lead_id": lead.id,
                        "partner_id": self.customer.id,
                        "company_id": self.company.id,
                    }
                )
            if won:
                lead.action_set_won()
            else:
                lead.action_set_lost()
            return lead

        # With a story: 2 won, 1 lost → 66.7 %; without: 1 won, 3 lost → 25 %.
        for won, with_story in [(1, 1), (1, 1), (0, 1), (1, 0), (0, 0), (0, 0), (0, 0)]:
            closed(won, with_story)
        self._lead(self.customer)  # still open: not counted
        self.env.flush_all()
        rows = (
            self.env["xrm.story.win.rate"]
            .with_user(self.manager)
            .search([("company_id", "=", self.company.id)])
        )
        figures = {
            r.received_story: (
                r.won_count,
                r.lost_count,
                r.closed_count,
                round(r.win_rate, 1),
            )
            for r in rows
        }
        self.assertEqual(figures, {True: (2, 1, 3, 66.7), False: (1, 3, 4, 25.0)})
        with self.assertRaises(AccessError):
            self.env["xrm.story.win.rate"].with_user(self.sales).search([])

    def test_salespeople_see_their_companies_stories_only(self):
        story = self._story(self.customer)
        lead = self._lead(self.customer)
        use = self.env["xrm.success.story.use"].create(
            {
                "story_id": story.id,
                "lead_id": lead.id,
                "partner_id": self.customer.id,
                "company_id": self.company.id,
            }
        )
        # xrm_user works in the main company only.
        main = self.env.ref("base.main_company")
        other = self.xrm_user
        self.assertFalse(
            self.env["xrm.success.story"]
            .with_context(allowed_company_ids=main.ids)
            .with_user(other)
            .search([("id", "=", story.id)])
        )
        with self.assertRaises(AccessError):
            story.with_context(allowed_company_ids=main.ids).with_user(other).read(
                ["name"]
            )
        with self.assertRaises(AccessError):
            use.with_context(allowed_company_ids=main.ids).with_user(other).read(
                ["date"]
            )
        self.assertEqual(
            story.with_user(self.sales).read(["name"])[0]["name"], story.name
        )
        # Uses are written by the sending only.
        with self.assertRaises(AccessError):
            self.env["xrm.success.story.use"].with_user(self.sales).create(
                {
                    "story_id": story.id,
                    "lead_id": lead.id,
                    "partner_id": self.customer.id,
                }
            )
