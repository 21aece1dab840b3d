# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""KPI values become unique per KPI, day and scope.

Overlapping runs of earlier versions could store the same snapshot twice;
keep the newest of each so that the unique index can be created.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        DELETE FROM xrm_kpi_value v
         USING xrm_kpi_value newer
         WHERE newer.definition_id = v.definition_id
           AND newer.date = v.date
           AND COALESCE(newer.user_id, 0) = COALESCE(v.user_id, 0)
           AND COALESCE(newer.team_id, 0) = COALESCE(v.team_id, 0)
           AND COALESCE(newer.stage_id, 0) = COALESCE(v.stage_id, 0)
           AND newer.id > v.id
        """
    )
