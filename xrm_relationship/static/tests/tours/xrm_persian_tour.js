import { registry } from "@web/core/registry";

// Years 1300-1499 of the Solar Hijri calendar (Gregorian 1921-2121).
const HIJRI_DATE = /^1[34]\d\d\/\d\d\/\d\d$/;
const HIJRI_RANGE = /^1[34]\d\d\/\d\d\/\d\d – 1[34]\d\d\/\d\d\/\d\d$/;

// tests/test_persian_tour.py: a user whose language is Persian, in a Solar
// Hijri company; the dashboard and a relationship's tabs, right to left.
registry.category("web_tour.tours").add("xrm_persian_dashboard_tour", {
    steps: () => [
        {
            content: "The web client is right to left",
            trigger: "html[dir=rtl] .o_xrm_dashboard .o_xrm_cards",
        },
        {
            content: "The period is named in Solar Hijri",
            trigger: ".o_xrm_period_range",
            run() {
                const text = this.anchor.textContent.trim();
                if (!HIJRI_RANGE.test(text)) {
                    throw new Error(`Not a Solar Hijri period: ${text}`);
                }
            },
        },
        {
            content: "Our stage names are in Persian",
            trigger: "tr[data-stage='مرحلهٔ تور'] .o_xrm_stage_count:contains(1)",
        },
        {
            content: "Relationships at risk: their last contact, in Hijri",
            trigger: ".o_xrm_dashboard tbody tr:not([data-stage]):has(a):has(.badge)",
            run() {
                const table = this.anchor.closest("table");
                const cells = [...table.querySelectorAll("td")].map((td) =>
                    td.textContent.trim()
                );
                if (!cells.some((text) => HIJRI_DATE.test(text))) {
                    throw new Error(`No Solar Hijri date in: ${cells.join(" | ")}`);
                }
                if (cells.some((text) => /^20\d\d-\d\d-\d\d$/.test(text))) {
                    throw new Error(`A Gregorian date in: ${cells.join(" | ")}`);
                }
            },
        },
    ],
});

registry.category("web_tour.tours").add("xrm_persian_partner_tour", {
    steps: () => [
        {
            content: "The partner form is right to left",
            trigger: "html[dir=rtl] .o_form_view .o_notebook",
        },
        {
            content: "Open the Relationship tab",
            trigger: ".o_notebook .nav-link[name=xrm_relationship]",
            run: "click",
        },
        {
            content: "Its tier and contact pressure groups",
            trigger: "html[dir=rtl] .o_notebook .tab-pane.active .o_inner_group",
        },
        {
            content: "Open the Health tab",
            trigger: ".o_notebook .nav-link[name=xrm_health]",
            run: "click",
        },
        {
            content: "Its health tab is shown",
            trigger:
                "html[dir=rtl] .o_notebook:has(.nav-link.active[name=xrm_health]) .tab-pane.active .o_field_widget",
        },
    ],
});
