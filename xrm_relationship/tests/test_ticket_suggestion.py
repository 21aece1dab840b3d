# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Related knowledge on new tickets: ranking, sending, access."""

from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestTicketSuggestion(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A company of its own: demo tickets never enter the corpus.
        cls.company = cls.env["res.company"].create({"name": "Knowledge Co"})
        cls.other_company = cls.env["res.company"].create({"name": "Elsewhere"})
        companies = [(6, 0, [cls.company.id, cls.other_company.id])]
        cls.xrm_user.write(
            {"company_ids": [(4, cls.company.id)], "company_id": cls.company.id}
        )
        cls.colleague = new_test_user(
            cls.env,
            login="ks_colleague",
            name="Colin Colleague",
            groups="helpdesk_mgmt.group_helpdesk_user_own",
            company_id=cls.company.id,
            company_ids=companies,
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Acme Printing", "email": "help@acme.example.com"}
        )
        cls.done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.blank_pages = cls._ticket(
            "Printer prints blank pages",
            "The office printer prints blank pages after the toner was replaced.",
            closed=True,
            resolution="<p>Pull the orange seal tab out of the new toner.</p>",
        )
        cls.offline = cls._ticket(
            "Printer offline",
            "The printer shows offline on the network since Monday.",
            closed=True,
        )
        cls.login = cls._ticket(
            "Cannot log in to the portal",
            "Password reset email never arrives.",
            closed=True,
            resolution="<p>Look in the spam folder.</p>",
        )
        # Open tickets and other companies' are no knowledge to offer.
        cls.still_open = cls._ticket(
            "Printer prints blank pages again",
            "Blank pages from the printer after toner change.",
        )
        cls.foreign = cls._ticket(
            "Printer prints blank pages",
            "Blank pages from the printer after toner change.",
            closed=True,
            company=cls.other_company,
            resolution="<p>Secret answer.</p>",
        )

    @classmethod
    def _ticket(cls, name, text, closed=False, resolution=False, company=None, **vals):
        return cls.env["helpdesk.ticket"].create(
            {
                "name": name,
                "description": f"<p>{text}</p>",
                "partner_id": cls.customer.id,
                "company_id": (company or cls.company).id,
                "stage_id": (cls.done if closed else cls.new).id,
                "user_id": cls.xrm_user.id,
                "xrm_resolution": resolution,
                **vals,
            }
        )

    def _new_request(self, **vals):
        return self._ticket(
            "Blank pages from printer",
            "Since we replaced the toner the printer only prints <b>blank</b> pages.",
            **vals,
        )

    def test_resolved_ticket_sharing_the_words_comes_first(self):
        ticket = self._new_request()
        suggestions = ticket.xrm_suggestion_ids.sorted("sequence")
        # 'blank', 'pages', 'printer', 'toner', 'prints' shared vs 'printer' alone.
        self.assertEqual(
            suggestions.mapped("similar_ticket_id"), self.blank_pages | self.offline
        )
        self.assertEqual(suggestions.mapped("sequence"), [1, 2])
        self.assertGreater(suggestions[0].score, suggestions[1].score)
        self.assertEqual(suggestions[0].name, self.blank_pages.display_name)
        self.assertIn("orange seal tab", suggestions[0].answer)
        self.assertFalse(suggestions[1].has_answer)

    def test_persian_words_match(self):
        invoice = self._ticket(
            "خطا در چاپ فاکتور فروش", "فاکتور فروش چاپ نمی شود", closed=True
        )
        ticket = self._ticket("چاپ فاکتور", "فاکتور مشتری چاپ نمی شود")
        self.assertEqual(ticket.xrm_suggestion_ids[:1].similar_ticket_id, invoice)

    def test_no_shared_word_no_suggestion(self):
        ticket = self._ticket("Xylophone tuning", "Zebra quokka.")
        self.assertFalse(ticket.xrm_suggestion_ids)

    def test_send_posts_the_resolution_to_the_customer(self):
        ticket = self._new_request()
        first = ticket.xrm_suggestion_ids.sorted("sequence")[0]
        message = first.with_user(self.xrm_user).action_send()
        self.assertIn("orange seal tab", str(message.body))
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(message.model, "helpdesk.ticket")
        self.assertEqual(message.res_id, ticket.id)
        self.assertTrue(first.sent_date)
        self.assertEqual(first.sent_uid, self.xrm_user)
        # Refreshing keeps what was sent, once, and finds the rest again.
        ticket.action_xrm_refresh_suggestions()
        self.assertEqual(
            ticket.xrm_suggestion_ids.mapped("similar_ticket_id"),
            self.blank_pages | self.offline,
        )
        self.assertEqual(len(ticket.xrm_suggestion_ids), 2)

    def test_send_refuses_without_answer_or_customer(self):
        ticket = self._new_request()
        without_answer = ticket.xrm_suggestion_ids.filtered(
            lambda s: s.similar_ticket_id == self.offline
        )
        with self.assertRaisesRegex(UserError, "no resolution"):
            without_answer.action_send()
        anonymous = self._new_request(partner_id=False)
        with self.assertRaisesRegex(UserError, "no customer"):
            anonymous.xrm_suggestion_ids[:1].action_send()

    def test_access(self):
        ticket = self._new_request()
        suggestion = ticket.xrm_suggestion_ids[:1]
        # No helpdesk rights: no knowledge.
        with self.assertRaises(AccessError):
            suggestion.with_user(self.plain_user).read(["name"])
        # A helpdesk agent reaches the suggestions of their tickets only.
        with self.assertRaises(AccessError):
            suggestion.with_user(self.colleague).read(["name"])
        with self.assertRaises(AccessError):
            suggestion.with_user(self.colleague).action_send()
        self.assertEqual(
            suggestion.with_user(self.xrm_user).read(["name"])[0]["id"], suggestion.id
        )

    def test_context_switch_skips_the_search(self):
        ticket = (
            self.env["helpdesk.ticket"]
            .with_context(xrm_no_suggestions=True)
            .create(
                {
                    "name": "Printer prints blank pages",
                    "description": "<p>Blank pages</p>",
                    "company_id": self.company.id,
                }
            )
        )
        self.assertFalse(ticket.xrm_suggestion_ids)
        ticket.action_xrm_refresh_suggestions()
        self.assertEqual(
            ticket.xrm_suggestion_ids.sorted("sequence")[:1].similar_ticket_id,
            self.blank_pages,
        )

    def test_the_index_exists(self):
        self.env.cr.execute(
            "SELECT 1 FROM pg_indexes WHERE indexname = 'helpdesk_ticket_xrm_fts_idx'"
        )
        self.assertTrue(self.env.cr.fetchone())

    def test_a_word_in_too_many_tickets_is_not_searched(self):
        """However large the helpdesk: a word found in more than
        MAX_WORD_TICKETS tickets is not searched for (each match is a row to
        visit), whatever its share; the three rarest words still are."""
        for index in range(6):
            self._ticket(f"Zorbex fault {index}", "The zorbex stopped.", closed=True)
        self._ticket("Quixel fault", "The quixel stopped.", closed=True)
        self.env.flush_all()
        self.env.cr.execute("ANALYZE helpdesk_ticket")  # the words' shares

        def words():
            self.env.cr.execute(
                self.env["xrm.ticket.suggestion"]._xrm_words_sql(
                    SQL(
                        "to_tsvector('simple', %s)",
                        "zorbex quixel plonkaa walrusy frobnik",
                    )
                )
            )
            return {row[0] for row in self.env.cr.fetchall()}

        module = "odoo.addons.xrm_relationship.models.xrm_ticket_suggestion"
        with patch(f"{module}.MAX_WORD_SHARE", 1.0):
            self.assertIn("zorbex", words(), "no share or count leaves it out")
            with patch(f"{module}.MAX_WORD_TICKETS", 3):
                found = words()
        self.assertNotIn("zorbex", found, "in six tickets, more than three")
        self.assertIn("quixel", found, "in one ticket")
        self.assertTrue({"plonkaa", "walrusy", "frobnik"} <= found)

    def test_words_have_deeper_statistics(self):
        """PostgreSQL lists 3,000 words with their share, not Odoo's 1,000."""
        self.env.cr.execute(
            "SELECT attstattarget FROM pg_attribute"
            " WHERE attrelid = 'helpdesk_ticket_xrm_fts_idx'::regclass"
        )
        self.assertEqual(self.env.cr.fetchone()[0], 300)
