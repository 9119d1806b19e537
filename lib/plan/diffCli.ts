import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommandError, CommandIo, parseStackCommandArgs, PLAN_OPTIONS, writeResult } from "./command";
import { diffPlans, renderDiff } from "./diff";
import type { PlanDocument } from "./render";
import { runTypeScript } from "./typescriptProcess";

export const PLAN_DIFF_USAGE = "usage: npm run plan:diff -- --stack <name> --base <git ref> [--stack-file <path>] [--json] [--out <file>]";

export interface PlanDiffCommandOptions {
    /** The working tree: a git checkout of this project with its node_modules. */
    readonly projectDir: string;
    /** Where the base's worktree and the plans' files go; defaults to os.tmpdir(). */
    readonly tmpDir?: string;
}

function git(args: readonly string[], cwd: string): string {
    const result = spawnSync("git", [...args], { cwd, encoding: "utf8" });
    if (result.status !== 0) {
        throw new CommandError(`git ${args.join(" ")}: ${(result.stderr || result.stdout).trim()}`);
    }
    return result.stdout.trim();
}

/**
 * Plans a stack with the `scripts/plan.ts` of `dir` (the code at that side of the diff) in a process of its own,
 * and reads its JSON document; a stack without a file there plans as empty.
 */
async function planIn(
    dir: string,
    stack: string,
    stackFile: string | undefined,
    label: string,
    tmpDir: string,
    signal: AbortSignal,
): Promise<PlanDocument> {
    const file = stackFile ?? path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        return { stack, resources: [], outputs: {} };
    }
    if (!fs.existsSync(path.join(dir, "scripts", "plan.ts"))) {
        throw new CommandError(`${label} has no scripts/plan.ts to plan with`);
    }
    const work = fs.mkdtempSync(path.join(tmpDir, "plan-diff-"));
    try {
        const out = path.join(work, "plan.json");
        const args = ["--stack", stack, "--json", "--out", out, ...(stackFile ? ["--stack-file", stackFile] : [])];
        const result = await runTypeScript(dir, path.join("scripts", "plan.ts"), args, { signal });
        if (result.status !== 0) {
            const message = (result.stderr || result.stdout).trim().replace(/^error: /, "");
            throw new CommandError(`planning ${label} failed: ${message}`);
        }
        return JSON.parse(fs.readFileSync(out, "utf8")) as PlanDocument;
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}

/** Checks out `commit` into a temporary worktree, runs `work` there, and removes the worktree whatever happens. */
async function inWorktree<T>(projectDir: string, tmpDir: string, commit: string, work: (dir: string) => Promise<T>): Promise<T> {
    const dir = fs.mkdtempSync(path.join(tmpDir, "plan-diff-base-"));
    git(["worktree", "add", "--detach", "--quiet", dir, commit], projectDir);
    try {
        fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"), "dir");
        return await work(dir);
    } finally {
        try {
            git(["worktree", "remove", "--force", dir], projectDir);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    }
}

/**
 * `npm run plan:diff`: the offline plan of the working tree against the offline plan at another git ref —
 * resources added, removed, changed and replaced, and the outputs that change. The base is planned in a
 * temporary git worktree with its own stack file and the working tree's node_modules, at the same time as the
 * working tree. Each side's `scripts/plan.ts` resolves the stacks its plan references from that side's own stack
 * files (a control plane's data planes, a data plane's control plane: lib/plan/references.ts), so a change of a
 * referenced stack shows through the resources and outputs that use what it reads (see diff.ts). Exit codes: 0
 * diffed (with or without changes), 1 a plan failed, 2 bad usage.
 */
export async function planDiffCommand(argv: readonly string[], io: CommandIo, options: PlanDiffCommandOptions): Promise<number> {
    const args = parseStackCommandArgs(argv, PLAN_DIFF_USAGE, io, [...PLAN_OPTIONS, "base"]);
    if (typeof args === "number") {
        return args;
    }
    if (!args.stack || !args.base) {
        io.stderr(`--stack and --base are required\n${PLAN_DIFF_USAGE}\n`);
        return 2;
    }
    const { stack, base: ref } = args as { stack: string; base: string };
    const projectDir = path.resolve(options.projectDir);
    const tmpDir = options.tmpDir ?? os.tmpdir();
    try {
        let commit: string;
        try {
            commit = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], projectDir);
        } catch {
            throw new CommandError(`--base ${ref} is not a commit of this repository`);
        }
        const baseLabel = `${ref} (${commit.slice(0, 12)})`;
        const stackFile = args.stackFile ? path.resolve(args.stackFile) : undefined;
        // Both sides at once, each a process of its own. The first to fail stops the other; both are waited for,
        // so the worktree is always removed, and the first failure is the one reported.
        const abort = new AbortController();
        let firstFailure: { error: unknown } | undefined;
        const side = <T>(work: Promise<T>): Promise<T> =>
            work.catch((error: unknown) => {
                if (firstFailure === undefined) {
                    firstFailure = { error };
                    abort.abort();
                }
                throw error;
            });
        const [baseResult, headResult] = await Promise.allSettled([
            side(inWorktree(projectDir, tmpDir, commit, (dir) => planIn(dir, stack, undefined, baseLabel, tmpDir, abort.signal))),
            side(planIn(projectDir, stack, stackFile, "the working tree", tmpDir, abort.signal)),
        ]);
        if (firstFailure !== undefined || baseResult.status === "rejected" || headResult.status === "rejected") {
            throw firstFailure?.error;
        }
        const [base, head] = [baseResult.value, headResult.value];
        const diff = diffPlans(base, head);
        const text = args.json
            ? `${JSON.stringify({ base: { ref, commit }, ...diff }, null, 2)}\n`
            : renderDiff(diff, { base: baseLabel, head: "working tree" });
        writeResult(text, args.out, io);
        return 0;
    } catch (err) {
        io.stderr(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        return 1;
    }
}
