# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Supplier friction is now read per reader's companies (a table query).

The SQL view of the earlier versions counted every company's facts and is no
longer read: drop it.
"""


def migrate(cr, version):
    cr.execute("DROP VIEW IF EXISTS xrm_supplier_friction")
