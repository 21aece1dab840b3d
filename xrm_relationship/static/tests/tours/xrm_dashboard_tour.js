import { registry } from "@web/core/registry";

// Test data (tests/test_dashboard.py): a "Tour Stage" holding three
// relationships, two of them the salesperson's, and a Referrals value of 42.
registry.category("web_tour.tours").add("xrm_dashboard_manager_tour", {
    steps: () => [
        {
            content: "KPI card shows the stored value",
            trigger:
                ".o_xrm_card[data-code='network_growth'] .o_xrm_card_value:contains(42)",
        },
        {
            content: "Managers can filter by salesperson",
            trigger: ".o_xrm_filter_user",
        },
        {
            content: "The funnel counts every relationship in the stage",
            trigger: "tr[data-stage='Tour Stage'] .o_xrm_stage_count:contains(3)",
            run: "click",
        },
        {
            content: "The number opens the relationships behind it",
            trigger: ".o_list_view .o_data_row:contains('Tour Partner C')",
        },
        {
            trigger: ".o_breadcrumb:contains('Tour Stage')",
        },
    ],
});

registry.category("web_tour.tours").add("xrm_dashboard_salesperson_tour", {
    steps: () => [
        {
            content: "A salesperson's funnel counts only their relationships",
            trigger: "tr[data-stage='Tour Stage'] .o_xrm_stage_count:contains(2)",
        },
        {
            content: "No salesperson filter for a salesperson",
            trigger: ".o_xrm_dashboard:not(:has(.o_xrm_filter_user))",
        },
        {
            trigger: "tr[data-stage='Tour Stage'] .o_xrm_stage_count",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains('Tour Partner A')",
        },
        {
            content: "Another salesperson's relationship is not listed",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Tour Partner C')))",
        },
    ],
});
