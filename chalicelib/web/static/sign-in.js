// Signing in (DESIGN.md section 4a): email and password; an invited person's first sign-in sets their own
// password; a forgotten password is reset with the code mailed to the address. The session is an HttpOnly cookie
// the server sets: this page never sees a token, and every tab of the browser is signed in at once.

import { ApiError, sendJson } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { addMessages, t } from "./i18n.js";
import { apiErrorText } from "./words.js";

addMessages({
  en: {
    sign_in_intro: "Sign in with your work email address and password.",
    email: "Email address", password: "Password", new_password: "New password", repeat_password: "New password again",
    password_rule: "At least 12 characters.", wrong_password: "The email address or the password is wrong.",
    too_many_tries: "Too many failed attempts: wait a few minutes and try again.",
    no_project: "This account is not a member of any project. Ask your administrator to invite you.",
    set_password_title: "Choose your password",
    set_password_intro: "Welcome! You signed in with the password from your invitation: choose your own now.",
    passwords_differ: "The two passwords differ.", set_password: "Set password and sign in",
    forgot_password: "Forgot your password?", forgot_title: "Reset your password",
    forgot_intro: "We will email a code to this address if it belongs to an account.", send_code: "Send the code",
    code: "Code from the email", code_sent: "If the address belongs to an account, a code is on its way to it.",
    reset_password: "Set the new password", password_reset: "Your password is changed: sign in with it.",
    back_to_sign_in: "Back to sign in", session_ended: "You were signed out. Sign in again.",
  },
  pl: {
    sign_in_intro: "Zaloguj się służbowym adresem e-mail i hasłem.",
    email: "Adres e-mail", password: "Hasło", new_password: "Nowe hasło", repeat_password: "Powtórz nowe hasło",
    password_rule: "Co najmniej 12 znaków.", wrong_password: "Adres e-mail lub hasło jest nieprawidłowe.",
    too_many_tries: "Zbyt wiele nieudanych prób: odczekaj kilka minut i spróbuj ponownie.",
    no_project: "To konto nie należy do żadnego projektu. Poproś administratora o zaproszenie.",
    set_password_title: "Ustaw swoje hasło",
    set_password_intro: "Witaj! Zalogowałeś się hasłem z zaproszenia: ustaw teraz własne.",
    passwords_differ: "Hasła się różnią.", set_password: "Ustaw hasło i zaloguj",
    forgot_password: "Nie pamiętasz hasła?", forgot_title: "Ustaw nowe hasło",
    forgot_intro: "Wyślemy kod na ten adres, jeśli należy do konta.", send_code: "Wyślij kod",
    code: "Kod z e-maila", code_sent: "Jeśli adres należy do konta, kod jest już w drodze.",
    reset_password: "Ustaw nowe hasło", password_reset: "Hasło zmienione: zaloguj się nim.",
    back_to_sign_in: "Wróć do logowania", session_ended: "Wylogowano. Zaloguj się ponownie.",
  },
});

const MIN_PASSWORD = 12; // the user pool's policy

function field(id, label, attributes, hint) {
  const input = h("input", { id, name: id, required: true, "aria-describedby": hint ? `${id}-hint` : null, ...attributes });
  return [h("label", { for: id }, label), input, hint ? h("span", { class: "muted", id: `${id}-hint` }, hint) : null];
}

/** A step of signing in: a form with a heading, fields, a button and a place for its error. */
function step(main, { id, title, intro, fields, submit, links = [], notice = "" }) {
  const error = h("p", { class: "error", id: `${id}-error`, role: "alert" }, "");
  const form = h("form", { class: "panel sign-in", id, "aria-labelledby": `${id}-title` },
    h("h1", { id: `${id}-title` }, title),
    notice ? h("p", { class: "notice-inline", role: "status", id: `${id}-notice` }, notice) : null,
    intro ? h("p", {}, intro) : null,
    fields,
    h("button", { type: "submit" }, submit),
    error,
    links.length ? h("p", {}, links) : null);
  replaceChildren(main, form);
  form.querySelector("input")?.focus();
  return { form, error };
}

function link(id, text, onClick) {
  const button = h("button", { type: "button", class: "link", id }, text);
  button.addEventListener("click", onClick);
  return button;
}

function value(form, name) {
  return form.elements[name].value;
}

/** An API error as this page says it: the sign-in's own cases in words, anything else as the app says errors. */
function problem(error, labelOf = (name) => t(name)) {
  if (error instanceof ApiError) {
    if (error.status === 401) return t("wrong_password");
    if (error.status === 429) return t("too_many_tries");
    if (error.status === 403) return t("no_project"); // the page's own Origin: the other 403 cannot happen here
    return apiErrorText(error, labelOf) ?? error.message;
  }
  return String(error?.message || error);
}

/** Runs `action` on submit, the button disabled meanwhile; a failure shows in the step's error. */
function onSubmit({ form, error }, action) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    error.textContent = "";
    try {
      await action();
    } catch (failure) {
      error.textContent = problem(failure);
    } finally {
      button.disabled = false;
    }
  });
}

function passwordFields() {
  return [
    ...field("new_password", t("new_password"), { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD }, t("password_rule")),
    ...field("repeat_password", t("repeat_password"), { type: "password", autocomplete: "new-password", minlength: MIN_PASSWORD }),
  ];
}

function samePasswords(form) {
  if (value(form, "new_password") !== value(form, "repeat_password")) throw new Error(t("passwords_differ"));
  return value(form, "new_password");
}

function setPassword(main, email, session, signedIn) {
  const shown = step(main, {
    id: "set-password", title: t("set_password_title"), intro: t("set_password_intro"),
    fields: passwordFields(), submit: t("set_password"),
  });
  onSubmit(shown, async () => {
    const me = await sendJson("POST", "v1/auth/new-password", { email, session, new_password: samePasswords(shown.form) });
    signedIn(me);
  });
}

function forgotPassword(main, email, signedIn) {
  const back = () => showSignIn(main, signedIn);
  const asked = step(main, {
    id: "forgot-password", title: t("forgot_title"), intro: t("forgot_intro"),
    fields: field("email", t("email"), { type: "email", autocomplete: "username", value: email }),
    submit: t("send_code"), links: [link("back-to-sign-in", t("back_to_sign_in"), back)],
  });
  onSubmit(asked, async () => {
    const address = value(asked.form, "email").trim();
    await sendJson("POST", "v1/auth/forgot-password", { email: address });
    const reset = step(main, {
      id: "reset-password", title: t("forgot_title"), notice: t("code_sent"),
      fields: [...field("code", t("code"), { type: "text", autocomplete: "one-time-code", inputmode: "numeric" }), ...passwordFields()],
      submit: t("reset_password"), links: [link("back-to-sign-in", t("back_to_sign_in"), back)],
    });
    onSubmit(reset, async () => {
      await sendJson("POST", "v1/auth/confirm-forgot-password",
        { email: address, code: value(reset.form, "code").trim(), new_password: samePasswords(reset.form) });
      showSignIn(main, signedIn, t("password_reset"), address);
    });
  });
}

/** The sign-in page; `signedIn(me)` runs once the server has set the session cookie. */
export function showSignIn(main, signedIn, notice = "", email = "") {
  document.title = `${t("sign_in")} · callcard`;
  const shown = step(main, {
    id: "sign-in", title: t("sign_in"), intro: t("sign_in_intro"), notice,
    fields: [
      ...field("email", t("email"), { type: "email", autocomplete: "username", value: email }),
      ...field("password", t("password"), { type: "password", autocomplete: "current-password" }),
    ],
    submit: t("sign_in"),
    links: [link("forgot-password-link", t("forgot_password"), () => forgotPassword(main, value(shown.form, "email"), signedIn))],
  });
  onSubmit(shown, async () => {
    const address = value(shown.form, "email").trim();
    try {
      signedIn(await sendJson("POST", "v1/auth/sign-in", { email: address, password: value(shown.form, "password") }));
    } catch (error) {
      // an invited person's first sign-in: 409 with Cognito's step to quote
      if (!(error instanceof ApiError && error.status === 409 && error.details.session)) throw error;
      setPassword(main, address, error.details.session, signedIn);
    }
  });
}
