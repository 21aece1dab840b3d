# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "XRM Relationship Management - Knowledge Pages",
    "summary": "Suggest knowledge pages (OCA document_page) on new tickets "
    "and send them to the customer in one click",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "XRM Relationship contributors",
    "website": "https://github.com/xrm-relationship/xrm_relationship",
    "depends": ["xrm_relationship", "document_page"],
    "data": ["views/xrm_ticket_suggestion_views.xml"],
    "demo": ["demo/document_page_demo.xml"],
    "auto_install": True,
    "installable": True,
    "development_status": "Alpha",
}
