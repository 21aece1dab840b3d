# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Demo data that tells a story: loyal customers, at-risk and churned ones,
a sales pipeline, support tickets and the interactions around them.

Generated in Python rather than XML so dates stay relative to the day the
demo database is created, and seeded so every database looks the same.
"""

import random
from datetime import timedelta

from odoo import api, fields, models

from .xrm_interaction import NO_CAPTURE

# (name, email domain, relation type, current stage, country, city,
#  contacts, referred by (index in this list), churn reason)
DEMO_PARTNERS = [
    (
        "Northwind Traders",
        "northwind.example.com",
        "customer",
        "loyal",
        "us",
        "Seattle",
        ["Laura Callahan", "Andrew Fuller"],
        None,
        False,
    ),
    (
        "Blue Harbor Logistics",
        "blueharbor.example.com",
        "customer",
        "active",
        "us",
        "Portland",
        ["Megan Ortiz"],
        0,
        False,
    ),
    (
        "شرکت پارس‌داده",
        "parsdata.example.ir",
        "customer",
        "active",
        "ir",
        "تهران",
        ["علی رضایی", "مریم احمدی"],
        None,
        False,
    ),
    (
        "Greenfield Organics",
        "greenfield.example.com",
        "customer",
        "onboarding",
        "us",
        "Sacramento",
        ["Tom Whitaker", "Priya Nair"],
        0,
        False,
    ),
    (
        "Atlas Engineering GmbH",
        "atlas-engineering.example.de",
        "customer",
        "negotiation",
        "de",
        "Stuttgart",
        ["Jonas Becker"],
        None,
        False,
    ),
    (
        "Solara Energy",
        "solara.example.es",
        "customer",
        "first_contact",
        "es",
        "Sevilla",
        ["Lucía Romero"],
        None,
        False,
    ),
    (
        "Meridian Health Clinics",
        "meridianhealth.example.co.uk",
        "customer",
        "support",
        "uk",
        "Leeds",
        ["Dr. Hannah Price", "Oliver Grant"],
        None,
        False,
    ),
    (
        "Copperline Retail",
        "copperline.example.com",
        "customer",
        "at_risk",
        "ca",
        "Toronto",
        ["Nathan Brooks"],
        None,
        False,
    ),
    (
        "Vantage Hotels",
        "vantagehotels.example.com",
        "customer",
        "churned",
        "us",
        "Miami",
        ["Carla Jimenez", "Peter Walsh"],
        None,
        "Moved to a cheaper competitor after the price increase",
    ),
    (
        "نساجی کویر",
        "kavirtextile.example.ir",
        "customer",
        "churned",
        "ir",
        "یزد",
        ["رضا کریمی"],
        2,
        "Closed the branch that used our service",
    ),
    (
        "Oakridge Dental Group",
        "oakridgedental.example.com",
        "customer",
        "prospect",
        "us",
        "Denver",
        ["Emily Chen"],
        None,
        False,
    ),
    (
        "Lumen Software",
        "lumen.example.io",
        "customer",
        "loyal",
        "nl",
        "Utrecht",
        ["Sanne de Vries", "Mark Jansen"],
        2,
        False,
    ),
    (
        "Harbor & Pine Furniture",
        "harborpine.example.com",
        "customer",
        "active",
        "us",
        "Boston",
        ["Rachel Kim"],
        None,
        False,
    ),
    (
        "آرین صنعت",
        "ariansanat.example.ir",
        "customer",
        "negotiation",
        "ir",
        "اصفهان",
        ["زهرا حسینی", "محمد موسوی"],
        None,
        False,
    ),
    (
        "Silverline Fitness",
        "silverline.example.com",
        "customer",
        "at_risk",
        "au",
        "Melbourne",
        ["Jack Morrison"],
        11,
        False,
    ),
    (
        "Nordic Bakeries",
        "nordicbakeries.example.se",
        "customer",
        "churned",
        "se",
        "Göteborg",
        ["Erik Lindqvist"],
        None,
        "Acquired; the new owner uses another provider",
    ),
    (
        "Coastal Property Management",
        "coastalpm.example.com",
        "customer",
        "support",
        "us",
        "San Diego",
        ["Daniel Reyes", "Grace Liu"],
        1,
        False,
    ),
    (
        "Brightpath Academy",
        "brightpath.example.com",
        "customer",
        "prospect",
        "us",
        "Austin",
        ["Sophie Turner"],
        3,
        False,
    ),
    (
        "Summit Partners Consulting",
        "summitpartners.example.com",
        "agent",
        "active",
        "us",
        "Chicago",
        ["Michael Davis"],
        None,
        False,
    ),
    (
        "کاروان تجارت",
        "karvantejarat.example.ir",
        "agent",
        "loyal",
        "ir",
        "مشهد",
        ["سارا جعفری", "حسین نوری"],
        None,
        False,
    ),
    (
        "Iberia Distribuciones",
        "iberiadist.example.es",
        "agent",
        "onboarding",
        "es",
        "Madrid",
        ["Javier Martín"],
        18,
        False,
    ),
    (
        "Precision Components Ltd",
        "precisioncomp.example.co.uk",
        "supplier",
        "active",
        "uk",
        "Birmingham",
        ["Alan Hughes"],
        None,
        False,
    ),
    (
        "Delta Packaging",
        "deltapack.example.com",
        "supplier",
        "loyal",
        "us",
        "Atlanta",
        ["Monica Bell", "Chris Young"],
        None,
        False,
    ),
    (
        "فولاد البرز",
        "alborzsteel.example.ir",
        "supplier",
        "negotiation",
        "ir",
        "کرج",
        ["امیر محمدی"],
        None,
        False,
    ),
    (
        "Ironclad Builders",
        "ironclad.example.com",
        "contractor",
        "active",
        "us",
        "Phoenix",
        ["Luis Herrera"],
        None,
        False,
    ),
    (
        "Skyline Electrical",
        "skyline-electric.example.com",
        "contractor",
        "first_contact",
        "ca",
        "Vancouver",
        ["Kevin O'Neill"],
        24,
        False,
    ),
    (
        "FixRight Field Services",
        "fixright.example.com",
        "technician",
        "active",
        "us",
        "Dallas",
        ["Brandon Scott", "Amy Foster"],
        None,
        False,
    ),
    (
        "رایان فن‌آوران",
        "rayanfanavaran.example.ir",
        "technician",
        "onboarding",
        "ir",
        "شیراز",
        ["نگار صادقی"],
        19,
        False,
    ),
    (
        "City Chamber of Commerce",
        "citychamber.example.org",
        "other",
        "prospect",
        "us",
        "Seattle",
        ["Patricia Moore"],
        None,
        False,
    ),
    (
        "Open Source Meetup Group",
        "osmeetup.example.org",
        "other",
        "first_contact",
        "de",
        "Berlin",
        ["Lena Schulz"],
        None,
        False,
    ),
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
    # (partner index, title, outcome)
    (0, "Multi-site licence renewal", "won"),
    (0, "Premium support upgrade", "won"),
    (1, "Fleet tracking roll-out", "won"),
    (2, "پیاده‌سازی سامانه انبارداری", "won"),
    (3, "Farm-to-shelf traceability project", "won"),
    (6, "Patient scheduling module", "won"),
    (11, "Enterprise plan for 120 users", "won"),
    (12, "Showroom point-of-sale bundle", "won"),
    (16, "Tenant portal implementation", "won"),
    (7, "Loyalty programme add-on", "lost"),
    (8, "Hotel chain extension (6 sites)", "lost"),
    (14, "Member app integration", "lost"),
    (15, "Second bakery line equipment", "lost"),
    (10, "Practice management pilot", "lost"),
    (4, "Production planning suite", "open"),
    (13, "خط تولید هوشمند", "open"),
    (5, "Solar farm monitoring", "open"),
    (17, "Campus-wide licence", "open"),
    (20, "Regional reseller agreement", "open"),
    (23, "Steel supply framework contract", "open"),
]

DEMO_TICKETS = [
    # (partner index, title, state)
    (6, "Appointment reminders not sent", "in_progress"),
    (6, "Export of monthly report fails", "new"),
    (16, "Tenants cannot reset their password", "awaiting"),
    (16, "Wrong currency on the owner statement", "new"),
    (0, "Slow dashboard on Monday mornings", "done"),
    (0, "Add a user to the finance group", "done"),
    (1, "Tracking device offline in Portland depot", "done"),
    (2, "خطا در چاپ فاکتور", "done"),
    (11, "API rate limit reached during sync", "done"),
    (12, "Barcode scanner not recognised", "done"),
    (7, "Promotion prices not applied", "done"),
    (14, "Members double-charged in March", "done"),
    (8, "Room booking sync stopped", "cancelled"),
    (19, "درخواست دسترسی به پورتال نمایندگان", "done"),
    (26, "Mobile app crashes on photo upload", "done"),
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

# Relationship care demo: answers to reuse and a new ticket that needs one.
CARE_RESOLUTIONS = {
    "Slow dashboard on Monday mornings": "<p>The weekly report was recomputed "
    "every Monday at 8:00 and slowed the dashboard down. We moved it to Sunday "
    "night (Settings ▸ Reports ▸ Schedule): the dashboard loads in about two "
    "seconds again.</p>",
    "Barcode scanner not recognised": "<p>Switch the scanner to USB keyboard "
    "mode by scanning the <em>HID keyboard</em> code on page 4 of its manual, "
    "then plug it in again.</p>",
    "API rate limit reached during sync": "<p>Sync in batches of 100 records "
    "and wait for the <code>Retry-After</code> header before the next batch; "
    "we also raised your limit to 600 calls a minute.</p>",
    "Mobile app crashes on photo upload": "<p>Fixed in app version 4.2.1: "
    "update the app from the store. Photos above 20 MB are resized before "
    "upload.</p>",
    "Export of monthly report fails": "<p>Exports above 50,000 lines time out: "
    "filter the report by quarter, or use the scheduled export.</p>",
}
CARE_NEW_TICKET = (
    "Northwind Traders",
    "Dashboard very slow every Monday morning",
    "<p>Since a few weeks the dashboard is very slow on Monday morning, it "
    "takes minutes to load the weekly figures. The rest of the week it is "
    "fine.</p>",
)
CARE_FRICTION = [
    # (supplier, negative interactions days ago, (request days ago, answer
    #  after days or None), escalated ticket titles)
    (
        "Precision Components Ltd",
        [12, 40, 75],
        [(30, 6), (20, 4), (6, None)],
        ["Batch 2231: bearings out of tolerance", "Delivery three weeks late"],
    ),
    ("فولاد البرز", [25], [(50, 3), (15, 2)], ["Steel certificate missing"]),
    ("Delta Packaging", [], [(40, 0.5), (10, 1)], []),
    ("Ironclad Builders", [18], [(35, 2), (8, None)], []),
    ("Skyline Electrical", [], [(12, 1)], []),
]


class XrmDemoLoader(models.AbstractModel):
    _name = "xrm.demo.loader"
    _description = "XRM Demo Data Loader"

    @api.model
    def _load_demo_data(self):
        """Create the demo relationships and their whole history."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        if Partner.search_count([("name", "=", DEMO_PARTNERS[0][0])], limit=1):
            return False
        # No chatter noise, no mails, no interaction capture while loading.
        loader = self.sudo().with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            xrm_no_capture=NO_CAPTURE,
        )
        rng = random.Random(42)
        now = fields.Datetime.now().replace(microsecond=0)
        partners = loader._xrm_demo_partners(rng)
        histories = loader._xrm_demo_histories(rng, partners, now)
        leads = loader._xrm_demo_leads(rng, partners, histories, now)
        tickets = loader._xrm_demo_tickets(rng, partners, histories, now)
        loader._xrm_demo_interactions(rng, partners, histories, leads, tickets, now)
        # Last, so the automatic moves triggered above do not blur the story.
        loader._xrm_demo_apply_histories(partners, histories)
        loader._xrm_demo_goals(rng, partners, histories, now)
        # Referred relationships arrived over the last months, not at install.
        for partner in partners.filtered("xrm_referred_by_id"):
            self.env.cr.execute(
                "UPDATE res_partner SET create_date = %s WHERE id = %s",
                [now - timedelta(days=rng.randint(5, 80)), partner.id],
            )
        partners.invalidate_recordset(["create_date"])
        loader._xrm_demo_engagement(rng, partners, now)
        # A new user opens filled dashboards: health and KPIs as of today.
        partners._xrm_compute_health()
        # Two months of KPI history, oldest first: cards have a trend and the
        # leaderboard three 30-day windows.
        Definition = self.env["xrm.kpi.definition"].sudo()
        today = fields.Date.context_today(self)
        for days_ago in range(60, -1, -5):
            Definition.compute_kpis(as_of=today - timedelta(days=days_ago))
        self._xrm_demo_incentives(today)
        return True

    def _xrm_demo_incentives(self, today):
        """A quarterly retention bonus, computed for the quarter just ended."""
        plan = self.env["xrm.incentive.plan"].create(
            {
                "name": "Quarterly retention bonus",
                "period": "quarterly",
                "user_ids": [(6, 0, self._xrm_demo_users().ids)],
                "base_amount": 2000,
                "pool_amount": 5000,
                "gate_documentation": 60,
                "clawback_amount": 150,
            }
        )
        start, _end = plan._xrm_period_bounds(today)
        previous_quarter = start - timedelta(days=1)
        run = self.env["xrm.incentive.run"].create(
            {"plan_id": plan.id, "date_from": previous_quarter}
        )
        run.action_compute()
        return run

    def _xrm_demo_engagement(self, rng, partners, now):
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
        return self.env["xrm.engagement.event"].create(vals_list)

    def _xrm_demo_goals(self, rng, partners, histories, now):
        """Goals agreed with customers and agents: some reached, some missed."""
        today = now.date()
        names = [
            "Cut order-to-delivery time to 5 days",
            "Train the customer's team on the new release",
            "Reach 95 % first-time-right installations",
            "Move the customer to the yearly maintenance plan",
            "Halve the number of repeat tickets",
        ]
        vals_list = []
        for partner in partners.filtered(
            lambda p: p.xrm_relation_type in ("customer", "agent")
        ):
            for name in rng.sample(names, rng.randint(1, 3)):
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
        return self.env["xrm.customer.goal"].create(vals_list)

    # ------------------------------------------------------------------
    # Relationships
    # ------------------------------------------------------------------
    def _xrm_demo_stage(self, key):
        return self.env.ref(f"xrm_relationship.xrm_journey_stage_{key}")

    def _xrm_demo_users(self):
        return self.env.ref("base.user_admin") | self.env.ref("base.user_demo")

    def _xrm_demo_active_window(self, history, now):
        """(first, last) moment the relationship was in touch with us."""
        start = history[0][1]
        at_risk = next(
            (entered for key, entered, _d in history if key == "at_risk"), None
        )
        if at_risk:
            # Contact dried up a while before the relationship cooled down.
            return start, max(start + timedelta(days=5), at_risk - timedelta(days=60))
        return start, now - timedelta(hours=1)

    def _xrm_demo_partners(self, rng):
        """Companies with their contact persons, in DEMO_PARTNERS order."""
        Partner = self.env["res.partner"]
        users = self._xrm_demo_users()
        companies = Partner.create(
            [
                {
                    "name": name,
                    "is_company": True,
                    "email": f"info@{domain}",
                    "website": f"https://www.{domain}",
                    "phone": f"+{rng.randint(1, 98)} {rng.randint(200, 999)} "
                    f"{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    "city": city,
                    "country_id": self.env.ref(f"base.{country}").id,
                    "xrm_relation_type": relation_type,
                    "user_id": rng.choice(users).id,
                    "xrm_churn_reason": churn_reason,
                }
                for (
                    name,
                    domain,
                    relation_type,
                    _stage,
                    country,
                    city,
                    _contacts,
                    _referrer,
                    churn_reason,
                ) in DEMO_PARTNERS
            ]
        )
        contact_vals = []
        for company, data in zip(companies, DEMO_PARTNERS, strict=True):
            domain, contacts = data[1], data[6]
            for index, contact in enumerate(contacts):
                contact_vals.append(
                    {
                        "name": contact,
                        "parent_id": company.id,
                        "type": "contact",
                        "email": f"contact{index + 1}@{domain}",
                        "function": rng.choice(
                            ["CEO", "Purchasing Manager", "IT Manager", "Operations"]
                        ),
                    }
                )
        Partner.create(contact_vals)
        for company, data in zip(companies, DEMO_PARTNERS, strict=True):
            if data[7] is not None:
                company.xrm_referred_by_id = companies[data[7]]
        return companies

    def _xrm_demo_histories(self, rng, partners, now):
        """{partner: [(stage key, entered on, days in previous stage)]}.

        Built backwards from today so the last move is the current stage.
        """
        histories = {}
        for partner, data in zip(partners, DEMO_PARTNERS, strict=True):
            path = STAGE_PATHS[data[3]]
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

    def _xrm_demo_stage_at(self, history, date):
        """The stage key a relationship was in on ``date``."""
        key = history[0][0]
        for step_key, entered, _days in history:
            if entered <= date:
                key = step_key
        return key

    def _xrm_demo_apply_histories(self, partners, histories):
        """Current stage, then the recorded journey in place of automatic moves."""
        for partner in partners:
            stage = self._xrm_demo_stage(histories[partner][-1][0])
            partner.write({"xrm_stage_id": stage.id})
        Transition = self.env["xrm.journey.transition"].sudo()
        Transition.search([("partner_id", "in", partners.ids)]).unlink()
        vals_list = []
        for partner in partners:
            previous = False
            for key, entered, days in histories[partner]:
                stage = self._xrm_demo_stage(key)
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "from_stage_id": previous,
                        "to_stage_id": stage.id,
                        "date": entered,
                        "days_in_previous_stage": round(days, 2),
                        "user_id": partner.user_id.id,
                        "reason": self._xrm_demo_reason(key),
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

    def _xrm_demo_reason(self, key):
        return {
            "first_contact": "First documented interaction",
            "onboarding": "Opportunity won",
            "support": "Ticket opened",
            "at_risk": "No meaningful contact for 90 days",
        }.get(key, False)

    # ------------------------------------------------------------------
    # Pipeline and support
    # ------------------------------------------------------------------
    def _xrm_demo_leads(self, rng, partners, histories, now):
        """Won deals dated when the customer started onboarding."""
        Lead = self.env["crm.lead"]
        open_stages = self.env["crm.stage"].search(
            [("is_won", "=", False)], order="sequence"
        )
        lost_reasons = self.env["crm.lost.reason"].search([])
        leads = Lead
        closing = {}
        won_partners = set()
        for index, title, outcome in DEMO_LEADS:
            partner = partners[index]
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
                start, end = self._xrm_demo_active_window(history, now)
                if partner in won_partners:
                    # An upsell, some time after the first deal.
                    closing[lead] = start + (end - start) * rng.uniform(0.6, 0.95)
                else:
                    closing[lead] = next(
                        (
                            entered
                            for key, entered, _d in history
                            if key == "onboarding"
                        ),
                        start,
                    )
                won_partners.add(partner)
            elif outcome == "lost":
                lead.action_set_lost(lost_reason_id=rng.choice(lost_reasons).id)
                start, end = self._xrm_demo_active_window(history, now)
                closing[lead] = start + (end - start) * rng.uniform(0.4, 0.95)
            leads |= lead
        for lead, date in closing.items():
            lead.write({"date_closed": date})
        return leads

    def _xrm_demo_tickets(self, rng, partners, histories, now):
        """Open tickets for the relationships in Support, closed ones elsewhere."""
        Ticket = self.env["helpdesk.ticket"]
        vals_list = []
        for index, title, state in DEMO_TICKETS:
            partner = partners[index]
            contact = rng.choice(partner.child_ids) if partner.child_ids else partner
            history = histories[partner]
            if state in ("done", "cancelled"):
                start, end = self._xrm_demo_active_window(history, now)
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
                    "stage_id": self.env.ref(TICKET_STAGES[state]).id,
                    "priority": rng.choice(["0", "1", "1", "2", "3"]),
                    "assigned_date": opened,
                    "last_stage_update": closed or opened,
                    "closed_date": closed,
                }
            )
        tickets = Ticket.create(vals_list)
        # Satisfaction answers on most tickets solved.
        model_id = self.env["ir.model"]._get_id("helpdesk.ticket")
        rating_vals = []
        rated_dates = []
        for ticket in tickets.filtered(lambda t: t.stage_id.closed):
            if ticket.stage_id != self.env.ref(TICKET_STAGES["done"]):
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
        ratings = self.env["rating.rating"].create(rating_vals)
        for rating, date in zip(ratings, rated_dates, strict=True):
            rating.write({"rated_on": date})
        # rating_ids is keyed by res_id, which does not notify the tickets; the
        # recomputation reads rating_rating in SQL, so flush the ratings first.
        ratings.flush_recordset()
        tickets.modified(["rating_ids"])
        return tickets

    # ------------------------------------------------------------------
    # Interactions
    # ------------------------------------------------------------------
    def _xrm_demo_interactions(self, rng, partners, histories, leads, tickets, now):
        """About 400 interactions, 85% documented, in a single create()."""
        stage_keys = [data[3] for data in DEMO_PARTNERS]
        weights = [STAGE_WEIGHTS[key] for key in stage_keys]
        picks = rng.choices(range(len(partners)), weights=weights, k=400)
        leads_by_partner = {}
        for lead in leads:
            leads_by_partner.setdefault(
                lead.partner_id.commercial_partner_id, []
            ).append(lead)
        tickets_by_partner = {}
        for ticket in tickets:
            tickets_by_partner.setdefault(
                ticket.partner_id.commercial_partner_id, []
            ).append(ticket)
        users = self._xrm_demo_users()
        vals_list = []
        for index in picks:
            partner = partners[index]
            history = histories[partner]
            stage_key = stage_keys[index]
            start, end = self._xrm_demo_active_window(history, now)
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
                self._xrm_demo_document(rng, vals, stage_key, contact)
            vals["stage_id"] = self._xrm_demo_stage(
                self._xrm_demo_stage_at(history, vals["date"])
            ).id
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
        vals_list += self._xrm_demo_cooling_signals(rng, partners, histories, now)
        return self.env["xrm.interaction"].create(vals_list)

    def _xrm_demo_document(self, rng, vals, stage_key, contact):
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

    def _xrm_demo_cooling_signals(self, rng, partners, histories, now):
        """Unanswered outbound attempts once a relationship is at risk."""
        vals_list = []
        for partner, data in zip(partners, DEMO_PARTNERS, strict=True):
            if data[3] not in ("at_risk", "churned"):
                continue
            history = histories[partner]
            contact = partner.child_ids[:1] or partner
            at_risk = next(entered for key, entered, _d in history if key == "at_risk")
            until = history[-1][1] if data[3] == "churned" else now
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
                        "summary": rng.choice(CHURN_SIGNALS).format(
                            contact=contact.name
                        ),
                        "stage_id": self._xrm_demo_stage("at_risk").id,
                    }
                )
        return vals_list

    # ------------------------------------------------------------------
    # Relationship care: tiers, contact pressure, fast first response
    # ------------------------------------------------------------------
    @api.model
    def _load_tier_demo_data(self):
        """A pressed relationship, two website leads and everyone's tier."""
        Partner = self.env["res.partner"].sudo()
        pressed = Partner.search([("name", "=", "Blue Harbor Logistics")], limit=1)
        if not pressed or self.env["crm.lead"].search_count(
            [("email_from", "=", "dana.wright@harbourview.example.com")]
        ):
            return False
        now = fields.Datetime.now().replace(microsecond=0)
        users = self._xrm_demo_users()
        Interaction = (
            self.env["xrm.interaction"].sudo().with_context(xrm_no_capture=NO_CAPTURE)
        )
        # Two more outbound contacts this month: past the limit of 5.
        contact = pressed.child_ids[:1] or pressed
        Interaction.create(
            [
                {
                    "partner_id": pressed.id,
                    "contact_id": contact.id if contact != pressed else False,
                    "user_id": users[n % 2].id,
                    "date": now - timedelta(days=days, hours=n),
                    "channel": channel,
                    "direction": "outbound",
                    "state": "done",
                    "outcome": "neutral",
                    "quality": 3,
                    "summary": summary,
                }
                for n, (days, channel, summary) in enumerate(
                    [
                        (2, "email", "Sent the renewal offer."),
                        (5, "phone", "Called about the renewal offer."),
                    ]
                )
            ]
        )
        # The loyal advocate reviews and recommends us quarter after quarter.
        loyal = Partner.search([("name", "=", "Northwind Traders")], limit=1)
        self.env["xrm.engagement.event"].create(
            [
                {
                    "partner_id": loyal.id,
                    "event_type": kind,
                    "date": now - timedelta(days=days),
                    "source": "website",
                    "description": description,
                }
                for days in (20, 110, 200, 290)
                for kind, description in (
                    ("review", "Five-star review of our service"),
                    ("referral", "Recommended us to a partner company"),
                )
            ]
        )
        # Website leads: one answered in 25 minutes, one still waiting.
        website = self.env.ref("utm.utm_medium_website")
        Lead = self.env["crm.lead"].sudo()
        answered = Lead.create(
            {
                "name": "Fleet tracking for 40 vans",
                "type": "lead",
                "contact_name": "Dana Wright",
                "partner_name": "Harbourview Couriers",
                "email_from": "dana.wright@harbourview.example.com",
                "medium_id": website.id,
                "user_id": users[0].id,
            }
        )
        waiting = Lead.create(
            {
                "name": "Quote for cold-chain storage",
                "type": "lead",
                "contact_name": "Omid Karimi",
                "email_from": "omid.karimi@coldchain.example.com",
                "medium_id": website.id,
                "user_id": users[1].id,
            }
        )
        # They arrived a while ago, and were acknowledged a minute later.
        for lead, age in (
            (answered, timedelta(hours=3)),
            (waiting, timedelta(minutes=40)),
        ):
            self.env.cr.execute(
                "UPDATE crm_lead SET create_date = %s, xrm_ack_sent_date = %s "
                "WHERE id = %s",
                [now - age, now - age + timedelta(minutes=1), lead.id],
            )
        (answered | waiting).invalidate_recordset(["create_date", "xrm_ack_sent_date"])
        answered._xrm_set_first_response(
            now - timedelta(hours=3) + timedelta(minutes=25), users[0]
        )
        # Tiers as of today; today's health and KPI snapshots again, so that
        # they include the records added here.
        relationships = Partner.search(
            [("is_company", "=", True), ("xrm_relation_type", "!=", False)]
        )
        self.env["xrm.relationship.tier"]._xrm_assign(relationships)
        (pressed | loyal)._xrm_compute_health()
        self.env["xrm.kpi.definition"].sudo().search([]).compute_kpis()
        return True

    # Relationship care (issue 8): related knowledge, friction, what led where
    # ------------------------------------------------------------------
    @api.model
    def _load_knowledge_demo_data(self):
        """Resolutions, a ticket with related knowledge, supplier friction and
        interactions that generated opportunities, on top of the demo history."""
        Ticket = self.env["helpdesk.ticket"].sudo()
        if Ticket.search_count([("name", "=", CARE_NEW_TICKET[1])], limit=1):
            return False
        loader = self.sudo().with_context(
            tracking_disable=True, mail_create_nolog=True, xrm_no_capture=NO_CAPTURE
        )
        rng = random.Random(8)
        now = fields.Datetime.now().replace(microsecond=0)
        for title, resolution in CARE_RESOLUTIONS.items():
            Ticket.search([("name", "=", title)], limit=1).xrm_resolution = resolution
        Partner = loader.env["res.partner"].with_context(active_test=False)
        partner = Partner.search([("name", "=", CARE_NEW_TICKET[0])], limit=1)
        contact = partner.child_ids[:1] or partner
        Ticket.with_context(tracking_disable=True).create(
            {
                "name": CARE_NEW_TICKET[1],
                "description": CARE_NEW_TICKET[2],
                "partner_id": contact.id,
                "partner_name": contact.name,
                "partner_email": contact.email,
                "user_id": partner.user_id.id,
                "priority": "2",
            }
        )
        loader._xrm_demo_friction(rng, now)
        loader._xrm_demo_generated_leads()
        # Today's KPI snapshots must count the interactions added here.
        self.env["xrm.kpi.definition"].sudo().compute_kpis(
            as_of=fields.Date.context_today(self)
        )
        return True

    def _xrm_demo_friction(self, rng, now):
        """A supplier that answers late and escalates, and one that does not."""
        Partner = self.env["res.partner"].with_context(active_test=False)
        Interaction = self.env["xrm.interaction"]
        for name, negatives, waits, escalations in CARE_FRICTION:
            partner = Partner.search([("name", "=", name)], limit=1)
            if not partner:
                continue
            vals_list = []
            for days, answer_days in waits:
                sent = now - timedelta(days=days, hours=rng.randint(1, 8))
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "user_id": partner.user_id.id,
                        "date": sent,
                        "channel": "email",
                        "direction": "outbound",
                    }
                )
                if answer_days is not None:
                    vals_list.append(
                        {
                            "partner_id": partner.id,
                            "user_id": partner.user_id.id,
                            "date": sent + timedelta(days=answer_days),
                            "channel": "email",
                            "direction": "inbound",
                        }
                    )
            for days in negatives:
                vals_list.append(
                    {
                        "partner_id": partner.id,
                        "user_id": partner.user_id.id,
                        "date": now - timedelta(days=days),
                        "channel": rng.choice(["phone", "meeting"]),
                        "direction": "inbound",
                        "state": "done",
                        "outcome": "negative",
                        "quality": 2,
                        "summary": "Delivery late again; quality issue on the "
                        "last batch.",
                    }
                )
            Interaction.create(vals_list)
            for title in escalations:
                self.env["helpdesk.ticket"].create(
                    {
                        "name": title,
                        "description": f"<p>{title}.</p>",
                        "partner_id": partner.id,
                        "priority": "3",
                    }
                )

    def _xrm_demo_generated_leads(self):
        """The first documented interaction on an opportunity generated it."""
        leads = self.env["crm.lead"].search([("type", "=", "opportunity")])
        interactions = self.env["xrm.interaction"].search(
            [("lead_id", "in", leads.ids), ("state", "=", "done")], order="date"
        )
        seen = set()
        for interaction in interactions:
            if interaction.lead_id.id in seen:
                continue
            seen.add(interaction.lead_id.id)
            interaction.generated_lead_id = interaction.lead_id
