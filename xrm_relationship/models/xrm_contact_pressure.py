# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import _, api, fields, models

from ..tools.settings import xrm_setting_number


class XrmContactPressure(models.AbstractModel):
    """Outbound contacts per relationship and period, against a limit.

    The rule of contact pressure in one place: the period and the limits
    (Settings, or the relationship's own), the count, and the warning shown
    before one contact too many. Mixed into the interaction (its form warns);
    the partner, the lead, the ticket and the mail composer ask it.
    """

    _name = "xrm.contact.pressure"
    _description = "Relationship Contact Pressure"

    @api.model
    def _xrm_pressure_days(self):
        return max(xrm_setting_number(self.env, "pressure_period_days", 30, int), 1)

    @api.model
    def _xrm_pressure_type_limits(self):
        """{relationship type: default maximum of outbound contacts (0: none)}."""
        return {
            rtype: max(xrm_setting_number(self.env, f"pressure_max_{rtype}", 0, int), 0)
            for rtype in dict(
                self.env["res.partner"]._fields["xrm_relation_type"].selection
            )
        }

    @api.model
    def _xrm_pressure_max(self, partner):
        """The relationship's own limit, else its type's default (0: none)."""
        partner.ensure_one()
        if partner.xrm_max_outbound > 0:
            return partner.xrm_max_outbound
        return self._xrm_pressure_type_limits().get(
            partner.xrm_relation_type or "other", 0
        )

    @api.model
    def _xrm_pressure_domain(self, partners, at=None, exclude_ids=()):
        """Outbound contacts of ``partners`` in [at − period, at] made by the
        reader's companies (a shared relationship has a limit per company)."""
        at = at or fields.Datetime.now()
        since = at - timedelta(days=self._xrm_pressure_days())
        domain = [
            ("partner_id", "in", partners.ids),
            ("direction", "=", "outbound"),
            ("date", ">=", since),
            ("date", "<=", at),
            ("company_id", "in", self.env.companies.ids),
        ]
        if exclude_ids:
            domain.append(("id", "not in", list(exclude_ids)))
        return domain

    @api.model
    def _xrm_pressure_counts(self, partners, at=None, exclude_ids=()):
        """{partner id: outbound contacts in the period}, one grouped query.

        Counted with sudo within the reader's companies: the customer feels
        every contact, including those of colleagues whose interactions the
        reader may not open.
        """
        if not partners:
            return {}
        Interaction = self.env["xrm.interaction"].sudo()
        groups = Interaction._read_group(
            self._xrm_pressure_domain(partners, at, exclude_ids),
            ["partner_id"],
            ["__count"],
        )
        counts = {partner.id: count for partner, count in groups}
        # A satisfaction request is one more outbound contact: counted by the
        # date it was mailed, on its interaction (whose own contact is counted
        # above when outbound); its mail is on the interaction, which capture
        # does not follow, so it is never counted twice.
        for partner, count in Interaction._read_group(
            self._xrm_pressure_survey_domain(partners, at),
            ["partner_id"],
            ["__count"],
        ):
            counts[partner.id] = counts.get(partner.id, 0) + count
        return counts

    @api.model
    def _xrm_pressure_survey_domain(self, partners, at=None):
        """Satisfaction requests mailed to ``partners`` in [at − period, at]."""
        at = at or fields.Datetime.now()
        return [
            ("partner_id", "in", partners.ids),
            (
                "xrm_survey_sent_date",
                ">=",
                at - timedelta(days=self._xrm_pressure_days()),
            ),
            ("xrm_survey_sent_date", "<=", at),
            ("company_id", "in", self.env.companies.ids),
        ]

    @api.model
    def _xrm_pressure_status(self, partners):
        """{partner: (count, limit, state, label)} of each relationship's
        commercial entity, for the partner, lead and ticket forms."""
        days = self._xrm_pressure_days()
        # _origin: a form being edited holds new records of saved partners.
        counts = self._xrm_pressure_counts(partners.commercial_partner_id._origin)
        status = {}
        for partner in partners:
            commercial = partner.commercial_partner_id
            count = counts.get(commercial._origin.id, 0)
            limit = self._xrm_pressure_max(commercial)
            if not limit or count < limit:
                state = "ok"
            else:
                state = "full" if count == limit else "over"
            if limit:
                label = _(
                    "%(count)s / %(limit)s outbound in %(days)s days",
                    count=count,
                    limit=limit,
                    days=days,
                )
            else:
                label = _("%(count)s outbound in %(days)s days", count=count, days=days)
            status[partner] = (count, limit, state, label)
        return status

    @api.model
    def _xrm_pressure_warning(self, partner, at=None, exclude_ids=(), extra=1):
        """The warning text when ``extra`` more contacts go past the limit."""
        partner = partner.commercial_partner_id
        if not partner:
            return False
        limit = self._xrm_pressure_max(partner)
        if not limit:
            return False
        count = self._xrm_pressure_counts(partner, at, exclude_ids).get(partner.id, 0)
        if count + extra <= limit:
            return False
        # Listed: only the contacts the reader may open (names of colleagues
        # and their channels are theirs); the others are counted above.
        Interaction = self.env["xrm.interaction"]
        recent = Interaction.search(
            self._xrm_pressure_domain(partner, at, exclude_ids), limit=5
        )
        channels = dict(Interaction._fields["channel"]._description_selection(self.env))
        nobody = _("nobody")  # not inside the generator: _ reads the caller's frame
        lines = [
            "• %s · %s · %s"
            % (
                fields.Datetime.context_timestamp(self, rec.date).strftime(
                    "%Y-%m-%d %H:%M"
                ),
                rec.user_id.sudo().name or nobody,
                channels.get(rec.channel, rec.channel),
            )
            for rec in recent
        ]
        if len(recent) < min(count, 5):
            lines.append(
                _("• %s more by colleagues", count - len(recent))
                if recent
                else _("• %s by colleagues", count)
            )
        lines = "\n".join(lines)
        return _(
            "%(partner)s has already had %(count)s outbound contacts in the last "
            "%(days)s days (limit %(limit)s). Recent contacts:\n%(lines)s",
            partner=partner.display_name,
            count=count,
            days=self._xrm_pressure_days(),
            limit=limit,
            lines=lines,
        )
