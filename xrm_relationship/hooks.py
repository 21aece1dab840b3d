# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).

ACTIVITY_TYPES = ("mail_activity_type_xrm_kpi_breach", "mail_activity_type_xrm_warning")
# Demo records of core models: the relationships, their contacts, deals and
# tickets stay when the addon goes, as any contact, deal or ticket does.
KEPT_DEMO_MODELS = ("res.partner", "crm.lead", "helpdesk.ticket")


def uninstall_hook(env):
    """Clear what would keep the addon's own records from being removed.

    Its activity types are still used by activities on contacts (breaches,
    early warnings), its stages by the journey history (``ondelete=restrict``),
    whose table goes with the addon anyway. Without this the uninstall leaves
    orphan activity types and stages behind.

    The demo relationships, leads and tickets (demo/*.xml) carry ids of this
    addon, which would make the uninstall delete them, and fail on the records
    that point at them: their ids go, the records stay.
    """
    env["ir.model.data"].sudo().search(
        [
            ("module", "=", "xrm_relationship"),
            ("model", "in", KEPT_DEMO_MODELS),
            ("name", "=like", "%\\_demo"),
        ]
    ).unlink()
    types = [
        env.ref(f"xrm_relationship.{name}", raise_if_not_found=False)
        for name in ACTIVITY_TYPES
    ]
    type_ids = [activity_type.id for activity_type in types if activity_type]
    if type_ids:
        env["mail.activity"].sudo().with_context(active_test=False).search(
            [("activity_type_id", "in", type_ids)]
        ).unlink()
    env.cr.execute("DELETE FROM xrm_journey_transition")
