# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Product feedback: logged in one click, ranked, merged, shipped and told."""

from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL, mute_logger

from .common import XrmHttpCase, XrmWorld, new_api_key


def ago(days):
    return (datetime.now() - timedelta(days=days)).isoformat(sep=" ")[:19]


@tagged("post_install", "-at_install")
class TestFeedback(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        companies = [(6, 0, [cls.company.id, cls.env.ref("base.main_company").id])]
        cls.product = new_test_user(
            cls.env,
            login="fb_product",
            name="Pat Product",
            groups="xrm_relationship.group_xrm_product",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.manager = new_test_user(
            cls.env,
            login="fb_manager",
            groups="xrm_relationship.group_xrm_manager",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.agent = new_test_user(
            cls.env,
            login="fb_agent",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.outside = cls.env["res.company"].create({"name": "Elsewhere Ltd"})
        cls.foreign = cls.env["res.partner"].create(
            {"name": "Foreign Co", "is_company": True, "company_id": cls.outside.id}
        )
        cls.Feedback = cls.env["xrm.feedback"]

    def _feedback(self, partner, name="Export by quarter", user=None, **vals):
        return (
            self.Feedback.with_user(user or self.alice)
            .create({"name": name, "partner_id": partner.id, **vals})
            .with_env(self.env)
        )

    # ------------------------------------------------------------------
    # Logging
    # ------------------------------------------------------------------
    def test_log_from_interaction_ticket_and_goal_is_prefilled(self):
        customer = self._partner("Prefill Co")
        person = self.env["res.partner"].create(
            {"name": "Pia Person", "parent_id": customer.id}
        )
        interaction = self._interaction(
            customer, ago(1), contact_id=person.id, summary="Wants quarterly export\n…"
        )
        ticket = self._ticket(customer, None)
        ticket.partner_id = person
        goal = self.env["xrm.customer.goal"].create(
            {"name": "Close the books in 2 days", "partner_id": customer.id}
        )
        cases = (
            (
                interaction,
                self.alice,
                "interaction_id",
                "Wants quarterly export",
                person,
            ),
            (ticket, self.agent, "ticket_id", ticket.name, person),
            (goal, self.alice, "goal_id", goal.name, self.env["res.partner"]),
        )
        ticket.user_id = self.agent  # the agent's own ticket
        for source, user, field, name, contact in cases:
            with self.subTest(source=source._name, user=user.login):
                action = source.with_user(user).action_xrm_log_feedback()
                self.assertEqual(action["res_model"], "xrm.feedback")
                form = Form(
                    self.Feedback.with_user(user).with_context(**action["context"])
                )
                self.assertEqual(form.name, name)
                self.assertEqual(form.partner_id, customer)
                self.assertEqual(form.contact_id, contact)
                feedback = form.save()
                self.assertEqual(feedback[field], source)
                self.assertEqual(feedback.sudo().partner_id, customer)
                self.assertEqual(feedback.state, "new")

    def test_a_contact_given_as_relationship_becomes_the_contact(self):
        customer = self._partner("Entity Co")
        person = self.env["res.partner"].create(
            {"name": "Eli Person", "parent_id": customer.id}
        )
        feedback = self._feedback(person)
        self.assertEqual(feedback.partner_id, customer)
        self.assertEqual(feedback.contact_id, person)

    def test_source_of_another_relationship_is_refused(self):
        mine, other = self._partner("Mine Co"), self._partner("Other Co")
        interaction = self._interaction(other, ago(1))
        with self.assertRaises(ValidationError):
            self._feedback(mine, interaction_id=interaction.id)

    # ------------------------------------------------------------------
    # Bad input: feedback on what the author may not read
    # ------------------------------------------------------------------
    @mute_logger("odoo.models")
    def test_feedback_on_a_relationship_the_user_cannot_read_is_refused(self):
        before = self.Feedback.sudo().search_count([])
        person = self.env["res.partner"].create(
            {"name": "Foreign Person", "parent_id": self.foreign.id}
        )
        for vals in (
            {"partner_id": self.foreign.id},
            {"partner_id": person.id},
            # through the source only, without naming the relationship
            {
                "ticket_id": self.env["helpdesk.ticket"]
                .create(
                    {
                        "name": "Foreign ticket",
                        "description": "<p>x</p>",
                        "partner_id": self.foreign.id,
                        "company_id": self.outside.id,
                    }
                )
                .id
            },
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError) as caught:
                self.Feedback.with_user(self.alice).create({"name": "Peek", **vals})
            self.assertNotIn("Foreign", str(caught.exception))
        mine = self._feedback(self._partner("Moving Co"))
        with self.assertRaises(AccessError):
            mine.with_user(self.alice).write({"partner_id": self.foreign.id})
        self.assertEqual(self.Feedback.sudo().search_count([]), before + 1)

    @mute_logger("odoo.models")
    def test_record_rules_of_the_sources_are_checked_explicitly(self):
        """Same company, so company checks pass: only the explicit read check
        stops feedback on a ticket or relationship hidden by a rule."""
        customer = self._partner("Hidden Co")
        colleague_ticket = self._ticket(customer, None, user=self.bob)
        self.assertFalse(colleague_ticket.with_user(self.agent).has_access("read"))
        with self.assertRaises(AccessError):
            self.Feedback.with_user(self.agent).create(
                {"name": "Peek", "ticket_id": colleague_ticket.id}
            )
        # an integrator's rule: salespeople read their own relationships only
        self.env["ir.rule"].create(
            {
                "name": "own relationships",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "groups": [(4, self.env.ref("xrm_relationship.group_xrm_user").id)],
                "domain_force": "['|', ('user_id', '=', user.id), "
                "('user_id', '=', False)]",
            }
        )
        bobs = self._partner("Bob's Co", user=self.bob)
        with self.assertRaises(AccessError):
            self.Feedback.with_user(self.alice).create(
                {"name": "Peek", "partner_id": bobs.id}
            )
        self.assertFalse(self.Feedback.sudo().search([("name", "=", "Peek")]))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------
    def test_salespeople_see_feedback_of_relationships_they_read(self):
        customer = self._partner("Seen Co", user=self.bob)
        feedback = self._feedback(customer, user=self.bob)
        self.assertEqual(
            self.Feedback.with_user(self.alice).search([("id", "=", feedback.id)]),
            feedback,
        )
        manager_elsewhere = new_test_user(
            self.env,
            login="fb_manager_out",
            groups="xrm_relationship.group_xrm_manager",
            company_id=self.outside.id,
            company_ids=[(6, 0, self.outside.ids)],
        )
        self.assertFalse(
            self.Feedback.with_user(manager_elsewhere)
            .with_context(allowed_company_ids=self.outside.ids)
            .search([("id", "=", feedback.id)])
        )
        # the agent reads only what they logged
        self.assertFalse(
            self.Feedback.with_user(self.agent).search([("id", "=", feedback.id)])
        )

    def test_salespeople_cannot_move_states_or_merge(self):
        customer = self._partner("Triage Co")
        one, two = self._feedback(customer), self._feedback(customer, "Same")
        sales = one.with_user(self.alice)
        for call in (
            sales.action_plan,
            sales.action_ship,
            sales.action_decline,
            lambda: sales.write({"state": "shipped"}),
            lambda: sales.write({"duplicate_of_id": two.id}),
            lambda: (sales | two.with_user(self.alice)).action_xrm_merge_duplicates(),
            lambda: self.Feedback.with_user(self.alice).create(
                {"name": "Done", "partner_id": customer.id, "state": "shipped"}
            ),
        ):
            with self.assertRaises(AccessError):
                call()
        self.assertEqual((one | two).mapped("state"), ["new", "new"])
        self.assertFalse(one.duplicate_of_id)
        # but they edit what they logged
        sales.write({"description": "In their words"})
        # nobody writes who was told, not even the product team
        with self.assertRaises(AccessError):
            one.with_user(self.product).write(
                {"notified_partner_ids": [(4, customer.id)]}
            )
        # the product team (and managers, who are in it) move it
        one.with_user(self.product).action_plan()
        self.assertEqual(one.state, "planned")
        one.with_user(self.manager).action_start()
        self.assertEqual(one.state, "in_progress")

    def test_ranking_is_for_the_product_team(self):
        self._feedback(self._partner("Ranked Co"))
        Ranking = self.env["xrm.feedback.ranking"]
        with self.assertRaises(AccessError):
            Ranking.with_user(self.alice).search([])
        self.assertTrue(Ranking.with_user(self.product).search([]))
        self.assertTrue(Ranking.with_user(self.manager).search([]))

    # ------------------------------------------------------------------
    # Merging
    # ------------------------------------------------------------------
    def test_merge_has_no_chains_no_company_mix_and_notes_both(self):
        a, b, c = (self._partner(n) for n in ("Merge A", "Merge B", "Merge C"))
        f1 = self._feedback(a, "Quarter export")
        f2 = self._feedback(b, "Export per quarter")
        f3 = self._feedback(c, "Quarterly export please")
        (f2 | f1).with_user(self.product).action_xrm_merge_duplicates()
        self.assertEqual(f2.duplicate_of_id, f1)  # the oldest stays the main one
        # merging into a duplicate points to its main
        f3.with_user(self.product).write({"duplicate_of_id": f2.id})
        self.assertEqual(f3.duplicate_of_id, f1)
        self.assertEqual(f1.duplicate_ids, f2 | f3)
        self.assertTrue(
            any("Merged duplicates" in m.body for m in f1.message_ids), "note on main"
        )
        self.assertTrue(
            any("Marked as a duplicate of" in m.body for m in f3.message_ids),
            "note on the duplicate",
        )
        # merging the main into a new one takes its duplicates along
        f0 = self._feedback(a, "Exports")
        f1.with_user(self.product).write({"duplicate_of_id": f0.id})
        self.assertEqual(f0.duplicate_ids, f1 | f2 | f3)
        with self.assertRaises(UserError):
            f0.with_user(self.product).write({"duplicate_of_id": f0.id})
        main_company = self.env.ref("base.main_company")
        elsewhere = self.Feedback.create(
            {
                "name": "Export",
                "partner_id": self._partner("Main Co", company_id=main_company.id).id,
                "company_id": main_company.id,
            }
        )
        with self.assertRaises(UserError):
            elsewhere.with_user(self.product).write({"duplicate_of_id": f0.id})
        self.assertFalse(elsewhere.duplicate_of_id)

    # ------------------------------------------------------------------
    # The ranking, hand-computed
    # ------------------------------------------------------------------
    def _set(self, partner, **columns):
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET %s WHERE id = %s",
                SQL(", ").join(
                    SQL("%s = %s", SQL.identifier(name), value)
                    for name, value in columns.items()
                ),
                partner.id,
            )
        )
        partner.invalidate_recordset()

    def test_ranking_on_a_small_world_with_duplicates_merged(self):
        Stage = self.env["xrm.journey.stage"]
        at_risk = Stage.search([("automation_role", "=", "at_risk")])
        calm = Stage.create({"name": "Calm", "sequence": 98})
        limited = Stage.create({"name": "Limited", "sequence": 97, "max_days": 10})
        red, risky, late, fine = (
            self._partner(n) for n in ("Red Co", "Risky Co", "Late Co", "Fine Co")
        )
        self._purchase(red, ago(10), 1000)
        self._purchase(red, ago(400), 500)  # older than 365 days
        self._purchase(risky, ago(100), 300)
        self._purchase(fine, ago(30), 2000)
        # after the purchases, which move the journey
        self._set(red, xrm_health="red", xrm_stage_id=calm.id)
        self._set(risky, xrm_health="green", xrm_stage_id=at_risk.id)
        self._set(late, xrm_health="yellow", xrm_stage_id=limited.id)
        self._set(late, xrm_stage_date=ago(30))
        self._set(fine, xrm_health="green", xrm_stage_id=limited.id)
        self._set(fine, xrm_stage_date=ago(2))
        f1 = self._feedback(red, "Quarter export")
        f2 = self._feedback(risky, "Export per quarter")
        f3 = self._feedback(red, "Quarterly export", user=self.bob)  # same asker
        f4 = self._feedback(fine, "Dark mode")
        f5 = self._feedback(late, "Export by quarter please")
        (f1 | f2 | f3).with_user(self.product).action_xrm_merge_duplicates()
        f5.with_user(self.product).write({"duplicate_of_id": f2.id})
        Ranking = self.env["xrm.feedback.ranking"].with_user(self.product)
        rows = Ranking.search([("feedback_id", "in", (f1 | f4).ids)])
        self.assertEqual(rows.feedback_id, f1 | f4)  # duplicates have no row
        figures = {
            row.feedback_id: (
                row.feedback_count,
                row.relationship_count,
                row.revenue_at_stake,
                row.at_risk_count,
            )
            for row in rows
        }
        # f1 + f2, f3, f5: red (1000), risky (300), late (0); all three at risk
        self.assertEqual(figures[f1], (4, 3, 1300.0, 3))
        self.assertEqual(figures[f4], (1, 1, 2000.0, 0))
        ids = (f1 | f4).ids
        domain = [("feedback_id", "in", ids)]
        self.assertEqual(Ranking.search(domain).feedback_id.ids, [f1.id, f4.id])
        self.assertEqual(
            Ranking.search(domain, order="revenue_at_stake desc").feedback_id.ids,
            [f4.id, f1.id],
        )
        self.assertEqual(
            Ranking.search(domain, order="at_risk_count").feedback_id.ids,
            [f4.id, f1.id],
        )
        action = rows.filtered(
            lambda r: r.feedback_id == f1
        ).action_open_relationships()
        self.assertEqual(
            self.env["res.partner"].search(action["domain"]), red | risky | late
        )

    # ------------------------------------------------------------------
    # Shipping tells every asking relationship once
    # ------------------------------------------------------------------
    def _told(self, partners):
        activity_type = self.env.ref(
            "xrm_relationship.mail_activity_type_xrm_feedback_shipped"
        )
        return self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", partners.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )

    def test_shipping_tells_each_asking_relationship_once(self):
        one = self._partner("Ship One")  # alice's
        two = self._partner("Ship Two", user=self.bob)
        orphan = self._partner("Ship Orphan", user_id=False)
        main = self._feedback(one, "Bulk edit", user_id=self.product.id)
        dups = (
            self._feedback(two, "Edit many at once")
            | self._feedback(orphan, "Bulk editing")
            | self._feedback(one, "Mass edit", user=self.bob)
        )
        dups.with_user(self.product).write({"duplicate_of_id": main.id})
        main.with_user(self.product).action_start()
        main.with_user(self.product).action_ship()
        self.assertEqual((main | dups).mapped("state"), ["shipped"] * 4)
        told = self._told(one | two | orphan)
        self.assertEqual(len(told), 3)
        by_partner = {a.res_id: a.user_id for a in told}
        self.assertEqual(by_partner[one.id], self.alice)
        self.assertEqual(by_partner[two.id], self.bob)
        self.assertEqual(by_partner[orphan.id], self.product)  # the responsible
        self.assertIn("Bulk edit", told[0].summary)
        # reopened and shipped again: nobody is told twice
        main.with_user(self.product).action_reopen()
        main.with_user(self.product).action_ship()
        self.assertEqual(len(self._told(one | two | orphan)), 3)
        # a relationship that asked since is told, once
        late = self._partner("Ship Late")
        self._feedback(late, "Bulk edit too").with_user(self.product).write(
            {"duplicate_of_id": main.id}
        )
        main.with_user(self.product).action_reopen()
        main.with_user(self.product).action_ship()
        self.assertEqual(len(self._told(one | two | orphan | late)), 4)
        self.assertEqual(main.notified_partner_ids, one | two | orphan | late)
        # a duplicate is moved through its main
        with self.assertRaises(UserError):
            dups[0].with_user(self.product).action_decline()


@tagged("post_install", "-at_install")
class TestFeedbackApi(XrmHttpCase):
    """Feedback on another company's relationship through JSON-2."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = new_test_user(
            cls.env, login="fb_api_sales", groups="xrm_relationship.group_xrm_user"
        )
        cls.key = new_api_key(cls.env, cls.sales, "feedback")
        other = cls.env["res.company"].create({"name": "Other API Co"})
        cls.foreign = cls.env["res.partner"].create(
            {"name": "Foreign API Co", "is_company": True, "company_id": other.id}
        )
        cls.own = cls.env["res.partner"].create(
            {"name": "Own API Co", "is_company": True, "company_id": cls.env.company.id}
        )

    @mute_logger("odoo.http", "odoo.models")
    def test_json2_refuses_feedback_on_an_unreadable_relationship(self):
        Feedback = self.env["xrm.feedback"].sudo()
        response = self.json2(
            self.key,
            "xrm.feedback",
            "create",
            vals_list=[{"name": "Peek", "partner_id": self.foreign.id}],
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertNotIn("Foreign API Co", response.text)
        self.assertFalse(Feedback.search([("name", "=", "Peek")]))
        # the same call on an own relationship works, and cannot ship it
        response = self.json2(
            self.key,
            "xrm.feedback",
            "create",
            vals_list=[{"name": "Fine", "partner_id": self.own.id}],
        )
        self.assertEqual(response.status_code, 200, response.text)
        [feedback_id] = response.json()
        response = self.json2(
            self.key, "xrm.feedback", "action_ship", ids=[feedback_id]
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(Feedback.browse(feedback_id).state, "new")


@tagged("post_install", "-at_install")
class TestFeedbackDemo(XrmWorld):
    def test_demo_tells_the_story(self):
        if not self.env.ref(
            "xrm_relationship.res_partner_northwind_demo", raise_if_not_found=False
        ):
            self.skipTest("installed without demo data")
        Feedback = self.env["xrm.feedback"]
        merged = Feedback.search([("duplicate_of_id", "!=", False)])
        self.assertEqual(len(merged), 1)
        self.assertNotEqual(merged.partner_id, merged.duplicate_of_id.partner_id)
        shipped = Feedback.search([("state", "=", "shipped")])
        self.assertEqual(len(shipped), 1)
        self.assertEqual(shipped.notified_partner_ids, shipped.partner_id)
        self.assertEqual(
            set(Feedback.search([]).mapped("kind")),
            {"request", "problem", "praise", "idea"},
        )
