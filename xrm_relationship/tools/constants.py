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

# Health bands of a CS score (partner and snapshot).
HEALTH = [("green", "Green"), ("yellow", "Yellow"), ("red", "Red")]

# CS health looks back this far (SPEC: "over the last 365 days").
HEALTH_WINDOW_DAYS = 365

# Internal assessments (stage, health, churn, counters): never shown to portal
# or public users, who may read their own commercial partner.
INTERNAL = "base.group_user"
