// The recording's share links on the card: make one with a lifetime, list the live ones with their uses and
// expiry, copy any of them (without making a new one), revoke any.

import { getJson, sendJson } from "./api.js";
import { actionsHeading, h, replaceChildren } from "./dom.js";
import { addMessages, formatNumber, formatTime, t } from "./i18n.js";
import { describeError } from "./state.js";

addMessages({
  en: {
    share_links: "Share links", share_lifetime: "Link works for", share_forever: "No expiry",
    share_days: "{n} days", share_day: "1 day", share_create: "Create share link",
    share_none: "No live share links.", share_link: "Link", share_created: "Created", share_expires: "Expires",
    share_uses: "Uses", share_never: "never", share_copy: "Copy", share_copy_of: "Copy the link made {at}",
    share_revoke: "Revoke", share_revoke_of: "Revoke the link made {at}", share_revoked: "Link revoked.",
    share_copy_by_hand: "Copying is not allowed here: select the link and copy it.",
    link_created_copied: "Share link created and copied to the clipboard.",
  },
  pl: {
    share_links: "Linki do udostępniania", share_lifetime: "Link działa przez", share_forever: "Bez wygasania",
    share_days: "{n} dni", share_day: "1 dzień", share_create: "Utwórz link",
    share_none: "Brak aktywnych linków.", share_link: "Link", share_created: "Utworzono", share_expires: "Wygasa",
    share_uses: "Użycia", share_never: "nigdy", share_copy: "Kopiuj", share_copy_of: "Kopiuj link z {at}",
    share_revoke: "Unieważnij", share_revoke_of: "Unieważnij link z {at}", share_revoked: "Link unieważniony.",
    share_copy_by_hand: "Kopiowanie jest tu niedozwolone: zaznacz link i skopiuj go.",
    link_created_copied: "Utworzono link i skopiowano go do schowka.",
  },
});

const LIFETIMES = [null, 1, 7, 30, 365]; // days; null: no expiry (POST .../recording/share)

function sharesPath(callId, suffix) {
  return `v1/calls/${encodeURIComponent(callId)}/recording${suffix}`;
}

/** Copies `field`'s text: the Clipboard API, else the older copy command on the selected field. */
async function copyField(field) {
  try {
    await navigator.clipboard.writeText(field.value);
    return true;
  } catch {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  }
}

function lifetimeLabel(days) {
  if (days === null) return t("share_forever");
  return days === 1 ? t("share_day") : t("share_days", { n: days });
}

/** The share links panel of a recording (for roles that may share). */
export function sharing(callId) {
  const status = h("p", { class: "muted", id: "share-status", role: "status", "aria-live": "polite" });
  const list = h("div", { id: "share-links", "aria-busy": "true" });
  const lifetime = h("select", { id: "share-lifetime" },
    LIFETIMES.map((days) => h("option", { value: days ?? "", selected: days === 30 }, lifetimeLabel(days))));
  const create = h("button", { type: "submit", id: "share-create" }, t("share_create"));
  const form = h("form", { class: "share-form", id: "share-form" },
    h("div", { class: "field" }, h("label", { for: "share-lifetime" }, t("share_lifetime")), lifetime), create);

  const refresh = async () => {
    list.setAttribute("aria-busy", "true");
    try {
      const { items } = await getJson(sharesPath(callId, "/shares"));
      replaceChildren(list, items.length ? table(items) : h("p", { class: "empty" }, t("share_none")));
    } catch (error) {
      status.textContent = describeError(error);
    } finally {
      list.setAttribute("aria-busy", "false");
    }
  };

  const table = (items) => h("div", { class: "scroll" }, h("table", { class: "list shares" },
    h("thead", {}, h("tr", {}, ["share_link", "share_created", "share_expires", "share_uses"]
      .map((key) => h("th", { scope: "col" }, t(key))), actionsHeading(t("actions")))),
    h("tbody", {}, items.map(row))));

  const row = (item) => {
    const made = formatTime(item.created_at);
    const url = h("input", { type: "text", readonly: true, value: item.url, class: "share-url", "aria-label": t("share_link") });
    const copy = h("button", { type: "button", class: "secondary share-copy", "aria-label": t("share_copy_of", { at: made }) }, t("share_copy"));
    const revoke = h("button", { type: "button", class: "danger share-revoke", "aria-label": t("share_revoke_of", { at: made }) }, t("share_revoke"));
    copy.addEventListener("click", async () => {
      status.textContent = (await copyField(url)) ? t("link_copied") : t("share_copy_by_hand");
    });
    revoke.addEventListener("click", async () => {
      revoke.disabled = true;
      try {
        await sendJson("DELETE", sharesPath(callId, `/shares/${encodeURIComponent(item.token)}`));
        status.textContent = t("share_revoked");
        await refresh();
      } catch (error) {
        status.textContent = describeError(error);
        revoke.disabled = false;
      }
    });
    return h("tr", { dataset: { token: item.token } },
      h("td", { "data-label": t("share_link") }, url),
      h("td", { "data-label": t("share_created") }, `${made} · ${item.created_by}`),
      h("td", { "data-label": t("share_expires") }, item.expires_at ? formatTime(item.expires_at) : t("share_never")),
      h("td", { "data-label": t("share_uses"), class: "share-uses" }, formatNumber(item.uses)),
      h("td", {}, h("div", { class: "actions" }, copy, revoke)));
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    create.disabled = true;
    status.textContent = "";
    try {
      const days = lifetime.value ? Number(lifetime.value) : null;
      const link = await sendJson("POST", sharesPath(callId, "/share"), { expires_in_days: days });
      await refresh();
      const field = list.querySelector(`tr[data-token="${CSS.escape(link.token)}"] .share-url`);
      status.textContent = field && (await copyField(field)) ? t("link_created_copied") : t("share_copy_by_hand");
    } catch (error) {
      status.textContent = describeError(error);
    } finally {
      create.disabled = false;
    }
  });

  refresh();
  return h("div", { class: "sharing", id: "sharing" }, h("h3", {}, t("share_links")), form, list, status);
}
