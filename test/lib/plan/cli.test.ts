import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planDocument } from "../../../lib/plan/render";
import type { Plan } from "../../../lib/plan/runPlan";
import { CliResult, runPlanCommand, runPlanProcess } from "../../helpers/plan";
import { sharedPlan } from "../../helpers/sharedPlans";

/**
 * `npm run plan`: the command in this process (scripts/plan.ts's options: config validated first, then the
 * program under mocks), and twice as a process of its own, as a user runs it.
 */

function tempStackFile(content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-plan-"));
    const file = path.join(dir, "Pulumi.scratch.yaml");
    fs.writeFileSync(file, content);
    return file;
}

const VALID = ["config:", "  gcp:project: acme-cli", "  gcp:region: us-central1", "  flyte:cloud: gcp", ""].join("\n");

interface PlanJson {
    stack: string;
    resources: { urn: string; type: string; name: string; parent: string; dependencies: string[]; inputs: object }[];
    outputs: Record<string, unknown>;
}

function expectOneErrorLine(result: CliResult, status: number): string {
    expect(result.status).toBe(status);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return lines[0];
}

describe("npm run plan --json", () => {
    let first: CliResult;
    let devPlan: Plan;
    beforeAll(async () => {
        first = await runPlanCommand(["--stack", "dev", "--json"]);
        devPlan = await sharedPlan("dev");
    });

    test("prints one JSON document with every resource and the outputs", () => {
        expect(first.status).toBe(0);
        const doc = JSON.parse(first.stdout) as PlanJson;
        expect(doc.stack).toBe("dev");
        expect(doc.resources.length).toBeGreaterThan(40);
        for (const r of doc.resources) {
            expect(Object.keys(r)).toEqual(expect.arrayContaining(["urn", "type", "name", "parent", "dependencies", "inputs"]));
            expect(r.urn).toEqual(
                r.parent === "" || r.parent.endsWith("::flyte-dev")
                    ? `urn:pulumi:dev::flyte::${r.type}::${r.name}`
                    : expect.stringMatching(new RegExp(`^urn:pulumi:dev::flyte::.+\\$${r.type.replace(/[$.]/g, "\\$&")}::${r.name}$`)),
            );
        }
        const release = doc.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release");
        expect(release?.dependencies.length).toBeGreaterThan(5);
        expect(doc.outputs.kubeconfig).toBe("[secret]");
        expect(doc.outputs.grpcEndpoint).toBe("10.0.0.10:8089");
    });

    test("as a process of its own, prints the same document: the same config gives the same plan", async () => {
        const second = await runPlanProcess(["--stack", "dev", "--json"]);
        expect({ status: second.status, stderr: second.stderr }).toEqual({ status: 0, stderr: "" });
        expect(second.stdout).toBe(first.stdout);
        expect(second.stdout).toBe(`${JSON.stringify(planDocument(devPlan), null, 2)}\n`);
    });
});

test("the default output is a readable tree with the outputs", async () => {
    const result = await runPlanCommand(["--stack", "prod"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Plan for stack prod \(project flyte\): \d+ resources in \d+ components/);
    expect(result.stdout).toContain("pulumi:pulumi:Stack  flyte-prod");
    expect(result.stdout).toMatch(/├─ flyte:gcp:GcpPlatform {2}gcp|└─ flyte:gcp:GcpPlatform {2}gcp/);
    expect(result.stdout).toMatch(
        /gcp:sql\/databaseInstance:DatabaseInstance {2}gcp-postgres-instance {2}\[protect; ignoreChanges: settings\.diskSize\]/,
    );
    expect(result.stdout).toContain("kubeconfig: [secret]");
});

describe("--stack-file plans any file in stack format", () => {
    let file: string;
    let result: CliResult;
    let out: string;
    beforeAll(async () => {
        // With an encrypted provider secret, as `pulumi config set --secret gcp:credentials` writes it.
        file = tempStackFile(`${VALID}  gcp:credentials:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBB\n`);
        out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flyte-plan-out-")), "plan.json");
        // The one plan of this file made here: the Pulumi runtime runs one program per process.
        result = await runPlanCommand(["--stack", "scratch", "--stack-file", file, "--json", "--out", out]);
    });

    test("--out writes the document to a file instead of stdout; an encrypted value is noted, not decrypted", () => {
        expect(result).toEqual({
            status: 0,
            stdout: "",
            stderr: 'note: gcp:credentials is encrypted; the offline plan does not decrypt it and uses "[secret]" instead\n',
        });
        const doc = JSON.parse(fs.readFileSync(out, "utf8")) as PlanJson;
        expect(doc.stack).toBe("scratch");
        expect(doc.outputs.backendServiceAccount).toBe("flyte-scratch-backend@acme-cli.iam.gserviceaccount.com");
    });
});

test.each([
    ["an unknown cloud", "  flyte:cloud: azure", "flyte:cloud", "gcp, aws, local"],
    ["an unknown flavor", "  flyte:flavor: sandbox", "flyte:flavor", "binary, core"],
    ["a project id that is not a namespace", "  flyte:flyteProjects: [Flyte_Snacks]", "flyte:flyteProjects", "DNS-1123"],
    ["a typo in a key", "  flyte:flyteProject: [a]", "flyte:flyteProject", "unknown key"],
])("bad config (%s) exits 1 with one line naming key, value and what is allowed, before planning", async (_label, line, key, allowed) => {
    const content = VALID.replace("  flyte:cloud: gcp", line.includes("flyte:cloud") ? line : `  flyte:cloud: gcp\n${line}`);
    const result = await runPlanCommand(["--stack", "scratch", "--stack-file", tempStackFile(content), "--json"]);
    const message = expectOneErrorLine(result, 1);
    expect(message).toMatch(new RegExp(`^error: invalid config ${key} = `));
    expect(message).toContain(allowed);
});

/** The mistakes of a new user's first hour, each ending the plan with one line that names the culprit. */
describe.each([
    {
        mistake: "gcp keys without flyte:cloud (the default target is local)",
        file: "config:\n  gcp:project: acme-cli\n  gcp:region: us-central1\n",
        line: 'error: invalid config flyte:cloud = "local" (the default): gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
    },
    {
        mistake: "an EKS key on a GCP stack",
        file: `${VALID}  flyte:eksInstanceTypes: [m6i.large]\n`,
        line: 'error: invalid config flyte:cloud = "gcp": flyte:eksInstanceTypes belongs to cloud aws; set flyte:cloud: aws or remove it',
    },
    {
        mistake: "a local key on a GCP stack",
        file: `${VALID}  flyte:localKubeContext: kind-flyte\n`,
        line: 'error: invalid config flyte:cloud = "gcp": flyte:localKubeContext belongs to cloud local; set flyte:cloud: local or remove it',
    },
    {
        mistake: "a GCP region that does not exist",
        file: VALID.replace("us-central1", "europe-west99"),
        line: /^error: invalid config gcp:region = "europe-west99": unknown GCP region; did you mean europe-west9\?/,
    },
    {
        mistake: "an AWS region that does not exist",
        file: "config:\n  aws:region: eu-central-9\n  flyte:cloud: aws\n",
        line: /^error: invalid config aws:region = "eu-central-9": unknown AWS region; did you mean eu-central-1 or eu-central-2\?/,
    },
    {
        mistake: "a typo in one of our keys",
        file: `${VALID}  flyte:gkeMachinType: e2-standard-8\n`,
        line: 'error: invalid config flyte:gkeMachinType = "e2-standard-8": unknown key; did you mean flyte:gkeMachineType?',
    },
    {
        mistake: "a typo in a provider key",
        file: VALID.replace("gcp:project", "gcp:projet"),
        line: 'error: invalid config gcp:projet = "acme-cli": unknown key; did you mean gcp:project?',
    },
    {
        mistake: "a YAML error",
        file: "config:\n  gcp:project: [acme\n",
        line: /^error: \/.+\/Pulumi\.scratch\.yaml:3:1: .+$/,
    },
    {
        mistake: "an encrypted value for a key that is not a secret",
        file: `${VALID}  flyte:gkeMachineType:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBB\n`,
        line: "error: invalid config flyte:gkeMachineType = (encrypted): not a secret key: set it in plain text with `pulumi config set flyte:gkeMachineType <value>` (without --secret)",
    },
    {
        mistake: "a Flyte 2 chart",
        file: `${VALID}  flyte:chartVersion: v2.0.1\n`,
        line: 'error: invalid config flyte:chartVersion = "v2.0.1": allowed: a Flyte 1 chart version v1.<minor>.<patch> (v2.x is Flyte 2, whose values this program does not produce)',
    },
])("$mistake", ({ file, line }) => {
    test("ends the plan before anything is planned, with one line of at most 200 characters naming the culprit", async () => {
        const message = expectOneErrorLine(await runPlanCommand(["--stack", "scratch", "--stack-file", tempStackFile(file)]), 1);
        if (typeof line === "string") {
            expect(message).toBe(line);
        } else {
            expect(message).toMatch(line);
        }
        expect(message.length).toBeLessThanOrEqual(200 + "error: ".length);
    });
});

test("a stack name Pulumi refuses ends the plan with one line", async () => {
    const message = expectOneErrorLine(await runPlanCommand(["--stack", "bad stack!"]), 2);
    expect(message).toBe(`error: invalid stack name "bad stack!": allowed: letters, digits, '-', '_' and '.', 1 to 100 characters`);
});

test("as a process of its own, bad config exits 1 with the one line and no stack trace", async () => {
    const content = VALID.replace("  flyte:cloud: gcp", "  flyte:cloud: azure");
    const result = await runPlanProcess(["--stack", "scratch", "--stack-file", tempStackFile(content)]);
    expect(expectOneErrorLine(result, 1)).toMatch(/^error: invalid config flyte:cloud = "azure": .*gcp, aws, local/);
});

test("a missing stack file is reported in one line", async () => {
    const result = await runPlanCommand(["--stack", "nope"]);
    expect(expectOneErrorLine(result, 1)).toMatch(/^error: .*Pulumi\.nope\.yaml: no such stack file$/);
});

test.each([
    ["no arguments", []],
    ["an unknown option", ["--stack", "dev", "--bogus"]],
    ["--stack without a value", ["--stack"]],
    ["a positional argument", ["--stack", "dev", "extra"]],
    ["plan:diff's --base", ["--stack", "dev", "--base", "HEAD"]],
])("usage errors exit 2 with the usage (%s)", async (_label, args) => {
    const result = await runPlanCommand(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("usage: npm run plan -- --stack <name>");
});
