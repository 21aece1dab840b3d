# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Knowledge pages join resolved tickets in a new ticket's suggestions."""

from odoo.tests import tagged

from odoo.addons.xrm_relationship.tests.common import XrmCommon


@tagged("post_install", "-at_install")
class TestDocumentPageSuggestion(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Wiki Co"})
        cls.xrm_user.write(
            {
                "company_ids": [(4, cls.company.id)],
                "company_id": cls.company.id,
                # sending a page needs reading it (document_page's group)
                "group_ids": [
                    (4, cls.env.ref("document_knowledge.group_document_user").id)
                ],
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Vega Vending", "email": "ops@vega.example.com"}
        )
        Page = cls.env["document.page"]
        cls.guide = Page.create(
            {
                "name": "Vending machine rejects coins",
                "content": "<p>Clean the coin validator with the brush, then "
                "recalibrate the coin validator from the service menu.</p>",
                "company_id": cls.company.id,
            }
        )
        cls.other = Page.create(
            {
                "name": "Holiday calendar",
                "content": "<p>Offices close on public holidays.</p>",
                "company_id": cls.company.id,
            }
        )
        cls.elsewhere = Page.create(
            {
                "name": "Vending machine rejects coins",
                "content": "<p>Another company's coin validator guide.</p>",
                "company_id": cls.env["res.company"].create({"name": "Far"}).id,
            }
        )
        cls.resolved = cls.env["helpdesk.ticket"].create(
            {
                "name": "Machine rejects coins",
                "description": "<p>The machine in the lobby rejects every coin.</p>",
                "company_id": cls.company.id,
                "stage_id": cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
                "xrm_resolution": "<p>Validator replaced.</p>",
            }
        )

    def test_pages_are_suggested_and_sent(self):
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Vending machine rejects coins",
                "description": "<p>Our vending machine rejects all coins; the coin "
                "validator blinks.</p>",
                "partner_id": self.customer.id,
                "company_id": self.company.id,
                "user_id": self.xrm_user.id,
            }
        )
        suggestions = ticket.xrm_suggestion_ids.sorted("sequence")
        pages = suggestions.filtered(lambda s: s.kind == "page")
        self.assertEqual(pages.page_id, self.guide)
        self.assertEqual(
            suggestions.filtered(lambda s: s.kind == "ticket").similar_ticket_id,
            self.resolved,
        )
        # The guide shares title and validator words: first across kinds.
        self.assertEqual(suggestions[0].page_id, self.guide)
        self.assertEqual(suggestions[0].name, "Vending machine rejects coins")
        self.assertEqual(
            suggestions[0].action_open_source()["res_model"], "document.page"
        )
        message = suggestions[0].with_user(self.xrm_user).action_send()
        self.assertIn("recalibrate the coin validator", str(message.body))
        self.assertIn(self.customer, message.partner_ids)
        # Sent pages stay once after a refresh.
        ticket.action_xrm_refresh_suggestions()
        self.assertEqual(
            len(ticket.xrm_suggestion_ids.filtered(lambda s: s.page_id == self.guide)),
            1,
        )

    def test_page_index_exists(self):
        self.env.cr.execute(
            "SELECT 1 FROM pg_indexes "
            "WHERE indexname = 'document_page_history_xrm_fts_idx'"
        )
        self.assertTrue(self.env.cr.fetchone())
