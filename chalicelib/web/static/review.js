// The card's ratings: 1 to 5 stars each, as a radio group (arrow keys move and choose), with a control that
// clears it. Only roles that may rate (admin, supervisor) change them; the others see the stars read-only.

import { sendJson } from "./api.js";
import { h } from "./dom.js";
import { addMessages, t } from "./i18n.js";
import { describeError, may } from "./state.js";

addMessages({
  en: { stars_of: "{n} of 5 stars", clear_rating: "Clear", clear_rating_of: "Clear the {label}" },
  pl: { stars_of: "{n} z 5 gwiazdek", clear_rating: "Wyczyść", clear_rating_of: "Wyczyść: {label}" },
});

const STARS = [1, 2, 3, 4, 5];

function ratingGroup(name, label, initial, save) {
  const editable = may("rate");
  let value = initial ?? null;
  const radios = STARS.map((n) => h("input", {
    type: "radio", name, id: `${name}-${n}`, value: n, class: "visually-hidden", disabled: !editable,
    "aria-label": t("stars_of", { n }),
  }));
  const stars = STARS.map((n, index) => h("label", { for: `${name}-${n}`, class: "star" },
    radios[index], h("span", { "aria-hidden": "true" }, "★")));
  const summary = h("span", { class: "rating-value", id: `${name}-value` });
  const clear = editable
    ? h("button", { type: "button", class: "secondary clear-rating", id: `${name}-clear`, "aria-label": t("clear_rating_of", { label: label.toLowerCase() }) },
      t("clear_rating"))
    : null;

  // what the group shows: filled stars up to the value, the checked radio, "3 of 5 stars" or "not rated"
  const show = (shown) => {
    value = shown;
    radios.forEach((radio, index) => {
      radio.checked = STARS[index] === shown;
      stars[index].classList.toggle("filled", shown !== null && STARS[index] <= shown);
    });
    summary.textContent = shown === null ? t("not_rated") : t("stars_of", { n: shown });
    // a disabled button drops keyboard focus: the cleared group's first star takes it
    if (shown === null && clear && document.activeElement === clear) radios[0].focus();
    if (clear) clear.disabled = shown === null;
  };

  const choose = async (chosen) => {
    const previous = value;
    show(chosen); // at once; the answer confirms it, a failure puts the previous value back
    try {
      const review = await save({ [name]: chosen });
      if (review) show(review[name] ?? null);
    } catch {
      show(previous);
    }
  };
  radios.forEach((radio, index) => radio.addEventListener("change", () => choose(STARS[index])));
  clear?.addEventListener("click", () => choose(null));
  show(value);

  return h("fieldset", { class: "rating", id: `rating-${name}`, "aria-describedby": `${name}-value` },
    h("legend", {}, label),
    h("span", { class: "stars" }, stars),
    summary,
    clear);
}

/**
 * The two ratings of a call's review; `status` shows "Saved." or the error. A rating's saves are answered in
 * order: only the answer to its latest one counts, so a quick change of mind is not undone by an earlier answer.
 */
export function ratings(callId, review, status) {
  const saver = () => {
    let latest = 0;
    return async (patch) => {
      const mine = ++latest;
      status.textContent = "";
      try {
        const answer = await sendJson("PATCH", `v1/calls/${encodeURIComponent(callId)}/review`, patch);
        if (mine !== latest) return null;
        status.textContent = t("saved");
        return answer;
      } catch (error) {
        if (mine !== latest) return null;
        status.textContent = describeError(error);
        throw error;
      }
    };
  };
  return h("div", { class: "ratings" },
    ratingGroup("manager_rating", t("manager_rating"), review.manager_rating, saver()),
    ratingGroup("call_rating", t("call_rating"), review.call_rating, saver()));
}
