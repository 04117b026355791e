// The admin screens (/admin/settings, /admin/numbers, /admin/snippet, /admin/members, /admin/keys, /admin/webhooks):
// their navigation, shared pieces, and the tracking snippet. Only admins see them; the API refuses everyone else anyway (403).

import { appUrl, getJson } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { copyField, screenHeading } from "./forms.js";
import { addMessages, t } from "./i18n.js";
import { googleAdsSection } from "./integrations.js";
import { renderKeys } from "./keys.js";
import { renderMembers } from "./members.js";
import { renderNumbers } from "./numbers.js";
import { renderSettings } from "./settings.js";
import { may, session } from "./state.js";
import { renderWebhooks } from "./webhooks.js";

addMessages({
  en: {
    admin: "Administration", settings: "Settings", numbers: "Numbers", snippet: "Tracking snippet", keys: "API keys",
    admin_only: "Only admins see this screen.", copy: "Copy", copied: "Copied to the clipboard.",
    copy_by_hand: "Select the text and copy it.",
    snippet_intro: "Put this tag on every page of your website, just before </body>:",
    snippet_check: "How to check that numbers are replaced",
    snippet_step_1: "Make sure the project has a default number (the one printed on your site) and pool numbers: see",
    snippet_step_2: "Open your website in a private window. Where the page shows {number}, a pool number should appear within two seconds.",
    snippet_step_3: "Reload Numbers here: that pool number is now held, until the time shown.",
    snippet_step_none: "the default number",
    snippet_consent: "With a consent banner",
    snippet_consent_intro: "If your website asks visitors for consent, use this tag instead, and in the banner's callback call callcard.consent(true) when the visitor accepts, callcard.consent(false) when they refuse:",
    snippet_consent_before: "Before consent the visitor still sees a tracking number for this browser tab, and their calls are attributed to the visit.",
    snippet_consent_browser: "Nothing outlives the tab in the browser: no cookie; the session id, the tab's visitor id and the number shown stay in the tab's sessionStorage and go when it closes. A new tab is a new visitor.",
    snippet_consent_server: "callcard stores the visit as for any visitor (pages and their titles, source and campaign, device and browser, location, the IP address as the settings say), under that tab's visitor only: a later visit is not joined to it.",
    snippet_consent_after: "After callcard.consent(true) a 30-day cookie of your website (cc_vid) remembers the visitor, so their later visits and calls join their history; callcard.consent(false) removes it.",
  },
  pl: {
    admin: "Administracja", settings: "Ustawienia", numbers: "Numery", snippet: "Kod śledzenia", keys: "Klucze API",
    admin_only: "Ten ekran widzą tylko administratorzy.", copy: "Kopiuj", copied: "Skopiowano do schowka.",
    copy_by_hand: "Zaznacz tekst i skopiuj go.",
    snippet_intro: "Umieść ten znacznik na każdej stronie swojej witryny, tuż przed </body>:",
    snippet_check: "Jak sprawdzić, że numery są podmieniane",
    snippet_step_1: "Upewnij się, że projekt ma numer domyślny (ten wydrukowany na stronie) i numery z puli: zobacz",
    snippet_step_2: "Otwórz swoją witrynę w oknie prywatnym. Tam, gdzie strona pokazuje {number}, w ciągu dwóch sekund powinien pojawić się numer z puli.",
    snippet_step_3: "Odśwież tutaj Numery: ten numer z puli jest teraz zajęty, do pokazanej godziny.",
    snippet_step_none: "numer domyślny",
    snippet_consent: "Z banerem zgody",
    snippet_consent_intro: "Jeśli witryna pyta odwiedzających o zgodę, umieść zamiast niego ten znacznik, a w obsłudze banera wywołaj callcard.consent(true), gdy odwiedzający się zgodzi, lub callcard.consent(false), gdy odmówi:",
    snippet_consent_before: "Przed zgodą odwiedzający też widzi numer śledzący dla tej karty przeglądarki, a jego połączenia są przypisywane do wizyty.",
    snippet_consent_browser: "W przeglądarce nic nie przetrwa zamknięcia karty: żadnego pliku cookie; identyfikator sesji, identyfikator odwiedzającego tej karty i pokazany numer są w sessionStorage karty i znikają po jej zamknięciu. Nowa karta to nowy odwiedzający.",
    snippet_consent_server: "callcard zapisuje wizytę jak każdą inną (strony i ich tytuły, źródło i kampanię, urządzenie i przeglądarkę, lokalizację, adres IP zgodnie z ustawieniami), ale tylko pod odwiedzającym tej karty: późniejsza wizyta nie zostanie z nią połączona.",
    snippet_consent_after: "Po callcard.consent(true) 30-dniowy plik cookie Twojej witryny (cc_vid) zapamiętuje odwiedzającego, więc jego kolejne wizyty i połączenia trafiają do jego historii; callcard.consent(false) go usuwa.",
  },
});

const SCREENS = {
  settings: renderSettings, numbers: renderNumbers, snippet: renderSnippet, members: renderMembers, keys: renderKeys,
  webhooks: renderWebhooks,
};

export function isAdmin() {
  return may("write_settings") && may("manage_keys");
}

/** The header's links to the admin screens, for admins only. */
export function showAdminNav() {
  document.getElementById("admin-nav")?.remove();
  if (!isAdmin()) return;
  const nav = h("nav", { id: "admin-nav", class: "admin-nav", "aria-label": t("admin") },
    Object.keys(SCREENS).map((screen) => h("a", { href: appUrl(`admin/${screen}`), id: `nav-${screen}` }, t(screen))));
  document.getElementById("who").before(nav);
}

export async function renderAdmin(main, screen) {
  const render = SCREENS[screen] || renderSettings;
  document.title = `${t(SCREENS[screen] ? screen : "settings")} · callcard`;
  if (!isAdmin()) {
    replaceChildren(main, h("a", { href: appUrl("calls"), class: "back" }, t("back_to_log")),
      h("p", { class: "error", role: "alert" }, t("admin_only")));
    return;
  }
  await render(main);
}

async function renderSnippet(main) {
  const attributes = `src="${appUrl("v1/track.js")}" data-site-key="${session.me?.site_key || ""}"`;
  const tag = `<script ${attributes}></script>`;
  const consentTag = `<script ${attributes} data-consent="wait"></script>`;
  let defaultNumber = null;
  try {
    defaultNumber = (await getJson("v1/numbers")).items.find((item) => item.kind === "default");
  } catch {
    defaultNumber = null; // the steps still read without it
  }
  const number = defaultNumber ? defaultNumber.number_display || defaultNumber.number : t("snippet_step_none");
  replaceChildren(main, ...screenHeading("snippet"),
    h("section", { class: "panel", id: "snippet-section", "aria-labelledby": "snippet-intro" },
      h("p", { id: "snippet-intro" }, t("snippet_intro")),
      copyField("snippet-tag", tag, { multiline: true, labelledBy: "snippet-intro" }),
      h("h2", {}, t("snippet_check")),
      h("ol", { id: "snippet-steps" },
        h("li", {}, t("snippet_step_1"), " ", h("a", { href: appUrl("admin/numbers") }, t("numbers")), "."),
        h("li", {}, t("snippet_step_2", { number })),
        h("li", {}, t("snippet_step_3"))),
      h("h2", {}, t("snippet_consent")),
      h("p", { id: "snippet-consent-intro" }, t("snippet_consent_intro")),
      copyField("snippet-consent-tag", consentTag, { multiline: true, labelledBy: "snippet-consent-intro" }),
      h("ul", { id: "snippet-consent-facts" },
        ["before", "browser", "server", "after"].map((fact) => h("li", {}, t(`snippet_consent_${fact}`))))),
    googleAdsSection());
}
