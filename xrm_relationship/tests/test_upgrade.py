# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Install -> upgrade (-u) cycle on a database that holds data.

`make test` copies the freshly installed test database (with demo data)
before pytest starts and names the copy in XRM_UPGRADE_DB; this test adds
records of its own to the copy, runs ``odoo-bin -u xrm_relationship`` on it in
a subprocess and checks that nothing was lost or changed.
"""

import os
import shlex
import subprocess
import unittest

from odoo.sql_db import close_db, db_connect
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

SEED_SCRIPT = """
partner = env["res.partner"].create({"name": "Upgrade Survivor", "is_company": True})
plan = env["xrm.incentive.plan"].create(
    {
        "name": "Upgrade Plan",
        "period": "monthly",
        "user_ids": [(6, 0, env.ref("base.user_admin").ids)],
        "base_amount": 1000,
    }
)
run = env["xrm.incentive.run"].create({"plan_id": plan.id, "date_from": "2026-01-01"})
run.action_compute()
run.action_confirm()
env.cr.commit()
print("SEEDED:", partner.id, run.id)
"""

# Every column of a confirmed run and its lines: what was paid must not move.
RUN_SQL = """
SELECT to_jsonb(r) - 'write_date' - 'write_uid',
       (SELECT jsonb_agg(to_jsonb(l) - 'write_date' - 'write_uid' ORDER BY l.id)
          FROM xrm_incentive_line l WHERE l.run_id = r.id)
  FROM xrm_incentive_run r WHERE r.id = %s
"""

UNINSTALL_SCRIPT = """
module = env["ir.module.module"].search([("name", "=", "xrm_relationship")])
module.button_immediate_uninstall()
env.cr.commit()
print("UNINSTALLED:", module.state)
"""

# After the uninstall, the records left behind still open in a fresh process.
READ_BACK_SCRIPT = """
for model in ("res.partner", "crm.lead", "helpdesk.ticket"):
    records = env[model].with_context(active_test=False).search([])
    records.read(["display_name"])
    print("READ:", model, len(records))
"""


@tagged("post_install", "-at_install")
class TestUpgradeCycle(BaseCase):
    def _counts(self, dbname, tables):
        with db_connect(dbname).cursor() as cr:
            counts = {}
            for table in tables:
                cr.execute(SQL("SELECT count(*) FROM %s", SQL.identifier(table)))
                counts[table] = cr.fetchone()[0]
            return counts

    def test_upgrade_keeps_every_record(self):
        dbname = os.environ.get("XRM_UPGRADE_DB")
        odoo_cmd = os.environ.get("XRM_ODOO_CMD")
        if not dbname or not odoo_cmd:
            raise unittest.SkipTest("run through `make test`, which prepares the copy")
        # Records of our own, written by a separate Odoo process (a registry
        # of a second database cannot be loaded inside the test process).
        seeded = self._odoo(dbname, "--no-http", script=SEED_SCRIPT)
        partner_id, run_id = map(int, seeded.split("SEEDED:")[1].split()[:2])
        run_before = self._run_row(dbname, run_id)
        self.assertEqual(run_before[0]["state"], "confirmed")
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT model FROM ir_model WHERE model LIKE 'xrm.%%'"
                " AND id IN (SELECT res_id FROM ir_model_data"
                " WHERE module = 'xrm_relationship' AND model = 'ir.model')"
            )
            our_tables = [row[0].replace(".", "_") for row in cr.fetchall()]
            cr.execute(
                "SELECT relname FROM pg_class"
                " WHERE relkind = 'r' AND relname = ANY(%s)",
                [our_tables],
            )
            tables = ["res_partner", "crm_lead", "helpdesk_ticket"] + [
                row[0] for row in cr.fetchall()
            ]
        before = self._counts(dbname, tables)

        self._odoo(dbname, "-u", "xrm_relationship", "--stop-after-init")
        self.assertEqual(self._counts(dbname, tables), before)
        with db_connect(dbname).cursor() as cr:
            cr.execute("SELECT name FROM res_partner WHERE id = %s", [partner_id])
            self.assertEqual(cr.fetchone()[0], "Upgrade Survivor")
        self.assertEqual(self._run_row(dbname, run_id), run_before)

    def _run_row(self, dbname, run_id):
        with db_connect(dbname).cursor() as cr:
            cr.execute(RUN_SQL, [run_id])
            return cr.fetchone()

    def _odoo(self, dbname, *args, script=None):
        """odoo-bin (or its shell when given a script) on ``dbname``."""
        odoo_options = shlex.split(os.environ.get("XRM_ODOO_OPTIONS", ""))
        command = shlex.split(os.environ["XRM_ODOO_CMD"])
        if script is not None:
            command.append("shell")
        result = subprocess.run(
            [*command, *odoo_options, "-d", dbname, "--log-level=warn", *args],
            check=False,
            input=script,
            capture_output=True,
            text=True,
            timeout=900,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        errors = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if " ERROR " in line or " CRITICAL " in line
        ]
        self.assertFalse(errors, "\n".join(errors))
        return result.stdout

    def test_uninstall_keeps_partners_leads_and_tickets(self):
        source = os.environ.get("XRM_UPGRADE_DB")
        if not source or not os.environ.get("XRM_ODOO_CMD"):
            raise unittest.SkipTest("run through `make test`, which prepares the copy")
        # A copy of its own: the upgrade test keeps using the first one.
        dbname = f"{source}_uninstall"
        close_db(source)
        subprocess.run(["createdb", "-T", source, dbname], check=True, timeout=300)
        self.addCleanup(
            subprocess.run, ["dropdb", "--if-exists", dbname], check=False, timeout=300
        )
        self.addCleanup(close_db, dbname)
        core = ["res_partner", "crm_lead", "helpdesk_ticket"]
        before = self._counts(dbname, core)
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM res_partner WHERE xrm_stage_id IS NOT NULL"
            )
            self.assertTrue(cr.fetchone()[0], "the copy holds XRM data to remove")
        out = self._odoo(dbname, "--no-http", script=UNINSTALL_SCRIPT)
        self.assertIn("UNINSTALLED: uninstalled", out)
        self.assertEqual(self._counts(dbname, core), before)
        with db_connect(dbname).cursor() as cr:
            cr.execute(
                "SELECT relname FROM pg_class WHERE relkind IN ('r', 'v')"
                " AND relname LIKE 'xrm\\_%%'"
            )
            self.assertEqual(cr.fetchall(), [], "the addon's tables are gone")
            cr.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_name IN ('res_partner', 'crm_lead', 'helpdesk_ticket')"
                " AND column_name LIKE 'xrm\\_%%'"
            )
            self.assertEqual(cr.fetchall(), [], "its columns on core tables too")
            cr.execute(
                "SELECT count(*) FROM ir_model_data WHERE module = 'xrm_relationship'"
            )
            self.assertEqual(cr.fetchone()[0], 0)
        out = self._odoo(dbname, "--no-http", script=READ_BACK_SCRIPT)
        for model, table in zip(
            ("res.partner", "crm.lead", "helpdesk.ticket"), core, strict=True
        ):
            self.assertIn(f"READ: {model} {before[table]}", out)
