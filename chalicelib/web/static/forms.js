// Pieces of the admin screens' forms: copying a text, confirming a step, a screen's heading.

import { appUrl } from "./api.js";
import { h } from "./dom.js";
import { t } from "./i18n.js";

/** Copies `text`; true when it worked (no clipboard permission: the caller shows it to copy by hand). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** A read-only text with a Copy button; `labelledBy`: the id of the words that name the text. */
export function copyField(id, text, { multiline = false, labelledBy } = {}) {
  const named = { id, readonly: true, spellcheck: "false", "aria-labelledby": labelledBy };
  const field = multiline
    ? h("textarea", { ...named, rows: 3 }, text)
    : h("input", { ...named, type: "text", value: text });
  const status = h("span", { class: "muted", role: "status", id: `${id}-status` });
  const button = h("button", { type: "button", class: "secondary", id: `${id}-copy` }, t("copy"));
  button.addEventListener("click", async () => {
    const copied = await copyText(text);
    if (!copied) field.select();
    status.textContent = t(copied ? "copied" : "copy_by_hand");
  });
  return h("div", { class: "copy-field" }, field, h("div", { class: "actions" }, button, status));
}

/** A modal asking to confirm; resolves true for `confirmLabel`, false for Cancel. */
export function confirmDialog(id, message, confirmLabel) {
  return new Promise((resolve) => {
    const yes = h("button", { type: "button", id: `${id}-confirm`, class: "danger" }, confirmLabel);
    const no = h("button", { type: "button", id: `${id}-cancel`, class: "secondary", autofocus: true }, t("cancel"));
    const dialog = h("dialog", { id, "aria-labelledby": `${id}-text` },
      h("p", { id: `${id}-text` }, message), h("div", { class: "actions" }, no, yes));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    yes.addEventListener("click", () => close(true));
    no.addEventListener("click", () => close(false));
    dialog.addEventListener("cancel", () => close(false));
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** The heading of an admin screen with the way back to the log. */
export function screenHeading(screen) {
  return [h("a", { href: appUrl("calls"), class: "back" }, t("back_to_log")), h("h1", {}, t(screen))];
}
