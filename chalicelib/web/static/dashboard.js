// The landing dashboard, the first screen after signing in: today, the last 7 and the last 30 days side by side
// (calls, missed calls not called back, target calls, the answered share, value) and each period's five top
// sources; the figures lead into the call log. Also the header's navigation between the dashboard, the log and
// the Reports page.

import { appUrl, getJson, query } from "./api.js";
import { empty, h, replaceChildren } from "./dom.js";
import { addMessages, currentTimeZone, formatNumber, t } from "./i18n.js";
import { apiFilters } from "./log.js";
import { fetchReport, formatFigure, formatPercent, lastDays, logUrl, percentOf } from "./report.js";
import { describeError } from "./state.js";

addMessages({
  en: {
    period_today: "Today", period_7: "Last 7 days", period_30: "Last 30 days", answered_share: "Answered share",
    top_sources: "Top five sources", no_sources: "No calls.", open_reports: "Reports: every source, campaign and day",
  },
  pl: {
    period_today: "Dziś", period_7: "Ostatnie 7 dni", period_30: "Ostatnie 30 dni", answered_share: "Odsetek odebranych",
    top_sources: "Pięć głównych źródeł", no_sources: "Brak połączeń.", open_reports: "Raporty: każde źródło, kampania i dzień",
  },
});

// each period: its name in messages and ids, and its days up to today
const PERIODS = [["today", 1], ["7", 7], ["30", 30]];
const TOP_SOURCES = 5;
// the header's pages: path under the app's root, message, id
const PAGES = [["", "overview", "nav-overview"], ["calls", "call_log", "nav-log"], ["reports", "reports", "nav-reports"]];

/** The header's links to the dashboard, the call log and the Reports page (the current one marked). */
export function showMainNav() {
  document.getElementById("main-nav")?.remove();
  const here = location.href.split(/[?#]/)[0];
  const nav = h("nav", { id: "main-nav", class: "main-nav", "aria-label": t("main_nav") },
    PAGES.map(([path, name, id]) => h("a", { href: appUrl(path), id, "aria-current": appUrl(path) === here ? "page" : null }, t(name))));
  document.getElementById("home").after(nav);
}

async function periodFigures([name, days]) {
  const period = lastDays(days);
  const callbacks = { needs_callback: "true", ...period };
  const [report, count] = await Promise.all([
    fetchReport("source", period),
    getJson(`v1/calls/count${query(apiFilters(callbacks))}`),
  ]);
  // the most calls first; on a tie the calls without a source (or under the other sources of a day) last
  const unset = (row) => Number(row.key === null || row.key === undefined);
  const sources = [...report.rows].sort((a, b) => b.calls - a.calls || unset(a) - unset(b) || String(a.key).localeCompare(String(b.key)));
  return { name, period, totals: report.totals, callbacks, notCalledBack: count.count, sources: sources.slice(0, TOP_SOURCES) };
}

function figuresTable(periods) {
  const cell = (figures, content) => h("td", { "data-label": t(`period_${figures.name}`), dataset: { period: figures.name } }, content);
  const row = (figure, label, content) => h("tr", { dataset: { figure } },
    h("th", { scope: "row" }, label), periods.map((figures) => cell(figures, content(figures))));
  return h("table", { class: "figures", id: "dashboard-figures" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("figure")),
      periods.map((figures) => h("th", { scope: "col" }, t(`period_${figures.name}`))))),
    h("tbody", {},
      row("calls", t("fig_calls"), (figures) => h("a", { href: logUrl(figures.period) }, formatFigure("calls", figures.totals.calls))),
      row("not_called_back", t("missed_not_called_back"), (figures) =>
        h("a", { href: logUrl(figures.callbacks), class: figures.notCalledBack ? "attention" : null }, formatNumber(figures.notCalledBack))),
      row("target_calls", t("fig_target_calls"), (figures) => formatFigure("target_calls", figures.totals.target_calls)),
      row("answered_share", t("answered_share"), (figures) => formatPercent(percentOf(figures.totals.answered, figures.totals.calls))),
      row("value", t("fig_value"), (figures) => formatFigure("value", figures.totals.value))));
}

function topSources(periods) {
  return h("section", { class: "panel", id: "top-sources", "aria-labelledby": "top-sources-title" },
    h("h2", { id: "top-sources-title" }, t("top_sources")),
    h("div", { class: "top-sources" }, periods.map((figures) => h("div", {},
      h("h3", { id: `top-sources-${figures.name}-title` }, t(`period_${figures.name}`)),
      figures.sources.length
        ? h("ol", { id: `top-sources-${figures.name}`, "aria-labelledby": `top-sources-${figures.name}-title` },
          figures.sources.map((row) => {
            const name = row.other ? t("other_values") : row.key ?? t("no_value");
            return h("li", { dataset: { source: row.key ?? "" } },
              row.key === null || row.key === undefined ? name : h("a", { href: logUrl({ ...figures.period, source: row.key }) }, name),
              h("span", { class: "muted" }, ` ${formatNumber(row.calls)}`));
          }))
        : empty(t("no_sources"))))));
}

export async function renderDashboard(main) {
  document.title = `${t("overview")} · callcard`;
  const board = h("div", { id: "dashboard", "aria-busy": "true" }, h("p", { class: "muted", role: "status" }, t("loading")));
  replaceChildren(main,
    h("h1", {}, t("overview")),
    h("p", { class: "muted zone" }, t("times_in", { zone: currentTimeZone() })),
    board);
  try {
    const periods = await Promise.all(PERIODS.map(periodFigures));
    replaceChildren(board,
      h("section", { class: "panel", "aria-label": t("overview") }, figuresTable(periods)),
      topSources(periods),
      h("p", {}, h("a", { href: appUrl("reports"), id: "open-reports" }, t("open_reports"))));
  } catch (error) {
    replaceChildren(board, h("p", { class: "error", role: "alert" }, describeError(error)));
  } finally {
    board.setAttribute("aria-busy", "false");
  }
}
