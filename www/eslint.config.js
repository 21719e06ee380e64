// ESLint's flat config for all of Sotto's JavaScript: the web app and
// widget (www/src), the npm package's glue (crate/wasm/js), the browser
// tests and Node helpers (tests/) and the scripts. Run it from the
// repository root with `-c www/eslint.config.js` (`npm run lint` in www/
// does), so that the patterns below are relative to the root. docs/web.md
// explains the choice.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    // Built or installed files, not sources.
    ignores: ["target/**", "www/dist/**", "www/.dist.*/**", "**/node_modules/**", "fuzz/**"],
  },
  js.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    languageOptions: { ecmaVersion: 2024, sourceType: "module" },
    rules: {
      // `_`-prefixed names mark arguments and bindings kept on purpose.
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-var": "error",
      "prefer-const": "error",
      "no-implicit-globals": "error",
      "no-throw-literal": "error",
      "no-self-compare": "error",
      "no-unmodified-loop-condition": "error",
      "no-unreachable-loop": "error",
      "no-useless-concat": "error",
      "no-useless-rename": "error",
      "object-shorthand": ["error", "properties"],
    },
  },
  {
    // The page: the app, the widget and the package's page-side glue.
    files: ["www/src/**/*.js", "crate/**/js/keystore.js", "crate/**/js/member-worker.js"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The service worker that pins the app.
    files: ["www/src/sw.js"],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    // The committee member's Web Worker.
    files: ["crate/**/js/worker.js"],
    languageOptions: { globals: { ...globals.worker } },
  },
  {
    // Node programs.
    files: ["tests/**/*.mjs", "scripts/**/*.mjs", "www/*.js", "www/*.mjs"],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // The browser tests and the benchmark also hand functions to
    // page.evaluate, which run in the page: they may name its globals.
    files: ["tests/browser/**/*.mjs", "scripts/**/*.mjs"],
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
  },
];
