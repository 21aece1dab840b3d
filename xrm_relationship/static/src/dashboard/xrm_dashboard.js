import { Component, onWillStart, useEffect, useRef, useState } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat } from "@web/views/fields/formatters";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { formatXrmDate, xrmPeriodRange } from "./xrm_calendar";

const HEALTH_COLORS = {
    green: "#28a745",
    yellow: "#f0ad4e",
    red: "#dc3545",
    none: "#ced4da",
};

export class XrmDashboard extends Component {
    static template = "xrm_relationship.Dashboard";
    static components = { Layout };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.state = useState({ data: null, filters: {} });
        this.healthCanvas = useRef("healthChart");
        onWillStart(async () => {
            await loadBundle("web.chartjs_lib");
            await this.load();
        });
        useEffect(
            () => this.renderHealthChart(),
            () => [this.state.data]
        );
    }

    async load() {
        const token = (this.loadToken = (this.loadToken || 0) + 1);
        const data = await this.orm.call("xrm.dashboard", "get_dashboard_data", [
            this.state.filters,
        ]);
        this.state.filters = data.filters;
        this.state.data = data;
        // The stage insight is a stage analysis of its own: it follows.
        if (data.is_manager) {
            const insight = await this.orm.call("xrm.dashboard", "get_stage_insight", [
                data.filters,
            ]);
            if (token === this.loadToken) {
                this.state.data.insight = insight;
            }
        }
    }

    async onFilter(key, ev) {
        const raw = ev.target.value;
        this.state.filters = {
            ...this.state.filters,
            [key]: key === "relation_type" ? raw || false : parseInt(raw) || false,
        };
        await this.load();
    }

    // ------------------------------------------------------------------
    // Formatting
    // ------------------------------------------------------------------
    fmt(value, digits = 1) {
        if (value === null || value === undefined || value === false) {
            return "—";
        }
        return formatFloat(value, { digits: [false, digits] });
    }

    // Dates and the period in the reader's calendar (Solar Hijri or not).
    fmtDate(value) {
        return formatXrmDate(value, this.state.data.calendar);
    }

    periodRange() {
        return xrmPeriodRange(this.state.filters.period_days, this.state.data.calendar);
    }

    deltaClass(card) {
        if (!card.delta) {
            return "text-muted";
        }
        const better = card.direction === "higher" ? card.delta > 0 : card.delta < 0;
        return better ? "text-success" : "text-danger";
    }

    statusClass(status) {
        return (
            {
                ok: "text-bg-success",
                warning: "text-bg-warning",
                critical: "text-bg-danger",
            }[status] || "text-bg-light"
        );
    }

    sparkline(history) {
        if (!history || history.length < 2) {
            return "";
        }
        const min = Math.min(...history);
        const max = Math.max(...history);
        const span = max - min || 1;
        const step = 100 / (history.length - 1);
        return history
            .map(
                (v, i) =>
                    `${(i * step).toFixed(1)},${(22 - ((v - min) / span) * 20).toFixed(
                        1
                    )}`
            )
            .join(" ");
    }

    funnelWidth(stage) {
        const max = Math.max(...this.state.data.funnel.map((s) => s.count), 1);
        return `width: ${Math.max(2, (100 * stage.count) / max)}%`;
    }

    // ------------------------------------------------------------------
    // Chart (Chart.js, as Odoo's graph view uses it)
    // ------------------------------------------------------------------
    renderHealthChart() {
        const canvas = this.healthCanvas.el;
        if (!canvas || !this.state.data) {
            return;
        }
        if (this.chart) {
            this.chart.destroy();
        }
        const rows = this.state.data.health;
        const labels = {
            green: _t("Green"),
            yellow: _t("Yellow"),
            red: _t("Red"),
            none: _t("No score"),
        };
        this.chart = new Chart(canvas, {
            type: "bar",
            data: {
                labels: rows.map((r) => r.label),
                datasets: Object.keys(labels).map((key) => ({
                    label: labels[key],
                    data: rows.map((r) => r[key]),
                    backgroundColor: HEALTH_COLORS[key],
                    health: key,
                })),
            },
            options: {
                indexAxis: "y",
                maintainAspectRatio: false,
                animation: false,
                scales: {
                    x: { stacked: true, ticks: { precision: 0 } },
                    y: { stacked: true },
                },
                plugins: { legend: { position: "bottom" } },
                onClick: (_ev, elements) => {
                    if (elements.length) {
                        const { datasetIndex, index } = elements[0];
                        const health = this.chart.data.datasets[datasetIndex].health;
                        this.openHealth(rows[index].type, health);
                    }
                },
            },
        });
    }

    // ------------------------------------------------------------------
    // Every number opens the records behind it
    // ------------------------------------------------------------------
    openPartners(name, extraDomain) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name,
            res_model: "res.partner",
            views: [
                [false, "list"],
                [false, "kanban"],
                [false, "form"],
            ],
            domain: [...this.state.data.partner_domain, ...extraDomain],
        });
    }

    async openKpi(card) {
        await this.openValue(card.value_id);
    }

    async openValue(valueId) {
        if (!valueId) {
            return;
        }
        const action = await this.orm.call("xrm.kpi.value", "action_open_records", [
            [valueId],
        ]);
        this.action.doAction(action);
    }

    openStage(stage, overdueOnly = false) {
        const domain = [["xrm_stage_id", "=", stage.id]];
        if (overdueOnly) {
            domain.push(["xrm_stage_overdue", "=", true]);
        }
        this.openPartners(stage.name, domain);
    }

    openStageAnalysis(stage) {
        const insight = this.state.data.insight;
        this.action.doAction({
            type: "ir.actions.act_window",
            name: _t("Stage Analysis"),
            res_model: "xrm.stage.analysis",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: [["stage_id", "=", stage.id]],
            context: {
                xrm_date_from: insight.date_from,
                xrm_date_to: insight.date_to,
            },
        });
    }

    openHealth(relationType, health) {
        this.openPartners(_t("Health"), [
            ["xrm_relation_type", "=", relationType],
            ["xrm_health", "=", health === "none" ? false : health],
        ]);
    }

    openPartner(partnerId) {
        this.action.doAction({
            type: "ir.actions.act_window",
            res_model: "res.partner",
            res_id: partnerId,
            views: [[false, "form"]],
        });
    }

    openSalesperson(leader) {
        this.openPartners(leader.name, [["user_id", "=", leader.id]]);
    }

    openSurvey(figure) {
        const names = {
            sent: _t("Satisfaction requests"),
            answered: _t("Satisfaction answers"),
            low: _t("Low satisfaction answers"),
        };
        this.action.doAction({
            type: "ir.actions.act_window",
            name: names[figure],
            res_model: "xrm.interaction",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: this.state.data.survey.domains[figure],
            context: { create: false },
        });
    }

    openTechnician(row) {
        this.action.doAction({
            type: "ir.actions.act_window",
            name: row.name,
            res_model: "helpdesk.ticket",
            views: [
                [false, "list"],
                [false, "form"],
            ],
            domain: [
                ["user_id", "=", row.id],
                ["closed_date", "!=", false],
            ],
        });
    }
}

registry.category("actions").add("xrm_relationship.dashboard", XrmDashboard);
