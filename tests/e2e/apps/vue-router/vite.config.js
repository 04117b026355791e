// Vue with render functions (h), no single-file components: no plugin to install. The snippet is added by the
// test's server.
export default {
  logLevel: "error",
  build: { sourcemap: false },
  // the compile-time flags @vitejs/plugin-vue would define
  define: {
    __VUE_OPTIONS_API__: "false",
    __VUE_PROD_DEVTOOLS__: "false",
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: "false",
  },
};
