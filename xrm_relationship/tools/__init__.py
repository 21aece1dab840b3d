# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Helpers and constants every model of the addon shares (as ``mail/tools``)."""

from . import batch
from . import capture
from . import calendar
from . import constants
from . import kpi
from . import report
from . import rules
from . import settings
