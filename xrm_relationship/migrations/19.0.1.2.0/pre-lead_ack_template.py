# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The shipped lead acknowledgement no longer echoes what outsiders typed.

It is a ``noupdate`` record: flag it for ``post-noupdate_rules.py``, which
reloads every flagged record of a noupdate block from the XML (its subject
and greeting are now cut short, the mail goes to one address). Changes made
to this shipped template are replaced; a team's own template (Sales Team ▸
Acknowledgement) is not touched.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE ir_model_data SET noupdate = false"
        " WHERE module = 'xrm_relationship' AND name = 'mail_template_xrm_lead_ack'"
    )
