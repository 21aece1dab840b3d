from . import xrm_supplier_friction
from . import xrm_churn_precursor
from . import xrm_interaction_effect
from . import xrm_stage_analysis
from . import xrm_agent_scorecard
from . import xrm_relationship_mirror
from . import xrm_return_driver
from . import xrm_feedback_ranking
