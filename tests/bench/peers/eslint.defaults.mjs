// prodlint bench: ESLint "defaults" = the typescript-eslint getting-started config
// (eslint:recommended + typescript-eslint recommended, no type information).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default [
  { files: ["**/*.ts", "**/*.tsx"] },
  { linterOptions: { reportUnusedDisableDirectives: "off" } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
];
