import { registry } from "@web/core/registry";

// Test data (tests/test_survey_tour.py): a draft call with Vera Vox whose
// notes are written, handled by the salesperson of Vox Tour Co.
registry.category("web_tour.tours").add("xrm_survey_document_tour", {
    steps: () => [
        {
            content: "Document the call",
            trigger: ".o_form_view button[name='action_document']",
            run: "click",
        },
        {
            content: "The contact was asked for their satisfaction",
            trigger: ".o_field_widget[name='xrm_survey_state']:contains('Sent')",
        },
    ],
});

registry.category("web_tour.tours").add("xrm_survey_answer_tour", {
    steps: () => [
        {
            content: "The customer answers 2 out of 5",
            trigger: ".o_xrm_rating_page label.o_xrm_rate_2",
            run: "click",
        },
        {
            trigger: ".o_xrm_rating_page textarea[name='feedback']",
            run: "edit Nobody called me back",
        },
        {
            trigger: ".o_xrm_rating_page .o_xrm_rating_send",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo's thank-you page",
            trigger: ".o_rating_page_thank_you",
        },
    ],
});

registry.category("web_tour.tours").add("xrm_survey_followup_tour", {
    steps: () => [
        {
            content: "The salesperson has one follow-up activity to do",
            trigger: ".o-mail-Activity:contains('Low satisfaction: 2 out of 5')",
        },
        {
            trigger: ".o-mail-Activity:contains('Vera Vox')",
        },
    ],
});
