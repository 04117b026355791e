// What the Reports page and the dashboard share: GET v1/reports/calls, periods of days in the project's time zone,
// the figures' names and forms, and links into the call log filtered as a report's row.

import { appUrl, getJson, query } from "./api.js";
import { addMessages, currentLanguage, currentTimeZone, formatDuration, formatNumber, t } from "./i18n.js";
import { formatAmount } from "./outcome.js";
import { session } from "./state.js";

addMessages({
  en: {
    overview: "Overview", reports: "Reports", main_nav: "Pages", figure: "Figure",
    fig_calls: "Calls", fig_answered: "Answered", fig_missed: "Missed", fig_first_calls: "First calls",
    fig_target_calls: "Target calls", fig_unique_clients: "Unique clients", fig_talk_seconds: "Talk time",
    fig_value: "Value", share_of_calls: "Share of calls", no_value: "(none)", other_values: "Other values",
  },
  pl: {
    overview: "Przegląd", reports: "Raporty", main_nav: "Strony", figure: "Wskaźnik",
    fig_calls: "Połączenia", fig_answered: "Odebrane", fig_missed: "Nieodebrane", fig_first_calls: "Pierwsze połączenia",
    fig_target_calls: "Połączenia docelowe", fig_unique_clients: "Unikalni klienci", fig_talk_seconds: "Czas rozmów",
    fig_value: "Wartość", share_of_calls: "Udział w połączeniach", no_value: "(brak)",
    other_values: "Pozostałe wartości",
  },
});

/** The figures of a report's row, in the contract's order. */
export const FIGURES = ["calls", "answered", "missed", "first_calls", "target_calls", "unique_clients", "talk_seconds",
  "value"];

const DAY_MS = 86_400_000;

/** Today (YYYY-MM-DD) in the project's time zone. */
export function today() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: currentTimeZone(), year: "numeric", month: "2-digit", day: "2-digit" })
    .format(new Date());
}

function dayNumber(date) {
  const [year, month, day] = date.split("-").map(Number);
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function dateOf(number) {
  return new Date(number * DAY_MS).toISOString().slice(0, 10);
}

/** The day `days` after `date` (before it when negative). */
export function addDays(date, days) {
  return dateOf(dayNumber(date) + days);
}

/** The days from `from` to `to`, both included. */
export function daysOf({ from, to }) {
  const days = [];
  for (let day = dayNumber(from); day <= dayNumber(to); day += 1) days.push(dateOf(day));
  return days;
}

/** The `days` days up to today, today included. */
export function lastDays(days) {
  const to = today();
  return { from: addDays(to, 1 - days), to };
}

/** The period of the same length just before `period`. */
export function previousPeriod(period) {
  const length = daysOf(period).length;
  return { from: addDays(period.from, -length), to: addDays(period.from, -1) };
}

/** GET v1/reports/calls: `period`'s days (`to` included here, excluded by the API) by `by`, with the log's
 * `filters`. */
export function fetchReport(by, period, filters = {}) {
  return getJson(`v1/reports/calls${query({ ...filters, from: period.from, to: addDays(period.to, 1), by })}`);
}

/** A figure as people read it: talk time as h:mm:ss, value in the project's currency, counts in the language's form. */
export function formatFigure(figure, value) {
  if (figure === "talk_seconds") return formatDuration(value ?? 0);
  if (figure === "value") {
    const currency = session.settings?.currency;
    const amount = value ?? 0;
    return currency ? formatAmount(amount, currency) : formatNumber(amount, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
  return formatNumber(value ?? 0);
}

/** `part` of `whole` as a percentage (a number), or null when there is no whole. */
export function percentOf(part, whole) {
  return whole ? (100 * Number(part)) / Number(whole) : null;
}

export function formatPercent(percent) {
  return percent === null ? "—" : `${formatNumber(percent, { maximumFractionDigits: 1 })} %`;
}

/** The address of the call log with `filters` (its query string: days as YYYY-MM-DD, `to` included). */
export function logUrl(filters) {
  return `${appUrl("calls")}${query(filters)}`;
}

/** A day (YYYY-MM-DD) written the interface language's way ("7 Dec 2026" / "7.12.2026"). */
export function formatDay(date, { year = true } = {}) {
  const [y, m, d] = date.split("-").map(Number);
  const polish = currentLanguage() === "pl";
  return new Intl.DateTimeFormat(polish ? "pl" : "en-GB", {
    timeZone: "UTC", day: "numeric", month: polish ? "numeric" : "short", year: year ? "numeric" : undefined,
  }).format(new Date(Date.UTC(y, m - 1, d)));
}
