// The snippet screen's integrations: the address of the Google Ads conversions feed, and how to schedule its upload.

import { appUrl } from "./api.js";
import { h } from "./dom.js";
import { copyField } from "./forms.js";
import { addMessages, t } from "./i18n.js";
import { session } from "./state.js";

addMessages({
  en: {
    google_ads: "Google Ads: calls as conversions",
    google_ads_intro: "Google Ads can fetch the target calls that came from an ad click as offline conversions, on a schedule. The address of the file:",
    google_ads_step_key: "Create an API key of the role “integration” for Google Ads alone (you can revoke it alone):",
    google_ads_key_link: "create it on the API keys screen",
    google_ads_step_schedule: "In Google Ads open Goals > Conversions > Uploads, then Schedules, and add a schedule.",
    google_ads_step_source: "Choose HTTPS as the source and paste the address above.",
    google_ads_step_login: "User name: anything (for example callcard). Password: the integration key.",
    google_ads_step_name: "The conversion action (conversions from clicks) must be named “{name}”, as the file names the conversions.",
    google_ads_step_often: "Choose how often (daily is usual) and save. Google Ads skips the conversions it already has.",
  },
  pl: {
    google_ads: "Google Ads: połączenia jako konwersje",
    google_ads_intro: "Google Ads może pobierać według harmonogramu połączenia docelowe, które przyszły z kliknięcia reklamy, jako konwersje offline. Adres pliku:",
    google_ads_step_key: "Utwórz klucz API z rolą „integracja” tylko dla Google Ads (można go unieważnić osobno):",
    google_ads_key_link: "utwórz go na ekranie kluczy API",
    google_ads_step_schedule: "W Google Ads otwórz Cele > Konwersje > Przesyłanie, potem Harmonogramy, i dodaj harmonogram.",
    google_ads_step_source: "Wybierz HTTPS jako źródło i wklej adres podany wyżej.",
    google_ads_step_login: "Nazwa użytkownika: dowolna (np. callcard). Hasło: klucz integracji.",
    google_ads_step_name: "Działanie powodujące konwersję (konwersje z kliknięć) musi się nazywać „{name}”, tak jak plik nazywa konwersje.",
    google_ads_step_often: "Wybierz częstotliwość (zwykle codziennie) i zapisz. Google Ads pomija konwersje, które już ma.",
  },
});

const DEFAULT_CONVERSION_NAME = "Phone call"; // settings.google_ads.conversion_name's default

/** The Google Ads feed's address (GET v1/conversions/google-ads.csv, Basic auth) and the steps to schedule it. */
export function googleAdsSection() {
  const name = session.settings?.google_ads?.conversion_name || DEFAULT_CONVERSION_NAME;
  const newKey = appUrl(`admin/keys?role=integration&label=${encodeURIComponent("Google Ads")}`);
  return h("section", { class: "panel", id: "google-ads", "aria-labelledby": "google-ads-title" },
    h("h2", { id: "google-ads-title" }, t("google_ads")),
    h("p", { id: "google-ads-intro" }, t("google_ads_intro")),
    copyField("google-ads-url", appUrl("v1/conversions/google-ads.csv"), { labelledBy: "google-ads-intro" }),
    h("ol", { id: "google-ads-steps" },
      h("li", {}, t("google_ads_step_key"), " ", h("a", { href: newKey, id: "google-ads-key" }, t("google_ads_key_link")), "."),
      ["schedule", "source", "login"].map((step) => h("li", {}, t(`google_ads_step_${step}`))),
      h("li", {}, t("google_ads_step_name", { name })),
      h("li", {}, t("google_ads_step_often"))));
}
