import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DETAIL_INDENT, NO_NEWLINE } from "../../lib/plan/diff";
import { planDiffCommand } from "../../lib/plan/diffCli";
import { runTypeScript } from "../../lib/plan/typescriptProcess";
import { collectingIo, PROJECT_DIR } from "./plan";

/**
 * A throwaway git repository holding a copy of this project, for the end-to-end tests of `npm run plan:diff`. The
 * project's own repository is only read (`git ls-files`), never written: the copy has a repository of its own,
 * with this checkout's node_modules symlinked in (and excluded from git, as a symlink is not matched by the
 * `node_modules/` pattern of .gitignore).
 */

export interface Run {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Neutral identity and no user or system git configuration: the results do not depend on the machine. */
const GIT_ENV = {
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_AUTHOR_NAME: "plan-diff test",
    GIT_AUTHOR_EMAIL: "plan-diff@example.invalid",
    GIT_COMMITTER_NAME: "plan-diff test",
    GIT_COMMITTER_EMAIL: "plan-diff@example.invalid",
    GIT_AUTHOR_DATE: "2024-01-01T00:00:00Z",
    GIT_COMMITTER_DATE: "2024-01-01T00:00:00Z",
};

export class DiffRepo {
    /** The copy of the project (the repository's work tree). */
    readonly dir: string;
    /** The temporary directory the CLI runs with (TMPDIR), where it makes its worktrees. */
    readonly tmp: string;
    private readonly root: string;

    private constructor(root: string) {
        this.root = root;
        this.dir = path.join(root, "repo");
        this.tmp = path.join(root, "tmp");
    }

    /** Copies the project's files (tracked and untracked, not ignored, as they are in the working tree) and commits them on `main`. */
    static create(): DiffRepo {
        const repo = new DiffRepo(fs.mkdtempSync(path.join(os.tmpdir(), "flyte-plan-diff-test-")));
        fs.mkdirSync(repo.dir);
        fs.mkdirSync(repo.tmp);
        const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_DIR, encoding: "utf8" });
        if (listed.status !== 0) {
            throw new Error(`git ls-files in ${PROJECT_DIR}: ${listed.stderr}`);
        }
        const files = listed.stdout.split("\0").filter((f) => f !== "" && fs.existsSync(path.join(PROJECT_DIR, f)));
        for (const file of files) {
            const target = path.join(repo.dir, file);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.copyFileSync(path.join(PROJECT_DIR, file), target);
            fs.chmodSync(target, fs.statSync(path.join(PROJECT_DIR, file)).mode);
        }
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(repo.dir, "node_modules"), "dir");
        repo.git("init", "--quiet", "--initial-branch=main");
        fs.appendFileSync(path.join(repo.dir, ".git", "info", "exclude"), "/node_modules\n");
        repo.commitAll("base: the project as it is");
        return repo;
    }

    /** Runs git in the copy; throws unless it succeeds. */
    git(...args: string[]): string {
        const result = spawnSync("git", args, { cwd: this.dir, encoding: "utf8", env: { ...process.env, ...GIT_ENV } });
        if (result.status !== 0) {
            throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
        }
        return result.stdout.trim();
    }

    commitAll(message: string): string {
        this.git("add", "--all");
        this.git("commit", "--quiet", "--no-verify", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    /**
     * A commit with `file` set to `content` on top of HEAD, made without touching HEAD, the index or the work tree
     * (nothing points to it but its id).
     */
    detachedCommit(file: string, content: string, message: string): string {
        const index = path.join(this.root, "detached-index");
        const env = { ...process.env, ...GIT_ENV, GIT_INDEX_FILE: index };
        const run = (args: string[], input?: string): string => {
            const result = spawnSync("git", args, { cwd: this.dir, encoding: "utf8", env, input });
            if (result.status !== 0) {
                throw new Error(`git ${args.join(" ")}: ${result.stderr}`);
            }
            return result.stdout.trim();
        };
        run(["read-tree", "HEAD"]);
        const blob = run(["hash-object", "-w", "--stdin"], content);
        run(["update-index", "--add", "--cacheinfo", `100644,${blob},${file}`]);
        const tree = run(["write-tree"]);
        fs.rmSync(index, { force: true });
        return run(["commit-tree", tree, "-p", "HEAD", "-m", message]);
    }

    read(file: string): string {
        return fs.readFileSync(path.join(this.dir, file), "utf8");
    }

    write(file: string, content: string): void {
        fs.writeFileSync(path.join(this.dir, file), content);
    }

    remove(file: string): void {
        fs.rmSync(path.join(this.dir, file), { force: true });
    }

    /** `npm run plan:diff -- <args>` in the copy, in this process (its plans are processes of their own, as always). */
    async planDiff(args: string[]): Promise<Run> {
        const io = collectingIo();
        const status = await planDiffCommand(args, io, { projectDir: this.dir, tmpDir: this.tmp });
        return { status, stdout: io.out(), stderr: io.err() };
    }

    /** `npm run plan:diff -- <args>` in the copy as a user runs it there: a process of its own, the copy's scripts. */
    planDiffProcess(args: string[]): Promise<Run> {
        return runTypeScript(this.dir, "scripts/plan-diff.ts", args, { env: { ...process.env, ...GIT_ENV, TMPDIR: this.tmp } });
    }

    /** The worktrees git knows of (the main one first). */
    worktrees(): string[] {
        return this.git("worktree", "list", "--porcelain")
            .split("\n")
            .filter((l) => l.startsWith("worktree "))
            .map((l) => l.slice("worktree ".length));
    }

    /** Entries the CLI left in its temporary directory whose names start with `prefix`. */
    leftInTmp(prefix: string): string[] {
        return fs.readdirSync(this.tmp).filter((name) => name.startsWith(prefix));
    }

    dispose(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}

/**
 * One resource line of the text diff and the change lines under it. A change is one entry per changed path: its
 * line without the indentation (`path: before → after`, or `path: (… first difference at offset N …)`), followed,
 * for a long or multi-line value, by its detail lines, each after a "\n" and without DETAIL_INDENT (`- …` and
 * `+ …` windows, or a line diff's `@@ … @@`, ` `, `-` and `+` lines).
 */
export interface TextResource {
    readonly mark: string;
    readonly type: string;
    readonly name: string;
    readonly reasons: string[];
    readonly changes: string[];
}

export interface TextDiff {
    readonly header: string;
    readonly resources: TextResource[];
    /** The output lines, each with its detail lines attached as a change's are. */
    readonly outputs: string[];
    readonly summary: string;
    readonly noChanges: boolean;
}

/** A detail line without its indentation: a window or a line of a line diff, a hunk header, what was left out. */
const DETAIL = new RegExp(`^(?:[-+ ](?: .*)?|@@ -\\d+,\\d+ \\+\\d+,\\d+ @@|… \\d+ more lines|${NO_NEWLINE.replace(/\\/g, "\\\\")})$`);

/** Reads renderDiff's text back; throws on a line it does not expect, so a change of the format shows. */
export function parseTextDiff(text: string): TextDiff {
    const lines = text.split("\n");
    if (lines[lines.length - 1] !== "" || lines[1] !== "") {
        throw new Error(`unexpected layout:\n${text}`);
    }
    const header = lines[0];
    const summary = lines[lines.length - 2];
    const body = lines.slice(2, lines.length - 3);
    if (lines[lines.length - 3] !== "") {
        throw new Error(`no blank line before the summary:\n${text}`);
    }
    const resources: TextResource[] = [];
    const outputs: string[] = [];
    let noChanges = false;
    let inOutputs = false;
    for (const line of body) {
        const resource = /^(\+-|\+ |- |~ ) (\S+) {2}(\S+)(?: {2}\(replace: (.+)\))?$/.exec(line);
        if (line === "No changes.") {
            noChanges = true;
        } else if (line === "Outputs:") {
            inOutputs = true;
        } else if (line === "") {
            continue;
        } else if (line.startsWith(DETAIL_INDENT)) {
            const detail = line.slice(DETAIL_INDENT.length);
            const owner = inOutputs ? outputs : resources[resources.length - 1]?.changes;
            if (!DETAIL.test(detail) || owner === undefined || owner.length === 0) {
                throw new Error(`unexpected detail line ${JSON.stringify(line)} in:\n${text}`);
            }
            owner[owner.length - 1] += `\n${detail}`;
        } else if (inOutputs) {
            outputs.push(line);
        } else if (/^ {7}\S/.test(line) && resources.length > 0) {
            resources[resources.length - 1].changes.push(line.trim());
        } else if (resource) {
            resources.push({ mark: resource[1].trim(), type: resource[2], name: resource[3], reasons: resource[4]?.split(", ") ?? [], changes: [] });
        } else {
            throw new Error(`unexpected line ${JSON.stringify(line)} in:\n${text}`);
        }
    }
    return { header, resources, outputs, summary, noChanges };
}

/** The JSON form (`--json`): the diff and the base it was taken against. */
export interface JsonDiff {
    readonly base: { readonly ref: string; readonly commit: string };
    readonly stack: string;
    readonly resources: {
        readonly urn: string;
        readonly type: string;
        readonly name: string;
        readonly kind: "add" | "remove" | "update" | "replace";
        readonly changes: { readonly path: string; readonly before?: unknown; readonly after?: unknown; readonly firstDifference?: number }[];
        readonly replaceReasons: string[];
    }[];
    readonly outputs: { readonly name: string; readonly kind: string; readonly before?: unknown; readonly after?: unknown; readonly firstDifference?: number }[];
    readonly summary: { readonly add: number; readonly remove: number; readonly update: number; readonly replace: number; readonly same: number };
}
