# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Time the heavy paths on a generated database; print JSON on the last line.

Run inside ``odoo-bin shell`` (``tools/xrm.py bench`` does it, once per
scale). The floor is plain SQL that reads the same rows once: PostgreSQL's
own cost of aggregating them, which our computation is compared with.
"""

import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime

from odoo import fields

from odoo.addons.xrm_relationship.tools.nightly import JOBS, PARAM, SAFETY_MARGIN

sys.path.insert(0, os.environ["XRM_BENCH_DIR"])
from xrm_generator import ticket_text, ticket_vocabulary  # noqa: E402 (path above)

env = globals()["env"]  # provided by odoo shell
cr = env.cr
results = {}


def timed(label, func, repeat=1):
    best = None
    for _i in range(repeat):
        env.invalidate_all()
        start = time.perf_counter()
        func()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    results[label] = best
    print(f"[bench] {label}: {best:.3f}s", flush=True)
    return best


def count(table):
    cr.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: E501 (fixed table names)
    return cr.fetchone()[0]


sizes = {
    table: count(table)
    for table in (
        "res_partner",
        "xrm_interaction",
        "crm_lead",
        "helpdesk_ticket",
        "rating_rating",
        "xrm_journey_transition",
        "xrm_customer_goal",
    )
}
print(f"[bench] sizes {sizes}", flush=True)

# The floor: each table the KPIs and health read, aggregated once in SQL.
FLOOR_QUERIES = [
    "SELECT user_id, COUNT(*), COUNT(*) FILTER (WHERE state = 'draft'),"
    " AVG(quality), AVG(csat), MAX(date) FROM xrm_interaction WHERE active"
    " GROUP BY user_id",
    "SELECT user_id, COUNT(*), SUM(expected_revenue), MIN(date_closed)"
    " FROM crm_lead WHERE won_status = 'won' GROUP BY user_id",
    "SELECT t.user_id, COUNT(*), AVG(r.rating) FROM helpdesk_ticket t"
    " LEFT JOIN rating_rating r ON r.res_id = t.id"
    " AND r.res_model = 'helpdesk.ticket' GROUP BY t.user_id",
    "SELECT user_id, xrm_stage_id, COUNT(*), MAX(xrm_stage_date),"
    " COUNT(xrm_churn_date), COUNT(xrm_referred_by_id) FROM res_partner"
    " GROUP BY user_id, xrm_stage_id",
    "SELECT partner_id, AVG(progress) FROM xrm_customer_goal GROUP BY partner_id",
    # Referrals reported by outside systems (network_growth reads them).
    "SELECT company_id, event_type, COUNT(*), MAX(date) FROM xrm_engagement_event"
    " GROUP BY company_id, event_type",
]


def floor():
    for query in FLOOR_QUERIES:
        cr.execute(query)
        cr.fetchall()


Definition = env["xrm.kpi.definition"]
Partner = env["res.partner"]
Health = env["xrm.health.profile"]
admin = env.ref("base.user_admin")

timed("floor", floor, repeat=3)
# The first run on a new database also opens each breach's activity (and its
# e-mail); a normal night finds them open: both are reported.
timed("compute_kpis_first", lambda: Definition.compute_kpis(), repeat=1)
timed("compute_kpis", lambda: Definition.compute_kpis(), repeat=2)
cr.execute("SELECT COUNT(*) FROM xrm_kpi_value WHERE date = CURRENT_DATE")
results["kpi_values"] = cr.fetchone()[0]


def health_all():
    cr.execute(
        "SELECT id FROM res_partner WHERE active AND id = commercial_partner_id"
        " ORDER BY id"
    )
    ids = [row[0] for row in cr.fetchall()]
    for index in range(0, len(ids), 5000):
        Health._xrm_compute_health(Partner.browse(ids[index : index + 5000]))
        env.invalidate_all()  # as the nightly job's batches: a bounded cache


timed("health_all", health_all)
# Churn risk (issue 16): weekly training with its backtest, nightly scoring.
Churn = env["xrm.churn.model"]
timed("churn_train", lambda: Churn._xrm_train(env.company))
results["churn_model"] = Churn.search([("company_id", "=", env.company.id)]).read(
    [
        "state",
        "message",
        "sample_count",
        "churn_count",
        "auc",
        "test_sample_count",
        "test_churn_count",
        "flagged_count",
    ]
)[0]
print(f"[bench] churn model {results['churn_model']}", flush=True)


def churn_score_all():
    cr.execute(
        "SELECT id FROM res_partner WHERE active AND id = commercial_partner_id"
        " ORDER BY id"
    )
    ids = [row[0] for row in cr.fetchall()]
    for index in range(0, len(ids), 2000):
        Churn._xrm_score_partners(Partner.browse(ids[index : index + 2000]))
        env.invalidate_all()  # as the nightly job's batches: a bounded cache


timed("churn_score_all", churn_score_all)
cr.execute("SELECT COUNT(*) FROM res_partner WHERE xrm_churn_risk IS NOT NULL")
results["churn_scored"] = cr.fetchone()[0]
dashboard = env["xrm.dashboard"].with_user(admin)
dashboard.get_dashboard_data({})  # warm the registry caches
# Health and churn scoring have just rewritten every relationship: until
# (auto)vacuum marks those pages all-visible again, the funnel's index-only
# scan visits the table. Users read the dashboard in the day, after the
# night's jobs committed and autovacuum passed: both states are reported.
timed("dashboard_unsettled", lambda: dashboard.get_dashboard_data({}), repeat=5)
cr.commit()
started = time.perf_counter()
subprocess.run(
    ["psql", "-q", "-d", cr.dbname, "-c", "VACUUM ANALYZE res_partner"], check=True
)
results["vacuum_s"] = time.perf_counter() - started
timed("dashboard", lambda: dashboard.get_dashboard_data({}), repeat=5)

cr.execute(
    "SELECT id FROM res_partner WHERE ref LIKE 'BENCH%%' ORDER BY id"
    " LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM res_partner WHERE ref LIKE 'BENCH%%')"
)
partner_id = cr.fetchone()[0]


def form_spec(model):
    """What the web client reads to open a record's form: every field of it."""
    views = env[model].with_user(admin).get_views([(False, "form")])
    return {name: {} for name in views["models"][model]["fields"]}


def open_form(model, record_id, spec):
    env[model].with_user(admin).browse(record_id).web_read(spec)


partner_spec = form_spec("res.partner")
timed(
    "partner_form",
    lambda: open_form("res.partner", partner_id, partner_spec),
    repeat=5,
)
# An opportunity of that relationship: its context panel (first contact,
# last meaningful interaction) reads the relationship's history.
cr.execute(
    "SELECT id FROM crm_lead WHERE name LIKE 'Bench deal%%' ORDER BY id"
    " LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM crm_lead)"
)
lead_id = cr.fetchone()[0]
lead_spec = form_spec("crm.lead")
timed("lead_form", lambda: open_form("crm.lead", lead_id, lead_spec), repeat=5)

# Related knowledge (issue 13): the search for a new ticket among every
# resolved one, median of 30 tickets written like the generated ones.
Suggestion = env["xrm.ticket.suggestion"]
Ticket = env["helpdesk.ticket"].with_context(xrm_no_suggestions=True)
rng = random.Random(11)
vocabulary = ticket_vocabulary()
searches, suggested = [], []
cr.execute("SAVEPOINT bench_similar")  # the 30 tickets are not kept
for _i in range(30):
    ticket = Ticket.create(
        {
            "name": ticket_text(rng, 5, vocabulary),
            "description": f"<p>{ticket_text(rng, 40, vocabulary)}</p>",
        }
    )
    ticket.flush_recordset()
    start = time.perf_counter()
    suggested.append(len(Suggestion._xrm_similar_tickets(ticket)))
    searches.append(time.perf_counter() - start)
cr.execute("ROLLBACK TO SAVEPOINT bench_similar")
env.invalidate_all()
results["similar_tickets"] = statistics.median(searches)
results["similar_tickets_found"] = statistics.mean(suggested)
print(
    f"[bench] similar_tickets: median {results['similar_tickets']:.3f}s,"
    f" worst {max(searches):.3f}s, {results['similar_tickets_found']:.1f} found",
    flush=True,
)
# Process insight (issue 15): each report read as a manager, whole window.
INSIGHT_REPORTS = {
    "stage_analysis": "xrm.stage.analysis",
    "agent_scorecard": "xrm.agent.scorecard",
    "relationship_mirror": "xrm.relationship.mirror",
    "return_driver": "xrm.return.driver",
}
for label, model in INSIGHT_REPORTS.items():
    Report = env[model].with_user(admin)
    timed(label, lambda Report=Report: Report.search_read([], limit=80), repeat=3)

# Nightly jobs (issue 17): health, tiers, churn scoring and warnings, the
# incremental run of a day on which 1 % of the relationships changed against
# the full run. The day after a first full run is not a normal day (every
# first snapshot and tier becomes an input of the churn features): settle it.
# The assignment e-mails of the warning and appreciation activities (Odoo's
# activity notification, up to the Settings' limit per salesperson on the
# first run) are not what is timed.
quiet = env(context=dict(env.context, mail_activity_quick_update=True))
today = fields.Date.context_today(Partner)


def nightly(day, full):
    now = datetime.combine(day, dtime(2))
    return {
        "health": quiet["xrm.health.profile"]._cron_xrm_health(full=full, as_of=day),
        "tiers": quiet["xrm.relationship.tier"]._cron_xrm_assign_tiers(
            full=full, as_of=day
        ),
        "churn": quiet["xrm.churn.model"]._cron_xrm_churn_score(full=full, now=now),
        "warnings": len(
            quiet["xrm.early.warning"]._cron_xrm_early_warnings(full=full, now=now)[0]
        ),
    }


def a_day_passes():
    """The last night was minutes ago, not a day: move the jobs' watermarks
    past their look-back margin, as a day would, so only what follows counts."""
    for job in JOBS:
        key = PARAM % job
        mark = json.loads(env["ir.config_parameter"].get_param(key))
        mark["since"] = fields.Datetime.to_string(cr.now() + SAFETY_MARGIN)
        env["ir.config_parameter"].set_param(key, json.dumps(mark))
    cr.commit()


# Timed too: the first full night on an existing database (an install or
# an upgrade) finds every warning that already holds and opens the most
# urgent ones up to the limit per salesperson.
first = {}
timed("nightly_first", lambda: first.update(nightly(today, True)))
results["warnings_first"] = first["warnings"]
results["warnings_holding"] = len(
    env["xrm.early.warning"]._xrm_warning_candidates(datetime.combine(today, dtime(2)))
)
a_day_passes()
nightly(today + timedelta(days=1), False)
a_day_passes()
cr.execute(
    """
    INSERT INTO xrm_interaction (
        partner_id, user_id, company_id, date, channel, direction, state, summary,
        outcome, quality, active, is_meaningful, name, relation_type, stage_id,
        create_date, write_date, create_uid, write_uid)
    SELECT p.id, p.user_id, COALESCE(p.company_id, %(company)s),
           NOW() AT TIME ZONE 'UTC', 'phone', 'outbound', 'done', 'Checked in',
           'positive', 4, TRUE, TRUE, 'Phone · ' || p.name, p.xrm_relation_type,
           p.xrm_stage_id, NOW() AT TIME ZONE 'UTC', NOW() AT TIME ZONE 'UTC',
           %(uid)s, %(uid)s
      FROM res_partner p
     WHERE p.active AND p.id = p.commercial_partner_id AND p.id %% 100 = 7
    """,
    {"company": env.company.id, "uid": admin.id},
)
results["nightly_touched"] = cr.rowcount
cr.commit()
counts = {}
timed(
    "nightly_incremental",
    lambda: counts.update(nightly(today + timedelta(days=2), False)),
)
results["nightly_incremental_counts"] = dict(counts)
timed("nightly_full", lambda: counts.update(nightly(today + timedelta(days=3), True)))
results["nightly_full_counts"] = dict(counts)
results["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
results["sizes"] = sizes
env.cr.commit()
print("BENCH_RESULT " + json.dumps(results), flush=True)
