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

from odoo.sql_db import db_connect
from odoo.tests import BaseCase, tagged
from odoo.tools import SQL

SEED_SCRIPT = """
partner = env["res.partner"].create({"name": "Upgrade Survivor", "is_company": True})
env.cr.commit()
print("SEEDED:", partner.id)
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
        odoo_options = shlex.split(os.environ.get("XRM_ODOO_OPTIONS", ""))
        odoo_cmd = shlex.split(odoo_cmd)
        # Records of our own, written by a separate Odoo process (a registry
        # of a second database cannot be loaded inside the test process).
        shell = subprocess.run(
            [
                *odoo_cmd,
                "shell",
                *odoo_options,
                "-d",
                dbname,
                "--log-level=warn",
                "--no-http",
            ],
            check=False,
            input=SEED_SCRIPT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(shell.returncode, 0, shell.stderr[-3000:])
        partner_id = int(shell.stdout.split("SEEDED:")[1].split()[0])
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

        result = subprocess.run(
            [
                *odoo_cmd,
                *odoo_options,
                "-d",
                dbname,
                "-u",
                "xrm_relationship",
                "--stop-after-init",
                "--log-level=warn",
            ],
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        errors = [
            line
            for line in (result.stdout + result.stderr).splitlines()
            if " ERROR " in line or " CRITICAL " in line
        ]
        self.assertFalse(errors, "\n".join(errors))
        self.assertEqual(self._counts(dbname, tables), before)
        with db_connect(dbname).cursor() as cr:
            cr.execute("SELECT name FROM res_partner WHERE id = %s", [partner_id])
            self.assertEqual(cr.fetchone()[0], "Upgrade Survivor")
