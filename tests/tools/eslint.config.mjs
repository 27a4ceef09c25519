// ESLint for the theme's scripts (themes/default/static/*.js) and serve's live script
// (src/serve/*.js), run by `cargo xtask lint`
// from the repository root:
//   tests/tools/node_modules/.bin/eslint --config tests/tools/eslint.config.mjs
// The rules hold the scripts to the browser baseline of docs/browsers.md: ES2022 syntax,
// classic scripts (no modules, so pages keep working from file://), no globals leaking
// into the page, `const`/`let` only, strict equality.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    files: ["themes/default/static/**/*.js", "src/serve/*.js"],
    ...js.configs.recommended,
  },
  {
    files: ["themes/default/static/**/*.js", "src/serve/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-var": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      strict: ["error", "function"],
      "no-unused-vars": ["error", { caughtErrors: "none" }],
    },
  },
];
