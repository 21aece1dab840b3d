# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A KPI run that dies halfway, then runs again, leaves what one clean run does.

Tests cannot commit, so the cron's commits are savepoints here and "the
process dies" is a rollback to the last of them: exactly what PostgreSQL
keeps of a killed job.
"""

from unittest.mock import patch

from psycopg2 import errors as pg_errors

from odoo.tests import tagged
from odoo.tools import SQL, mute_logger

from .common import D, XrmWorld

KPI_LOGGER = "odoo.addons.xrm_relationship.models.xrm_kpi_definition"


class Killed(BaseException):
    """The worker is killed: nothing in the job may catch this."""


@tagged("post_install", "-at_install")
class TestKpiRunInterrupted(XrmWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        codes = [
            "agent_response_hours",
            "undocumented_ratio",
            "csat_avg",
            "stage_overdue_ratio",
            "network_growth",
        ]
        cls.kpis = cls.env["xrm.kpi.definition"]
        for code in codes:
            cls.kpis |= cls._kpi(cls, code)
        cls.kpis = cls.kpis.sorted()
        agent = cls._partner(cls, "Agent Co", rtype="agent")
        customer = cls._partner(cls, "Bob's Co", user=cls.bob)
        cls._interaction(cls, agent, "2026-05-10 09:00:00", direction="inbound")
        cls._interaction(cls, agent, "2026-05-10 15:00:00", state="done")
        cls._interaction(cls, customer, "2026-05-12 10:00:00", user=cls.bob)
        cls._interaction(cls, customer, "2026-05-13 10:00:00", csat=4, user=cls.bob)

    def _snapshots(self):
        values = self.env["xrm.kpi.value"].search(
            [("definition_id", "in", self.kpis.ids), ("date", "=", D)]
        )
        return sorted(
            (
                v.code,
                v.user_id.id,
                v.stage_id.id,
                round(v.value, 6),
                v.numerator,
                v.denominator,
                v.status,
            )
            for v in values
        )

    def _by_code(self, snapshots, codes):
        return [row for row in snapshots if row[0] in codes]

    def _savepoint(self, name):
        self.env.flush_all()
        self.env.cr.execute(SQL("SAVEPOINT %s", SQL.identifier(name)))

    def _rollback_to(self, name):
        self.env.cr.execute(SQL("ROLLBACK TO SAVEPOINT %s", SQL.identifier(name)))
        self.env.invalidate_all(flush=False)
        self.env.transaction.clear()

    def _run(self, fail_at=None, failure=None):
        """The cron's run; its commits become savepoints we can return to."""
        commits = []

        def commit_progress(cron, processed=0, *, remaining=None, deactivate=False):
            name = f"xrm_commit_{len(commits)}"
            self._savepoint(name)
            commits.append(name)
            return float("inf")

        Definition = type(self.kpis)
        compute_one = Definition._xrm_compute_one
        started = []

        def failing_compute_one(kpi, as_of):
            started.append(kpi.code)
            if len(started) == fail_at:
                raise failure
            return compute_one(kpi, as_of)

        with (
            patch.object(
                type(self.env["ir.cron"]), "_commit_progress", commit_progress
            ),
            patch.object(Definition, "_xrm_compute_one", failing_compute_one),
        ):
            try:
                self.kpis._xrm_compute(as_of=D, commit=True)
            except (Killed, pg_errors.SerializationFailure):
                # The job is over: only what it committed is left.
                self._rollback_to(commits[-1])
                return started[:-1]
        return started

    def _world_changes(self):
        """New data after yesterday's run of the same as-of date."""
        customer = self.env["res.partner"].search([("name", "=", "Bob's Co")])
        self._interaction(customer, "2026-05-20 10:00:00", user=self.bob, csat=1)
        self._interaction(customer, "2026-05-21 10:00:00", user=self.bob)

    def test_killed_or_conflicting_run_then_rerun_equals_a_clean_run(self):
        self._run()  # an earlier run of the same day, on older data
        stale = self._snapshots()
        self._world_changes()
        self._savepoint("xrm_before")
        self._run()
        expected = self._snapshots()
        self.assertNotEqual(expected, stale, "the new data must change figures")
        failures = {
            "killed": Killed("SIGKILL"),
            "serialization": pg_errors.SerializationFailure(
                "could not serialize access due to concurrent update"
            ),
        }
        for label, failure in failures.items():
            with self.subTest(failure=label):
                self._rollback_to("xrm_before")
                self.assertEqual(self._snapshots(), stale)
                done = self._run(fail_at=3, failure=failure)
                self.assertEqual(len(done), 2)
                half = self._snapshots()
                rest = set(self.kpis.mapped("code")) - set(done)
                # Finished KPIs are new, the others whole as they were: no
                # KPI lost its old snapshots without getting new ones.
                self.assertEqual(
                    self._by_code(half, done), self._by_code(expected, done)
                )
                self.assertEqual(self._by_code(half, rest), self._by_code(stale, rest))
                self.assertNotEqual(half, expected)
                self._run()  # the next run
                self.assertEqual(self._snapshots(), expected)
                self._run()  # and once more: replaced, never doubled
                self.assertEqual(self._snapshots(), expected)

    def test_failing_kpi_keeps_its_old_snapshots_until_the_next_run(self):
        self._run()
        stale = self._snapshots()
        self._world_changes()
        with mute_logger(KPI_LOGGER):
            done = self._run(fail_at=3, failure=RuntimeError("division by zero"))
        broken = self.kpis.sorted()[2]
        self.assertEqual(len(done), len(self.kpis), "the other KPIs went on")
        self.assertIn("division by zero", broken.last_error)
        self.assertEqual(
            self._by_code(self._snapshots(), [broken.code]),
            self._by_code(stale, [broken.code]),
        )
        self._run()
        fresh = self._snapshots()
        self.assertFalse(broken.last_error)
        self.assertNotEqual(
            self._by_code(fresh, [broken.code]), self._by_code(stale, [broken.code])
        )
