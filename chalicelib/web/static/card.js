// The call card: the facts that answer at a glance on top, then the conversation (player, review, comments)
// beside its context (visit, client, statistics, last visit, top pages, sessions); each thing said once.

import { appUrl, getJson, sendJson } from "./api.js";
import { empty, facts, h, narrowScreen, replaceChildren, section } from "./dom.js";
import { addMessages, formatDuration, formatNumber, formatTime, t } from "./i18n.js";
import { commentThread } from "./comments.js";
import { outcome } from "./outcome.js";
import { renderAudio } from "./player.js";
import { ratings } from "./review.js";
import { describeError, loadPageData, may, session } from "./state.js";
import { cardUrl, clientUrl, geoText, marks, sessionsHistory } from "./tables.js";
import { agentText, deviceLabel } from "./words.js";

addMessages({
  en: {
    client_other_calls: "The client's other recent calls", no_other_calls: "No other calls from this client.",
    all_calls_on_client_card: "All calls on the client card", source_medium_campaign: "Source / medium / campaign",
    line: "Our number", no_marks: "none", this_calls_visit: "This call's visit",
    last_visit_is_this_one: "The client's last visit is this call's visit.", conversation: "Conversation",
    context: "Context",
  },
  pl: {
    client_other_calls: "Inne ostatnie połączenia klienta", no_other_calls: "Brak innych połączeń tego klienta.",
    all_calls_on_client_card: "Wszystkie połączenia na karcie klienta", source_medium_campaign: "Źródło / medium / kampania",
    line: "Nasz numer", no_marks: "brak", this_calls_visit: "Wizyta tego połączenia",
    last_visit_is_this_one: "Ostatnia wizyta klienta to wizyta tego połączenia.", conversation: "Rozmowa",
    context: "Kontekst",
  },
});

const OTHER_CALLS_SHOWN = 5;
// the visit's fields the card's top line says already
const HEADLINE_VISIT_FIELDS = ["source", "medium", "campaign"];

function sourceMediumCampaign(visit) {
  if (!visit) return t("no_visit");
  return HEADLINE_VISIT_FIELDS.map((name) => visit[name] || "—").join(" / ");
}

/** Who called, when, how it went and where from: the card's top, one look. */
function headline(call, client, visit) {
  const who = client
    ? h("a", { href: clientUrl(client.phone), id: "client-link" }, client.phone_display || client.phone)
    : t("withheld");
  // the side of the call that is not the client: the project's number (or, for a withheld caller, the destination)
  const ours = client && call.destination === client.phone
    ? call.caller_display || call.caller
    : call.destination_display || call.destination;
  const callMarks = marks(call).filter(Boolean);
  return h("dl", { class: "headline" },
    [
      [t("client"), who],
      [t("started_at"), formatTime(call.started_at)],
      [t("status"), `${t(call.status)} · ${t(call.direction)}`],
      [t("talk"), formatDuration(call.talk_seconds)],
      [t("wait"), formatDuration(call.wait_seconds)],
      [t("flags"), callMarks.length ? callMarks : t("no_marks")],
      [t("source_medium_campaign"), sourceMediumCampaign(visit)],
      [t("agent"), agentText(call)],
      [t("line"), ours || "—"],
      [t("total"), formatDuration(call.total_seconds)],
      [t("external_id"), call.external_id || "—"],
    ].map(([label, value]) => h("div", {}, h("dt", {}, label), h("dd", {}, value))));
}

function review(callId, data) {
  const status = h("p", { class: "muted", id: "review-status", role: "status", "aria-live": "polite" });
  // the answers of one field's saves count in order: only its latest one (a quick change of mind stays)
  const latest = {};
  const save = async (patch) => {
    const field = Object.keys(patch).join();
    const mine = (latest[field] = (latest[field] || 0) + 1);
    status.textContent = "";
    try {
      const answer = await sendJson("PATCH", `v1/calls/${encodeURIComponent(callId)}/review`, patch);
      if (mine !== latest[field]) return null;
      status.textContent = t("saved");
      return answer;
    } catch (error) {
      if (mine === latest[field]) status.textContent = describeError(error, (name) => t(name));
      throw error;
    }
  };

  const categories = session.settings?.categories || [];
  const known = data.category && !categories.includes(data.category) ? [data.category] : [];
  const category = h("select", { id: "review-category", disabled: !may("categorise") },
    h("option", { value: "" }, t("no_category")),
    [...categories, ...known].map((value) => h("option", { value, selected: value === data.category }, value)));
  category.addEventListener("change", () => save({ category: category.value || null }).catch(() => null));
  const { tags, value } = outcome(data, save);

  return [
    h("div", { class: "review-row" },
      h("div", { class: "field" }, h("label", { for: "review-category" }, t("category")), category), value),
    ratings(callId, data, status),
    tags,
    status,
    commentThread(callId, data, status),
  ];
}

const VISIT_FIELDS = ["source", "medium", "campaign", "term", "content", "referrer", "landing_page"];

function labelOf(name) {
  const translated = t(name);
  return translated === name ? name.replace(/_/g, " ") : translated;
}

// how the visit's structured fields read; the rest (click ids such as gclid, ...) is shown as sent
const VISIT_FORMATS = { started_at: formatTime, geo: geoText, device: deviceLabel };

function visit(data) {
  if (!data) return empty(t("no_visit"));
  const rest = Object.keys(data).filter((name) => !VISIT_FIELDS.includes(name) && name !== "session_id");
  const shown = (name) => (VISIT_FORMATS[name] ? VISIT_FORMATS[name](data[name]) : data[name]);
  return facts([
    ...VISIT_FIELDS.filter((name) => !HEADLINE_VISIT_FIELDS.includes(name)).map((name) => [labelOf(name), data[name]]),
    ...rest.map((name) => [labelOf(name), shown(name)]),
    [t("session"), data.session_id],
  ]);
}

function otherCallItem(call) {
  const when = formatTime(call.started_at);
  return h("li", { dataset: { callId: call.call_id } },
    h("a", { href: cardUrl(call.call_id), "aria-label": t("open_card", { date: when }) }, when),
    ` · ${t(call.status)} · ${formatDuration(call.talk_seconds)} `, marks(call));
}

/** The client's other recent calls: one request to GET v1/clients/{phone}/calls (the card has none). */
function otherCalls(phone, callId) {
  const list = h("ul", { class: "other-calls", id: "other-calls", "aria-busy": "true" });
  const status = h("p", { class: "muted", role: "status" }, t("loading"));
  getJson(`v1/clients/${encodeURIComponent(phone)}/calls`).then((page) => {
    const others = page.items.filter((call) => call.call_id !== callId).slice(0, OTHER_CALLS_SHOWN);
    list.append(...others.map(otherCallItem));
    status.textContent = others.length ? "" : t("no_other_calls");
  }, (error) => {
    status.textContent = describeError(error);
  }).finally(() => list.setAttribute("aria-busy", "false"));
  return [
    h("h3", {}, t("client_other_calls")), list, status,
    h("a", { href: clientUrl(phone), id: "client-card-link" }, t("all_calls_on_client_card")),
  ];
}

// the client's number is on the card's top line; the landing page (and the IP when it is the visit's) in the Visit
// section
function client(data, callVisit, callId) {
  if (!data) return empty(t("no_client"));
  return [
    callVisit && "ip" in callVisit ? null : facts([[t("ip"), data.ip]]),
    otherCalls(data.phone, callId),
  ];
}

export function statistics(data) {
  if (!data) return empty(t("no_statistics"));
  return facts([
    [t("as_of"), formatTime(data.as_of)],
    [t("days_since_first_visit"), formatNumber(data.days_since_first_visit)],
    [t("days_since_last_visit"), formatNumber(data.days_since_last_visit)],
    [t("total_calls"), formatNumber(data.total_calls)],
    [t("total_sessions"), formatNumber(data.total_sessions)],
    [t("calls_last_30_days"), formatNumber(data.calls_last_30_days)],
    [t("pageviews_last_30_days"), formatNumber(data.pageviews_last_30_days)],
  ]);
}

function lastVisit(data, callVisit) {
  if (!data) return empty(t("no_last_visit"));
  const pairs = [
    ["started_at", formatTime(data.started_at)],
    ["source", data.source],
    ["medium", data.medium],
    ["campaign", data.campaign],
    ["referrer", data.referrer],
    ["device", deviceLabel(data.device)],
    ["os", data.os],
    ["browser", data.browser],
    ["geo", geoText(data.geo)],
  ];
  if (data.session_id !== callVisit?.session_id) return facts(pairs.map(([name, value]) => [t(name), value]));
  // the call's own visit: only what the top line and the Visit section do not say
  const said = (name) => HEADLINE_VISIT_FIELDS.includes(name) || name in callVisit;
  return [
    h("p", { class: "muted" }, t("last_visit_is_this_one")),
    facts(pairs.filter(([name]) => !said(name)).map(([name, value]) => [t(name), value])),
  ];
}

function topPages(pages) {
  if (!pages?.length) return empty(t("no_top_pages"));
  return h("div", { class: "scroll" }, h("table", { class: "list" },
    h("thead", {}, h("tr", {}, ["page", "views", "time_spent"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, pages.map((page) => h("tr", {},
      // one box: in the stacked layout of a narrow column the cell is a grid of its label and this
      h("td", { "data-label": t("page") }, h("div", { class: "page" }, page.title ? h("strong", {}, page.title) : null, h("span", { class: "url" }, page.url))),
      h("td", { "data-label": t("views") }, formatNumber(page.views)),
      h("td", { "data-label": t("time_spent") }, formatDuration(page.time_spent_seconds)))))));
}

export async function renderCard(main, callId) {
  document.title = `${t("call_card")} · callcard`;
  const card = await loadPageData(main, `v1/calls/${encodeURIComponent(callId)}`);
  if (!card) return;
  const audio = h("div", { id: "audio-body" });
  const phone = card.client?.phone;
  const contextLeft = [
    section("visit", t("visit"), visit(card.visit)),
    section("last-visit", t("last_visit"), lastVisit(card.last_visit, card.visit)),
    section("top-pages", t("top_pages"), topPages(card.top_pages)),
  ];
  const contextRight = [
    section("client", t("client"), client(card.client, card.visit, callId)),
    section("statistics", t("statistics"), statistics(card.statistics)),
  ];
  const sessions = section("sessions", t("sessions"), phone
    ? sessionsHistory(phone, card.sessions, card.sessions_next_cursor, card.visit?.session_id)
    : empty(t("no_sessions")));
  // a phone shows the conversation open and the context as headings to open one at a time
  if (narrowScreen()) for (const part of [...contextLeft, ...contextRight, sessions]) part.querySelector("details").open = false;
  // the conversation (the recording beside its review) in the first screen, then the context in two columns, then
  // the sessions across the page (a table of many columns)
  replaceChildren(main,
    h("a", { href: appUrl("calls"), class: "back" }, t("back_to_log")),
    h("h1", {}, t("call_card")),
    h("section", { class: "panel card-top", id: "details", "aria-labelledby": "details-title" },
      h("h2", { id: "details-title", class: "visually-hidden" }, t("call_details")),
      headline(card.call, card.client, card.visit)),
    h("div", { class: "card-columns card-conversation", role: "group", "aria-label": t("conversation") },
      h("div", { class: "card-column" }, section("audio", t("audio"), audio)),
      h("div", { class: "card-column" }, section("review", t("review"), review(callId, card.review)))),
    h("div", { class: "card-context", role: "group", "aria-label": t("context") },
      h("div", { class: "card-columns" },
        h("div", { class: "card-column" }, contextLeft),
        h("div", { class: "card-column" }, contextRight)),
      sessions));
  renderAudio(audio, card.audio, callId);
}
