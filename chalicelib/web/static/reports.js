// The Reports page: calls by day stacked by status with the target calls as a line (uPlot), the figures of this
// period against the previous one of the same length, a table by the chosen dimension with each figure and its share
// of calls (exported as CSV in the browser), and each row a link into the call log filtered by it. The period, the
// dimension and the filters live in the address, so back and reload keep them.

import uPlot from "./uplot.js";
import { query } from "./api.js";
import { empty, h, narrowScreen, replaceChildren } from "./dom.js";
import { addMessages, currentLanguage, currentTimeZone, formatNumber, t } from "./i18n.js";
import { choice, input } from "./log.js";
import { FIGURES, addDays, daysOf, fetchReport, formatDay, formatFigure, formatPercent, lastDays, logUrl, percentOf,
  previousPeriod } from "./report.js";
import { describeError, session } from "./state.js";

addMessages({
  en: {
    report_by: "Rows by", this_period: "This period", previous_period: "Previous period", change: "Change",
    change_in_calls: "Calls against the previous period", comparison: "This period against the previous one",
    comparison_intro: "{from} – {to} against {previous_from} – {previous_to}", last_n_days: "Last {n} days",
    calls_by_day: "Calls by day", chart_label: "Chart of calls by day: answered, missed and other calls stacked, target calls as a line. The same numbers are in the table below it.",
    chart_numbers: "The chart's numbers", other_calls: "Other (outgoing, not answered)", day: "Day",
    report_table: "Calls by {dimension}", open_log_of: "Open the call log of {name}",
    by_day: "Day", by_week: "Week", by_month: "Month", by_hour_of_day: "Hour of day", by_weekday: "Weekday",
    by_source: "Source", by_medium: "Medium", by_campaign: "Campaign", by_source_medium: "Source / medium",
    by_landing_page: "Landing page", by_number: "Our number", by_agent: "Agent", by_category: "Category", by_tag: "Tag",
    by_direction: "Direction", by_status: "Status", no_report_calls: "No calls in this period.",
    share_percent: "Share of calls (%)", talk_seconds_csv: "Talk time (seconds)",
    rows_left_out: "{n} more values with fewer calls are left out; the totals count them.",
    calls_in_other: "{n} calls of days with more values than a report keeps apart count under Other values: this filter's calls on such a day are among them. The call log shows them all.",
    one_filter: "A report takes one filter at a time, with rows by its own dimension or by time.",
  },
  pl: {
    report_by: "Wiersze według", this_period: "Ten okres", previous_period: "Poprzedni okres", change: "Zmiana",
    change_in_calls: "Połączenia wobec poprzedniego okresu", comparison: "Ten okres wobec poprzedniego",
    comparison_intro: "{from} – {to} wobec {previous_from} – {previous_to}", last_n_days: "Ostatnie {n} dni",
    calls_by_day: "Połączenia według dni", chart_label: "Wykres połączeń według dni: odebrane, nieodebrane i pozostałe połączenia jedne na drugich, połączenia docelowe jako linia. Te same liczby są w tabeli pod nim.",
    chart_numbers: "Liczby z wykresu", other_calls: "Pozostałe (wychodzące, nieodebrane)", day: "Dzień",
    report_table: "Połączenia według: {dimension}", open_log_of: "Otwórz rejestr połączeń dla: {name}",
    by_day: "Dzień", by_week: "Tydzień", by_month: "Miesiąc", by_hour_of_day: "Godzina", by_weekday: "Dzień tygodnia",
    by_source: "Źródło", by_medium: "Medium", by_campaign: "Kampania", by_source_medium: "Źródło / medium",
    by_landing_page: "Strona wejścia", by_number: "Nasz numer", by_agent: "Konsultant", by_category: "Kategoria",
    by_tag: "Tag", by_direction: "Kierunek", by_status: "Status", no_report_calls: "Brak połączeń w tym okresie.",
    share_percent: "Udział w połączeniach (%)", talk_seconds_csv: "Czas rozmów (sekundy)",
    rows_left_out: "Pominięto wartości z mniejszą liczbą połączeń: {n}; suma je uwzględnia.",
    calls_in_other: "Połączenia z dni z większą liczbą wartości, niż raport rozróżnia, liczone jako Pozostałe wartości: {n}; połączenia tego filtra z takiego dnia są wśród nich. Rejestr połączeń pokazuje je wszystkie.",
    one_filter: "Raport przyjmuje jeden filtr naraz, z wierszami według jego wymiaru albo czasu.",
  },
});

// the contract's `by` values
const DIMENSIONS = ["day", "week", "month", "hour_of_day", "weekday", "source", "medium", "campaign", "source_medium",
  "landing_page", "number", "agent", "category", "tag", "direction", "status"];
// the log's filters that a report takes (each names a dimension the aggregates keep)
const FILTERS = ["direction", "status", "agent", "category", "tag", "number", "source", "medium", "campaign"];
// dimensions whose rows are stretches of time: a row has no counterpart in the previous period
const TIME_DIMENSIONS = new Set(["day", "week", "month", "hour_of_day", "weekday"]);
// a refused field (422) named by the form's own label
const LABELS = { from: "from", to: "to", by: "report_by", number: "our_number" };
const labelOf = (name) => t(LABELS[name] || name);
const DEFAULT_DAYS = 30;
const PRESET_DAYS = [7, 30, 90];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
// the chart's colours: the app's accent, danger and muted greys (app.css), the target calls' green
const COLOURS = { answered: "#1d4ed8", missed: "#b91c1c", other: "#9ca3af", target: "#047857" };

function chosenFromAddress() {
  const params = new URLSearchParams(location.search);
  const fallback = lastDays(DEFAULT_DAYS);
  const given = (name) => (DATE.test(params.get(name) || "") ? params.get(name) : "");
  const from = given("from") || (given("to") ? addDays(given("to"), 1 - DEFAULT_DAYS) : fallback.from);
  const to = given("to") || (given("from") && given("from") > fallback.to ? given("from") : fallback.to);
  const by = DIMENSIONS.includes(params.get("by")) ? params.get("by") : "source";
  return {
    period: from <= to ? { from, to } : { from: to, to: from },
    by,
    filters: Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""])),
  };
}

function addressOf(chosen) {
  return `${location.pathname}${query({ ...chosen.period, by: chosen.by, ...chosen.filters })}`;
}

/** A row as people read it: the row of a day's values past the bound (`other`) as "Other values". */
const rowLabel = (by, row) => (row.other ? t("other_values") : keyLabel(by, row.key));

/** A row's key as people read it; `null` (calls with no value for the dimension) as "(none)". */
function keyLabel(by, key) {
  if (key === null || key === undefined || key === "") return t("no_value");
  if (by === "status" || by === "direction") return t(key);
  if (by === "day" || by === "week") return formatDay(key);
  if (by === "month") {
    const [year, month] = key.split("-").map(Number);
    return new Intl.DateTimeFormat(currentLanguage(), { timeZone: "UTC", month: "long", year: "numeric" })
      .format(new Date(Date.UTC(year, month - 1, 1)));
  }
  if (by === "hour_of_day") return `${String(key).padStart(2, "0")}:00`;
  if (by === "weekday") {
    // ISO weekday, 1 (Monday) to 7: 2024-01-01 was a Monday
    return new Intl.DateTimeFormat(currentLanguage(), { timeZone: "UTC", weekday: "long" })
      .format(new Date(Date.UTC(2024, 0, Number(key))));
  }
  return String(key);
}

const clamp = (period, from, to) => ({ from: from < period.from ? period.from : from, to: to > period.to ? period.to : to });

/** The log's filters that show a row's calls, or null when the log cannot filter by it (hour, weekday, landing page,
 * the calls with no value, the other values of each day). */
function drillFilters(by, row, period, filters) {
  const { key } = row;
  if (row.other || key === null || key === undefined || key === "") return null;
  const base = { ...period, ...filters };
  if (FILTERS.includes(by)) return { ...base, [by]: String(key) };
  if (by === "day") return { ...base, from: key, to: key };
  if (by === "week") return { ...base, ...clamp(period, key, addDays(key, 6)) };
  if (by === "month") {
    const [year, month] = key.split("-").map(Number);
    const last = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
    return { ...base, ...clamp(period, `${key}-01`, last) };
  }
  if (by === "source_medium") {
    const [source, medium] = String(key).split(" / ");
    return { ...base, source, medium: medium ?? "" };
  }
  return null;
}

// a row without a value after the values, the other values of each day last
const rank = (row) => (row.other ? 2 : row.key === null || row.key === undefined || row.key === "" ? 1 : 0);
// the other values' row and the row without a value both have the key null
const OTHER_ROW = Symbol("other values");
const rowId = (row) => (row.other ? OTHER_ROW : row.key ?? null);

function sortedRows(by, rows) {
  return [...rows].sort((a, b) => {
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (TIME_DIMENSIONS.has(by)) return String(a.key).localeCompare(String(b.key), undefined, { numeric: true });
    return b.calls - a.calls || String(a.key).localeCompare(String(b.key));
  });
}

/** A difference as "+3 (+25 %)": the figure's own form, and the percentage when there was something before. */
function formatChange(figure, now, before) {
  const difference = Number(now ?? 0) - Number(before ?? 0);
  if (difference === 0) return "0";
  const sign = difference > 0 ? "+" : "-";
  const percent = Number(before) ? ` (${sign}${formatPercent(Math.abs(percentOf(difference, before)))})` : "";
  return `${sign}${formatFigure(figure, Math.abs(difference))}${percent}`;
}

function comparison(period, previous, now, before) {
  const rows = FIGURES.map((figure) => h("tr", { dataset: { figure } },
    h("th", { scope: "row" }, t(`fig_${figure}`)),
    h("td", { "data-label": t("this_period") }, formatFigure(figure, now[figure])),
    h("td", { "data-label": t("previous_period") }, formatFigure(figure, before[figure])),
    h("td", { "data-label": t("change") }, formatChange(figure, now[figure], before[figure]))));
  return h("section", { class: "panel", id: "report-comparison", "aria-labelledby": "report-comparison-title" },
    h("h2", { id: "report-comparison-title" }, t("comparison")),
    h("p", { class: "muted" }, t("comparison_intro", {
      from: formatDay(period.from), to: formatDay(period.to),
      previous_from: formatDay(previous.from), previous_to: formatDay(previous.to),
    })),
    h("table", { class: "figures" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("figure")),
        h("th", { scope: "col" }, t("this_period")), h("th", { scope: "col" }, t("previous_period")),
        h("th", { scope: "col" }, t("change")))),
      h("tbody", {}, rows)));
}

// ---- the chart and its numbers ---------------------------------------------------------------------------------

/** Each day of the period with its figures (a day without calls: zeros). */
function dailyFigures(period, rows) {
  const byDay = new Map(rows.map((row) => [row.key, row]));
  return daysOf(period).map((day) => {
    const row = byDay.get(day) || {};
    const [calls, answered, missed] = [row.calls || 0, row.answered || 0, row.missed || 0];
    return { day, calls, answered, missed, other: calls - answered - missed, target: row.target_calls || 0 };
  });
}

function chartNumbers(days) {
  const columns = ["calls", "answered", "missed", "other", "target"];
  const label = { calls: t("fig_calls"), answered: t("fig_answered"), missed: t("fig_missed"), other: t("other_calls"),
    target: t("fig_target_calls") };
  return h("details", { class: "chart-numbers" },
    h("summary", {}, t("chart_numbers")),
    h("div", { class: "scroll" }, h("table", { class: "list", id: "report-days" },
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("day")),
        columns.map((column) => h("th", { scope: "col" }, label[column])))),
      h("tbody", {}, days.map((day) => h("tr", { dataset: { day: day.day } },
        h("th", { scope: "row" }, formatDay(day.day)),
        columns.map((column) => h("td", { "data-label": label[column] }, formatNumber(day[column])))))))));
}

function legend() {
  const item = (colour, text, line = false) => h("li", {},
    h("span", { class: line ? "swatch line" : "swatch", dataset: { colour } }), text);
  return h("ul", { class: "chart-legend" },
    item("answered", t("fig_answered")), item("missed", t("fig_missed")), item("other", t("other_calls")),
    item("target", t("fig_target_calls"), true));
}

/** uPlot's bars stacked by drawing the sums from the tallest down; the target calls as a line on top. */
function drawChart(holder, days) {
  const xs = days.map((_, index) => index);
  const answered = days.map((day) => day.answered);
  const upToMissed = days.map((day) => day.answered + day.missed);
  const all = days.map((day) => day.calls);
  const bars = uPlot.paths.bars({ size: [0.7, 48], align: 0 });
  const bar = (label, colour) => ({ label, fill: colour, stroke: colour, width: 0, paths: bars, points: { show: false } });
  const dayLabel = (index) => (Number.isInteger(index) && days[index] ? formatDay(days[index].day, { year: false }) : "");
  const options = {
    width: Math.max(260, holder.clientWidth),
    height: 260,
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: () => [-0.5, days.length - 0.5] }, y: { range: (u, min, max) => [0, Math.max(4, max)] } },
    axes: [
      { values: (u, splits) => splits.map(dayLabel), incrs: [1, 2, 7, 14, 28, 56, 91, 182, 364], space: 56 },
      { values: (u, splits) => splits.map((value) => formatNumber(value)), incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000] },
    ],
    series: [
      {},
      bar(t("other_calls"), COLOURS.other),
      bar(t("fig_missed"), COLOURS.missed),
      bar(t("fig_answered"), COLOURS.answered),
      { label: t("fig_target_calls"), stroke: COLOURS.target, width: 2, points: { show: true, size: 6, fill: COLOURS.target } },
    ],
  };
  const chart = new uPlot(options, [xs, all, upToMissed, answered, days.map((day) => day.target)], holder);
  const resized = new ResizeObserver(() => {
    if (!holder.isConnected) return resized.disconnect();
    if (holder.clientWidth && holder.clientWidth !== chart.width) chart.setSize({ width: holder.clientWidth, height: 260 });
  });
  resized.observe(holder);
}

function chartSection(days) {
  const holder = h("div", { class: "chart", id: "report-chart", role: "img", "aria-label": t("chart_label") });
  const section = h("section", { class: "panel", id: "report-by-day", "aria-labelledby": "report-by-day-title" },
    h("h2", { id: "report-by-day-title" }, t("calls_by_day")),
    holder, legend(), chartNumbers(days));
  return { section, draw: () => drawChart(holder, days) };
}

// ---- the table by dimension, its CSV ---------------------------------------------------------------------------

function tableColumns() {
  return ["calls", "share", ...FIGURES.slice(1)];
}

function columnLabel(column) {
  return column === "share" ? t("share_of_calls") : t(`fig_${column}`);
}

function figureCells(row, totalCalls) {
  return tableColumns().map((column) => h("td", { "data-label": columnLabel(column), class: "number" },
    column === "share" ? formatPercent(percentOf(row.calls, totalCalls)) : formatFigure(column, row[column])));
}

/** The table by the dimension; `before` (the previous period by it) adds each row's change in calls. */
function reportTable(chosen, now, before) {
  const { by, period, filters } = chosen;
  const compared = Boolean(before);
  const beforeByKey = new Map((before?.rows || []).map((row) => [rowId(row), row]));
  const body = sortedRows(by, now.rows).map((row) => {
    const label = rowLabel(by, row);
    const drill = drillFilters(by, row, period, filters);
    const link = drill ? h("a", { href: logUrl(drill), "aria-label": t("open_log_of", { name: label }) }, label) : label;
    return h("tr", { class: drill ? "drill" : null, dataset: { key: row.key ?? "", other: String(Boolean(row.other)) } },
      h("th", { scope: "row" }, link),
      figureCells(row, now.totals.calls),
      compared ? h("td", { "data-label": t("change_in_calls") },
        formatChange("calls", row.calls, beforeByKey.get(rowId(row))?.calls)) : null);
  });
  const heading = (text) => h("th", { scope: "col" }, text);
  return h("table", { class: "list report", id: "report-table" },
    h("thead", {}, h("tr", {}, heading(t(`by_${by}`)), tableColumns().map((column) => heading(columnLabel(column))),
      compared ? heading(t("change_in_calls")) : null)),
    h("tbody", {}, body),
    h("tfoot", {}, h("tr", {},
      h("th", { scope: "row" }, t("total")),
      figureCells(now.totals, now.totals.calls),
      compared ? h("td", { "data-label": t("change_in_calls") }, formatChange("calls", now.totals.calls, before.totals.calls)) : null)));
}

function tableError(error) {
  return h("section", { class: "panel", id: "report-rows" }, h("p", { class: "error", role: "alert" }, describeError(error, labelOf)));
}

// Text that a spreadsheet would run as a formula gets a leading apostrophe (as the server's CSV export does).
const FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"];

function csvCell(text, delimiter) {
  const value = FORMULA_STARTS.some((start) => text.startsWith(start)) ? `'${text}` : text;
  return /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The table's numbers as CSV: a dimension's value, each figure as a plain number (talk time in seconds, the share
 * in percent), the totals last; Polish spreadsheets get semicolons, decimal commas and a BOM (as the log's export). */
function reportCsv(by, answer) {
  const polish = currentLanguage() === "pl";
  const delimiter = polish ? ";" : ",";
  const decimal = (value, places) => Number(value ?? 0).toFixed(places).replace(".", polish ? "," : ".");
  const numbers = (row) => [
    String(row.calls), decimal(percentOf(row.calls, answer.totals.calls) ?? 0, 2),
    ...FIGURES.slice(1).map((figure) => (figure === "value" ? decimal(row.value, 2) : String(row[figure] ?? 0))),
  ];
  const header = [t(`by_${by}`), t("fig_calls"), t("share_percent"),
    ...FIGURES.slice(1).map((figure) => (figure === "talk_seconds" ? t("talk_seconds_csv") : t(`fig_${figure}`)))];
  const lines = [header,
    ...sortedRows(by, answer.rows).map((row) => [rowLabel(by, row), ...numbers(row)]),
    [t("total"), ...numbers(answer.totals)]];
  const text = lines.map((cells) => cells.map((cell) => csvCell(cell, delimiter)).join(delimiter)).join("\r\n");
  return `${polish ? "\ufeff" : ""}${text}\r\n`;
}

function download(name, text) {
  const link = h("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" })), download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function tableSection(chosen, now, before) {
  const { by, period } = chosen;
  const exportButton = h("button", { type: "button", id: "report-export", class: "secondary" }, t("export_csv"));
  exportButton.addEventListener("click", () => download(`callcard-${by}-${period.from}-${period.to}.csv`, reportCsv(by, now)));
  const table = reportTable(chosen, now, before);
  // a click anywhere on a row follows its link (the link itself is what keyboards and screen readers use)
  table.addEventListener("click", (event) => {
    const row = event.target.closest("tr.drill");
    if (row && !event.target.closest("a")) row.querySelector("a").click();
  });
  return h("section", { class: "panel", id: "report-rows", "aria-labelledby": "report-rows-title" },
    h("div", { class: "section-head" },
      h("h2", { id: "report-rows-title" }, t("report_table", { dimension: t(`by_${by}`).toLowerCase() })),
      exportButton),
    now.rows.length ? h("div", { class: "scroll" }, table) : empty(t("no_report_calls")),
    now.rows_left_out ? h("p", { class: "muted", id: "report-left-out" }, t("rows_left_out", { n: formatNumber(now.rows_left_out) })) : null,
    now.calls_in_other ? h("p", { class: "muted", id: "report-in-other" }, t("calls_in_other", { n: formatNumber(now.calls_in_other) })) : null);
}

// ---- the page --------------------------------------------------------------------------------------------------

function filterForm(chosen) {
  const { period, by, filters } = chosen;
  const categories = session.settings?.categories || [];
  const tags = session.settings?.tags || [];
  const more = ["number", "source", "medium", "campaign"];
  return h("form", { class: "filters", id: "report-filters", "aria-label": t("filters") },
    input("from", t("from"), "date", period.from, { required: true }),
    input("to", t("to"), "date", period.to, { required: true }),
    choice("by", t("report_by"), DIMENSIONS, by, (value) => t(`by_${value}`), null),
    choice("direction", t("direction"), ["incoming", "outgoing", "callback"], filters.direction),
    choice("status", t("status"), ["answered", "missed", "busy", "failed", "voicemail"], filters.status),
    input("agent", t("agent"), "text", filters.agent, { autocomplete: "off" }),
    choice("category", t("category"), categories, filters.category, (value) => value),
    choice("tag", t("tag"), tags, filters.tag, (value) => value),
    h("details", { class: "more-filters", open: more.some((name) => filters[name]) },
      h("summary", {}, t("more_filters")),
      h("div", { class: "filters" },
        input("number", t("our_number"), "tel", filters.number, { inputmode: "tel", autocomplete: "off" }),
        input("source", t("source"), "text", filters.source, { autocomplete: "off" }),
        input("medium", t("medium"), "text", filters.medium, { autocomplete: "off" }),
        input("campaign", t("campaign"), "text", filters.campaign, { autocomplete: "off" }))),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("apply")),
      h("button", { type: "reset", class: "secondary" }, t("reset")),
      h("span", { class: "muted" }, t("one_filter"))));
}

function readForm(form) {
  const data = new FormData(form);
  const value = (name) => String(data.get(name) || "").trim();
  const [from, to] = [value("from"), value("to")];
  return {
    period: from <= to ? { from, to } : { from: to, to: from },
    by: value("by"),
    filters: Object.fromEntries(FILTERS.map((name) => [name, value(name)])),
  };
}

function presets(chosen) {
  return h("p", { class: "shortcuts", id: "report-presets" }, PRESET_DAYS.map((days) => {
    const period = lastDays(days);
    const current = period.from === chosen.period.from && period.to === chosen.period.to;
    return [h("a", { href: addressOf({ ...chosen, period }), "aria-current": current ? "page" : null }, t("last_n_days", { n: days })), " "];
  }));
}

export async function renderReports(main) {
  document.title = `${t("reports")} · callcard`;
  const chosen = chosenFromAddress();
  const previous = previousPeriod(chosen.period);
  const form = filterForm(chosen);
  const report = h("div", { id: "report", "aria-busy": "true" }, h("p", { class: "muted", role: "status" }, t("loading")));
  const go = (address) => {
    history.pushState(null, "", address);
    renderReports(main);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(addressOf(readForm(form)));
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    go(location.pathname);
  });
  const shortcuts = presets(chosen);
  shortcuts.addEventListener("click", (event) => {
    const link = event.target.closest("a");
    if (!link) return;
    event.preventDefault();
    go(link.getAttribute("href"));
  });
  replaceChildren(main,
    h("h1", {}, t("reports")),
    h("p", { class: "muted zone" }, t("times_in", { zone: currentTimeZone() })),
    shortcuts,
    h("details", { class: "filters-fold", id: "report-filters-fold", open: !narrowScreen() }, h("summary", {}, t("filters")), form),
    report);
  // the days for the chart and both periods' totals; the rows by the dimension apart, so that a dimension the
  // filter does not allow (a report takes one filter, by its own dimension or by time: 422) leaves the rest shown
  const { by, period, filters } = chosen;
  const compared = !TIME_DIMENSIONS.has(by);
  const settled = (promise) => promise.then((answer) => ({ answer }), (error) => ({ error }));
  try {
    const [daily, dailyBefore, rows, rowsBefore] = await Promise.all([
      fetchReport("day", period, filters),
      fetchReport("day", previous, filters),
      by === "day" ? null : settled(fetchReport(by, period, filters)),
      compared ? settled(fetchReport(by, previous, filters)) : null,
    ]);
    const chart = chartSection(dailyFigures(period, daily.rows));
    const table = rows?.error || rowsBefore?.error;
    replaceChildren(report,
      comparison(period, previous, daily.totals, dailyBefore.totals),
      chart.section,
      table ? tableError(table) : tableSection(chosen, rows?.answer || daily, rowsBefore?.answer || null));
    chart.draw();
  } catch (error) {
    replaceChildren(report, h("p", { class: "error", role: "alert" }, describeError(error, labelOf)));
  } finally {
    report.setAttribute("aria-busy", "false");
  }
}

window.addEventListener("popstate", () => {
  if (document.getElementById("report")) renderReports(document.getElementById("main"));
});
