# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import XrmCommon, XrmHttpCase, new_api_key


@tagged("post_install", "-at_install")
class TestEngagementEvent(XrmCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_partner = cls.env["res.partner"].create(
            {"name": "Engaged Co", "is_company": True, "user_id": cls.xrm_user.id}
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Engaged Person", "parent_id": cls.company_partner.id}
        )

    def test_event_on_commercial_entity_and_salesperson(self):
        event = (
            self.env["xrm.engagement.event"]
            .with_user(self.xrm_user)
            .create({"partner_id": self.person.id, "event_type": "review"})
        )
        self.assertEqual(event.partner_id, self.company_partner)
        self.assertEqual(event.contact_id, self.person)
        self.assertEqual(event.user_id, self.xrm_user)
        self.assertEqual(self.company_partner.xrm_engagement_count, 1)

    def test_bad_input_is_refused_clearly(self):
        Event = self.env["xrm.engagement.event"]
        base = {"partner_id": self.company_partner.id, "event_type": "visit"}
        with self.assertRaises(ValidationError):
            Event.create({**base, "url": "javascript:alert(1)"})
        with self.assertRaises(ValidationError):
            Event.create({**base, "date": fields.Datetime.now() + timedelta(days=2)})
        with self.assertRaises(ValidationError):
            Event.create({**base, "partner_id": 999_999_999})
        with self.assertRaises(ValidationError):
            Event.create({**base, "description": "x" * 100_001})
        Event.create({**base, "source": "web", "external_id": "E1"})
        Event.create({**base, "source": "shop", "external_id": "E1"})  # other source
        with (
            self.assertRaisesRegex(ValidationError, "already received"),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            Event.create({**base, "source": "web", "external_id": "E1"})

    def test_plain_user_has_no_access(self):
        with self.assertRaises(AccessError):
            self.env["xrm.engagement.event"].with_user(self.plain_user).create(
                {"partner_id": self.company_partner.id, "event_type": "visit"}
            )
        with self.assertRaises(AccessError):
            self.env["xrm.engagement.event"].with_user(self.plain_user).search([])


@tagged("post_install", "-at_install")
class TestEngagementJson2(XrmHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.integration = new_test_user(
            cls.env,
            login="xrm_integration",
            groups="xrm_relationship.group_xrm_user",
        )
        cls.plain = new_test_user(cls.env, login="xrm_plain", groups="base.group_user")
        cls.partner = cls.env["res.partner"].create(
            {"name": "Pushed Co", "is_company": True}
        )
        cls.person = cls.env["res.partner"].create(
            {"name": "Pushed Person", "parent_id": cls.partner.id}
        )

    def _key(self, user):
        return new_api_key(self.env, user, "engagement")

    def _push(self, key, vals):
        return self.json2(key, "xrm.engagement.event", "create", vals_list=[vals])

    def test_push_through_json2_with_an_api_key(self):
        key = self._key(self.integration)
        response = self._push(
            key,
            {
                "partner_id": self.person.id,
                "event_type": "referral",
                "source": "website",
                "external_id": "W-1",
                "url": "https://example.com/refer",
            },
        )
        self.assertEqual(response.status_code, 200, response.text)
        [event_id] = response.json()
        event = self.env["xrm.engagement.event"].browse(event_id)
        self.assertEqual(event.partner_id, self.partner)
        self.assertEqual(event.event_type, "referral")
        self.assertEqual(event.create_uid, self.integration)
        # the same id again: refused, nothing doubled
        with mute_logger("odoo.http", "odoo.sql_db"):
            again = self._push(
                key,
                {
                    "partner_id": self.partner.id,
                    "event_type": "referral",
                    "source": "website",
                    "external_id": "W-1",
                },
            )
        self.assertNotEqual(again.status_code, 200)
        self.assertEqual(
            self.env["xrm.engagement.event"].search_count(
                [("external_id", "=", "W-1")]
            ),
            1,
        )

    def test_refused_without_key_wrong_key_or_rights(self):
        vals = {"partner_id": self.partner.id, "event_type": "visit"}
        with mute_logger("odoo.http"):
            self.assertEqual(self._push(None, vals).status_code, 401)
            self.assertEqual(self._push("not-a-key", vals).status_code, 401)
            response = self._push(self._key(self.plain), vals)
            self.assertEqual(response.status_code, 403)
            self.assertIn("AccessError", response.json()["name"])
            unknown = self._push(
                self._key(self.integration),
                {"partner_id": 999_999_999, "event_type": "visit"},
            )
        self.assertNotEqual(unknown.status_code, 200)
        self.assertFalse(
            self.env["xrm.engagement.event"].search(
                [("partner_id", "=", self.partner.id)]
            )
        )
