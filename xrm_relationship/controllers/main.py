# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.http import content_disposition, request

from ..models.xrm_incentive_run import XLSX_MIMETYPE


class XrmIncentiveExport(http.Controller):
    @http.route(
        "/xrm_relationship/incentive_run/<int:run_id>/xlsx",
        type="http",
        auth="user",
        readonly=True,
    )
    def incentive_run_xlsx(self, run_id):
        """A run's spreadsheet, built for the asking user and never stored."""
        run = request.env["xrm.incentive.run"].browse(run_id).exists()
        if not run:
            return request.not_found()
        content = run._xrm_xlsx_content()  # checks read access
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", len(content)),
                ("Content-Disposition", content_disposition(f"{run.name}.xlsx")),
                ("X-Content-Type-Options", "nosniff"),
                ("Cache-Control", "no-store"),
            ],
        )
