# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon


class XrmCommon(BaseCommon):
    """Own users and data; never relies on demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.xrm_manager = new_test_user(
            cls.env,
            login="xrm_manager",
            name="Mona Manager",
            groups="xrm_relationship.group_xrm_manager,sales_team.group_sale_manager,"
            "helpdesk_mgmt.group_helpdesk_manager",
        )
        cls.xrm_user = new_test_user(
            cls.env,
            login="xrm_user",
            name="Sam Sales",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman,"
            "helpdesk_mgmt.group_helpdesk_user_own",
        )
        cls.plain_user = new_test_user(
            cls.env, login="plain_user", name="Ivy Internal", groups="base.group_user"
        )
