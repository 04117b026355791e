// The API keys screen (admin): create a key for a machine or script (its secret shown once), list, revoke. People
// sign in with their own account (sign-in.js), never with a key.

import { appUrl, sendJson } from "./api.js";
import { actionsHeading, h, replaceChildren } from "./dom.js";
import { confirmDialog, copyField, screenHeading } from "./forms.js";
import { addMessages, formatTime, t } from "./i18n.js";
import { describeError, loadPageData } from "./state.js";
import { pagedList } from "./tables.js";

addMessages({
  en: {
    role: "Role", created: "Created", revoked: "Revoked", active: "active", revoke: "Revoke", create_key: "Create key",
    role_admin: "admin", role_supervisor: "supervisor", role_agent: "agent", role_integration: "integration (PBX)",
    key_label_hint: "What it is for (the PBX, a script); it signs the comments and actions made with it.",
    key_shown_once: "The new key, shown this once: copy it now and hand it over safely.",
    confirm_revoke: "Revoke the key “{label}”? It stops working within a minute.",
    key_revoked: "Key revoked.",
  },
  pl: {
    role: "Rola", created: "Utworzony", revoked: "Unieważniony", active: "aktywny", revoke: "Unieważnij", create_key: "Utwórz klucz",
    role_admin: "administrator", role_supervisor: "kierownik", role_agent: "konsultant", role_integration: "integracja (centrala)",
    key_label_hint: "Do czego służy (centrala, skrypt); podpisuje komentarze i działania nim wykonane.",
    key_shown_once: "Nowy klucz, pokazany tylko ten jeden raz: skopiuj go teraz i przekaż bezpiecznie.",
    confirm_revoke: "Unieważnić klucz „{label}”? Przestanie działać w ciągu minuty.",
    key_revoked: "Klucz unieważniono.",
  },
});

const ROLES = ["agent", "supervisor", "admin", "integration"];
const LABEL_MAX = 100; // characters, as the API allows

function keyRow(item, revoke) {
  const button = item.revoked_at ? null
    : h("button", { type: "button", class: "secondary", "aria-label": `${t("revoke")} ${item.label}` }, t("revoke"));
  button?.addEventListener("click", () => revoke(item));
  return h("tr", { dataset: { keyId: item.key_id }, class: item.revoked_at ? "revoked" : null },
    h("td", { "data-label": t("label") }, item.label),
    h("td", { "data-label": t("role") }, t(`role_${item.role}`)),
    h("td", { "data-label": t("created") }, formatTime(item.created_at)),
    h("td", { "data-label": t("revoked") }, item.revoked_at ? formatTime(item.revoked_at) : t("active")),
    h("td", {}, button));
}

export async function renderKeys(main, notice = null) {
  const listing = await loadPageData(main, "v1/keys");
  if (!listing) return;
  const status = h("p", { class: "muted", id: "keys-status", role: "status", "aria-live": "polite" });
  const revoke = async (item) => {
    if (!(await confirmDialog("revoke-key", t("confirm_revoke", { label: item.label }), t("revoke")))) return;
    try {
      await sendJson("DELETE", `v1/keys/${encodeURIComponent(item.key_id)}`);
      await renderKeys(main, t("key_revoked"));
    } catch (error) {
      status.textContent = describeError(error);
    }
  };
  const asked = new URLSearchParams(location.search); // a link may ask for a key (the snippet screen's Google Ads)
  const label = h("input", { id: "key-label", type: "text", maxlength: LABEL_MAX, required: true,
    "aria-describedby": "key-label-hint", value: asked.get("label") ?? "" });
  const role = h("select", { id: "key-role" },
    ROLES.map((value) => h("option", { value, selected: value === asked.get("role") }, t(`role_${value}`))));
  const form = h("form", { class: "filters", id: "key-form" },
    h("div", { class: "field" }, h("label", { for: "key-label" }, t("label")), label,
      h("span", { class: "muted", id: "key-label-hint" }, t("key_label_hint"))),
    h("div", { class: "field" }, h("label", { for: "key-role" }, t("role")), role),
    h("div", { class: "actions" }, h("button", { type: "submit", id: "create-key" }, t("create_key"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const issued = await sendJson("POST", "v1/keys", { role: role.value, label: label.value.trim() });
      history.replaceState(null, "", appUrl("admin/keys")); // what a link asked for is done
      await renderKeys(main, h("div", { class: "notice-inline", id: "new-key" },
        h("p", { id: "new-key-text" }, t("key_shown_once")),
        copyField("new-key-value", issued.key, { labelledBy: "new-key-text" })));
    } catch (error) {
      status.textContent = describeError(error, (name) => t(name));
    }
  });
  // the API lists the newest first (the key just made is on top), a page at a time
  const rows = h("tbody", {}, listing.items.map((item) => keyRow(item, revoke)));
  const table = h("table", { class: "list", id: "keys-table" },
    h("thead", {}, h("tr", {}, ["label", "role", "created", "revoked"].map((key) => h("th", { scope: "col" }, t(key))), actionsHeading(t("actions")))),
    rows);
  replaceChildren(main, ...screenHeading("keys"),
    notice ? h("section", { class: "panel", role: "status" }, notice) : null,
    form, status,
    pagedList(table, "v1/keys", listing.next_cursor, (more) => rows.append(...more.map((item) => keyRow(item, revoke))),
      { id: "keys-more" }));
}
