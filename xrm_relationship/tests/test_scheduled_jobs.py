# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Every scheduled job of the addon runs on the model that holds its engine."""

import importlib.util
import logging
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import file_path

from ..tools.batch import run_in_batches
from .common import XrmCommon

_logger = logging.getLogger(__name__)

MIGRATION = "xrm_relationship/migrations/19.0.1.2.0/post-repoint_crons.py"


@tagged("post_install", "-at_install")
class TestScheduledJobs(XrmCommon):
    def _jobs(self):
        ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "xrm_relationship"), ("model", "=", "ir.cron")])
            .mapped("res_id")
        )
        return self.env["ir.cron"].with_context(active_test=False).browse(ids)

    def _run(self, job):
        """The job's code as the scheduler runs it, without its commits."""
        with patch.object(
            type(self.env["ir.cron"]), "_commit_progress", return_value=100.0
        ):
            job.ir_actions_server_id.run()

    def test_every_job_runs(self):
        jobs = self._jobs()
        self.assertGreaterEqual(len(jobs), 8)
        for job in jobs:
            with self.subTest(job=job.cron_name):
                self._run(job)

    def test_moved_jobs_point_to_their_engines(self):
        expected = {
            "ir_cron_xrm_health": "xrm.health.profile",
            "ir_cron_xrm_early_warnings": "xrm.early.warning",
            "ir_cron_xrm_at_risk": "xrm.journey.stage",
            "ir_cron_xrm_assign_tiers": "xrm.relationship.tier",
        }
        for xmlid, model in expected.items():
            job = self.env.ref(f"xrm_relationship.{xmlid}")
            self.assertEqual(job.model_id.model, model, xmlid)

    def test_migration_repoints_jobs_of_an_older_database(self):
        """A database of 19.0.1.1.0 has them on res.partner (noupdate)."""
        health = self.env.ref("xrm_relationship.ir_cron_xrm_health")
        warnings = self.env.ref("xrm_relationship.ir_cron_xrm_early_warnings")
        at_risk = self.env.ref("xrm_relationship.ir_cron_xrm_at_risk")
        partner_model = self.env["ir.model"]._get_id("res.partner")
        self.env.flush_all()
        for job, code in (
            (health, "model._cron_xrm_health(batch_size=1000)"),  # edited: kept
            (warnings, "model._cron_xrm_early_warnings()"),
            (at_risk, "model.obsolete_call()"),  # not the job's method: reset
        ):
            self.env.cr.execute(
                "UPDATE ir_act_server SET model_id = %s, code = %s WHERE id = %s",
                [partner_model, code, job.ir_actions_server_id.id],
            )
        self.env.invalidate_all()
        spec = importlib.util.spec_from_file_location(
            "post_repoint_crons", file_path(MIGRATION)
        )
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(health.model_id.model, "xrm.health.profile")
        self.assertEqual(health.code, "model._cron_xrm_health(batch_size=1000)")
        self.assertEqual(warnings.model_id.model, "xrm.early.warning")
        self.assertEqual(warnings.code, "model._cron_xrm_early_warnings()")
        self.assertEqual(at_risk.model_id.model, "xrm.journey.stage")
        self.assertEqual(at_risk.code, "model._cron_xrm_at_risk()")
        for job in health | warnings | at_risk:
            self._run(job)

    def test_batches_survive_a_bad_one_stop_in_time_and_resume(self):
        partners = self.env["res.partner"].create(
            [{"name": f"Batch {i}", "is_company": True} for i in range(5)]
        )
        seen = []

        def process(batch):
            seen.append(batch.ids)
            batch.write({"ref": "done"})
            if len(seen) == 1:
                raise ValueError("bad batch")

        todo = [("id", "in", partners.ids), ("ref", "=", False)]
        Cron = type(self.env["ir.cron"])
        # remaining is set, two batches report progress, then no time is left
        with (
            patch.object(Cron, "_commit_progress", side_effect=[100.0, 100.0, 0.0]),
            self.assertLogs(_logger.name, "ERROR"),
        ):
            total = run_in_batches(
                partners.browse(),
                todo,
                process,
                batch_size=2,
                logger=_logger,
                label="T",
            )
        self.assertEqual(total, 5)
        self.assertEqual(seen, [partners[:2].ids, partners[2:4].ids])
        # the bad batch is rolled back, the last one not reached yet
        self.assertEqual(partners.mapped("ref"), [False, False, "done", "done", False])
        seen.clear()
        with patch.object(Cron, "_commit_progress", return_value=100.0):
            total = run_in_batches(
                partners.browse(),
                todo,
                process,
                batch_size=5,
                logger=_logger,
                label="T",
            )
        self.assertEqual(total, 3, "only what is still to do")
        self.assertEqual(seen, [(partners[:2] | partners[4]).ids])
