# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL, is_html_empty

from odoo.addons.xrm_relationship.models.xrm_ticket_suggestion import TS_CONFIG

PAGE_INDEX = "document_page_history_xrm_fts_idx"
MAX_PAGES = 3


class XrmTicketSuggestion(models.Model):
    _inherit = "xrm.ticket.suggestion"
    _xrm_source_fields = ("similar_ticket_id", "page_id")

    kind = fields.Selection(
        selection_add=[("page", "Knowledge Page")], ondelete={"page": "cascade"}
    )
    page_id = fields.Many2one(
        "document.page", string="Knowledge Page", ondelete="cascade"
    )

    @api.model
    def _xrm_page_vector_sql(self, alias):
        """tsvector of a page version's text; identical to the index in init()."""
        return SQL(
            "to_tsvector(%(config)s::regconfig, regexp_replace("
            "COALESCE(%(h)s.content, ''), '<[^>]*>', ' ', 'g'))",
            config=SQL(f"'{TS_CONFIG}'"),
            h=SQL.identifier(alias),
        )

    def init(self):
        super().init()
        # A page's text lives in its current version (history head).
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON document_page_history USING gin (%s)",
                SQL.identifier(PAGE_INDEX),
                self._xrm_page_vector_sql("document_page_history"),
            )
        )

    @api.depends("page_id")
    @api.depends_context("uid")
    def _compute_knowledge(self):
        super()._compute_knowledge()
        pages = self.filtered(lambda s: s.kind == "page")
        # Suggested as superuser, shown only to who may read the page
        # (document_page's groups and rules decide).
        readable = pages.page_id._filtered_access("read")
        for suggestion in pages:
            page = suggestion.page_id.sudo()
            if suggestion.page_id not in readable:
                page = page.browse()
            suggestion.name = page.name
            suggestion.answer = page.content
            suggestion.has_answer = not is_html_empty(page.content)

    # ------------------------------------------------------------------
    # A page suggestion is as private as its page
    # ------------------------------------------------------------------
    @api.model
    def _xrm_readable_page_domain(self):
        Page = self.env["document.page"]
        domain = Domain("kind", "!=", "page")
        if Page.has_access("read"):
            domain |= Domain("page_id", "in", Page._search([]))
        return domain

    @api.model
    def _search(self, domain, *args, **kwargs):
        if not (self.env.su or kwargs.get("bypass_access")):
            domain = Domain(domain) & self._xrm_readable_page_domain()
        return super()._search(domain, *args, **kwargs)

    def _check_access(self, operation):
        result = super()._check_access(operation)
        if self.env.su or not self:
            return result
        allowed = self - result[0] if result else self
        pages = allowed.sudo().filtered(lambda s: s.kind == "page")
        if not pages:
            return result
        readable = pages.page_id.with_env(self.env)._filtered_access("read")
        hidden = self.browse(
            [s.id for s in pages if s.page_id not in readable or not s.page_id]
        )
        if not hidden:
            return result
        forbidden = (result[0] if result else self.browse()) | hidden

        def make_error():
            # No title nor content of the page in the message.
            return AccessError(
                _(
                    "You may not read the knowledge page suggested here "
                    "(suggestion ids %s).",
                    hidden.ids[:6],
                )
            )

        return forbidden, make_error

    @api.model
    def _xrm_similar_pages(self, ticket, limit=MAX_PAGES):
        """[(page id, rank)] of the knowledge pages closest to ``ticket``."""
        self.env["document.page"].flush_model()
        self.env["document.page.history"].flush_model()
        title = SQL(
            "setweight(to_tsvector(%s::regconfig, COALESCE(p.name, '')), 'A')",
            SQL(f"'{TS_CONFIG}'"),
        )
        self.env.cr.execute(
            SQL(
                """
                WITH q AS (%(query)s),
                candidate AS (
                    -- the text through its index, the (short) titles directly
                    SELECT p.id FROM q, document_page p
                      JOIN document_page_history h ON h.id = p.history_head
                     WHERE %(text)s @@ q.query
                    UNION
                    SELECT p.id FROM q, document_page p WHERE %(title)s @@ q.query
                )
                SELECT p.id,
                       ts_rank(%(title)s || setweight(
                           COALESCE(%(text)s, ''::tsvector), 'B'), q.query, 1)
                  FROM q, candidate c
                  JOIN document_page p ON p.id = c.id
                  LEFT JOIN document_page_history h ON h.id = p.history_head
                 WHERE p.active AND p.type = 'content'
                   AND (p.company_id IS NULL OR %(company)s IS NULL
                        OR p.company_id = %(company)s)
                 ORDER BY 2 DESC, p.id DESC
                 LIMIT %(limit)s
                """,
                query=self._xrm_query_sql(
                    self._xrm_words_sql(
                        SQL(
                            "(SELECT %s FROM helpdesk_ticket t WHERE t.id = %s)",
                            self._xrm_ticket_vector_sql("t"),
                            ticket.id,
                        ),
                        index=PAGE_INDEX,
                    )
                ),
                text=self._xrm_page_vector_sql("h"),
                title=title,
                company=ticket.company_id.id,
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _xrm_suggestion_vals(self, ticket):
        vals_list = super()._xrm_suggestion_vals(ticket)
        return vals_list + [
            {"ticket_id": ticket.id, "kind": "page", "page_id": page_id, "score": rank}
            for page_id, rank in self._xrm_similar_pages(ticket)
        ]

    def action_open_source(self):
        self.ensure_one()
        if self.kind != "page":
            return super().action_open_source()
        return {
            "type": "ir.actions.act_window",
            "res_model": "document.page",
            "res_id": self.page_id.id,
            "view_mode": "form",
            "target": "current",
        }
