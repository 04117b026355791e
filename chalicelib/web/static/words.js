// The server's words, for people in their language: restore speeds, history actions, device kinds, rejection
// reasons and error messages. The API speaks English codes and sentences; this module names them.

import { addMessages, currentLanguage, t } from "./i18n.js";

addMessages({
  en: {
    tier_Expedited: "Expedited: minutes", tier_Standard: "Standard: 3-5 hours", tier_Bulk: "Bulk: 5-12 hours",
    action_share: "shared", action_revoke: "share link revoked", action_delete: "deleted", action_restore: "restore requested",
    device_desktop: "Computer", device_mobile: "Phone", device_tablet: "Tablet", device_bot: "Bot",
    error_400: "The request was malformed.", error_409: "This cannot be done now: {message}",
    error_413: "That is too large to send.", error_415: "The server could not read the request.",
    error_422: "Some values are not valid: {fields}", invalid_value: "not valid",
  },
  pl: {
    tier_Expedited: "Ekspresowo: minuty", tier_Standard: "Standardowo: 3-5 godzin", tier_Bulk: "Zbiorczo: 5-12 godzin",
    action_share: "udostępniono", action_revoke: "cofnięto link", action_delete: "usunięto", action_restore: "zlecono przywrócenie",
    device_desktop: "Komputer", device_mobile: "Telefon", device_tablet: "Tablet", device_bot: "Robot",
    error_400: "Żądanie było nieprawidłowe.", error_409: "Nie można tego teraz zrobić: {message}",
    error_413: "To jest zbyt duże, aby wysłać.", error_415: "Serwer nie mógł odczytać żądania.",
    error_422: "Niektóre wartości są nieprawidłowe: {fields}", invalid_value: "nieprawidłowa wartość",
  },
});

// The server's sentences (chalicelib: ogg.py rejection reasons, errors people meet in the app) in Polish; each
// pattern matches the whole English sentence, and `$1`... carry its parts over.
const SENTENCES_PL = [
  [/^not an Ogg file: it looks like a WAV file$/, "to nie jest plik Ogg, tylko plik WAV"],
  [/^not an Ogg file: it looks like an MP3$/, "to nie jest plik Ogg, tylko MP3"],
  [/^not an Ogg file: it looks like a FLAC file$/, "to nie jest plik Ogg, tylko plik FLAC"],
  [/^not an Ogg file: it looks like text$/, "to nie jest plik Ogg, tylko tekst"],
  [/^not an Ogg file: .*$/, "to nie jest plik Ogg ani żaden znany rodzaj pliku"],
  [/^the Ogg file's audio header is damaged$/, "nagłówek dźwięku w pliku Ogg jest uszkodzony"],
  [/^an Ogg file of (.+) audio, not Vorbis or Opus$/, "plik Ogg z dźwiękiem $1 zamiast Vorbis lub Opus"],
  [/^the upload is empty$/, "przesłany plik jest pusty"],
  [/^the upload is larger than (\d+) MB$/, "przesłany plik jest większy niż $1 MB"],
  [/^the Ogg file is cut off: it ends in the middle of a page$/, "plik Ogg jest ucięty: kończy się w środku strony"],
  [/^the Ogg file is damaged part-way through$/, "plik Ogg jest uszkodzony w środku"],
  [/^the Ogg file holds several recordings one after another.*$/, "plik Ogg zawiera kilka nagrań jedno po drugim; prześlij jedno na połączenie"],
  [/^the Ogg file is damaged: some of its pages are missing$/, "plik Ogg jest uszkodzony: brakuje części stron"],
  [/^the Ogg file is cut off: it stops before the end of the recording$/, "plik Ogg jest ucięty: kończy się przed końcem nagrania"],
  [/^the uploaded file is gone$/, "przesłany plik zniknął"],
  [/^the recording could not be checked; upload it again$/, "nie udało się sprawdzić nagrania; prześlij je ponownie"],
  [/^recording is off for this project$/, "nagrywanie jest wyłączone w tym projekcie"],
  [/^a restore of the recording is in progress$/, "przywracanie nagrania już trwa"],
  [/^the recording was deleted meanwhile$/, "nagranie zostało w międzyczasie usunięte"],
  [/^the recording's share links changed meanwhile; try again$/, "linki do nagrania zmieniły się w międzyczasie; spróbuj ponownie"],
  [/^the call's recording changed meanwhile; ask again$/, "nagranie połączenia zmieniło się w międzyczasie; spróbuj ponownie"],
  [/^the call has no recording \(status deleted\)$/, "połączenie nie ma nagrania (usunięte)"],
  [/^the recording is (\w+), not archived$/, "nagranie nie jest zarchiwizowane"],
  [/^(\+?[0-9]+) belongs to another project$/, "$1 należy do innego projektu"],
  [/^not a phone number$/, "to nie jest numer telefonu"],
  [/^not an IANA time zone that browsers know$/, "nieznana strefa czasowa"],
  [/^must not repeat a name$/, "nazwy nie mogą się powtarzać"],
  [/^not among the project's tags: (.*)$/, "spoza listy tagów projektu: $1"],
  [/^not one of the project's categories$/, "spoza listy kategorii projektu"],
  [/^must be an amount >= 0 with at most 2 decimal places, like 1500.00$/, "kwota >= 0 z najwyżej 2 miejscami po przecinku, np. 1500.00"],
  [/^must be an ISO 4217 currency code, like PLN$/, "kod waluty ISO 4217, np. PLN"],
  [/^must not hold control characters$/, "nie może zawierać znaków sterujących"],
];

/** A sentence of the server in the interface language: English as sent, Polish when it is known, else `fallback`. */
export function serverText(sentence, fallback = sentence) {
  const text = String(sentence ?? "");
  if (currentLanguage() === "en") return text;
  for (const [pattern, translated] of SENTENCES_PL) {
    if (pattern.test(text)) return text.replace(pattern, translated);
  }
  return fallback;
}

/** A restore speed with its usual time ("Standard: 3-5 hours"). */
export const tierLabel = (tier) => (tier ? t(`tier_${tier}`) : "");

/** A recording history action ("share", "delete", ...) as a word. */
export const actionLabel = (action) => translated(`action_${action}`, action);

/** A visitor's device kind (desktop, mobile, tablet, bot) as a word. */
export const deviceLabel = (kind) => (kind ? translated(`device_${kind}`, kind) : kind);

function translated(key, otherwise) {
  const text = t(key);
  return text === key ? otherwise : text;
}

/** An API error for people, in their language: by status, with the field names of a 422 (`labelOf` names them). */
export function apiErrorText(error, labelOf = (name) => name) {
  if (error.status === 422) {
    const fields = Object.entries(error.details?.fields || {})
      .map(([name, reason]) => `${labelOf(name)} (${serverText(reason, t("invalid_value"))})`);
    return t("error_422", { fields: fields.join(", ") || serverText(error.message, t("invalid_value")) });
  }
  if (error.status === 409) return t("error_409", { message: serverText(error.message, "") }).replace(/: $/, ".");
  if ([400, 413, 415].includes(error.status)) return t(`error_${error.status}`);
  return null;
}

/** A call's agent for people: the member's name with the PBX's value ("Ola Nowak (101)"), else the value. */
export function agentText(call) {
  const value = call.agent_display || call.agent;
  if (call.agent_name) return value ? `${call.agent_name} (${value})` : call.agent_name;
  return value || "—";
}
