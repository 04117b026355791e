// A sign-in link (/#key=<key>, printed by `make run`) in a tab already signed in: someone else's link would
// silently sign the person in as someone else (login CSRF), so the app asks first, showing both keys' labels.
// The key leaves the address bar and the history at once, whatever the answer.

import { apiKey, appUrl, keepKey } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { addMessages, t } from "./i18n.js";

addMessages({
  en: {
    key_link_title: "Sign in with this link?",
    key_link_text: "You are signed in as {current}. The link you opened signs in as {offered} instead.",
    key_link_switch: "Sign in as {offered}", key_link_stay: "Stay signed in as {current}",
  },
  pl: {
    key_link_title: "Zalogować się tym linkiem?",
    key_link_text: "Jesteś zalogowany jako {current}. Otwarty link loguje jako {offered}.",
    key_link_switch: "Zaloguj jako {offered}", key_link_stay: "Zostań zalogowany jako {current}",
  },
});

/** GET v1/me with `key` (not the tab's): who the key is, or null when it signs in no one. */
async function whoIs(key) {
  try {
    const response = await fetch(appUrl("v1/me"), { headers: { Accept: "application/json", Authorization: `Bearer ${key}` } });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

function ask(main, current, offered) {
  return new Promise((resolve) => {
    const names = { current: t("signed_in_as", current), offered: t("signed_in_as", offered) };
    const choice = (id, text, answer) => {
      const button = h("button", { type: "button", id }, text);
      button.addEventListener("click", () => resolve(answer));
      return button;
    };
    const stay = choice("key-link-stay", t("key_link_stay", names), false);
    replaceChildren(main, h("section", { class: "panel", id: "key-link", "aria-labelledby": "key-link-title" },
      h("h1", { id: "key-link-title" }, t("key_link_title")),
      h("p", {}, t("key_link_text", names)),
      h("p", {}, choice("key-link-switch", t("key_link_switch", names), true), " ", stay)));
    stay.focus();
  });
}

/** Takes the key of a sign-in link: at once in a tab signed in with no (working) key, else once the person agrees. */
export async function signInFromLink(main) {
  const match = location.hash.match(/^#key=(.+)$/);
  if (!match) return;
  history.replaceState(null, "", location.pathname + location.search);
  const offered = decodeURIComponent(match[1]).trim();
  const current = apiKey();
  if (!current || current === offered) {
    keepKey(offered);
    return;
  }
  const [signedIn, linked] = await Promise.all([whoIs(current), whoIs(offered)]);
  if (!signedIn) {
    keepKey(offered); // the tab's key signs in no one any more: nothing to replace
  } else if (linked && (await ask(main, signedIn, linked))) {
    keepKey(offered);
  }
}
