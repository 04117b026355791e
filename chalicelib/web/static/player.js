// The card's Audio section: the player (audio-player.js, as in the docked player), download, share links
// (sharing.js), delete, restore.

import { getJson, sendJson } from "./api.js";
import { audioPlayer } from "./audio-player.js";
import { empty, facts, h, replaceChildren } from "./dom.js";
import { formatBytes, formatDuration, formatTime, t } from "./i18n.js";
import { sharing } from "./sharing.js";
import { describeError, may } from "./state.js";
import { actionLabel, serverText, tierLabel } from "./words.js";

const RESTORE_TIERS = ["Expedited", "Standard", "Bulk"];
const RESTORE_POLL_MS = 5000;
export const PLAYABLE = new Set(["available", "restored"]);

export function recordingPath(callId, suffix = "") {
  return `v1/calls/${encodeURIComponent(callId)}/recording${suffix}`;
}

const shareLinks = (callId) => (may("share") ? sharing(callId) : null);

function historyList(audio) {
  if (!audio.history?.length) return null;
  return h("details", { class: "history" },
    h("summary", {}, t("history")),
    h("ul", {}, audio.history.map((entry) => h("li", {}, `${formatTime(entry.at)} · ${actionLabel(entry.action)} · ${entry.by}`))));
}

function actions(audio, callId, refresh) {
  const status = h("p", { class: "muted", id: "audio-action-status", role: "status", "aria-live": "polite" });
  const buttons = [];
  if (audio.download_url) {
    buttons.push(h("a", { class: "button secondary", id: "audio-download", href: audio.download_url, download: "" }, t("download")));
  }
  if (may("delete_recordings")) {
    const remove = h("button", { type: "button", id: "audio-delete", class: "danger" }, t("delete_recording"));
    remove.addEventListener("click", () => confirmDelete(callId, status, refresh));
    buttons.push(remove);
  }
  return [h("div", { class: "actions" }, buttons), status];
}

function confirmDelete(callId, status, refresh) {
  const yes = h("button", { type: "button", id: "confirm-delete", class: "danger" }, t("delete"));
  const no = h("button", { type: "button", id: "cancel-delete", class: "secondary", autofocus: true }, t("cancel"));
  const dialog = h("dialog", { id: "delete-dialog", "aria-labelledby": "delete-dialog-text" },
    h("p", { id: "delete-dialog-text" }, t("confirm_delete")),
    h("div", { class: "actions" }, no, yes));
  document.body.append(dialog);
  const close = () => {
    dialog.close();
    dialog.remove();
  };
  no.addEventListener("click", close);
  dialog.addEventListener("cancel", () => dialog.remove());
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    try {
      await sendJson("DELETE", recordingPath(callId));
      close();
      await refresh();
      document.getElementById("audio-action-status")?.replaceChildren(t("recording_deleted"));
    } catch (error) {
      close();
      status.textContent = describeError(error);
    }
  });
  dialog.showModal();
}

function restoreForm(callId, refresh) {
  const tier = h("select", { id: "restore-tier" }, RESTORE_TIERS.map((value) => h("option", { value, selected: value === "Standard" }, tierLabel(value))));
  const days = h("input", { id: "restore-days", type: "number", min: 1, max: 365, value: 7 });
  const status = h("p", { class: "muted", role: "status" });
  const button = h("button", { type: "submit", id: "audio-restore" }, t("restore"));
  const form = h("form", { class: "restore" },
    h("div", { class: "field" }, h("label", { for: "restore-tier" }, t("tier")), tier),
    h("div", { class: "field" }, h("label", { for: "restore-days" }, t("days")), days),
    button, status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      await sendJson("POST", recordingPath(callId, "/restore"), { tier: tier.value, days: Number(days.value) });
      await refresh();
    } catch (error) {
      status.textContent = describeError(error);
      button.disabled = false;
    }
  });
  return form;
}

function body(audio, callId, refresh, poll) {
  const details = facts([
    [t("codec"), audio.codec],
    [t("duration"), audio.duration_seconds === null || audio.duration_seconds === undefined ? null : formatDuration(audio.duration_seconds)],
    [t("size"), audio.size_bytes === null || audio.size_bytes === undefined ? null : formatBytes(audio.size_bytes)],
  ]);
  switch (audio.status) {
    case "available":
    case "restored": {
      const until = audio.status === "restored" && audio.restore?.available_until
        ? h("p", { class: "muted" }, t("restored_until", { until: formatTime(audio.restore.available_until) })) : null;
      const controls = audio.play_url
        ? audioPlayer({ id: "audio", audio, renew: () => getJson(recordingPath(callId)) }).element
        : h("p", { class: "muted" }, t("recording_unavailable"));
      return [until, controls, details, actions(audio, callId, refresh), shareLinks(callId), historyList(audio)];
    }
    case "archived":
      return [h("p", {}, t("archived")), details, may("restore") ? restoreForm(callId, refresh) : null,
        may("delete_recordings") ? actions({}, callId, refresh) : null, shareLinks(callId), historyList(audio)];
    case "restoring":
      poll();
      return [h("p", { id: "restore-progress", role: "status" },
        h("progress", { "aria-label": t("restore") }),
        " ", t("restoring", { at: formatTime(audio.restore?.requested_at), tier: tierLabel(audio.restore?.tier) })),
      details, historyList(audio)];
    case "processing":
      poll();
      return [empty(t("processing"))];
    case "rejected":
      return [empty(t("rejected", { reason: serverText(audio.reason || "") })), historyList(audio)];
    case "deleted":
      return [empty(t("deleted")), historyList(audio)];
    default:
      return [empty(t("no_recording"))];
  }
}

/** Renders the Audio section's content into `container`; re-reads GET …/recording after actions and while waiting. */
export function renderAudio(container, audio, callId) {
  let timer = null;
  const refresh = async () => {
    clearTimeout(timer);
    try {
      renderAudio(container, await getJson(recordingPath(callId)), callId);
    } catch (error) {
      replaceChildren(container, h("p", { class: "error", role: "alert" }, describeError(error)));
    }
  };
  const poll = () => {
    timer = setTimeout(() => {
      if (container.isConnected) refresh();
    }, RESTORE_POLL_MS);
  };
  replaceChildren(container, body(audio || { status: "none" }, callId, refresh, poll));
}
