# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Scale-out: overlapping runs of one KPI never store a snapshot twice.

With ``--workers`` and several cron threads, the nightly job can meet a
*Compute Now* (or a second cron worker) on the same KPI. Two real database
transactions race here on the installed demo data; whatever they wrote is
removed again at the end.
"""

import importlib.util
import threading
from datetime import timedelta
from pathlib import Path

import psycopg2
from psycopg2.extensions import TransactionRollbackError

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, TransactionCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from .common import XrmCommon

MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "19.0.1.1.0"
    / "pre-migration.py"
)


@tagged("post_install", "-at_install")
class TestKpiOverlappingRuns(BaseCase):
    """Two transactions computing one KPI at the same time."""

    def setUp(self):
        super().setUp()
        self.registry = Registry(get_db_name())
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            kpi = env.ref("xrm_relationship.xrm_kpi_undocumented_ratio")
            self.kpi_id = kpi.id
            # A day nobody computed: the demo's history stays untouched.
            used = set(
                env["xrm.kpi.value"]
                .search([("definition_id", "=", kpi.id)])
                .mapped("date")
            )
            as_of = fields.Date.today() + timedelta(days=1)
            while as_of in used:
                as_of += timedelta(days=1)
            self.as_of = as_of
        self.addCleanup(self._remove_values)

    def _remove_values(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM xrm_kpi_value WHERE definition_id = %s AND date = %s",
                [self.kpi_id, self.as_of],
            )

    def _count(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT COUNT(*), COUNT(DISTINCT (COALESCE(user_id, 0)))"
                " FROM xrm_kpi_value WHERE definition_id = %s AND date = %s",
                [self.kpi_id, self.as_of],
            )
            return cr.fetchone()

    def _run(self, wait_for=None, computed=None, hold=None):
        """One transaction computing the KPI.

        ``wait_for``: start computing only once that event is set (the
        transaction's snapshot is taken before). ``computed`` is set once the
        values are written; ``hold`` keeps the transaction open until set.
        """
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            kpi = env["xrm.kpi.definition"].browse(self.kpi_id)
            cr.execute("SELECT 1")  # take the transaction's snapshot now
            if wait_for:
                wait_for.wait(timeout=30)
            values = kpi._xrm_compute_one(self.as_of)
            if computed:
                computed.set()
            if hold:
                hold.wait(timeout=30)
            return len(values)

    def test_sequential_runs_replace(self):
        first = self._run()
        self.assertGreater(first, 1, "demo data should give company + salespeople")
        self.assertEqual(self._count(), (first, first))
        self.assertEqual(self._run(), first)
        self.assertEqual(self._count(), (first, first))

    def test_overlapping_runs_store_one_snapshot_set(self):
        expected = self._run()
        self._remove_values()
        computed = threading.Event()
        release = threading.Event()
        outcome = {}

        def worker(name, **events):
            try:
                with mute_logger("odoo.sql_db"):
                    outcome[name] = self._run(**events)
            except (TransactionRollbackError, psycopg2.IntegrityError) as error:
                outcome[name] = error

        # Both transactions are open before either computes; the first has
        # written its snapshots (uncommitted) when the second starts.
        first = threading.Thread(
            target=worker,
            args=("first",),
            kwargs={"computed": computed, "hold": release},
        )
        second = threading.Thread(
            target=worker, args=("second",), kwargs={"wait_for": computed}
        )
        second.start()
        first.start()
        self.assertTrue(computed.wait(timeout=60), "the first run did not compute")
        # The first holds its lock open; the second must queue behind it.
        second.join(timeout=2)
        self.assertTrue(second.is_alive(), "the second run did not wait")
        release.set()
        first.join(timeout=60)
        second.join(timeout=60)
        self.assertEqual(outcome["first"], expected)
        # The loser saw the KPI change under it: Odoo retries such a call.
        self.assertIsInstance(outcome["second"], TransactionRollbackError)
        self.assertEqual(self._count(), (expected, expected))
        # The retry replaces the winner's snapshots instead of adding to them.
        self.assertEqual(self._run(), expected)
        self.assertEqual(self._count(), (expected, expected))


@tagged("post_install", "-at_install")
class TestKpiValueUnique(XrmCommon):
    def _value(self, kpi, **vals):
        return self.env["xrm.kpi.value"].create(
            {
                "definition_id": kpi.id,
                "date": "2026-01-31",
                "company_id": kpi.company_id.id,
                "value": 1.0,
                **vals,
            }
        )

    def test_one_value_per_kpi_day_and_scope(self):
        kpi = self.env.ref("xrm_relationship.xrm_kpi_undocumented_ratio")
        self._value(kpi)
        self._value(kpi, user_id=self.xrm_user.id)
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self._value(kpi, user_id=self.xrm_user.id)
                self.env.flush_all()
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"):
            with self.env.cr.savepoint():
                self._value(kpi)
                self.env.flush_all()


@tagged("post_install", "-at_install")
class TestKpiValueMigration(TransactionCase):
    """19.0.1.1.0 keeps the newest of each duplicated snapshot."""

    def test_duplicates_are_reduced_to_the_newest(self):
        spec = importlib.util.spec_from_file_location("xrm_pre_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        kpi = self.env.ref("xrm_relationship.xrm_kpi_undocumented_ratio")
        user = self.env.ref("base.user_admin")
        self.env.cr.execute("DROP INDEX xrm_kpi_value_scope_unique")
        Value = self.env["xrm.kpi.value"]
        base = {
            "definition_id": kpi.id,
            "date": "2025-03-01",
            "company_id": kpi.company_id.id,
        }
        old_company, new_company, only_user = Value.create(
            [
                {**base, "value": 10.0},
                {**base, "value": 20.0},
                {**base, "value": 30.0, "user_id": user.id},
            ]
        )
        self.env.flush_all()
        migration.migrate(self.env.cr, "19.0.1.0.0")
        self.env.invalidate_all()
        kept = Value.search(
            [("definition_id", "=", kpi.id), ("date", "=", "2025-03-01")]
        )
        self.assertEqual(kept, new_company | only_user)
        self.assertFalse(old_company.exists())
