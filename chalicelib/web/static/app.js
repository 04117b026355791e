// callcard's web app: sign-in, the header, and which page to show for the address.

import { ApiError, ROOT, appUrl, getJson, whenUnauthorized } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { currentLanguage, setLanguage, setTimeZone, t, translateShell } from "./i18n.js";
import { renderCallLog } from "./log.js";
import { renderCard } from "./card.js";
import { renderClient } from "./client.js";
import { renderAdmin, showAdminNav } from "./admin.js";
import { hideAccount, showProjectSwitcher, signOut, whoText } from "./account.js";
import { showSignIn } from "./sign-in.js";
import { renderDashboard, showMainNav } from "./dashboard.js";
import { renderReports } from "./reports.js";
import { describeError, notify, session } from "./state.js";

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

function signIn(message = "") {
  hideAccount();
  document.getElementById("admin-nav")?.remove();
  document.getElementById("main-nav")?.remove();
  session.me = null;
  showSignIn(main, (me) => start(me).catch(showFailure), message);
}

/** The app for the signed-in person: `me` as sign-in or a project switch answered it, else GET v1/me. */
async function start(me = null) {
  notify("");
  replaceChildren(main, h("p", { class: "muted" }, t("loading")));
  try {
    session.me = me || (await getJson("v1/me"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      signIn();
      return;
    }
    throw error;
  }
  try {
    session.settings = await getJson("v1/settings");
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) throw error;
    session.settings = null; // a role that may not read settings still sees what it may
  }
  setTimeZone(session.settings?.timezone);
  document.getElementById("who").textContent = whoText(session.me);
  document.getElementById("sign-out").hidden = false;
  showProjectSwitcher(session.me, (switched) => {
    history.pushState(null, "", appUrl("")); // another project's call or client is not here: its overview is
    start(switched).catch(showFailure);
  });
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
  document.getElementById("sign-out").addEventListener("click", async () => {
    await signOut();
    signIn();
  });
  document.getElementById("home").href = appUrl("");
}

function showFailure(error) {
  replaceChildren(main, h("p", { class: "error", role: "alert" }, describeError(error)));
}

whenUnauthorized(() => signIn(t("session_ended")));
translateShell();
setUpHeader();
start().catch(showFailure);
