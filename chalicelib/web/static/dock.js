// The docked player: a call's recording played from a list of calls (the log, the client card) in a bar at the
// bottom of the page. It lives outside <main>, so it keeps playing while the list is scrolled, filtered or paged.

import { appUrl, getJson } from "./api.js";
import { audioPlayer } from "./audio-player.js";
import { h } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { PLAYABLE, recordingPath } from "./player.js";
import { describeError } from "./state.js";
import { agentText } from "./words.js";

let docked = null; // { callId, media, togglePlay } of the call in the dock

/** The client of a call: who called in, or whom the team called. */
function whose(call) {
  const incoming = call.direction === "incoming";
  return (incoming ? call.caller_display || call.caller : call.destination_display || call.destination) || t("withheld");
}

function showRowButton(button) {
  const playing = docked?.callId === button.dataset.callId && !docked.media.paused;
  button.textContent = playing ? "❚❚" : "▶";
  button.setAttribute("aria-label", t(playing ? "pause_call" : "play_call", { date: button.dataset.when }));
}

function showRowButtons() {
  document.querySelectorAll("button.row-play").forEach(showRowButton);
}

function close() {
  const dock = document.getElementById("dock");
  // a keyboard closed it: focus goes back to the row's play button (or the page), not to nowhere
  const hadFocus = dock?.contains(document.activeElement);
  const row = dock && document.querySelector(`button.row-play[data-call-id="${CSS.escape(dock.dataset.callId)}"]`);
  dock?.remove();
  document.body.classList.remove("has-dock");
  docked = null;
  showRowButtons();
  if (hadFocus) (row || document.getElementById("main")).focus();
}

function dockShell(call) {
  const closeButton = h("button", { type: "button", id: "dock-close", class: "secondary", "aria-label": t("close_player"), title: t("close_player") }, "✕");
  closeButton.addEventListener("click", close);
  const dock = h("section", { id: "dock", class: "dock", "aria-label": t("now_playing"), dataset: { callId: call.call_id } },
    h("div", { class: "dock-info" },
      h("strong", { id: "dock-who" }, whose(call)),
      h("span", { class: "muted" }, [formatTime(call.started_at), call.agent ? `${t("agent")} ${agentText(call)}` : null].filter(Boolean).join(" · ")),
      h("a", { id: "dock-card", href: appUrl(`calls/${encodeURIComponent(call.call_id)}`) }, t("open_card_short")),
      closeButton));
  document.getElementById("dock")?.remove();
  document.body.append(dock);
  document.body.classList.add("has-dock");
  return dock;
}

/** Plays `call`'s recording in the dock (a row of GET v1/calls: call_id, caller, destination, started_at, ...). */
export async function playInDock(call) {
  if (docked?.callId === call.call_id) {
    docked.togglePlay();
    return;
  }
  docked?.media.pause();
  const dock = dockShell(call);
  docked = null;
  try {
    const audio = await getJson(recordingPath(call.call_id));
    if (!PLAYABLE.has(audio.status) || !audio.play_url) {
      dock.append(h("p", { class: "muted", role: "status" }, t(audio.status === "archived" ? "archived" : "recording_unavailable")));
      return;
    }
    const player = audioPlayer({ id: "dock", audio, renew: () => getJson(recordingPath(call.call_id)) });
    dock.append(player.element);
    docked = { callId: call.call_id, ...player };
    player.media.addEventListener("play", showRowButtons);
    player.media.addEventListener("pause", showRowButtons);
    await player.play();
  } catch (error) {
    dock.append(h("p", { class: "error", role: "alert" }, describeError(error)));
  }
}

/** The play button of a call's row: plays it in the dock, or pauses it there. */
export function playButton(call) {
  const when = formatTime(call.started_at);
  const button = h("button", { type: "button", class: "row-play secondary", dataset: { callId: call.call_id, when } });
  button.addEventListener("click", () => playInDock(call));
  showRowButton(button);
  return button;
}
