# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The benchmark's bulk-SQL generator, on a tiny scale.

Its data must read exactly like ORM-made data (every stored computed field
as the ORM computes it, no required value missing), and the KPI engine on it
must agree with the record-by-record reference of test_kpi_reference.
"""

import importlib.util
import unittest
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from .common import XrmWorld
from .test_kpi_reference import KpiReferenceMixin

GENERATOR = Path(__file__).resolve().parents[2] / "tools" / "bench" / "xrm_generator.py"
# 400 partners, 4,000 interactions, 200 opportunities and 200 tickets.
SCALE = 0.004


def load_generator():
    if not GENERATOR.exists():  # an installed copy of the addon, not the repo
        raise unittest.SkipTest(f"{GENERATOR} is not there")
    spec = importlib.util.spec_from_file_location("xrm_generator", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestGeneratedData(KpiReferenceMixin, XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.indexes_before = cls._index_definitions()
        # the bulk-load path of the big scales: indexes and foreign keys
        # dropped, then rebuilt
        cls.generated = load_generator().generate(
            cls.env,
            SCALE,
            company=cls.company,
            log=lambda _msg: None,
            bulk_load=True,
        )
        cls.world_partners = cls.env["res.partner"].browse(cls.generated["res.partner"])

    @classmethod
    def _index_definitions(cls):
        cls.env.cr.execute(
            """
            SELECT indexdef FROM pg_indexes
             WHERE tablename IN ('res_partner', 'xrm_interaction', 'crm_lead',
                                 'helpdesk_ticket', 'rating_rating',
                                 'xrm_journey_transition')
            UNION ALL
            SELECT conrelid::regclass || ' ' || conname || ' '
                   || pg_get_constraintdef(oid)
              FROM pg_constraint
             WHERE contype = 'f'
               AND conrelid::regclass::text IN (
                   'res_partner', 'xrm_interaction', 'crm_lead', 'helpdesk_ticket',
                   'rating_rating', 'xrm_journey_transition')
            """
        )
        return sorted(row[0] for row in cls.env.cr.fetchall())

    def test_indexes_and_foreign_keys_rebuilt_after_bulk_load(self):
        # every index is there again, defined as before, and valid
        after = self._index_definitions()
        self.assertIn(
            "CREATE INDEX xrm_interaction_partner_date_idx ON public.xrm_interaction"
            " USING btree (partner_id, date)",
            after,
        )
        self.assertIn(
            "xrm_interaction xrm_interaction_partner_id_fkey FOREIGN KEY (partner_id)"
            " REFERENCES res_partner(id) ON DELETE RESTRICT",
            after,
        )
        self.assertEqual(after, self.indexes_before)
        self.env.cr.execute(
            """
            SELECT COUNT(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
             WHERE c.relname = 'xrm_interaction' AND NOT i.indisvalid
            """
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_ticket_texts_feed_related_knowledge(self):
        generator = load_generator()
        words = set(generator.ticket_vocabulary()) | set(generator.COMMON_WORDS)
        tickets = self._generated("helpdesk.ticket")
        for ticket in tickets[:20]:
            self.assertTrue(set(ticket.name.split()) <= words, ticket.name)
            self.assertGreaterEqual(len(ticket.name.split()), 3)
        # texts differ (a corpus, not one sentence 200 times)
        self.assertGreater(len(set(tickets.mapped("name"))), 190)
        ticket = tickets.filtered(lambda t: not t.stage_id.closed)[:1]
        found = self.env["xrm.ticket.suggestion"]._xrm_similar_tickets(ticket)
        self.assertTrue(found)
        self.assertNotIn(ticket.id, [ticket_id for ticket_id, _rank in found])

    def _generated(self, model):
        return (
            self.env[model]
            .with_context(active_test=False)
            .browse(self.generated[model])
        )

    def test_sizes(self):
        self.assertEqual(len(self.generated["res.partner"]), 400)
        self.assertEqual(len(self.generated["xrm.interaction"]), 4000)
        self.assertEqual(len(self.generated["crm.lead"]), 200)
        self.assertEqual(len(self.generated["helpdesk.ticket"]), 200)
        self.assertTrue(self.generated["rating.rating"])
        # the journey: an entry for each, then the moves (see test_journey_*)
        self.assertGreater(len(self.generated["xrm.journey.transition"]), 400)
        self.assertEqual(len(self.generated["xrm.customer.goal"]), 80)
        partners = self._generated("res.partner")
        self.assertEqual(
            set(partners.mapped("xrm_relation_type")),
            {"customer", "agent", "supplier", "contractor", "technician", "other"},
        )
        self.assertEqual(
            len(partners.xrm_stage_id), self.env["xrm.journey.stage"].search_count([])
        )
        self.assertTrue(partners.filtered("xrm_referred_by_id"))
        interactions = self._generated("xrm.interaction")
        self.assertTrue(interactions.filtered(lambda i: i.state == "draft"))
        leads = self._generated("crm.lead")
        self.assertEqual(set(leads.mapped("won_status")), {"won", "lost", "pending"})

    def test_required_values_are_all_there(self):
        for model in self.generated:
            records = self._generated(model)
            for name, field in records._fields.items():
                if not (field.required and field.store) or field.type == "boolean":
                    continue
                with self.subTest(model=model, field=name):
                    missing = records.filtered(lambda r, name=name: not r[name])
                    self.assertFalse(missing, f"{model}.{name} is empty")

    def test_stored_computed_fields_equal_the_orm(self):
        """Recompute every stored computed field and compare with the SQL's."""
        wrong = {}
        for model in self.generated:
            records = self._generated(model)
            for name, field in records._fields.items():
                if not (field.store and field.compute):
                    continue
                self.env.invalidate_all()
                stored = {r.id: self._plain(r[name]) for r in records}
                self.env.add_to_compute(field, records)
                computed = {r.id: self._plain(r[name]) for r in records}
                differ = [
                    (rid, stored[rid], computed[rid])
                    for rid in stored
                    if not self._same(stored[rid], computed[rid])
                ]
                if differ:
                    wrong[f"{model}.{name}"] = (len(differ), differ[0])
            self.env.invalidate_all()
        self.assertFalse(
            wrong, "field: (records that differ, (id, generated, ORM)) " + repr(wrong)
        )

    @staticmethod
    def _plain(value):
        if hasattr(value, "_name"):
            return tuple(value.ids)
        return value

    @staticmethod
    def _same(left, right):
        if isinstance(left, float) or isinstance(right, float):
            return abs((left or 0.0) - (right or 0.0)) < 0.01
        # The ORM reads an empty char as False whatever the column holds.
        return (left or False) == (right or False)

    def test_kpis_equal_the_reference(self):
        self._assert_engine_equals_reference(fields.Date.today())

    def test_journey_history_reads_like_the_orm_logged_it(self):
        """Each journey is a chain of moves ending in the partner's stage;
        churned relationships carry the churn date and reason of their move."""
        partners = self._generated("res.partner")
        transitions = self._generated("xrm.journey.transition")
        by_partner = {}
        for move in transitions.sorted(lambda t: (t.date, t.id)):
            by_partner.setdefault(move.partner_id, []).append(move)
        self.assertEqual(set(by_partner), set(partners))
        for partner, moves in by_partner.items():
            self.assertFalse(moves[0].from_stage_id)  # the entry: from no stage
            for before, after in zip(moves, moves[1:], strict=False):
                self.assertEqual(after.from_stage_id, before.to_stage_id)
                self.assertNotEqual(after.to_stage_id, before.to_stage_id)
                days = (after.date - before.date).total_seconds() / 86400
                self.assertAlmostEqual(after.days_in_previous_stage, days, places=1)
            self.assertEqual(moves[-1].to_stage_id, partner.xrm_stage_id)
            self.assertEqual(moves[-1].date, partner.xrm_stage_date)
            self.assertGreaterEqual(moves[0].date, partner.create_date)
        churned = partners.filtered("xrm_stage_id.is_churn")
        # one in five churned over the two years: enough for the churn model
        self.assertGreater(len(churned), 50)
        self.assertLess(len(churned), len(partners) / 3)
        for partner in churned:
            self.assertEqual(partner.xrm_churn_date, partner.xrm_stage_date.date())
            self.assertTrue(partner.xrm_churn_reason)
            self.assertEqual(by_partner[partner][-1].reason, partner.xrm_churn_reason)
        self.assertFalse((partners - churned).filtered("xrm_churn_date"))
        # no contact after a churn, none before the relationship existed
        interactions = self._generated("xrm.interaction")
        self.assertFalse(
            interactions.filtered(
                lambda i: i.date < i.partner_id.create_date
                or (
                    i.partner_id.xrm_churn_date and i.date > i.partner_id.xrm_stage_date
                )
            )
        )

    def test_churn_history_has_the_planted_signal_and_trains(self):
        """Most churned relationships went silent 75-90 days before: the model
        trains on the generated world and learns that silence raises the risk."""
        partners = self._generated("res.partner")
        churned = partners.filtered("xrm_stage_id.is_churn")
        meaningful = self._generated("xrm.interaction").filtered("is_meaningful")
        last_meaningful = {}
        for interaction in meaningful:
            partner = interaction.partner_id
            last_meaningful[partner] = max(
                last_meaningful.get(partner, interaction.date), interaction.date
            )
        silent = churned.filtered(
            lambda p: p not in last_meaningful
            or (p.xrm_stage_date - last_meaningful[p]).days >= 60
        )
        # the planted share (60 %) plus random churners with sparse contact
        self.assertGreater(len(silent), len(churned) / 2)
        self.assertLess(len(silent), len(churned))  # and random churn too
        # an at-risk move on the way for those who went silent
        at_risk = self.env.ref("xrm_relationship.xrm_journey_stage_at_risk")
        moved_at_risk = (
            self._generated("xrm.journey.transition")
            .filtered(lambda t: t.to_stage_id == at_risk)
            .partner_id
        )
        self.assertGreater(len(moved_at_risk & churned), len(churned) * 0.4)
        model = self.env["xrm.churn.model"]._xrm_train(self.company)
        self.assertEqual(model.state, "ready", model.message)
        self.assertGreaterEqual(model.churn_count, 50)
        self.assertGreater(model.test_churn_count, 10)
        # the planted direction: a long silence raises the churn odds, a recent
        # meaningful contact lowers them (the AUC of this mixed world, planted
        # and random churn, is make bench's figure at 100 %)
        recency = model.weights["features"]["recency"]
        self.assertGreater(recency["90+"], 0)
        self.assertGreater(recency["61-90"], 0)
        self.assertLess(recency["0-14"], 0)
        self.assertLess(recency["0-14"], recency["90+"])
