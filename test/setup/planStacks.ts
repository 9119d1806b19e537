/**
 * Plans stacks one after another in this one process and writes each whole Plan as JSON, as soon as it is made
 * (test/helpers/sharedPlans.ts reads them): `node --import <loader> test/setup/planStacks.ts <out-dir> <stack>...`.
 * Each file appears complete or not at all; a failure is written to `<stack>.error`.
 *
 * The Pulumi runtime runs one program at a time, and a program runs once per module load: between stacks the
 * project's modules are dropped from Node's cache, so the next stack runs the program afresh. The plans are the
 * same, byte for byte, as one process per stack gives (test/lib/plan/cli.test.ts compares one with `npm run plan`); the SDKs,
 * loaded once, are what this saves.
 */
import * as fs from "fs";
import * as path from "path";
import { runPlan } from "../../lib/plan/runPlan";

const PROJECT_DIR = path.resolve(__dirname, "..", "..");

function forgetProjectModules(): void {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(PROJECT_DIR + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            delete require.cache[file];
        }
    }
}

function writeAtomically(file: string, content: string): void {
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, content);
    fs.renameSync(partial, file);
}

async function main(outDir: string, stacks: readonly string[]): Promise<boolean> {
    let ok = true;
    for (const stack of stacks) {
        if (!fs.existsSync(outDir)) {
            // The test run is over (its folder removed): nobody reads the rest.
            return ok;
        }
        forgetProjectModules();
        try {
            const plan = await runPlan({ projectDir: PROJECT_DIR, stack });
            writeAtomically(path.join(outDir, `${stack}.json`), JSON.stringify(plan));
        } catch (err) {
            ok = false;
            writeAtomically(path.join(outDir, `${stack}.error`), err instanceof Error ? err.message : String(err));
        }
    }
    return ok;
}

const [outDir, ...stacks] = process.argv.slice(2);
main(outDir, stacks).then(
    (ok) => process.exit(ok ? 0 : 1),
    (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    },
);
