# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's Persian translation covers every string."""

from pathlib import Path

from odoo.tests import TransactionCase, tagged

from odoo.addons.xrm_relationship.tests.test_i18n import (
    assert_translation_covers_template,
)

I18N = Path(__file__).resolve().parent.parent / "i18n"


@tagged("post_install", "-at_install")
class TestPersian(TransactionCase):
    def test_every_string_is_translated(self):
        assert_translation_covers_template(
            self, I18N / "xrm_relationship_document_page.pot", I18N / "fa.po"
        )

    def test_page_kind_in_persian(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["xrm_relationship_document_page"], ["fa_IR"], overwrite=True
        )
        kinds = dict(
            self.env["xrm.ticket.suggestion"]
            .with_context(lang="fa_IR")
            ._fields["kind"]
            ._description_selection(self.env(context={"lang": "fa_IR"}))
        )
        self.assertEqual(kinds["page"], "صفحه دانش")
