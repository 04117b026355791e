// The header's account pieces: who is signed in, the project switcher (for a person in several projects) and
// signing out (everywhere: POST v1/auth/sign-out ends every session of the person).

import { sendJson } from "./api.js";
import { h } from "./dom.js";
import { addMessages, t } from "./i18n.js";
import { notify } from "./state.js";

addMessages({
  en: { project: "Project", switch_failed: "Could not switch the project: {message}" },
  pl: { project: "Projekt", switch_failed: "Nie udało się przełączyć projektu: {message}" },
});

/** Who `me` (GET v1/me) is, for the header: "Ola Nowak (agent)". */
export function whoText(me) {
  return t("signed_in_as", { label: me.person?.name || me.label, role: t(`role_${me.role}`) });
}

/** The project switcher in the header, where the person has several projects; `switched(me)` runs after a switch. */
export function showProjectSwitcher(me, switched) {
  document.getElementById("project-switcher")?.remove();
  const projects = me.projects || [];
  if (projects.length < 2) return;
  const select = h("select", { id: "project" },
    projects.map((project) => h("option", { value: project.project_id, selected: project.project_id === me.project_id }, project.name)));
  select.addEventListener("change", async () => {
    select.disabled = true;
    try {
      switched(await sendJson("POST", "v1/auth/project", { project_id: select.value }));
    } catch (error) {
      select.value = me.project_id;
      notify(t("switch_failed", { message: error.message }));
    } finally {
      select.disabled = false;
    }
  });
  const label = h("label", { class: "lang", id: "project-switcher" }, h("span", {}, t("project")), select);
  document.getElementById("who").after(label);
}

export function hideAccount() {
  document.getElementById("project-switcher")?.remove();
  document.getElementById("sign-out").hidden = true;
  document.getElementById("who").textContent = "";
}

/** Signs the person out everywhere; the session cookie goes with the answer. */
export async function signOut() {
  try {
    await sendJson("POST", "v1/auth/sign-out");
  } catch {
    // the session had ended already: signed out all the same
  }
}
