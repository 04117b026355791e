// The Webhooks screen (admin): the project's endpoints, adding one (its secret shown once), and one endpoint's page
// (/admin/webhooks?webhook=<id>): its address, description and events, enable/disable, secret rotation, a test
// ping, deletion, and its delivery log with Retry on a failed delivery.

import { appUrl, getJson, sendJson } from "./api.js";
import { actionsHeading, empty, h, replaceChildren } from "./dom.js";
import { confirmDialog, copyField, screenHeading } from "./forms.js";
import { addMessages, formatTime, t } from "./i18n.js";
import { describeError, loadPageData } from "./state.js";
import { pagedList } from "./tables.js";

addMessages({
  en: {
    webhooks: "Webhooks", webhook_url: "Address (https://…)", webhook_description: "Description (optional)",
    webhook_events: "Events", webhook_add: "Add webhook", webhook_status: "State", webhook_created: "Added",
    webhook_enabled: "enabled", webhook_disabled: "disabled", webhook_none: "No webhooks yet.",
    webhook_intro: "callcard POSTs each event an endpoint takes to its address, signed per Standard Webhooks (headers webhook-id, webhook-timestamp, webhook-signature): verify deliveries with the endpoint's secret.",
    webhook_pick_event: "Choose at least one event.",
    webhook_secret_once: "The endpoint's signing secret, shown this once: copy it now into the receiving system.",
    webhook_rotated_once: "The new signing secret, shown this once. The old one keeps signing beside it for 24 hours.",
    webhook_disabled_mark: "Disabled after 5 days of failures",
    webhook_disabled_since: "callcard disabled this endpoint: every delivery failed since {since}. Fix the receiver, then enable it again.",
    webhook_failing_since: "Failing since {since}",
    webhook_back: "← Webhooks", webhook_open: "Open the webhook {url}",
    webhook_enable: "Enable", webhook_disable: "Disable", webhook_test: "Send test ping", webhook_rotate: "Rotate secret",
    webhook_delete: "Delete webhook", webhook_saved: "Webhook saved.", webhook_deleted: "Webhook deleted.",
    webhook_now_enabled: "Webhook enabled.", webhook_now_disabled: "Webhook disabled: nothing is sent to it.",
    webhook_ping_queued: "Test ping queued; it shows in the delivery log below.",
    webhook_confirm_delete: "Delete the webhook {url}? Nothing more is sent to it and its delivery log goes.",
    webhook_confirm_rotate: "Make a new signing secret? The old one keeps signing beside it for 24 hours.",
    deliveries: "Delivery log", delivery_event: "Event", delivery_attempts: "Attempts",
    delivery_answer: "Last answer", delivery_next: "Next attempt", delivery_retry: "Retry", delivery_refresh: "Refresh",
    delivery_none: "Nothing delivered yet.", delivery_retried: "Delivery queued again.",
    delivery_pending: "pending", delivery_delivered: "delivered", delivery_failed: "failed",
  },
  pl: {
    webhooks: "Webhooki", webhook_url: "Adres (https://…)", webhook_description: "Opis (opcjonalnie)",
    webhook_events: "Zdarzenia", webhook_add: "Dodaj webhook", webhook_status: "Stan", webhook_created: "Dodano",
    webhook_enabled: "włączony", webhook_disabled: "wyłączony", webhook_none: "Brak webhooków.",
    webhook_intro: "callcard wysyła (POST) każde zdarzenie, które przyjmuje punkt końcowy, na jego adres, podpisane zgodnie ze Standard Webhooks (nagłówki webhook-id, webhook-timestamp, webhook-signature): sprawdzaj dostawy sekretem punktu końcowego.",
    webhook_pick_event: "Wybierz co najmniej jedno zdarzenie.",
    webhook_secret_once: "Sekret podpisu punktu końcowego, pokazany tylko ten jeden raz: skopiuj go teraz do systemu odbiorcy.",
    webhook_rotated_once: "Nowy sekret podpisu, pokazany tylko ten jeden raz. Stary podpisuje obok niego jeszcze przez 24 godziny.",
    webhook_disabled_mark: "Wyłączony po 5 dniach błędów",
    webhook_disabled_since: "callcard wyłączył ten punkt końcowy: każda dostawa od {since} się nie udała. Napraw odbiorcę, a potem włącz go ponownie.",
    webhook_failing_since: "Błędy od {since}",
    webhook_back: "← Webhooki", webhook_open: "Otwórz webhook {url}",
    webhook_enable: "Włącz", webhook_disable: "Wyłącz", webhook_test: "Wyślij testowy ping", webhook_rotate: "Zmień sekret",
    webhook_delete: "Usuń webhook", webhook_saved: "Webhook zapisano.", webhook_deleted: "Webhook usunięto.",
    webhook_now_enabled: "Webhook włączono.", webhook_now_disabled: "Webhook wyłączono: nic nie jest do niego wysyłane.",
    webhook_ping_queued: "Testowy ping w kolejce; pojawi się w dzienniku dostaw poniżej.",
    webhook_confirm_delete: "Usunąć webhook {url}? Nic więcej nie zostanie do niego wysłane, a jego dziennik dostaw zniknie.",
    webhook_confirm_rotate: "Utworzyć nowy sekret podpisu? Stary podpisuje obok niego jeszcze przez 24 godziny.",
    deliveries: "Dziennik dostaw", delivery_event: "Zdarzenie", delivery_attempts: "Próby",
    delivery_answer: "Ostatnia odpowiedź", delivery_next: "Następna próba", delivery_retry: "Ponów", delivery_refresh: "Odśwież",
    delivery_none: "Nic jeszcze nie dostarczono.", delivery_retried: "Dostawa ponownie w kolejce.",
    delivery_pending: "oczekuje", delivery_delivered: "dostarczona", delivery_failed: "nieudana",
  },
});

// the events an endpoint may take (chalicelib/schemas.py WebhookEventType; `ping` goes to one endpoint when asked)
const EVENTS = ["call.created", "call.missed", "call.updated", "recording.available", "recording.archived",
  "recording.restored", "client.erased"];
const URL_MAX = 2000; // characters, as the API allows
const DESCRIPTION_MAX = 200;
const WATCH_EVERY_MS = 2000; // the delivery log refreshes while a delivery is pending, up to WATCH_TIMES times
const WATCH_TIMES = 30;

const endpointPath = (id) => `v1/webhooks/${encodeURIComponent(id)}`;
const endpointPage = (id) => appUrl(`admin/webhooks?webhook=${encodeURIComponent(id)}`);
const wrapAnywhere = "overflow-wrap: anywhere";

export async function renderWebhooks(main) {
  const webhookId = new URLSearchParams(location.search).get("webhook");
  await (webhookId ? renderEndpoint(main, webhookId) : renderList(main));
}

/** The state marks of an endpoint: disabled by callcard after failing, or failing now. */
function stateMarks(webhook) {
  if (webhook.disabled_reason) return h("span", { class: "mark callback" }, t("webhook_disabled_mark"));
  if (webhook.failing_since) {
    return h("span", { class: "mark callback" }, t("webhook_failing_since", { since: formatTime(webhook.failing_since) }));
  }
  return null;
}

/** The address, description and event checkboxes of an endpoint (`webhook`: its current values, or none). */
function endpointFields(webhook = null) {
  const url = h("input", { id: "webhook-url", type: "url", required: true, maxlength: URL_MAX, spellcheck: "false",
    autocomplete: "off", value: webhook?.url ?? "" });
  const description = h("input", { id: "webhook-description", type: "text", maxlength: DESCRIPTION_MAX,
    value: webhook?.description ?? "" });
  const taken = new Set(webhook?.events ?? ["call.created"]);
  const boxes = EVENTS.map((event) => h("input", { type: "checkbox", id: `event-${event.replace(".", "-")}`,
    value: event, checked: taken.has(event) }));
  const fields = [
    h("div", { class: "field" }, h("label", { for: "webhook-url" }, t("webhook_url")), url),
    h("div", { class: "field" }, h("label", { for: "webhook-description" }, t("webhook_description")), description),
    h("fieldset", { class: "marks-filter", id: "webhook-events" }, h("legend", {}, t("webhook_events")),
      boxes.map((box) => h("label", {}, box, " ", box.value))),
  ];
  const values = () => ({
    url: url.value.trim(),
    description: description.value.trim() || null,
    events: boxes.filter((box) => box.checked).map((box) => box.value),
  });
  return { fields, values };
}

function secretNotice(text, secret) {
  return h("div", { class: "notice-inline", id: "webhook-secret" },
    h("p", { id: "webhook-secret-text" }, text),
    copyField("webhook-secret-value", secret, { labelledBy: "webhook-secret-text" }));
}

function status(id) {
  return h("p", { class: "muted", id, role: "status", "aria-live": "polite" });
}

function webhookRow(webhook) {
  return h("tr", { dataset: { webhookId: webhook.webhook_id }, class: webhook.enabled ? null : "revoked" },
    h("td", { "data-label": t("webhook_url"), style: wrapAnywhere },
      h("a", { href: endpointPage(webhook.webhook_id), "aria-label": t("webhook_open", { url: webhook.url }) }, webhook.url),
      webhook.description ? h("div", { class: "muted" }, webhook.description) : null),
    h("td", { "data-label": t("webhook_events") }, webhook.events.join(", ")),
    h("td", { "data-label": t("webhook_status") },
      t(webhook.enabled ? "webhook_enabled" : "webhook_disabled"), " ", stateMarks(webhook)),
    h("td", { "data-label": t("webhook_created") }, formatTime(webhook.created_at)));
}

async function renderList(main, notice = null) {
  const listing = await loadPageData(main, "v1/webhooks");
  if (!listing) return;
  const said = status("webhooks-status");
  const { fields, values } = endpointFields();
  const form = h("form", { class: "panel", id: "webhook-add-form" },
    h("h2", {}, t("webhook_add")), fields,
    h("div", { class: "actions" }, h("button", { type: "submit", id: "webhook-add" }, t("webhook_add"))), said);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = values();
    if (!body.events.length) {
      said.textContent = t("webhook_pick_event");
      return;
    }
    try {
      const created = await sendJson("POST", "v1/webhooks", body);
      await renderList(main, secretNotice(t("webhook_secret_once"), created.secret));
    } catch (error) {
      said.textContent = describeError(error, (name) => t(`webhook_${name.split(".")[0]}`));
    }
  });
  const rows = h("tbody", {}, listing.items.map(webhookRow));
  const table = h("table", { class: "list", id: "webhooks-table" },
    h("thead", {}, h("tr", {},
      ["webhook_url", "webhook_events", "webhook_status", "webhook_created"].map((key) => h("th", { scope: "col" }, t(key))))),
    rows);
  replaceChildren(main, ...screenHeading("webhooks"),
    notice ? h("section", { class: "panel", role: "status" }, notice) : null,
    h("p", { id: "webhooks-intro" }, t("webhook_intro")),
    listing.items.length ? pagedList(table, "v1/webhooks", listing.next_cursor,
      (more) => rows.append(...more.map(webhookRow)), { id: "webhooks-more" }) : empty(t("webhook_none")),
    form);
}

function answerText(item) {
  return [item.last_status_code, item.last_error].filter((part) => part !== null && part !== undefined).join(" · ") || "—";
}

function deliveryRow(item, retry) {
  const button = item.status === "failed"
    ? h("button", { type: "button", class: "secondary", "aria-label": `${t("delivery_retry")} ${item.type} ${formatTime(item.created_at)}` },
      t("delivery_retry"))
    : null;
  button?.addEventListener("click", () => retry(item));
  return h("tr", { dataset: { deliveryId: item.delivery_id, status: item.status } },
    h("td", { "data-label": t("date") }, formatTime(item.created_at)),
    h("td", { "data-label": t("delivery_event") }, item.type),
    h("td", { "data-label": t("status") }, t(`delivery_${item.status}`)),
    h("td", { "data-label": t("delivery_attempts") }, String(item.attempts)),
    h("td", { "data-label": t("delivery_answer"), style: wrapAnywhere }, answerText(item)),
    h("td", { "data-label": t("delivery_next") }, item.next_attempt_at ? formatTime(item.next_attempt_at) : "—"),
    h("td", {}, button));
}

/** The endpoint's delivery log, newest first, paged; `refresh()` reads its first page again. */
function deliveryLog(webhookId, said) {
  const path = `${endpointPath(webhookId)}/deliveries`;
  const holder = h("div", { id: "deliveries-log" });
  let shown = new Set(); // the deliveries on the first page, as last read
  const retry = async (item) => {
    try {
      await sendJson("POST", `${path}/${encodeURIComponent(item.delivery_id)}/retry`);
      said.textContent = t("delivery_retried");
      await watch();
    } catch (error) {
      said.textContent = describeError(error);
    }
  };
  async function refresh() {
    const page = await getJson(path);
    shown = new Set(page.items.map((item) => item.delivery_id));
    const rows = h("tbody", {}, page.items.map((item) => deliveryRow(item, retry)));
    const table = h("table", { class: "list", id: "deliveries-table" },
      h("thead", {}, h("tr", {},
        ["date", "delivery_event", "status", "delivery_attempts", "delivery_answer", "delivery_next"]
          .map((key) => h("th", { scope: "col" }, t(key))),
        actionsHeading(t("actions")))),
      rows);
    replaceChildren(holder, page.items.length
      ? pagedList(table, path, page.next_cursor, (more) => rows.append(...more.map((item) => deliveryRow(item, retry))),
        { id: "deliveries-more" })
      : empty(t("delivery_none")));
    return page.items;
  }
  /** Reads the log again until nothing on its first page is pending (on its way) and, with `expectNew` (a ping
   * just queued, fanned out a moment later), a delivery not shown before is there; for a minute at most. */
  async function watch(expectNew = false) {
    const known = new Set(shown);
    for (let time = 0; time < WATCH_TIMES && holder.isConnected; time += 1) {
      const items = await refresh();
      const arrived = !expectNew || items.some((item) => !known.has(item.delivery_id));
      if (arrived && !items.some((item) => item.status === "pending")) return;
      await new Promise((resolve) => setTimeout(resolve, WATCH_EVERY_MS));
    }
  }
  return { holder, refresh, watch };
}

async function renderEndpoint(main, webhookId, notice = null) {
  const webhook = await loadPageData(main, endpointPath(webhookId));
  if (!webhook) return;
  const said = status("webhook-status");
  const log = deliveryLog(webhookId, said);
  const again = (next) => renderEndpoint(main, webhookId, next);
  const act = async (work) => {
    said.textContent = "";
    try {
      await work();
    } catch (error) {
      said.textContent = describeError(error, (name) => t(`webhook_${name.split(".")[0]}`));
    }
  };

  const { fields, values } = endpointFields(webhook);
  const form = h("form", { class: "panel", id: "webhook-form" }, fields,
    h("div", { class: "actions" }, h("button", { type: "submit", id: "webhook-save" }, t("save"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = values();
    if (!body.events.length) {
      said.textContent = t("webhook_pick_event");
      return;
    }
    act(async () => {
      await sendJson("PATCH", endpointPath(webhookId), body);
      await again(t("webhook_saved"));
    });
  });

  const button = (id, label, work, kind = "secondary") => {
    const made = h("button", { type: "button", id, class: kind }, label);
    made.addEventListener("click", () => act(work));
    return made;
  };
  const toggle = button("webhook-toggle", t(webhook.enabled ? "webhook_disable" : "webhook_enable"), async () => {
    await sendJson("PATCH", endpointPath(webhookId), { enabled: !webhook.enabled });
    await again(t(webhook.enabled ? "webhook_now_disabled" : "webhook_now_enabled"));
  });
  const ping = button("webhook-test", t("webhook_test"), async () => {
    await sendJson("POST", `${endpointPath(webhookId)}/test`);
    said.textContent = t("webhook_ping_queued");
    await log.watch(true);
  });
  const rotate = button("webhook-rotate", t("webhook_rotate"), async () => {
    if (!(await confirmDialog("rotate-secret", t("webhook_confirm_rotate"), t("webhook_rotate")))) return;
    const { secret } = await sendJson("POST", `${endpointPath(webhookId)}/rotate-secret`);
    await again(secretNotice(t("webhook_rotated_once"), secret));
  });
  const remove = button("webhook-delete", t("webhook_delete"), async () => {
    if (!(await confirmDialog("delete-webhook", t("webhook_confirm_delete", { url: webhook.url }), t("delete")))) return;
    await sendJson("DELETE", endpointPath(webhookId));
    history.replaceState(null, "", appUrl("admin/webhooks"));
    await renderList(main, t("webhook_deleted"));
  }, "danger");
  ping.disabled = !webhook.enabled; // the API refuses a test ping to a disabled endpoint

  const refresh = h("button", { type: "button", class: "secondary", id: "deliveries-refresh" }, t("delivery_refresh"));
  refresh.addEventListener("click", () => act(log.refresh));
  replaceChildren(main,
    h("a", { href: appUrl("admin/webhooks"), class: "back" }, t("webhook_back")),
    h("h1", { style: wrapAnywhere }, webhook.url),
    notice ? h("section", { class: "panel", role: "status" }, notice) : null,
    h("p", { id: "webhook-state" }, t(webhook.enabled ? "webhook_enabled" : "webhook_disabled"), " ", stateMarks(webhook)),
    webhook.disabled_reason && webhook.failing_since
      ? h("p", { class: "error", id: "webhook-disabled-reason" },
        t("webhook_disabled_since", { since: formatTime(webhook.failing_since) }))
      : null,
    form,
    h("div", { class: "actions" }, toggle, ping, rotate, remove),
    said,
    h("section", { class: "panel", id: "deliveries", "aria-labelledby": "deliveries-title" },
      h("h2", { id: "deliveries-title" }, t("deliveries")),
      h("div", { class: "actions" }, refresh),
      log.holder));
  await act(log.refresh);
}
