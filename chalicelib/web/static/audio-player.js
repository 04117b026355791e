// The recording player of the card and of the docked player: an <audio> with its own controls and a waveform
// drawn in the browser (the Web Audio API decodes the Ogg Vorbis or Opus bytes), one lane per channel.
// One recording plays at a time; an expired presigned URL is renewed and playback resumes where it was.

import { h } from "./dom.js";
import { formatDuration, t } from "./i18n.js";

const SKIP_SECONDS = 10;
const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2];
const RENEW_BEFORE_MS = 60_000; // renew a URL that expires within a minute before playing it
// Decoding holds the whole call as PCM (at this rate: 64 KB a second for stereo), so long calls get no waveform.
const WAVEFORM_RATE = 8000;
const WAVEFORM_MAX_SECONDS = 1800;
const BARS = 600; // peaks kept per channel; drawn at whatever width the player has
const LANES = ["lane_agent", "lane_client"]; // stereo calls: the agent on the left channel, the client on the right

/** Peaks (0..1 of the loudest) of each channel of the recording at `url`, at most two channels. */
async function waveformPeaks(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  // decodeAudioData resamples to its context's rate: a low one keeps the decoded call small
  const decoded = await new OfflineAudioContext(1, 1, WAVEFORM_RATE).decodeAudioData(await response.arrayBuffer());
  const channels = Array.from({ length: Math.min(decoded.numberOfChannels, LANES.length) },
    (_, index) => decoded.getChannelData(index));
  const step = Math.max(1, Math.floor(decoded.length / BARS));
  const peaks = channels.map((samples) => Array.from({ length: Math.ceil(samples.length / step) }, (_, bar) => {
    let peak = 0;
    for (let n = bar * step; n < Math.min(samples.length, (bar + 1) * step); n += 1) peak = Math.max(peak, Math.abs(samples[n]));
    return peak;
  }));
  const loudest = Math.max(...peaks.flat(), 1e-6);
  return peaks.map((lane) => lane.map((peak) => peak / loudest));
}

function expiresSoon(audio) {
  return Boolean(audio.urls_expire_at) && Date.parse(audio.urls_expire_at) - Date.now() < RENEW_BEFORE_MS;
}

/**
 * A player for `audio` (the API's recording status: play_url, urls_expire_at, duration_seconds); `renew` gives
 * a fresh status (new URLs). Element ids start with `id`. Returns { element, media, play }.
 */
export function audioPlayer({ id, audio, renew }) {
  let current = audio;
  let wanted = false; // the person asked to play: resume after renewing the URL
  let renewed = false; // renew once per failure, not in a loop
  let peaks = null;

  const media = h("audio", { id: `${id}-element`, preload: "metadata", src: current.play_url });
  const toggle = h("button", { type: "button", id: `${id}-toggle`, class: "toggle" });
  const back = h("button", { type: "button", id: `${id}-back`, class: "secondary", "aria-label": t("back_10"), title: t("back_10") }, "↺ 10");
  const forward = h("button", { type: "button", id: `${id}-forward`, class: "secondary", "aria-label": t("forward_10"), title: t("forward_10") }, "10 ↻");
  const stop = h("button", { type: "button", id: `${id}-stop`, class: "secondary", "aria-label": t("stop"), title: t("stop") }, "■");
  const time = h("span", { class: "time", id: `${id}-time` }, "0:00");
  const total = h("span", { class: "time", id: `${id}-duration` }, formatDuration(current.duration_seconds));
  const canvas = h("canvas", { id: `${id}-waveform`, "aria-hidden": "true" });
  const lanes = h("div", { class: "lanes", "aria-hidden": "true" });
  const seek = h("div", { id: `${id}-seek`, class: "seek", role: "slider", tabindex: 0, "aria-label": t("seek"),
    "aria-valuemin": 0, dataset: { waveform: "none" } }, canvas, lanes);
  const mute = h("button", { type: "button", id: `${id}-mute`, class: "secondary", "aria-pressed": "false" }, t("mute"));
  const volume = h("input", { type: "range", id: `${id}-volume`, min: 0, max: 1, step: "0.05", value: 1, "aria-label": t("volume") });
  const speed = h("select", { id: `${id}-speed`, "aria-label": t("speed") },
    SPEEDS.map((value) => h("option", { value, selected: value === 1 }, `${value}×`)));
  const problem = h("p", { class: "error", role: "alert", hidden: true });

  const duration = () => (Number.isFinite(media.duration) && media.duration > 0 ? media.duration : Number(current.duration_seconds) || 0);
  const showProblem = (detail) => {
    problem.textContent = detail ? `${t("audio_error")} (${detail})` : t("audio_error");
    problem.hidden = false;
  };

  function draw() {
    const width = Math.max(1, Math.round(seek.clientWidth));
    const height = Math.max(1, Math.round(seek.clientHeight));
    const scale = window.devicePixelRatio || 1;
    if (canvas.width !== width * scale || canvas.height !== height * scale) {
      canvas.width = width * scale;
      canvas.height = height * scale;
    }
    const context = canvas.getContext("2d");
    context.setTransform(scale, 0, 0, scale, 0, 0);
    context.clearRect(0, 0, width, height);
    const styles = getComputedStyle(seek);
    const [playedColour, restColour] = [styles.getPropertyValue("--played"), styles.getPropertyValue("--unplayed")];
    const played = duration() ? (media.currentTime / duration()) * width : 0;
    const rows = peaks || [null];
    const laneHeight = height / rows.length;
    rows.forEach((lane, row) => {
      const middle = laneHeight * row + laneHeight / 2;
      if (!lane) { // no waveform (yet): a plain track
        context.fillStyle = restColour;
        context.fillRect(0, middle - 2, width, 4);
        context.fillStyle = playedColour;
        context.fillRect(0, middle - 2, played, 4);
        return;
      }
      const barWidth = width / lane.length;
      lane.forEach((peak, bar) => {
        const x = bar * barWidth;
        const half = Math.max(0.5, (peak * (laneHeight - 6)) / 2);
        context.fillStyle = x < played ? playedColour : restColour;
        context.fillRect(x, middle - half, Math.max(1, barWidth - 0.5), half * 2);
      });
    });
    context.fillStyle = playedColour;
    context.fillRect(Math.min(played, width - 2), 0, 2, height);
  }

  function showPosition() {
    const at = media.currentTime;
    time.textContent = formatDuration(at);
    seek.setAttribute("aria-valuemax", String(Math.round(duration())));
    seek.setAttribute("aria-valuenow", String(Math.round(at)));
    seek.setAttribute("aria-valuetext", t("position_of", { at: formatDuration(at), total: formatDuration(duration()) }));
    draw();
  }

  function seekTo(seconds) {
    media.currentTime = Math.min(Math.max(0, seconds), duration() || 0);
    showPosition();
  }

  async function renewUrl() {
    const at = media.currentTime;
    current = await renew();
    if (!current.play_url) throw new Error(t("recording_unavailable"));
    media.src = current.play_url;
    media.currentTime = at;
  }

  async function play() {
    wanted = true;
    problem.hidden = true;
    try {
      if (expiresSoon(current)) await renewUrl();
      await media.play();
    } catch (error) {
      if (error.name !== "AbortError") showProblem(error.message); // AbortError: a new source replaced this one
    }
  }

  // pause() sets `paused` at once and fires "pause" later: the button shows it at once
  function pause() {
    wanted = false;
    media.pause();
    showPlaying();
  }

  function togglePlay() {
    if (media.paused) play();
    else pause();
  }

  function showPlaying() {
    const label = media.paused ? t("play") : t("pause");
    toggle.textContent = media.paused ? "▶" : "❚❚";
    toggle.setAttribute("aria-label", label);
    toggle.title = label;
  }

  // volume 0 is silence too: Mute reads pressed, and pressing it brings the sound back
  const silent = () => media.muted || media.volume === 0;

  function showMuted() {
    mute.setAttribute("aria-pressed", String(silent()));
  }

  function stopPlaying() {
    pause();
    seekTo(0);
  }

  async function loadWaveform() {
    if (duration() > WAVEFORM_MAX_SECONDS || typeof OfflineAudioContext === "undefined") return;
    seek.dataset.waveform = "loading";
    try {
      if (expiresSoon(current)) await renewUrl();
      peaks = await waveformPeaks(current.play_url);
      seek.dataset.waveform = "ready";
      seek.dataset.lanes = String(peaks.length);
      lanes.replaceChildren(...(peaks.length > 1 ? LANES.map((key) => h("span", {}, t(key))) : []));
    } catch {
      seek.dataset.waveform = "failed"; // the controls work without it
    }
    draw();
  }

  toggle.addEventListener("click", togglePlay);
  back.addEventListener("click", () => seekTo(media.currentTime - SKIP_SECONDS));
  forward.addEventListener("click", () => seekTo(media.currentTime + SKIP_SECONDS));
  // volumechange comes later, as a task: the button shows its new state at once (a second click reads it)
  mute.addEventListener("click", () => {
    if (!silent()) {
      media.muted = true;
    } else {
      media.muted = false;
      if (media.volume === 0) media.volume = 1;
      volume.value = String(media.volume);
    }
    showMuted();
  });
  stop.addEventListener("click", stopPlaying);
  volume.addEventListener("input", () => {
    media.volume = Number(volume.value);
    showMuted();
  });
  speed.addEventListener("change", () => {
    media.playbackRate = Number(speed.value);
  });

  // click or drag on the waveform to seek
  const seekToPointer = (event) => {
    const box = seek.getBoundingClientRect();
    seekTo(((event.clientX - box.left) / box.width) * duration());
  };
  seek.addEventListener("pointerdown", (event) => {
    seek.setPointerCapture(event.pointerId);
    seekToPointer(event);
  });
  seek.addEventListener("pointermove", (event) => {
    if (seek.hasPointerCapture(event.pointerId)) seekToPointer(event);
  });

  const root = h("div", { class: "player", id: `${id}-player`, role: "group", "aria-label": t("audio"), "aria-keyshortcuts": "Space ArrowLeft ArrowRight M" },
    media,
    seek,
    h("div", { class: "controls" }, back, toggle, stop, forward,
      h("span", { class: "clock" }, time, h("span", { class: "muted" }, " / "), total),
      mute, volume, h("label", { for: `${id}-speed` }, t("speed")), speed),
    problem);

  // Space plays or pauses, the arrows skip 10 s, Home and End go to either end, M mutes; form fields and
  // buttons keep their own keys (a focused button's Space is its click)
  root.addEventListener("keydown", (event) => {
    const tag = event.target.tagName;
    if (tag === "INPUT" || tag === "SELECT" || event.altKey || event.ctrlKey || event.metaKey) return;
    const actions = {
      " ": tag === "BUTTON" ? null : togglePlay,
      ArrowLeft: () => seekTo(media.currentTime - SKIP_SECONDS),
      ArrowRight: () => seekTo(media.currentTime + SKIP_SECONDS),
      Home: () => seekTo(0),
      End: () => seekTo(duration()),
      m: () => mute.click(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });

  media.addEventListener("play", () => { // one recording at a time
    for (const other of document.querySelectorAll("audio")) if (other !== media) other.pause();
  });
  media.addEventListener("playing", () => {
    renewed = false;
  });
  media.addEventListener("play", showPlaying);
  media.addEventListener("pause", showPlaying);
  media.addEventListener("volumechange", showMuted);
  media.addEventListener("timeupdate", showPosition);
  media.addEventListener("loadedmetadata", () => {
    total.textContent = formatDuration(duration());
    showPosition();
  });
  // an expired (or revoked) URL: renew it once and carry on where it stopped
  media.addEventListener("error", async () => {
    if (renewed) {
      showProblem();
      return;
    }
    renewed = true;
    try {
      await renewUrl();
      if (wanted) await media.play();
    } catch (error) {
      if (error.name !== "AbortError") showProblem(error.message);
    }
  });
  new ResizeObserver(draw).observe(seek);

  showPlaying();
  showMuted();
  showPosition();
  loadWaveform();
  return { element: root, media, play, togglePlay };
}
