# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The bridge's Persian translation covers every string."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from odoo.tests import TransactionCase, tagged

I18N = Path(__file__).resolve().parent.parent / "i18n"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)\.?\d*[sdf]|%s|%%")


@tagged("post_install", "-at_install")
class TestPersian(TransactionCase):
    def test_every_string_is_translated(self):
        with open(I18N / "xrm_relationship_document_page.pot", "rb") as pot:
            template = {m.id for m in read_po(pot) if m.id}
        with open(I18N / "fa.po", "rb") as po:
            persian = {m.id: m.string for m in read_po(po) if m.id}
        self.assertEqual(set(persian), template, "fa.po is behind the .pot")
        for msgid, msgstr in persian.items():
            self.assertTrue(msgstr, f"untranslated: {msgid!r}")
            self.assertEqual(
                sorted(PLACEHOLDER.findall(msgid)), sorted(PLACEHOLDER.findall(msgstr))
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
