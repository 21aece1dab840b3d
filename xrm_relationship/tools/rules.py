# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The business rules several models share, each defined here once.

Every rule comes in the shapes its callers need (Python, an ``odoo.tools.SQL``
fragment, an ORM domain); the shapes of one rule sit side by side so that they
cannot drift apart.
"""

from datetime import timedelta

from odoo.fields import Domain
from odoo.tools import SQL

# ----------------------------------------------------------------------
# Overdue in its stage (SPEC § KPIs, stage_overdue_ratio): the stage has a
# limit (max_days > 0) and the relationship has been in it for more than
# max_days whole days, i.e. it entered at or before now − (max_days + 1) days.
# ----------------------------------------------------------------------


def stage_overdue_limit(now, max_days):
    """The latest entry datetime that is overdue in a stage of ``max_days``."""
    return now - timedelta(days=max_days + 1)


def stage_overdue(since, max_days, now):
    """Python: entered the stage at ``since``, is it overdue at ``now``?"""
    return bool(max_days and since) and since <= stage_overdue_limit(now, max_days)


def stage_overdue_sql(partner, stage, now):
    """SQL: the partner row ``partner`` is overdue in the stage row ``stage``.

    ``partner`` and ``stage`` are the aliases of res_partner and
    xrm_journey_stage in the caller's query.
    """
    return SQL(
        "(%(stage)s.max_days > 0 AND %(partner)s.xrm_stage_date"
        " <= %(now)s - (%(stage)s.max_days + 1) * INTERVAL '1 day')",
        stage=SQL.identifier(stage),
        partner=SQL.identifier(partner),
        now=now,
    )


def stage_overdue_domain(env, now):
    """Domain on res.partner: overdue in its stage, one term per limited stage."""
    stages = env["xrm.journey.stage"].search([("max_days", ">", 0)])
    return Domain.OR(
        Domain("xrm_stage_id", "=", stage.id)
        & Domain("xrm_stage_date", "<=", stage_overdue_limit(now, stage.max_days))
        for stage in stages
    )


# ----------------------------------------------------------------------
# No meaningful contact (early warnings, the dashboard's at-risk list): no
# active meaningful interaction with the relationship since a given instant.
# ----------------------------------------------------------------------


def no_meaningful_contact_sql(partner, since, company_id=None):
    """SQL: no meaningful interaction with the partner row ``partner`` since.

    With ``company_id``, only that company's interactions count as contact.
    """
    return SQL(
        "NOT EXISTS (SELECT 1 FROM xrm_interaction i WHERE i.partner_id = %s.id"
        " AND i.active AND i.is_meaningful AND i.date >= %s%s)",
        SQL.identifier(partner),
        since,
        SQL(" AND i.company_id = %s", company_id) if company_id else SQL(),
    )


# ----------------------------------------------------------------------
# Satisfied (SPEC § KPIs, ticket_satisfaction_rate): a rating of 4 or 5.
# ----------------------------------------------------------------------
SATISFIED_RATING = 4


def satisfied_sql(rating):
    """SQL: the rating_rating row ``rating`` (an alias) says satisfied."""
    return SQL("%s.rating >= %s", SQL.identifier(rating), SATISFIED_RATING)


# ----------------------------------------------------------------------
# A purchase (SPEC § Vocabulary): a won opportunity; its date is
# date_closed, its amount expected_revenue, its customer the commercial
# entity of its partner.
# ----------------------------------------------------------------------


def purchases_sql(where=None):
    """SQL rows (id, user_id, date, amount, partner_id, company_id) of purchases.

    ``where`` narrows them further; it may use ``l`` (crm_lead) and ``p``
    (the lead's res_partner).
    """
    return SQL(
        """
        SELECT l.id, l.user_id, l.date_closed AS date,
               COALESCE(l.expected_revenue, 0) AS amount,
               p.commercial_partner_id AS partner_id, l.company_id
          FROM crm_lead l
          JOIN res_partner p ON p.id = l.partner_id
         WHERE l.won_status = 'won' AND l.date_closed IS NOT NULL AND %s
        """,
        where or SQL("TRUE"),
    )


# ----------------------------------------------------------------------
# Documentation rate: the share of interactions somebody documented, i.e.
# 100 − the undocumented share (the undocumented_ratio KPI, in %).
# ----------------------------------------------------------------------


def documentation_rate(undocumented_share):
    """100 − ``undocumented_share`` (%); None when the share is unknown."""
    return None if undocumented_share is None else 100.0 - undocumented_share
