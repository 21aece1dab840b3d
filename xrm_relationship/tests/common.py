# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The shared test world: users, a company of its own with builders for
hand-made worlds, and JSON-2 calls with an API key as integrators make them."""

import json
from datetime import date, datetime, timedelta

from odoo.tests import HttpCase, new_test_user

from odoo.addons.base.tests.common import BaseCommon


def new_api_key(env, user, name="xrm"):
    """An RPC API key of ``user`` (JSON-2, JSON-RPC), valid for a day."""
    return (
        env["res.users.apikeys"]
        .with_user(user)
        ._generate(
            scope="rpc",
            name=name,
            expiration_date=datetime.now() + timedelta(days=1),
        )
    )


class XrmHttpCase(HttpCase):
    """Calls from outside, the way an integrator makes them."""

    def json2(self, key, model, method, timeout=12, **params):
        """POST /json/2/<model>/<method> with the API key ``key`` (None: none)."""
        headers = {
            "Content-Type": "application/json",
            "X-Odoo-Database": self.env.cr.dbname,
        }
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(params),
            headers=headers,
            timeout=timeout,
        )

    def jsonrpc_execute_kw(self, user, key, model, method, args, kwargs=None):
        """``execute_kw`` through /jsonrpc exactly as OdooRPC sends it (an API
        key as password)."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [
                    self.env.cr.dbname,
                    user.id,
                    key,
                    model,
                    method,
                    args,
                    kwargs or {},
                ],
            },
        }
        return self.url_open(
            "/jsonrpc",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )


class XrmCommon(BaseCommon):
    """Own users and data; never relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.xrm_manager = new_test_user(
            cls.env,
            login="xrm_manager",
            name="Mona Manager",
            groups="xrm_relationship.group_xrm_manager,sales_team.group_sale_manager,"
            "helpdesk_mgmt.group_helpdesk_manager",
        )
        cls.xrm_user = new_test_user(
            cls.env,
            login="xrm_user",
            name="Sam Sales",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman,"
            "helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.plain_user = new_test_user(
            cls.env, login="plain_user", name="Ivy Internal", groups="base.group_user"
        )


# The as-of date the hand-computed KPI worlds are built around.
D = date(2026, 6, 1)


def dt(text):
    return datetime.fromisoformat(text)


class XrmWorld(XrmCommon):
    """A company of its own and builders for hand-made worlds.

    Records shared by all companies (company_id empty, as demo partners are)
    are moved to the main company for the test so that they do not count
    for the world's company.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        main = cls.env.ref("base.main_company")
        for table in ("res_partner", "crm_lead", "helpdesk_ticket"):
            cls.env.cr.execute(
                f"UPDATE {table} SET company_id = %s WHERE company_id IS NULL",  # noqa: E501
                [main.id],
            )
        cls.env.invalidate_all()
        cls.company = cls.env["res.company"].create({"name": "KPI World"})
        companies = [(6, 0, [main.id, cls.company.id])]
        cls.alice, cls.bob = (
            new_test_user(
                cls.env,
                login=f"kpi_{name.lower()}",
                name=name,
                groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
                company_id=cls.company.id,
                company_ids=companies,
            )
            for name in ("Alice", "Bob")
        )
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id, main.id])
        )
        cls.ticket_model = cls.env["ir.model"]._get_id("helpdesk.ticket")

    # ------------------------------------------------------------------
    # World builders
    # ------------------------------------------------------------------
    def _kpi(self, code, **vals):
        source = self.env.ref(f"xrm_relationship.xrm_kpi_{code}")
        return source.copy({"company_id": self.company.id, "name": source.name, **vals})

    def _partner(self, name, rtype="customer", user=None, **vals):
        return self.env["res.partner"].create(
            {
                "name": name,
                "is_company": True,
                "company_id": self.company.id,
                "xrm_relation_type": rtype,
                "user_id": (user or self.alice).id,
                **vals,
            }
        )

    def _interaction(self, partner, when, user=None, **vals):
        vals.setdefault("state", "draft")
        if vals["state"] == "done":
            vals.setdefault("summary", "Talked")
            vals.setdefault("outcome", "positive")
            vals.setdefault("quality", 4)
        return self.env["xrm.interaction"].create(
            {
                "partner_id": partner.id,
                "company_id": self.company.id,
                "date": dt(when),
                "user_id": (user or self.alice).id,
                "channel": "phone",
                **vals,
            }
        )

    def _purchase(self, partner, when, amount, user=None):
        lead = self.env["crm.lead"].create(
            {
                "name": f"Deal {partner.name} {when}",
                "type": "opportunity",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "user_id": (user or partner.user_id).id,
                "expected_revenue": amount,
            }
        )
        lead.action_set_won()
        lead.write({"date_closed": dt(when)})
        self.assertEqual(lead.won_status, "won")
        return lead

    def _ticket(self, partner, closed, user=None, rating=None, rated=None):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": f"Ticket {partner.name}",
                "description": "<p>Help</p>",
                "partner_id": partner.id,
                "company_id": self.company.id,
                "user_id": (user or self.alice).id,
            }
        )
        ticket.write({"closed_date": dt(closed) if closed else False})
        if rating:
            self._rating(ticket, rating, rated or closed)
        return ticket

    def _rating(self, ticket, value, when):
        rating = self.env["rating.rating"].create(
            {
                "res_model_id": self.ticket_model,
                "res_id": ticket.id,
                "partner_id": ticket.partner_id.id,
                "rating": value,
                "consumed": True,
            }
        )
        rating.write({"rated_on": dt(when)})
        return rating

    def _by_scope(self, values):
        result = {}
        for value in values:
            key = value.user_id or value.stage_id or None
            result[key] = value
        return result

    def assertValue(self, value, expected, numerator, denominator):
        self.assertTrue(value, "a value was expected")
        self.assertAlmostEqual(value.value, expected, places=2)
        self.assertAlmostEqual(value.numerator, numerator, places=2)
        self.assertAlmostEqual(value.denominator, denominator, places=2)
