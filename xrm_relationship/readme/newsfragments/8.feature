Relationship care: relationship tiers from consistent positive activity, contact pressure guard with the `contact_pressure_breaches` KPI, acknowledgement and first-response time of website leads with the `first_response_minutes` KPI.
Relationship care: related knowledge (resolved tickets, and knowledge pages
through the ``xrm_relationship_document_page`` bridge) suggested on new
tickets and sent to the customer in one click; supplier friction ranking and
``supplier_friction`` KPI; interactions before churn and what led where
(channels and outcomes before churn or creating opportunities); the
generating interaction on the opportunity form.
