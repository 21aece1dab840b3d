# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Scheduled jobs follow their engines off res.partner.

The health, early-warning and at-risk jobs moved to the models of their
concepts. Cron records are ``noupdate``: repoint the existing ones here. The
code keeps its method names, so a job whose code an administrator edited
keeps that code; code that no longer names the job's method is reset.
(``model_name`` is a non-stored related field of ``model_id`` in 19.0.)
"""

# xml id of the job: (model it moved from, model it now lives on, its method)
MOVED = {
    "ir_cron_xrm_health": ("res.partner", "xrm.health.profile", "_cron_xrm_health"),
    "ir_cron_xrm_early_warnings": (
        "res.partner",
        "xrm.early.warning",
        "_cron_xrm_early_warnings",
    ),
    "ir_cron_xrm_at_risk": ("res.partner", "xrm.journey.stage", "_cron_xrm_at_risk"),
}


def migrate(cr, version):
    if not version:
        return
    for xmlid, (old_model, new_model, method) in MOVED.items():
        cr.execute(
            """
            UPDATE ir_act_server a
               SET model_id = new.id,
                   code = CASE WHEN a.code LIKE %(pattern)s THEN a.code
                               ELSE %(code)s END
              FROM ir_cron c, ir_model_data d, ir_model old, ir_model new
             WHERE d.module = 'xrm_relationship' AND d.model = 'ir.cron'
               AND d.name = %(xmlid)s AND c.id = d.res_id
               AND a.id = c.ir_actions_server_id
               AND old.id = a.model_id AND old.model = %(old_model)s
               AND new.model = %(new_model)s
            """,
            {
                "xmlid": xmlid,
                "old_model": old_model,
                "new_model": new_model,
                "pattern": f"%model.{method}(%",
                "code": f"model.{method}()",
            },
        )
