import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runPlanCli } from "./helpers/plan";

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

describe("npm run plan --json", () => {
    let first: ReturnType<typeof runPlanCli>;
    beforeAll(() => {
        first = runPlanCli(["--stack", "dev", "--json"]);
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

    test("is deterministic: the same config gives the same plan", () => {
        const second = runPlanCli(["--stack", "dev", "--json"]);
        expect(second.status).toBe(0);
        expect(second.stdout).toBe(first.stdout);
    });
});

test("the default output is a readable tree with the outputs", () => {
    const result = runPlanCli(["--stack", "prod"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Plan for stack prod \(project flyte\): \d+ resources in \d+ components/);
    expect(result.stdout).toContain("pulumi:pulumi:Stack  flyte-prod");
    expect(result.stdout).toMatch(/├─ flyte:gcp:GcpPlatform {2}gcp|└─ flyte:gcp:GcpPlatform {2}gcp/);
    expect(result.stdout).toMatch(
        /gcp:sql\/databaseInstance:DatabaseInstance {2}gcp-postgres-instance {2}\[protect; ignoreChanges: settings\.diskSize\]/,
    );
    expect(result.stdout).toContain("kubeconfig: [secret]");
});

test("--stack-file plans any file in stack format", () => {
    const result = runPlanCli(["--stack", "scratch", "--stack-file", tempStackFile(VALID), "--json"]);
    expect(result.status).toBe(0);
    const doc = JSON.parse(result.stdout) as PlanJson;
    expect(doc.outputs.backendServiceAccount).toBe("flyte-scratch-backend@acme-cli.iam.gserviceaccount.com");
});

test.each([
    ["an unknown cloud", "  flyte:cloud: azure", "flyte:cloud", "gcp, aws, local"],
    ["an unknown flavor", "  flyte:flavor: sandbox", "flyte:flavor", "binary, core"],
    ["a project id that is not a namespace", "  flyte:flyteProjects: [Flyte_Snacks]", "flyte:flyteProjects", "DNS-1123"],
    ["a typo in a key", "  flyte:flyteProject: [a]", "flyte:flyteProject", "unknown key"],
])("bad config (%s) exits 1 with one line naming key, value and what is allowed", (_label, line, key, allowed) => {
    const content = VALID.replace("  flyte:cloud: gcp", line.includes("flyte:cloud") ? line : `  flyte:cloud: gcp\n${line}`);
    const result = runPlanCli(["--stack", "scratch", "--stack-file", tempStackFile(content), "--json"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const lines = result.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^error: invalid config ${key} = `));
    expect(lines[0]).toContain(allowed);
    expect(result.stderr).not.toMatch(/\n\s+at /);
});

test("a missing stack file is reported in one line", () => {
    const result = runPlanCli(["--stack", "nope"]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(/^error: .*Pulumi\.nope\.yaml: no such stack file$/);
});

test("--out writes the document to a file instead of stdout", () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flyte-plan-out-")), "plan.json");
    const result = runPlanCli(["--stack", "scratch", "--stack-file", tempStackFile(VALID), "--json", "--out", out]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("");
    expect((JSON.parse(fs.readFileSync(out, "utf8")) as PlanJson).stack).toBe("scratch");
});

test("usage errors exit 2", () => {
    expect(runPlanCli([]).status).toBe(2);
    expect(runPlanCli(["--stack", "dev", "--bogus"]).status).toBe(2);
});
