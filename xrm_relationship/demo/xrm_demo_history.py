# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The demo's long history, which XML cannot express.

The relationships themselves, the incentive plan and the relationship-care
records are named records in ``demo/*.xml``. What is drawn here is the road
that led each relationship to the stage its record shows: 18 months of
journey moves, deals, tickets and their ratings, about 400 interactions,
goals and website activity, then the health and KPI history they give. Dates
are relative to the day the demo database is created and the draws are
seeded, so every database tells the same story.

Called from the demo files through ``xrm.interaction._load_demo_history`` and
``_load_demo_care`` (as Odoo's hr_attendance does for its attendances); no
model of its own, so nothing of it exists in a production database.
"""

import random
from datetime import timedelta

from odoo import fields

from ..tools.capture import NO_CAPTURE

# The demo relationships (res_partner_<key>_demo in demo/res_partner_demo.xml)
# in the order the history is drawn.
DEMO_PARTNERS = [
    "northwind",
    "blueharbor",
    "parsdata",
    "greenfield",
    "atlas_engineering",
    "solara",
    "meridianhealth",
    "copperline",
    "vantagehotels",
    "kavirtextile",
    "oakridgedental",
    "lumen",
    "harborpine",
    "ariansanat",
    "silverline",
    "nordicbakeries",
    "coastalpm",
    "brightpath",
    "summitpartners",
    "karvantejarat",
    "iberiadist",
    "precisioncomp",
    "deltapack",
    "alborzsteel",
    "ironclad",
    "skyline_electric",
    "fixright",
    "rayanfanavaran",
    "citychamber",
    "osmeetup",
]

# The usual road to each stage; a history is the tail of it (1 to 5 moves).
STAGE_PATHS = {
    "prospect": ["prospect"],
    "first_contact": ["prospect", "first_contact"],
    "negotiation": ["prospect", "first_contact", "negotiation"],
    "onboarding": ["prospect", "first_contact", "negotiation", "onboarding"],
    "active": ["first_contact", "negotiation", "onboarding", "active"],
    "support": ["negotiation", "onboarding", "active", "support"],
    "loyal": ["negotiation", "onboarding", "active", "support", "active", "loyal"],
    "at_risk": ["negotiation", "onboarding", "active", "at_risk"],
    "churned": ["onboarding", "active", "at_risk", "churned"],
}

# Days a relationship typically spends in each stage (min, max).
STAGE_DAYS = {
    "prospect": (5, 45),
    "first_contact": (4, 30),
    "negotiation": (10, 55),
    "onboarding": (12, 35),
    "active": (60, 240),
    "support": (2, 12),
    "loyal": (90, 300),
    "at_risk": (12, 40),
    "churned": (15, 120),
}

HISTORY_DAYS = 540  # about 18 months

SUMMARIES = {
    "positive": [
        "Quarterly review with {contact}: happy with response times, "
        "asked about adding more seats.",
        "Demo of the new reporting features; {contact} wants a quote by Friday.",
        "{contact} confirmed the renewal and thanked the team for the quick fixes.",
        "Kick-off meeting went well; {contact} introduced us to their finance lead.",
        "Site visit: the installation runs smoothly, {contact} offered "
        "to act as a reference.",
        "{contact} shared the roll-out plan for the next quarter; we are included.",
        "Training session for {contact}'s team, very engaged audience.",
        "Follow-up on the proposal; {contact} agreed on the payment terms.",
    ],
    "neutral": [
        "Checked in with {contact} about the delivery schedule; nothing to change.",
        "{contact} asked for the updated price list, sent it the same day.",
        "Short call to confirm the meeting agenda with {contact}.",
        "{contact} is busy with their year-end closing; call back next month.",
        "Sent the documentation {contact} asked for; waiting for feedback.",
        "Discussed invoicing details with {contact}; the address changes next month.",
    ],
    "negative": [
        "{contact} complained about the late delivery of the last order; "
        "promised a follow-up.",
        "{contact} is comparing us with a cheaper competitor and mentioned the "
        "price increase.",
        "Third reminder about the open invoice; {contact} disputes two lines.",
        "{contact} was frustrated that the same issue came back after the fix.",
        "Meeting cancelled at the last minute; {contact} did not propose a new date.",
    ],
}

CHURN_SIGNALS = [
    "Left a voicemail for {contact}, no answer.",
    "{contact} did not reply to the renewal reminder.",
    "{contact} said the budget is frozen until further notice.",
]

CHANNELS = ["email", "phone", "meeting", "chat", "visit", "portal", "social", "other"]
CHANNEL_WEIGHTS = [30, 30, 12, 8, 6, 5, 4, 5]

# Interactions a relationship gets, relative to others, by current stage.
STAGE_WEIGHTS = {
    "prospect": 0.3,
    "first_contact": 0.6,
    "negotiation": 1.2,
    "onboarding": 1.4,
    "active": 1.6,
    "support": 1.6,
    "loyal": 2.0,
    "at_risk": 1.0,
    "churned": 0.9,
}

DEMO_LEADS = [
    # (relationship, title, outcome)
    ("northwind", "Multi-site licence renewal", "won"),
    ("northwind", "Premium support upgrade", "won"),
    ("blueharbor", "Fleet tracking roll-out", "won"),
    ("parsdata", "پیاده‌سازی سامانه انبارداری", "won"),
    ("greenfield", "Farm-to-shelf traceability project", "won"),
    ("meridianhealth", "Patient scheduling module", "won"),
    ("lumen", "Enterprise plan for 120 users", "won"),
    ("harborpine", "Showroom point-of-sale bundle", "won"),
    ("coastalpm", "Tenant portal implementation", "won"),
    ("copperline", "Loyalty programme add-on", "lost"),
    ("vantagehotels", "Hotel chain extension (6 sites)", "lost"),
    ("silverline", "Member app integration", "lost"),
    ("nordicbakeries", "Second bakery line equipment", "lost"),
    ("oakridgedental", "Practice management pilot", "lost"),
    ("atlas_engineering", "Production planning suite", "open"),
    ("ariansanat", "خط تولید هوشمند", "open"),
    ("solara", "Solar farm monitoring", "open"),
    ("brightpath", "Campus-wide licence", "open"),
    ("iberiadist", "Regional reseller agreement", "open"),
    ("alborzsteel", "Steel supply framework contract", "open"),
]

DEMO_TICKETS = [
    # (relationship, title, state)
    ("meridianhealth", "Appointment reminders not sent", "in_progress"),
    ("meridianhealth", "Export of monthly report fails", "new"),
    ("coastalpm", "Tenants cannot reset their password", "awaiting"),
    ("coastalpm", "Wrong currency on the owner statement", "new"),
    ("northwind", "Slow dashboard on Monday mornings", "done"),
    ("northwind", "Add a user to the finance group", "done"),
    ("blueharbor", "Tracking device offline in Portland depot", "done"),
    ("parsdata", "خطا در چاپ فاکتور", "done"),
    ("lumen", "API rate limit reached during sync", "done"),
    ("harborpine", "Barcode scanner not recognised", "done"),
    ("copperline", "Promotion prices not applied", "done"),
    ("silverline", "Members double-charged in March", "done"),
    ("vantagehotels", "Room booking sync stopped", "cancelled"),
    ("karvantejarat", "درخواست دسترسی به پورتال نمایندگان", "done"),
    ("fixright", "Mobile app crashes on photo upload", "done"),
]

TICKET_STAGES = {
    "new": "helpdesk_mgmt.helpdesk_ticket_stage_new",
    "in_progress": "helpdesk_mgmt.helpdesk_ticket_stage_in_progress",
    "awaiting": "helpdesk_mgmt.helpdesk_ticket_stage_awaiting",
    "done": "helpdesk_mgmt.helpdesk_ticket_stage_done",
    "cancelled": "helpdesk_mgmt.helpdesk_ticket_stage_cancelled",
}

RATING_FEEDBACK = {
    5: "Fast and friendly, thank you!",
    4: "Solved, took a bit longer than hoped.",
    3: "OK in the end.",
    2: "Needed several reminders.",
    1: "The problem is still not really solved.",
}

# No chatter noise, no mails, no interaction capture while loading.
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_notrack": True,
    "xrm_no_capture": NO_CAPTURE,
}

GOAL_NAMES = [
    "Cut order-to-delivery time to 5 days",
    "Train the customer's team on the new release",
    "Reach 95 % first-time-right installations",
    "Move the customer to the yearly maintenance plan",
    "Halve the number of repeat tickets",
]


def load_history(env):
    """Draw the whole history of the demo relationships, then score it."""
    partners = env["res.partner"].browse(
        [
            env.ref(f"xrm_relationship.res_partner_{key}_demo").id
            for key in DEMO_PARTNERS
        ]
    )
    if env["xrm.interaction"].search_count(
        [("partner_id", "in", partners.ids)], limit=1
    ):
        return False
    plain = env(su=True)
    # No chatter noise, no mails, no interaction capture while loading.
    env = plain(context=dict(plain.context, **QUIET))
    partners = partners.with_env(env)
    stages = {_stage(env, key): key for key in STAGE_PATHS}
    stage_keys = [stages[partner.xrm_stage_id] for partner in partners]
    rng = random.Random(42)
    _skip_partner_draws(rng, partners)
    now = fields.Datetime.now().replace(microsecond=0)
    histories = _histories(rng, partners, stage_keys, now)
    leads = _leads(env, rng, partners, histories, now)
    tickets = _tickets(env, rng, partners, histories, now)
    _interactions(env, rng, partners, stage_keys, histories, leads, tickets, now)
    # Last, so the automatic moves triggered above do not blur the story.
    _apply_histories(env, partners, histories)
    _goals(env, rng, partners, now)
    # Referred relationships arrived over the last months, not at install.
    for partner in partners.filtered("xrm_referred_by_id"):
        env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id = %s",
            [now - timedelta(days=rng.randint(5, 80)), partner.id],
        )
    partners.invalidate_recordset(["create_date"])
    _engagement(env, rng, partners, now)
    # A new user opens filled dashboards: health and KPIs as of today.
    partners._xrm_compute_health()
    # Two months of KPI history, oldest first: cards have a trend and the
    # leaderboard three 30-day windows.
    Definition = plain["xrm.kpi.definition"]
    today = fields.Date.context_today(Definition)
    for days_ago in range(60, -1, -5):
        Definition.compute_kpis(as_of=today - timedelta(days=days_ago))
    return True


def load_care(env):
    """What the relationship-care records of demo/xrm_care_demo.xml need on
    top of the history: when the website leads arrived and were answered,
    which interaction generated which deal, everyone's tier, and today's
    health and KPIs again so that they count these records."""
    env = env(su=True)
    answered = env.ref("xrm_relationship.crm_lead_website_answered_demo")
    waiting = env.ref("xrm_relationship.crm_lead_website_waiting_demo")
    if answered.xrm_first_response_date:
        return False
    now = fields.Datetime.now().replace(microsecond=0)
    # They arrived a while ago, and were acknowledged a minute later.
    for lead, age in (
        (answered, timedelta(hours=3)),
        (waiting, timedelta(minutes=40)),
    ):
        env.cr.execute(
            "UPDATE crm_lead SET create_date = %s, xrm_ack_sent_date = %s "
            "WHERE id = %s",
            [now - age, now - age + timedelta(minutes=1), lead.id],
        )
    (answered | waiting).invalidate_recordset(["create_date", "xrm_ack_sent_date"])
    answered._xrm_set_first_response(
        now - timedelta(hours=3) + timedelta(minutes=25), answered.user_id
    )
    _generated_leads(env(context=dict(env.context, **QUIET)))
    Partner = env["res.partner"]
    relationships = Partner.search(
        [("is_company", "=", True), ("xrm_relation_type", "!=", False)]
    )
    env["xrm.relationship.tier"]._xrm_assign(relationships)
    pressed = env.ref("xrm_relationship.res_partner_blueharbor_demo")
    loyal = env.ref("xrm_relationship.res_partner_northwind_demo")
    (pressed | loyal)._xrm_compute_health()
    _agent_deals(env(context=dict(env.context, **QUIET)), now)
    env["xrm.kpi.definition"].compute_kpis(
        as_of=fields.Date.context_today(env["xrm.kpi.definition"])
    )
    return True


# ----------------------------------------------------------------------
# Relationships
# ----------------------------------------------------------------------
def _stage(env, key):
    return env.ref(f"xrm_relationship.xrm_journey_stage_{key}")


def _users(env):
    return env.ref("base.user_admin") | env.ref("base.user_demo")


def _skip_partner_draws(rng, partners):
    """Spend the seed's first draws, as they were spent before.

    They once gave the relationships their phone numbers and salespeople and
    the contacts their job titles, written in demo/res_partner_demo.xml since:
    drawing them again keeps the history that follows the one this demo has
    always told.
    """
    for _partner in partners:
        for low, high in ((1, 98), (200, 999), (100, 999), (1000, 9999)):
            rng.randint(low, high)
        rng.randrange(2)  # salesperson
    for _contact in partners.child_ids:
        rng.randrange(4)  # job title


def _active_window(history, now):
    """(first, last) moment the relationship was in touch with us."""
    start = history[0][1]
    at_risk = next((entered for key, entered, _d in history if key == "at_risk"), None)
    if at_risk:
        # Contact dried up a while before the relationship cooled down.
        return start, max(start + timedelta(days=5), at_risk - timedelta(days=60))
    return start, now - timedelta(hours=1)


def _histories(rng, partners, stage_keys, now):
    """{partner: [(stage key, entered on, days in previous stage)]}.

    Built backwards from today so the last move is the current stage.
    """
    histories = {}
    for partner, stage_key in zip(partners, stage_keys, strict=True):
        path = STAGE_PATHS[stage_key]
        path = path[-rng.randint(max(1, len(path) - 2), min(5, len(path))) :]
        durations = [rng.uniform(*STAGE_DAYS[key]) for key in path]
        # Keep the whole history within the last 18 months.
        total = sum(durations)
        if total > HISTORY_DAYS:
            durations = [d * HISTORY_DAYS / total for d in durations]
        steps, entered = [], now
        for key, days in zip(reversed(path), reversed(durations), strict=True):
            entered = entered - timedelta(days=days)
            steps.append([key, entered.replace(microsecond=0), days])
        steps.reverse()
        # days_in_previous_stage is the time spent in the stage left.
        for index in range(len(steps) - 1, 0, -1):
            steps[index][2] = steps[index - 1][2]
        steps[0][2] = 0.0
        histories[partner] = steps
    return histories


def _stage_at(history, date):
    """The stage key a relationship was in on ``date``."""
    key = history[0][0]
    for step_key, entered, _days in history:
        if entered <= date:
            key = step_key
    return key


def _apply_histories(env, partners, histories):
    """Current stage, then the recorded journey in place of automatic moves."""
    for partner in partners:
        partner.write({"xrm_stage_id": _stage(env, histories[partner][-1][0]).id})
    Transition = env["xrm.journey.transition"]
    Transition.search([("partner_id", "in", partners.ids)]).unlink()
    vals_list = []
    for partner in partners:
        previous = False
        for key, entered, days in histories[partner]:
            stage = _stage(env, key)
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "from_stage_id": previous,
                    "to_stage_id": stage.id,
                    "date": entered,
                    "days_in_previous_stage": round(days, 2),
                    "user_id": partner.user_id.id,
                    "reason": _reason(key),
                }
            )
            previous = stage.id
    Transition.create(vals_list)
    for partner in partners:
        key, entered, _days = histories[partner][-1]
        # No xrm_stage_id in these values: no automatic transition.
        partner.write(
            {
                "xrm_stage_date": entered,
                "xrm_churn_date": entered.date() if key == "churned" else False,
            }
        )


def _reason(key):
    return {
        "first_contact": "First documented interaction",
        "onboarding": "Opportunity won",
        "support": "Ticket opened",
        "at_risk": "No meaningful contact for 90 days",
    }.get(key, False)


def _goals(env, rng, partners, now):
    """Goals agreed with customers and agents: some reached, some missed."""
    today = now.date()
    vals_list = []
    for partner in partners.filtered(
        lambda p: p.xrm_relation_type in ("customer", "agent")
    ):
        for name in rng.sample(GOAL_NAMES, rng.randint(1, 3)):
            deadline = today + timedelta(days=rng.randint(-200, 120))
            if deadline < today:
                state = rng.choice(["achieved", "achieved", "missed", "cancelled"])
            else:
                state = "open"
            progress = {
                "achieved": 100,
                "missed": rng.randrange(10, 70, 10),
                "cancelled": 0,
                "open": rng.randrange(0, 90, 10),
            }[state]
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "name": name,
                    "deadline": deadline,
                    "state": state,
                    "progress": progress,
                    "user_id": partner.user_id.id,
                }
            )
    return env["xrm.customer.goal"].create(vals_list)


def _engagement(env, rng, partners, now):
    """Visits, downloads, reviews and referrals reported by the website."""
    kinds = ["visit", "visit", "visit", "content", "content", "review"]
    vals_list = []
    for partner in partners.filtered(
        lambda p: p.xrm_relation_type in ("customer", "agent")
    ):
        for n in range(rng.randint(0, 6)):
            kind = rng.choice(kinds)
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "event_type": kind,
                    "date": now - timedelta(days=rng.randint(1, 120)),
                    "source": "website",
                    "external_id": f"demo-{partner.id}-{n}",
                    "url": f"https://www.example.com/{kind}",
                }
            )
        if partner.xrm_referred_by_id and rng.random() < 0.5:
            vals_list.append(
                {
                    "partner_id": partner.xrm_referred_by_id.id,
                    "event_type": "referral",
                    "date": now - timedelta(days=rng.randint(5, 60)),
                    "source": "referral program",
                    "description": f"Recommended us to {partner.name}",
                }
            )
    return env["xrm.engagement.event"].create(vals_list)


# ----------------------------------------------------------------------
# Pipeline and support
# ----------------------------------------------------------------------
def _leads(env, rng, partners, histories, now):
    """Won deals dated when the customer started onboarding."""
    by_key = dict(zip(DEMO_PARTNERS, partners, strict=True))
    Lead = env["crm.lead"]
    open_stages = env["crm.stage"].search([("is_won", "=", False)], order="sequence")
    lost_reasons = env["crm.lost.reason"].search([])
    leads = Lead
    closing = {}
    won_partners = set()
    for key, title, outcome in DEMO_LEADS:
        partner = by_key[key]
        history = histories[partner]
        contact = partner.child_ids[:1] or partner
        lead = Lead.create(
            {
                "name": title,
                "type": "opportunity",
                "partner_id": contact.id,
                "user_id": partner.user_id.id,
                "expected_revenue": rng.randrange(4000, 120000, 500),
                "probability": rng.choice([20, 40, 60, 80])
                if outcome == "open"
                else 50,
                "stage_id": rng.choice(open_stages[1:] or open_stages).id,
                "priority": rng.choice(["0", "1", "2", "3"]),
                "date_deadline": (now + timedelta(days=rng.randint(10, 90))).date()
                if outcome == "open"
                else False,
            }
        )
        if outcome == "won":
            lead.action_set_won()
            start, end = _active_window(history, now)
            if partner in won_partners:
                # An upsell, some time after the first deal.
                closing[lead] = start + (end - start) * rng.uniform(0.6, 0.95)
            else:
                closing[lead] = next(
                    (entered for key, entered, _d in history if key == "onboarding"),
                    start,
                )
            won_partners.add(partner)
        elif outcome == "lost":
            lead.action_set_lost(lost_reason_id=rng.choice(lost_reasons).id)
            start, end = _active_window(history, now)
            closing[lead] = start + (end - start) * rng.uniform(0.4, 0.95)
        leads |= lead
    for lead, date in closing.items():
        lead.write({"date_closed": date})
    return leads


def _tickets(env, rng, partners, histories, now):
    """Open tickets for the relationships in Support, closed ones elsewhere."""
    by_key = dict(zip(DEMO_PARTNERS, partners, strict=True))
    Ticket = env["helpdesk.ticket"]
    vals_list = []
    for key, title, state in DEMO_TICKETS:
        partner = by_key[key]
        contact = rng.choice(partner.child_ids) if partner.child_ids else partner
        history = histories[partner]
        if state in ("done", "cancelled"):
            start, end = _active_window(history, now)
            opened = start + (end - start) * rng.uniform(0.3, 0.8)
            closed = opened + timedelta(days=rng.uniform(0.2, 9))
            opened, closed = (
                opened.replace(microsecond=0),
                closed.replace(microsecond=0),
            )
        else:
            opened = max(history[-1][1], now - timedelta(days=rng.uniform(1, 10)))
            closed = False
        vals_list.append(
            {
                "name": title,
                "description": f"<p>{title}. Reported by {contact.name}.</p>",
                "partner_id": contact.id,
                "partner_name": contact.name,
                "partner_email": contact.email,
                "user_id": partner.user_id.id,
                "stage_id": env.ref(TICKET_STAGES[state]).id,
                "priority": rng.choice(["0", "1", "1", "2", "3"]),
                "assigned_date": opened,
                "last_stage_update": closed or opened,
                "closed_date": closed,
            }
        )
    tickets = Ticket.create(vals_list)
    # Satisfaction answers on most tickets solved.
    model_id = env["ir.model"]._get_id("helpdesk.ticket")
    rating_vals = []
    rated_dates = []
    for ticket in tickets.filtered(lambda t: t.stage_id.closed):
        if ticket.stage_id != env.ref(TICKET_STAGES["done"]):
            continue
        if rng.random() < 0.25:
            continue
        score = rng.choices([5, 4, 3, 2, 1], weights=[45, 25, 12, 10, 8])[0]
        rating_vals.append(
            {
                "res_model_id": model_id,
                "res_id": ticket.id,
                "partner_id": ticket.partner_id.id,
                "rated_partner_id": ticket.user_id.partner_id.id,
                "rating": score,
                "feedback": RATING_FEEDBACK[score],
                "consumed": True,
            }
        )
        rated_dates.append(ticket.closed_date + timedelta(hours=rng.randint(2, 60)))
    ratings = env["rating.rating"].create(rating_vals)
    for rating, date in zip(ratings, rated_dates, strict=True):
        rating.write({"rated_on": date})
    # rating_ids is keyed by res_id, which does not notify the tickets; the
    # recomputation reads rating_rating in SQL, so flush the ratings first.
    ratings.flush_recordset()
    tickets.modified(["rating_ids"])
    return tickets


# ----------------------------------------------------------------------
# Interactions
# ----------------------------------------------------------------------
def _interactions(env, rng, partners, stage_keys, histories, leads, tickets, now):
    """About 400 interactions, 85% documented, in a single create()."""
    weights = [STAGE_WEIGHTS[key] for key in stage_keys]
    picks = rng.choices(range(len(partners)), weights=weights, k=400)
    leads_by_partner = {}
    for lead in leads:
        leads_by_partner.setdefault(lead.partner_id.commercial_partner_id, []).append(
            lead
        )
    tickets_by_partner = {}
    for ticket in tickets:
        tickets_by_partner.setdefault(
            ticket.partner_id.commercial_partner_id, []
        ).append(ticket)
    users = _users(env)
    vals_list = []
    for index in picks:
        partner = partners[index]
        history = histories[partner]
        stage_key = stage_keys[index]
        start, end = _active_window(history, now)
        date = start + (end - start) * rng.random() ** 0.8
        contact = rng.choice(partner.child_ids) if partner.child_ids else partner
        vals = {
            "partner_id": partner.id,
            "contact_id": contact.id if contact != partner else False,
            "user_id": partner.user_id.id
            if rng.random() < 0.8
            else rng.choice(users).id,
            "date": date.replace(microsecond=0),
            "channel": rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
            "direction": rng.choices(["outbound", "inbound"], weights=[60, 40])[0],
        }
        # Prospects have not been documented yet: that is what makes them so.
        draft = stage_key == "prospect" or rng.random() < 0.13
        if draft:
            # The backlog to document is mostly recent.
            if stage_key not in ("at_risk", "churned") and rng.random() < 0.7:
                vals["date"] = max(
                    start, now - timedelta(days=rng.uniform(0.5, 30))
                ).replace(microsecond=0)
            vals["state"] = "draft"
        else:
            _document(rng, vals, stage_key, contact)
        vals["stage_id"] = _stage(env, _stage_at(history, vals["date"])).id
        # Link only to documents that were open on the interaction's date.
        date = vals["date"]
        leads_then = [
            lead
            for lead in leads_by_partner.get(partner, [])
            if (lead.date_closed or now) - timedelta(days=150)
            <= date
            <= (lead.date_closed or now)
        ]
        tickets_then = [
            ticket
            for ticket in tickets_by_partner.get(partner, [])
            if ticket.assigned_date - timedelta(hours=2)
            <= date
            <= (ticket.closed_date or now) + timedelta(days=2)
        ]
        if tickets_then and rng.random() < 0.6:
            vals["ticket_id"] = rng.choice(tickets_then).id
            vals["direction"] = "inbound"
        elif leads_then and rng.random() < 0.4:
            vals["lead_id"] = rng.choice(leads_then).id
        vals_list.append(vals)
    vals_list += _cooling_signals(env, rng, partners, stage_keys, histories, now)
    return env["xrm.interaction"].create(vals_list)


def _document(rng, vals, stage_key, contact):
    """Summary, outcome and quality as a salesperson would write them."""
    if stage_key in ("at_risk", "churned"):
        weights = [30, 35, 35]
    else:
        weights = [55, 35, 10]
    outcome = rng.choices(["positive", "neutral", "negative"], weights=weights)[0]
    quality = {
        "positive": rng.choice([3, 4, 4, 5, 5]),
        "neutral": rng.choice([2, 3, 3, 4]),
        "negative": rng.choice([1, 2, 2, 3]),
    }[outcome]
    vals.update(
        {
            "state": "done",
            "outcome": outcome,
            "quality": quality,
            "summary": rng.choice(SUMMARIES[outcome]).format(contact=contact.name),
        }
    )
    if rng.random() < 0.15:
        csat = {"positive": (4, 5), "neutral": (3, 4), "negative": (1, 2)}[outcome]
        vals["csat"] = rng.randint(*csat)


def _cooling_signals(env, rng, partners, stage_keys, histories, now):
    """Unanswered outbound attempts once a relationship is at risk."""
    vals_list = []
    for partner, stage_key in zip(partners, stage_keys, strict=True):
        if stage_key not in ("at_risk", "churned"):
            continue
        history = histories[partner]
        contact = partner.child_ids[:1] or partner
        at_risk = next(entered for key, entered, _d in history if key == "at_risk")
        until = history[-1][1] if stage_key == "churned" else now
        for _i in range(rng.randint(1, 3)):
            date = at_risk + (until - at_risk) * rng.random()
            vals_list.append(
                {
                    "partner_id": partner.id,
                    "contact_id": contact.id if contact != partner else False,
                    "user_id": partner.user_id.id,
                    "date": date.replace(microsecond=0),
                    "channel": rng.choice(["phone", "email"]),
                    "direction": "outbound",
                    "state": "done",
                    "outcome": "negative",
                    "quality": 1,
                    "summary": rng.choice(CHURN_SIGNALS).format(contact=contact.name),
                    "stage_id": _stage(env, "at_risk").id,
                }
            )
    return vals_list


def _generated_leads(env):
    """The first documented interaction on an opportunity generated it."""
    leads = env["crm.lead"].search([("type", "=", "opportunity")])
    interactions = env["xrm.interaction"].search(
        [("lead_id", "in", leads.ids), ("state", "=", "done")], order="date"
    )
    seen = set()
    for interaction in interactions:
        if interaction.lead_id.id in seen:
            continue
        seen.add(interaction.lead_id.id)
        interaction.generated_lead_id = interaction.lead_id


# ----------------------------------------------------------------------
# Agents (the agent scorecard): a steady one and a lucky one
# ----------------------------------------------------------------------
# (agent, customer, days ago, amount): Iberia brings a deal every quarter,
# Karvan Tejarat one big deal last month; Summit Partners nothing yet.
AGENT_DEALS = [
    ("iberiadist", "greenfield", 320, 30000),
    ("iberiadist", "northwind", 230, 28000),
    ("iberiadist", "harborpine", 140, 32000),
    ("iberiadist", "greenfield", 45, 30500),
    ("karvantejarat", "parsdata", 20, 150000),
]

# What makes customers return: (customer, first purchase and second one in
# days ago — None: never came back —, interactions in between as (days ago,
# channel, outcome)). Meetings and visits precede the returns.
MEETING, VISIT = ("meeting", "positive"), ("visit", "positive")
RETURN_STORIES = [
    ("lumen", 330, 260, [(325, *MEETING), (300, *VISIT)]),
    ("harborpine", 300, 230, [(295, *MEETING), (280, "phone", "positive")]),
    ("blueharbor", 310, 200, [(305, *VISIT)]),
    ("ariansanat", 320, None, [(315, "email", "negative"), (290, "phone", "neutral")]),
    ("coastalpm", 290, None, [(285, "email", "negative")]),
]


def _agent_deals(env, now):
    """Won opportunities that agents brought, one per row of AGENT_DEALS."""

    def partner(key):
        return env.ref(f"xrm_relationship.res_partner_{key}_demo")

    # Straight to the won stage: the journeys of these customers are told
    # already, the automatic move to onboarding must not rewrite them.
    won = env["crm.stage"].search([("is_won", "=", True)], limit=1)
    for agent_key, customer_key, days, amount in AGENT_DEALS:
        agent, customer = partner(agent_key), partner(customer_key)
        lead = env["crm.lead"].create(
            {
                "name": f"{customer.name} — via {agent.name}",
                "type": "opportunity",
                "partner_id": customer.id,
                "user_id": customer.user_id.id,
                "expected_revenue": amount,
                "xrm_agent_id": agent.id,
            }
        )
        lead.write({"stage_id": won.id})
        lead.write({"date_closed": now - timedelta(days=days)})
    for key, first, second, touches in RETURN_STORIES:
        customer = partner(key)
        for days in filter(None, (first, second)):
            lead = env["crm.lead"].create(
                {
                    "name": f"{customer.name} — order",
                    "type": "opportunity",
                    "partner_id": customer.id,
                    "user_id": customer.user_id.id,
                    "expected_revenue": 12000,
                }
            )
            lead.write({"stage_id": won.id})
            lead.write({"date_closed": now - timedelta(days=days)})
        env["xrm.interaction"].create(
            [
                {
                    "partner_id": customer.id,
                    "user_id": customer.user_id.id,
                    "date": now - timedelta(days=days),
                    "channel": channel,
                    "state": "done",
                    "outcome": outcome,
                    "quality": {"positive": 5, "neutral": 3, "negative": 2}[outcome],
                    "summary": "After the first order",
                }
                for days, channel, outcome in touches
            ]
        )


# Satisfaction requests (demo/xrm_survey_demo.xml): answers 5, 4 and 2 with
# its follow-up, and one request still waiting for the customer.
SURVEY_ANSWERS = [
    (5, "Clear answers, thank you."),
    (4, ""),
    (2, "I was promised a call back about the invoice and nobody called."),
    (None, ""),
]


def load_survey(env):
    env = env(su=True)
    Interaction = env["xrm.interaction"]
    # Other demo files document interactions too (and some of those were
    # asked or refused already): the answers are loaded once, on others.
    if Interaction.search_count([("xrm_survey_state", "=", "answered")]):
        return False
    recent = Interaction.search(
        [
            ("state", "=", "done"),
            ("xrm_survey_state", "=", False),
            ("contact_id.email", "!=", False),
            ("date", ">=", fields.Datetime.now() - timedelta(days=60)),
        ],
        order="date desc",
    )
    chosen, contacts = Interaction, set()
    for rec in recent:
        if rec.contact_id.id not in contacts:
            chosen |= rec
            contacts.add(rec.contact_id.id)
        if len(chosen) == len(SURVEY_ANSWERS):
            break
    for rec, (score, feedback) in zip(chosen, SURVEY_ANSWERS, strict=False):
        rec._xrm_survey_send()
        if score:
            rec.rating_apply(score, rating=rec.rating_ids[:1], feedback=feedback)
    # The requests are in the demo's past (they count in its pressure).
    for rec in chosen:
        env.cr.execute(
            "UPDATE xrm_interaction SET xrm_survey_sent_date = %s WHERE id = %s",
            [rec.date + timedelta(hours=2), rec.id],
        )
    chosen.invalidate_recordset(["xrm_survey_sent_date"])
    chosen.partner_id._xrm_compute_health()
    return True
