// The Settings screen (admin): recording, categories, time zone, holds and sessions, the call log's target calls.

import { getJson, sendJson } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { screenHeading } from "./forms.js";
import { addMessages, setTimeZone, t } from "./i18n.js";
import { describeError, loadPageData, session } from "./state.js";

addMessages({
  en: {
    recording_enabled: "Record calls", categories: "Categories (one a line)", timezone: "Time zone",
    number_hold_minutes: "Hold a number for (minutes)", session_timeout_minutes: "A session ends after (idle minutes)",
    attribution_grace_minutes: "A call counts for a visit up to (minutes after it)",
    target_call_seconds: "A target call talks at least (seconds)", sale_cycle_days: "Sale cycle (days)",
    settings_saved: "Settings saved.",
  },
  pl: {
    recording_enabled: "Nagrywaj połączenia", categories: "Kategorie (jedna w wierszu)", timezone: "Strefa czasowa",
    number_hold_minutes: "Rezerwuj numer na (minuty)", session_timeout_minutes: "Sesja kończy się po (minutach bezczynności)",
    attribution_grace_minutes: "Połączenie należy do wizyty do (minut po niej)",
    target_call_seconds: "Połączenie docelowe trwa co najmniej (sekundy)", sale_cycle_days: "Cykl sprzedaży (dni)",
    settings_saved: "Ustawienia zapisano.",
  },
});

// the numeric settings with their bounds (chalicelib/schemas.py SettingsPatch)
const NUMBERS = [
  ["number_hold_minutes", 1, 1440],
  ["session_timeout_minutes", 1, 1440],
  ["attribution_grace_minutes", 0, 1440],
  ["target_call_seconds", 0, 86400],
  ["sale_cycle_days", 1, 365],
];

function field(name, control) {
  return h("div", { class: "field" }, h("label", { for: `setting-${name}` }, t(name)), control);
}

export async function renderSettings(main) {
  const current = await loadPageData(main, "v1/settings");
  if (!current) return;
  let zones = [current.timezone];
  try {
    zones = (await getJson("v1/settings/timezones")).items;
  } catch {
    // the picker keeps the current zone only; saving still works
  }
  const recording = h("input", { type: "checkbox", id: "setting-recording_enabled", checked: current.recording_enabled });
  const categories = h("textarea", { id: "setting-categories", rows: 5 }, current.categories.join("\n"));
  const zone = h("select", { id: "setting-timezone" },
    zones.map((name) => h("option", { value: name, selected: name === current.timezone }, name.replace(/_/g, " "))));
  const numbers = Object.fromEntries(NUMBERS.map(([name, min, max]) => [name,
    h("input", { type: "number", id: `setting-${name}`, min, max, step: 1, required: true, value: current[name] })]));
  const status = h("p", { class: "muted", id: "settings-status", role: "status", "aria-live": "polite" });
  const form = h("form", { class: "panel settings", id: "settings-form" },
    h("div", { class: "field checkbox" }, recording, h("label", { for: "setting-recording_enabled" }, t("recording_enabled"))),
    field("categories", categories),
    field("timezone", zone),
    NUMBERS.map(([name]) => field(name, numbers[name])),
    h("div", { class: "actions" }, h("button", { type: "submit", id: "settings-save" }, t("save"))),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    const patch = {
      recording_enabled: recording.checked,
      categories: categories.value.split("\n").map((line) => line.trim()).filter(Boolean),
      timezone: zone.value,
      ...Object.fromEntries(NUMBERS.map(([name]) => [name, Number(numbers[name].value)])),
    };
    try {
      session.settings = await sendJson("PATCH", "v1/settings", patch);
      setTimeZone(session.settings.timezone);
      status.textContent = t("settings_saved");
    } catch (error) {
      status.textContent = describeError(error, (name) => t(name));
    }
  });
  replaceChildren(main, ...screenHeading("settings"), form);
}
