# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Churn risk learned from history: generated worlds with and without a signal."""

import random
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import SQL

from ..models import xrm_churn_model as churn_model
from ..models.xrm_churn_model import roc_auc
from .common import XrmCommon

HISTORY_DAYS = 730
CONTACT_EVERY = 10


@tagged("post_install", "-at_install")
class TestChurnModel(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.active_stage = cls.env.ref("xrm_relationship.xrm_journey_stage_active")
        cls.churn_stage = cls.env.ref("xrm_relationship.xrm_journey_stage_churned")
        cls.Model = cls.env["xrm.churn.model"]
        # Demo relationships must not blur the generated worlds.
        cls.env.cr.execute(
            "UPDATE xrm_journey_transition SET date = NOW() AT TIME ZONE 'UTC'"
        )

    def _score_all(self):
        """The nightly job, in small batches, without its commits."""
        Cron = type(self.env["ir.cron"])
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            return self.Model._cron_xrm_churn_score(batch_size=50)

    def _world(self, count, churn_share, planted, seed, at_risk_now=0):
        """``count`` relationships met every ~10 days for two years.

        A share churns at a random date; with ``planted``, their meaningful
        contact stops 75–90 days before. ``at_risk_now`` more stopped 70 days
        ago and have not churned (yet). Built in bulk: a few SQL statements.
        """
        rng = random.Random(seed)
        total = count + at_risk_now
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"World {seed} #{i}",
                    "is_company": True,
                    "xrm_relation_type": "customer",
                    "user_id": self.xrm_user.id,
                    "xrm_stage_id": self.active_stage.id,
                }
                for i in range(total)
            ]
        )
        start = self.now - timedelta(days=HISTORY_DAYS)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                "UPDATE xrm_journey_transition SET date = %s"
                " WHERE partner_id = ANY(%s)",
                start,
                partners.ids,
            )
        )
        cr.execute(
            SQL(
                "UPDATE res_partner SET xrm_stage_date = %s WHERE id = ANY(%s)",
                start,
                partners.ids,
            )
        )
        contacts, churns = [], []
        for index, partner in enumerate(partners):
            stop = self.now
            if index >= count:
                stop = self.now - timedelta(days=70)
            elif rng.random() < churn_share:
                churn = start + timedelta(days=rng.uniform(200, HISTORY_DAYS - 10))
                churns.append((partner.id, churn))
                stop = churn - timedelta(days=rng.uniform(75, 90)) if planted else churn
            moment = start + timedelta(days=rng.uniform(0, CONTACT_EVERY))
            while moment < stop:
                contacts.append((partner.id, moment))
                moment += timedelta(days=CONTACT_EVERY + rng.uniform(-2, 2))
        company = self.env.company.id
        cr.execute(
            SQL(
                """
                INSERT INTO xrm_interaction (partner_id, company_id, user_id, date,
                       channel, direction, state, quality, outcome, is_meaningful,
                       active)
                SELECT c.pid, %s, %s, c.at, 'meeting', 'inbound', 'done', 4,
                       'positive', TRUE, TRUE
                  FROM unnest(%s::int[], %s::timestamp[]) AS c(pid, at)
                """,
                company,
                self.xrm_user.id,
                [pid for pid, _at in contacts],
                [at for _pid, at in contacts],
            )
        )
        cr.execute(
            SQL(
                """
                INSERT INTO xrm_journey_transition (partner_id, from_stage_id,
                       to_stage_id, date, days_in_previous_stage)
                SELECT c.pid, %s, %s, c.at, 0
                  FROM unnest(%s::int[], %s::timestamp[]) AS c(pid, at)
                """,
                self.active_stage.id,
                self.churn_stage.id,
                [pid for pid, _at in churns],
                [at for _pid, at in churns],
            )
        )
        cr.execute(
            SQL(
                "UPDATE res_partner SET xrm_stage_id = %s WHERE id = ANY(%s)",
                self.churn_stage.id,
                [pid for pid, _at in churns],
            )
        )
        self.env.invalidate_all()
        return partners, dict(churns)

    def test_planted_signal_is_learned_and_is_the_top_reason(self):
        partners, churns = self._world(300, 0.5, planted=True, seed=7, at_risk_now=5)
        model = self.Model._xrm_train(self.env.company)
        self.assertEqual(model.state, "ready")
        self.assertGreaterEqual(model.churn_count, 50)
        self.assertGreaterEqual(model.auc, 0.8, model.message)
        self.assertGreater(model.test_churn_count, 20)
        # most relationships that churned in the test period were flagged
        self.assertGreater(model.flagged_count, model.test_churn_count / 2)
        features = model.weights["features"]
        strongest = max(features, key=lambda name: max(features[name].values()))
        self.assertEqual(strongest, "recency")
        # nightly scoring: the five who went silent 70 days ago stand out
        self._score_all()
        silent = partners[-5:]
        steady = partners.filtered(lambda p: p.id not in churns)[:-5][:20]
        self.assertTrue(all(p.xrm_churn_risk >= 50 for p in silent))
        self.assertTrue(all(p.xrm_churn_risk < 50 for p in steady))
        for partner in silent:
            reasons = partner.xrm_churn_risk_factors.splitlines()
            self.assertLessEqual(len(reasons), 3)
            self.assertEqual(reasons[0], "Last meaningful contact 61-90 days ago")
        # churned relationships are not scored
        churned = partners.filtered(lambda p: p.id in churns)[:3]
        self.assertFalse(any(churned.mapped("xrm_churn_risk")))
        self.assertTrue(all(churned.mapped("xrm_churn_risk_date")))

    def test_large_history_is_subsampled_uniformly(self):
        """A big company trains on a uniform sample: same signal, bounded cost."""
        self._world(300, 0.5, planted=True, seed=5)
        with patch.object(churn_model, "MAX_SAMPLES", 4000):
            model = self.Model._xrm_train(self.env.company)
        self.assertLess(model.sample_count, 4500)
        self.assertEqual(model.state, "ready")
        self.assertGreaterEqual(model.auc, 0.8, model.message)

    def test_random_churn_is_a_coin_toss(self):
        self._world(400, 0.5, planted=False, seed=11)
        model = self.Model._xrm_train(self.env.company)
        self.assertEqual(model.state, "ready")
        self.assertGreater(model.test_sample_count, 1000)
        self.assertGreaterEqual(model.auc, 0.35, model.message)
        self.assertLessEqual(model.auc, 0.65, model.message)

    def test_too_little_history_scores_nothing(self):
        partners, _churns = self._world(60, 0.3, planted=True, seed=3)
        model = self.Model._xrm_train(self.env.company)
        self.assertEqual(model.state, "insufficient")
        self.assertLess(model.churn_count, 50)
        self.assertIn("nothing is scored", model.message)
        self.assertFalse(model.weights)
        self._score_all()
        self.assertFalse(any(partners.mapped("xrm_churn_risk")))
        self.assertFalse(any(partners.mapped("xrm_churn_risk_factors")))

    def test_roc_auc(self):
        self.assertEqual(roc_auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1.0)
        self.assertEqual(roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5)
        self.assertEqual(roc_auc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0.0)
        self.assertIsNone(roc_auc([1, 1], [0.1, 0.2]))

    def test_risk_above_threshold_is_an_early_warning(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Risky Co",
                "is_company": True,
                "user_id": self.xrm_user.id,
                "xrm_stage_id": self.active_stage.id,
            }
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "xrm_relationship.churn_risk_threshold", "60"
        )
        reasons = "No meaningful contact for more than 90 days\nNo goals tracked"

        def set_risk(risk):
            self.env.cr.execute(
                SQL(
                    "UPDATE res_partner SET xrm_churn_risk = %s,"
                    " xrm_churn_risk_factors = %s WHERE id = %s",
                    risk,
                    reasons,
                    partner.id,
                )
            )
            partner.invalidate_recordset()

        def warnings():
            return self.env["mail.activity"].search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "=", partner.id),
                    ("xrm_warning_kind", "=", "churn_risk"),
                ]
            )

        Warning = self.env["xrm.early.warning"]
        set_risk(59)
        Warning._cron_xrm_early_warnings()
        self.assertFalse(warnings())
        set_risk(75)
        Warning._cron_xrm_early_warnings()
        Warning._cron_xrm_early_warnings()  # never twice
        activity = warnings()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.xrm_user)
        self.assertIn("more than 90 days", activity.note)
        set_risk(20)
        Warning._cron_xrm_early_warnings()
        self.assertFalse(warnings())

    def test_threshold_setting_is_bounded(self):
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xrm_churn_risk_threshold": 0})

    def test_salesperson_cannot_retrain_or_edit(self):
        model = self.Model._xrm_model_for(self.env.company)
        with self.assertRaises(AccessError):
            model.with_user(self.xrm_user).write({"auc": 1.0})
        with self.assertRaises(AccessError):
            model.with_user(self.xrm_user).action_xrm_train()
