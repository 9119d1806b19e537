/**
 * npm run bench [-- --runs <n>] [--plans-only]
 *
 * How long things take on this machine: each shipped stack's `npm run plan` (a process of its own, as a user runs
 * it; the fastest of n runs and the median), then the whole `npm test` (prerequisites, tsc, eslint, jest) once, in
 * wall-clock seconds. Prints a table; exit code 1 if `npm test` fails.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { runTypeScript } from "../lib/plan/typescriptProcess";

const PROJECT_DIR = path.resolve(__dirname, "..");

function shippedStacks(): string[] {
    return fs
        .readdirSync(PROJECT_DIR)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

async function timePlan(stack: string, out: string): Promise<number> {
    const start = performance.now();
    const result = await runTypeScript(PROJECT_DIR, "scripts/plan.ts", ["--stack", stack, "--json", "--out", out]);
    if (result.status !== 0) {
        throw new Error(`npm run plan -- --stack ${stack} failed: ${result.stderr.trim()}`);
    }
    return performance.now() - start;
}

function timeCommand(command: string, args: readonly string[]): Promise<{ ms: number; status: number | null }> {
    const start = performance.now();
    return new Promise((resolve) => {
        const child = spawn(command, [...args], { cwd: PROJECT_DIR, stdio: "inherit" });
        child.on("close", (status) => resolve({ ms: performance.now() - start, status }));
    });
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: { runs: { type: "string", default: "3" }, "plans-only": { type: "boolean", default: false } },
        strict: true,
    });
    const runs = Math.max(1, Number(values.runs) || 3);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flyte-bench-")), "plan.json");
    const rows: string[][] = [];
    for (const stack of shippedStacks()) {
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
            times.push(await timePlan(stack, out));
        }
        times.sort((a, b) => a - b);
        rows.push([`plan --stack ${stack}`, seconds(times[0]), seconds(times[Math.floor(times.length / 2)])]);
    }
    let status: number | null = 0;
    if (!values["plans-only"]) {
        const test = await timeCommand("npm", ["test", "--silent"]);
        status = test.status;
        rows.push([`npm test${test.status === 0 ? "" : " (FAILED)"}`, seconds(test.ms), ""]);
    }
    const header = ["", "fastest", `median of ${runs}`];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("   ");
    process.stdout.write(`\n${os.cpus().length} cores, node ${process.version}\n${line(header)}\n${rows.map(line).join("\n")}\n`);
    return status === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
    },
);
