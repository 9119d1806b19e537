import * as fs from "fs";
import * as path from "path";
import { type PlanDiff, renderDiff } from "../../../lib/plan/diff";
import { planDocument } from "../../../lib/plan/render";
import { runPlan } from "../../../lib/plan/runPlan";
import { DiffRepo, type JsonDiff, parseTextDiff, type Run, type TextDiff } from "../../helpers/diffRepo";

/**
 * `npm run plan:diff` end to end, in a throwaway git repository holding a copy of this project: a config change
 * committed between two refs shows as exactly the changes it implies, in the text and the JSON form alike. The
 * command runs in this process (its two plans are processes of their own, as always), and once as a process of
 * its own, as a user runs it.
 */

const SQL = "gcp:sql/databaseInstance:DatabaseInstance";
const WI_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const JOB = "kubernetes:batch/v1:Job";
const DOMAINS = ["development", "production", "staging"];

const OLD_TIER = "db-custom-1-3840";
const NEW_TIER = "db-custom-2-7680";
const NEW_PROJECT = "research";

const SCRATCH = ["config:", "  gcp:project: acme-scratch", "  gcp:region: us-central1", "  flyte:cloud: gcp", ""].join("\n");

/** `from` with `search` replaced; fails if it is not there, so a changed stack file cannot make the test vacuous. */
function edit(from: string, search: string, replacement: string): string {
    if (!from.includes(search)) {
        throw new Error(`${JSON.stringify(search)} is not in the stack file`);
    }
    return from.replace(search, replacement);
}

function json(run: Run): JsonDiff {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    return JSON.parse(run.stdout) as JsonDiff;
}

function text(run: Run): TextDiff {
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
    return parseTextDiff(run.stdout);
}

/** The resources of a diff as `kind type name`, for comparing whole sets. */
function kinds(diff: JsonDiff): string[] {
    return diff.resources.map((r) => `${r.kind} ${r.type} ${r.name}`);
}

const MARK = { add: "+", remove: "-", update: "~", replace: "+-" };

/** The text form says what the JSON form says: the same resources with the same marks, reasons and changed paths, the same totals. */
function expectAgreement(textDiff: TextDiff, jsonDiff: JsonDiff): void {
    expect(textDiff.resources.map((r) => ({ mark: r.mark, type: r.type, name: r.name, reasons: r.reasons, paths: r.changes.map((c) => c.split(": ")[0]) }))).toEqual(
        jsonDiff.resources.map((r) => ({ mark: MARK[r.kind], type: r.type, name: r.name, reasons: r.replaceReasons, paths: r.changes.map((c) => c.path) })),
    );
    expect(textDiff.outputs.map((o) => o.split(": ")[0].slice(3))).toEqual(jsonDiff.outputs.map((o) => o.name));
    const s = jsonDiff.summary;
    expect(textDiff.summary).toBe(`${s.add} to add, ${s.remove} to remove, ${s.update} to update, ${s.replace} to replace, ${s.same} unchanged.`);
    expect(textDiff.noChanges).toBe(jsonDiff.resources.length === 0 && jsonDiff.outputs.length === 0);
}

let repo: DiffRepo;
let baseCommit: string;
let headCommit: string;

beforeAll(() => {
    repo = DiffRepo.create();
    baseCommit = repo.git("rev-parse", "HEAD");
    const dev = repo.read("Pulumi.dev.yaml");
    repo.write(
        "Pulumi.dev.yaml",
        edit(dev, `  flyte:databaseTier: ${OLD_TIER}\n`, `  flyte:databaseTier: ${NEW_TIER}\n  flyte:flyteProjects: [flytesnacks, ${NEW_PROJECT}]\n`),
    );
    headCommit = repo.commitAll("dev: a bigger database tier and a second project");
});

afterAll(() => {
    repo?.dispose();
});

describe("a config change committed between two refs", () => {
    let textRun: Run;
    let jsonRun: Run;
    let jsonOut: string;
    beforeAll(async () => {
        jsonOut = path.join(repo.tmp, "diff.json");
        // The text in this process by ref, the JSON as a user's process by commit id into a file.
        [textRun, jsonRun] = await Promise.all([
            repo.planDiff(["--stack", "dev", "--base", "HEAD~1"]),
            repo.planDiffProcess(["--stack", "dev", "--base", baseCommit, "--json", "--out", jsonOut]),
        ]);
    });

    test("prints a diff headed by both sides", () => {
        const diff = text(textRun);
        expect(diff.header).toBe(`Plan diff for stack dev: HEAD~1 (${baseCommit.slice(0, 12)}) → working tree`);
        expect(diff.noChanges).toBe(false);
    });

    test("names exactly the changes the config change implies", () => {
        const diff = text(textRun);
        const byName = new Map(diff.resources.map((r) => [`${r.type} ${r.name}`, r]));
        expect(diff.resources).toHaveLength(3 + DOMAINS.length);

        // The tier: an in-place update of the instance's settings.tier, nothing else of it.
        expect(byName.get(`${SQL} gcp-postgres-instance`)).toEqual({
            mark: "~",
            type: SQL,
            name: "gcp-postgres-instance",
            reasons: [],
            changes: [`settings.tier: "${OLD_TIER}" → "${NEW_TIER}"`],
        });

        // The project: its workload identity bindings, one per domain, added...
        for (const domain of DOMAINS) {
            const name = `gcp-wi-worker-${NEW_PROJECT}-${domain}-default`;
            expect(byName.get(`${WI_MEMBER} ${name}`)).toEqual({ mark: "+", type: WI_MEMBER, name, reasons: [], changes: [] });
        }
        // ...and Flyte told to seed it; the release is updated in place, only in its seeded projects.
        const release = byName.get(`${RELEASE} flyte-release`);
        expect(release?.mark).toBe("~");
        expect(release?.changes.length).toBeGreaterThan(0);
        for (const change of release?.changes ?? []) {
            expect(change).toMatch(/^values\.[\w-]+\.admin\.seedProjects(WithDetails)?: /);
        }
        expect(release?.changes.join("\n")).toContain(`["flytesnacks"] → ["flytesnacks","${NEW_PROJECT}"]`);

        // The verification's endpoint stage checks the new project too: a Job of a new name, which runs it.
        const verification = byName.get(`${JOB} flyte-verification-endpoint`);
        expect(verification?.mark).toBe("+-");
        expect(verification?.reasons).toEqual(["metadata.name", "spec.template.spec.containers[0].env[0].value"]);
        expect(diff.outputs.map((o) => o.split(": ")[0].slice(3))).toEqual(["verificationJobs"]);
        expect(diff.summary).toMatch(new RegExp(`^${DOMAINS.length} to add, 0 to remove, 2 to update, 1 to replace, \\d+ unchanged\\.$`));
    });

    test("--out writes the document to the file and prints nothing", () => {
        expect({ status: jsonRun.status, stdout: jsonRun.stdout, stderr: jsonRun.stderr }).toEqual({ status: 0, stdout: "", stderr: "" });
        expect(fs.existsSync(jsonOut)).toBe(true);
    });

    test("the same base by commit id gives the same diff as by ref", () => {
        const byId = JSON.parse(fs.readFileSync(jsonOut, "utf8")) as JsonDiff & PlanDiff;
        expect(byId.base).toEqual({ ref: baseCommit, commit: baseCommit });
        // Rendered as the text form, the diff by id reads line for line as the diff by ref, but for the header.
        const rendered = renderDiff(byId, { base: `HEAD~1 (${baseCommit.slice(0, 12)})`, head: "working tree" });
        expect(rendered).toBe(textRun.stdout);
    });

    test("--json parses and agrees with the text", () => {
        const diff = JSON.parse(fs.readFileSync(jsonOut, "utf8")) as JsonDiff;
        expect(diff.base).toEqual({ ref: baseCommit, commit: baseCommit });
        expect(diff.stack).toBe("dev");
        expect(kinds(diff).sort()).toEqual(
            [
                `update ${SQL} gcp-postgres-instance`,
                `update ${RELEASE} flyte-release`,
                `replace ${JOB} flyte-verification-endpoint`,
                ...DOMAINS.map((d) => `add ${WI_MEMBER} gcp-wi-worker-${NEW_PROJECT}-${d}-default`),
            ].sort(),
        );
        const sql = diff.resources.find((r) => r.type === SQL);
        expect(sql?.changes).toEqual([{ path: "settings.tier", before: OLD_TIER, after: NEW_TIER }]);
        const release = diff.resources.find((r) => r.type === RELEASE);
        const seeded = release?.changes.find((c) => c.path.endsWith(".admin.seedProjects"));
        expect(seeded).toMatchObject({ before: ["flytesnacks"], after: ["flytesnacks", NEW_PROJECT] });
        expect(diff.summary).toMatchObject({ add: DOMAINS.length, remove: 0, update: 2, replace: 1 });
        expect(diff.summary.same).toBeGreaterThan(40);
        expectAgreement(text(textRun), diff);
    });
});

test("an identical tree gives No changes.", async () => {
    const textDiff = text(await repo.planDiff(["--stack", "dev", "--base", "HEAD"]));
    expect(textDiff.noChanges).toBe(true);
    expect(textDiff.resources).toEqual([]);
    expect(textDiff.outputs).toEqual([]);
    expect(textDiff.header).toBe(`Plan diff for stack dev: HEAD (${headCommit.slice(0, 12)}) → working tree`);
    expect(textDiff.summary).toMatch(/^0 to add, 0 to remove, 0 to update, 0 to replace, \d+ unchanged\.$/);
    expect(Number(/(\d+) unchanged/.exec(textDiff.summary)?.[1])).toBeGreaterThan(40);
});

describe("the head is the working tree, committed or not", () => {
    const change = (dev: string) => edit(dev, "  flyte:databaseHighAvailability: false\n", "  flyte:databaseHighAvailability: true\n");

    test("an uncommitted change of the stack file shows against HEAD", async () => {
        const committed = repo.read("Pulumi.dev.yaml");
        repo.write("Pulumi.dev.yaml", change(committed));
        let diff: JsonDiff;
        try {
            diff = json(await repo.planDiff(["--stack", "dev", "--base", "HEAD", "--json"]));
        } finally {
            repo.write("Pulumi.dev.yaml", committed);
        }
        expect(kinds(diff)).toEqual([`update ${SQL} gcp-postgres-instance`]);
        expect(diff.resources[0].changes).toEqual([{ path: "settings.availabilityType", before: "ZONAL", after: "REGIONAL" }]);
    });

    test("--stack-file plans another file for the head; the base keeps its own", async () => {
        const file = path.join(repo.tmp, "Pulumi.dev.yaml");
        fs.writeFileSync(file, change(repo.read("Pulumi.dev.yaml")));
        const diff = json(await repo.planDiff(["--stack", "dev", "--base", "HEAD", "--stack-file", file, "--json"]));
        expect(kinds(diff)).toEqual([`update ${SQL} gcp-postgres-instance`]);
        expect(diff.resources[0].changes.map((c) => c.path)).toEqual(["settings.availabilityType"]);
    });
});

test("a stack file absent at the base: everything is added", async () => {
    repo.write("Pulumi.scratch.yaml", SCRATCH);
    let diffRun: Run;
    try {
        diffRun = await repo.planDiff(["--stack", "scratch", "--base", "HEAD", "--json"]);
    } finally {
        repo.remove("Pulumi.scratch.yaml");
    }
    const diff = json(diffRun);
    // The same file planned here, by the copy's program (the one plan of this test file in this process).
    const file = path.join(repo.tmp, "Pulumi.scratch.yaml");
    fs.writeFileSync(file, SCRATCH);
    const plan = planDocument(await runPlan({ projectDir: repo.dir, stack: "scratch", stackFile: file }));
    expect(plan.resources.length).toBeGreaterThan(40);
    expect(diff.resources.map((r) => r.kind)).toEqual(plan.resources.map(() => "add"));
    expect(diff.resources.map((r) => r.urn)).toEqual(plan.resources.map((r) => r.urn).sort());
    expect(diff.outputs).toEqual(
        Object.keys(plan.outputs)
            .sort()
            .map((name) => ({ name, kind: "add", after: plan.outputs[name] })),
    );
    expect(diff.summary).toEqual({ add: plan.resources.length, remove: 0, update: 0, replace: 0, same: 0 });
});

describe("failures", () => {
    test("an unknown --base exits 1 with one clear line, before planning anything", async () => {
        const run = await repo.planDiff(["--stack", "dev", "--base", "no-such-ref"]);
        expect(run).toEqual({ status: 1, stdout: "", stderr: "error: --base no-such-ref is not a commit of this repository\n" });
    });

    test("a base whose plan fails exits 1 naming the base and the config error", async () => {
        const bad = repo.detachedCommit(
            "Pulumi.dev.yaml",
            edit(repo.read("Pulumi.dev.yaml"), "  flyte:cloud: gcp\n", "  flyte:cloud: azure\n"),
            "an unknown cloud",
        );
        const run = await repo.planDiff(["--stack", "dev", "--base", bad]);
        expect(run.status).toBe(1);
        expect(run.stdout).toBe("");
        expect(run.stderr).toMatch(new RegExp(`^error: planning ${bad} \\(${bad.slice(0, 12)}\\) failed: .*flyte:cloud.*azure`));
        expect(run.stderr.endsWith("\n") && !run.stderr.trimEnd().includes("\n")).toBe(true);
        expect(repo.worktrees()).toHaveLength(1);
    });

    test.each([
        ["no --stack", ["--base", "HEAD"], "--stack and --base are required"],
        ["no --base", ["--stack", "dev"], "--stack and --base are required"],
        ["an unknown option", ["--stack", "dev", "--base", "HEAD", "--colour"], "--colour"],
        ["--stack without a value", ["--base", "HEAD", "--stack"], "--stack"],
    ])("%s exits 2 with the usage", async (_label, args, message) => {
        const run = await repo.planDiff(args);
        expect(run.status).toBe(2);
        expect(run.stdout).toBe("");
        expect(run.stderr).toContain(message);
        expect(run.stderr).toContain("usage: npm run plan:diff -- --stack <name> --base <git ref>");
    });
});

describe("afterwards the repository is as it was", () => {
    test("one worktree, none of the CLI's left in its temporary directory", () => {
        expect(repo.worktrees().map((w) => fs.realpathSync(w))).toEqual([fs.realpathSync(repo.dir)]);
        expect(repo.git("worktree", "prune", "--dry-run", "--verbose")).toBe("");
        expect(repo.leftInTmp("plan-diff-base-")).toEqual([]);
    });

    test("HEAD, the branch and the work tree are unchanged", () => {
        expect(repo.git("symbolic-ref", "HEAD")).toBe("refs/heads/main");
        expect(repo.git("rev-parse", "HEAD")).toBe(headCommit);
        expect(repo.git("rev-parse", "HEAD~1")).toBe(baseCommit);
        expect(repo.git("for-each-ref", "--format=%(refname)")).toBe("refs/heads/main");
        expect(repo.git("status", "--porcelain", "--untracked-files=all")).toBe("");
    });
});
