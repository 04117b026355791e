// The call log: filters (kept in the address, so back and reload keep them), paging, CSV export.

import { getJson, query, send } from "./api.js";
import { h, narrowScreen, replaceChildren } from "./dom.js";
import { currentTimeZone, nextDay, t, zonedMidnight } from "./i18n.js";
import { describeError, notify, session } from "./state.js";
import { callTable } from "./tables.js";

const FILTERS = ["from", "to", "direction", "status", "category", "phone", "has_recording"];
const PAGE_SIZE = 50;
// a filtered page may come back empty with a cursor: read on a few pages before asking the person
const EMPTY_PAGES_READ_ON = 5;

function filtersFromAddress() {
  const params = new URLSearchParams(location.search);
  return Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""]));
}

/** The API's filters: the form's days (in the project's time zone, `to` inclusive) as UTC instants. */
export function apiFilters(filters) {
  return {
    ...filters,
    from: filters.from ? zonedMidnight(filters.from) : "",
    to: filters.to ? zonedMidnight(nextDay(filters.to)) : "",
  };
}

function choice(name, label, values, current, labelOf = (value) => t(value)) {
  const id = `filter-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, name },
      h("option", { value: "" }, t("any")),
      values.map((value) => h("option", { value, selected: value === current }, labelOf(value)))));
}

function input(name, label, type, current, extra = {}) {
  const id = `filter-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, type, value: current, ...extra }));
}

function filterForm(filters) {
  const categories = session.settings?.categories || [];
  const form = h("form", { class: "filters", id: "filters", "aria-label": t("filters") },
    input("from", t("from"), "date", filters.from),
    input("to", t("to"), "date", filters.to),
    choice("direction", t("direction"), ["incoming", "outgoing", "callback"], filters.direction),
    choice("status", t("status"), ["answered", "missed", "busy", "failed", "voicemail"], filters.status),
    choice("category", t("category"), categories, filters.category, (value) => value),
    input("phone", t("phone"), "tel", filters.phone, { inputmode: "tel", autocomplete: "off" }),
    choice("has_recording", t("has_recording"), ["true", "false"], filters.has_recording,
      (value) => t(value === "true" ? "yes" : "no")),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("apply")),
      h("button", { type: "reset", class: "secondary" }, t("reset")),
      h("button", { type: "button", id: "export-csv", class: "secondary" }, t("export_csv"))));
  return form;
}

function readForm(form) {
  const data = new FormData(form);
  return Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) || "").trim()]));
}

async function exportCsv(filters, button) {
  button.disabled = true;
  button.textContent = t("exporting");
  try {
    const response = await send("GET", `v1/calls.csv${query(apiFilters(filters))}`);
    const blob = await response.blob();
    const name = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "")?.[1] || "calls.csv";
    const link = h("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    // the server stops at its row cap and says where the rest begins
    notify(response.headers.get("X-Next-Cursor") ? t("export_capped") : "");
  } catch (error) {
    notify(describeError(error));
  } finally {
    button.disabled = false;
    button.textContent = t("export_csv");
  }
}

export async function renderCallLog(main) {
  document.title = `${t("call_log")} · callcard`;
  const filters = filtersFromAddress();
  const form = filterForm(filters);
  const calls = callTable("call-log");
  const status = h("p", { class: "muted", id: "log-status", role: "status", "aria-live": "polite" });
  const more = h("button", { type: "button", id: "load-more", hidden: true }, t("load_more"));
  let cursor = null;
  let shown = 0;

  async function loadPage() {
    more.disabled = true;
    status.textContent = t("loading");
    calls.table.setAttribute("aria-busy", "true");
    try {
      for (let read = 0; read < EMPTY_PAGES_READ_ON; read += 1) {
        const page = await getJson(`v1/calls${query({ ...apiFilters(filters), limit: PAGE_SIZE, cursor })}`);
        calls.add(page.items);
        shown += page.items.length;
        cursor = page.next_cursor;
        if (page.items.length || !cursor) break;
      }
      status.textContent = cursor ? "" : shown ? t("end_of_log") : t("no_calls");
      more.hidden = !cursor;
    } catch (error) {
      status.textContent = describeError(error);
    } finally {
      more.disabled = false;
      calls.table.setAttribute("aria-busy", "false");
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = readForm(form);
    history.pushState(null, "", `${location.pathname}${query(chosen)}`);
    renderCallLog(main);
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    history.pushState(null, "", location.pathname);
    renderCallLog(main);
  });
  form.querySelector("#export-csv").addEventListener("click", (event) => exportCsv(readForm(form), event.currentTarget));
  more.addEventListener("click", loadPage);
  // a phone shows the log first and the filters behind a "Filters" heading; wider screens show them open
  const active = FILTERS.filter((name) => filters[name]).length;
  const folded = h("details", { class: "filters-fold", id: "filters-fold", open: !narrowScreen() },
    h("summary", {}, active ? t("filters_active", { n: active }) : t("filters")), form);

  replaceChildren(main,
    h("h1", {}, t("call_log")),
    h("p", { class: "muted zone" }, t("times_in", { zone: currentTimeZone() })),
    folded,
    h("div", { class: "scroll" }, calls.table),
    status,
    more);
  await loadPage();
}

window.addEventListener("popstate", () => {
  if (document.getElementById("call-log")) renderCallLog(document.getElementById("main"));
});
