// A small shop as React 19 + React Router 7 build it: a data router (each navigation a transition, so React sets
// the new route's title in a later task), a header React redraws on every route, a number rendered 1.5 s after a
// route mounts, a consent banner. The test's page defines window.SHOP (the printed number) and loads track.js.
import { createElement as h, useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Link, Outlet, RouterProvider, useLoaderData, useMatches } from "react-router";

const { phone, tel } = window.SHOP;

function Shop() {
  const name = useMatches().at(-1).handle.name;
  useEffect(() => {
    document.title = `${name} | Acme`;
  }, [name]);
  return h("div", null,
    // one text node with the route's name: React writes the default number into it again on every route
    h("header", null, h("p", { id: "header-phone" }, `Call ${phone} · ${name}`)),
    h("nav", null,
      h(Link, { to: "/", id: "to-home" }, "Home"), " ",
      h(Link, { to: "/offer", id: "to-offer" }, "Offer"), " ",
      h(Link, { to: "/contact", id: "to-contact" }, "Contact")),
    h("button", { id: "accept", onClick: () => window.callcard.consent(true) }, "Accept cookies"),
    h("main", null, h(Outlet)));
}

function Page({ text }) {
  const [late, setLate] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setLate(true), 1500);
    return () => clearTimeout(timer);
  }, []);
  return h("section", null,
    h("p", null, text),
    h("a", { id: "call", href: `tel:${tel}` }, phone),
    late && h("p", { id: "late" }, `Questions? Call ${phone}`));
}

function Offer() {
  return h(Page, { text: useLoaderData().text });
}

const router = createBrowserRouter([
  {
    path: "/",
    element: h(Shop),
    children: [
      { index: true, handle: { name: "Home" }, element: h(Page, { text: "Sofas and chairs" }) },
      {
        path: "offer",
        handle: { name: "Offer" },
        loader: () => new Promise((done) => setTimeout(() => done({ text: "Blue sofa, 20% off" }), 50)),
        element: h(Offer),
      },
      { path: "contact", handle: { name: "Contact" }, element: h(Page, { text: "Kyiv, Khreshchatyk 1" }) },
    ],
  },
]);

createRoot(document.getElementById("root")).render(h(RouterProvider, { router }));
