# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The Persian translation covers every string and loads into Odoo."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from odoo.tests import TransactionCase, tagged

I18N = Path(__file__).resolve().parent.parent / "i18n"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)\.?\d*[sdf]|%s|%%")


def assert_translation_covers_template(case, pot_path, po_path):
    """Every string of the .pot is in the .po, translated, same placeholders."""
    with open(pot_path, "rb") as pot:
        template = {m.id for m in read_po(pot) if m.id}
    with open(po_path, "rb") as po:
        translated = {m.id: m.string for m in read_po(po) if m.id}
    case.assertEqual(set(translated), template, f"{po_path} is behind the .pot")
    for msgid, msgstr in translated.items():
        case.assertTrue(msgstr, f"untranslated: {msgid!r}")
        case.assertEqual(
            sorted(PLACEHOLDER.findall(msgid)),
            sorted(PLACEHOLDER.findall(msgstr)),
            f"placeholders differ in {msgid!r}",
        )


@tagged("post_install", "-at_install")
class TestPersian(TransactionCase):
    def test_every_string_is_translated_with_its_placeholders(self):
        assert_translation_covers_template(
            self, I18N / "xrm_relationship.pot", I18N / "fa.po"
        )

    def test_terms_load_for_fa_ir(self):
        self.env["res.lang"]._activate_lang("fa_IR")
        self.env["ir.module.module"]._load_module_terms(
            ["xrm_relationship"], ["fa_IR"], overwrite=True
        )
        stage = self.env.ref("xrm_relationship.xrm_journey_stage_prospect")
        self.assertEqual(stage.with_context(lang="fa_IR").name, "مشتری بالقوه")
        options = (
            self.env["xrm.dashboard"].with_context(lang="fa_IR")._xrm_filter_options()
        )
        self.assertIn("۳۰ روز", dict(options["periods"]).values())
