// The Settings screen (admin): recording, categories, review tags and currency, time zone, the country of national
// phone numbers, holds and sessions, the call log's target calls, what a visit keeps of the visitor's IP address,
// who hears of a missed call (settings.alerts) and Google Analytics 4 (settings.ga4: its API secret never shown back).

import { getJson, sendJson } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { screenHeading } from "./forms.js";
import { addMessages, regionName, setTimeZone, t } from "./i18n.js";
import { describeError, loadPageData, session } from "./state.js";

addMessages({
  en: {
    recording_enabled: "Record calls", categories: "Categories (one a line)", timezone: "Time zone",
    default_country: "Country of phone numbers written without a country code",
    number_hold_minutes: "Hold a number for (minutes)", session_timeout_minutes: "A session ends after (idle minutes)",
    attribution_grace_minutes: "A call counts for a visit up to (minutes after it)",
    max_holds_per_ip: "Pool numbers one visitor address may hold at once",
    target_call_seconds: "A target call talks at least (seconds)", sale_cycle_days: "Sale cycle (days)",
    callback_window_hours: "A missed call counts as called back within (hours)",
    ip_storage: "Visitors' IP addresses", ip_storage_full: "Keep the whole address",
    ip_storage_truncated: "Keep it shortened (IPv4 without its last part, IPv6 to /48)", ip_storage_none: "Keep none",
    settings_saved: "Settings saved.", tags_list: "Tags for reviews (one a line)",
    currency: "Currency of deal values (ISO 4217, like PLN)",
    alerts: "Missed-call alerts", missed_call_emails: "Email a missed call to (one address a line, at most 10)",
    missed_call_chat_url: "Post a missed call to a chat (a Slack-format incoming webhook's https address)",
    ga4: "Google Analytics 4", ga4_intro: "A call of a visit that Google Analytics saw (with the visitor's consent) is sent to it as a phone_call event. Leave the measurement ID empty to stop.",
    ga4_measurement_id: "Measurement ID (Admin > Data streams, like G-XXXXXXX)",
    ga4_api_secret: "Measurement Protocol API secret", ga4_secret_kept: "Stored: {hint}. Leave empty to keep it.",
  },
  pl: {
    recording_enabled: "Nagrywaj połączenia", categories: "Kategorie (jedna w wierszu)", timezone: "Strefa czasowa",
    default_country: "Kraj numerów telefonów zapisanych bez kodu kraju",
    number_hold_minutes: "Rezerwuj numer na (minuty)", session_timeout_minutes: "Sesja kończy się po (minutach bezczynności)",
    attribution_grace_minutes: "Połączenie należy do wizyty do (minut po niej)",
    max_holds_per_ip: "Numery z puli, które jeden adres odwiedzającego może mieć naraz",
    target_call_seconds: "Połączenie docelowe trwa co najmniej (sekundy)", sale_cycle_days: "Cykl sprzedaży (dni)",
    callback_window_hours: "Nieodebrane uznaje się za oddzwonione w ciągu (godzin)",
    ip_storage: "Adresy IP odwiedzających", ip_storage_full: "Zapisuj cały adres",
    ip_storage_truncated: "Zapisuj skrócony (IPv4 bez ostatniej części, IPv6 do /48)", ip_storage_none: "Nie zapisuj",
    settings_saved: "Ustawienia zapisano.", tags_list: "Tagi do oceny połączeń (jeden w wierszu)",
    currency: "Waluta wartości transakcji (ISO 4217, np. PLN)",
    alerts: "Powiadomienia o nieodebranych", missed_call_emails: "Wysyłaj nieodebrane połączenia e-mailem do (jeden adres w wierszu, najwyżej 10)",
    missed_call_chat_url: "Wysyłaj nieodebrane połączenia na czat (adres https przychodzącego webhooka w formacie Slacka)",
    ga4: "Google Analytics 4", ga4_intro: "Połączenie z wizyty, którą widział Google Analytics (za zgodą odwiedzającego), trafia do niego jako zdarzenie phone_call. Zostaw identyfikator pomiaru pusty, aby przestać.",
    ga4_measurement_id: "Identyfikator pomiaru (Administracja > Strumienie danych, np. G-XXXXXXX)",
    ga4_api_secret: "Klucz tajny API Measurement Protocol", ga4_secret_kept: "Zapisany: {hint}. Zostaw puste, aby go zachować.",
  },
});

// the numeric settings with their bounds (chalicelib/schemas.py SettingsPatch)
// what a new session keeps of the visitor's IP (chalicelib/tracking/capture.py IpStorage)
const IP_STORAGE = ["full", "truncated", "none"];

const NUMBERS = [
  ["number_hold_minutes", 1, 1440],
  ["session_timeout_minutes", 1, 1440],
  ["attribution_grace_minutes", 0, 1440],
  ["max_holds_per_ip", 1, 50],
  ["target_call_seconds", 0, 86400],
  ["sale_cycle_days", 1, 365],
  ["callback_window_hours", 1, 720],
];

/** A picker's values, read from `path`; only the current one when the list cannot be read (saving still works). */
async function choices(path, current) {
  try {
    return (await getJson(path)).items;
  } catch {
    return [current];
  }
}

function field(name, control, label = t(name)) {
  return h("div", { class: "field" }, h("label", { for: `setting-${name}` }, label), control);
}

const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);

// a refused field's label: the API names a list's item (`tags.2`) and a nested field (`ga4.api_secret`)
const LABELS = [["tags", "tags_list"], ["alerts.missed_call_emails", "missed_call_emails"],
  ["alerts.missed_call_chat_url", "missed_call_chat_url"], ["ga4.measurement_id", "ga4_measurement_id"],
  ["ga4.api_secret", "ga4_api_secret"]];
const labelOf = (name) => t(LABELS.find(([prefix]) => name.startsWith(prefix))?.[1] ?? name);

/** The alerts and GA4 fields, their part of the PATCH (the GA4 secret only when one is typed: empty keeps the
 * stored one; an empty measurement ID stops GA4), and `saved` to show what the API kept. */
function outflowFields(current) {
  const alerts = current.alerts ?? { missed_call_emails: [], missed_call_chat_url: null };
  const emails = h("textarea", { id: "setting-missed_call_emails", rows: 3, spellcheck: "false" },
    alerts.missed_call_emails.join("\n"));
  const chat = h("input", { id: "setting-missed_call_chat_url", type: "url", spellcheck: "false", autocomplete: "off",
    value: alerts.missed_call_chat_url ?? "" });
  const measurement = h("input", { id: "setting-ga4_measurement_id", type: "text", spellcheck: "false",
    autocomplete: "off", pattern: "G-[A-Z0-9]{4,20}", value: current.ga4?.measurement_id ?? "" });
  const hint = h("span", { class: "muted", id: "setting-ga4_api_secret-hint" });
  const secret = h("input", { id: "setting-ga4_api_secret", type: "password", autocomplete: "new-password",
    spellcheck: "false", "aria-describedby": "setting-ga4_api_secret-hint" });
  const showHint = (ga4) => {
    hint.textContent = ga4 ? t("ga4_secret_kept", { hint: ga4.api_secret_hint }) : "";
  };
  showHint(current.ga4);
  const fields = [
    h("fieldset", { class: "panel", id: "alerts-fields" }, h("legend", {}, t("alerts")),
      field("missed_call_emails", emails), field("missed_call_chat_url", chat)),
    h("fieldset", { class: "panel", id: "ga4-fields" }, h("legend", {}, t("ga4")),
      h("p", { class: "muted" }, t("ga4_intro")),
      field("ga4_measurement_id", measurement),
      field("ga4_api_secret", secret), hint),
  ];
  const patch = () => {
    const measurementId = measurement.value.trim();
    const apiSecret = secret.value.trim();
    return {
      alerts: { missed_call_emails: lines(emails.value), missed_call_chat_url: chat.value.trim() || null },
      ga4: measurementId ? { measurement_id: measurementId, ...(apiSecret ? { api_secret: apiSecret } : {}) } : null,
    };
  };
  const saved = (settings) => {
    secret.value = "";
    showHint(settings.ga4);
  };
  return { fields, patch, saved };
}

export async function renderSettings(main) {
  const current = await loadPageData(main, "v1/settings");
  if (!current) return;
  const [zones, countries] = await Promise.all([
    choices("v1/settings/timezones", current.timezone),
    choices("v1/settings/countries", current.default_country),
  ]);
  const recording = h("input", { type: "checkbox", id: "setting-recording_enabled", checked: current.recording_enabled });
  const categories = h("textarea", { id: "setting-categories", rows: 5 }, current.categories.join("\n"));
  const tags = h("textarea", { id: "setting-tags", rows: 5 }, current.tags.join("\n"));
  const currency = h("input", { id: "setting-currency", type: "text", required: true, maxlength: 3, size: 4,
    pattern: "[A-Za-z]{3}", autocomplete: "off", value: current.currency, style: "text-transform: uppercase; width: 6rem" });
  const zone = h("select", { id: "setting-timezone" },
    zones.map((name) => h("option", { value: name, selected: name === current.timezone }, name.replace(/_/g, " "))));
  const named = countries.map((code) => [regionName(code), code]).sort(([a], [b]) => a.localeCompare(b));
  const country = h("select", { id: "setting-default_country" },
    named.map(([name, code]) => h("option", { value: code, selected: code === current.default_country }, `${name} (${code})`)));
  const ipStorage = h("select", { id: "setting-ip_storage" },
    IP_STORAGE.map((value) => h("option", { value, selected: value === current.ip_storage }, t(`ip_storage_${value}`))));
  const numbers = Object.fromEntries(NUMBERS.map(([name, min, max]) => [name,
    h("input", { type: "number", id: `setting-${name}`, min, max, step: 1, required: true, value: current[name] })]));
  const outflow = outflowFields(current);
  const status = h("p", { class: "muted", id: "settings-status", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "panel settings", id: "settings-form" },
    h("div", { class: "field checkbox" }, recording, h("label", { for: "setting-recording_enabled" }, t("recording_enabled"))),
    field("categories", categories),
    field("tags", tags, t("tags_list")),
    field("currency", currency),
    field("timezone", zone),
    field("default_country", country),
    NUMBERS.map(([name]) => field(name, numbers[name])),
    field("ip_storage", ipStorage),
    outflow.fields,
    h("div", { class: "actions" }, h("button", { type: "submit", id: "settings-save" }, t("save"))),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    const patch = {
      recording_enabled: recording.checked,
      categories: lines(categories.value),
      tags: lines(tags.value),
      currency: currency.value.trim().toUpperCase(),
      timezone: zone.value,
      default_country: country.value,
      ip_storage: ipStorage.value,
      ...Object.fromEntries(NUMBERS.map(([name]) => [name, Number(numbers[name].value)])),
      ...outflow.patch(),
    };
    try {
      session.settings = await sendJson("PATCH", "v1/settings", patch);
      setTimeZone(session.settings.timezone);
      outflow.saved(session.settings);
      status.textContent = t("settings_saved");
    } catch (error) {
      status.textContent = describeError(error, labelOf);
    }
  });
  replaceChildren(main, ...screenHeading("settings"), form);
}
