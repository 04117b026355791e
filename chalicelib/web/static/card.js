// The call card: its sections in the contract's order, each with an empty state.

import { appUrl, sendJson } from "./api.js";
import { empty, facts, h, replaceChildren, section } from "./dom.js";
import { formatDuration, formatNumber, formatTime, t } from "./i18n.js";
import { renderAudio } from "./player.js";
import { ratings } from "./review.js";
import { describeError, loadPageData, may, session } from "./state.js";
import { clientUrl, geoText, pagedList, sessionsHistory } from "./tables.js";
import { deviceLabel } from "./words.js";

const COMMENT_MAX = 4000; // characters, as the API allows

const yesNo = (value) => t(value ? "yes_word" : "no_word");

function callDetails(call) {
  return facts([
    [t("started_at"), formatTime(call.started_at)],
    [t("direction"), t(call.direction)],
    [t("status"), t(call.status)],
    [t("caller"), call.caller_display || call.caller],
    [t("destination"), call.destination_display || call.destination],
    [t("agent"), call.agent],
    [t("wait"), formatDuration(call.wait_seconds)],
    [t("talk"), formatDuration(call.talk_seconds)],
    [t("total"), formatDuration(call.total_seconds)],
    [t("first_call"), yesNo(call.first_call)],
    [t("target"), yesNo(call.target)],
    [t("repeat"), yesNo(call.repeat)],
    [t("external_id"), call.external_id],
  ]);
}

function comment(item) {
  return h("li", { class: "comment", dataset: { commentId: item.comment_id } },
    h("p", { class: "meta" }, `${item.author} · ${formatTime(item.created_at)}`),
    h("p", { class: "text" }, item.text));
}

function review(callId, data) {
  const status = h("p", { class: "muted", id: "review-status", role: "status", "aria-live": "polite" });
  const save = async (patch) => {
    status.textContent = "";
    try {
      await sendJson("PATCH", `v1/calls/${encodeURIComponent(callId)}/review`, patch);
      status.textContent = t("saved");
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  const categories = session.settings?.categories || [];
  const known = data.category && !categories.includes(data.category) ? [data.category] : [];
  const category = h("select", { id: "review-category", disabled: !may("categorise") },
    h("option", { value: "" }, t("no_category")),
    [...categories, ...known].map((value) => h("option", { value, selected: value === data.category }, value)));
  category.addEventListener("change", () => save({ category: category.value || null }));

  // newest first, as the API lists them: the card's 50, then older ones a page at a time
  const list = h("ul", { class: "comments", id: "comments" }, data.comments.map(comment));
  const none = data.comments.length ? null : empty(t("no_comments"));
  const older = pagedList(list, `v1/calls/${encodeURIComponent(callId)}/comments`, data.comments_next_cursor,
    (items) => list.append(...items.map(comment)), { label: t("older_comments"), id: "older-comments" });
  const text = h("textarea", { id: "comment-text", name: "text", rows: 3, maxlength: COMMENT_MAX, required: true });
  const form = h("form", { id: "comment-form", class: "comment-form" },
    h("label", { for: "comment-text" }, t("comment")), text,
    h("button", { type: "submit" }, t("add_comment")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      const added = await sendJson("POST", `v1/calls/${encodeURIComponent(callId)}/comments`, { text: text.value });
      list.prepend(comment(added));
      none?.remove();
      text.value = "";
      status.textContent = t("saved");
    } catch (error) {
      status.textContent = describeError(error);
    }
  });

  return [
    h("div", { class: "field" }, h("label", { for: "review-category" }, t("category")), category),
    ratings(callId, data, status),
    h("h3", {}, t("comments")), none, older,
    may("comment") ? form : null,
    status,
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
    ...VISIT_FIELDS.map((name) => [labelOf(name), data[name]]),
    ...rest.map((name) => [labelOf(name), shown(name)]),
    [t("session"), data.session_id],
  ]);
}

function client(data) {
  if (!data) return empty(t("no_client"));
  return facts([
    [t("phone"), h("a", { href: clientUrl(data.phone), id: "client-link" }, data.phone_display || data.phone)],
    [t("ip"), data.ip],
    [t("landing_page"), data.landing_page],
  ]);
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

function lastVisit(data) {
  if (!data) return empty(t("no_last_visit"));
  return facts([
    [t("started_at"), formatTime(data.started_at)],
    [t("source"), data.source],
    [t("medium"), data.medium],
    [t("campaign"), data.campaign],
    [t("referrer"), data.referrer],
    [t("device"), deviceLabel(data.device)],
    [t("os"), data.os],
    [t("browser"), data.browser],
    [t("geo"), geoText(data.geo)],
  ]);
}

function topPages(pages) {
  if (!pages?.length) return empty(t("no_top_pages"));
  return h("div", { class: "scroll" }, h("table", { class: "list" },
    h("thead", {}, h("tr", {}, ["page", "views", "time_spent"].map((key) => h("th", { scope: "col" }, t(key))))),
    h("tbody", {}, pages.map((page) => h("tr", {},
      h("td", { "data-label": t("page") }, page.title ? [h("strong", {}, page.title), h("br"), page.url] : page.url),
      h("td", { "data-label": t("views") }, formatNumber(page.views)),
      h("td", { "data-label": t("time_spent") }, formatDuration(page.time_spent_seconds)))))));
}

export async function renderCard(main, callId) {
  document.title = `${t("call_card")} · callcard`;
  const card = await loadPageData(main, `v1/calls/${encodeURIComponent(callId)}`);
  if (!card) return;
  const audio = h("div", { id: "audio-body" });
  const phone = card.client?.phone;
  replaceChildren(main,
    h("a", { href: appUrl(""), class: "back" }, t("back_to_log")),
    h("h1", {}, `${t("call_card")} · ${formatTime(card.call.started_at)}`),
    section("audio", t("audio"), audio),
    section("details", t("call_details"), callDetails(card.call)),
    section("review", t("review"), review(callId, card.review)),
    section("visit", t("visit"), visit(card.visit)),
    section("client", t("client"), client(card.client)),
    section("statistics", t("statistics"), statistics(card.statistics)),
    section("last-visit", t("last_visit"), lastVisit(card.last_visit)),
    section("top-pages", t("top_pages"), topPages(card.top_pages)),
    section("sessions", t("sessions"), phone ? sessionsHistory(phone, card.sessions, card.sessions_next_cursor) : empty(t("no_sessions"))));
  renderAudio(audio, card.audio, callId);
}
