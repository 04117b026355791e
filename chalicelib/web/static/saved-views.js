// Saved views in the log's filter panel: a signed-in person's named filters (GET/POST/DELETE v1/me/views), each
// the log's query string. Choosing one shows the log with its filters; the current filters are saved under a name.

import { getJson, sendJson } from "./api.js";
import { h } from "./dom.js";
import { addMessages, t } from "./i18n.js";
import { describeError } from "./state.js";

addMessages({
  en: {
    saved_views: "Saved views", choose_view: "Choose a view…", view_name: "Name of this view", save_view: "Save view",
    delete_view: "Delete view", view_saved: "View “{name}” saved.", view_deleted: "View “{name}” deleted.",
    no_views: "No saved views yet: set filters, name them and save.",
  },
  pl: {
    saved_views: "Zapisane widoki", choose_view: "Wybierz widok…", view_name: "Nazwa tego widoku", save_view: "Zapisz widok",
    delete_view: "Usuń widok", view_saved: "Zapisano widok „{name}”.", view_deleted: "Usunięto widok „{name}”.",
    no_views: "Brak zapisanych widoków: ustaw filtry, nazwij je i zapisz.",
  },
});

const NAME_MAX = 100;

/** The saved views' part of the filter panel; `currentQuery()` is the form's query string (without `?`),
 * `show(query)` shows the log with a view's filters. */
export function savedViews(currentQuery, show) {
  const status = h("span", { class: "muted", id: "views-status", role: "status", "aria-live": "polite" });
  const select = h("select", { id: "saved-view" }, h("option", { value: "" }, t("choose_view")));
  const remove = h("button", { type: "button", class: "secondary", id: "delete-view", disabled: true }, t("delete_view"));
  const name = h("input", { id: "view-name", type: "text", maxlength: NAME_MAX, autocomplete: "off" });
  const save = h("button", { type: "button", class: "secondary", id: "save-view" }, t("save_view"));
  let views = [];

  async function load(message = "") {
    try {
      views = (await getJson("v1/me/views")).items;
    } catch (error) {
      status.textContent = describeError(error);
      return;
    }
    select.replaceChildren(h("option", { value: "" }, t("choose_view")),
      ...views.map((view) => h("option", { value: view.view_id, selected: view.query === currentQuery() }, view.name)));
    remove.disabled = !select.value;
    status.textContent = message || (views.length ? "" : t("no_views"));
  }

  select.addEventListener("change", () => {
    remove.disabled = !select.value;
    const view = views.find((one) => one.view_id === select.value);
    if (view) show(view.query);
  });
  remove.addEventListener("click", async () => {
    const view = views.find((one) => one.view_id === select.value);
    if (!view) return;
    try {
      await sendJson("DELETE", `v1/me/views/${encodeURIComponent(view.view_id)}`);
      await load(t("view_deleted", { name: view.name }));
    } catch (error) {
      status.textContent = describeError(error);
    }
  });
  name.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault(); // saves the view rather than applying the filters
    save.click();
  });
  save.addEventListener("click", async () => {
    const chosen = name.value.trim();
    if (!chosen) {
      name.focus();
      return;
    }
    try {
      await sendJson("POST", "v1/me/views", { name: chosen, query: currentQuery() });
      name.value = "";
      await load(t("view_saved", { name: chosen }));
    } catch (error) {
      status.textContent = describeError(error, () => t("view_name"));
    }
  });
  load();
  return h("fieldset", { class: "field saved-views", id: "saved-views" },
    h("legend", {}, t("saved_views")),
    h("div", { class: "actions" },
      h("label", { for: "saved-view", class: "visually-hidden" }, t("saved_views")), select, remove),
    h("div", { class: "actions" },
      h("label", { for: "view-name" }, t("view_name")), name, save),
    status);
}
