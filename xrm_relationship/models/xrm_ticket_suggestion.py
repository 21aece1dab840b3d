# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, is_html_empty

# 'simple' keeps every language's words as written (Persian and English
# tickets live side by side); English stop words are dropped from queries.
TS_CONFIG = "simple"
TICKET_INDEX = "helpdesk_ticket_xrm_fts_idx"
MAX_TICKETS = 5
# The words of a new ticket that make its query: enough to catch the
# problem, few enough that a query stays a handful of index lookups.
MAX_WORDS = 24
# A word in more than this share of the tickets tells little (e.g. "printer"
# in a printing shop's helpdesk): it is not searched for.
MAX_WORD_SHARE = 0.02
# ... nor a word in more than this many, however large the helpdesk: each
# match is a row to visit, so a share alone would make every search grow
# with the corpus (2 % of 500,000 tickets is 10,000 rows per word).
MAX_WORD_TICKETS = 1000
# Rarity weight floor: a word on no statistics list counts as this share.
MIN_WORD_SHARE = 0.0005
# Tickets ranked on their full text, out of the best by rare words.
CANDIDATES = 50
# Words PostgreSQL lists with their share (10 per point): Odoo's default
# (100, so 1,000 words) leaves a large helpdesk's fairly common words off the
# list, counted as rare and searched; 3,000 cost ANALYZE about 8 s on 500,000
# tickets instead of 3.
WORD_STATISTICS = 300


class XrmTicketSuggestion(models.Model):
    """Related knowledge for a ticket: what the team already answered.

    Computed when a ticket is created (and on demand) by PostgreSQL
    full-text search over resolved tickets; the bridge addon
    ``xrm_relationship_document_page`` adds knowledge pages.
    """

    _name = "xrm.ticket.suggestion"
    _description = "Related Knowledge Suggestion"
    _order = "ticket_id, sequence, score desc, id"
    # Fields naming the knowledge offered; a bridge adds its own (page_id).
    _xrm_source_fields = ("similar_ticket_id",)

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    sequence = fields.Integer(string="Rank")
    kind = fields.Selection(
        [("ticket", "Resolved Ticket")], required=True, default="ticket"
    )
    similar_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Resolved Ticket", ondelete="cascade"
    )
    score = fields.Float(
        string="Similarity",
        digits=(16, 4),
        help="PostgreSQL ts_rank of the shared words; higher is closer.",
    )
    name = fields.Char(string="Title", compute="_compute_knowledge")
    answer = fields.Html(
        compute="_compute_knowledge",
        sanitize=True,
        help="What is sent to the customer: the resolution written on the "
        "resolved ticket, or the knowledge page.",
    )
    has_answer = fields.Boolean(compute="_compute_knowledge")
    sent_date = fields.Datetime(string="Sent On", readonly=True)
    sent_uid = fields.Many2one("res.users", string="Sent By", readonly=True)

    @api.depends("kind", "similar_ticket_id")
    def _compute_knowledge(self):
        # Knowledge is shared across the helpdesk: read the source as superuser,
        # but only its title and the resolution written to be reused.
        for suggestion in self:
            source = suggestion.similar_ticket_id.sudo()
            suggestion.name = source.display_name if source else False
            answer = source.xrm_resolution if source else False
            suggestion.answer = answer
            suggestion.has_answer = not is_html_empty(answer)

    # ------------------------------------------------------------------
    # Similarity search
    # ------------------------------------------------------------------
    @api.model
    def _xrm_ticket_vector_sql(self, alias):
        """The tsvector of a ticket's problem: title (weight A), description (B).

        Must stay identical to the expression of the GIN index built in
        init(), or PostgreSQL will not use the index.
        """
        table = SQL.identifier(alias)
        return SQL(
            "(setweight(to_tsvector(%(config)s::regconfig, "
            "COALESCE(%(t)s.name, '')), 'A') || "
            "setweight(to_tsvector(%(config)s::regconfig, regexp_replace("
            "COALESCE(%(t)s.description, ''), '<[^>]*>', ' ', 'g')), 'B'))",
            config=SQL(f"'{TS_CONFIG}'"),
            t=table,
        )

    def init(self):
        # An expression index: no extra column to keep in sync, and tickets
        # created by SQL imports are indexed too.
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS %s ON helpdesk_ticket USING gin (%s)",
                SQL.identifier(TICKET_INDEX),
                self._xrm_ticket_vector_sql("helpdesk_ticket"),
            )
        )
        self.env.cr.execute(
            SQL(
                "ALTER INDEX %s ALTER COLUMN 1 SET STATISTICS %s",
                SQL.identifier(TICKET_INDEX),
                WORD_STATISTICS,
            )
        )

    @api.model
    def _xrm_words_sql(self, vector, index=TICKET_INDEX):
        """Rows (lexeme, share, query) of the most telling words of ``vector``.

        Telling = rare in the corpus: PostgreSQL's statistics of the GIN
        index's expression (kept by ANALYZE and autovacuum) list the most
        common words with the share of documents holding them. Words in more
        than MAX_WORD_SHARE of them are left out (the 3 rarest are kept
        anyway), as are English stop words and words under 3 letters; the
        rarest come first, title words first. Without statistics every word
        counts as rare. In a large helpdesk, words in more than
        MAX_WORD_TICKETS tickets are left out too (the index's row count).
        """
        return SQL(
            """
            WITH stats AS (
                SELECT s.most_common_elems::text::text[] AS elems,
                       s.most_common_elem_freqs AS freqs
                  FROM pg_stats s
                 WHERE s.schemaname = current_schema() AND s.tablename = %(index)s
                 LIMIT 1
            ),
            share AS (
                SELECT e.elem, e.share
                  FROM stats, unnest(stats.elems, stats.freqs) AS e(elem, share)
                 WHERE e.elem IS NOT NULL
            ),
            cap AS (
                SELECT LEAST(%(max_share)s, COALESCE((
                    SELECT %(max_tickets)s / GREATEST(c.reltuples, 1)
                      FROM pg_class c
                     WHERE c.relname = %(index)s
                       AND c.relnamespace = current_schema()::regnamespace
                ), 1)) AS share
            ),
            word AS (
                SELECT u.lexeme, COALESCE(share.share, 0) AS share,
                       row_number() OVER (
                           ORDER BY COALESCE(share.share, 0),
                                    'A' = ANY(u.weights) DESC,
                                    length(u.lexeme) DESC, u.lexeme
                       ) AS n
                  FROM unnest(%(vector)s) AS u
                  LEFT JOIN share ON share.elem = u.lexeme
                 WHERE length(u.lexeme) >= 3
                   AND ts_lexize('english_stem', u.lexeme) IS DISTINCT FROM '{}'
            )
            SELECT lexeme, word.share,
                   ('''' || replace(replace(lexeme, '\\', '\\\\'), '''', '''''')
                    || '''')::tsquery AS query
              FROM word, cap
             WHERE word.share <= cap.share OR n <= 3
             ORDER BY n
             LIMIT %(words)s
            """,
            vector=vector,
            index=index,
            max_share=MAX_WORD_SHARE,
            max_tickets=float(MAX_WORD_TICKETS),
            words=MAX_WORDS,
        )

    @api.model
    def _xrm_query_sql(self, words):
        """One OR tsquery of the ``words`` rows."""
        return SQL(
            "SELECT string_agg(w.query::text, ' | ')::tsquery AS query FROM (%s) w",
            words,
        )

    @api.model
    def _xrm_similar_tickets(self, ticket, limit=MAX_TICKETS):
        """[(ticket id, rank)] of resolved tickets closest to ``ticket``.

        Two steps, so that no ticket's text is parsed again but the best:
        each word's matches come from the GIN index alone and are weighed by
        the word's rarity (log 1/share); the CANDIDATES best are then ranked
        by ts_rank on their full text (title words count more).
        """
        self.env["helpdesk.ticket"].flush_model(
            ["name", "description", "stage_id", "active", "company_id"]
        )
        self.env["helpdesk.ticket.stage"].flush_model(["closed"])
        company = ticket.company_id.id
        words = self._xrm_words_sql(
            SQL(
                "(SELECT %s FROM helpdesk_ticket t WHERE t.id = %s)",
                self._xrm_ticket_vector_sql("t"),
                ticket.id,
            )
        )
        self.env.cr.execute(
            SQL(
                """
                WITH word AS (%(words)s),
                hit AS (
                    SELECT c.id,
                           SUM(ln(1.0 / GREATEST(w.share, %(min_share)s))) AS weight
                      FROM word w
                      JOIN LATERAL (
                        SELECT c.id FROM helpdesk_ticket c
                         WHERE %(vector)s @@ w.query
                           AND c.active AND c.id != %(ticket)s
                           AND c.stage_id IN (
                               SELECT id FROM helpdesk_ticket_stage WHERE closed)
                           AND (c.company_id IS NULL OR %(company)s IS NULL
                                OR c.company_id = %(company)s)
                      ) c ON TRUE
                     GROUP BY c.id
                     ORDER BY weight DESC, c.id DESC
                     LIMIT %(candidates)s
                ),
                q AS (%(query)s)
                SELECT c.id, ts_rank(%(vector)s, q.query, 1) AS rank
                  FROM hit JOIN helpdesk_ticket c ON c.id = hit.id, q
                 ORDER BY rank DESC, hit.weight DESC, c.closed_date DESC NULLS LAST,
                          c.id DESC
                 LIMIT %(limit)s
                """,
                words=words,
                query=self._xrm_query_sql(SQL("SELECT * FROM word")),
                vector=self._xrm_ticket_vector_sql("c"),
                ticket=ticket.id,
                company=company,
                min_share=MIN_WORD_SHARE,
                candidates=CANDIDATES,
                limit=limit,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _xrm_suggestion_vals(self, ticket):
        """Values of the suggestions of one ticket; extended by bridges."""
        return [
            {
                "ticket_id": ticket.id,
                "kind": "ticket",
                "similar_ticket_id": similar_id,
                "score": rank,
            }
            for similar_id, rank in self._xrm_similar_tickets(ticket)
        ]

    @api.model
    def _xrm_refresh(self, tickets):
        """Replace the suggestions of ``tickets`` (superuser: shared knowledge)."""
        Suggestion = self.sudo()
        tickets = tickets.sudo()
        Suggestion.search(
            [("ticket_id", "in", tickets.ids), ("sent_date", "=", False)]
        ).unlink()
        sent = Suggestion.search([("ticket_id", "in", tickets.ids)])
        vals_list = []
        for ticket in tickets:
            # What was sent stays, once: never offered twice.
            already = {
                (s.kind, *(s[name].id for name in self._xrm_source_fields))
                for s in sent
                if s.ticket_id == ticket
            }
            ticket_vals = [
                vals
                for vals in Suggestion._xrm_suggestion_vals(ticket)
                if (
                    vals["kind"],
                    *(vals.get(name) or False for name in self._xrm_source_fields),
                )
                not in already
            ]
            # One ranking across kinds: the closest first.
            ticket_vals.sort(key=lambda vals: -vals["score"])
            for rank, vals in enumerate(ticket_vals, start=1):
                vals["sequence"] = rank
            vals_list += ticket_vals
        return Suggestion.create(vals_list)

    @api.model
    def _xrm_refresh_open_tickets(self):
        """Suggest again for every open ticket, e.g. once pages were added."""
        tickets = (
            self.env["helpdesk.ticket"].sudo().search([("stage_id.closed", "=", False)])
        )
        return self._xrm_refresh(tickets)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_send(self):
        """Post the answer to the ticket's customer, as a public reply."""
        self.ensure_one()
        ticket = self.ticket_id
        # The agent must be allowed to answer on this ticket.
        ticket.check_access("read")
        if not ticket.partner_id:
            raise UserError(
                _("Ticket %s has no customer to send the answer to.", ticket.number)
            )
        if not self.has_answer:
            raise UserError(
                _(
                    "%s has no resolution to send yet: write one on it first.",
                    self.name,
                )
            )
        body = Markup("<p>%s</p>%s") % (
            _("This answer to a similar request may help you: %s", self.name),
            self.answer,
        )
        message = ticket.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=ticket.partner_id.ids,
        )
        self.sudo().write(
            {"sent_date": fields.Datetime.now(), "sent_uid": self.env.uid}
        )
        return message

    def action_open_source(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": self.similar_ticket_id.id,
            "view_mode": "form",
            "target": "current",
        }
