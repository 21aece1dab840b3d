import { deserializeDate, deserializeDateTime } from "@web/core/l10n/dates";
import { user } from "@web/core/user";

const { DateTime } = luxon;

/**
 * Solar Hijri for a Persian reader of a Solar Hijri company
 * (res.company.xrm_calendar): the conversion is the browser's own Intl
 * "persian" calendar, through luxon's outputCalendar.
 *
 * @param {{calendar: string, persian_digits: boolean}} calendar
 */
export function xrmUsesHijri(calendar) {
    return Boolean(
        calendar && calendar.calendar === "jalali" && /^fa\b|^fa_/.test(user.lang || "")
    );
}

function toHijri(dt, calendar, format) {
    return dt
        .reconfigure({
            outputCalendar: "persian",
            numberingSystem: calendar.persian_digits ? "arabext" : "latn",
        })
        .toFormat(format);
}

/**
 * A server date ("2026-03-21") or datetime ("2026-03-21 10:00:00", UTC) as
 * the reader reads it: "1405/01/01" in Hijri, the server's date otherwise.
 */
export function formatXrmDate(value, calendar) {
    if (!value) {
        return "—";
    }
    if (!xrmUsesHijri(calendar)) {
        return value.slice(0, 10);
    }
    const dt = value.length > 10 ? deserializeDateTime(value) : deserializeDate(value);
    return toHijri(dt, calendar, "yyyy/MM/dd");
}

/** "1405/06/11 – 1405/09/10": the last ``days`` days, in Hijri (or ""). */
export function xrmPeriodRange(days, calendar) {
    if (!xrmUsesHijri(calendar) || !days) {
        return "";
    }
    const today = DateTime.local().startOf("day");
    const since = today.minus({ days });
    return `${toHijri(since, calendar, "yyyy/MM/dd")} – ${toHijri(
        today,
        calendar,
        "yyyy/MM/dd"
    )}`;
}
