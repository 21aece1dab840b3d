# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import tagged

from .common import XrmCommon


@tagged("post_install", "-at_install")
class TestInstall(XrmCommon):
    def test_module_installed(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "xrm_relationship")]
        )
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, "19.0.1.4.0")

    def test_menu_visible_to_xrm_users_only(self):
        root = self.env.ref("xrm_relationship.xrm_menu_root")
        entry = self.env.ref("xrm_relationship.res_partner_menu_relationship")
        self.assertEqual(entry.parent_id, root)
        Menu = self.env["ir.ui.menu"]
        visible = Menu.with_user(self.xrm_user)._visible_menu_ids()
        self.assertIn(root.id, visible)
        self.assertIn(entry.id, visible)
        hidden = Menu.with_user(self.plain_user)._visible_menu_ids()
        self.assertNotIn(root.id, hidden)

    def test_groups_form_an_implied_chain(self):
        user_group = self.env.ref("xrm_relationship.group_xrm_user")
        manager_group = self.env.ref("xrm_relationship.group_xrm_manager")
        self.assertIn(user_group, manager_group.all_implied_ids)
        self.assertTrue(self.xrm_manager.has_group("xrm_relationship.group_xrm_user"))
        self.assertFalse(self.xrm_user.has_group("xrm_relationship.group_xrm_manager"))
        self.assertEqual(manager_group.privilege_id, user_group.privilege_id)

    def test_every_model_has_access_rules(self):
        """Walk the addon's own models: each needs at least one ACL line."""
        model_names = (
            self.env["ir.model.data"]
            .search([("module", "=", "xrm_relationship"), ("model", "=", "ir.model")])
            .mapped("res_id")
        )
        models = self.env["ir.model"].browse(model_names)
        for model in models:
            if self.env[model.model]._abstract:
                continue
            with self.subTest(model=model.model):
                self.assertTrue(
                    model.access_ids, f"{model.model} has no ir.model.access line"
                )
