# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Product feedback of the demo relationships, logged from the history's
tickets, interactions and goals: two customers ask for the same export
(merged), a fixed crash has shipped and its salesperson is told."""


def _ticket(env, title):
    return env["helpdesk.ticket"].search([("name", "=", title)], limit=1)


def _interaction(env, key):
    partner = env.ref(f"xrm_relationship.res_partner_{key}_demo")
    return env["xrm.interaction"].search(
        [("partner_id", "=", partner.id), ("state", "=", "done")], limit=1
    )


def load_feedback(env):
    env = env(su=True, context=dict(env.context, tracking_disable=True))
    Feedback = env["xrm.feedback"]
    if Feedback.search_count([], limit=1):
        return False
    export_ticket = _ticket(env, "Export of monthly report fails")
    crash_ticket = _ticket(env, "Mobile app crashes on photo upload")
    parsdata = _interaction(env, "parsdata")
    northwind = _interaction(env, "northwind")
    goal = env["xrm.customer.goal"].search([("state", "=", "open")], limit=1)
    vals = []
    if export_ticket:
        vals.append(
            {
                "name": "Export the monthly report by quarter",
                "kind": "request",
                "ticket_id": export_ticket.id,
                "description": "Exports of a whole year time out; they would "
                "rather export one quarter at a time.",
            }
        )
    if parsdata:
        vals.append(
            {
                "name": "گزارش ماهانه را فصلی خروجی بگیریم",
                "kind": "request",
                "interaction_id": parsdata.id,
                "description": "Quarterly export of the monthly report, like "
                "Meridian Health asked.",
            }
        )
    if crash_ticket:
        vals.append(
            {
                "name": "Photo upload from the mobile app",
                "kind": "problem",
                "ticket_id": crash_ticket.id,
            }
        )
    if northwind:
        vals.append(
            {
                "name": "The Monday dashboard is fast again, thank you",
                "kind": "praise",
                "interaction_id": northwind.id,
            }
        )
    if goal:
        vals.append(
            {
                "name": "Show goal progress to the customer",
                "kind": "idea",
                "goal_id": goal.id,
            }
        )
    records = {v["name"]: f for v, f in zip(vals, Feedback.create(vals), strict=True)}
    export = records.get("Export the monthly report by quarter")
    same = records.get("گزارش ماهانه را فصلی خروجی بگیریم")
    if export and same:
        same.write({"duplicate_of_id": export.id})
        export.action_plan()
    crash = records.get("Photo upload from the mobile app")
    if crash:
        crash.action_start()
        crash.action_ship()
    idea = records.get("Show goal progress to the customer")
    if idea:
        idea.action_plan()
    return True
