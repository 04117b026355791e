// A small element builder: text always goes in as text (never as HTML), so data from the API cannot inject markup.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function replaceChildren(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A definition list of [label, value] pairs; empty values show a dash. */
export function facts(pairs) {
  return h("dl", { class: "facts" },
    pairs.map(([label, value]) => [
      h("dt", {}, label),
      h("dd", {}, value === null || value === undefined || value === "" ? "—" : value),
    ]));
}

/** A card section whose heading opens and closes it (`<details>`: keyboard and screen readers for free);
 * `id` lets tests and links find it. */
export function section(id, title, ...content) {
  const headingId = `${id}-title`;
  return h("section", { class: "panel", id, "aria-labelledby": headingId },
    h("details", { class: "fold", open: true },
      h("summary", {}, h("h2", { id: headingId }, title)),
      ...content));
}

/** Whether the page is laid out for a phone (one column; app.css uses the same width). */
export function narrowScreen() {
  return matchMedia("(max-width: 640px)").matches;
}

/** The heading of a table's column of buttons: named for screen readers, blank on screen. */
export function actionsHeading(text) {
  return h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, text));
}

export function empty(text) {
  return h("p", { class: "empty" }, text);
}
