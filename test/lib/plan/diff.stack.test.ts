import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { diffPlans, type PlanDiff, renderDiff } from "../../../lib/plan/diff";
import { type PlanDocument, planDocument } from "../../../lib/plan/render";
import { runPlan, runProgram } from "../../../lib/plan/runPlan";
import { parseTextDiff } from "../../helpers/diffRepo";
import { doc, res, withInputs } from "../../helpers/planDocFixtures";
import { sharedPlan } from "../../helpers/sharedPlans";

/**
 * The plan diff of the real program when the dev stack's GKE cluster moves to another zone (`flyte:gkeLocation`):
 * the cluster is replaced, so is the Kubernetes provider whose kubeconfig comes from it, and with it every
 * Kubernetes resource of the stack. The base is the run's shared plan of dev; the head is planned in this process
 * (the Pulumi runtime is global: the program runs once per test file). And, in this process too, a small program
 * that shows the plan records the provider a resource inherits from its parent component, so the diff can follow it.
 */

const PROJECT_DIR = path.resolve(__dirname, "../../..");
const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";
const K8S_PROVIDER = "pulumi:providers:kubernetes";
const TEMPLATE_URI = "values.configuration.logging.plugins.stackdriver.templateUri";

let tmp: string;
let zones: { before: string; after: string };
let base: PlanDocument;
let head: PlanDocument;
let diff: PlanDiff;

beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-replace-"));
    const stack = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8");
    const zone = /^ {2}flyte:gkeLocation: ([a-z]+-[a-z]+\d+-[a-z])$/m.exec(stack)?.[1];
    if (zone === undefined) {
        throw new Error("Pulumi.dev.yaml sets no zonal flyte:gkeLocation");
    }
    // Another zone of the same region.
    zones = { before: zone, after: zone.replace(/[a-z]$/, zone.endsWith("c") ? "d" : "c") };
    fs.writeFileSync(path.join(tmp, "head.yaml"), stack.replace(`flyte:gkeLocation: ${zones.before}\n`, `flyte:gkeLocation: ${zones.after}\n`));
    base = planDocument(await sharedPlan("dev"));
    head = planDocument(await runPlan({ projectDir: PROJECT_DIR, stack: "dev", stackFile: path.join(tmp, "head.yaml") }));
    diff = diffPlans(base, head);
}, 180000);

afterAll(() => {
    if (tmp) {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
});

const changeOf = (urn: string) => diff.resources.find((r) => r.urn === urn);

test("the plans are of the same resources, the cluster in the two zones", () => {
    expect(head.resources.map((r) => r.urn)).toEqual(base.resources.map((r) => r.urn));
    expect(base.resources.filter((r) => r.type === CLUSTER).map((r) => r.inputs.location)).toEqual([zones.before]);
    expect(head.resources.filter((r) => r.type === CLUSTER).map((r) => r.inputs.location)).toEqual([zones.after]);
});

test("the cluster and its node pool are replaced for their location", () => {
    const [cluster] = head.resources.filter((r) => r.type === CLUSTER);
    const [pool] = head.resources.filter((r) => r.type === NODE_POOL);
    expect(changeOf(cluster.urn)).toMatchObject({ kind: "replace", replaceReasons: ["location"] });
    expect(changeOf(pool.urn)).toMatchObject({ kind: "replace", replaceReasons: ["cluster", "location"] });
});

test("the Kubernetes provider is replaced: its kubeconfig comes from the replaced cluster", () => {
    const [cluster] = head.resources.filter((r) => r.type === CLUSTER);
    const providers = head.resources.filter((r) => r.type === K8S_PROVIDER);
    expect(providers).toHaveLength(1);
    expect(providers[0].dependencies).toContain(cluster.urn);
    expect(changeOf(providers[0].urn)).toEqual({
        urn: providers[0].urn,
        type: K8S_PROVIDER,
        name: providers[0].name,
        kind: "replace",
        changes: [],
        replaceReasons: [`kubeconfig (from replaced ${CLUSTER} ${cluster.name})`],
    });
});

test("every Kubernetes resource of the stack is replaced with the provider, the Helm release too", () => {
    const [provider] = head.resources.filter((r) => r.type === K8S_PROVIDER);
    const kubernetes = head.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(kubernetes.map((r) => r.type)).toEqual(expect.arrayContaining(["kubernetes:core/v1:Namespace", "kubernetes:helm.sh/v3:Release"]));
    for (const r of kubernetes) {
        // The plan records the provider of each (whether given to it or inherited from its parent).
        expect({ name: r.name, provider: r.provider }).toEqual({ name: r.name, provider: provider.urn });
        expect({ name: r.name, kind: changeOf(r.urn)?.kind, reasons: changeOf(r.urn)?.replaceReasons }).toEqual({
            name: r.name,
            kind: "replace",
            reasons: [`provider (replaced ${K8S_PROVIDER} ${provider.name})`],
        });
    }
});

test("nothing else changes; the summary counts the replacements", () => {
    const replaced = head.resources.filter((r) => [CLUSTER, NODE_POOL, K8S_PROVIDER].includes(r.type) || r.type.startsWith("kubernetes:"));
    expect(diff.resources.map((r) => r.urn)).toEqual(replaced.map((r) => r.urn).sort());
    expect(diff.outputs).toEqual([]);
    expect(diff.summary).toEqual({ add: 0, remove: 0, update: 0, replace: replaced.length, same: head.resources.length - replaced.length });
});

test("the logs link of the release changes in the middle: the text shows both zones; the JSON has the values whole", () => {
    const release = diff.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release");
    const change = release?.changes.find((c) => c.path.endsWith(TEMPLATE_URI));
    const before = String(change?.before);
    const after = String(change?.after);
    expect(before.length).toBeGreaterThan(300);
    expect(after.replace(zones.after, zones.before)).toBe(before);
    const offset = before.indexOf(zones.before) + zones.before.length - 1;
    expect(change?.firstDifference).toBe(offset);

    const text = parseTextDiff(renderDiff(diff, { base: "as is", head: `gkeLocation ${zones.after}` }));
    const shown = text.resources.find((r) => r.name === release?.name)?.changes.find((c) => c.startsWith(`${change?.path}: `));
    expect(shown?.split("\n")).toEqual([
        `${change?.path}: (${before.length} → ${after.length} characters, first difference at offset ${offset})`,
        expect.stringMatching(new RegExp(`^- "….*%22${zones.before}%22.*…"$`)),
        expect.stringMatching(new RegExp(`^\\+ "….*%22${zones.after}%22.*…"$`)),
    ]);
});

test("the text form reads back as the diff: the same resources, marks, reasons and changed paths", () => {
    const text = parseTextDiff(renderDiff(diff, { base: "as is", head: "moved" }));
    const marks = { add: "+", remove: "-", update: "~", replace: "+-" };
    expect(text.resources.map((r) => ({ mark: r.mark, type: r.type, name: r.name, reasons: r.reasons, paths: r.changes.map((c) => c.split(": ")[0]) }))).toEqual(
        diff.resources.map((r) => ({ mark: marks[r.kind], type: r.type, name: r.name, reasons: r.replaceReasons, paths: r.changes.map((c) => c.path) })),
    );
    expect(text.summary).toBe(
        `0 to add, 0 to remove, 0 to update, ${diff.summary.replace} to replace, ${diff.summary.same} unchanged.`,
    );
});

describe("parseTextDiff reads the detail lines of long and multi-line values", () => {
    const LONG = "0123456789".repeat(30);
    const YAML = "a: 1\nb: 2\nc: 3\n";
    const cm = res("kubernetes:core/v1:ConfigMap", "cm", { data: { long: LONG, yaml: YAML, short: "x" } });
    const text = renderDiff(
        diffPlans(
            doc([cm], { link: LONG }),
            doc([withInputs(cm, { data: { long: `${LONG.slice(0, 200)}#${LONG.slice(201)}`, yaml: YAML.replace("2", "two"), short: "y" } })], { link: `${LONG}!` }),
        ),
        { base: "a", head: "b" },
    );

    test("each change is one entry, its detail lines attached to it as printed, without their indentation", () => {
        const parsed = parseTextDiff(text);
        expect(parsed.resources).toHaveLength(1);
        expect(parsed.resources[0].changes).toEqual([
            [
                "data.long: (300 → 300 characters, first difference at offset 200)",
                `- "…${LONG.slice(160)}"`,
                `+ "…${LONG.slice(160, 200)}#${LONG.slice(201)}"`,
            ].join("\n"),
            'data.short: "x" → "y"',
            ["data.yaml: (3 → 3 lines, first difference at offset 8, line 2)", "@@ -1,3 +1,3 @@", "  a: 1", "- b: 2", "+ b: two", "  c: 3"].join("\n"),
        ]);
        expect(parsed.outputs).toEqual([
            ["~  link: (300 → 301 characters, first difference at offset 300)", `- "…${LONG.slice(260)}"`, `+ "…${LONG.slice(260)}!"`].join("\n"),
        ]);
    });

    test.each([
        ["a detail line of an unknown form", (t: string) => t.replace("         @@ -1,3 +1,3 @@", "         @@ somewhere @@")],
        ["a detail line under a resource without changes", (t: string) => t.replace("       data.long:", "         - data.long:")],
        ["a detail line under Outputs: before any output", (t: string) => t.replace("Outputs:\n", "Outputs:\n         - x\n")],
        ["a change line indented like a detail", (t: string) => t.replace('       data.short: "x"', '          data.short: "x"')],
    ])("throws on %s", (_label, broken) => {
        expect(broken(text)).not.toBe(text);
        expect(() => parseTextDiff(broken(text))).toThrow(/unexpected/);
    });
});

test("the plan records the provider a resource inherits from its parent, so its replacement follows", async () => {
    class Outer extends pulumi.ComponentResource {
        constructor(name: string, opts: pulumi.ComponentResourceOptions) {
            super("test:index:Outer", name, {}, opts);
            new k8s.core.v1.Namespace(`${name}-ns`, { metadata: { name } }, { parent: this });
            new Inner(`${name}-inner`, { parent: this });
        }
    }
    class Inner extends pulumi.ComponentResource {
        constructor(name: string, opts: pulumi.ComponentResourceOptions) {
            super("test:index:Inner", name, {}, opts);
            new k8s.helm.v3.Release(`${name}-release`, { chart: "flyte-binary", name }, { parent: this });
        }
    }
    const recorded = await runProgram({
        project: "flyte",
        stack: "test",
        config: {},
        program: () => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "apiVersion: v1", context: "a" });
            new Outer("list", { providers: [provider] });
            new Outer("map", { providers: { kubernetes: provider } });
            new Outer("single", { provider });
            new k8s.core.v1.Secret("given", { metadata: { name: "given" } }, { provider });
            new k8s.core.v1.Namespace("ambient", { metadata: { name: "ambient" } });
            return {};
        },
    });
    const base = planDocument(recorded);
    const provider = base.resources.find((r) => r.type === K8S_PROVIDER);
    const managed = base.resources.filter((r) => r.type.startsWith("kubernetes:") && r.name !== "ambient");
    expect(managed).toHaveLength(3 * 2 + 1);
    for (const r of managed) {
        expect({ name: r.name, provider: r.provider }).toEqual({ name: r.name, provider: provider?.urn });
    }
    expect(base.resources.find((r) => r.name === "ambient")?.provider).toBeUndefined();

    // The provider pointed at another context: replaced, and everything it manages, inherited or not.
    const head = { ...base, resources: base.resources.map((r) => (r === provider ? { ...r, inputs: { ...r.inputs, context: "b" } } : r)) };
    const moved = diffPlans(base, head);
    expect(moved.resources.map((r) => [r.name, r.kind, r.replaceReasons]).sort()).toEqual(
        [
            ["k8s", "replace", ["context"]],
            ...managed.map((r) => [r.name, "replace", [`provider (replaced ${K8S_PROVIDER} k8s)`]]),
        ].sort(),
    );
});
