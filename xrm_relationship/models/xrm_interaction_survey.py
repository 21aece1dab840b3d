# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Satisfaction requests after documented interactions (SPEC § Voice of the
customer), on Odoo's own rating.mixin, rating records, tokens and pages."""

import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import html_escape

from ..tools.capture import capture_suspended, run_isolated
from ..tools.settings import xrm_setting, xrm_setting_number
from .xrm_interaction import CHANNELS

_logger = logging.getLogger(__name__)

# A request about a contact weeks ago (an import of history, a late
# documentation) is noise, not a question about a fresh experience.
SURVEY_MAX_AGE_DAYS = 14
# The customer's comment: long enough for a story, short enough for a note.
SURVEY_FEEDBACK_MAX = 2000
# Answers at or below this one get a follow-up activity.
SURVEY_LOW_ANSWER = 2
# The partner form's response rate looks back this far.
SURVEY_WINDOW_DAYS = 365

SURVEY_STATES = [
    ("sent", "Sent"),
    ("answered", "Answered"),
    ("no_email", "Not sent: no email"),
    ("cooldown", "Not sent: asked recently"),
    ("pressure", "Not sent: contact limit"),
    ("failed", "Not sent: mail failed"),
]
# The states after which documenting again never asks a second time.
SURVEY_DONE = ("sent", "answered")


def survey_channels(env):
    """The interaction channels whose documented contacts ask (Settings)."""
    return [code for code, _label in CHANNELS if xrm_setting(env, f"survey_{code}")]


def survey_cooldown_days(env):
    return max(xrm_setting_number(env, "survey_cooldown_days", 30, int), 0)


class XrmInteraction(models.Model):
    _inherit = "xrm.interaction"  # pylint: disable=consider-merging-classes-inherited

    xrm_survey_state = fields.Selection(
        SURVEY_STATES,
        string="Satisfaction Request",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Whether the contact was asked for their satisfaction after this "
        "interaction was documented, or why not.",
    )
    xrm_survey_sent_date = fields.Datetime(
        string="Request Sent On",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="When the satisfaction request was mailed: it counts as an "
        "outbound contact for contact pressure.",
    )
    xrm_survey_contact_id = fields.Many2one(
        "res.partner",
        string="Asked Contact",
        readonly=True,
        copy=False,
        help="The person the satisfaction request was sent to.",
    )

    # ------------------------------------------------------------------
    # rating.mixin
    # ------------------------------------------------------------------
    def _rating_get_partner(self):
        """The person spoken to answers, not the company."""
        return self.contact_id or self.partner_id

    def _rating_get_operator(self):
        return self.user_id.partner_id

    def _rating_apply_get_default_subtype_id(self):
        return self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")

    def rating_apply(self, rate, token=None, rating=None, feedback=None, **kwargs):
        """A customer's answer: once, 1 to 5, with a bounded comment."""
        found = rating or self.env["rating.rating"].sudo().search(
            [("access_token", "=", token or "-")], limit=1
        )
        self._xrm_check_survey_answer(found, rate, feedback)
        return super().rating_apply(
            rate, token=token, rating=rating, feedback=feedback, **kwargs
        )

    @api.model
    def _xrm_check_survey_answer(self, rating, rate, feedback):
        if rating and rating.consumed:
            raise UserError(
                _(
                    "This satisfaction request has already been answered; "
                    "the answer cannot be changed."
                )
            )
        if rate not in (1, 2, 3, 4, 5):
            raise UserError(_("Choose an answer from 1 to 5."))
        if feedback and len(feedback) > SURVEY_FEEDBACK_MAX:
            raise UserError(
                _(
                    "Your comment is %(length)s characters long; please keep it "
                    "to %(max)s.",
                    length=len(feedback),
                    max=SURVEY_FEEDBACK_MAX,
                )
            )

    # ------------------------------------------------------------------
    # CRUD: documenting asks
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered(lambda i: i.state == "done")._xrm_survey_request()
        return records

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "done":
            self._xrm_survey_request()
        return res

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _xrm_survey_request(self):
        """Ask each documented interaction's contact once, if the fatigue
        guard allows it; never costs the documentation (run_isolated)."""
        if capture_suspended(self.env):  # demo loading, automatic mails
            return
        channels = survey_channels(self.env)
        oldest = fields.Datetime.now() - timedelta(days=SURVEY_MAX_AGE_DAYS)
        todo = self.filtered(
            lambda i: i.active
            and i.state == "done"
            and i.xrm_survey_state not in SURVEY_DONE
            and i.channel in channels
            and i.date >= oldest
        )
        for rec in todo:
            reason = rec._xrm_survey_blocker()
            if reason:
                rec._xrm_survey_skip(*reason)
                continue
            sent = run_isolated(
                self.env,
                rec._xrm_survey_send,
                what=f"satisfaction request of xrm.interaction {rec.id}",
            )
            if not sent:
                rec._xrm_survey_skip(
                    "failed",
                    _(
                        "The satisfaction request could not be sent (see the "
                        "server log); the documentation is kept."
                    ),
                )

    def _xrm_survey_blocker(self):
        """(state, explanation) when the request must not go, else None."""
        self.ensure_one()
        contact = self._rating_get_partner()
        if not contact.email:
            return "no_email", _(
                "No satisfaction request: %(contact)s has no email address.",
                contact=contact.display_name,
            )
        days = survey_cooldown_days(self.env)
        last = contact.sudo().xrm_survey_last_date
        if days and last and last > fields.Datetime.now() - timedelta(days=days):
            return "cooldown", _(
                "No satisfaction request: %(contact)s was already asked on "
                "%(date)s (at most one request every %(days)s days).",
                contact=contact.display_name,
                date=fields.Date.to_string(last.date()),
                days=days,
            )
        Pressure = self.env["xrm.contact.pressure"].sudo()
        commercial = self.partner_id.commercial_partner_id
        limit = Pressure._xrm_pressure_max(commercial)
        count = Pressure._xrm_pressure_counts(commercial).get(commercial.id, 0)
        if limit and count >= limit:
            return "pressure", _(
                "No satisfaction request: %(partner)s has had %(count)s outbound "
                "contacts in the last %(days)s days (limit %(limit)s).",
                partner=commercial.display_name,
                count=count,
                days=Pressure._xrm_pressure_days(),
                limit=limit,
            )
        return None

    def _xrm_survey_skip(self, state, explanation):
        self.sudo().write({"xrm_survey_state": state})
        self._message_log(body=explanation)

    def _xrm_survey_send(self):
        """Mail the request with Odoo's rating template idiom and token."""
        self.ensure_one()
        template = self.env.ref("xrm_relationship.mail_template_xrm_survey_request")
        contact = self._rating_get_partner()
        now = fields.Datetime.now()
        # Written first: two requests racing for one contact update the same
        # row, and the second is retried (then sees the cooldown).
        contact.sudo().write({"xrm_survey_last_date": now})
        self.sudo().write(
            {
                "xrm_survey_state": "sent",
                "xrm_survey_sent_date": now,
                "xrm_survey_contact_id": contact.id,
            }
        )
        # Queued, not sent now: the mail server's mood is not the documenting
        # user's problem; a bounce shows on the message as usual.
        self.rating_send_request(template, lang=contact.lang, force_send=False)
        return True

    def _xrm_survey_answered(self, rating):
        """A customer's answer: CSAT, and one follow-up when it is low."""
        self.ensure_one()
        first = self.xrm_survey_state != "answered"
        score = int(round(rating.rating))
        self.sudo().write({"csat": score, "xrm_survey_state": "answered"})
        if first and score <= SURVEY_LOW_ANSWER:
            run_isolated(
                self.env,
                self._xrm_survey_follow_up,
                rating,
                what=f"follow-up of the answer on xrm.interaction {self.id}",
            )

    def _xrm_survey_follow_up(self, rating):
        """One activity for the partner's salesperson, else the interaction's
        user: what was answered, on which contact, in the customer's words."""
        user = self.partner_id.commercial_partner_id.user_id or self.user_id
        if not user:
            return None
        note = Markup("<p>%s</p>") % _(
            "%(contact)s answered %(score)s out of 5 to the satisfaction request "
            "about “%(name)s” (%(date)s).",
            contact=rating.partner_id.display_name,
            score=int(round(rating.rating)),
            name=self.display_name,
            date=fields.Date.to_string(self.date.date()),
        )
        if rating.feedback:
            note += Markup("<blockquote>%s</blockquote>") % html_escape(rating.feedback)
        return self.sudo().activity_schedule(
            "xrm_relationship.mail_activity_type_xrm_low_satisfaction",
            summary=_("Low satisfaction: %s out of 5", int(round(rating.rating))),
            note=note,
            user_id=user.id,
        )

    @api.model
    def _xrm_survey_domains(self, domain, days=SURVEY_WINDOW_DAYS):
        """{figure: domain} of the requests sent in the last ``days`` within
        ``domain``: sent, answered, low answers."""
        since = fields.Datetime.now() - timedelta(days=days)
        sent = [*domain, ("xrm_survey_sent_date", ">=", since)]
        answered = [*sent, ("xrm_survey_state", "=", "answered")]
        return {
            "sent": sent,
            "answered": answered,
            "low": [*answered, ("csat", "<=", SURVEY_LOW_ANSWER)],
        }

    @api.model
    def _xrm_survey_figures(self, domain, days=SURVEY_WINDOW_DAYS):
        """Counts (with the reader's rights), response rate and mean answer."""
        domains = self._xrm_survey_domains(domain, days)
        figures = {name: self.search_count(d) for name, d in domains.items()}
        [(avg,)] = self._read_group(domains["answered"], [], ["csat:avg"])
        figures["rate"] = (
            round(100.0 * figures["answered"] / figures["sent"], 1)
            if figures["sent"]
            else 0.0
        )
        figures["avg"] = round(avg or 0.0, 2)
        figures["domains"] = domains
        return figures

    @api.model
    def _xrm_survey_action(self, name, domain):
        action = self._xrm_action_list(domain, {"create": False})
        action["name"] = name
        return action

    @api.model
    def _load_demo_survey(self):
        """Demo satisfaction requests (demo/xrm_survey_demo.xml)."""
        from ..demo import xrm_demo_history  # demo code stays out of production

        return xrm_demo_history.load_survey(self.env)
