# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A KPI run costs the same queries whatever the number of salespeople."""

from odoo.tests import new_test_user, tagged

from .common import D, XrmWorld


@tagged("post_install", "-at_install")
class TestKpiQueries(XrmWorld):
    def _queries_of_run(self, kpi):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        values = kpi.compute_kpis(as_of=D)
        return self.env.cr.sql_log_count - before, values

    def test_salespeople_do_not_add_queries(self):
        # Every salesperson's value comes out of the company's one grouped
        # query and one batch of snapshots: no query per salesperson.
        kpi = self._kpi("undocumented_ratio", action_activity=False)
        partner = self._partner("Queries Co")
        self._interaction(partner, "2026-05-10 10:00:00")
        self._interaction(partner, "2026-05-11 10:00:00", user=self.bob)
        self._queries_of_run(kpi)  # the first run also creates caches
        two, values = self._queries_of_run(kpi)
        self.assertEqual(len(values.filtered("user_id")), 2)
        for index in range(5):
            user = new_test_user(
                self.env,
                login=f"kpi_queries_{index}",
                groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
                company_id=self.company.id,
            )
            self._interaction(partner, "2026-05-12 10:00:00", user=user)
        self._queries_of_run(kpi)  # the new users' first run, as above
        seven, values = self._queries_of_run(kpi)
        self.assertEqual(len(values.filtered("user_id")), 7)
        self.assertEqual(seven, two)
