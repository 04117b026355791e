// React without JSX (React.createElement): no plugin to install. The snippet is added by the test's server.
export default { logLevel: "error", build: { sourcemap: false } };
