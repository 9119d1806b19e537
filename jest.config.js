/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    // Type checking is `tsc --noEmit` in `npm test`; here ts-jest only transpiles, which keeps runs fast.
    transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
    testTimeout: 120000,
    maxWorkers: 2,
};
