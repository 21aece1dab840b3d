# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Cost of the addon on the write path: two databases side by side.

Run inside ``odoo-bin shell`` (``tools/xrm.py bench`` does it). Reads
``XRM_WP_DBS`` = "<with addon>,<without addon>": two databases with the same
dependencies (crm, contacts, mail, calendar, helpdesk_mgmt,
helpdesk_mgmt_rating), only the first has xrm_relationship. Both get the same
small world (companies, their contact person, opportunities), then each
operation runs ``XRM_WP_N`` times per database, one transaction each (a mail
gateway or a request commits after every message), alternating between the
databases so that the load of a shared machine hits both alike. Prints the
median milliseconds and queries per operation; JSON on the last line.
"""

import json
import os
import statistics
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry

DBS = os.environ["XRM_WP_DBS"].split(",")
N = int(os.environ.get("XRM_WP_N", "60"))
WARMUP = 5
COMPANIES = 40
REF = "WPBENCH"


def world(env):
    """The same companies, contacts and opportunities in either database."""
    Partner = env["res.partner"]
    companies = Partner.search([("ref", "=like", f"{REF}%")], order="id")
    if len(companies) < COMPANIES:
        companies |= Partner.create(
            [
                {
                    "name": f"Write Path Company {index}",
                    "is_company": True,
                    "ref": f"{REF}{index:04d}",
                    "email": f"info{index}@wp{index}.example.com",
                }
                for index in range(len(companies), COMPANIES)
            ]
        )
    contacts = Partner.browse()
    for company in companies:
        contact = company.child_ids[:1]
        if not contact:
            contact = Partner.create(
                {
                    "name": f"Contact of {company.name}",
                    "parent_id": company.id,
                    "email": f"buyer@{company.email.split('@')[1]}",
                }
            )
        contacts |= contact
    Lead = env["crm.lead"]
    leads = Lead.browse()
    admin = env.ref("base.user_admin")
    for company in companies:
        lead = Lead.search([("partner_id", "=", company.id)], limit=1, order="id")
        if not lead:
            lead = Lead.create(
                {
                    "name": f"Deal with {company.name}",
                    "type": "opportunity",
                    "partner_id": company.id,
                    "user_id": admin.id,
                }
            )
        leads |= lead
    env.cr.commit()
    return companies, contacts, leads


class Side:
    """One database: its cursor, environment as the admin user, its world."""

    def __init__(self, dbname):
        self.dbname = dbname
        self.registry = Registry(dbname)
        self.cr = self.registry.cursor()
        root = api.Environment(self.cr, SUPERUSER_ID, {})
        self.companies, self.contacts, self.leads = world(root)
        admin = root.ref("base.user_admin")
        # An internal user, not the superuser: rules and rights apply.
        self.env = api.Environment(self.cr, admin.id, {})
        self.call_type = root.ref("mail.mail_activity_data_call")
        self.samples = {}
        self.queries = {}
        self.step = 0

    def browse(self, records, index):
        return records.with_env(self.env)[index % len(records)]

    # The operations; ``index`` picks the record, the same in both databases.
    def partner_email(self, index):
        contact = self.browse(self.contacts, index)
        self.browse(self.companies, index).message_post(
            body=f"<p>Incoming email {index}</p>",
            subject="Question",
            message_type="email",
            author_id=contact.id,
            email_from=contact.email,
            subtype_xmlid="mail.mt_comment",
        )

    def partner_note(self, index):
        self.browse(self.companies, index).message_post(
            body=f"<p>Note {index}</p>",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def lead_email(self, index):
        contact = self.browse(self.contacts, index)
        self.browse(self.leads, index).message_post(
            body=f"<p>Incoming email on the deal {index}</p>",
            subject="Offer",
            message_type="email",
            author_id=contact.id,
            email_from=contact.email,
            subtype_xmlid="mail.mt_comment",
        )

    def lead_note(self, index):
        self.browse(self.leads, index).message_post(
            body=f"<p>Note on the deal {index}</p>",
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )

    def prepare_activity_done(self, index):
        lead = self.browse(self.leads, index)
        return (
            self.env["mail.activity"]
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "res_id": lead.id,
                    "activity_type_id": self.call_type.id,
                    "summary": f"Call {index}",
                    "user_id": self.env.uid,
                }
            )
            .with_env(self.env),
        )

    def activity_done(self, index, activity):
        activity.action_feedback(feedback=f"Called {index}")

    def lead_create(self, index):
        company = self.browse(self.companies, index)
        self.env["crm.lead"].create(
            {
                "name": f"New deal {index}",
                "type": "opportunity",
                "partner_id": company.id,
                "email_from": company.email,
            }
        )

    def measure(self, name, index):
        prepare = getattr(self, f"prepare_{name}", None)
        args = ()
        if prepare:
            args = prepare(index)
            self.cr.commit()
        self.env.invalidate_all()
        queries = self.cr.sql_log_count
        start = time.perf_counter()
        getattr(self, name)(index, *args)
        self.cr.commit()
        elapsed = time.perf_counter() - start
        if index >= WARMUP:
            self.samples.setdefault(name, []).append(elapsed * 1000.0)
            self.queries.setdefault(name, []).append(self.cr.sql_log_count - queries)


OPERATIONS = (
    "partner_email",
    "partner_note",
    "lead_email",
    "lead_note",
    "activity_done",
    "lead_create",
)
sides = [Side(name) for name in DBS]
for index in range(N + WARMUP):
    for name in OPERATIONS:
        # Alternate which database goes first: neither always runs warm.
        for side in sides if index % 2 else reversed(sides):
            side.measure(name, index)

results = {}
with_addon, without = sides
for name in OPERATIONS:
    ms_with = statistics.median(with_addon.samples[name])
    ms_without = statistics.median(without.samples[name])
    results[name] = {
        "ms_with": ms_with,
        "ms_without": ms_without,
        "ratio": ms_with / ms_without,
        "queries_with": statistics.median(with_addon.queries[name]),
        "queries_without": statistics.median(without.queries[name]),
    }
    print(
        f"[bench] write path {name}: {ms_without:.1f} ms -> {ms_with:.1f} ms "
        f"(× {ms_with / ms_without:.2f}); queries "
        f"{results[name]['queries_without']:.0f} -> "
        f"{results[name]['queries_with']:.0f}",
        flush=True,
    )
results["repetitions"] = N
for side in sides:
    side.cr.close()
print("WRITE_PATH_RESULT " + json.dumps(results), flush=True)
