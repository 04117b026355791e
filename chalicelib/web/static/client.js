// The client card: statistics, the client's calls and sessions, each paged on through the API.

import { appUrl } from "./api.js";
import { empty, h, replaceChildren, section } from "./dom.js";
import { t } from "./i18n.js";
import { statistics } from "./card.js";
import { loadPageData } from "./state.js";
import { callTable, pagedList, sessionsHistory } from "./tables.js";

function calls(phone, items, nextCursor) {
  if (!items.length) return empty(t("no_calls"));
  const table = callTable("client-calls");
  table.add(items);
  return pagedList(table.table, `v1/clients/${encodeURIComponent(phone)}/calls`, nextCursor, (more) => table.add(more));
}

export async function renderClient(main, phone) {
  document.title = `${t("client_card")} · callcard`;
  const card = await loadPageData(main, `v1/clients/${encodeURIComponent(phone)}`);
  if (!card) return;
  replaceChildren(main,
    h("a", { href: appUrl("calls"), class: "back" }, t("back_to_log")),
    h("h1", {}, `${t("client_card")} · ${card.phone_display || card.phone}`),
    section("statistics", t("statistics"), statistics(card.statistics)),
    section("client-calls-section", t("client_calls"), calls(card.phone, card.calls, card.calls_next_cursor)),
    section("sessions", t("sessions"), sessionsHistory(card.phone, card.sessions, card.sessions_next_cursor)));
}
