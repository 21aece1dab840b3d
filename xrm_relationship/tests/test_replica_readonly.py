# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The read-only entry points can be served by a read replica.

Odoo 19 sends a call to ``db_replica_host`` only when the method is declared
``@api.readonly`` (``/web/dataset/call_kw``, ``call_button`` and JSON-2 look
the flag up along the model's MRO); on the replica any write fails. These
tests check the flag and run each method on a read-only cursor (in tests,
``registry.cursor(readonly=True)`` is ``SET TRANSACTION READ ONLY``), where a
write raises instead of passing silently. tools/replica/check_replica.py
tries the same on a real streaming standby.
"""

import json
from unittest.mock import patch

from odoo.tests import tagged

from .common import XrmCommon, XrmHttpCase
from .test_dashboard import _tour_world

# (model, method) the web client calls that must be replica-eligible.
READONLY_ENTRY_POINTS = [
    ("xrm.dashboard", "get_dashboard_data"),
    ("xrm.dashboard", "get_stage_insight"),
    ("xrm.kpi.value", "action_open_records"),
    ("xrm.kpi.value", "action_open_numerator"),
    ("xrm.kpi.value", "action_open_denominator"),
    ("xrm.stage.analysis", "action_open_entered"),
    ("xrm.stage.analysis", "action_open_stays"),
    ("xrm.stage.analysis", "action_open_left"),
    ("xrm.stage.analysis", "action_open_churned"),
    ("xrm.stage.analysis", "action_open_csat_interactions"),
    ("xrm.stage.analysis", "action_open_csat_ratings"),
    ("xrm.stage.analysis", "action_open_quality"),
    ("xrm.agent.scorecard", "action_open_won"),
    ("xrm.agent.scorecard", "action_open_interactions"),
    ("xrm.relationship.mirror", "action_open_interactions"),
    ("xrm.return.driver", "action_open_returners"),
    ("xrm.return.driver", "action_open_non_returners"),
]
REPORTS = (
    "xrm.stage.analysis",
    "xrm.agent.scorecard",
    "xrm.relationship.mirror",
    "xrm.return.driver",
    "xrm.supplier.friction",
    "xrm.churn.precursor",
    "xrm.interaction.effect",
)


def routed_readonly(env, model, method):
    """What Odoo's RPC routes decide (web DataSet._call_kw_readonly)."""
    for cls in type(env[model]).mro():
        function = getattr(cls, method, None)
        if function is not None and hasattr(function, "_readonly"):
            return function._readonly
    return False


@tagged("post_install", "-at_install")
class TestReplicaReadonly(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage, cls.partners = _tour_world(cls.env, cls.xrm_manager, cls.xrm_user)
        kpi = cls.env.ref("xrm_relationship.xrm_kpi_stage_overdue_ratio")
        cls.value = kpi.compute_kpis().filtered(
            lambda v: v.is_company_scope and v.definition_id == kpi
        )[:1]

    def test_entry_points_are_replica_eligible(self):
        for model, method in READONLY_ENTRY_POINTS:
            with self.subTest(model=model, method=method):
                self.assertTrue(routed_readonly(self.env, model, method))
        # Writers stay on the primary.
        self.assertFalse(
            routed_readonly(self.env, "xrm.kpi.definition", "compute_kpis")
        )
        self.assertFalse(routed_readonly(self.env, "xrm.interaction", "create"))

    def test_entry_points_run_on_a_read_only_cursor(self):
        self.assertTrue(self.value, "stage overdue ratio has a company value")
        self.env.flush_all()
        self.registry_enter_test_mode()
        with self.registry.cursor(readonly=True) as cr:
            env = self.env(cr=cr, user=self.xrm_manager)
            dashboard = env["xrm.dashboard"].get_dashboard_data({})
            self.assertIn(self.stage.id, [s["id"] for s in dashboard["funnel"]])
            self.assertIn("csat_drop", env["xrm.dashboard"].get_stage_insight({}))
            # A salesperson's dashboard too (another branch of the filters).
            mine = env["xrm.dashboard"].with_user(self.xrm_user).get_dashboard_data()
            self.assertEqual(mine["filters"]["user_id"], self.xrm_user.id)
            value = self.value.with_env(env)
            for method in (
                "action_open_records",
                "action_open_numerator",
                "action_open_denominator",
            ):
                self.assertEqual(getattr(value, method)()["res_model"], "res.partner")
            for model in REPORTS:
                rows = env[model].web_search_read([], {"display_name": {}}, limit=5)
                self.assertGreaterEqual(rows["length"], 0)
            for model, method in READONLY_ENTRY_POINTS:
                if model in ("xrm.dashboard", "xrm.kpi.value"):
                    continue
                with self.subTest(model=model, method=method):
                    rows = env[model].search([], limit=1)
                    action = getattr(rows, method)()
                    self.assertEqual(action["type"], "ir.actions.act_window")
            # Nothing above wrote: the transaction is still read-only and
            # valid (PostgreSQL refuses any write in a read-only transaction:
            # ReadOnlySqlTransaction, which would have failed the call).
            self.assertTrue(cr.readonly)
            cr.execute("SHOW transaction_read_only")
            self.assertEqual(cr.fetchone()[0], "on")


@tagged("post_install", "-at_install")
class TestReplicaReadonlyRoute(XrmHttpCase):
    """Through /web/dataset/call_kw as the web client calls it."""

    def test_dashboard_call_is_served_read_only(self):
        self.authenticate("admin", "admin")
        Dashboard = type(self.env["xrm.dashboard"])
        original = Dashboard._xrm_clean_filters
        seen = []

        def spy(dashboard, filters):
            seen.append(dashboard.env.cr.readonly)
            return original(dashboard, filters)

        with (
            patch.object(Dashboard, "_xrm_clean_filters", spy),
            self.assertNoLogs("odoo.http", "WARNING"),
        ):
            for method in ("get_dashboard_data", "get_stage_insight"):
                response = self.url_open(
                    f"/web/dataset/call_kw/xrm.dashboard/{method}",
                    data=json.dumps(
                        {
                            "params": {
                                "model": "xrm.dashboard",
                                "method": method,
                                "args": [{}],
                                "kwargs": {},
                            }
                        }
                    ),
                    headers={"Content-Type": "application/json"},
                )
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("error", response.json(), response.text)
        # Both calls ran on the read-only cursor, never retried read/write.
        self.assertEqual(seen, [True, True])
