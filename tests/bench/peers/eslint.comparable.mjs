// prodlint bench: ESLint with the comparable rule set (no type information).
// The wildcard-CORS check uses the built-in no-restricted-syntax rule with AST selectors.
import tseslint from "typescript-eslint";

export default [
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parser: tseslint.parser },
    plugins: { "@typescript-eslint": tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: "off" },
    rules: {
      "no-console": "warn",
      "@typescript-eslint/no-explicit-any": "warn",
      "no-restricted-syntax": [
        "warn",
        {
          selector: "CallExpression[callee.name='cors'][arguments.length=0]",
          message: "cors() with no options allows any origin",
        },
        {
          selector: "Property[key.name='origin'][value.value='*']",
          message: "CORS origin '*' allows any origin",
        },
      ],
    },
  },
];
