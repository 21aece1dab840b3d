# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""CS = CX + CO per SPEC, with hand-computed scores."""

import json
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models import xrm_early_warning
from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestHealth(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.ticket_model = cls.env["ir.model"]._get_id("helpdesk.ticket")

    def _partner(self, name, rtype="customer"):
        return self.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "xrm_relation_type": rtype,
                "user_id": self.xrm_user.id,
            }
        )

    def _rating(self, partner, value, days_ago=10):
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Help", "description": "<p>Help</p>", "partner_id": partner.id}
        )
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.ticket_model,
                "res_id": ticket.id,
                "partner_id": partner.id,
                "rating": value,
                "consumed": True,
            }
        )
        rating.write({"rated_on": self.now - timedelta(days=days_ago)})
        return rating

    def _documented(self, partner, quality, days_ago=5):
        return self.env["xrm.interaction"].create(
            {
                "partner_id": partner.id,
                "date": self.now - timedelta(days=days_ago),
                "state": "done",
                "summary": "Review",
                "outcome": "positive",
                "quality": quality,
            }
        )

    def _goal(self, partner, state="open", progress=0, deadline_days=30):
        return self.env["xrm.customer.goal"].create(
            {
                "partner_id": partner.id,
                "name": f"Goal {state} {progress}",
                "state": state,
                "progress": progress,
                "deadline": self.today + timedelta(days=deadline_days),
            }
        )

    def test_both_parts(self):
        partner = self._partner("Both Co")
        self._rating(partner, 5)
        self._rating(partner, 3)  # CSAT avg 4 -> 75
        self._rating(partner, 1, days_ago=400)  # older than 365 days: ignored
        self._documented(partner, 5)  # quality avg 5 -> 100
        self._goal(partner, "achieved", 60)  # counts 100
        self._goal(partner, "missed", 40, deadline_days=-100)
        self._goal(partner, "open", 20)
        self._goal(partner, "cancelled", 90)  # ignored
        self._goal(partner, "missed", 0, deadline_days=-400)  # too old: ignored
        partner._xrm_compute_health()
        self.assertAlmostEqual(partner.xrm_cx_csat_avg, 4.0)
        self.assertEqual(partner.xrm_cx_csat_count, 2)
        self.assertEqual(partner.xrm_cx_quality_count, 1)
        self.assertAlmostEqual(partner.xrm_cx_score, 87.5)
        self.assertAlmostEqual(partner.xrm_co_score, 160 / 3, places=4)
        self.assertEqual(partner.xrm_co_goal_count, 3)
        self.assertAlmostEqual(partner.xrm_cs_score, 0.5 * 87.5 + 0.5 * 160 / 3)
        self.assertEqual(partner.xrm_health, "green")  # 70.4 >= 70
        self.assertEqual(partner.xrm_health_date, self.today)

    def test_one_part_only_and_none(self):
        goals_only = self._partner("Goals Co")
        self._goal(goals_only, "open", 30)
        self._goal(goals_only, "open", 50)
        nothing = self._partner("Silent Co")
        (goals_only | nothing)._xrm_compute_health()
        self.assertAlmostEqual(goals_only.xrm_cs_score, 40.0)
        self.assertEqual(goals_only.xrm_health, "yellow")  # 40 is yellow's floor
        self.assertEqual(goals_only.xrm_cx_csat_count, 0)
        self.assertFalse(nothing.xrm_health)
        self.assertFalse(nothing.xrm_health_snapshot_ids)
        experience_only = self._partner("Rated Co")
        self._documented(experience_only, 2)  # (2 - 1) / 4 -> 25: red
        experience_only._xrm_compute_health()
        self.assertAlmostEqual(experience_only.xrm_cs_score, 25.0)
        self.assertEqual(experience_only.xrm_health, "red")

    def test_profile_per_relationship_type(self):
        self.env["xrm.health.profile"].create(
            {
                "relation_type": "supplier",
                "cx_weight": 1.0,
                "green_threshold": 80,
                "yellow_threshold": 50,
            }
        )
        supplier = self._partner("Supplier Co", rtype="supplier")
        customer = self._partner("Customer Co")
        for partner in supplier | customer:
            self._documented(partner, 4)  # CX 75
            self._goal(partner, "open", 0)  # CO 0
        (supplier | customer)._xrm_compute_health()
        self.assertAlmostEqual(supplier.xrm_cs_score, 75.0)  # CX only
        self.assertEqual(supplier.xrm_health, "yellow")  # below its 80
        self.assertAlmostEqual(supplier.xrm_cs_cx_weight, 1.0)
        self.assertAlmostEqual(customer.xrm_cs_score, 37.5)  # settings: 0.5
        self.assertEqual(customer.xrm_health, "red")

    def test_settings_and_profile_validation(self):
        with self.assertRaises(ValidationError):
            self.env["xrm.health.profile"].create(
                {"relation_type": "agent", "cx_weight": 1.5}
            )
        with self.assertRaises(ValidationError):
            self.env["xrm.health.profile"].create(
                {"relation_type": "agent", "green_threshold": 30}  # below yellow
            )
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create(
                {"xrm_cs_cx_weight": 0.5, "xrm_cs_green": 50, "xrm_cs_yellow": 60}
            )

    def test_history_one_snapshot_per_day(self):
        partner = self._partner("History Co")
        self._goal(partner, "open", 50)
        partner._xrm_compute_health()
        partner._xrm_compute_health()  # same day: replaced
        self.assertEqual(len(partner.xrm_health_snapshot_ids), 1)
        self.env["xrm.customer.goal"].search([("partner_id", "=", partner.id)]).write(
            {"progress": 90}
        )
        partner._xrm_compute_health(as_of=self.today + timedelta(days=1))
        history = partner.xrm_health_snapshot_ids.sorted("date")
        self.assertEqual(history.mapped("cs_score"), [50.0, 90.0])
        self.assertEqual(history.mapped("health"), ["yellow", "green"])

    def test_explain_actions_open_the_inputs(self):
        partner = self._partner("Explain Co")
        rating = self._rating(partner, 4)
        interaction = self._documented(partner, 3)
        goal = self._goal(partner, "open", 10)
        partner._xrm_compute_health()
        for action, record in (
            (partner.action_xrm_open_health_ratings(), rating),
            (partner.action_xrm_open_health_interactions(), interaction),
            (partner.action_xrm_open_health_goals(), goal),
        ):
            found = self.env[action["res_model"]].search(action["domain"])
            self.assertEqual(found, record)

    def test_csat_count_opens_ticket_ratings_and_interaction_answers(self):
        """CX pools ticket ratings and interaction CSAT: each kind opens itself.

        One ticket rating of 4 and one interaction answered 2: 2 answers,
        average (4 + 2) / 2 = 3.0; 1 ticket rating, 1 interaction answer.
        """
        partner = self._partner("Answers Co")
        rating = self._rating(partner, 4)
        answered = self._documented(partner, 3)
        answered.csat = 2
        partner._xrm_compute_health()
        self.assertEqual(partner.xrm_cx_csat_count, 2)
        self.assertAlmostEqual(partner.xrm_cx_csat_avg, 3.0)
        self.assertEqual(partner.xrm_cx_ticket_rating_count, 1)
        self.assertEqual(partner.xrm_cx_answer_count, 1)
        for action, record in (
            (partner.action_xrm_open_health_ratings(), rating),
            (partner.action_xrm_open_health_answers(), answered),
        ):
            found = self.env[action["res_model"]].search(action["domain"])
            self.assertEqual(found, record)

    def test_cron_batches_every_partner(self):
        partners = self._partner("Batch A") | self._partner("Batch B")
        for partner in partners:
            self._goal(partner, "open", 80)
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            self.env["xrm.health.profile"]._cron_xrm_health(batch_size=2)
        self.assertEqual(partners.mapped("xrm_health"), ["green", "green"])

    def test_cron_resumes_where_it_stopped(self):
        """Out of time after one batch: the next call finishes, then nothing."""
        partners = self._partner("Resume A") | self._partner("Resume B")
        for partner in partners:
            self._goal(partner, "open", 80)
        Partner = self.env["res.partner"]
        Health = self.env["xrm.health.profile"]
        Cron = type(self.env["ir.cron"])
        self.env.cr.execute(
            "UPDATE res_partner SET xrm_health_date = NULL"
            " WHERE id = commercial_partner_id"
        )
        Partner.invalidate_model()
        self.env.cr.execute(
            "SELECT COUNT(*) FROM res_partner WHERE active"
            " AND id = commercial_partner_id"
        )
        todo = self.env.cr.fetchone()[0]
        # The first call sets the remaining count, the second reports a batch
        # done and finds no time left: the cron stops there.
        with patch.object(Cron, "_commit_progress", side_effect=[100.0, 0.0]):
            first = Health._cron_xrm_health(batch_size=2)
        self.assertEqual(first, todo)
        done_today = Partner.search([("xrm_health_date", "=", self.today)])
        self.assertEqual(len(done_today), 2)
        self.assertFalse(partners & done_today, "ours have the highest ids")
        self.assertEqual(partners.mapped("xrm_health"), [False, False])
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            second = Health._cron_xrm_health(batch_size=500)
        self.assertEqual(second, first - 2)
        self.assertEqual(partners.mapped("xrm_health"), ["green", "green"])
        self.assertEqual(
            self.env["xrm.health.snapshot"].search_count(
                [("partner_id", "in", partners.ids), ("date", "=", self.today)]
            ),
            2,
        )
        # Run again: incremental, and nothing counts twice.
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            Health._cron_xrm_health(batch_size=500)
        self.assertEqual(partners.mapped("xrm_health"), ["green", "green"])
        self.assertEqual(
            self.env["xrm.health.snapshot"].search_count(
                [("partner_id", "in", partners.ids), ("date", "=", self.today)]
            ),
            2,
        )

    def test_salesperson_cannot_edit_profiles(self):
        profile = self.env["xrm.health.profile"].create({"relation_type": "agent"})
        with self.assertRaises(AccessError):
            profile.with_user(self.xrm_user).write({"cx_weight": 0.1})
        with self.assertRaises(AccessError):
            self.env["xrm.health.profile"].with_user(self.plain_user).search([])


@tagged("post_install", "-at_install")
class TestEarlyWarnings(XrmCommon):
    def test_warnings_open_and_close_in_committed_batches(self):
        """A first run on many relationships works in bounded steps: each
        step committed, every warning opened once, a second run adds none."""
        stage = self.env["xrm.journey.stage"].create(
            {"name": "Short", "max_days": 5, "sequence": 600}
        )
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Quiet {n}",
                    "is_company": True,
                    "user_id": self.xrm_user.id,
                    "xrm_stage_id": stage.id,
                }
                for n in range(5)
            ]
        )
        partners.write({"xrm_stage_date": fields.Datetime.now() - timedelta(days=100)})
        EarlyWarning = self.env["xrm.early.warning"]
        Activity = type(self.env["mail.activity"])
        steps = []
        original = Activity.create

        def counted(activities, vals_list):
            steps.append(len(vals_list))
            return original(activities, vals_list)

        with (
            patch.object(xrm_early_warning, "WARNING_BATCH", 3),
            patch.object(Activity, "create", counted),
        ):
            created, _cleared = EarlyWarning._cron_xrm_early_warnings(full=True)
        # each of the five is overdue and without contact (and whatever else
        # holds for a new relationship): every warning opened once, in
        # steps of three
        warnings = partners.activity_ids.filtered("xrm_warning_kind")
        keys = {(w.res_id, w.xrm_warning_kind) for w in warnings}
        self.assertEqual(len(keys), len(warnings))
        self.assertTrue(
            {(p.id, k) for p in partners for k in ("no_contact", "stage_overdue")}
            <= keys
        )
        self.assertEqual(created.filtered(lambda a: a.res_id in partners.ids), warnings)
        # (the demo's relationships get theirs in the same run)
        full, rest = divmod(len(created), 3)
        self.assertGreater(full, 3)
        self.assertEqual(steps, [3] * full + ([rest] if rest else []))
        with patch.object(xrm_early_warning, "WARNING_BATCH", 3):
            again, _cleared = EarlyWarning._cron_xrm_early_warnings(full=True)
        self.assertFalse(again)
        # a stage that no longer has a maximum clears five, in two steps
        stage.max_days = 0
        with patch.object(xrm_early_warning, "WARNING_BATCH", 3):
            _created, cleared = EarlyWarning._cron_xrm_early_warnings(full=True)
        self.assertEqual(len(cleared.filtered(lambda a: a.res_id in partners.ids)), 5)
        left = partners.activity_ids.filtered("xrm_warning_kind")
        self.assertEqual(len(left), len(warnings) - 5)
        self.assertNotIn("stage_overdue", left.mapped("xrm_warning_kind"))

    def test_one_warning_per_kind_never_duplicated(self):
        stage = self.env["xrm.journey.stage"].create(
            {"name": "Short", "max_days": 5, "sequence": 600}
        )
        partner = self.env["res.partner"].create(
            {
                "name": "Quiet Co",
                "is_company": True,
                "user_id": self.xrm_user.id,
                "xrm_stage_id": stage.id,
            }
        )
        partner.write({"xrm_stage_date": fields.Datetime.now() - timedelta(days=100)})
        EarlyWarning = self.env["xrm.early.warning"]
        EarlyWarning._cron_xrm_early_warnings()
        EarlyWarning._cron_xrm_early_warnings()
        warnings = partner.activity_ids.filtered("xrm_warning_kind")
        self.assertEqual(
            sorted(warnings.mapped("xrm_warning_kind")), ["no_contact", "stage_overdue"]
        )
        self.assertEqual(warnings.user_id, self.xrm_user)
        # a meaningful contact clears one warning; the other stays, alone
        self.env["xrm.interaction"].create(
            {
                "partner_id": partner.id,
                "state": "done",
                "summary": "Visit",
                "outcome": "positive",
                "quality": 4,
            }
        )
        EarlyWarning._cron_xrm_early_warnings()
        warnings = partner.activity_ids.filtered("xrm_warning_kind")
        self.assertEqual(warnings.mapped("xrm_warning_kind"), ["stage_overdue"])

    def test_open_warnings_per_salesperson_capped_most_urgent_first(self):
        """A salesperson has at most the Settings' number of open warnings:
        the most urgent open first, the next one when a slot frees, and an
        incremental run opens what a full run would."""
        self.env["ir.config_parameter"].set_param(
            "xrm_relationship.warning_max_open", "3"
        )
        seller = new_test_user(
            self.env, login="capped_seller", groups="base.group_user"
        )
        stage = self.env["xrm.journey.stage"].create(
            {"name": "Short", "max_days": 5, "sequence": 600}
        )
        other = self.env["xrm.journey.stage"].create(
            {"name": "Calm", "max_days": 0, "sequence": 601}
        )
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Waiting {n}",
                    "is_company": True,
                    "user_id": seller.id,
                    "xrm_stage_id": stage.id,
                }
                for n in range(5)
            ]
        )
        # 100, 101, … 104 days in the stage: each is overdue (rank 2) and
        # without contact (rank 3): ten warnings hold, three may be open,
        # the overdue of the three longest in the stage (104, 103, 102).
        now = fields.Datetime.now()
        for n, partner in enumerate(partners):
            partner.write({"xrm_stage_date": now - timedelta(days=100 + n)})

        def open_keys():
            warnings = partners.activity_ids.filtered("xrm_warning_kind")
            self.assertEqual(warnings.user_id, seller)
            return {(w.res_id, w.xrm_warning_kind) for w in warnings}

        EarlyWarning = self.env["xrm.early.warning"]
        EarlyWarning._cron_xrm_early_warnings(full=True)
        self.assertEqual(
            open_keys(), {(partners[n].id, "stage_overdue") for n in (4, 3, 2)}
        )
        mark = json.loads(
            self.env["ir.config_parameter"].get_param(
                "xrm_relationship.nightly.warnings"
            )
        )
        self.assertIn(seller.id, mark["state"]["waiting"])
        # A day passes (one transaction here: age what it wrote), so the
        # next run sees only what changes now.
        self.env.flush_all()
        for table in (
            "res_partner",
            "res_users",
            "mail_activity",
            "xrm_nightly_change",
        ):
            self.env.cr.execute(
                f"UPDATE {table} SET write_date = write_date - INTERVAL '2 days'"  # noqa: E501
            )
        self.env.invalidate_all()
        # The longest in the stage moves on: its warning clears and the next
        # most urgent (101 days, unchanged today) takes the slot.
        partners[4].write({"xrm_stage_id": other.id})
        created, cleared = EarlyWarning._cron_xrm_early_warnings()
        self.assertEqual(
            open_keys(), {(partners[n].id, "stage_overdue") for n in (3, 2, 1)}
        )
        self.assertEqual(
            (created.user_id, created.res_id, cleared.res_id),
            (seller, partners[1].id, partners[4].id),
        )
        # A full run finds nothing to change.
        created, cleared = EarlyWarning._cron_xrm_early_warnings(full=True)
        self.assertFalse(created | cleared)
        # A larger limit opens the rest, overdue before no contact.
        self.env["ir.config_parameter"].set_param(
            "xrm_relationship.warning_max_open", "6"
        )
        created, _cleared = EarlyWarning._cron_xrm_early_warnings()
        self.assertEqual(
            {
                (a.res_id, a.xrm_warning_kind)
                for a in created.filtered(lambda a: a.user_id == seller)
            },
            {(partners[0].id, "stage_overdue")}
            | {(partners[n].id, "no_contact") for n in (3, 2)},
        )
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xrm_warning_max_open": 0})
