// The members screen (admin): invite a person by email with a name, role and PBX extension; change a member's
// role or extension; remove a member (their sessions in the project stop within a minute).

import { sendJson } from "./api.js";
import { actionsHeading, h, replaceChildren } from "./dom.js";
import { confirmDialog, screenHeading } from "./forms.js";
import { addMessages, t } from "./i18n.js";
import { describeError, loadPageData, session } from "./state.js";

addMessages({
  en: {
    members: "Members", name: "Name", extension: "Extension", invite: "Invite",
    extension_hint: "The PBX's agent value for this person (such as 101): their calls show their name.",
    invite_intro: "The person gets an email with a temporary password; at the first sign-in they choose their own.",
    invited: "{name} is invited.", member_saved: "{name} is saved.", member_removed: "{name} is removed.",
    save: "Save", remove: "Remove", you: "you",
    confirm_remove: "Remove {name} from the project? They lose access within a minute.",
    role_of: "Role of {name}", extension_of: "Extension of {name}",
  },
  pl: {
    members: "Członkowie", name: "Imię i nazwisko", extension: "Numer wewnętrzny", invite: "Zaproś",
    extension_hint: "Wartość agenta w centrali dla tej osoby (np. 101): jej połączenia pokazują jej imię.",
    invite_intro: "Osoba dostanie e-mail z hasłem tymczasowym; przy pierwszym logowaniu ustawi własne.",
    invited: "Zaproszono: {name}.", member_saved: "Zapisano: {name}.", member_removed: "Usunięto: {name}.",
    save: "Zapisz", remove: "Usuń", you: "ty",
    confirm_remove: "Usunąć {name} z projektu? Straci dostęp w ciągu minuty.",
    role_of: "Rola: {name}", extension_of: "Numer wewnętrzny: {name}",
  },
});

const ROLES = ["agent", "supervisor", "admin"];
const NAME_MAX = 100;
const EXTENSION_MAX = 50;

function roleSelect(attributes, current) {
  return h("select", attributes, ROLES.map((role) => h("option", { value: role, selected: role === current }, t(`role_${role}`))));
}

function memberRow(member, { save, remove }) {
  const own = member.user_id === session.me?.person?.user_id;
  const role = roleSelect({ "aria-label": t("role_of", { name: member.name }) }, member.role);
  const extension = h("input", { type: "text", value: member.extension || "", maxlength: EXTENSION_MAX, size: 8,
    "aria-label": t("extension_of", { name: member.name }) });
  const saveButton = h("button", { type: "button", class: "secondary" }, t("save"));
  saveButton.addEventListener("click", () => save(member, { role: role.value, extension: extension.value.trim() || null }));
  const removeButton = h("button", { type: "button", class: "secondary", "aria-label": `${t("remove")} ${member.name}` }, t("remove"));
  removeButton.addEventListener("click", () => remove(member));
  return h("tr", { dataset: { userId: member.user_id } },
    h("td", { "data-label": t("name") }, member.name, own ? h("span", { class: "mark first" }, t("you")) : null),
    h("td", { "data-label": t("email") }, member.email),
    h("td", { "data-label": t("role") }, role),
    h("td", { "data-label": t("extension") }, extension),
    h("td", {}, h("span", { class: "actions" }, saveButton, " ", removeButton)));
}

export async function renderMembers(main, notice = null) {
  const listing = await loadPageData(main, "v1/members");
  if (!listing) return;
  const status = h("p", { class: "muted", id: "members-status", role: "status", "aria-live": "polite" });
  const labelOf = (name) => t(name);
  const actions = {
    save: async (member, patch) => {
      try {
        await sendJson("PATCH", `v1/members/${encodeURIComponent(member.user_id)}`, patch);
        await renderMembers(main, t("member_saved", { name: member.name }));
      } catch (error) {
        status.textContent = describeError(error, labelOf);
      }
    },
    remove: async (member) => {
      if (!(await confirmDialog("remove-member", t("confirm_remove", { name: member.name }), t("remove")))) return;
      try {
        await sendJson("DELETE", `v1/members/${encodeURIComponent(member.user_id)}`);
        await renderMembers(main, t("member_removed", { name: member.name }));
      } catch (error) {
        status.textContent = describeError(error, labelOf);
      }
    },
  };
  const email = h("input", { id: "member-email", type: "email", required: true, autocomplete: "off" });
  const name = h("input", { id: "member-name", type: "text", required: true, maxlength: NAME_MAX, autocomplete: "off" });
  const role = roleSelect({ id: "member-role" }, "agent");
  const extension = h("input", { id: "member-extension", type: "text", maxlength: EXTENSION_MAX, autocomplete: "off",
    "aria-describedby": "member-extension-hint" });
  const form = h("form", { class: "filters", id: "member-form", "aria-describedby": "member-form-intro" },
    h("p", { id: "member-form-intro", class: "muted" }, t("invite_intro")),
    h("div", { class: "field" }, h("label", { for: "member-email" }, t("email")), email),
    h("div", { class: "field" }, h("label", { for: "member-name" }, t("name")), name),
    h("div", { class: "field" }, h("label", { for: "member-role" }, t("role")), role),
    h("div", { class: "field" }, h("label", { for: "member-extension" }, t("extension")), extension,
      h("span", { class: "muted", id: "member-extension-hint" }, t("extension_hint"))),
    h("div", { class: "actions" }, h("button", { type: "submit", id: "invite-member" }, t("invite"))));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { email: email.value.trim(), name: name.value.trim(), role: role.value };
    if (extension.value.trim()) body.extension = extension.value.trim();
    try {
      const added = await sendJson("POST", "v1/members", body);
      await renderMembers(main, t("invited", { name: added.name }));
    } catch (error) {
      status.textContent = describeError(error, labelOf);
    }
  });
  const table = h("table", { class: "list", id: "members-table" },
    h("thead", {}, h("tr", {}, ["name", "email", "role", "extension"].map((key) => h("th", { scope: "col" }, t(key))),
      actionsHeading(t("actions")))),
    h("tbody", {}, listing.items.map((member) => memberRow(member, actions))));
  replaceChildren(main, ...screenHeading("members"),
    notice ? h("section", { class: "panel", role: "status", id: "members-notice" }, notice) : null,
    form, status, h("div", { class: "scroll" }, table));
}
