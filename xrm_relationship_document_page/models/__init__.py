from . import xrm_ticket_suggestion
