// English and Polish. The language follows the browser unless the person picks one (kept in localStorage).

const MESSAGES = {
  en: {
    skip: "Skip to content", language: "Language", sign_out: "Sign out", loading: "Loading…",
    sign_in: "Sign in", signed_in_as: "{label} ({role})",
    call_log: "Call log", filters: "Filters", filters_active: "Filters ({n} set)", from: "From", to: "To (inclusive)", direction: "Direction",
    status: "Status", category: "Category", phone: "Client's phone", has_recording: "Recording",
    any: "Any", yes: "With recording", no: "Without recording", apply: "Apply", reset: "Reset",
    export_csv: "Export CSV", exporting: "Exporting…", export_capped: "The export holds only the newest calls of this selection (the row cap was reached); narrow the dates for the rest.",
    load_more: "Load more", no_calls: "No calls match these filters.", end_of_log: "End of the log.",
    date: "Date", caller: "Caller", destination: "Destination", agent: "Agent", talk: "Talk", wait: "Wait",
    source: "Source", flags: "Marks", target: "Target", repeat: "Repeat", first_call: "First call",
    target_hint: "Target call: answered, long enough, first in its sale cycle", repeat_hint: "Repeat call within the sale cycle",
    incoming: "Incoming", outgoing: "Outgoing", callback: "Callback",
    answered: "Answered", missed: "Missed", busy: "Busy", failed: "Failed", voicemail: "Voicemail",
    times_in: "Times in {zone}", open_card: "Open the card of the call of {date}",
    back_to_log: "← Call log", call_card: "Call card", not_found: "Not found.",
    audio: "Audio", call_details: "Call details", review: "Review and comments", visit: "Visit",
    client: "Client", statistics: "Statistics", last_visit: "Last visit", top_pages: "Top 5 pages in the last 30 days",
    sessions: "User sessions history",
    no_recording: "This call has no recording.", processing: "The recording is being processed…",
    rejected: "The recording was rejected: {reason}", deleted: "The recording was deleted.",
    archived: "The recording is archived. Restore it to play it.", restore: "Restore", tier: "Speed of restore",
    days: "Playable for (days)", restoring: "Restoring… requested {at} ({tier}). This can take minutes to hours.",
    restored_until: "Restored: playable until {until}.", recording_unavailable: "The recording cannot be reached on this server yet.",
    play: "Play", pause: "Pause", speed: "Speed", volume: "Volume", seek: "Position",
    back_10: "Back 10 seconds", forward_10: "Forward 10 seconds", mute: "Mute", stop: "Stop", position_of: "{at} of {total}",
    lane_agent: "Agent", lane_client: "Client", play_call: "Play the call of {date}", pause_call: "Pause the call of {date}",
    now_playing: "Now playing", close_player: "Close the player", open_card_short: "Open the card", withheld: "Withheld number",
    download: "Download", delete_recording: "Delete recording",
    link_copied: "Share link copied to the clipboard.",
    confirm_delete: "Delete this recording for good? Share links stop working at once.", cancel: "Cancel", delete: "Delete", save: "Save",
    recording_deleted: "Recording deleted.", history: "History", audio_error: "The recording could not be played (its link may have expired). Reload the page.",
    codec: "Codec", duration: "Duration", size: "Size",
    external_id: "External id", started_at: "Started", total: "Total", yes_word: "yes", no_word: "no",
    comments: "Comments", no_comments: "No comments yet.", add_comment: "Add comment", comment: "Comment",
    older_comments: "Show older comments",
    no_category: "— none —", manager_rating: "Manager rating", call_rating: "Call rating", saved: "Saved.",
    not_rated: "not rated",
    no_visit: "No tracked website visit led to this call.", no_client: "The caller's number was withheld: no client.",
    ip: "IP address", landing_page: "Landing page", client_card: "Client card", referrer: "Referrer",
    medium: "Medium", campaign: "Campaign", term: "Term", content: "Content", session: "Session",
    as_of: "As of", days_since_first_visit: "Days since first visit", days_since_last_visit: "Days since last visit",
    total_calls: "Total calls", total_sessions: "Total sessions", calls_last_30_days: "Calls in the last 30 days",
    pageviews_last_30_days: "Pageviews in the last 30 days", no_statistics: "No statistics for this call.",
    no_last_visit: "No tracked visits.", device: "Device", os: "System", browser: "Browser", geo: "Location",
    no_top_pages: "No pages viewed in the last 30 days.", page: "Page", views: "Views", time_spent: "Time spent",
    no_sessions: "No tracked sessions.", ended_at: "Ended", pageviews: "Pageviews", calls: "Calls",
    client_calls: "Calls", error: "Something went wrong: {message}", unavailable: "Not available on this server yet.",
    forbidden: "Your role may not do this.", actions: "Actions",
    our_number: "Our number", tag: "Tag", min_talk_seconds: "Talk at least (seconds)", min_call_rating: "Call rating",
    has_comment: "Comments", with_comments: "With comments", without_comments: "Without comments",
    needs_callback: "Call back", not_called_back: "Missed, not called back", called_back_or_not_missed: "Nothing to call back",
    mark_first: "First call", mark_target: "Target", mark_repeat: "Repeat", order: "Order",
    order_desc: "Newest first", order_asc: "Oldest first", phone_hint: "A whole number, or 3 to 8 digits of one",
    phone_placeholder: "e.g. 4567", missed_not_called_back: "Missed, not called back", my_calls: "My calls",
    n_calls: "{n} calls", n_calls_30_days: "{n} calls in the last 30 days",
    searched_back_to: "Searched back to {date}; load more to look further.",
    needs_callback_mark: "Call back", called_back: "Called back", more_filters: "More filters",
  },
  pl: {
    skip: "Przejdź do treści", language: "Język", sign_out: "Wyloguj", loading: "Wczytywanie…",
    sign_in: "Zaloguj się", signed_in_as: "{label} ({role})",
    call_log: "Rejestr połączeń", filters: "Filtry", filters_active: "Filtry (ustawione: {n})", from: "Od", to: "Do (włącznie)", direction: "Kierunek",
    status: "Status", category: "Kategoria", phone: "Telefon klienta", has_recording: "Nagranie",
    any: "Dowolne", yes: "Z nagraniem", no: "Bez nagrania", apply: "Zastosuj", reset: "Wyczyść",
    export_csv: "Eksportuj CSV", exporting: "Eksportowanie…", export_capped: "Eksport zawiera tylko najnowsze połączenia z tego wyboru (osiągnięto limit wierszy); zawęź daty, aby pobrać resztę.",
    load_more: "Wczytaj więcej", no_calls: "Brak połączeń spełniających filtry.", end_of_log: "Koniec rejestru.",
    date: "Data", caller: "Dzwoniący", destination: "Numer docelowy", agent: "Konsultant", talk: "Rozmowa", wait: "Oczekiwanie",
    source: "Źródło", flags: "Oznaczenia", target: "Docelowe", repeat: "Powtórne", first_call: "Pierwsze połączenie",
    target_hint: "Połączenie docelowe: odebrane, wystarczająco długie, pierwsze w cyklu sprzedaży", repeat_hint: "Powtórne połączenie w cyklu sprzedaży",
    incoming: "Przychodzące", outgoing: "Wychodzące", callback: "Oddzwonienie",
    answered: "Odebrane", missed: "Nieodebrane", busy: "Zajęte", failed: "Nieudane", voicemail: "Poczta głosowa",
    times_in: "Czas w strefie {zone}", open_card: "Otwórz kartę połączenia z {date}",
    back_to_log: "← Rejestr połączeń", call_card: "Karta połączenia", not_found: "Nie znaleziono.",
    audio: "Nagranie", call_details: "Szczegóły połączenia", review: "Ocena i komentarze", visit: "Wizyta",
    client: "Klient", statistics: "Statystyki", last_visit: "Ostatnia wizyta", top_pages: "5 najczęstszych stron z ostatnich 30 dni",
    sessions: "Historia sesji użytkownika",
    no_recording: "To połączenie nie ma nagrania.", processing: "Nagranie jest przetwarzane…",
    rejected: "Nagranie odrzucono: {reason}", deleted: "Nagranie usunięto.",
    archived: "Nagranie jest zarchiwizowane. Przywróć je, aby odtworzyć.", restore: "Przywróć", tier: "Szybkość przywracania",
    days: "Dostępne przez (dni)", restoring: "Przywracanie… zlecone {at} ({tier}). Może potrwać od minut do godzin.",
    restored_until: "Przywrócone: można odtwarzać do {until}.", recording_unavailable: "Nagranie nie jest jeszcze dostępne na tym serwerze.",
    play: "Odtwórz", pause: "Pauza", speed: "Prędkość", volume: "Głośność", seek: "Pozycja",
    back_10: "Cofnij o 10 sekund", forward_10: "Do przodu o 10 sekund", mute: "Wycisz", stop: "Zatrzymaj", position_of: "{at} z {total}",
    lane_agent: "Konsultant", lane_client: "Klient", play_call: "Odtwórz połączenie z {date}", pause_call: "Wstrzymaj połączenie z {date}",
    now_playing: "Teraz odtwarzane", close_player: "Zamknij odtwarzacz", open_card_short: "Otwórz kartę", withheld: "Numer ukryty",
    download: "Pobierz", delete_recording: "Usuń nagranie",
    link_copied: "Link skopiowano do schowka.",
    confirm_delete: "Usunąć to nagranie na zawsze? Linki do udostępnienia przestaną działać.", cancel: "Anuluj", delete: "Usuń", save: "Zapisz",
    recording_deleted: "Nagranie usunięto.", history: "Historia", audio_error: "Nie udało się odtworzyć nagrania (link mógł wygasnąć). Odśwież stronę.",
    codec: "Kodek", duration: "Długość", size: "Rozmiar",
    external_id: "Identyfikator zewnętrzny", started_at: "Rozpoczęcie", total: "Łącznie", yes_word: "tak", no_word: "nie",
    comments: "Komentarze", no_comments: "Brak komentarzy.", add_comment: "Dodaj komentarz", comment: "Komentarz",
    older_comments: "Pokaż starsze komentarze",
    no_category: "— brak —", manager_rating: "Ocena menedżera", call_rating: "Ocena połączenia", saved: "Zapisano.",
    not_rated: "bez oceny",
    no_visit: "Żadna śledzona wizyta na stronie nie doprowadziła do tego połączenia.", no_client: "Numer dzwoniącego był ukryty: brak klienta.",
    ip: "Adres IP", landing_page: "Strona wejścia", client_card: "Karta klienta", referrer: "Strona odsyłająca",
    medium: "Medium", campaign: "Kampania", term: "Słowo kluczowe", content: "Treść", session: "Sesja",
    as_of: "Stan na", days_since_first_visit: "Dni od pierwszej wizyty", days_since_last_visit: "Dni od ostatniej wizyty",
    total_calls: "Wszystkie połączenia", total_sessions: "Wszystkie sesje", calls_last_30_days: "Połączenia w ostatnich 30 dniach",
    pageviews_last_30_days: "Odsłony w ostatnich 30 dniach", no_statistics: "Brak statystyk dla tego połączenia.",
    no_last_visit: "Brak śledzonych wizyt.", device: "Urządzenie", os: "System", browser: "Przeglądarka", geo: "Lokalizacja",
    no_top_pages: "Brak odsłon w ostatnich 30 dniach.", page: "Strona", views: "Odsłony", time_spent: "Spędzony czas",
    no_sessions: "Brak śledzonych sesji.", ended_at: "Zakończenie", pageviews: "Odsłony", calls: "Połączenia",
    client_calls: "Połączenia", error: "Coś poszło nie tak: {message}", unavailable: "Jeszcze niedostępne na tym serwerze.",
    forbidden: "Twoja rola nie pozwala na to.", actions: "Działania",
    our_number: "Nasz numer", tag: "Tag", min_talk_seconds: "Rozmowa co najmniej (sekundy)", min_call_rating: "Ocena połączenia",
    has_comment: "Komentarze", with_comments: "Z komentarzami", without_comments: "Bez komentarzy",
    needs_callback: "Oddzwonienie", not_called_back: "Nieodebrane, bez oddzwonienia", called_back_or_not_missed: "Nie trzeba oddzwaniać",
    mark_first: "Pierwsze połączenie", mark_target: "Docelowe", mark_repeat: "Powtórne", order: "Kolejność",
    order_desc: "Najnowsze najpierw", order_asc: "Najstarsze najpierw", phone_hint: "Cały numer albo od 3 do 8 jego cyfr",
    phone_placeholder: "np. 4567", missed_not_called_back: "Nieodebrane, bez oddzwonienia", my_calls: "Moje połączenia",
    n_calls: "Połączenia: {n}", n_calls_30_days: "Połączenia z ostatnich 30 dni: {n}",
    searched_back_to: "Przeszukano do {date}; wczytaj więcej, aby szukać dalej.",
    needs_callback_mark: "Oddzwonić", called_back: "Oddzwoniono", more_filters: "Więcej filtrów",
  },
};

export const LANGUAGES = Object.keys(MESSAGES);
const STORAGE_KEY = "callcard.language";

function initialLanguage() {
  const chosen = localStorage.getItem(STORAGE_KEY);
  if (chosen && MESSAGES[chosen]) return chosen;
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language || "en"];
  for (const tag of preferred) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (MESSAGES[base]) return base;
  }
  return "en";
}

let language = initialLanguage();
let timeZone = "UTC";

export function currentLanguage() {
  return language;
}

export function setLanguage(next) {
  if (!MESSAGES[next]) return;
  language = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

export function setTimeZone(zone) {
  timeZone = zone || "UTC";
}

export function currentTimeZone() {
  return timeZone;
}

/** The message `key` in the current language, with `{name}` placeholders filled from `params`. */
export function t(key, params = {}) {
  const template = MESSAGES[language][key] ?? MESSAGES.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
}

/** Translates the static shell's elements marked with data-i18n. */
export function translateShell() {
  document.documentElement.lang = language;
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
}

/** Adds messages (`{en: {...}, pl: {...}}`) from a module of their own (admin screens, the server's words). */
export function addMessages(tables) {
  for (const [lang, table] of Object.entries(tables)) Object.assign(MESSAGES[lang], table);
}

// How each language writes a moment: "2 Dec 2026, 17:23" in English, "2.12.2026, 17:23" in Polish.
const TIME_FORMATS = {
  en: ["en-GB", { day: "numeric", month: "short", year: "numeric" }],
  pl: ["pl", { day: "numeric", month: "numeric", year: "numeric" }],
};

/** An API time (UTC, ISO 8601) in the project's time zone, written the interface language's way, or a dash. */
export function formatTime(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  const [locale, date] = TIME_FORMATS[language];
  return new Intl.DateTimeFormat(locale, { timeZone, ...date, hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
    .format(moment);
}

/** An API time's day in the project's time zone ("3 Nov 2026" / "3.11.2026"), or a dash. */
export function formatDate(iso) {
  if (!iso) return "—";
  const moment = new Date(iso);
  if (Number.isNaN(moment.getTime())) return iso;
  const [locale, date] = TIME_FORMATS[language];
  return new Intl.DateTimeFormat(locale, { timeZone, ...date }).format(moment);
}

/** A number in the language's own form (a decimal comma and grouping in Polish). */
export function formatNumber(value, options = {}) {
  if (value === null || value === undefined || value === "" || !Number.isFinite(Number(value))) return "—";
  return new Intl.NumberFormat(language, options).format(Number(value));
}

/** A country's name for its ISO 3166 code ("PL" -> "Poland" / "Polska"); anything else as it is. */
export function regionName(code) {
  if (!code) return code;
  try {
    return new Intl.DisplayNames([language], { type: "region" }).of(String(code).toUpperCase()) || code;
  } catch {
    return code; // not a region code
  }
}

/** Seconds as m:ss (or h:mm:ss). */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "—";
  const whole = Math.max(0, Math.floor(Number(seconds)));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined) return "—";
  const units = ["B", "KB", "MB", "GB"];
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, { maximumFractionDigits: unit ? 1 : 0 })} ${units[unit]}`;
}

/** The UTC instant of midnight at the start of `date` (YYYY-MM-DD) in the project's time zone, as ISO 8601. */
export function zonedMidnight(date) {
  const [year, month, day] = date.split("-").map(Number);
  const guess = Date.UTC(year, month - 1, day);
  // the zone's offset at the guessed instant, then once more at the corrected one (DST edges)
  const first = guess - zoneOffset(guess);
  return new Date(guess - zoneOffset(first)).toISOString();
}

function zoneOffset(instant) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(instant)).map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/** The day after `date` (YYYY-MM-DD). */
export function nextDay(date) {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}
