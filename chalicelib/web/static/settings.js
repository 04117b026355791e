// The Settings screen (admin): recording, categories, review tags and currency, time zone, the country of national
// phone numbers, holds and sessions, the call log's target calls, what a visit keeps of the visitor's IP address.

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
    };
    try {
      session.settings = await sendJson("PATCH", "v1/settings", patch);
      setTimeZone(session.settings.timezone);
      status.textContent = t("settings_saved");
    } catch (error) {
      status.textContent = describeError(error, (name) => (name.startsWith("tags") ? t("tags_list") : t(name)));
    }
  });
  replaceChildren(main, ...screenHeading("settings"), form);
}
