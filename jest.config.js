/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    // Type checking is `tsc --noEmit` in `npm test`; here ts-jest only transpiles (isolatedModules), which keeps runs fast.
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    // The probe (verification/probe/) imports its siblings as `./x.ts`, which Node runs as is; compiled for the
    // tests (tsconfig's rewriteRelativeImportExtensions) they become `./x.js`, which are found as the .ts sources.
    moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
    // helm and the charts, once, before the workers start; the run's folder for the shared stack plans.
    globalSetup: "<rootDir>/test/setup/globalSetup.ts",
    globalTeardown: "<rootDir>/test/setup/globalTeardown.ts",
    testTimeout: 120000,
    maxWorkers: 2,
};
