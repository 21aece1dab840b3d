Relationship care: related knowledge (resolved tickets, and knowledge pages
through the ``xrm_relationship_document_page`` bridge) suggested on new
tickets and sent to the customer in one click; supplier friction ranking and
``supplier_friction`` KPI; interactions before churn and what led where
(channels and outcomes before churn or creating opportunities); the
generating interaction on the opportunity form.
