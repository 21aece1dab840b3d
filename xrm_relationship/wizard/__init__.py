from . import xrm_churn_wizard
