from . import base_partner_merge_automatic_wizard
from . import xrm_churn_wizard
