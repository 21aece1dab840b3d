# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Remove the spreadsheets that earlier versions stored on incentive runs.

*Export XLSX* used to store the file as an attachment of the run, readable by
every salesperson of the run: a manager's export showed everyone's pay. The
export is now streamed and never stored; the old files go. Only generated
exports are removed (spreadsheets on a run, attached to no message); a file
someone posted in the run's chatter stays.
"""

from odoo import SUPERUSER_ID, api

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    exports = env["ir.attachment"].search(
        [
            ("res_model", "=", "xrm.incentive.run"),
            ("res_field", "=", False),
            ("mimetype", "=", XLSX),
        ]
    )
    posted = env["mail.message"].search([("attachment_ids", "in", exports.ids)])
    (exports - posted.attachment_ids).unlink()
