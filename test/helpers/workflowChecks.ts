import * as fs from "fs";
import * as path from "path";
import { parseDocument } from "yaml";
import { isRecord } from "./json";
import { PROJECT_DIR } from "./plan";

/**
 * Reading the GitHub workflows of .github/workflows for the workflow tests: the parsed documents with typed
 * accessors (no `any`: YAML values are `unknown` until checked), and the checks as pure functions of text, so the
 * tests can show each of them rejecting a bad example.
 */

export const WORKFLOW_DIR = path.join(PROJECT_DIR, ".github", "workflows");

export type YamlMap = { readonly [key: string]: unknown };

/** A mapping (json.ts's isRecord, under the workflow readers' name). */
export const isMap: (value: unknown) => value is YamlMap = isRecord;

export function asMap(value: unknown, where: string): YamlMap {
    if (!isMap(value)) {
        throw new Error(`${where}: expected a mapping, found ${JSON.stringify(value)}`);
    }
    return value;
}

export function asList(value: unknown, where: string): readonly unknown[] {
    if (!Array.isArray(value)) {
        throw new Error(`${where}: expected a list, found ${JSON.stringify(value)}`);
    }
    return value;
}

export function asString(value: unknown, where: string): string {
    if (typeof value !== "string") {
        throw new Error(`${where}: expected a string, found ${JSON.stringify(value)}`);
    }
    return value;
}

/** A string or a list of strings (`needs: a` or `needs: [a, b]`), as a list. */
export function stringList(value: unknown, where: string): string[] {
    if (value === undefined) {
        return [];
    }
    return typeof value === "string" ? [value] : asList(value, where).map((v, i) => asString(v, `${where}[${i}]`));
}

export interface Step {
    readonly where: string;
    readonly raw: YamlMap;
    readonly uses?: string;
    readonly run?: string;
    readonly with: YamlMap;
    readonly env: YamlMap;
}

export interface Job {
    readonly id: string;
    readonly where: string;
    readonly raw: YamlMap;
    /** A call of a reusable workflow (`uses:` on the job). */
    readonly uses?: string;
    readonly steps: Step[];
    readonly needs: string[];
    /** The job's own permissions; undefined when it declares none. */
    readonly permissions?: YamlMap;
}

export interface Workflow {
    readonly file: string;
    readonly src: string;
    readonly raw: YamlMap;
    readonly jobs: Job[];
}

/** Parses one workflow's text; YAML errors and warnings throw. */
export function parseWorkflow(file: string, src: string): Workflow {
    const document = parseDocument(src, { prettyErrors: true, uniqueKeys: true });
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0) {
        throw new Error(`${file}: ${problems.map((p) => p.message).join("; ")}`);
    }
    const raw = asMap(document.toJS(), file);
    const jobs = Object.entries(asMap(raw.jobs, `${file} jobs`)).map(([id, value]): Job => {
        const where = `${file} jobs.${id}`;
        const job = asMap(value, where);
        const steps = job.steps === undefined ? [] : asList(job.steps, `${where}.steps`).map((s, i): Step => {
            const stepWhere = `${where}.steps[${i}]`;
            const step = asMap(s, stepWhere);
            return {
                where: stepWhere,
                raw: step,
                ...(step.uses === undefined ? {} : { uses: asString(step.uses, `${stepWhere}.uses`) }),
                ...(step.run === undefined ? {} : { run: asString(step.run, `${stepWhere}.run`) }),
                with: step.with === undefined ? {} : asMap(step.with, `${stepWhere}.with`),
                env: step.env === undefined ? {} : asMap(step.env, `${stepWhere}.env`),
            };
        });
        if (job.permissions !== undefined && !isMap(job.permissions)) {
            throw new Error(`${where}.permissions: expected a mapping of scopes, found ${JSON.stringify(job.permissions)}`);
        }
        return {
            id,
            where,
            raw: job,
            ...(job.uses === undefined ? {} : { uses: asString(job.uses, `${where}.uses`) }),
            steps,
            needs: stringList(job.needs, `${where}.needs`),
            ...(isMap(job.permissions) ? { permissions: job.permissions } : {}),
        };
    });
    return { file, src, raw, jobs };
}

/** Every workflow in .github/workflows, by file name. */
export function loadWorkflows(): Workflow[] {
    return fs
        .readdirSync(WORKFLOW_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((file) => parseWorkflow(file, fs.readFileSync(path.join(WORKFLOW_DIR, file), "utf8")));
}

export function job(workflow: Workflow, id: string): Job {
    const found = workflow.jobs.find((j) => j.id === id);
    if (!found) {
        throw new Error(`${workflow.file} has no job ${id}; it has ${workflow.jobs.map((j) => j.id).join(", ")}`);
    }
    return found;
}

export function workflow(workflows: readonly Workflow[], file: string): Workflow {
    const found = workflows.find((w) => w.file === file);
    if (!found) {
        throw new Error(`no workflow ${file}`);
    }
    return found;
}

/** Every `uses:` of a workflow: the steps' and the jobs' (reusable workflows). */
export function allUses(wf: Workflow): string[] {
    return wf.jobs.flatMap((j) => [...(j.uses ? [j.uses] : []), ...j.steps.flatMap((s) => (s.uses ? [s.uses] : []))]);
}

export function isLocal(uses: string): boolean {
    return uses.startsWith("./");
}

/** The action a `uses:` names, without the ref: `actions/checkout`, `google-github-actions/auth`. */
export function actionName(uses: string): string {
    return uses.split("@")[0];
}

export interface UsesLine {
    readonly line: number;
    readonly uses: string;
    readonly comment: string;
}

/** The `uses:` lines of a workflow's text, with their trailing comments (the parsed document drops comments). */
export function usesLines(src: string): UsesLine[] {
    return src.split("\n").flatMap((text, i): UsesLine[] => {
        const m = /^\s*(?:-\s+)?uses:\s*(["']?)([^\s"'#]+)\1\s*(#.*)?$/.exec(text);
        return m ? [{ line: i + 1, uses: m[2], comment: (m[3] ?? "").trim() }] : [];
    });
}

/** What is wrong with how a remote action is referenced: pinned to a full commit SHA with a `# vX.Y.Z` comment. */
export function pinProblems(u: UsesLine): string[] {
    if (isLocal(u.uses)) {
        return [];
    }
    const problems: string[] = [];
    if (u.uses.startsWith("docker://")) {
        return [`line ${u.line}: docker image ${u.uses} (not expected in these workflows)`];
    }
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_./-]+@[0-9a-f]{40}$/.test(u.uses)) {
        problems.push(`line ${u.line}: ${u.uses} is not pinned to a full 40-hex commit SHA`);
    }
    if (!/^# v\d+\.\d+\.\d+$/.test(u.comment)) {
        problems.push(`line ${u.line}: ${u.uses} has no "# vX.Y.Z" comment (found ${JSON.stringify(u.comment)})`);
    }
    return problems;
}

/**
 * `${{ … }}` expressions in a shell script that put attacker-controlled text into it (pull request titles, branch
 * names, bodies…): GitHub substitutes them before the shell parses the script. Such values go through `env:`.
 */
export function untrustedInterpolations(script: string): string[] {
    return [...script.matchAll(/\$\{\{([^}]*)\}\}/g)].filter((m) => /\bgithub\s*\.\s*(event|head_ref)\b|\bgithub\s*\[/.test(m[1])).map((m) => m[0]);
}

/** The package.json scripts a shell script runs: `npm run [--flags] <name>`, `npm test`, `npm start`. */
export function npmScripts(script: string): string[] {
    const named = [...script.matchAll(/\bnpm\s+(?:run|run-script)\s+(?:--?[\w-]+(?:=\S+)?\s+)*([\w:.-]+)/g)].map((m) => m[1]);
    const shorthand = [...script.matchAll(/\bnpm\s+(test|start|stop|restart)\b/g)].map((m) => m[1]);
    return [...named, ...shorthand];
}

/** The directories `npm ci --prefix <dir>` installs (the project itself for a plain `npm ci`). */
export function npmCiDirs(script: string): string[] {
    return [...script.matchAll(/\bnpm\s+ci\b([^\n]*)/g)].map((m) => /--prefix[ =](\S+)/.exec(m[1])?.[1] ?? ".");
}

/** Files of this repository a shell script runs by path (`scripts/ci/chart-tools.sh`). */
export function scriptPaths(script: string): string[] {
    return [...script.matchAll(/(?:^|[\s;&|(])(\.?\/?scripts\/[\w./-]+\.(?:sh|ts|js|mjs))/gm)].map((m) => m[1].replace(/^\.\//, ""));
}

/** The options a run of `npm run plan:diff -- …` passes. */
export function planDiffOptions(script: string): string[] {
    return [...script.matchAll(/plan:diff\s+--\s+([^\n]*)/g)].flatMap((m) => [...m[1].matchAll(/(?:^|\s)(--[\w-]+)/g)].map((o) => o[1]));
}

const CLOUD_LOGIN = ["google-github-actions/auth", "aws-actions/configure-aws-credentials"];

/** A job that gets cloud credentials through OIDC: it logs in itself, or calls a reusable workflow one of whose jobs does. */
export function authenticatesToCloud(j: Job, workflows: readonly Workflow[]): boolean {
    if (j.steps.some((s) => s.uses !== undefined && CLOUD_LOGIN.includes(actionName(s.uses)))) {
        return true;
    }
    if (j.uses && isLocal(j.uses)) {
        const called = workflows.find((w) => `./.github/workflows/${w.file}` === j.uses);
        return called !== undefined && called.jobs.some((c) => authenticatesToCloud(c, workflows));
    }
    return false;
}

/** A job that comments on the pull request (pulumi/actions with comment-on-pr). */
export function commentsOnPullRequest(j: Job): boolean {
    return j.steps.some((s) => s.uses !== undefined && actionName(s.uses) === "pulumi/actions" && s.with["comment-on-pr"] === true);
}

/** The scopes a job is granted write on, and the problems with its permissions block. */
export function permissionProblems(j: Job, workflows: readonly Workflow[]): string[] {
    const problems: string[] = [];
    const writes = Object.entries(j.permissions ?? {}).filter(([, level]) => level === "write").map(([scope]) => scope);
    for (const [scope, level] of Object.entries(j.permissions ?? {})) {
        if (!["read", "write", "none"].includes(String(level))) {
            problems.push(`${j.where}: ${scope}: ${String(level)} is not read, write or none`);
        }
    }
    for (const scope of writes) {
        if (scope === "id-token" && authenticatesToCloud(j, workflows)) {
            continue;
        }
        if (scope === "pull-requests" && j.id === "preview" && commentsOnPullRequest(j)) {
            continue;
        }
        problems.push(`${j.where}: ${scope}: write is not needed by this job`);
    }
    if (authenticatesToCloud(j, workflows) && !writes.includes("id-token")) {
        problems.push(`${j.where}: authenticates to a cloud without id-token: write`);
    }
    if (commentsOnPullRequest(j) && !writes.includes("pull-requests")) {
        problems.push(`${j.where}: comments on the pull request without pull-requests: write`);
    }
    return problems;
}

/** The jobs `id` waits for, directly or through others. */
export function transitiveNeeds(wf: Workflow, id: string): Set<string> {
    const seen = new Set<string>();
    const todo = [...job(wf, id).needs];
    while (todo.length > 0) {
        const next = todo.pop() as string;
        if (!seen.has(next)) {
            seen.add(next);
            todo.push(...job(wf, next).needs);
        }
    }
    return seen;
}
