/**
 * npm run plan -- --stack <name> [--stack-file <path>] [--json] [--out <file>]
 *
 * Runs the real program under Pulumi's mocks (no credentials, no Pulumi CLI) and prints every resource
 * `pulumi up` would register. Exit codes: 0 planned, 1 invalid config or failed plan, 2 bad usage.
 */
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { ConfigError } from "../components/config/errors";
import { planDocument, renderTree } from "../lib/plan/render";
import { runPlan } from "../lib/plan/runPlan";
import { StackFileError } from "../lib/plan/stackFile";

const USAGE = "usage: npm run plan -- --stack <name> [--stack-file <path>] [--json] [--out <file>]";

async function main(): Promise<number> {
    let args;
    try {
        args = parseArgs({
            options: {
                stack: { type: "string" },
                "stack-file": { type: "string" },
                json: { type: "boolean", default: false },
                out: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
        }).values;
    } catch (err) {
        process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
        return 2;
    }
    if (args.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    if (!args.stack) {
        process.stderr.write(`--stack is required\n${USAGE}\n`);
        return 2;
    }
    try {
        const plan = await runPlan({
            projectDir: path.resolve(__dirname, ".."),
            stack: args.stack,
            stackFile: args["stack-file"],
        });
        const text = args.json ? `${JSON.stringify(planDocument(plan), null, 2)}\n` : renderTree(plan);
        if (args.out) {
            fs.writeFileSync(args.out, text);
        } else {
            process.stdout.write(text);
        }
        return 0;
    } catch (err) {
        if (err instanceof ConfigError || err instanceof StackFileError) {
            process.stderr.write(`error: ${err.message}\n`);
        } else {
            process.stderr.write(`error: plan failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
        return 1;
    }
}

/** Exits once stdout and stderr are flushed: a pipe takes a large plan in several writes. */
function exitWhenFlushed(code: number): void {
    process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}

main().then(exitWhenFlushed, (err) => {
    process.stderr.write(`error: ${String(err)}\n`);
    exitWhenFlushed(1);
});
