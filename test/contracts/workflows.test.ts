import { validateWorkflow } from "@action-validator/core";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../helpers/plan";
import { PLAN_DIFF_USAGE } from "../../lib/plan/diffCli";
import {
    actionName,
    allUses,
    asList,
    asMap,
    asString,
    authenticatesToCloud,
    isLocal,
    job,
    loadWorkflows,
    npmCiDirs,
    npmScripts,
    parseWorkflow,
    permissionProblems,
    pinProblems,
    planDiffOptions,
    scriptPaths,
    stringList,
    transitiveNeeds,
    untrustedInterpolations,
    usesLines,
    WORKFLOW_DIR,
    workflow,
    type Workflow,
} from "../helpers/workflowChecks";

/** The GitHub workflows (.github/workflows): valid, pinned, least privilege, and consistent with the repository. */

const workflows = loadWorkflows();
const files = workflows.map((w) => w.file);
const pullRequest = workflow(workflows, "pull-request.yml");
const deploy = workflow(workflows, "deploy.yml");
const pulumiUp = workflow(workflows, "pulumi-up.yml");
const packageJson = asMap(JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")), "package.json");
const packageScripts = asMap(packageJson.scripts, "package.json scripts");

const allJobs = workflows.flatMap((w) => w.jobs.map((j) => ({ workflow: w, job: j })));
const allSteps = allJobs.flatMap(({ workflow: w, job: j }) => j.steps.map((s) => ({ workflow: w, job: j, step: s })));
const runSteps = allSteps.filter(({ step }) => step.run !== undefined).map(({ step }) => ({ where: step.where, run: step.run as string }));

/** A stack's config from its Pulumi.<stack>.yaml. */
function stackConfig(stack: string): { [key: string]: unknown } {
    const file = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    return asMap(asMap(parse(fs.readFileSync(file, "utf8")), file).config, `${file} config`);
}

/** The stacks of this repository: one Pulumi.<stack>.yaml each. */
const repositoryStacks = fs
    .readdirSync(PROJECT_DIR)
    .map((f) => /^Pulumi\.([\w-]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

test("the four workflows are there", () => {
    expect(files).toEqual(["checks.yml", "deploy.yml", "pull-request.yml", "pulumi-up.yml"]);
    expect(fs.readdirSync(WORKFLOW_DIR).sort()).toEqual(files);
});

describe.each(files)("%s", (file) => {
    const wf = workflow(workflows, file);

    test("is valid YAML and valid against GitHub's workflow schema", () => {
        expect(wf.jobs.length).toBeGreaterThan(0);
        expect(validateWorkflow(wf.src).errors).toEqual([]);
    });

    test("pins every remote action to a full commit SHA with a # vX.Y.Z comment", () => {
        const lines = usesLines(wf.src);
        // The text scan finds every uses: the parser does, so none escapes the check.
        expect(lines.map((u) => u.uses).sort()).toEqual(allUses(wf).sort());
        expect(lines.flatMap(pinProblems)).toEqual([]);
    });

    test("grants only contents: read at the top", () => {
        expect(wf.raw.permissions).toEqual({ contents: "read" });
    });

    test("jobs ask for no more than they need", () => {
        expect(wf.jobs.flatMap((j) => permissionProblems(j, workflows))).toEqual([]);
    });

    test("no run: step puts ${{ github.event.* }} (or the head branch) into the script", () => {
        const steps = runSteps.filter((s) => s.where.startsWith(`${file} `));
        expect(steps.flatMap((s) => untrustedInterpolations(s.run).map((e) => `${s.where}: ${e}`))).toEqual([]);
    });

    test("checks out without persisting the token", () => {
        const checkouts = wf.jobs.flatMap((j) => j.steps).filter((s) => s.uses !== undefined && actionName(s.uses) === "actions/checkout");
        for (const step of checkouts) {
            expect({ where: step.where, persist: step.with["persist-credentials"] }).toEqual({ where: step.where, persist: false });
        }
    });

    test("every job that runs on a machine has a timeout", () => {
        for (const j of wf.jobs.filter((x) => x.raw["runs-on"] !== undefined)) {
            expect({ job: j.where, timeout: typeof j.raw["timeout-minutes"] }).toEqual({ job: j.where, timeout: "number" });
        }
    });
});

describe("actions", () => {
    const remote = workflows.flatMap((w) => usesLines(w.src).filter((u) => !isLocal(u.uses)).map((u) => ({ file: w.file, ...u })));

    test("each action is used at one commit and one version throughout", () => {
        const pins = new Map<string, Set<string>>();
        for (const u of remote) {
            const name = actionName(u.uses);
            pins.set(name, new Set([...(pins.get(name) ?? []), `${u.uses} ${u.comment}`]));
        }
        expect([...pins.entries()].filter(([, seen]) => seen.size > 1).map(([name, seen]) => `${name}: ${[...seen].join(" | ")}`)).toEqual([]);
        expect(pins.size).toBeGreaterThanOrEqual(6);
    });

    test("local reusable workflows exist, are callable, and get the inputs they declare", () => {
        const calls = allJobs.filter(({ job: j }) => j.uses !== undefined);
        expect(calls.length).toBeGreaterThanOrEqual(4);
        for (const { job: j } of calls) {
            const uses = j.uses as string;
            expect(uses).toMatch(/^\.\/\.github\/workflows\/[\w-]+\.ya?ml$/);
            const target = path.join(PROJECT_DIR, uses);
            expect(fs.existsSync(target)).toBe(true);
            const called = parseWorkflow(uses, fs.readFileSync(target, "utf8"));
            const call = asMap(asMap(called.raw.on, `${uses} on`).workflow_call ?? {}, `${uses} on.workflow_call`);
            expect(Object.keys(asMap(called.raw.on, `${uses} on`))).toContain("workflow_call");
            const declared = asMap(call.inputs ?? {}, `${uses} inputs`);
            const given = asMap(j.raw.with ?? {}, `${j.where}.with`);
            expect(Object.keys(given).filter((k) => !(k in declared))).toEqual([]);
            const required = Object.entries(declared).filter(([, spec]) => asMap(spec, `${uses} input`).required === true).map(([k]) => k);
            expect(required.filter((k) => !(k in given))).toEqual([]);
        }
    });
});

describe("scripts and files the workflows use", () => {
    test("every npm script run exists in package.json", () => {
        const used = [...new Set(runSteps.flatMap((s) => npmScripts(s.run)))].sort();
        expect(used).toEqual(expect.arrayContaining(["plan:diff", "test"]));
        expect(used.filter((name) => typeof packageScripts[name] !== "string")).toEqual([]);
    });

    test("npm ci has a lockfile wherever it installs", () => {
        const dirs = [...new Set(runSteps.flatMap((s) => npmCiDirs(s.run)))].sort();
        expect(dirs).toEqual([".", "policy"]);
        for (const dir of dirs) {
            expect(fs.existsSync(path.join(PROJECT_DIR, dir, "package.json"))).toBe(true);
            expect(fs.existsSync(path.join(PROJECT_DIR, dir, "package-lock.json"))).toBe(true);
        }
    });

    test("scripts run by path exist and are executable", () => {
        const scripts = [...new Set(runSteps.flatMap((s) => scriptPaths(s.run)))];
        for (const script of scripts) {
            const file = path.join(PROJECT_DIR, script);
            expect(fs.existsSync(file)).toBe(true);
            expect({ script, executable: (fs.statSync(file).mode & 0o111) !== 0 }).toEqual({ script, executable: true });
        }
    });

    test("setup-node's cache-dependency-path files exist", () => {
        const paths = allSteps.flatMap(({ step }) =>
            typeof step.with["cache-dependency-path"] === "string" ? step.with["cache-dependency-path"].split("\n").map((p) => p.trim()).filter(Boolean) : [],
        );
        expect(paths.length).toBeGreaterThan(0);
        for (const p of paths) {
            expect(fs.existsSync(path.join(PROJECT_DIR, p))).toBe(true);
        }
    });

    test("the policy pack every pulumi/actions step enforces exists and is installed first", () => {
        const pulumiSteps = allJobs.flatMap(({ job: j }) =>
            j.steps.map((s, i) => ({ j, s, i })).filter(({ s }) => s.uses !== undefined && actionName(s.uses) === "pulumi/actions"),
        );
        expect(pulumiSteps.map(({ s }) => s.with.command).sort()).toEqual(["preview", "up"]);
        for (const { j, s, i } of pulumiSteps) {
            const pack = asString(s.with.policyPacks, `${s.where}.with.policyPacks`);
            expect(fs.existsSync(path.join(PROJECT_DIR, pack, "PulumiPolicy.yaml"))).toBe(true);
            expect(fs.existsSync(path.join(PROJECT_DIR, pack, "package.json"))).toBe(true);
            const before = j.steps.slice(0, i).flatMap((x) => (x.run ? npmCiDirs(x.run) : []));
            expect(before).toEqual(expect.arrayContaining([".", pack]));
        }
    });

    test("plan:diff is called with options it has", () => {
        const known = [...PLAN_DIFF_USAGE.matchAll(/--[\w-]+/g)].map((m) => m[0]);
        expect(known).toEqual(expect.arrayContaining(["--stack", "--base", "--out"]));
        const used = runSteps.flatMap((s) => planDiffOptions(s.run));
        expect(used).toEqual(["--stack", "--base", "--out"]);
        expect(used.filter((o) => !known.includes(o))).toEqual([]);
    });
});

describe("pull-request.yml", () => {
    test("runs on pull requests to main", () => {
        expect(asMap(pullRequest.raw.on, "on")).toEqual({ pull_request: { branches: ["main"] } });
    });

    test("runs the checks", () => {
        expect(job(pullRequest, "checks").uses).toBe("./.github/workflows/checks.yml");
    });

    describe("plan-diff", () => {
        const planDiff = job(pullRequest, "plan-diff");
        const matrix = asMap(asMap(planDiff.raw.strategy, "strategy").matrix, "matrix");
        const stacks = stringList(matrix.stack, "matrix.stack");

        test("covers every stack of the repository, each with its stack file", () => {
            expect([...stacks].sort()).toEqual(repositoryStacks);
            for (const stack of stacks) {
                expect(fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`))).toBe(true);
            }
        });

        test("uses no secrets, no write permission, no cloud and no environment", () => {
            expect(JSON.stringify(planDiff.raw)).not.toMatch(/secrets\s*\./);
            expect(planDiff.raw.secrets).toBeUndefined();
            expect(planDiff.raw.environment).toBeUndefined();
            expect(Object.values(planDiff.permissions ?? {})).not.toContain("write");
            expect(authenticatesToCloud(planDiff, workflows)).toBe(false);
        });

        test("checks out the whole history, so the base commit is there", () => {
            const checkout = planDiff.steps.find((s) => s.uses !== undefined && actionName(s.uses) === "actions/checkout");
            expect(checkout?.with["fetch-depth"]).toBe(0);
        });

        test("diffs against the base commit, passed through env, into the step summary", () => {
            const step = planDiff.steps.find((s) => s.run?.includes("plan:diff"));
            expect(step?.env).toEqual({ STACK: "${{ matrix.stack }}", BASE_SHA: "${{ github.event.pull_request.base.sha }}" });
            expect(step?.run).toContain('--stack "$STACK" --base "$BASE_SHA"');
            expect(step?.run).toContain('>> "$GITHUB_STEP_SUMMARY"');
        });
    });

    describe("preview", () => {
        const preview = job(pullRequest, "preview");
        const include = asList(asMap(asMap(preview.raw.strategy, "strategy").matrix, "matrix").include, "matrix.include").map((e) => asMap(e, "include"));

        test("is skipped for pull requests from forks", () => {
            expect(preview.raw.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
        });

        test("every job that touches secrets or credentials is skipped for forks", () => {
            const sensitive = pullRequest.jobs.filter(
                (j) => /secrets\s*\./.test(JSON.stringify(j.raw)) || j.raw.secrets !== undefined || Object.keys(j.permissions ?? {}).includes("id-token"),
            );
            expect(sensitive.map((j) => j.id)).toEqual(["preview"]);
            for (const j of sensitive) {
                expect(j.raw.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
            }
        });

        test("previews dev and prod, each with its stack file and its cloud", () => {
            expect(include.map((e) => e.stack)).toEqual(["dev", "prod"]);
            for (const entry of include) {
                const stack = asString(entry.stack, "stack");
                expect(fs.existsSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`))).toBe(true);
                expect(entry.cloud).toBe(stackConfig(stack)["flyte:cloud"]);
            }
        });

        test("logs in with OIDC, and only may write id-token and pull-request comments", () => {
            expect(preview.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
            const logins = preview.steps.filter((s) => s.uses !== undefined && ["google-github-actions/auth", "aws-actions/configure-aws-credentials"].includes(actionName(s.uses)));
            expect(logins.map((s) => s.raw.if).sort()).toEqual(["matrix.cloud == 'aws'", "matrix.cloud == 'gcp'"]);
        });

        test("runs pulumi preview with the policy pack and comments on the pull request", () => {
            const step = preview.steps.find((s) => s.uses !== undefined && actionName(s.uses) === "pulumi/actions");
            expect(step?.with).toMatchObject({ command: "preview", policyPacks: "policy", "comment-on-pr": true });
            expect(step?.with["stack-name"]).toContain("${{ matrix.stack }}");
        });
    });
});

describe("deploy.yml", () => {
    test("runs on pushes to main and by hand", () => {
        expect(asMap(deploy.raw.on, "on")).toEqual({ push: { branches: ["main"] }, workflow_dispatch: null });
    });

    test("checks, then dev, then prod", () => {
        expect(job(deploy, "dev").needs).toEqual(["checks"]);
        expect(job(deploy, "prod").needs).toEqual(["dev"]);
        expect([...transitiveNeeds(deploy, "prod")].sort()).toEqual(["checks", "dev"]);
        expect(transitiveNeeds(deploy, "dev").has("prod")).toBe(false);
        expect(job(deploy, "checks").uses).toBe("./.github/workflows/checks.yml");
    });

    test.each([
        ["dev", "dev"],
        ["prod", "prod"],
    ])("%s runs pulumi up of its stack in the %s environment, with its stack's cloud", (id, environment) => {
        const j = job(deploy, id);
        expect(j.uses).toBe("./.github/workflows/pulumi-up.yml");
        expect(j.raw.with).toEqual({ stack: id, environment, cloud: stackConfig(id)["flyte:cloud"] });
        expect(j.permissions).toEqual({ contents: "read", "id-token": "write" });
    });
});

describe("pulumi-up.yml", () => {
    const up = job(pulumiUp, "up");

    test("is a reusable workflow of stack, environment and cloud", () => {
        const inputs = asMap(asMap(asMap(pulumiUp.raw.on, "on").workflow_call, "workflow_call").inputs, "inputs");
        expect(Object.keys(inputs).sort()).toEqual(["cloud", "environment", "stack"]);
        for (const spec of Object.values(inputs)) {
            expect(asMap(spec, "input")).toMatchObject({ required: true, type: "string" });
        }
    });

    test("runs in the caller's environment, one run per stack at a time, never cancelled", () => {
        expect(up.raw.environment).toBe("${{ inputs.environment }}");
        expect(up.raw.concurrency).toEqual({ group: "pulumi-up-${{ inputs.stack }}", "cancel-in-progress": false });
    });

    test("logs in with OIDC and may write nothing else", () => {
        expect(up.permissions).toEqual({ contents: "read", "id-token": "write" });
        expect(authenticatesToCloud(up, workflows)).toBe(true);
    });

    test("runs pulumi up of the stack with the policy pack", () => {
        const step = up.steps.find((s) => s.uses !== undefined && actionName(s.uses) === "pulumi/actions");
        expect(step?.with).toMatchObject({ command: "up", policyPacks: "policy" });
        expect(step?.with["stack-name"]).toContain("${{ inputs.stack }}");
        expect(step?.with["comment-on-pr"]).toBeUndefined();
    });
});

describe("the checks reject what they should (each check can fail)", () => {
    const parsed = (src: string): Workflow => parseWorkflow("example.yml", src);

    test("the schema validator reports a misspelt key and a value of the wrong type, and accepts a minimal job", () => {
        expect(validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    stepz: []\n").errors.length).toBeGreaterThan(0);
        expect(validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: true\n").errors.length).toBeGreaterThan(0);
        expect(validateWorkflow("on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make\n").errors).toEqual([]);
    });

    test("YAML errors and duplicate keys throw", () => {
        expect(() => parsed("on: push\njobs:\n  a: [\n")).toThrow();
        expect(() => parsed("on: push\non: pull_request\njobs: {}\n")).toThrow();
    });

    test.each([
        ["      - uses: actions/checkout@v4", 2],
        ["      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", 1],
        ["      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b # v7.0.1", 1],
        ["      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7", 1],
        ["      - uses: actions/checkout@main # v7.0.1", 1],
        ["      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1", 0],
        ["    uses: ./.github/workflows/checks.yml", 0],
    ])("%s: %d problems", (line, count) => {
        const lines = usesLines(`jobs:\n  a:\n${line}\n`);
        expect(lines).toHaveLength(1);
        expect(pinProblems(lines[0])).toHaveLength(count);
    });

    test.each([
        ['echo "${{ github.event.pull_request.title }}"', 1],
        ["git checkout ${{github.head_ref}}", 1],
        ["echo ${{ github['event'] }}", 1],
        ["echo '${{ toJSON(github.event) }}' && echo ${{ github.event.issue.body }}", 2],
        ['echo "$TITLE" ${{ matrix.stack }} ${{ github.repository }}', 0],
    ])("untrusted interpolation in %s: %d", (script, count) => {
        expect(untrustedInterpolations(script)).toHaveLength(count);
    });

    test("npm scripts, installs and script paths are read from shell", () => {
        const script = "npm ci --no-audit\nnpm ci --prefix policy\nnpm run --silent plan:diff -- --stack x\nnpm test && npm run lint\n./scripts/a.sh >> x; scripts/ci/b.sh";
        expect(npmScripts(script).sort()).toEqual(["lint", "plan:diff", "test"]);
        expect(npmCiDirs(script)).toEqual([".", "policy"]);
        expect(scriptPaths(script)).toEqual(["scripts/a.sh", "scripts/ci/b.sh"]);
        expect(planDiffOptions(script)).toEqual(["--stack"]);
    });

    test("write permissions a job does not need are reported, and missing ones", () => {
        const wf = parsed(
            [
                "on: push",
                "jobs:",
                "  build:",
                "    runs-on: x",
                "    permissions: { contents: write, id-token: write }",
                "    steps: [{ run: make }]",
                "  deploy:",
                "    runs-on: x",
                "    steps:",
                "      - uses: google-github-actions/auth@7c6bc770dae815cd3e89ee6cdf493a5fab2cc093 # v3.0.0",
                "  preview:",
                "    runs-on: x",
                "    permissions: { id-token: write, pull-requests: read }",
                "    steps:",
                "      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3",
                "      - uses: pulumi/actions@8e5e406f4007fca908480587cb9893c07090f58d # v7.0.0",
                "        with: { command: preview, comment-on-pr: true }",
                "",
            ].join("\n"),
        );
        expect(wf.jobs.map((j) => permissionProblems(j, [wf]).length)).toEqual([2, 1, 1]);
        expect(() => parsed("on: push\njobs:\n  a:\n    runs-on: x\n    permissions: write-all\n    steps: [{ run: x }]\n")).toThrow(/permissions/);
    });

    test("a reusable workflow's callers authenticate when the workflow does", () => {
        const caller = parsed("on: push\njobs:\n  up:\n    uses: ./.github/workflows/pulumi-up.yml\n  other:\n    uses: ./.github/workflows/checks.yml\n");
        expect(caller.jobs.map((j) => authenticatesToCloud(j, workflows))).toEqual([true, false]);
    });

    test("transitive needs follow chains", () => {
        const wf = parsed("on: push\njobs:\n  a: { runs-on: x, steps: [{ run: x }] }\n  b: { needs: a, runs-on: x, steps: [{ run: x }] }\n  c: { needs: [b], runs-on: x, steps: [{ run: x }] }\n");
        expect([...transitiveNeeds(wf, "c")].sort()).toEqual(["a", "b"]);
        expect(transitiveNeeds(wf, "a").size).toBe(0);
    });
});
