# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Odoo's public rating pages, for satisfaction requests after interactions.

Ticket ratings keep Odoo's page (three smileys). An interaction's request is
answered 1 to 5 (CSAT), once: an answered token shows a clear refusal and
writes nothing; a comment over the bound is refused with the form kept.
"""

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools.misc import get_lang
from odoo.tools.translate import _

from odoo.addons.rating.controllers.main import Rating

from ..models.xrm_interaction_survey import SURVEY_FEEDBACK_MAX


class XrmRating(Rating):
    def _xrm_interaction_rating(self, token):
        rating = (
            request.env["rating.rating"]
            .sudo()
            .search([("access_token", "=", token)], limit=1)
        )
        return rating if rating.res_model == "xrm.interaction" else None

    def _xrm_scores(self):
        return [
            (1, _("Not at all satisfied")),
            (2, _("Not satisfied")),
            (3, _("Neutral")),
            (4, _("Satisfied")),
            (5, _("Very satisfied")),
        ]

    def _xrm_render(self, template, rating, values, status=200):
        request.update_context(
            lang=rating.partner_id.lang or get_lang(request.env).code
        )
        return request.render(
            template,
            dict(values, rating=rating, web_base_url=rating.get_base_url()),
            status=status,
        )

    def _xrm_refuse(self, rating, message, status=403):
        return self._xrm_render(
            "xrm_relationship.rating_interaction_page_refused",
            rating,
            {"message": message},
            status=status,
        )

    def _xrm_other_partner(self, rating):
        user = request.env.user
        return (
            not user._is_public()
            and user.partner_id.commercial_partner_id
            != rating.partner_id.commercial_partner_id
        )

    def _xrm_form(self, rating, token, rate, feedback="", error=None, status=200):
        return self._xrm_render(
            "xrm_relationship.rating_interaction_page_submit",
            rating,
            {
                "token": token,
                "rate": rate,
                "scores": self._xrm_scores(),
                "feedback": feedback,
                "error": error,
                "max_length": SURVEY_FEEDBACK_MAX,
            },
            status=status,
        )

    @http.route()
    def action_open_rating(self, token, rate, **kwargs):
        rating = self._xrm_interaction_rating(token)
        if not rating:
            return super().action_open_rating(token, rate, **kwargs)
        rating, _record = self._get_rating_and_record(token)
        if rating.consumed:
            return self._xrm_refuse(
                rating, _("You have already answered, thank you. It cannot be changed.")
            )
        if self._xrm_other_partner(rating):
            return self._xrm_refuse(
                rating, _("This satisfaction request is addressed to someone else.")
            )
        if rate not in dict(self._xrm_scores()):
            rate = 0
        return self._xrm_form(rating, token, rate)

    @http.route()
    def action_submit_rating(self, token, rate=0, **kwargs):
        rating = self._xrm_interaction_rating(token)
        if not rating or request.httprequest.method != "POST":
            return super().action_submit_rating(token, rate=rate, **kwargs)
        rating, record_sudo = self._get_rating_and_record(token)
        if rating.consumed:
            return self._xrm_refuse(
                rating, _("You have already answered, thank you. It cannot be changed.")
            )
        if self._xrm_other_partner(rating):
            return self._xrm_refuse(
                rating, _("This satisfaction request is addressed to someone else.")
            )
        feedback = kwargs.get("feedback") or ""
        try:
            rate = int(rate)
        except (TypeError, ValueError):
            rate = 0
        try:
            with request.env.cr.savepoint():
                record_sudo.rating_apply(rate, rating=rating, feedback=feedback)
        except UserError as error:
            # Nothing written: the savepoint is gone; the form comes back.
            return self._xrm_form(
                rating,
                token,
                rate,
                feedback=feedback[:SURVEY_FEEDBACK_MAX],
                error=error.args[0],
                status=400,
            )
        return self._xrm_render("rating.rating_external_page_view", rating, {})
