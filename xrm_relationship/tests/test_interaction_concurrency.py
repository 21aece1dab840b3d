# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Two people document the same interaction at once, in two real transactions.

A test transaction is invisible to other connections, so this case commits
its own small world through separate cursors (its own, never the test's:
hence the invalid-commit exemptions) and deletes it afterwards.
"""

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, new_test_user, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

ANN = {"summary": "Ann: pilot agreed for June", "outcome": "positive", "quality": 4}
BEN = {"summary": "Ben: they asked for a discount", "outcome": "negative", "quality": 2}


@tagged("post_install", "-at_install")
class TestConcurrentDocumenting(BaseCase):
    def setUp(self):
        super().setUp()
        self.dbname = get_db_name()
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Race Co", "is_company": True})
            users = [
                new_test_user(
                    env,
                    login=f"xrm_race_{name.lower()}",
                    name=name,
                    groups="xrm_relationship.group_xrm_user",
                )
                for name in ("Ann", "Ben")
            ]
            # Unassigned: both salespeople may document it.
            interaction = env["xrm.interaction"].create(
                {"partner_id": partner.id, "user_id": False, "channel": "phone"}
            )
            cr.commit()  # pylint: disable=invalid-commit
        self.partner_id, self.interaction_id = partner.id, interaction.id
        self.ann_id, self.ben_id = users[0].id, users[1].id
        self.addCleanup(self._cleanup)

    def _cursor(self):
        return db_connect(self.dbname).cursor()

    def _interaction(self, cr, uid):
        env = api.Environment(cr, uid, {})
        return env["xrm.interaction"].browse(self.interaction_id)

    def _cleanup(self):
        with self._cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["xrm.interaction"].browse(self.interaction_id).unlink()
            env["mail.message"].search(
                [
                    ("model", "=", "xrm.interaction"),
                    ("res_id", "=", self.interaction_id),
                ]
            ).unlink()
            env["res.partner"].browse(self.partner_id).unlink()
            users = env["res.users"].browse([self.ann_id, self.ben_id])
            try:
                with cr.savepoint():
                    partners = users.partner_id
                    users.unlink()
                    partners.unlink()
            except Exception:  # noqa: BLE001 - still referenced: keep, disabled
                users.write({"active": False})
            cr.commit()  # pylint: disable=invalid-commit

    def test_first_save_wins_the_second_gets_a_clear_message(self):
        with self._cursor() as cr_ann, self._cursor() as cr_ben:
            ann = self._interaction(cr_ann, self.ann_id)
            ben = self._interaction(cr_ben, self.ben_id)
            self.assertEqual((ann.state, ben.state), ("draft", "draft"))
            ann.write({**ANN, "state": "done"})
            ann.env.flush_all()
            # Ann has not committed yet: Ben is told at once, he does not wait.
            with self.assertRaisesRegex(UserError, "Someone else is saving"):
                ben.write(BEN)
            cr_ann.commit()  # pylint: disable=invalid-commit
            # Ben's transaction started before Ann's commit: PostgreSQL
            # refuses it (the RPC layer retries such a request once more).
            with (
                mute_logger("odoo.sql_db"),
                self.assertRaises(pg_errors.SerializationFailure),
            ):
                ben.write(BEN)
            cr_ben.rollback()
        # The retry, in a fresh transaction, sees Ann's notes.
        with self._cursor() as cr_ben:
            ben = self._interaction(cr_ben, self.ben_id)
            with self.assertRaisesRegex(UserError, "already documented.*Ann"):
                ben.write(BEN)
            with self.assertRaisesRegex(UserError, "already documented.*Ann"):
                ben.write({**BEN, "state": "done"})
            ben.action_document()  # documenting again with nothing new is harmless
            cr_ben.commit()  # pylint: disable=invalid-commit
        with self._cursor() as cr:
            final = self._interaction(cr, SUPERUSER_ID)
            self.assertEqual(
                (final.summary, final.outcome, final.quality, final.state),
                (ANN["summary"], "positive", 4, "done"),
            )
            self.assertEqual(final.write_uid.id, self.ann_id)

    def test_reopened_interaction_takes_the_new_notes(self):
        with self._cursor() as cr:
            ann = self._interaction(cr, self.ann_id)
            ann.write({**ANN, "state": "done"})
            cr.commit()  # pylint: disable=invalid-commit
        with self._cursor() as cr:
            ben = self._interaction(cr, self.ben_id)
            ben.action_reset_to_draft()
            ben.write(BEN)
            ben.action_document()
            cr.commit()  # pylint: disable=invalid-commit
            self.assertEqual(ben.summary, BEN["summary"])
