# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Fill an xrm_relationship database with a seeded, realistic volume of data.

``generate(env, scale)``: 1.0 = 100,000 partners, 1,000,000 interactions,
50,000 opportunities, 50,000 tickets with ratings, each relationship's
journey (entry, moves, and for one in five a churn, most of them after their
meaningful contact stopped: the history the churn model learns from) and
goals; up to 10.0 (a million partners) in bounded memory: every step is one
statement, or slices of a million rows, run inside PostgreSQL. ``tools/xrm.py generate`` calls it through ``generate.py`` inside
``odoo-bin shell``; the test suite calls it on a tiny scale to check that the
data reads exactly like ORM-made data and that the KPIs on it match a plain
reference computation.

Bulk SQL (``INSERT … SELECT generate_series``) where the ORM would take
hours, filling every column the ORM would (stored computed fields,
sequences, company, audit columns). ``setseed`` makes every run with the
same scale identical. Nothing is committed here: the caller decides.
"""

import random
import time
from contextlib import contextmanager

from odoo.addons.iap.tools.iap_tools import mail_prepare_for_domain_search

N_SALESPEOPLE = 20
N_TECHNICIANS = 10
SEED = 0.42
# Journey history (the churn model learns from it): a share of the
# relationships churned over the two years, most of them after their
# meaningful contact stopped 75-90 days before (the planted signal, as in
# tests/test_churn_model.py), the others at a random moment while in touch.
CHURN_SHARE = 0.2
SILENT_SHARE = 0.7
SILENT_DAYS = (75, 90)
# Bulk inserts of the big tables go by this many rows: each statement stays
# bounded (sorts, hash tables, one transaction's progress in the log).
CHUNK = 1_000_000
# Ticket texts: words of a 5,000-word vocabulary that follow a Zipf law (some
# are everywhere, most are rare, as in real tickets) among common English
# words, so that the related-knowledge search has a realistic corpus.
COMMON_WORDS = (
    "the a is not after when our we it to of and in on with for this that "
    "since again error problem please help cannot does".split()
)


def ticket_vocabulary(size=5000):
    """The same pseudo-words on every run (seeded)."""
    rng = random.Random(7)
    return [
        "".join(
            rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10))
        )
        for _ in range(size)
    ]


def ticket_text(rng, words, vocabulary):
    """``words`` Zipf-drawn words and half as many common ones (Python side)."""
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    picked = rng.choices(vocabulary, weights, k=words)
    picked += rng.choices(COMMON_WORDS, k=words // 2)
    rng.shuffle(picked)
    return " ".join(picked)


@contextmanager
def bulk_loaded(cr, table, enabled=True, log=None):
    """Load ``table`` without its secondary indexes and foreign keys, then
    build and check these once.

    Keeping fifteen indexes up to date row by row, at ten million rows that
    no longer fit in shared buffers, writes each index page many times (and
    in full after every checkpoint), and each foreign key costs one lookup
    per row; one sorted build per index and one join per key at the end are
    the usual bulk-load practice. Indexes behind a constraint (primary key,
    unique) stay. Transactional: a failure restores everything with the
    rollback.
    """
    if not enabled:
        yield
        return
    cr.execute(
        """
        SELECT c.relname, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = %s::regclass
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
         ORDER BY c.relname
        """,
        [table],
    )
    indexes = cr.fetchall()
    cr.execute(
        """
        SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
         WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname
        """,
        [table],
    )
    foreign_keys = cr.fetchall()
    # (names and definitions read from the catalog, not from outside)
    for name, _definition in foreign_keys:
        cr.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cr.execute(f'DROP INDEX "{name}"')
    yield
    if log:
        log(f"{len(indexes)} indexes and {len(foreign_keys)} foreign keys of {table}")
    cr.execute("SET LOCAL maintenance_work_mem = '1GB'")
    for _name, definition in indexes:
        cr.execute(definition)
    for name, definition in foreign_keys:
        cr.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')


def generate(  # noqa: C901
    env, scale, company=None, log=print, return_ids=True, bulk_load=None
):
    """Generate ``scale`` × the full size; return the new records' ids by model.

    ``bulk_load``: load the big tables without their secondary indexes
    and build these after (see ``bulk_loaded``); by default from a
    million interactions up.

    ``company``: the company of the generated records; partners are shared
    (no company) when it is not given, as contacts usually are. With
    ``return_ids`` false, only the row counts are returned (10 million ids
    do not belong in memory).
    """
    n_partners = max(int(100_000 * scale), 1)
    n_interactions = int(1_000_000 * scale)
    n_leads = int(50_000 * scale)
    n_tickets = int(50_000 * scale)
    cr = env.cr
    started = time.time()
    if bulk_load is None:
        bulk_load = n_interactions >= CHUNK

    def step(label):
        log(f"[generate] {label} ({time.time() - started:.1f}s)")

    def ex(sql, params=None):
        cr.execute(sql, params or {})

    ex("SELECT setseed(%(seed)s)", {"seed": SEED})
    partner_company = company.id if company else None
    company = company or env.ref("base.main_company")
    admin = env.ref("base.user_admin")
    stages = env["xrm.journey.stage"].search([], order="sequence, id")
    churn_stage = stages.filtered("is_churn")[:1]
    living = stages - churn_stage
    at_risk = (
        env.ref("xrm_relationship.xrm_journey_stage_at_risk", False) or living[-1:]
    )
    # Where a relationship starts, and where those that churn were before.
    entry_stage = living[:1]
    working = living - entry_stage - at_risk or living
    won_stage = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    open_stage = env["crm.stage"].search([("is_won", "=", False)], limit=1)
    ticket_closed = env["helpdesk.ticket.stage"].search(
        [("closed", "=", True)], limit=1
    )
    ticket_open = env["helpdesk.ticket.stage"].search([("closed", "=", False)], limit=1)

    # Salespeople and technicians through the ORM: few, and with groups.
    Users = env["res.users"].with_context(no_reset_password=True)
    existing = Users.search([("login", "=like", "bench_%")])
    if not existing:
        step("users")
        groups_sales = [
            env.ref("xrm_relationship.group_xrm_user").id,
            env.ref("sales_team.group_sale_salesman").id,
        ]
        groups_tech = [
            *groups_sales,
            env.ref("helpdesk_mgmt.group_helpdesk_user_own").id,
        ]
        Users.create(
            [
                {
                    "name": f"Salesperson {n:02d}",
                    "login": f"bench_sales_{n:02d}",
                    "group_ids": [(6, 0, groups_sales)],
                }
                for n in range(N_SALESPEOPLE)
            ]
            + [
                {
                    "name": f"Technician {n:02d}",
                    "login": f"bench_tech_{n:02d}",
                    "group_ids": [(6, 0, groups_tech)],
                }
                for n in range(N_TECHNICIANS)
            ]
        )
        env.flush_all()
    sales_ids = Users.search([("login", "=like", "bench_sales_%")], order="id").ids
    tech_ids = Users.search([("login", "=like", "bench_tech_%")], order="id").ids

    params = {
        "company": company.id,
        "partner_company": partner_company,
        "uid": admin.id,
        "sales": sales_ids,
        "techs": tech_ids,
        "stages": stages.ids,
        "churn": churn_stage.id,
        "living": living.ids,
        "working": working.ids,
        "entry": entry_stage.id,
        "at_risk": at_risk.id,
        "churn_share": CHURN_SHARE,
        "silent_share": SILENT_SHARE,
        "silent_min": SILENT_DAYS[0],
        "silent_span": SILENT_DAYS[1] - SILENT_DAYS[0],
        "n_partners": n_partners,
        "n_interactions": n_interactions,
        "n_leads": n_leads,
        "n_tickets": n_tickets,
        "won_stage": won_stage.id,
        "open_stage": open_stage.id,
        "closed_stage": ticket_closed.id,
        "ticket_open": ticket_open.id,
        "ticket_model": env["ir.model"]._get_id("helpdesk.ticket"),
    }

    step(f"{n_partners} partners and their journeys")
    # A scratch table of the generated partners, for the later steps, with
    # each one's journey: created → the entry stage; then (moved) a working
    # stage; those that churn went silent first (silent_from, then At risk
    # 60 days later) or not, and entered the churn stage on churn_at.
    # Ids come from the table's own sequence, as the ORM's inserts take them.
    ex(
        """
        CREATE TEMP TABLE bench_partner AS
        SELECT w.*, w.life_to - w.weight AS life_from
          FROM (
        SELECT j.*,
               CASE WHEN j.churn_at IS NOT NULL THEN %(churn)s
                    WHEN j.moved IS NULL THEN %(entry)s
                    ELSE j.current END AS stage_id,
               COALESCE(j.churn_at, j.moved, j.created) AS stage_date,
               j.silent_from + INTERVAL '60 days' AS at_risk_at,
               COALESCE(j.churn_at, NOW() AT TIME ZONE 'UTC') AS ends,
               -- float8, as the lookups' points (numeric would not use the index)
               (EXTRACT(EPOCH FROM COALESCE(j.churn_at, NOW() AT TIME ZONE 'UTC')
                                   - j.created) / 86400)::float8 AS days,
               -- contacts per relationship follow the days it lived, give or
               -- take half (one customer is called more than another)
               SUM((EXTRACT(EPOCH FROM COALESCE(j.churn_at, NOW() AT TIME ZONE 'UTC')
                                       - j.created) / 86400)::float8
                   * (0.5 + j.r_pace))
                   OVER (ORDER BY j.n) AS life_to,
               (EXTRACT(EPOCH FROM COALESCE(j.churn_at, NOW() AT TIME ZONE 'UTC')
                                   - j.created) / 86400)::float8
                   * (0.5 + j.r_pace) AS weight
          FROM (
            SELECT c.id, c.n, c.rtype, c.user_id, c.created, c.referrer_n, c.current,
                   c.work, c.churn_at, c.r_pace,
                   CASE WHEN c.churn_at IS NOT NULL AND c.r_silent < %(silent_share)s
                        THEN GREATEST(c.created, c.churn_at
                             - (%(silent_min)s + c.r_gap * %(silent_span)s)
                               * INTERVAL '1 day') END AS silent_from,
                   -- the move out of the entry stage (none for one in nine)
                   CASE WHEN c.churn_at IS NOT NULL
                        THEN c.created + (c.churn_at - c.created) * c.r_move * 0.5
                        WHEN c.current != %(entry)s
                        THEN c.created
                             + (NOW() AT TIME ZONE 'UTC' - c.created) * c.r_move
                   END AS moved
              FROM (
                SELECT b.*,
                       CASE WHEN b.r_churn < %(churn_share)s
                             AND b.created < NOW() AT TIME ZONE 'UTC'
                                 - INTERVAL '45 days'
                            THEN b.created + INTERVAL '45 days'
                                 + (NOW() AT TIME ZONE 'UTC' - b.created
                                    - INTERVAL '45 days') * b.r_when END AS churn_at
                  FROM (
                    SELECT nextval('res_partner_id_seq')::int AS id, n,
                           (ARRAY['customer','customer','customer','customer','agent',
                                  'supplier','contractor','technician','other'])
                               [1 + floor(random() * 9)::int] AS rtype,
                           (%(sales)s::int[])[1 + floor(random()
                               * cardinality(%(sales)s::int[]))::int] AS user_id,
                           (%(living)s::int[])[1 + floor(random()
                               * cardinality(%(living)s::int[]))::int] AS current,
                           (%(working)s::int[])[1 + floor(random()
                               * cardinality(%(working)s::int[]))::int] AS work,
                           NOW() AT TIME ZONE 'UTC' - random() * INTERVAL '730 days'
                               AS created,
                           GREATEST(1, floor(n * random())::int) AS referrer_n,
                           random() AS r_churn, random() AS r_when,
                           random() AS r_silent, random() AS r_gap, random() AS r_move,
                           random() AS r_pace
                      FROM generate_series(1, %(n_partners)s) AS n
                  ) b
              ) c
          ) j
          ) w
        """,
        params,
    )
    with bulk_loaded(cr, "res_partner", bulk_load, step):
        ex(
            """
            INSERT INTO res_partner (
                id, name, complete_name, commercial_company_name, active, is_company, type,
                lang, partner_share, commercial_partner_id,
                user_id, company_id, xrm_relation_type, xrm_stage_id, xrm_stage_date,
                xrm_churn_date, xrm_churn_reason,
                create_date, write_date, create_uid, write_uid, email, email_normalized,
                ref)
            SELECT id, 'Bench Partner ' || n, 'Bench Partner ' || n, 'Bench Partner ' || n,
                   TRUE, TRUE, 'contact', 'en_US', TRUE, id,
                   user_id, %(partner_company)s, rtype, stage_id, stage_date,
                   -- as the churn wizard leaves them
                   churn_at::date,
                   CASE WHEN churn_at IS NOT NULL THEN 'Moved to a competitor' END,
                   created, created, %(uid)s, %(uid)s,
                   'partner' || n || '@p' || n || '.bench.example.com',
                   'partner' || n || '@p' || n || '.bench.example.com', 'BENCH' || n
              FROM bench_partner
            """,
            params,
        )
        # Fresh statistics for the tables just filled: with the install's (a few
        # dozen rows) the planner joins by scanning them once per row, which is
        # quadratic at a million partners.
        ex("ANALYZE res_partner")
        ex("CREATE INDEX ON bench_partner (n)")
        # Contacts come at a steady pace over a relationship's life, give or take
        # half: each one's share of all the interactions follows its weight (days
        # lived × pace), rounded along the running total so that the counts add
        # up to exactly n_interactions. (A count per relationship, not a lookup
        # per interaction: ten million index probes were most of the time at 10×.)
        ex(
            """
            CREATE TEMP TABLE bench_contacts AS
            SELECT n, (round(life_to * %(n_interactions)s / t.total)
                       - round(COALESCE(lag(life_to) OVER (ORDER BY n), 0)
                               * %(n_interactions)s / t.total))::int AS k
              FROM bench_partner, (SELECT MAX(life_to) AS total FROM bench_partner) t
            """,
            params,
        )
        ex("CREATE INDEX ON bench_contacts (n)")
        ex("ANALYZE bench_partner")
        ex("ANALYZE bench_contacts")
        # One in ten was referred by an earlier relationship.
        ex(
            """
            UPDATE res_partner p SET xrm_referred_by_id = ref.id
              FROM bench_partner b
              JOIN bench_partner ref ON ref.n = b.referrer_n
             WHERE b.id = p.id AND b.n > 1 AND b.n %% 10 = 0
            """
        )

    # Each contact falls in its relationship's life (created → churn or now);
    # after a relationship went silent its contacts carry no value (quality
    # 1-2: not meaningful), as the journey's "no meaningful contact" sees it.
    # Slices of relationships holding about CHUNK interactions each.
    per_slice = max(1, CHUNK * n_partners // max(n_interactions, 1))
    with bulk_loaded(cr, "xrm_interaction", bulk_load, step):
        for first in range(1, n_partners + 1, per_slice):
            last = min(first + per_slice - 1, n_partners)
            step(f"interactions of partners {first}-{last} of {n_partners}")
            ex(
                """
                INSERT INTO xrm_interaction (
                    partner_id, user_id, company_id, date, channel, direction, state,
                    summary, outcome, quality, csat, active, is_meaningful, name,
                    relation_type, stage_id, create_date, write_date, create_uid,
                    write_uid)
                SELECT x.id, x.user_id, %(company)s, d.date, x.channel, x.direction,
                       x.state,
                       CASE WHEN x.state = 'done' THEN 'Discussed next steps' END,
                       CASE WHEN x.state = 'done'
                            THEN (ARRAY['positive','positive','neutral','negative'])
                                 [1 + floor(x.r2 * 4)::int] END,
                       CASE WHEN x.state = 'done' THEN q.quality END,
                       CASE WHEN x.r4 < 0.05 THEN 1 + floor(x.r2 * 5)::int END,
                       TRUE,
                       x.state = 'done' AND q.quality >= 3,
                       initcap(x.channel) || ' · Bench Partner ' || x.n,
                       x.rtype,
                       -- the stage the relationship was in on that day
                       CASE WHEN x.moved IS NULL OR d.date < x.moved THEN %(entry)s
                            WHEN d.date >= x.at_risk_at THEN %(at_risk)s
                            WHEN x.churn_at IS NOT NULL THEN x.work
                            ELSE x.stage_id END,
                       d.date, d.date, %(uid)s, %(uid)s
                  FROM (
                    SELECT b.*, random() AS at,
                           (ARRAY['email','phone','meeting','chat','visit','portal',
                                  'social','other'])[1 + floor(random() * 8)::int]
                               AS channel,
                           CASE WHEN random() < 0.45 THEN 'inbound' ELSE 'outbound' END
                               AS direction,
                           CASE WHEN random() < 0.12 THEN 'draft' ELSE 'done' END AS state,
                           random() AS r2, random() AS r3, random() AS r4
                      FROM bench_contacts c
                      JOIN bench_partner b ON b.n = c.n
                     CROSS JOIN generate_series(1, c.k)
                     WHERE c.n BETWEEN %(first)s AND %(last)s
                  ) x
                 CROSS JOIN LATERAL (
                    -- (within the life despite floating point)
                    SELECT LEAST(x.created + (x.ends - x.created) * x.at,
                                 x.ends - INTERVAL '1 minute') AS date
                 ) d
                 CROSS JOIN LATERAL (
                    SELECT CASE WHEN d.date >= x.silent_from THEN 1 + floor(x.r3 * 2)::int
                                ELSE 1 + floor(x.r3 * 5)::int END AS quality
                 ) q
                """,
                {**params, "first": first, "last": last},
            )

    step(f"{n_leads} opportunities")
    # What crm's computes would give each deal: the salesperson's team, the
    # partner's language, the e-mail domain used to find similar leads.
    Team = env["crm.team"]
    # Each company its own e-mail domain (one shared domain would make every
    # deal a "similar lead" of every other); crm's own rule, checked once:
    example = mail_prepare_for_domain_search("partner7@p7.bench.example.com")
    if example != "@p7.bench.example.com":
        raise ValueError(f"crm's e-mail domain rule changed: {example}")
    lead_params = {
        **params,
        "teams": [
            Team._get_default_team_id(
                user_id=uid, domain=[("use_opportunities", "=", True)]
            ).id
            or None
            for uid in sales_ids
        ],
        "lang": env["res.lang"]._get_data(code="en_US").id,
    }
    with bulk_loaded(cr, "crm_lead", bulk_load, step):
        ex(
            """
            INSERT INTO crm_lead (
                name, type, active, partner_id, user_id, company_id, stage_id, won_status,
                probability, automated_probability, expected_revenue, prorated_revenue,
                date_closed, date_open, date_last_stage_update, create_date, write_date,
                create_uid, write_uid, priority, partner_name, email_from, email_normalized,
                contact_name, team_id, lang_id, email_domain_criterion, email_state,
                day_open, day_close)
            SELECT 'Bench deal ' || x.n, 'opportunity', x.status != 'lost', b.id, b.user_id,
                   %(company)s,
                   CASE WHEN x.status = 'won' THEN %(won_stage)s ELSE %(open_stage)s END,
                   x.status,
                   CASE x.status WHEN 'won' THEN 100 WHEN 'lost' THEN 0 ELSE 30 END,
                   CASE x.status WHEN 'won' THEN 100 WHEN 'lost' THEN 0 ELSE 30 END,
                   x.amount,
                   x.amount * CASE x.status WHEN 'won' THEN 1 WHEN 'lost' THEN 0
                                           ELSE 0.3 END,
                   CASE WHEN x.status != 'pending' THEN x.opened + x.age * 0.5 END,
                   x.opened, x.opened, x.opened, x.opened, %(uid)s, %(uid)s, '1',
                   'Bench Partner ' || b.n,
                   'partner' || b.n || '@p' || b.n || '.bench.example.com',
                   'partner' || b.n || '@p' || b.n || '.bench.example.com',
                   'Bench Partner ' || b.n,
                   (%(teams)s::int[])[array_position(%(sales)s::int[], b.user_id)],
                   %(lang)s, '@p' || b.n || '.bench.example.com', 'correct', 0,
                   CASE WHEN x.status != 'pending'
                        THEN floor(EXTRACT(EPOCH FROM x.age * 0.5) / 86400) END
              FROM (
                SELECT n, 1 + floor(random() * %(n_partners)s)::int AS pn,
                       CASE WHEN random() < 0.4 THEN 'won'
                            WHEN random() < 0.5 THEN 'lost' ELSE 'pending' END AS status,
                       round((500 + random() * 20000)::numeric, 2) AS amount,
                       NOW() AT TIME ZONE 'UTC' - random() * INTERVAL '730 days' AS opened,
                       random() * INTERVAL '60 days' AS age
                  FROM generate_series(1, %(n_leads)s) AS n
              ) x
              JOIN bench_partner b ON b.n = x.pn
            """,
            lead_params,
        )
    ex("ANALYZE crm_lead")
    # An open deal's probability comes from predictive lead scoring, set-based
    # in crm itself: let the ORM compute it (and the prorated revenue).
    ex(
        "SELECT l.id FROM crm_lead l JOIN bench_partner b ON b.id = l.partner_id"
        " WHERE l.won_status = 'pending'"
    )
    pending = [row[0] for row in cr.fetchall()]
    # in slices: at 10x the open deals would not fit in one ORM cache
    for index in range(0, len(pending), 20_000):
        env["crm.lead"].browse(pending[index : index + 20_000])._compute_probabilities()
        env.flush_all()
        env.invalidate_all()

    step(f"{n_tickets} tickets and their ratings")
    seq = env["ir.sequence"].search(
        [("code", "=", "helpdesk.ticket.sequence")], limit=1
    )
    ex(
        """
        CREATE TEMP TABLE bench_ticket AS
        SELECT nextval('helpdesk_ticket_id_seq')::int AS id, n, 1 + floor(random() * %(n_partners)s)::int AS pn,
               (%(techs)s::int[])[1 + floor(random() * cardinality(%(techs)s::int[]))::int]
                   AS user_id,
               NOW() AT TIME ZONE 'UTC' - random() * INTERVAL '730 days' AS opened,
               random() * INTERVAL '10 days' AS took,
               random() < 0.85 AS closed,
               random() AS r_rated, 1 + floor(random() * 5)::int AS rating,
               3 + floor(random() * 5)::int AS title_words,
               20 + floor(random() * 41)::int AS body_words
          FROM generate_series(1, %(n_tickets)s) AS n
        """,
        params,
    )
    # Nothing happens in the future: a ticket opened lately is answered (and
    # rated 5 hours after) before now, or the nightly jobs would see a row
    # written "later" than their last run on every night.
    ex(
        """
        UPDATE bench_ticket
           SET took = LEAST(took, GREATEST(
                   NOW() AT TIME ZONE 'UTC' - opened - INTERVAL '6 hours',
                   INTERVAL '0'))
        """
    )
    # ``n`` words: a word's rank r drawn with a chance of about 1/r (Zipf),
    # one word in three a common one.
    ex(
        """
        CREATE FUNCTION pg_temp.bench_words(n int, common text[], vocabulary text[])
        RETURNS text LANGUAGE sql VOLATILE AS $$
            SELECT string_agg(
                CASE WHEN random() < 0.33
                     THEN common[1 + floor(random() * cardinality(common))::int]
                     ELSE vocabulary[floor(exp(random()
                                              * ln(cardinality(vocabulary))))::int]
                END, ' ')
              FROM generate_series(1, n)
        $$
        """
    )
    with bulk_loaded(cr, "helpdesk_ticket", bulk_load, step):
        ex(
            """
            INSERT INTO helpdesk_ticket (
                id, number, name, description, partner_id, commercial_partner_id, company_id,
                user_id, stage_id, active, closed_date, last_stage_update, assigned_date,
                create_date, write_date, create_uid, write_uid, priority, kanban_state,
                unattended, partner_name, partner_email, rating_last_value,
                positive_rate_percentage, rating_status, access_token)
            SELECT t.id, %(prefix)s || lpad((%(next)s + t.n - 1)::text, %(padding)s, '0'),
                   tx.title, '<p>' || tx.body || '</p>', b.id, b.id,
                   %(company)s, t.user_id,
                   CASE WHEN t.closed THEN %(closed_stage)s ELSE %(ticket_open)s END, TRUE,
                   CASE WHEN t.closed THEN t.opened + t.took END,
                   t.opened + t.took, t.opened, t.opened, t.opened + t.took,
                   %(uid)s, %(uid)s, '1', 'normal',
                   CASE WHEN t.closed THEN %(closed_unattended)s
                        ELSE %(open_unattended)s END,
                   'Bench Partner ' || b.n,
                   'partner' || b.n || '@p' || b.n || '.bench.example.com',
                   CASE WHEN t.closed AND t.r_rated < 0.6 THEN t.rating ELSE 0 END,
                   CASE WHEN t.closed AND t.r_rated < 0.6
                        THEN CASE WHEN t.rating >= 4 THEN 100 ELSE 0 END ELSE -1 END,
                   'stage_change', md5(random()::text)
              FROM bench_ticket t JOIN bench_partner b ON b.n = t.pn
             CROSS JOIN LATERAL (
                SELECT pg_temp.bench_words(t.title_words, %(common)s,
                                           %(vocabulary)s) AS title,
                       pg_temp.bench_words(t.body_words, %(common)s,
                                           %(vocabulary)s) AS body
             ) tx
            """,
            {
                **params,
                "prefix": seq.prefix or "",
                "padding": seq.padding,
                "next": seq.number_next_actual,
                "open_unattended": ticket_open.unattended,
                "closed_unattended": ticket_closed.unattended,
                "vocabulary": ticket_vocabulary(),
                "common": list(COMMON_WORDS),
            },
        )
    ex("ANALYZE helpdesk_ticket")
    # The next ticket made by the ORM continues the numbering.
    seq.sudo().write({"number_next_actual": seq.number_next_actual + n_tickets})
    with bulk_loaded(cr, "rating_rating", bulk_load, step):
        ex(
            """
            INSERT INTO rating_rating (
                res_model_id, res_model, res_id, res_name, partner_id, rated_partner_id,
                rating, rating_text, consumed, rated_on, access_token, is_internal,
                create_date, write_date, create_uid, write_uid)
            SELECT %(ticket_model)s, 'helpdesk.ticket', h.id, h.number || ' - ' || h.name,
                   h.partner_id, u.partner_id, t.rating,
                   CASE WHEN t.rating >= 4 THEN 'top' WHEN t.rating >= 3 THEN 'ok'
                        ELSE 'ko' END,
                   TRUE, h.closed_date + INTERVAL '5 hours', md5(random()::text), FALSE,
                   h.closed_date, h.closed_date + INTERVAL '5 hours', %(uid)s, %(uid)s
              FROM bench_ticket t
              JOIN helpdesk_ticket h ON h.id = t.id
              JOIN res_users u ON u.id = t.user_id
             WHERE t.closed AND t.r_rated < 0.6
            """,
            params,
        )

    step("journey transitions and goals")
    # The whole journey, as the ORM logs it: entry (from no stage), the move
    # to a working stage, At risk for those that went silent, the churn.
    with bulk_loaded(cr, "xrm_journey_transition", bulk_load, step):
        ex(
            """
            INSERT INTO xrm_journey_transition (
                partner_id, company_id, from_stage_id, to_stage_id, user_id, date,
                days_in_previous_stage, reason, create_date, write_date, create_uid,
                write_uid)
            SELECT m.partner_id, %(partner_company)s, m.from_stage,
                   m.to_stage, m.user_id, m.date,
                   COALESCE(EXTRACT(EPOCH FROM (m.date - m.since)) / 86400, 0),
                   m.reason, m.date, m.date, %(uid)s, %(uid)s
              FROM (
                SELECT b.id AS partner_id, b.user_id, s.date, s.to_stage, s.reason,
                       lag(s.to_stage) OVER w AS from_stage,
                       lag(s.date) OVER w AS since
                  FROM bench_partner b
                 CROSS JOIN LATERAL (
                    VALUES (1, b.created, %(entry)s, NULL),
                           (2, b.moved, CASE WHEN b.churn_at IS NULL THEN b.stage_id
                                             ELSE b.work END, NULL),
                           (3, CASE WHEN b.at_risk_at < b.churn_at THEN b.at_risk_at END,
                            %(at_risk)s, NULL),
                           (4, b.churn_at, %(churn)s, 'Moved to a competitor')
                 ) s(k, date, to_stage, reason)
                 WHERE s.date IS NOT NULL
                WINDOW w AS (PARTITION BY b.id ORDER BY s.k)
              ) m
            """,
            params,
        )
    ex(
        """
        INSERT INTO xrm_customer_goal (
            partner_id, user_id, company_id, name, state, progress, deadline,
            create_date, write_date, create_uid, write_uid)
        SELECT b.id, b.user_id, %(company)s, 'Bench goal ' || b.n, g.state,
               CASE g.state WHEN 'achieved' THEN 100 ELSE floor(random() * 90)::int END,
               g.deadline, b.created, b.created, %(uid)s, %(uid)s
          FROM bench_partner b
          CROSS JOIN LATERAL (
            SELECT (CURRENT_DATE + (floor(random() * 540)::int - 360)) AS deadline
          ) d
          CROSS JOIN LATERAL (
            SELECT d.deadline,
                   CASE WHEN d.deadline >= CURRENT_DATE THEN 'open'
                        WHEN random() < 0.6 THEN 'achieved' ELSE 'missed' END AS state
          ) g
         WHERE b.n %% 5 = 0
        """,
        params,
    )
    ex("ANALYZE")
    env.invalidate_all()
    ids = {}
    for model, query in (
        ("res.partner", "SELECT id FROM bench_partner"),
        (
            "xrm.interaction",
            "SELECT i.id FROM xrm_interaction i JOIN bench_partner b"
            " ON b.id = i.partner_id",
        ),
        (
            "crm.lead",
            "SELECT l.id FROM crm_lead l JOIN bench_partner b ON b.id = l.partner_id",
        ),
        ("helpdesk.ticket", "SELECT id FROM bench_ticket"),
        (
            "rating.rating",
            "SELECT r.id FROM rating_rating r JOIN bench_ticket t ON t.id = r.res_id"
            " WHERE r.res_model = 'helpdesk.ticket'",
        ),
        (
            "xrm.journey.transition",
            "SELECT x.id FROM xrm_journey_transition x JOIN bench_partner b"
            " ON b.id = x.partner_id",
        ),
        (
            "xrm.customer.goal",
            "SELECT g.id FROM xrm_customer_goal g JOIN bench_partner b"
            " ON b.id = g.partner_id",
        ),
    ):
        if return_ids:
            ex(query)
            ids[model] = [row[0] for row in cr.fetchall()]
        else:
            ex(f"SELECT COUNT(*) FROM ({query}) q")  # noqa: E501 (fixed queries)
            ids[model] = cr.fetchone()[0]
    ex("DROP TABLE bench_partner, bench_contacts, bench_ticket")
    ex("DROP FUNCTION pg_temp.bench_words")
    step("done")
    return ids
