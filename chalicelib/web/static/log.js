// The call log: filters (kept in the address, so back and reload keep them), full pages, the count of calls, live
// rows (new calls appear at the top without a reload), the order toggle and CSV export.

import { getJson, query, send } from "./api.js";
import { h, narrowScreen, replaceChildren } from "./dom.js";
import { currentLanguage, currentTimeZone, formatDate, formatNumber, nextDay, t, zonedMidnight } from "./i18n.js";
import { describeError, notify, session } from "./state.js";
import { callTable } from "./tables.js";
import { savedViews } from "./saved-views.js";

// every filter of GET /v1/calls (chalicelib/schemas.py CallFilters); `phone` takes a whole number or a part of one
const FILTERS = ["from", "to", "direction", "status", "category", "tag", "phone", "number", "agent", "source",
  "medium", "campaign", "min_talk_seconds", "min_call_rating", "has_recording", "has_comment", "needs_callback",
  "order"];
const MARKS = ["first", "target", "repeat"];
const PAGE_SIZE = 50;
// a page whose read budget ended empty comes with a cursor: read on a few pages before asking the person
const EMPTY_PAGES_READ_ON = 5;
// live rows: how often the log asks for changes while the tab is visible
const POLL_MS = 15_000;
// a phone box of this many digits or more (or with +) is a whole number; fewer digits are a part of one
const WHOLE_NUMBER_DIGITS = 9;

function filtersFromAddress() {
  const params = new URLSearchParams(location.search);
  return {
    ...Object.fromEntries(FILTERS.map((name) => [name, params.get(name) || ""])),
    mark: params.getAll("mark").filter((mark) => MARKS.includes(mark)),
  };
}

/** The API's filters: the form's days (in the project's time zone, `to` inclusive) as UTC instants, and the phone
 * box as a whole number (`phone`) or a part of one (`phone_part`). */
export function apiFilters(filters) {
  const digits = (filters.phone || "").replace(/[\s().-]/g, "");
  const part = /^[0-9]{3,15}$/.test(digits) && digits.length < WHOLE_NUMBER_DIGITS;
  return {
    ...filters,
    phone: part ? "" : filters.phone,
    phone_part: part ? digits : "",
    from: filters.from ? zonedMidnight(filters.from) : "",
    to: filters.to ? zonedMidnight(nextDay(filters.to)) : "",
  };
}

export function choice(name, label, values, current, labelOf = (value) => t(value), anyLabel = t("any")) {
  const id = `filter-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, name },
      anyLabel === null ? null : h("option", { value: "" }, anyLabel),
      values.map((value) => h("option", { value, selected: value === current }, labelOf(value)))));
}

export function input(name, label, type, current, extra = {}) {
  const id = `filter-${name}`;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name, type, value: current, ...extra }));
}

function yesNo(name, label, current, yes, no) {
  return choice(name, label, ["true", "false"], current, (value) => (value === "true" ? yes : no));
}

function markBoxes(current) {
  return h("fieldset", { class: "field marks-filter" },
    h("legend", {}, t("flags")),
    MARKS.map((mark) => h("label", {},
      h("input", { type: "checkbox", name: "mark", value: mark, id: `filter-mark-${mark}`, checked: current.includes(mark) }),
      ` ${t(`mark_${mark}`)}`)));
}

// the filters folded under "More filters" (open when one of them is set), so that the log stays near the top
const MORE = ["number", "source", "medium", "campaign", "min_talk_seconds", "min_call_rating", "tag",
  "has_recording", "has_comment"];

function filterForm(filters) {
  const categories = session.settings?.categories || [];
  const tags = session.settings?.tags || [];
  const moreSet = MORE.some((name) => filters[name]) || filters.mark.length > 0;
  const more = h("details", { class: "more-filters", id: "more-filters", open: moreSet },
    h("summary", {}, t("more_filters")),
    h("div", { class: "filters" },
      input("number", t("our_number"), "tel", filters.number, { inputmode: "tel", autocomplete: "off" }),
      input("source", t("source"), "text", filters.source, { autocomplete: "off" }),
      input("medium", t("medium"), "text", filters.medium, { autocomplete: "off" }),
      input("campaign", t("campaign"), "text", filters.campaign, { autocomplete: "off" }),
      input("min_talk_seconds", t("min_talk_seconds"), "number", filters.min_talk_seconds, { min: 0, max: 86400 }),
      choice("min_call_rating", t("min_call_rating"), ["1", "2", "3", "4", "5"], filters.min_call_rating,
        (value) => `≥ ${value}`),
      choice("tag", t("tag"), tags, filters.tag, (value) => value),
      yesNo("has_recording", t("has_recording"), filters.has_recording, t("yes"), t("no")),
      yesNo("has_comment", t("has_comment"), filters.has_comment, t("with_comments"), t("without_comments")),
      markBoxes(filters.mark)));
  return h("form", { class: "filters", id: "filters", "aria-label": t("filters") },
    input("from", t("from"), "date", filters.from),
    input("to", t("to"), "date", filters.to),
    choice("direction", t("direction"), ["incoming", "outgoing", "callback"], filters.direction),
    choice("status", t("status"), ["answered", "missed", "busy", "failed", "voicemail"], filters.status),
    input("phone", t("phone"), "tel", filters.phone,
      { inputmode: "tel", autocomplete: "off", title: t("phone_hint"), placeholder: t("phone_placeholder") }),
    input("agent", t("agent"), "text", filters.agent, { autocomplete: "off" }),
    choice("category", t("category"), categories, filters.category, (value) => value),
    yesNo("needs_callback", t("needs_callback"), filters.needs_callback, t("not_called_back"), t("called_back_or_not_missed")),
    choice("order", t("order"), ["desc", "asc"], filters.order || "desc", (value) => t(`order_${value}`), null),
    more,
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("apply")),
      h("button", { type: "reset", class: "secondary" }, t("reset")),
      h("button", { type: "button", id: "export-csv", class: "secondary" }, t("export_csv"))));
}

function readForm(form) {
  const data = new FormData(form);
  const chosen = Object.fromEntries(FILTERS.map((name) => [name, String(data.get(name) || "").trim()]));
  if (chosen.order === "desc") chosen.order = ""; // the default stays out of the address
  return { ...chosen, mark: data.getAll("mark").map(String) };
}

/** The CSV's form for the person's language: Polish spreadsheets want semicolons, a BOM and Polish headers. */
export function csvOptions(language) {
  return language === "pl" ? { delimiter: "semicolon", bom: "true", lang: "pl" } : {};
}

async function exportCsv(filters, button) {
  button.disabled = true;
  button.textContent = t("exporting");
  try {
    const response = await send("GET", `v1/calls.csv${query({ ...apiFilters(filters), ...csvOptions(currentLanguage()) })}`);
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

function isFiltered(filters) {
  return filters.mark.length > 0 || FILTERS.some((name) => name !== "order" && filters[name]);
}

let stopPolling = () => {};

/** The changes feed's token of now: asked for before the log's first page is read, so that a call written while
 * the page loads comes with the first poll instead of being passed over. */
async function changesHead() {
  try {
    return (await getJson("v1/calls/changes")).next_since;
  } catch {
    return null; // the first poll asks again
  }
}

/** Asks GET v1/calls/changes every POLL_MS while the tab is visible, from `since` on; `onCalls` gets the calls
 * created or changed. One request at a time: coming back to the tab while one is under way waits for it. */
function pollChanges(onCalls, since) {
  let timer = null;
  let stopped = false;
  let asking = false;
  async function poll() {
    timer = null;
    if (stopped || document.hidden || asking) return;
    asking = true;
    try {
      const answer = await getJson(`v1/calls/changes${query({ since })}`);
      since = answer.next_since;
      if (answer.items.length) onCalls(answer.items);
    } catch {
      // the next poll tries again
    } finally {
      asking = false;
    }
    if (!stopped) timer = setTimeout(poll, POLL_MS);
  }
  // back on the tab: what changed meanwhile at once, then every POLL_MS again
  function onVisibility() {
    if (document.hidden || stopped) return;
    clearTimeout(timer);
    poll();
  }
  document.addEventListener("visibilitychange", onVisibility);
  poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  };
}

export async function renderCallLog(main) {
  stopPolling();
  document.title = `${t("call_log")} · callcard`;
  const filters = filtersFromAddress();
  const form = filterForm(filters);
  const calls = callTable("call-log");
  const status = h("p", { class: "muted", id: "log-status", role: "status", "aria-live": "polite" });
  const count = h("p", { class: "count", id: "log-count", "aria-live": "polite" });
  const more = h("button", { type: "button", id: "load-more", hidden: true }, t("load_more"));
  const shortcut = h("a", { class: "shortcut", id: "not-called-back", href: `${location.pathname}?needs_callback=true`,
    "aria-current": filters.needs_callback === "true" ? "page" : null }, t("missed_not_called_back"));
  // a signed-in person with a PBX extension: their own calls (agent=me)
  const mine = session.me?.person?.extension ? h("a", { class: "shortcut", id: "my-calls", href: `${location.pathname}?agent=me`,
    "aria-current": filters.agent === "me" ? "page" : null }, t("my_calls")) : null;
  let cursor = null;
  let shown = 0;

  async function loadPage() {
    more.disabled = true;
    status.textContent = t("loading");
    calls.table.setAttribute("aria-busy", "true");
    try {
      let searchedUntil = null;
      for (let read = 0; read < EMPTY_PAGES_READ_ON; read += 1) {
        const page = await getJson(`v1/calls${query({ ...apiFilters(filters), limit: PAGE_SIZE, cursor })}`);
        calls.add(page.items);
        shown += page.items.length;
        cursor = page.next_cursor;
        searchedUntil = page.searched_until;
        if (page.items.length || !cursor) break;
      }
      status.textContent = searchedUntil && cursor
        ? t("searched_back_to", { date: formatDate(searchedUntil) })
        : cursor ? "" : shown ? t("end_of_log") : t("no_calls");
      more.hidden = !cursor;
    } catch (error) {
      status.textContent = describeError(error);
    } finally {
      more.disabled = false;
      calls.table.setAttribute("aria-busy", "false");
    }
  }

  async function loadCount() {
    try {
      const answer = await getJson(`v1/calls/count${query(apiFilters(filters))}`);
      const ranged = filters.from || filters.to;
      count.textContent = t(ranged ? "n_calls" : "n_calls_30_days", { n: formatNumber(answer.count) });
    } catch {
      count.textContent = "";
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
  for (const link of [shortcut, mine].filter(Boolean)) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      history.pushState(null, "", link.getAttribute("href"));
      renderCallLog(main);
    });
  }
  // a saved view is the filters without the dates: the same view serves any days
  if (session.me?.person) {
    form.querySelector(".actions").before(savedViews(() => query({ ...readForm(form), from: "", to: "" }).slice(1), (saved) => {
      const chosen = new URLSearchParams(saved);
      for (const name of ["from", "to"]) if (filters[name]) chosen.set(name, filters[name]);
      history.pushState(null, "", `${location.pathname}?${chosen}`);
      renderCallLog(main);
    }));
  }
  form.querySelector("#export-csv").addEventListener("click", (event) => exportCsv(readForm(form), event.currentTarget));
  more.addEventListener("click", loadPage);
  // a phone shows the log first and the filters behind a "Filters" heading; wider screens show them open
  const active = FILTERS.filter((name) => name !== "order" && filters[name]).length + (filters.mark.length ? 1 : 0);
  const folded = h("details", { class: "filters-fold", id: "filters-fold", open: !narrowScreen() },
    h("summary", {}, active ? t("filters_active", { n: active }) : t("filters")), form);

  replaceChildren(main,
    h("h1", {}, t("call_log")),
    h("p", { class: "muted zone" }, t("times_in", { zone: currentTimeZone() })),
    h("p", { class: "shortcuts" }, shortcut, mine ? " · " : null, mine),
    folded,
    count,
    h("div", { class: "scroll" }, calls.table),
    status,
    more);
  // live rows: the unfiltered log, newest first, shows new calls at the top and keeps changed ones current; the
  // rows already shown and the docked player stay as they are
  const live = !isFiltered(filters) && filters.order !== "asc";
  const head = live ? changesHead() : null;
  await Promise.all([loadPage(), loadCount()]);
  if (live) {
    stopPolling = pollChanges((items) => {
      if (!document.body.contains(calls.table)) return stopPolling();
      if (calls.upsert(items)) loadCount();
    }, await head);
  }
}

window.addEventListener("popstate", () => {
  if (document.getElementById("call-log")) renderCallLog(document.getElementById("main"));
});
