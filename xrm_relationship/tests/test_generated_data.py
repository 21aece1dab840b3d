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
        cls.generated = load_generator().generate(
            cls.env, SCALE, company=cls.company, log=lambda _msg: None
        )
        cls.world_partners = cls.env["res.partner"].browse(cls.generated["res.partner"])

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
        self.assertEqual(len(self.generated["xrm.journey.transition"]), 400)
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
