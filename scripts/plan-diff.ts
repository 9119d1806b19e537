/**
 * npm run plan:diff -- --stack <name> --base <git ref> [--stack-file <path>] [--json] [--out <file>]
 *
 * The offline plan of the working tree against the offline plan at another git ref: resources added, removed,
 * changed and replaced, and the outputs that change. No credentials, no Pulumi CLI, so every pull request (forks
 * too) gets it. The base is planned in a temporary git worktree with its own stack file and the working tree's
 * node_modules. Exit codes: 0 diffed (with or without changes), 1 a plan failed, 2 bad usage.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { diffPlans, renderDiff } from "../lib/plan/diff";
import type { PlanDocument } from "../lib/plan/render";

const USAGE = "usage: npm run plan:diff -- --stack <name> --base <git ref> [--stack-file <path>] [--json] [--out <file>]";
const PROJECT_DIR = path.resolve(__dirname, "..");

class DiffError extends Error {}

function git(args: string[], cwd = PROJECT_DIR): string {
    const result = spawnSync("git", args, { cwd, encoding: "utf8" });
    if (result.status !== 0) {
        throw new DiffError(`git ${args.join(" ")}: ${(result.stderr || result.stdout).trim()}`);
    }
    return result.stdout.trim();
}

/** Runs `scripts/plan.ts --json` in `dir` and reads the document; a stack without a file there plans as empty. */
function planIn(dir: string, stack: string, stackFile: string | undefined, label: string): PlanDocument {
    const file = stackFile ?? path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        return { stack, resources: [], outputs: {} };
    }
    if (!fs.existsSync(path.join(dir, "scripts", "plan.ts"))) {
        throw new DiffError(`${label} has no scripts/plan.ts to plan with`);
    }
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-"));
    try {
        const out = path.join(tmp, "plan.json");
        const tsx = path.join(PROJECT_DIR, "node_modules", ".bin", "tsx");
        const args = [path.join("scripts", "plan.ts"), "--stack", stack, "--json", "--out", out, ...(stackFile ? ["--stack-file", stackFile] : [])];
        const result = spawnSync(tsx, args, { cwd: dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
        if (result.status !== 0) {
            const message = (result.stderr || result.stdout).trim().replace(/^error: /, "");
            throw new DiffError(`planning ${label} failed: ${message}`);
        }
        return JSON.parse(fs.readFileSync(out, "utf8")) as PlanDocument;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

/** Checks out `commit` into a temporary worktree, runs `work` there, and removes the worktree whatever happens. */
function inWorktree<T>(commit: string, work: (dir: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-base-"));
    git(["worktree", "add", "--detach", "--quiet", dir, commit]);
    let result: T;
    try {
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"), "dir");
        result = work(dir);
    } catch (err) {
        // The work's error is the one to report, even if removing the worktree fails too.
        try {
            git(["worktree", "remove", "--force", dir]);
        } catch {
            // reported above
        }
        throw err;
    }
    git(["worktree", "remove", "--force", dir]);
    return result;
}

function main(): number {
    let args;
    try {
        args = parseArgs({
            options: {
                stack: { type: "string" },
                base: { type: "string" },
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
    if (!args.stack || !args.base) {
        process.stderr.write(`--stack and --base are required\n${USAGE}\n`);
        return 2;
    }
    const stack = args.stack;
    try {
        let commit: string;
        try {
            commit = git(["rev-parse", "--verify", "--quiet", `${args.base}^{commit}`]);
        } catch {
            throw new DiffError(`--base ${args.base} is not a commit of this repository`);
        }
        const short = commit.slice(0, 12);
        const base = inWorktree(commit, (dir) => planIn(dir, stack, undefined, `${args.base} (${short})`));
        const stackFile = args["stack-file"] ? path.resolve(args["stack-file"]) : undefined;
        const head = planIn(PROJECT_DIR, stack, stackFile, "the working tree");
        const diff = diffPlans(base, head);
        const text = args.json
            ? `${JSON.stringify({ base: { ref: args.base, commit }, ...diff }, null, 2)}\n`
            : renderDiff(diff, { base: `${args.base} (${short})`, head: "working tree" });
        if (args.out) {
            fs.writeFileSync(args.out, text);
        } else {
            process.stdout.write(text);
        }
        return 0;
    } catch (err) {
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}

const code = main();
process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
