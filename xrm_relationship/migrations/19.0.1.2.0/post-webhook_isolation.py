# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""KPI definitions of other companies forget the main company's webhook.

Earlier versions copied the main company's KPI definitions, webhook URL and
secret included, to every new company: that company's status changes went to
(and were signed with the secret of) the main company's endpoint. Where a
definition still carries exactly the URL and secret of the main company's
definition of the same KPI, both are cleared and its webhook switched off;
its managers set their own. What is cleared is logged.
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE xrm_kpi_definition copy
           SET webhook_url = NULL, webhook_secret = NULL, action_webhook = FALSE
          FROM xrm_kpi_definition main, ir_model_data imd
         WHERE imd.module = 'base' AND imd.name = 'main_company'
           AND imd.model = 'res.company'
           AND main.company_id = imd.res_id
           AND copy.company_id != imd.res_id
           AND copy.code = main.code
           AND copy.webhook_url IS NOT NULL
           AND copy.webhook_url = main.webhook_url
           AND copy.webhook_secret IS NOT DISTINCT FROM main.webhook_secret
     RETURNING copy.id, copy.code, copy.company_id
        """
    )
    for kpi_id, code, company_id in cr.fetchall():
        _logger.warning(
            "XRM: KPI %s (id %s) of company %s no longer uses the main company's "
            "webhook it was copied with; set its own if it needs one.",
            code,
            kpi_id,
            company_id,
        )
