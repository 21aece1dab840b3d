# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Satisfaction requests after documented interactions (issue 14, point 1).

Hand-computed worlds: one request per documented interaction, the fatigue
guard (cooldown, contact pressure) with its reason recorded, the answer
through Odoo's public rating URL as an anonymous visitor (CSAT, CX,
csat_avg), one follow-up for a low answer, and the refusals of bad input.
"""

import importlib.util
import re
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools.misc import file_path

from ..models.xrm_interaction_survey import SURVEY_FEEDBACK_MAX
from .common import XrmHttpCase, XrmWorld

CSRF = re.compile(r'name="csrf_token"\s+value="([^"]+)"')


class SurveyWorld(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._partner(cls, "Vox Co")
        cls.vera = cls.env["res.partner"].create(
            {
                "name": "Vera Vox",
                "parent_id": cls.customer.id,
                "email": "vera@vox.example.com",
                "company_id": cls.company.id,
            }
        )
        cls.victor = cls.env["res.partner"].create(
            {
                "name": "Victor Vox",
                "parent_id": cls.customer.id,
                "email": "victor@vox.example.com",
                "company_id": cls.company.id,
            }
        )
        cls.customer.xrm_max_outbound = 50  # pressure: only where tested
        Param = cls.env["ir.config_parameter"].sudo()
        Param.set_param("xrm_relationship.survey_phone", "True")
        Param.set_param("xrm_relationship.survey_other", False)
        Param.set_param("xrm_relationship.survey_cooldown_days", "30")
        Param.set_param("xrm_relationship.pressure_period_days", "30")

    def _documented(self, contact=None, days_ago=1, channel="phone", **vals):
        """A call with ``contact``, captured as draft, then documented."""
        interaction = self.env["xrm.interaction"].create(
            {
                "partner_id": (contact or self.vera).id,
                "company_id": self.company.id,
                "user_id": self.alice.id,
                "date": fields.Datetime.now() - timedelta(days=days_ago),
                "channel": channel,
                **vals,
            }
        )
        interaction.with_user(self.alice).action_document(
            summary="Talked about the renewal", outcome="positive", quality=4
        )
        return interaction

    def _requests(self, interaction):
        return self.env["rating.rating"].search(
            [("res_model", "=", "xrm.interaction"), ("res_id", "=", interaction.id)]
        )

    def _request_mails(self, interaction):
        return self.env["mail.message"].search(
            [
                ("model", "=", "xrm.interaction"),
                ("res_id", "=", interaction.id),
                ("body", "ilike", "/rate/"),
            ]
        )


@tagged("post_install", "-at_install")
class TestSurveyRequest(SurveyWorld):
    def test_one_request_per_documented_interaction(self):
        interaction = self._documented()
        self.assertEqual(interaction.xrm_survey_state, "sent")
        self.assertEqual(interaction.xrm_survey_contact_id, self.vera)
        rating = self._requests(interaction)
        self.assertEqual(len(rating), 1)
        self.assertEqual(rating.partner_id, self.vera)
        self.assertFalse(rating.consumed)
        mail = self._request_mails(interaction)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.partner_ids, self.vera)
        self.assertIn(f"/rate/{rating.access_token}/2", mail.body)
        # Corrected and documented again: still the one request.
        interaction.with_user(self.alice).action_reset_to_draft()
        interaction.with_user(self.alice).action_document()
        self.assertEqual(len(self._requests(interaction)), 1)
        self.assertEqual(len(self._request_mails(interaction)), 1)
        self.assertEqual(interaction.xrm_survey_state, "sent")

    def test_channel_not_asking_and_no_email(self):
        other = self._documented(channel="other")
        self.assertFalse(other.xrm_survey_state)
        self.assertFalse(self._requests(other))
        mute = self.env["res.partner"].create(
            {"name": "Mute Vox", "parent_id": self.customer.id}
        )
        silent = self._documented(contact=mute)
        self.assertEqual(silent.xrm_survey_state, "no_email")
        self.assertFalse(self._requests(silent))
        self.assertIn("has no email", silent.message_ids[0].body)

    def test_cooldown_per_contact_with_reason(self):
        """Vera asked today; cooldown 30 days: her next documented call does
        not ask, Victor (another person) is asked."""
        first = self._documented()
        second = self._documented()
        self.assertEqual(first.xrm_survey_state, "sent")
        self.assertEqual(second.xrm_survey_state, "cooldown")
        self.assertFalse(self._requests(second))
        self.assertIn("was already asked on", second.message_ids[0].body)
        other_person = self._documented(contact=self.victor)
        self.assertEqual(other_person.xrm_survey_state, "sent")
        # 31 days later the cooldown is over.
        self.vera.xrm_survey_last_date -= timedelta(days=31)
        third = self._documented()
        self.assertEqual(third.xrm_survey_state, "sent")

    def test_request_counts_in_pressure_and_respects_limit(self):
        """Limit 3 outbound contacts in 30 days.

        Call 1 (outbound) → 1 contact < 3: asked → 1 call + 1 request = 2.
        Call 2 with Victor (outbound) → 2 + 1 = 3 ≥ 3: at the limit, no
        request, reason recorded; count stays 3 (no request added).
        """
        self.customer.xrm_max_outbound = 3
        first = self._documented()
        self.assertEqual(first.xrm_survey_state, "sent")
        self.customer.invalidate_recordset(["xrm_pressure_count"])
        self.assertEqual(self.customer.xrm_pressure_count, 2)
        second = self._documented(contact=self.victor)
        self.assertEqual(second.xrm_survey_state, "pressure")
        self.assertFalse(self._requests(second))
        self.assertIn("limit 3", second.message_ids[0].body)
        self.customer.invalidate_recordset(["xrm_pressure_count"])
        self.assertEqual(self.customer.xrm_pressure_count, 3)

    def test_mail_failure_keeps_the_documentation(self):
        with patch.object(
            type(self.env["xrm.interaction"]),
            "rating_send_request",
            side_effect=RuntimeError("SMTP down"),
        ):
            interaction = self._documented()
        self.assertEqual(interaction.state, "done")
        self.assertEqual(interaction.summary, "Talked about the renewal")
        self.assertEqual(interaction.xrm_survey_state, "failed")
        self.assertFalse(self.vera.xrm_survey_last_date)  # rolled back whole
        self.assertIn("could not be sent", interaction.message_ids[0].body)

    def test_demo_loading_never_asks(self):
        from ..tools.capture import NO_CAPTURE

        vals = {
            "company_id": self.company.id,
            "state": "done",
            "summary": "Created documented",
            "outcome": "positive",
            "quality": 4,
        }
        # A caller's plain string is not the marker (first: environments
        # with equal contexts are shared within a transaction).
        forged = self.env["xrm.interaction"].with_context(
            xrm_no_capture="xrm_no_capture"
        )
        interaction = forged.create(dict(vals, partner_id=self.victor.id))
        self.assertEqual(interaction.xrm_survey_state, "sent")
        demo = (
            self.env["xrm.interaction"]
            .with_context(xrm_no_capture=NO_CAPTURE, demo_marker=True)
            .create(dict(vals, partner_id=self.vera.id))
        )
        self.assertFalse(demo.xrm_survey_state)

    def test_response_rate_opens_its_records(self):
        """Three requests in 365 days (Vera, Victor, Vera 40 days later),
        two answered (5 and 1): rate 2 / 3 = 66.7 %, average 3.0, one low."""
        a = self._documented()
        b = self._documented(contact=self.victor)
        self.vera.xrm_survey_last_date -= timedelta(days=40)
        c = self._documented()
        a.rating_apply(5, rating=self._requests(a))
        b.rating_apply(1, rating=self._requests(b), feedback="Too slow")
        self.assertEqual(c.xrm_survey_state, "sent")
        partner = self.customer.with_user(self.alice)
        self.assertEqual(partner.xrm_survey_sent_count, 3)
        self.assertEqual(partner.xrm_survey_answered_count, 2)
        self.assertEqual(partner.xrm_survey_low_count, 1)
        self.assertAlmostEqual(partner.xrm_survey_response_rate, 66.7)
        self.assertAlmostEqual(partner.xrm_survey_avg, 3.0)
        Interaction = self.env["xrm.interaction"]
        for method, expected in (
            ("action_xrm_survey_sent", a | b | c),
            ("action_xrm_survey_answered", a | b),
            ("action_xrm_survey_low", b),
        ):
            action = getattr(partner, method)()
            self.assertEqual(Interaction.search(action["domain"]), expected, method)
        data = (
            self.env["xrm.dashboard"]
            .with_user(self.alice)
            .get_dashboard_data({"company_id": self.company.id, "period_days": 90})
        )
        survey = data["survey"]
        self.assertEqual(
            (survey["sent"], survey["answered"], survey["low"], survey["rate"]),
            (3, 2, 1, 66.7),
        )
        self.assertEqual(Interaction.search(survey["domains"]["low"]), b)

    def test_low_answer_gives_one_follow_up(self):
        interaction = self._documented()
        rating = self._requests(interaction)
        interaction.rating_apply(2, rating=rating, feedback="Nobody called back")
        activities = interaction.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.alice)  # partner's salesperson
        self.assertIn("answered 2 out of 5", activities.note)
        self.assertIn(interaction.display_name, activities.note)
        self.assertIn("Nobody called back", activities.note)
        # A changed comment (by the team, on the rating) is no second follow-up.
        rating.write({"feedback": "Nobody called back, still waiting"})
        self.assertEqual(len(interaction.activity_ids), 1)
        self.assertEqual(interaction.csat, 2)


@tagged("post_install", "-at_install")
class TestSurveyAnswerHttp(XrmHttpCase, SurveyWorld):
    """The customer answers through Odoo's public rating URL, anonymous."""

    def _open(self, token, score=4):
        return self.url_open(f"/rate/{token}/{score}")

    def _answer(self, token, score, feedback=""):
        page = self._open(token, score)
        self.assertEqual(page.status_code, 200)
        csrf = CSRF.search(page.text).group(1)
        return self.url_open(
            f"/rate/{token}/submit_feedback",
            data={"rate": score, "feedback": feedback, "csrf_token": csrf},
        )

    def test_answer_sets_csat_cx_and_csat_avg(self):
        """Before: Vox Co has a call answered 4 typed by hand and quality 4,
        and a documented call (quality 4) that asked.

        CX before = mean((4 − 1) / 4 × 100, (4 − 1) / 4 × 100) = 75.
        Answer 2: CSAT pooled (4 + 2) / 2 = 3 → (3 − 1) / 4 × 100 = 50;
        quality stays 75 → CX = (50 + 75) / 2 = 62.5, i.e. −12.5.
        csat_avg (this company, 90 days): 4 → (4 + 2) / 2 = 3, i.e. −1.
        """
        self._documented(channel="other", csat=4)  # does not ask
        interaction = self._documented()
        as_of = fields.Date.today() + timedelta(days=1)
        kpi = self._kpi("csat_avg")
        self.customer._xrm_compute_health()
        self.assertAlmostEqual(self.customer.xrm_cx_score, 75.0)
        before = self._by_scope(kpi.compute_kpis(as_of=as_of))[None]
        self.assertValue(before, 4.0, 4, 1)
        token = self._requests(interaction).access_token
        response = self._answer(token, 2, feedback="Nobody called back")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your feedback", response.text)
        interaction.invalidate_recordset()
        self.assertEqual(interaction.csat, 2)
        self.assertEqual(interaction.xrm_survey_state, "answered")
        self.customer._xrm_compute_health()
        self.assertAlmostEqual(self.customer.xrm_cx_score, 62.5)
        after = self._by_scope(kpi.compute_kpis(as_of=as_of))[None]
        # Counted once: through the CSAT, not also as a rating.
        self.assertValue(after, 3.0, 6, 2)
        self.assertEqual(len(interaction.activity_ids), 1)

    def test_answered_token_cannot_change_the_answer(self):
        interaction = self._documented()
        rating = self._requests(interaction)
        self._answer(rating.access_token, 5, feedback="Great")
        again = self._open(rating.access_token, 1)
        self.assertEqual(again.status_code, 403)
        self.assertIn("already answered", again.text)
        # Straight POST with a fresh page's token (the form is refused too).
        csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        post = self.url_open(
            f"/rate/{rating.access_token}/submit_feedback",
            data={"rate": 1, "feedback": "Changed", "csrf_token": csrf},
        )
        self.assertEqual(post.status_code, 403)
        rating.invalidate_recordset()
        interaction.invalidate_recordset()
        self.assertEqual((rating.rating, rating.feedback), (5, "Great"))
        self.assertEqual(interaction.csat, 5)
        self.assertFalse(interaction.activity_ids)

    def test_forged_token_is_refused(self):
        interaction = self._documented()
        Rating = self.env["rating.rating"]
        before = Rating.search_count([])
        response = self._open("forged-token-0000", 1)
        self.assertEqual(response.status_code, 404)
        csrf = CSRF.search(self.url_open("/web/login").text).group(1)
        post = self.url_open(
            "/rate/forged-token-0000/submit_feedback",
            data={"rate": 1, "csrf_token": csrf},
        )
        self.assertEqual(post.status_code, 404)
        self.assertEqual(Rating.search_count([]), before)
        self.assertFalse(self._requests(interaction).consumed)
        self.assertFalse(interaction.csat)

    def test_feedback_too_long_is_refused_clearly(self):
        interaction = self._documented()
        rating = self._requests(interaction)
        response = self._answer(rating.access_token, 3, "x" * (SURVEY_FEEDBACK_MAX + 1))
        self.assertEqual(response.status_code, 400)
        self.assertIn("please keep it", response.text)
        rating.invalidate_recordset()
        interaction.invalidate_recordset()
        self.assertFalse(rating.consumed)
        self.assertFalse(interaction.csat)
        self.assertEqual(interaction.xrm_survey_state, "sent")

    def test_score_out_of_range_is_refused(self):
        interaction = self._documented()
        rating = self._requests(interaction)
        response = self._answer(rating.access_token, 7)
        self.assertEqual(response.status_code, 400)
        rating.invalidate_recordset()
        self.assertFalse(rating.consumed)


@tagged("post_install", "-at_install")
class TestSurveyMigration(SurveyWorld):
    def test_pre_migration_creates_rating_column_in_sql(self):
        path = file_path(
            "xrm_relationship/migrations/19.0.1.3.0/pre-interaction_rating.py"
        )
        spec = importlib.util.spec_from_file_location("pre_interaction_rating", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        answered = self._documented()
        asked = self._documented(contact=self.victor)
        answered.rating_apply(4, rating=self._requests(answered))
        self.env.flush_all()
        # As a 19.0.1.2.0 database: no column yet.
        self.env.cr.execute("ALTER TABLE xrm_interaction DROP COLUMN rating_last_value")
        with patch.object(
            type(self.env["xrm.interaction"]), "_compute_rating_last_value"
        ) as compute:
            migration.migrate(self.env.cr, "19.0.1.2.0")
        compute.assert_not_called()
        self.env.cr.execute(
            "SELECT id, rating_last_value FROM xrm_interaction WHERE id IN %s",
            [(answered.id, asked.id)],
        )
        self.assertEqual(
            dict(self.env.cr.fetchall()), {answered.id: 4.0, asked.id: None}
        )
        migration.migrate(self.env.cr, "19.0.1.2.0")  # runs twice safely
