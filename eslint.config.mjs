// Lint (`npm run lint`): typescript-eslint's recommended rules on everything tsc compiles. tsc (strict) already
// rejects unused names and implicit any; this adds what it does not see, above all explicit `any`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/**", "policy/node_modules/**", "bin/**", "coverage/**", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        rules: {
            "@typescript-eslint/no-explicit-any": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
            eqeqeq: ["error", "always"],
            "no-console": "error",
        },
    },
    {
        // Tests and scripts may print; the program itself reports through Pulumi.
        files: ["test/**/*.ts", "scripts/**/*.ts"],
        // Tests load the program with require() once Pulumi's mocks are in place, as the engine would.
        rules: { "no-console": "off", "@typescript-eslint/no-require-imports": "off" },
    },
);
