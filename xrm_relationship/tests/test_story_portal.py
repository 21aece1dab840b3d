# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import XrmHttpCase


@tagged("post_install", "-at_install")
class TestStoryPortal(XrmHttpCase):
    """The customer's side: their company's shared goals, stories, requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.acme = Partner.create({"name": "Acme Portal Co", "is_company": True})
        cls.acme_contact = Partner.create(
            {
                "name": "Alma Acme",
                "parent_id": cls.acme.id,
                "email": "alma@acme.example",
            }
        )
        cls.acme_colleague = Partner.create(
            {
                "name": "Carl Acme",
                "parent_id": cls.acme.id,
                "email": "carl@acme.example",
            }
        )
        cls.beta = Partner.create({"name": "Beta Portal Co", "is_company": True})
        cls.beta_contact = Partner.create(
            {"name": "Bea Beta", "parent_id": cls.beta.id, "email": "bea@beta.example"}
        )
        cls.portal_acme = new_test_user(
            cls.env,
            login="portal_acme",
            groups="base.group_portal",
            partner_id=cls.acme_contact.id,
        )
        cls.portal_beta = new_test_user(
            cls.env,
            login="portal_beta",
            groups="base.group_portal",
            partner_id=cls.beta_contact.id,
        )
        Goal = cls.env["xrm.customer.goal"]

        def goal(partner, name, shared=True, **vals):
            return Goal.create(
                {
                    "name": name,
                    "partner_id": partner.id,
                    "portal_shared": shared,
                    "description": f"INTERNAL-NOTE {name}",
                    **vals,
                }
            )

        cls.acme_goal = goal(cls.acme, "Acme ships in 48 hours", progress=60)
        cls.acme_done = goal(cls.acme, "Acme trained", state="achieved", progress=100)
        cls.acme_hidden = goal(cls.acme, "Acme renewal risk", shared=False)
        cls.beta_goal = goal(cls.beta, "Beta cuts costs")
        Story = cls.env["xrm.success.story"]
        cls.acme_story = Story.create(
            {
                "name": "How Acme ships in 48 hours",
                "partner_id": cls.acme.id,
                "outcome": "Five days became two.",
                "consent": True,
                "consent_partner_id": cls.acme_contact.id,
                "state": "approved",
            }
        )
        cls.acme_draft = Story.create(
            {"name": "Acme draft story", "partner_id": cls.acme.id}
        )
        cls.beta_story = Story.create(
            {
                "name": "How Beta cut costs",
                "partner_id": cls.beta.id,
                "consent": True,
                "consent_partner_id": cls.beta_contact.id,
                "state": "published",
            }
        )
        interaction = cls.env["xrm.interaction"].create(
            {
                "partner_id": cls.acme.id,
                "contact_id": cls.acme_contact.id,
                "channel": "phone",
                "summary": "INTERNAL-SUMMARY",
            }
        )
        model = cls.env["ir.model"]._get_id("xrm.interaction")

        def rating(partner, consumed=False):
            return cls.env["rating.rating"].create(
                {
                    "res_model_id": model,
                    "res_id": interaction.id,
                    "partner_id": partner.id,
                    "consumed": consumed,
                }
            )

        cls.own_request = rating(cls.acme_contact)
        cls.answered = rating(cls.acme_contact, consumed=True)
        cls.colleague_request = rating(cls.acme_colleague)

    def _page(self, url):
        response = self.url_open(url)
        return response.status_code, response.text

    def test_contact_sees_their_companys_shared_goals(self):
        self.authenticate("portal_acme", "portal_acme")
        status, page = self._page("/my/goals")
        self.assertEqual(status, 200)
        self.assertIn("Acme ships in 48 hours", page)
        self.assertIn("Acme trained", page)
        self.assertNotIn("Acme renewal risk", page)
        self.assertNotIn("Beta cuts costs", page)
        self.assertNotIn("INTERNAL-NOTE", page)
        status, page = self._page(f"/my/goals/{self.acme_goal.id}")
        self.assertEqual(status, 200, page[-3000:])
        self.assertIn("width: 60%", page)
        self.assertNotIn("INTERNAL-NOTE", page)
        self.assertEqual(self._page(f"/my/goals/{self.acme_hidden.id}")[0], 404)
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["xrm_goal_count", "xrm_story_count", "xrm_rating_count"]},
        )
        self.assertEqual(
            counters, {"xrm_goal_count": 2, "xrm_story_count": 1, "xrm_rating_count": 1}
        )

    def test_another_company_sees_none_of_them(self):
        self.authenticate("portal_beta", "portal_beta")
        status, page = self._page("/my/goals")
        self.assertEqual(status, 200)
        self.assertIn("Beta cuts costs", page)
        self.assertNotIn("Acme", page)
        for url in (
            f"/my/goals/{self.acme_goal.id}",
            f"/my/stories/{self.acme_story.id}",
        ):
            self.assertEqual(self._page(url)[0], 404, url)
        status, page = self._page("/my/stories")
        self.assertNotIn("How Acme", page)
        status, page = self._page("/my/satisfaction")
        self.assertNotIn(self.own_request.access_token, page)

    def test_consented_stories_and_own_pending_requests(self):
        self.authenticate("portal_acme", "portal_acme")
        status, page = self._page("/my/stories")
        self.assertIn("How Acme ships in 48 hours", page)
        self.assertNotIn("Acme draft story", page)
        self.assertNotIn("How Beta", page)
        self.assertEqual(self._page(f"/my/stories/{self.acme_draft.id}")[0], 404)
        status, page = self._page(f"/my/stories/{self.acme_story.id}")
        self.assertIn("Five days became two.", page)
        status, page = self._page("/my/satisfaction")
        self.assertIn(f"/rate/{self.own_request.access_token}/5", page)
        self.assertIn(f"/rate/{self.own_request.access_token}/1", page)
        self.assertNotIn(self.answered.access_token, page)
        self.assertNotIn(self.colleague_request.access_token, page)
        self.assertNotIn("INTERNAL-SUMMARY", page)

    def test_portal_user_reads_no_model_directly(self):
        for record in (self.acme_goal, self.acme_story):
            with self.assertRaises(AccessError):
                record.with_user(self.portal_acme).read(["name"])
