# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The customer's side: their shared goals, their stories, their requests.

Portal users have no access to our models: these pages read, as superuser,
only the records of the visitor's own company (commercial entity) that are
meant for them, and the templates show only customer-facing fields (never
quality, notes, health, tier reasons or internal descriptions).
"""

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class XrmCustomerPortal(CustomerPortal):
    @staticmethod
    def _xrm_commercial():
        return request.env.user.partner_id.commercial_partner_id

    def _xrm_goal_domain(self):
        return [
            ("partner_id", "=", self._xrm_commercial().id),
            ("portal_shared", "=", True),
            ("state", "!=", "cancelled"),
        ]

    def _xrm_story_domain(self):
        return [
            ("partner_id", "=", self._xrm_commercial().id),
            ("state", "in", ("approved", "published")),
            ("consent", "=", True),
        ]

    def _xrm_rating_domain(self):
        # Requests addressed to the visitor only: a rating link answers in the
        # name of the person asked, a colleague's is theirs to answer.
        return [
            ("res_model", "=", "xrm.interaction"),
            ("consumed", "=", False),
            ("partner_id", "=", request.env.user.partner_id.id),
        ]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        env = request.env
        if request.env.user._is_public():
            return values
        # sudo: portal users read none of these models; the domains are theirs.
        if "xrm_goal_count" in counters:
            values["xrm_goal_count"] = (
                env["xrm.customer.goal"].sudo().search_count(self._xrm_goal_domain())
            )
        if "xrm_story_count" in counters:
            values["xrm_story_count"] = (
                env["xrm.success.story"].sudo().search_count(self._xrm_story_domain())
            )
        if "xrm_rating_count" in counters:
            values["xrm_rating_count"] = (
                env["rating.rating"].sudo().search_count(self._xrm_rating_domain())
            )
        return values

    def _xrm_render(self, template, page_name, **values):
        layout = self._prepare_portal_layout_values()
        layout.update(values, page_name=page_name)
        return request.render(template, layout)

    def _xrm_one(self, model, domain, record_id):
        """The record if it is among the visitor's, else a 404."""
        record = (
            request.env[model].sudo().search([*domain, ("id", "=", record_id)], limit=1)
        )
        if not record:
            raise request.not_found()
        return record

    @http.route("/my/goals", type="http", auth="user", website=True)
    def portal_my_xrm_goals(self, **kw):
        goals = request.env["xrm.customer.goal"].sudo().search(self._xrm_goal_domain())
        return self._xrm_render(
            "xrm_relationship.portal_my_xrm_goals", "xrm_goals", goals=goals
        )

    @http.route("/my/goals/<int:goal_id>", type="http", auth="user", website=True)
    def portal_my_xrm_goal(self, goal_id, **kw):
        goal = self._xrm_one("xrm.customer.goal", self._xrm_goal_domain(), goal_id)
        return self._xrm_render(
            "xrm_relationship.portal_my_xrm_goal",
            "xrm_goal",
            goal=goal,
            progress=max(0, min(goal.progress, 100)),
        )

    @http.route("/my/stories", type="http", auth="user", website=True)
    def portal_my_xrm_stories(self, **kw):
        stories = (
            request.env["xrm.success.story"].sudo().search(self._xrm_story_domain())
        )
        return self._xrm_render(
            "xrm_relationship.portal_my_xrm_stories", "xrm_stories", stories=stories
        )

    @http.route("/my/stories/<int:story_id>", type="http", auth="user", website=True)
    def portal_my_xrm_story(self, story_id, **kw):
        story = self._xrm_one("xrm.success.story", self._xrm_story_domain(), story_id)
        return self._xrm_render(
            "xrm_relationship.portal_my_xrm_story", "xrm_story", story=story
        )

    @http.route("/my/satisfaction", type="http", auth="user", website=True)
    def portal_my_xrm_ratings(self, **kw):
        ratings = request.env["rating.rating"].sudo().search(self._xrm_rating_domain())
        requests = [
            {
                # The interaction's date and channel only: never its notes.
                "date": rating.create_date,
                "subject": self._xrm_rating_subject(rating),
                # Odoo's rating page: /rate/<token>/<score>, score 5, 3 or 1.
                "url": f"/rate/{rating.access_token}",
            }
            for rating in ratings
        ]
        return self._xrm_render(
            "xrm_relationship.portal_my_xrm_ratings",
            "xrm_ratings",
            rating_requests=requests,
        )

    @staticmethod
    def _xrm_rating_subject(rating):
        interaction = request.env["xrm.interaction"].sudo().browse(rating.res_id)
        if not interaction.exists():
            return ""
        channels = dict(
            interaction._fields["channel"]._description_selection(request.env)
        )
        return channels.get(interaction.channel, "")
