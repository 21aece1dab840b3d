# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Record rules are reloaded from the XML (1/2: mark them).

The module's record rules live in a ``<data noupdate="1">`` block, so that
``-u`` keeps what a database has; but then a rule corrected in this version
would never reach the databases that already run the addon. This step flags
every ``ir.rule`` of the module ``noupdate = False`` in ``ir_model_data``;
``post-noupdate_rules.py`` reloads exactly the flagged records from the XML
and flags them ``noupdate`` again.

Why two steps: Odoo's XML loader skips every existing record of a
``noupdate="1"`` block during an update *before* it looks at
``ir_model_data``, so this flag alone does not reload anything; the post step
does. The flag also tells Odoo, at the end of the update, to delete a rule of
the module that the XML no longer defines (``ir.model.data._process_end``):
removing a rule from the XML removes it from the database too.

Generic on purpose: it reloads every rule of the module, whichever were
changed. A rule edited by hand in the database returns to the XML's version;
local restrictions belong in rules of one's own (they are not touched).
"""

import logging

_logger = logging.getLogger(__name__)

MODULE = "xrm_relationship"
# Security records reloaded from the XML. Groups are not listed: they sit
# outside the noupdate block and every update reloads them already.
MODELS = ("ir.rule",)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE ir_model_data SET noupdate = false
         WHERE module = %s AND model IN %s AND noupdate
        RETURNING name
        """,
        [MODULE, MODELS],
    )
    names = sorted(row[0] for row in cr.fetchall())
    _logger.info("XRM: %s security records to reload from the XML", len(names))
