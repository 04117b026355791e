// The Numbers screen (admin): the default and pool numbers, which are held now and until when, the pool's overflow.

import { sendJson } from "./api.js";
import { actionsHeading, empty, facts, h, replaceChildren } from "./dom.js";
import { confirmDialog, screenHeading } from "./forms.js";
import { addMessages, formatNumber, formatTime, t } from "./i18n.js";
import { describeError, loadPageData } from "./state.js";

addMessages({
  en: {
    number: "Number", kind: "Kind", label: "Label", held_until: "Held until", free: "free", pool: "Pool", default: "Default",
    pool_size: "Pool numbers", pool_held: "Held now", overflow_total: "Sessions that found the pool full",
    add_number: "Add number", remove: "Remove", no_numbers: "No numbers yet.",
    confirm_remove_number: "Remove {number}? Visitors holding it keep it until their hold ends.",
    number_added: "Number saved.", number_removed: "Number removed.",
  },
  pl: {
    number: "Numer", kind: "Rodzaj", label: "Etykieta", held_until: "Zajęty do", free: "wolny", pool: "Pula", default: "Domyślny",
    pool_size: "Numery w puli", pool_held: "Zajęte teraz", overflow_total: "Sesje, które zastały pełną pulę",
    add_number: "Dodaj numer", remove: "Usuń", no_numbers: "Brak numerów.",
    confirm_remove_number: "Usunąć {number}? Odwiedzający, którzy go mają, zachowają go do końca rezerwacji.",
    number_added: "Numer zapisano.", number_removed: "Numer usunięto.",
  },
});

function numberRow(item, remove) {
  const shown = item.number_display || item.number;
  const button = h("button", { type: "button", class: "secondary", "aria-label": `${t("remove")} ${shown}` }, t("remove"));
  button.addEventListener("click", () => remove(item));
  return h("tr", { dataset: { number: item.number } },
    h("td", { "data-label": t("number") }, shown),
    h("td", { "data-label": t("kind") }, t(item.kind)),
    h("td", { "data-label": t("label") }, item.label || "—"),
    h("td", { "data-label": t("held_until") }, item.hold_until ? formatTime(item.hold_until) : t("free")),
    h("td", {}, button));
}

export async function renderNumbers(main, message = "") {
  const listing = await loadPageData(main, "v1/numbers");
  if (!listing) return;
  const status = h("p", { class: "muted", id: "numbers-status", role: "status", "aria-live": "polite" }, message);
  const remove = async (item) => {
    const shown = item.number_display || item.number;
    if (!(await confirmDialog("remove-number", t("confirm_remove_number", { number: shown }), t("remove")))) return;
    try {
      await sendJson("DELETE", `v1/numbers/${encodeURIComponent(item.number)}`);
      await renderNumbers(main, t("number_removed"));
    } catch (error) {
      status.textContent = describeError(error);
    }
  };
  // the default number first, then the pool, each in the API's order
  const items = [...listing.items].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "default" ? -1 : 1));
  const table = items.length
    ? h("div", { class: "scroll" }, h("table", { class: "list", id: "numbers-table" },
      h("thead", {}, h("tr", {}, ["number", "kind", "label", "held_until"].map((key) => h("th", { scope: "col" }, t(key))),
        actionsHeading(t("actions")))),
      h("tbody", {}, items.map((item) => numberRow(item, remove)))))
    : empty(t("no_numbers"));

  const number = h("input", { id: "new-number", type: "tel", inputmode: "tel", autocomplete: "off", required: true, maxlength: 64 });
  const kind = h("select", { id: "new-kind" }, ["pool", "default"].map((value) => h("option", { value }, t(value))));
  const label = h("input", { id: "new-label", type: "text", maxlength: 200 });
  const form = h("form", { class: "filters", id: "number-form" },
    h("div", { class: "field" }, h("label", { for: "new-number" }, t("number")), number),
    h("div", { class: "field" }, h("label", { for: "new-kind" }, t("kind")), kind),
    h("div", { class: "field" }, h("label", { for: "new-label" }, t("label")), label),
    h("div", { class: "actions" }, h("button", { type: "submit", id: "add-number" }, t("add_number"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await sendJson("PUT", `v1/numbers/${encodeURIComponent(number.value.trim())}`,
        { kind: kind.value, label: label.value.trim() || null });
      await renderNumbers(main, t("number_added"));
    } catch (error) {
      status.textContent = describeError(error, (name) => t(name));
    }
  });

  replaceChildren(main, ...screenHeading("numbers"),
    h("section", { class: "panel", id: "pool-summary", "aria-label": t("pool") }, facts([
      [t("pool_size"), formatNumber(listing.pool.size)],
      [t("pool_held"), formatNumber(listing.pool.held)],
      [t("overflow_total"), formatNumber(listing.pool.overflow_total)],
    ])),
    form, status, table);
}
