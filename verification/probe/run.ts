/**
 * What the verification Job's container runs: `node /opt/flyte-verification/run.ts` (Node's type stripping, ESM
 * next to a package.json with "type": "module"). No top-level await and no import.meta: the repository also
 * compiles this file as CommonJS (tsc), and tests load main.ts without running anything.
 */
import { main } from "./main.ts";

main(process.env).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        // main never rejects; should it, the line stays one line.
        process.stderr.write(`the verification probe failed unexpectedly: ${String(error).replace(/\s+/g, " ")}\n`);
        process.exitCode = 1;
    },
);
