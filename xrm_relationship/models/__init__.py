from . import xrm_journey_stage
from . import xrm_journey_transition
from . import res_partner
from . import xrm_interaction
