# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The organisation's memory cannot be erased or gamed by a salesperson.

Acted as the least-privileged user who could try (XRM / User), through the
ORM, the form's save (``web_save``) and JSON-2 with an API key.
"""

import importlib.util
import json
from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger
from odoo.tools.misc import file_path

NOTES = {"summary": "Agreed on a pilot", "outcome": "positive", "quality": 4}


@tagged("post_install", "-at_install")
class TestInteractionMemory(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesperson = new_test_user(
            cls.env,
            login="memory_sales",
            groups="xrm_relationship.group_xrm_user,sales_team.group_sale_salesman",
        )
        cls.manager = new_test_user(
            cls.env, login="memory_manager", groups="xrm_relationship.group_xrm_manager"
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Memory Co",
                "is_company": True,
                "email": "hello@memory.example",
                "user_id": cls.salesperson.id,
            }
        )
        cls.key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.salesperson)
            ._generate(
                scope="rpc",
                name="memory",
                expiration_date=datetime.now() + timedelta(days=1),
            )
        )

    def _json2(self, model, method, **params):
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(params),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.key}",
                "X-Odoo-Database": self.env.cr.dbname,
            },
        )

    def _interaction(self, **vals):
        return (
            self.env["xrm.interaction"]
            .with_user(self.salesperson)
            .create({"partner_id": self.customer.id, "channel": "phone", **vals})
        )

    def _captured_for(self, message_id):
        return self.env["xrm.interaction"].search(
            [("source_ref", "=", f"mail.message,{message_id}")]
        )

    # Deleting documented memory
    def test_documented_then_reset_cannot_be_deleted_by_salesperson(self):
        rec = self._interaction()
        rec.write(NOTES)
        rec.action_document()
        rec.action_reset_to_draft()
        self.assertEqual(rec.state, "draft")
        rec.write({"summary": "Agreed on a pilot in June"})  # corrected: fine
        with self.assertRaises(UserError):
            rec.unlink()
        self.assertTrue(rec.exists())
        # Never documented: a salesperson may still delete a captured draft.
        draft = self._interaction()
        draft.unlink()
        self.assertFalse(draft.exists())
        # A manager may delete documented memory.
        rec.with_user(self.manager).unlink()
        self.assertFalse(rec.exists())

    @mute_logger("odoo.http")
    def test_documented_then_reset_cannot_be_deleted_through_json2(self):
        rec = self._interaction(**NOTES, state="done")
        self.assertEqual(
            self._json2(
                "xrm.interaction", "action_reset_to_draft", ids=rec.ids
            ).status_code,
            200,
        )
        response = self._json2("xrm.interaction", "unlink", ids=rec.ids)
        self.assertEqual(response.status_code, 422, response.text)
        self.assertTrue(rec.exists())

    # source_ref and the "documented once" mark are the system's
    def test_source_ref_is_not_writable_by_users(self):
        rec = self._interaction()
        for user in (self.salesperson, self.manager):
            with self.subTest(user=user.login):
                mine = rec.with_user(user)
                with self.assertRaises(AccessError):
                    mine.write({"source_ref": "mail.message,999999"})
                with self.assertRaises(AccessError):
                    # what the form sends on save
                    mine.web_save({"source_ref": "mail.message,999999"}, {})
                with self.assertRaises(AccessError):
                    mine.write({"was_documented": False})
                with self.assertRaises(AccessError):
                    self.env["xrm.interaction"].with_user(user).create(
                        {
                            "partner_id": self.customer.id,
                            "source_ref": "mail.message,999998",
                        }
                    )
        self.assertFalse(rec.source_ref)

    @mute_logger("odoo.http")
    def test_source_ref_is_not_writable_through_json2(self):
        rec = self._interaction()
        response = self._json2(
            "xrm.interaction",
            "write",
            ids=rec.ids,
            vals={"source_ref": "mail.message,999999"},
        )
        self.assertEqual(response.status_code, 403, response.text)
        response = self._json2(
            "xrm.interaction",
            "create",
            vals_list=[
                {"partner_id": self.customer.id, "source_ref": "mail.message,999998"}
            ],
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertFalse(
            self.env["xrm.interaction"].search_count(
                [("source_ref", "in", ["mail.message,999999", "mail.message,999998"])]
            )
        )

    # The capture switch
    def test_capture_switch_cannot_be_sent_from_outside(self):
        response = self._json2(
            "res.partner",
            "message_post",
            ids=self.customer.ids,
            body="Our offer, sent quietly",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            context={"xrm_no_capture": True},
        )
        self.assertEqual(response.status_code, 200, response.text)
        result = response.json()
        message_id = result[0] if isinstance(result, list) else result
        captured = self._captured_for(message_id)
        self.assertEqual(len(captured), 1)
        self.assertEqual(captured.user_id, self.salesperson)
        # Same through the ORM with a context value a caller can send.
        message = (
            self.customer.with_user(self.salesperson)
            .with_context(xrm_no_capture="xrm_no_capture")
            .message_post(
                body="Second", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        )
        self.assertEqual(len(self._captured_for(message.id)), 1)

    def test_server_code_still_switches_capture_off(self):
        from ..models.xrm_interaction import NO_CAPTURE

        message = self.customer.with_context(xrm_no_capture=NO_CAPTURE).message_post(
            body="Automatic", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertFalse(self._captured_for(message.id))


@tagged("post_install", "-at_install")
class TestInteractionMemoryMigration(TransactionCase):
    def test_upgrade_marks_interactions_documented_before(self):
        path = file_path(
            "xrm_relationship/migrations/19.0.1.2.0/post-interaction_memory.py"
        )
        spec = importlib.util.spec_from_file_location("post_interaction_memory", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        partner = self.env["res.partner"].create(
            {"name": "Old Memory Co", "is_company": True}
        )
        Interaction = self.env["xrm.interaction"].with_context(
            tracking_disable=False, mail_notrack=False
        )
        done, reset, never = Interaction.create(
            [{"partner_id": partner.id, **NOTES} for _i in range(3)]
        )
        (done | reset).action_document()
        self.env.flush_all()
        self.env.cr.precommit.run()  # writes the state's tracking
        reset.action_reset_to_draft()
        self.env.flush_all()
        self.env.cr.precommit.run()
        # As stored by 19.0.1.1.0: no mark yet.
        self.env.cr.execute(
            "UPDATE xrm_interaction SET was_documented = NULL WHERE id IN %s",
            [tuple((done | reset | never).ids)],
        )
        self.env.invalidate_all()
        migration.migrate(self.env.cr, "19.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(
            (done | reset | never).mapped("was_documented"), [True, True, False]
        )
