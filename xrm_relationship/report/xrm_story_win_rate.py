# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import fields, models
from odoo.tools import SQL


class XrmStoryWinRate(models.Model):
    """Win rate of closed opportunities that received a success story or not.

    One row per company and side: won / (won + lost) over the opportunities
    closed (won or lost, archived ones included), split by whether at least
    one story was sent from them. Its company rule shows the reader's rows.
    """

    _name = "xrm.story.win.rate"
    _description = "Success Stories: Win Rate"
    _auto = False
    _order = "company_id, received_story desc"
    _rec_name = "received_story"
    _depends = {
        "crm.lead": ["company_id", "type", "won_status"],
        "xrm.success.story.use": ["lead_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    received_story = fields.Boolean(string="Received a Story", readonly=True)
    won_count = fields.Integer(string="Won", readonly=True)
    lost_count = fields.Integer(string="Lost", readonly=True)
    closed_count = fields.Integer(string="Closed", readonly=True)
    win_rate = fields.Float(
        string="Win Rate (%)",
        readonly=True,
        aggregator=None,
        digits=(16, 1),
        help="Won / (won + lost) × 100 of the closed opportunities of this row.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT COALESCE(o.company_id, 0) * 2 + o.received::int AS id,
                   o.company_id,
                   o.received AS received_story,
                   COUNT(*) FILTER (WHERE o.won_status = 'won') AS won_count,
                   COUNT(*) FILTER (WHERE o.won_status = 'lost') AS lost_count,
                   COUNT(*) AS closed_count,
                   100.0 * COUNT(*) FILTER (WHERE o.won_status = 'won')
                       / COUNT(*) AS win_rate
              FROM (
                SELECT l.company_id, l.won_status,
                       EXISTS (
                           SELECT 1 FROM xrm_success_story_use u
                            WHERE u.lead_id = l.id
                       ) AS received
                  FROM crm_lead l
                 WHERE l.type = 'opportunity'
                   AND l.won_status IN ('won', 'lost')
              ) o
             GROUP BY o.company_id, o.received
            """
        )
