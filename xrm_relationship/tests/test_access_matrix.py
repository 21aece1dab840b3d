# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who may do what on every model of the addon, written down as data.

One record per model in company A, owned by the XRM manager (a colleague of
the salesperson). Each cell says what the user may do with it: r = read it,
w = write it, c = create records of the model (in their own company), u =
delete it. The ORM is asked as each user, and so is JSON-2 with each user's
API key (reads, then ``has_access``); XML-RPC with a password is asked for
the reads (portal users have no API key).
"""

import json
import xmlrpc.client
from datetime import date, datetime, timedelta

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import XrmCommon, XrmHttpCase, new_api_key

USERS = ("public", "portal", "internal", "xrm_user", "xrm_manager", "manager_b")

# fmt: off
MATRIX = {
    #                           public portal internal xrm_user xrm_manager manager_b
    "xrm.interaction":          ("", "", "", "c", "rwcu", "c"),
    "xrm.journey.stage":        ("", "", "r", "r", "rwcu", "rwcu"),
    "xrm.journey.transition":   ("", "", "", "r", "rwcu", "c"),
    "xrm.customer.goal":        ("", "", "", "rwc", "rwcu", "c"),
    "xrm.kpi.definition":       ("", "", "", "r", "rwcu", "c"),
    "xrm.kpi.value":            ("", "", "", "", "rwcu", "c"),
    "xrm.health.profile":       ("", "", "", "r", "rwcu", "c"),
    "xrm.health.snapshot":      ("", "", "", "r", "rwcu", "c"),
    "xrm.churn.model":          ("", "", "", "r", "rwcu", "c"),
    # written by server code only: what was queued never changes
    "xrm.webhook.delivery":     ("", "", "", "", "ru", ""),
    "xrm.engagement.event":     ("", "", "", "rc", "rwcu", "c"),
    "xrm.incentive.plan":       ("", "", "", "r", "rwcu", "c"),
    "xrm.incentive.run":        ("", "", "", "", "rwcu", "c"),
    "xrm.incentive.line":       ("", "", "", "", "rwcu", "c"),
    # a wizard: each user only ever sees the ones they opened
    "xrm.churn.wizard":         ("", "", "", "rwcu", "rwcu", "rwcu"),
    "xrm.relationship.tier":    ("", "", "", "r", "rwcu", "c"),
    "xrm.tier.history":         ("", "", "", "r", "rwcu", "c"),
    # helpdesk groups decide, not XRM ones (none of these users has one)
    "xrm.ticket.suggestion":    ("", "", "", "", "", ""),
    # analyses (SQL views): managers read them, nobody writes
    "xrm.supplier.friction":    ("", "", "", "", "r", ""),
    "xrm.churn.precursor":      ("", "", "", "", "r", ""),
    "xrm.interaction.effect":   ("", "", "", "", "r", ""),
    "xrm.stage.analysis":       ("", "", "", "", "r", "r"),
    "xrm.agent.scorecard":      ("", "", "", "", "r", ""),
    # a colleague's mirror: salespeople read only their own rows
    "xrm.relationship.mirror":  ("", "", "", "", "r", ""),
    "xrm.return.driver":        ("", "", "", "", "r", ""),
    # salespeople write drafts; the review is the managers'
    "xrm.success.story":        ("", "", "", "rwcu", "rwcu", "c"),
    # written by Send only
    "xrm.success.story.use":    ("", "", "", "r", "rwu", ""),
    "xrm.story.win.rate":       ("", "", "", "", "r", ""),
    # product feedback: salespeople log and edit, the product team triages
    "xrm.feedback":             ("", "", "", "rwc", "rwcu", "c"),
    "xrm.feedback.ranking":     ("", "", "", "", "r", ""),
    # the nightly jobs' change log: system administrators read it, nobody writes
    "xrm.nightly.change":       ("", "", "", "", "", ""),
}
# fmt: on

# Fields that only XRM managers may read, whatever record they can read.
MANAGER_FIELDS = {
    "xrm.kpi.definition": [
        "webhook_url",
        "webhook_secret",
        "responsible_user_id",
        "responsible_group_id",
        "action_activity",
        "action_webhook",
        "last_error",
        "breach_activity_id",
    ],
    "xrm.incentive.plan": ["base_amount", "pool_amount", "clawback_amount"],
    # with the score they would give the plan's amounts back
    "xrm.incentive.line": ["amount_before_clawback", "clawback_amount"],
    "res.config.settings": ["xrm_webhook_url", "xrm_webhook_secret"],
}

# What portal and public users may not read on their own commercial partner.
INTERNAL_PARTNER_FIELDS = [
    "xrm_stage_id",
    "xrm_health",
    "xrm_cs_score",
    "xrm_churn_reason",
    "xrm_churn_risk",
    "xrm_churn_risk_factors",
    "xrm_health_uncertain",
    "xrm_health_change_summary",
    "xrm_last_meaningful_summary",
    "xrm_interaction_ids",
    "xrm_tier_id",
    "xrm_tier_reason",
    "xrm_pressure_count",
]


def build_world(cls):
    """Users of every kind and one company-A record per model."""
    env = cls.env
    cls.company_b = env["res.company"].create({"name": "Company B"})
    cls.customer = env["res.partner"].create(
        {"name": "Customer A", "is_company": True, "company_id": env.company.id}
    )
    cls.shared = env["res.partner"].create({"name": "Shared", "is_company": True})
    cls.users = {
        "public": env.ref("base.public_user"),
        "portal": new_test_user(
            env,
            login="acl_portal",
            groups="base.group_portal",
            partner_id=env["res.partner"]
            .create({"name": "Portal Person", "parent_id": cls.customer.id})
            .id,
        ),
        "internal": new_test_user(env, login="acl_internal", groups="base.group_user"),
        "xrm_user": new_test_user(
            env, login="acl_sales", groups="xrm_relationship.group_xrm_user"
        ),
        "xrm_manager": new_test_user(
            env, login="acl_manager", groups="xrm_relationship.group_xrm_manager"
        ),
        "manager_b": new_test_user(
            env,
            login="acl_manager_b",
            groups="xrm_relationship.group_xrm_manager",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        ),
    }
    manager = cls.users["xrm_manager"]
    cls.customer.user_id = manager
    stage = env["xrm.journey.stage"].create({"name": "ACL Stage", "sequence": 99})
    kpi = env.ref("xrm_relationship.xrm_kpi_nrr")
    kpi.sudo().write({"webhook_url": "https://hooks.example.com/x"})
    kpi.sudo().webhook_secret = "kpi-secret-value"
    plan = env["xrm.incentive.plan"].create(
        {"name": "ACL Plan", "period": "monthly", "base_amount": 5000}
    )
    run = env["xrm.incentive.run"].create(
        {"plan_id": plan.id, "date_from": date(2026, 1, 1)}
    )
    profile = env["xrm.health.profile"].search(
        [("company_id", "=", env.company.id)], limit=1
    ) or env["xrm.health.profile"].create({"relation_type": "customer"})
    cls.records = {
        "xrm.interaction": env["xrm.interaction"].create(
            {
                "partner_id": cls.customer.id,
                "user_id": manager.id,
                "summary": "Margin we conceded",
            }
        ),
        "xrm.journey.stage": stage,
        "xrm.journey.transition": env["xrm.journey.transition"].create(
            {"partner_id": cls.customer.id, "to_stage_id": stage.id}
        ),
        "xrm.customer.goal": env["xrm.customer.goal"].create(
            {"partner_id": cls.customer.id, "name": "Go live", "user_id": manager.id}
        ),
        "xrm.kpi.definition": kpi,
        "xrm.kpi.value": env["xrm.kpi.value"].create(
            {
                "definition_id": kpi.id,
                "date": date(2001, 1, 1),
                "user_id": manager.id,
                "company_id": env.company.id,
                "value": 90.0,
            }
        ),
        "xrm.health.profile": profile,
        "xrm.churn.model": env["xrm.churn.model"]._xrm_model_for(env.company),
        "xrm.health.snapshot": env["xrm.health.snapshot"].create(
            {"partner_id": cls.customer.id, "date": date(2026, 1, 1), "cs_score": 50}
        ),
        "xrm.webhook.delivery": env["xrm.webhook.delivery"].create(
            {
                "name": "kpi.status",
                "url": "https://hooks.example.com/x",
                "payload": "{}",
            }
        ),
        "xrm.engagement.event": env["xrm.engagement.event"].create(
            {"partner_id": cls.customer.id, "event_type": "visit"}
        ),
        "xrm.incentive.plan": plan,
        "xrm.incentive.run": run,
        "xrm.incentive.line": env["xrm.incentive.line"].create(
            {"run_id": run.id, "user_id": manager.id, "amount": 4321.0}
        ),
    }
    # Relationship care: configuration, history and the analyses' rows.
    tier = env["xrm.relationship.tier"].create(
        {"name": "ACL Tier", "sequence": 99, "company_id": env.company.id}
    )
    Ticket = env["helpdesk.ticket"]
    ticket, resolved = Ticket.create(
        [
            {"name": "Printer jams", "description": "<p>jam</p>"},
            {"name": "Printer jammed", "description": "<p>jam</p>"},
        ]
    )
    supplier = env["res.partner"].create(
        {
            "name": "Supplier A",
            "is_company": True,
            "company_id": env.company.id,
            "xrm_relation_type": "supplier",
            "user_id": manager.id,
        }
    )
    churned = env["res.partner"].create(
        {"name": "Gone A", "is_company": True, "company_id": env.company.id}
    )
    agent = env["res.partner"].create(
        {
            "name": "Agent A",
            "is_company": True,
            "company_id": env.company.id,
            "xrm_relation_type": "agent",
        }
    )
    env["xrm.interaction"].create(
        [
            {
                "partner_id": partner.id,
                "user_id": manager.id,
                "date": datetime.now() - timedelta(days=3),
            }
            for partner in (churned, supplier)
        ]
    )
    churned.write({"xrm_churn_date": date.today()})
    # A customer of the six-month return rate's cohort, and what preceded it.
    for days in (200, 100):
        deal = env["crm.lead"].create(
            {
                "name": f"ACL deal {days}",
                "type": "opportunity",
                "partner_id": cls.customer.id,
                "expected_revenue": 10.0,
            }
        )
        deal.action_set_won()
        deal.date_closed = datetime.now() - timedelta(days=days)
    cls.returned_after = env["xrm.interaction"].create(
        {
            "partner_id": cls.customer.id,
            "user_id": manager.id,
            "date": datetime.now() - timedelta(days=190),
        }
    )
    env.flush_all()
    cls.records.update(
        {
            "xrm.relationship.tier": tier,
            "xrm.tier.history": env["xrm.tier.history"].create(
                {
                    "partner_id": cls.customer.id,
                    "date": date.today(),
                    "to_tier_id": tier.id,
                }
            ),
            "xrm.nightly.change": env["xrm.nightly.change"].create(
                {"partner_id": cls.customer.id}
            ),
            "xrm.ticket.suggestion": env["xrm.ticket.suggestion"].create(
                {"ticket_id": ticket.id, "similar_ticket_id": resolved.id}
            ),
            "xrm.supplier.friction": env["xrm.supplier.friction"].search(
                [("partner_id", "=", supplier.id)]
            ),
            "xrm.churn.precursor": env["xrm.churn.precursor"].search(
                [("partner_id", "=", churned.id)]
            ),
            "xrm.interaction.effect": env["xrm.interaction.effect"].search(
                [("interaction_id", "=", cls.records["xrm.interaction"].id)]
            ),
            # one row per journey stage, shared by the companies
            "xrm.stage.analysis": env["xrm.stage.analysis"].search(
                [("stage_id", "=", stage.id)]
            ),
            "xrm.agent.scorecard": env["xrm.agent.scorecard"].search(
                [("partner_id", "=", agent.id)]
            ),
            "xrm.relationship.mirror": env["xrm.relationship.mirror"].search(
                [("user_id", "=", manager.id)]
            ),
            "xrm.return.driver": env["xrm.return.driver"].search(
                [
                    ("company_id", "=", env.company.id),
                    ("channel", "=", cls.returned_after.channel),
                    ("outcome", "=", False),
                ]
            ),
        }
    )
    story = env["xrm.success.story"].create(
        {"partner_id": cls.customer.id, "name": "Went live", "user_id": manager.id}
    )
    cls.records["xrm.success.story"] = story
    cls.records["xrm.success.story.use"] = env["xrm.success.story.use"].create(
        {"story_id": story.id, "lead_id": deal.id, "partner_id": cls.customer.id}
    )
    env.flush_all()
    cls.records["xrm.story.win.rate"] = env["xrm.story.win.rate"].search(
        [("company_id", "=", env.company.id), ("received_story", "=", True)]
    )
    feedback = env["xrm.feedback"].create(
        {"name": "ACL feedback", "partner_id": cls.customer.id, "user_id": manager.id}
    )
    env.flush_all()
    cls.records.update(
        {
            "xrm.feedback": feedback,
            "xrm.feedback.ranking": env["xrm.feedback.ranking"].search(
                [("feedback_id", "=", feedback.id)]
            ),
        }
    )
    for model in (
        "xrm.feedback.ranking",
        "xrm.supplier.friction",
        "xrm.churn.precursor",
        "xrm.stage.analysis",
        "xrm.agent.scorecard",
        "xrm.relationship.mirror",
        "xrm.return.driver",
        "xrm.story.win.rate",
    ):
        assert len(cls.records[model]) == 1, f"{model}: no row for the test"


@tagged("post_install", "-at_install")
class TestAccessMatrix(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        build_world(cls)

    def _can(self, record, user, operation):
        try:
            if operation == "read":
                record.with_user(user).read(["display_name"])
            else:
                record.with_user(user).check_access(operation)
        except AccessError:
            return False
        return True

    def _cell(self, model, user):
        Model = self.env[model].with_user(user)
        if Model._transient:
            # Each user works on a wizard of their own.
            record = None
            if Model.has_access("create"):
                record = Model.create(
                    {"reason": "ACL", "partner_ids": [(6, 0, self.shared.ids)]}
                )
        else:
            record = self.records[model]
        cell = ""
        for letter, operation in zip(
            "rwcu", ("read", "write", "create", "unlink"), strict=False
        ):
            if operation == "create":
                allowed = Model.has_access("create")
            else:
                allowed = record is not None and self._can(record, user, operation)
            cell += letter if allowed else ""
        return cell

    def test_every_model_is_in_the_matrix(self):
        models = self.env["ir.model.data"].search(
            [("module", "=", "xrm_relationship"), ("model", "=", "ir.model")]
        )
        names = {
            name
            for name in self.env["ir.model"]
            .browse(models.mapped("res_id"))
            .mapped("model")
            if self.env[name]._original_module == "xrm_relationship"
            and not self.env[name]._abstract
        }
        self.assertEqual(names, set(MATRIX))

    def test_matrix_through_the_orm(self):
        actual = {
            model: tuple(self._cell(model, self.users[who]) for who in USERS)
            for model in MATRIX
        }
        for model, expected in MATRIX.items():
            for who, want, got in zip(USERS, expected, actual[model], strict=True):
                with self.subTest(model=model, user=who):
                    self.assertEqual(got, want)

    def test_salesperson_reaches_own_records_only(self):
        sales = self.users["xrm_user"]
        line = self.records["xrm.incentive.line"]
        own_line = line.copy({"user_id": sales.id, "amount": 100.0})
        Line = self.env["xrm.incentive.line"].with_user(sales)
        self.assertEqual(Line.search([]), own_line)
        self.assertEqual(own_line.with_user(sales).amount, 100.0)
        with self.assertRaises(AccessError):
            own_line.with_user(sales).write({"amount": 1e6})
        # the run that pays them is visible, its total only their own line
        run = self.records["xrm.incentive.run"].with_user(sales)
        self.assertEqual(run.read(["amount_total"])[0]["amount_total"], 100.0)
        own = (
            self.env["xrm.interaction"]
            .with_user(sales)
            .create({"partner_id": self.customer.id, "summary": "Mine"})
        )
        self.assertEqual(own.user_id, sales)
        self.assertEqual(
            self.env["xrm.interaction"]
            .with_user(sales)
            .search([("partner_id", "=", self.customer.id)]),
            own,
        )
        Value = self.env["xrm.kpi.value"].with_user(sales)
        company_wide = self.records["xrm.kpi.value"].copy({"user_id": False})
        self.assertEqual(
            Value.search([("date", "=", date(2001, 1, 1))]),
            company_wide,
        )

    def test_manager_only_fields(self):
        for model, names in MANAGER_FIELDS.items():
            Model = self.env[model]
            for name in names:
                with self.subTest(model=model, field=name):
                    field = Model._fields[name]
                    for who in ("xrm_user", "internal"):
                        self.assertFalse(
                            Model.with_user(self.users[who])._has_field_access(
                                field, "read"
                            )
                        )
                    self.assertTrue(
                        Model.with_user(self.users["xrm_manager"])._has_field_access(
                            field, "read"
                        )
                    )
        kpi = self.records["xrm.kpi.definition"].with_user(self.users["xrm_user"])
        with self.assertRaises(AccessError):
            kpi.read(["webhook_secret"])
        with self.assertRaises(AccessError):
            kpi.search_read([("webhook_secret", "like", "kpi")], ["name"])
        self.assertEqual(kpi.read(["target"])[0]["id"], kpi.id)

    def test_portal_reads_own_partner_but_no_assessment(self):
        portal = self.users["portal"]
        partner = self.customer.with_user(portal)
        self.assertEqual(partner.read(["name"])[0]["name"], "Customer A")
        for name in INTERNAL_PARTNER_FIELDS:
            with self.subTest(field=name), self.assertRaises(AccessError):
                partner.read([name])
        with self.assertRaises(AccessError):
            partner.search_read([("xrm_health", "=", "red")], ["name"])

    def test_other_company_sees_nothing_whatever_the_context(self):
        manager_b = self.users["manager_b"]
        for model, record in self.records.items():
            if model in ("xrm.journey.stage", "xrm.stage.analysis"):
                # stages are shared configuration; their analysis counts the
                # reader's company only (test_stage_analysis.py)
                continue
            Model = self.env[model].with_user(manager_b)
            if not Model.has_access("read"):
                continue  # not even their own company's (see the matrix)
            with self.subTest(model=model):
                self.assertFalse(
                    Model.with_context(active_test=False).search(
                        [("id", "=", record.id)]
                    )
                )
        # asking for company A in the context does not open it
        with self.assertRaises(AccessError):
            self.env["xrm.interaction"].with_user(manager_b).with_context(
                allowed_company_ids=[self.env.company.id]
            ).search([])
        # nor does a domain that names company A explicitly
        Interaction = self.env["xrm.interaction"].with_user(manager_b)
        self.assertFalse(Interaction.search([("company_id", "=", self.env.company.id)]))
        self.assertEqual(
            Interaction.search_count([("partner_id.name", "=", "Customer A")]), 0
        )
        # aggregates too
        self.assertFalse(
            self.env["xrm.incentive.line"]
            .with_user(manager_b)
            ._read_group([], [], ["amount:sum"])[0][0]
        )


@tagged("post_install", "-at_install")
class TestAccessExternalApi(XrmHttpCase):
    """The same read column through JSON-2 (API key) and XML-RPC (password)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        build_world(cls)
        cls.keys = {
            who: new_api_key(cls.env, cls.users[who], "acl")
            for who in ("internal", "xrm_user", "xrm_manager", "manager_b")
        }

    def _json2(self, who, model, method, **params):
        return self.json2(self.keys[who], model, method, **params)

    def _xmlrpc_read(self, who, model, record):
        user = self.users[who]
        try:
            self.xmlrpc_object.execute_kw(
                self.env.cr.dbname,
                user.id,
                user.login + "x" * (8 - len(user.login)),  # new_test_user's
                model,
                "read",
                [record.ids],
                {"fields": ["display_name"]},
            )
        except xmlrpc.client.Fault as fault:
            self.assertEqual(fault.faultCode, 4, fault.faultString)  # AccessError
            return False
        return True

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model", "odoo.models")
    def test_read_column_through_json2_and_xmlrpc(self):
        for model, expected in MATRIX.items():
            if model not in self.records:
                continue  # wizards are not read from outside
            record = self.records[model]
            for who, cell in zip(USERS, expected, strict=True):
                want = "r" in cell
                with self.subTest(model=model, user=who):
                    if who in self.keys:
                        response = self._json2(
                            who, model, "read", ids=record.ids, fields=["display_name"]
                        )
                        self.assertEqual(
                            response.status_code, 200 if want else 403, response.text
                        )
                    if who != "public":  # no password: cannot even log in
                        self.assertEqual(self._xmlrpc_read(who, model, record), want)
        anonymous = self.url_open(
            "/json/2/xrm.interaction/search_read",
            data=json.dumps({"domain": [], "fields": ["summary"]}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(anonymous.status_code, 401)

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model", "odoo.models")
    def test_whole_matrix_through_json2(self):
        """Every cell again, asked by each API key: read, then has_access."""
        for model, expected in MATRIX.items():
            if model not in self.records:
                continue
            record = self.records[model]
            for who, want in zip(USERS, expected, strict=True):
                if who not in self.keys:
                    continue
                cell = ""
                response = self._json2(
                    who, model, "read", ids=record.ids, fields=["display_name"]
                )
                cell += "r" if response.status_code == 200 else ""
                for letter, operation, ids in (
                    ("w", "write", record.ids),
                    ("c", "create", []),
                    ("u", "unlink", record.ids),
                ):
                    response = self._json2(
                        who, model, "has_access", ids=ids, operation=operation
                    )
                    self.assertEqual(response.status_code, 200, response.text)
                    cell += letter if response.json() is True else ""
                with self.subTest(model=model, user=who):
                    self.assertEqual(cell, want)

    @mute_logger("odoo.http")
    def test_salesperson_cannot_read_pay_secrets_or_other_companies(self):
        """The acceptance check, as a salesperson with an API key."""
        line = self.records["xrm.incentive.line"]
        kpi = self.records["xrm.kpi.definition"]
        interaction_b = (
            self.env["xrm.interaction"]
            .with_company(self.company_b)
            .create(
                {
                    "partner_id": self.env["res.partner"]
                    .create({"name": "Customer B", "company_id": self.company_b.id})
                    .id,
                    "company_id": self.company_b.id,
                    "user_id": False,
                    "summary": "Company B's secret",
                }
            )
        )
        # a colleague's incentive line
        response = self._json2(
            "xrm_user", "xrm.incentive.line", "read", ids=line.ids, fields=["amount"]
        )
        self.assertEqual(response.status_code, 403)
        self.assertIn("AccessError", response.json()["name"])
        response = self._json2(
            "xrm_user",
            "xrm.incentive.line",
            "search_read",
            domain=[],
            fields=["amount"],
        )
        self.assertEqual(response.json(), [])
        # a KPI's webhook secret
        response = self._json2(
            "xrm_user",
            "xrm.kpi.definition",
            "read",
            ids=kpi.ids,
            fields=["webhook_secret"],
        )
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("kpi-secret-value", response.text)
        # another company's interactions
        response = self._json2(
            "xrm_user",
            "xrm.interaction",
            "search_read",
            domain=[("company_id", "=", self.company_b.id)],
            fields=["summary"],
        )
        self.assertEqual(response.json(), [])
        response = self._json2(
            "xrm_user",
            "xrm.interaction",
            "read",
            ids=interaction_b.ids,
            fields=["summary"],
        )
        self.assertEqual(response.status_code, 403)
        # recomputing everyone's KPI snapshots is not a salesperson's call
        response = self._json2("xrm_user", "xrm.kpi.definition", "compute_kpis", ids=[])
        self.assertEqual(response.status_code, 403)
        # the manager of company A reads the first two (the test can fail)
        response = self._json2(
            "xrm_manager", "xrm.incentive.line", "read", ids=line.ids, fields=["amount"]
        )
        self.assertEqual(response.json()[0]["amount"], 4321.0)
        response = self._json2(
            "xrm_manager",
            "xrm.kpi.definition",
            "read",
            ids=kpi.ids,
            fields=["webhook_secret"],
        )
        self.assertEqual(response.json()[0]["webhook_secret"], "kpi-secret-value")
