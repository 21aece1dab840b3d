# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models


class RatingRating(models.Model):
    _inherit = "rating.rating"

    @api.model_create_multi
    def create(self, vals_list):
        ratings = super().create(vals_list)
        ratings._xrm_sync_interactions()
        return ratings

    def write(self, vals):
        res = super().write(vals)
        if {"rating", "consumed", "feedback"} & vals.keys():
            self._xrm_sync_interactions()
        return res

    def _xrm_sync_interactions(self):
        """An answer on an interaction is its CSAT, whichever way it came
        (rating page, portal, chatter): one place, so it counts once."""
        for rating in self.sudo():
            if (
                rating.res_model == "xrm.interaction"
                and rating.consumed
                and rating.rating >= 1
            ):
                interaction = self.env["xrm.interaction"].sudo().browse(rating.res_id)
                if interaction.exists():
                    interaction._xrm_survey_answered(rating)
