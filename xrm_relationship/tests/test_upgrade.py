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

# The module's record rules as a new installation has them (groups by xmlid).
RULES_SQL = """
SELECT d.name, d.noupdate, r.name, r.model_id, r.domain_force, r.active,
       r.perm_read, r.perm_write, r.perm_create, r.perm_unlink, r."global",
       ARRAY(SELECT gd.module || '.' || gd.name
               FROM rule_group_rel g
               JOIN ir_model_data gd
                 ON gd.model = 'res.groups' AND gd.res_id = g.group_id
              WHERE g.rule_group_id = r.id ORDER BY 1)
  FROM ir_model_data d JOIN ir_rule r ON r.id = d.res_id
 WHERE d.module = 'xrm_relationship' AND d.model = 'ir.rule'
 ORDER BY d.name
"""

ACK_TEMPLATE_SQL = """
SELECT t.subject, t.email_to, t.body_html, d.noupdate
  FROM mail_template t
  JOIN ir_model_data d ON d.model = 'mail.template' AND d.res_id = t.id
 WHERE d.module = 'xrm_relationship' AND d.name = 'mail_template_xrm_lead_ack'
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

    def _copy(self, suffix):
        """A copy of the installed database of the test's own."""
        source = os.environ.get("XRM_UPGRADE_DB")
        if not source or not os.environ.get("XRM_ODOO_CMD"):
            raise unittest.SkipTest("run through `make test`, which prepares the copy")
        dbname = f"{source}_{suffix}"
        close_db(source)
        subprocess.run(["createdb", "-T", source, dbname], check=True, timeout=300)
        self.addCleanup(
            subprocess.run, ["dropdb", "--if-exists", dbname], check=False, timeout=300
        )
        self.addCleanup(close_db, dbname)
        return dbname

    def _fetch(self, dbname, query, params=None):
        with db_connect(dbname).cursor() as cr:
            cr.execute(query, params)
            return cr.fetchall()

    def test_upgrade_reapplies_noupdate_rules_from_the_xml(self):
        """Rules are noupdate: the 19.0.1.2.0 migration reloads them anyway.

        On a database that says it runs 19.0.1.1.0, with rules changed by
        hand and one rule the XML no longer has, ``-u`` gives back the rules
        of a new installation, still noupdate, and the obsolete one is gone;
        the shipped acknowledgement template is reloaded the same way.
        """
        dbname = self._copy("rules")
        expected = self._fetch(dbname, RULES_SQL)
        self.assertTrue(expected and all(row[1] for row in expected))
        template = self._fetch(dbname, ACK_TEMPLATE_SQL)
        by_name = {row[0]: row for row in expected}
        global_rule = next(row[0] for row in expected if row[10])
        group_rule = next(row[0] for row in expected if row[11])
        with db_connect(dbname).cursor() as cr:
            ids = {}
            for name in (global_rule, group_rule):
                cr.execute(
                    "SELECT res_id FROM ir_model_data"
                    " WHERE module = 'xrm_relationship' AND name = %s",
                    [name],
                )
                ids[name] = cr.fetchone()[0]
            # an administrator opened a wall, and gave a rule to portal users
            cr.execute(
                "UPDATE ir_rule SET domain_force = '[(1, ''='', 1)]' WHERE id = %s",
                [ids[global_rule]],
            )
            cr.execute(
                "INSERT INTO rule_group_rel (rule_group_id, group_id)"
                " SELECT %s, res_id FROM ir_model_data"
                " WHERE module = 'base' AND name = 'group_portal'",
                [ids[group_rule]],
            )
            # a rule an earlier version shipped and this one dropped
            cr.execute(
                "INSERT INTO ir_rule (name, model_id, domain_force, active,"
                ' perm_read, perm_write, perm_create, perm_unlink, "global")'
                " SELECT 'Dropped rule', model_id, '[(0, ''='', 1)]', true,"
                " true, true, true, true, true FROM ir_rule WHERE id = %s"
                " RETURNING id",
                [ids[global_rule]],
            )
            dropped = cr.fetchone()[0]
            cr.execute(
                "INSERT INTO ir_model_data (module, name, model, res_id, noupdate)"
                " VALUES ('xrm_relationship', 'xrm_rule_dropped_demo', 'ir.rule',"
                " %s, true)",
                [dropped],
            )
            cr.execute(
                "UPDATE mail_template"
                ' SET subject = \'{"en_US": "{{ object.description }}"}\','
                " email_to = '{{ object.email_from }}' WHERE id = ("
                " SELECT res_id FROM ir_model_data WHERE module = 'xrm_relationship'"
                " AND name = 'mail_template_xrm_lead_ack')"
            )
            # the database runs the previous version: this one's steps run
            cr.execute(
                "UPDATE ir_module_module SET latest_version = '19.0.1.1.0'"
                " WHERE name = 'xrm_relationship'"
            )  # the cursor commits when the block ends
        tampered = {row[0]: row for row in self._fetch(dbname, RULES_SQL)}
        self.assertNotEqual(tampered[global_rule], by_name[global_rule])
        self.assertNotEqual(tampered[group_rule], by_name[group_rule])

        self._odoo(dbname, "-u", "xrm_relationship", "--stop-after-init")
        self.assertEqual(self._fetch(dbname, RULES_SQL), expected)
        self.assertEqual(
            self._fetch(dbname, "SELECT id FROM ir_rule WHERE id = %s", [dropped]), []
        )
        self.assertEqual(self._fetch(dbname, ACK_TEMPLATE_SQL), template)

    def test_uninstall_keeps_partners_leads_and_tickets(self):
        # A copy of its own: the upgrade test keeps using the first one.
        dbname = self._copy("uninstall")
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
