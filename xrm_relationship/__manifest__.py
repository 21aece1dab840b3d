# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
{
    "name": "XRM Relationship Management",
    "summary": "Relationship memory, customer journey, customer success and "
    "retention KPIs on top of CRM and Helpdesk",
    "version": "19.0.1.1.0",
    "category": "Sales/CRM",
    "license": "AGPL-3",
    "author": "XRM Relationship contributors",
    "website": "https://github.com/xrm-relationship/xrm_relationship",
    "depends": [
        "crm",
        "contacts",
        "mail",
        "calendar",
        "helpdesk_mgmt",
        "helpdesk_mgmt_rating",
    ],
    "data": [
        "security/xrm_relationship_security.xml",
        "security/ir.model.access.csv",
        "data/xrm_journey_stage_data.xml",
        "data/xrm_config_data.xml",
        "data/xrm_kpi_data.xml",
        "views/xrm_interaction_views.xml",
        "views/xrm_journey_stage_views.xml",
        "views/xrm_customer_goal_views.xml",
        "views/xrm_kpi_views.xml",
        "views/xrm_engagement_event_views.xml",
        "views/xrm_incentive_views.xml",
        "report/xrm_incentive_report.xml",
        "wizard/xrm_churn_wizard_views.xml",
        "views/res_partner_views.xml",
        "views/crm_lead_views.xml",
        "views/helpdesk_ticket_views.xml",
        "views/res_config_settings_views.xml",
        "views/xrm_dashboard_views.xml",
        "views/xrm_menus.xml",
    ],
    "demo": ["demo/xrm_demo.xml"],
    "assets": {
        "web.assets_backend": [
            "xrm_relationship/static/src/dashboard/*",
        ],
        "web.assets_tests": [
            "xrm_relationship/static/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "application": True,
    "installable": True,
    "development_status": "Alpha",
}
