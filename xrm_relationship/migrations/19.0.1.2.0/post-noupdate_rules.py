# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Record rules are reloaded from the XML (2/2: reload, then protect again).

``pre-noupdate_rules.py`` flagged the module's rules ``noupdate = False``
(and any other ``pre-<topic>.py`` of this version may flag a noupdate record
of its own the same way, e.g. ``pre-lead_ack_template.py``). Here every
record of a ``noupdate="1"`` block of the manifest's data files whose
``ir_model_data`` row is flagged is loaded again from its XML (for a rule:
name, model, domain, groups, permissions), so the database gets what a new
installation gets for every field the XML sets. The records are then flagged
``noupdate`` again, so that later updates leave them alone until a migration
asks otherwise.

A flagged rule that no XML file defines any more keeps its flag: Odoo
deletes it at the end of the update, as it does for any removed record.
"""

import logging

from lxml import etree

from odoo import SUPERUSER_ID, Command, api
from odoo.modules.module import get_manifest
from odoo.tools import file_open
from odoo.tools.convert import nodeattr2bool, xml_import

_logger = logging.getLogger(__name__)

MODULE = "xrm_relationship"


def _noupdate_records(filename):
    """The ``<record>`` elements of the noupdate blocks of one data file."""
    with file_open(f"{MODULE}/{filename}", "rb") as xml_file:
        root = etree.parse(xml_file).getroot()
    return [
        record
        for record in root.iter("record")
        if record.get("id")
        # the innermost noupdate attribute decides, as in the loader
        and nodeattr2bool(
            next(
                (node for node in record.iterancestors() if node.get("noupdate")),
                root,
            ),
            "noupdate",
            False,
        )
    ]


def _xml_name(record):
    """The ``ir_model_data.name`` of an element, None if another module's."""
    module, _dot, name = record.get("id").rpartition(".")
    return name if module in ("", MODULE) else None


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    cr.execute(
        "SELECT name, model, res_id FROM ir_model_data"
        " WHERE module = %s AND NOT COALESCE(noupdate, false)",
        [MODULE],
    )
    flagged = {name: (model, res_id) for name, model, res_id in cr.fetchall()}
    reloaded = []
    for filename in get_manifest(MODULE)["data"]:
        if not filename.endswith(".xml"):
            continue
        records = [
            record
            for record in _noupdate_records(filename)
            if _xml_name(record) in flagged
        ]
        if not records:
            continue
        root = etree.Element("odoo")  # no noupdate: the loader may write them
        for record in records:
            model, res_id = flagged[_xml_name(record)]
            # Many2many fields are written with (4, id) commands in the XML:
            # empty them first so that a link the XML dropped goes too (a
            # rule moved from one group to another must leave the first; a
            # rule whose XML has no groups any more is global).
            Model = env[model] if model in env else None
            names = {field.get("name") for field in record.xpath("field[@eval]")}
            if model == "ir.rule":
                names.add("groups")
            for name in names:
                field_def = Model is not None and Model._fields.get(name)
                if field_def and field_def.type == "many2many":
                    Model.browse(res_id).write({name: [Command.clear()]})
            root.append(record)
            reloaded.append(_xml_name(record))
        xml_import(env, MODULE, {}, "update", xml_filename=filename).parse(root)
    if reloaded:
        cr.execute(
            "UPDATE ir_model_data SET noupdate = true WHERE module = %s AND name IN %s",
            [MODULE, tuple(reloaded)],
        )
    _logger.info("XRM: %s noupdate records reloaded from the XML", len(reloaded))
