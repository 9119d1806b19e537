/**
 * Plans stacks one after another in this one process, as `npm run plan` plans each (the stacks a stack references
 * planned first, see lib/plan/references.ts), and writes what test/helpers reads:
 *
 * - `node --import <loader> test/setup/planStacks.ts [--project <dir>] <out-dir> <stack>...`: each whole Plan as
 *   JSON in `<out-dir>/<stack>.json`, as soon as it is made (test/helpers/sharedPlans.ts reads them), after what a
 *   StackReference to it reads (its outputs, secrets in the clear) in `<stack>.references.json`, which nothing
 *   prints. Each file appears complete or not at all; a failure is written to `<stack>.error`.
 * - `... planStacks.ts [--project <dir>] --references <out-file> [--stack-file <file>] <stack>`: the references
 *   `npm run plan` would resolve for the stack, as JSON in `<out-file>` (test/helpers/plan.ts's planStack).
 *
 * The Pulumi runtime runs one program at a time, and a program runs once per module load: runPlan drops the
 * program's modules from Node's cache before each run, so the next stack runs the program afresh. The plans are the
 * same, byte for byte, as one process per stack gives (test/lib/plan/cli.test.ts compares one with `npm run plan`); the
 * SDKs, loaded once, and the referenced stacks, planned once for every stack that reads them, are what this saves.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { cachingPlanner, referencedStack } from "../../lib/plan/references";
import { type Plan, planReferences, planWithReferences, runPlan, type StackPlanner } from "../../lib/plan/runPlan";

function writeAtomically(file: string, content: string): void {
    const partial = `${file}.${process.pid}.partial`;
    fs.writeFileSync(partial, content);
    fs.renameSync(partial, file);
}

/** Plans each (stack file, stack, references) once in this process. */
function processPlanner(projectDir: string): StackPlanner {
    return cachingPlanner<Plan>((source, references) =>
        runPlan({ projectDir, stack: source.stack, stackFile: source.stackFile, references }),
    );
}

async function planStacks(projectDir: string, outDir: string, stacks: readonly string[]): Promise<boolean> {
    const planner = processPlanner(projectDir);
    let ok = true;
    for (const stack of stacks) {
        if (!fs.existsSync(outDir)) {
            // The test run is over (its folder removed): nobody reads the rest.
            return ok;
        }
        try {
            const plan = await planWithReferences({ projectDir, stack }, planner);
            // The references first: a reader that finds the plan finds them too. JSON.stringify leaves out the
            // plan's referenceOutputs (not enumerable), so its secrets go to this file alone.
            writeAtomically(path.join(outDir, `${stack}.references.json`), JSON.stringify(referencedStack(plan)));
            writeAtomically(path.join(outDir, `${stack}.json`), JSON.stringify(plan));
        } catch (err) {
            ok = false;
            writeAtomically(path.join(outDir, `${stack}.error`), err instanceof Error ? err.message : String(err));
        }
    }
    return ok;
}

async function main(argv: readonly string[]): Promise<boolean> {
    const { values, positionals } = parseArgs({
        args: [...argv],
        options: { project: { type: "string" }, references: { type: "string" }, "stack-file": { type: "string" } },
        allowPositionals: true,
        strict: true,
    });
    const projectDir = path.resolve(values.project ?? path.join(__dirname, "..", ".."));
    if (values.references !== undefined) {
        if (positionals.length !== 1) {
            throw new Error("usage: planStacks.ts [--project <dir>] --references <out-file> [--stack-file <file>] <stack>");
        }
        const references = await planReferences({ projectDir, stack: positionals[0], stackFile: values["stack-file"] }, processPlanner(projectDir));
        writeAtomically(values.references, JSON.stringify(references));
        return true;
    }
    const [outDir, ...stacks] = positionals;
    return planStacks(projectDir, outDir, stacks);
}

main(process.argv.slice(2)).then(
    (ok) => process.exit(ok ? 0 : 1),
    (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    },
);
