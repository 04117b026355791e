// A small shop as Vue 3 + Vue Router 4 build it: each route sets its title once its data arrived (a later task),
// a header Vue redraws on every route, a number rendered 1.5 s after a route mounts, a consent banner. The test's
// page defines window.SHOP (the printed number) and loads track.js.
import { computed, createApp, h, onMounted, onUnmounted, ref } from "vue";
import { createRouter, createWebHistory, RouterLink, RouterView, useRoute } from "vue-router";

const { phone, tel } = window.SHOP;

function page(name, text) {
  return {
    setup() {
      const late = ref(false);
      let timer;
      onMounted(async () => {
        timer = setTimeout(() => (late.value = true), 1500);
        await new Promise((done) => setTimeout(done, 50)); // the route's data
        document.title = `${name} | Acme`;
      });
      onUnmounted(() => clearTimeout(timer));
      return () => h("section", [
        h("p", text),
        h("a", { id: "call", href: `tel:${tel}` }, phone),
        late.value ? h("p", { id: "late" }, `Questions? Call ${phone}`) : null,
      ]);
    },
  };
}

const Shop = {
  setup() {
    const route = useRoute();
    const name = computed(() => route.meta.name || "");
    return () => h("div", [
      // one text node with the route's name: Vue writes the default number into it again on every route
      h("header", [h("p", { id: "header-phone" }, `Call ${phone} · ${name.value}`)]),
      h("nav", [
        h(RouterLink, { to: "/", id: "to-home" }, () => "Home"), " ",
        h(RouterLink, { to: "/offer", id: "to-offer" }, () => "Offer"), " ",
        h(RouterLink, { to: "/contact", id: "to-contact" }, () => "Contact"),
      ]),
      h("button", { id: "accept", onClick: () => window.callcard.consent(true) }, "Accept cookies"),
      h("main", [h(RouterView)]),
    ]);
  },
};

const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: "/", meta: { name: "Home" }, component: page("Home", "Sofas and chairs") },
    { path: "/offer", meta: { name: "Offer" }, component: page("Offer", "Blue sofa, 20% off") },
    { path: "/contact", meta: { name: "Contact" }, component: page("Contact", "Kyiv, Khreshchatyk 1") },
  ],
});

createApp(Shop).use(router).mount("#app");
