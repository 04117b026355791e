// callcard's web app: sign-in, the header, and which page to show for the address.

import { ApiError, ROOT, apiKey, appUrl, forgetKey, getJson, keepKey, whenUnauthorized } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { currentLanguage, setLanguage, setTimeZone, t, translateShell } from "./i18n.js";
import { renderCallLog } from "./log.js";
import { renderCard } from "./card.js";
import { renderClient } from "./client.js";
import { renderAdmin, showAdminNav } from "./admin.js";
import { renderDashboard, showMainNav } from "./dashboard.js";
import { renderReports } from "./reports.js";
import { describeError, notify, session } from "./state.js";
import { signInFromLink } from "./key-link.js";

const main = document.getElementById("main");

function route() {
  const path = decodeURIComponent(location.pathname.slice(ROOT.pathname.length));
  const [page, ...rest] = path.split("/");
  const id = rest.join("/");
  if (page === "calls" && id) return () => renderCard(main, id);
  if (page === "calls") return () => renderCallLog(main);
  if (page === "reports") return () => renderReports(main);
  if (page === "clients" && id) return () => renderClient(main, id);
  if (page === "admin") return () => renderAdmin(main, id);
  return () => renderDashboard(main);
}

function showSignIn(message) {
  document.getElementById("sign-out").hidden = true;
  document.getElementById("who").textContent = "";
  document.getElementById("admin-nav")?.remove();
  document.getElementById("main-nav")?.remove();
  const input = h("input", { id: "api-key", name: "api-key", type: "password", autocomplete: "off", required: true, spellcheck: "false" });
  const error = h("p", { class: "error", id: "sign-in-error", role: "alert" }, message || "");
  const form = h("form", { class: "panel sign-in", id: "sign-in", "aria-describedby": "sign-in-intro" },
    h("h1", {}, t("sign_in")),
    h("p", { id: "sign-in-intro" }, t("sign_in_intro")),
    h("label", { for: "api-key" }, t("api_key")),
    input,
    h("button", { type: "submit" }, t("sign_in")),
    error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    keepKey(input.value);
    start();
  });
  replaceChildren(main, form);
  input.focus();
}

async function start() {
  notify("");
  if (!apiKey()) {
    showSignIn();
    return;
  }
  replaceChildren(main, h("p", { class: "muted" }, t("loading")));
  try {
    session.me = await getJson("v1/me");
    session.settings = await getJson("v1/settings");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      showSignIn(t("key_invalid"));
      return;
    }
    if (!(error instanceof ApiError && error.status === 403)) throw error;
    session.settings = null; // a role that may not read settings (integration) still sees what it may
  }
  setTimeZone(session.settings?.timezone);
  document.getElementById("who").textContent = t("signed_in_as", session.me);
  document.getElementById("sign-out").hidden = false;
  showMainNav();
  showAdminNav();
  await route()();
}

function setUpHeader() {
  const picker = document.getElementById("lang");
  picker.value = currentLanguage();
  picker.addEventListener("change", () => {
    setLanguage(picker.value);
    translateShell();
    start().catch(showFailure);
  });
  document.getElementById("sign-out").addEventListener("click", () => {
    forgetKey();
    showSignIn();
  });
  document.getElementById("home").href = appUrl("");
}

function showFailure(error) {
  replaceChildren(main, h("p", { class: "error", role: "alert" }, describeError(error)));
}

whenUnauthorized(() => showSignIn(t("key_invalid")));
translateShell();
setUpHeader();
signInFromLink(main).then(start).catch(showFailure);
