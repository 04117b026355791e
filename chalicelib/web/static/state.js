// What every page shares: who is signed in, the project's settings, and the page-wide notice.

import { ApiError, appUrl, getJson } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { t } from "./i18n.js";
import { apiErrorText } from "./words.js";

/** `me`: GET v1/me (role and permissions); `settings`: GET v1/settings (time zone, categories). */
export const session = { me: null, settings: null };

export function may(permission) {
  return Boolean(session.me?.may?.includes(permission));
}

/** Shows `message` in the page-wide alert; a falsy message hides it. */
export function notify(message) {
  const notice = document.getElementById("notice");
  notice.textContent = message || "";
  notice.hidden = !message;
}

/** The page's data from `path`; on failure the page shows the error and a way back, and this gives null. */
export async function loadPageData(main, path) {
  try {
    return await getJson(path);
  } catch (error) {
    // a 401 has shown sign-in already (api.js whenUnauthorized): leave it there
    if (!(error instanceof ApiError && error.status === 401)) {
      replaceChildren(main, h("a", { href: appUrl("calls") }, t("back_to_log")), h("p", { class: "error", role: "alert" }, describeError(error)));
    }
    return null;
  }
}

/** An error for people; `labelOf` names a 422's fields (a form's own labels). */
export function describeError(error, labelOf) {
  if (error instanceof ApiError) {
    if (error.missingRoute) return t("unavailable");
    if (error.status === 403) return t("forbidden");
    if (error.status === 404) return t("not_found");
    return apiErrorText(error, labelOf) ?? t("error", { message: error.message });
  }
  return t("error", { message: String(error?.message || error) });
}
