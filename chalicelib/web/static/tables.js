// Tables shared by pages: the calls (call log, client card) and the sessions history (card, client card).

import { appUrl, getJson, query } from "./api.js";
import { playButton } from "./dock.js";
import { empty, h } from "./dom.js";
import { formatDuration, formatNumber, formatTime, regionName, t } from "./i18n.js";
import { describeError } from "./state.js";
import { agentText } from "./words.js";

export function cardUrl(callId) {
  return appUrl(`calls/${encodeURIComponent(callId)}`);
}

export function clientUrl(phone) {
  return appUrl(`clients/${encodeURIComponent(phone)}`);
}

function cell(label, ...content) {
  return h("td", { "data-label": label }, ...content);
}

/** A call log cell: its column's class lets a phone lay the row out compactly (app.css). */
function callCell(key, ...content) {
  return h("td", { "data-label": t(key), class: `c-${key}` }, ...content);
}

/** The call's target / repeat / first-call marks (empty when it has none). */
export function marks(call) {
  return [
    call.target ? h("span", { class: "mark target", title: t("target_hint") }, t("target")) : null,
    call.repeat ? h("span", { class: "mark repeat", title: t("repeat_hint") }, t("repeat")) : null,
    call.first_call ? h("span", { class: "mark first" }, t("first_call")) : null,
    call.needs_callback ? h("span", { class: "mark callback" }, t("needs_callback_mark")) : null,
    call.called_back ? h("span", { class: "mark called-back" }, t("called_back")) : null,
  ];
}

function callRow(call) {
  const when = formatTime(call.started_at);
  const kind = call.needs_callback ? "needs-callback" : call.target ? "is-target" : call.repeat ? "is-repeat" : null;
  return h("tr", { class: kind, dataset: { callId: call.call_id, startedAt: call.started_at } },
    callCell("date", h("a", { href: cardUrl(call.call_id), "aria-label": t("open_card", { date: when }) }, when)),
    callCell("direction", t(call.direction)),
    callCell("status", t(call.status)),
    callCell("caller", call.caller_display || call.caller || "—"),
    callCell("destination", call.destination_display || call.destination || "—"),
    callCell("agent", agentText(call)),
    callCell("talk", formatDuration(call.talk_seconds)),
    callCell("category", call.category || "—"),
    callCell("source", call.source || "—"),
    callCell("has_recording", call.has_recording ? playButton(call) : "—"),
    callCell("flags", h("span", {}, marks(call)))); // one box: a phone's labelled cell lays out label and value
}

export function callTable(id) {
  const headings = ["date", "direction", "status", "caller", "destination", "agent", "talk", "category", "source",
    "has_recording", "flags"];
  const body = h("tbody", {});
  const table = h("table", { class: "list calls", id },
    h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))), body);
  // what each row shows: the feed may hand back a call already shown as it is (written a moment before the log
  // was read), and such a row stays as it is (its play button's state, the reader's focus)
  const shownAs = new WeakMap();
  function row(call) {
    const made = callRow(call);
    shownAs.set(made, JSON.stringify(call));
    return made;
  }
  /** Calls created or changed elsewhere: a shown row that changed is replaced in place, a new call goes to the
   * top; the count of new ones. */
  function upsert(calls) {
    const fresh = [];
    for (const call of calls) {
      const shown = body.querySelector(`tr[data-call-id="${CSS.escape(call.call_id)}"]`);
      if (!shown) fresh.push(call);
      else if (shownAs.get(shown) !== JSON.stringify(call)) shown.replaceWith(row(call));
    }
    fresh.sort((a, b) => b.started_at.localeCompare(a.started_at));
    body.prepend(...fresh.map(row));
    return fresh.length;
  }
  return { table, add: (calls) => body.append(...calls.map(row)), upsert, clear: () => body.replaceChildren() };
}

export function geoText(geo) {
  if (!geo) return "—";
  return [geo.city, geo.region, regionName(geo.country)].filter(Boolean).join(", ") || "—";
}

// the call card shows its own visit's landing page in the Visit section: its row points there instead (and opens
// the section when a phone has folded it)
const openVisit = () => document.querySelector("#visit > details")?.setAttribute("open", "");

function sessionRow(item, visitSessionId) {
  const isVisit = item.session_id === visitSessionId;
  return h("tr", { class: isVisit ? "is-this-visit" : null, dataset: { sessionId: item.session_id } },
    cell(t("started_at"), formatTime(item.started_at)),
    cell(t("ended_at"), formatTime(item.ended_at)),
    cell(t("landing_page"), isVisit ? h("a", { href: "#visit", onclick: openVisit }, t("this_calls_visit")) : item.landing_page || "—"),
    cell(t("pageviews"), formatNumber(item.pageviews)),
    cell(t("source"), [item.source, item.medium].filter(Boolean).join(" / ") || "—"),
    cell(t("campaign"), item.campaign || "—"),
    cell(t("geo"), geoText(item.geo)),
    cell(t("calls"), (item.calls || []).length
      ? h("ul", { class: "inline" }, item.calls.map((call) =>
        h("li", {}, h("a", { href: cardUrl(call.call_id) }, `${formatTime(call.started_at)} · ${t(call.status)}`))))
      : "—"));
}

/** `content` followed by a "Load more" button (or `label`) that pages through `path` (an API list with
 * `next_cursor`). */
export function pagedList(content, path, nextCursor, addItems, { label = t("load_more"), id = null } = {}) {
  const status = h("p", { class: "muted", role: "status" });
  let cursor = nextCursor;
  const more = h("button", { type: "button", hidden: !cursor, id }, label);
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      const page = await getJson(`${path}${query({ cursor })}`);
      addItems(page.items);
      cursor = page.next_cursor;
      more.hidden = !cursor;
      status.textContent = "";
    } catch (error) {
      status.textContent = describeError(error);
    } finally {
      more.disabled = false;
    }
  });
  return h("div", { class: "scroll" }, content, more, status);
}

/** The sessions history, paged on through GET v1/clients/{phone}/sessions; `visitSessionId` (on a call card) is
 * the session of the call's visit. */
export function sessionsHistory(phone, sessions, nextCursor, visitSessionId = null) {
  if (!sessions?.length) return empty(t("no_sessions"));
  const headings = ["started_at", "ended_at", "landing_page", "pageviews", "source", "campaign", "geo", "calls"];
  const sessionRowOf = (item) => sessionRow(item, visitSessionId);
  const body = h("tbody", {}, sessions.map(sessionRowOf));
  const table = h("table", { class: "list sessions" },
    h("thead", {}, h("tr", {}, headings.map((key) => h("th", { scope: "col" }, t(key))))), body);
  return pagedList(table, `v1/clients/${encodeURIComponent(phone)}/sessions`, nextCursor,
    (items) => body.append(...items.map(sessionRowOf)));
}
