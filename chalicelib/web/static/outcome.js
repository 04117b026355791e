// The review's outcome: the call's tags (from the project's list, Settings) and the deal's value in the project's
// currency. Tags and value are saved as they change, like the category; the roles that may categorise may.

import { h } from "./dom.js";
import { addMessages, currentLanguage, t } from "./i18n.js";
import { may, session } from "./state.js";

addMessages({
  en: { tags: "Tags", no_tags: "No tags in the project's settings yet.", value: "Deal value",
    value_hint: "An amount, like 1500.00" },
  pl: { tags: "Tagi", no_tags: "W ustawieniach projektu nie ma jeszcze tagów.", value: "Wartość transakcji",
    value_hint: "Kwota, np. 1500.00" },
});

/** An amount as people read it in their language ("12 500,00 zł"); the code alone when Intl does not know it. */
export function formatAmount(value, currency) {
  if (value === null || value === undefined) return "";
  try {
    return new Intl.NumberFormat(currentLanguage(), { style: "currency", currency }).format(Number(value));
  } catch {
    return `${value} ${currency}`;
  }
}

/** The tags as toggles: each change saves the whole list (`save` answers the review, or null when stale). */
function tagPicker(data, save) {
  const names = session.settings?.tags || [];
  const known = (data.tags || []).filter((tag) => !names.includes(tag)); // removed from the settings since
  const all = [...names, ...known];
  const editable = may("categorise");
  const boxes = all.map((name, index) => h("input", {
    type: "checkbox", id: `review-tag-${index}`, value: name, checked: data.tags.includes(name), disabled: !editable,
  }));
  const chosen = () => boxes.filter((box) => box.checked).map((box) => box.value);
  for (const box of boxes) {
    box.addEventListener("change", async () => {
      const review = await save({ tags: chosen() }).catch(() => null);
      if (review) for (const other of boxes) other.checked = review.tags.includes(other.value);
    });
  }
  return h("fieldset", { class: "tags", id: "review-tags" },
    h("legend", {}, t("tags")),
    all.length
      ? boxes.map((box, index) => h("label", { class: "tag", for: box.id }, box, all[index]))
      : h("span", { class: "muted" }, t("no_tags")));
}

function valueField(data, save) {
  const currency = data.currency || session.settings?.currency || "";
  const input = h("input", {
    id: "review-value", type: "text", inputmode: "decimal", autocomplete: "off", value: data.value ?? "",
    placeholder: "0.00", title: t("value_hint"), pattern: "\\d{1,12}([.,]\\d{1,2})?", disabled: !may("categorise"),
    "aria-describedby": "review-value-shown",
  });
  const shown = h("span", { class: "muted", id: "review-value-shown" }, formatAmount(data.value, currency));
  input.addEventListener("change", async () => {
    const typed = input.value.trim().replace(",", ".");
    const review = await save({ value: typed || null }).catch(() => null);
    if (!review) return;
    input.value = review.value ?? "";
    shown.textContent = formatAmount(review.value, review.currency || currency);
  });
  return h("div", { class: "field" },
    h("label", { for: "review-value" }, `${t("value")}${currency ? ` (${currency})` : ""}`),
    h("span", { class: "value-input" }, input, shown));
}

/** Tags and value of a call's review; `save(patch)` sends a PATCH of the review and answers the new review. */
export function outcome(data, save) {
  return { tags: tagPicker(data, save), value: valueField(data, save) };
}
