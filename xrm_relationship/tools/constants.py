# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Names and numbers the SPEC fixes, shared by the models and reports."""

# res.partner.xrm_relation_type (SPEC § Vocabulary).
RELATION_TYPES = [
    ("customer", "Customer"),
    ("agent", "Agent / Reseller"),
    ("supplier", "Supplier"),
    ("contractor", "Contractor"),
    ("technician", "Technician"),
    ("other", "Other"),
]

# xrm.feedback.kind and .state (SPEC § Voice of the customer), also on its ranking.
FEEDBACK_KINDS = [
    ("request", "Request"),
    ("problem", "Problem"),
    ("idea", "Idea"),
    ("praise", "Praise"),
]
FEEDBACK_STATES = [
    ("new", "New"),
    ("planned", "Planned"),
    ("in_progress", "In Progress"),
    ("shipped", "Shipped"),
    ("declined", "Declined"),
]

# Health bands of a CS score (partner and snapshot).
HEALTH = [("green", "Green"), ("yellow", "Yellow"), ("red", "Red")]

# CS health looks back this far (SPEC: "over the last 365 days").
HEALTH_WINDOW_DAYS = 365

# Internal assessments (stage, health, churn, counters): never shown to portal
# or public users, who may read their own commercial partner.
INTERNAL = "base.group_user"

# The prefetch group of the columns the addon adds to partners, leads and
# tickets: Odoo reads a partner for nearly every message, follower and
# recipient, and would otherwise read (and check the groups of) some forty
# relationship columns each time; they are read together when one is used.
XRM_PREFETCH = "xrm"

# The documents whose partner is the relationship a contact reaches: capture
# follows their emails and activities, the composer warns on their pressure.
RELATIONSHIP_DOCUMENTS = ("res.partner", "crm.lead", "helpdesk.ticket")
