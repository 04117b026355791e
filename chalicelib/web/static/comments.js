// The card's comments: the box to write one (first, so that it is in the first screen), then the thread newest
// first; the author (or an admin) edits or deletes a comment in place.

import { sendJson } from "./api.js";
import { empty, h } from "./dom.js";
import { addMessages, formatTime, t } from "./i18n.js";
import { describeError, may, session } from "./state.js";
import { pagedList } from "./tables.js";

addMessages({
  en: { edit: "Edit", edited: "edited {at}", delete_comment: "Delete comment",
    confirm_delete_comment: "Delete this comment?" },
  pl: { edit: "Edytuj", edited: "edytowano {at}", delete_comment: "Usuń komentarz",
    confirm_delete_comment: "Usunąć ten komentarz?" },
});

const COMMENT_MAX = 4000; // characters, as the API allows

// the API decides who may (the author's key, or an admin); the buttons show where it will say yes
const mayChange = (item) => may("comment") && (session.me?.role === "admin" || item.author === session.me?.label);

function commentPath(callId, commentId = "") {
  return `v1/calls/${encodeURIComponent(callId)}/comments${commentId ? `/${encodeURIComponent(commentId)}` : ""}`;
}

function comment(callId, item, status) {
  const meta = h("p", { class: "meta" },
    `${item.author} · ${formatTime(item.created_at)}`,
    item.edited_at ? ` · ${t("edited", { at: formatTime(item.edited_at) })}` : null);
  const text = h("p", { class: "text" }, item.text);
  const element = h("li", { class: "comment", dataset: { commentId: item.comment_id } }, meta, text);
  if (!mayChange(item)) return element;

  const edit = h("button", { type: "button", class: "secondary small comment-edit" }, t("edit"));
  const remove = h("button", { type: "button", class: "secondary small comment-delete", "aria-label": t("delete_comment") }, t("delete"));
  const tools = h("div", { class: "actions comment-tools" }, edit, remove);
  element.append(tools);

  edit.addEventListener("click", () => {
    const box = h("textarea", { rows: 3, maxlength: COMMENT_MAX, "aria-label": t("comment") }, item.text);
    const save = h("button", { type: "submit" }, t("save"));
    const cancel = h("button", { type: "button", class: "secondary" }, t("cancel"));
    const form = h("form", { class: "comment-form" }, box, h("div", { class: "actions" }, save, cancel));
    const restore = () => form.replaceWith(text, tools);
    cancel.addEventListener("click", restore);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const edited = await sendJson("PATCH", commentPath(callId, item.comment_id), { text: box.value });
        element.replaceWith(comment(callId, edited, status));
        status.textContent = t("saved");
      } catch (error) {
        status.textContent = describeError(error);
      }
    });
    text.replaceWith(form);
    tools.remove();
    box.focus();
  });
  remove.addEventListener("click", async () => {
    if (!window.confirm(t("confirm_delete_comment"))) return;
    try {
      await sendJson("DELETE", commentPath(callId, item.comment_id));
      element.remove();
      status.textContent = t("saved");
    } catch (error) {
      status.textContent = describeError(error);
    }
  });
  return element;
}

/** The comment box and the thread: the card's 50 newest, then older ones a page at a time. */
export function commentThread(callId, data, status) {
  const list = h("ul", { class: "comments", id: "comments" }, data.comments.map((item) => comment(callId, item, status)));
  const none = data.comments.length ? null : empty(t("no_comments"));
  const older = pagedList(list, commentPath(callId), data.comments_next_cursor,
    (items) => list.append(...items.map((item) => comment(callId, item, status))),
    { label: t("older_comments"), id: "older-comments" });
  const text = h("textarea", { id: "comment-text", name: "text", rows: 2, maxlength: COMMENT_MAX, required: true });
  const form = h("form", { id: "comment-form", class: "comment-form" },
    h("label", { for: "comment-text" }, t("comment")), text,
    h("button", { type: "submit" }, t("add_comment")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!text.value.trim()) return;
    try {
      const added = await sendJson("POST", commentPath(callId), { text: text.value });
      list.prepend(comment(callId, added, status));
      none?.remove();
      text.value = "";
      status.textContent = t("saved");
    } catch (error) {
      status.textContent = describeError(error);
    }
  });
  return [may("comment") ? form : null, h("h3", {}, t("comments")), none, older];
}
