/**
 * How the offline plan finds what a stack's StackReferences read (lib/plan/references.ts): the role keys of a stack
 * file, the shipped stack a referenced name stands for, and the references of the first deployment simulated —
 * pure, with a planner that records what it is asked; then the same run for real, a tiny program in a project of its
 * own planned in one process by test/setup/planStacks.ts (runPlan and planWithReferences, as `npm run plan` runs them).
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    cachingPlanner,
    NO_OUTPUTS,
    type ReferencedStack,
    ReferencedStackError,
    type References,
    referencesDigest,
    type ReferenceResolver,
    referencedStack,
    resolveReferences,
    shippedStackSource,
    type StackRole,
    stackRoleOf,
    type StackSource,
    withReferenceOutputs,
} from "../../../lib/plan/references";
import type { Plan } from "../../../lib/plan/runPlan";
import { runTypeScript } from "../../../lib/plan/typescriptProcess";
import type { Json } from "../../../lib/plan/wire";
import { PROJECT_DIR, resolvedReferences } from "../../helpers/plan";

describe("stackRoleOf: the role keys of a stack's config", () => {
    test("a control plane's data planes, `<name>=<stack>` in config order", () => {
        const role = stackRoleOf(
            { "flyte:clusterRole": "controlPlane", "flyte:dataPlanes": JSON.stringify(["gpu=gke-gpu", "batch = acme/flyte/gke-batch"]) },
            "flyte",
        );
        expect(role).toEqual({
            role: "controlPlane",
            dataPlanes: [
                { name: "gpu", stack: "gke-gpu" },
                { name: "batch", stack: "acme/flyte/gke-batch" },
            ],
        });
    });

    test("a data plane's control plane stack", () => {
        expect(stackRoleOf({ "flyte:clusterRole": "dataPlane", "flyte:controlPlaneStack": "acme/flyte/gke-control" }, "flyte")).toEqual({
            role: "dataPlane",
            dataPlanes: [],
            controlPlaneStack: "acme/flyte/gke-control",
        });
    });

    test.each<[string, Record<string, string>]>([
        ["no role at all", {}],
        ["the project default", { "flyte:clusterRole": "standalone", "flyte:dataPlanes": "[]" }],
        ["a role the program refuses", { "flyte:clusterRole": "edge" }],
        ["another project's key", { "other:clusterRole": "dataPlane" }],
    ])("standalone: %s", (_label, config) => {
        expect(stackRoleOf(config, "flyte")).toEqual({ role: "standalone", dataPlanes: [] });
    });

    test("what the program would refuse is left out, for the program to report", () => {
        const config = {
            "flyte:clusterRole": "controlPlane",
            "flyte:dataPlanes": JSON.stringify(["gpu=gke-gpu", "no-equals", "=gke-x", "name=", 3]),
            "flyte:controlPlaneStack": "[secret]",
        };
        expect(stackRoleOf(config, "flyte")).toEqual({ role: "controlPlane", dataPlanes: [{ name: "gpu", stack: "gke-gpu" }] });
        expect(stackRoleOf({ "flyte:clusterRole": "controlPlane", "flyte:dataPlanes": "not json" }, "flyte").dataPlanes).toEqual([]);
        expect(stackRoleOf({ "flyte:clusterRole": "dataPlane", "flyte:controlPlaneStack": " " }, "flyte")).toEqual({ role: "dataPlane", dataPlanes: [] });
    });
});

describe("shippedStackSource: the stack file a referenced name stands for", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-references-"));
    fs.writeFileSync(path.join(dir, "Pulumi.gke-gpu.yaml"), "config: {}\n");

    test("Pulumi.<last '/' segment>.yaml in the project, whatever the organisation and project before it", () => {
        const expected = { stack: "gke-gpu", stackFile: path.join(dir, "Pulumi.gke-gpu.yaml") };
        expect(shippedStackSource(dir, "gke-gpu")).toEqual(expected);
        expect(shippedStackSource(dir, "acme/flyte/gke-gpu")).toEqual(expected);
    });

    test("none for a stack without a file, nor for a name that is not a stack name", () => {
        expect(shippedStackSource(dir, "gke-batch")).toBeUndefined();
        expect(shippedStackSource(dir, "acme/flyte/")).toBeUndefined();
        expect(shippedStackSource(dir, "..")).toBeUndefined();
    });
});

/** A planner that records its calls and answers with outputs that say what it planned with what it read. */
function recordingPlanner(fail: readonly string[] = []): { plan: ReferenceResolver["plan"]; calls: string[] } {
    const calls: string[] = [];
    let running = false;
    const plan = async (source: StackSource, references: References): Promise<ReferencedStack> => {
        // The runtime is global: the resolver must never plan two stacks at once.
        expect(running).toBe(false);
        running = true;
        await new Promise((resolve) => setImmediate(resolve));
        running = false;
        calls.push(`${source.stack} with {${Object.keys(references).sort().join(", ")}}`);
        if (fail.includes(source.stack)) {
            throw new Error(`invalid config flyte:gkeLocation = "mars"\n    at somewhere`);
        }
        const saw: Record<string, Json> = Object.fromEntries(
            Object.entries(references).map(([name, r]): [string, Json] => [name, r.outputs as Record<string, Json>]),
        );
        return { outputs: { stack: source.stack, saw, token: `token-of-${source.stack}` }, secretOutputNames: ["token"] };
    };
    return { plan, calls };
}

const ROLES: Record<string, StackRole> = {
    "gke-control": { role: "controlPlane", dataPlanes: [{ name: "gpu", stack: "acme/flyte/gke-gpu" }, { name: "batch", stack: "gke-batch" }, { name: "gone", stack: "gke-gone" }] },
    "gke-gpu": { role: "dataPlane", dataPlanes: [], controlPlaneStack: "acme/flyte/gke-control" },
    "gke-batch": { role: "dataPlane", dataPlanes: [], controlPlaneStack: "gke-control" },
    "gke-orphan": { role: "dataPlane", dataPlanes: [], controlPlaneStack: "gke-nowhere" },
    "gke-unset": { role: "dataPlane", dataPlanes: [] },
    dev: { role: "standalone", dataPlanes: [] },
};
const SHIPPED = ["gke-control", "gke-gpu", "gke-batch", "gke-orphan", "gke-unset", "dev"];

function source(stack: string): StackSource {
    return { stack, stackFile: `/project/Pulumi.${stack}.yaml` };
}

function resolver(plan: ReferenceResolver["plan"]): ReferenceResolver {
    return {
        roleOf: (s) => ROLES[s.stack],
        sourceOf: (name) => {
            const stack = name.slice(name.lastIndexOf("/") + 1);
            return SHIPPED.includes(stack) ? source(stack) : undefined;
        },
        plan,
    };
}

describe("resolveReferences: the first deployment simulated", () => {
    test("a standalone stack references nothing and plans nothing else", async () => {
        const { plan, calls } = recordingPlanner();
        expect(await resolveReferences(source("dev"), resolver(plan))).toEqual({});
        expect(calls).toEqual([]);
    });

    test("a data plane reads its control plane as planned before any data plane was deployed", async () => {
        const { plan, calls } = recordingPlanner();
        expect(await resolveReferences(source("gke-gpu"), resolver(plan))).toEqual({
            "acme/flyte/gke-control": {
                outputs: { stack: "gke-control", saw: {}, token: "token-of-gke-control" },
                secretOutputNames: ["token"],
            },
        });
        expect(calls).toEqual(["gke-control with {}"]);
    });

    test("a data plane whose control plane is no shipped stack reads a stack with no outputs; one without a control plane, nothing", async () => {
        const { plan, calls } = recordingPlanner();
        expect(await resolveReferences(source("gke-orphan"), resolver(plan))).toEqual({ "gke-nowhere": NO_OUTPUTS });
        expect(await resolveReferences(source("gke-unset"), resolver(plan))).toEqual({});
        expect(calls).toEqual([]);
    });

    test("a control plane reads each data plane as planned after the control plane's first deployment", async () => {
        const { plan, calls } = recordingPlanner();
        const references = await resolveReferences(source("gke-control"), resolver(plan));
        const controlPlaneFirst = { stack: "gke-control", saw: {}, token: "token-of-gke-control" };
        expect(references).toEqual({
            "acme/flyte/gke-gpu": {
                outputs: { stack: "gke-gpu", saw: { "acme/flyte/gke-control": controlPlaneFirst }, token: "token-of-gke-gpu" },
                secretOutputNames: ["token"],
            },
            "gke-batch": {
                outputs: { stack: "gke-batch", saw: { "gke-control": controlPlaneFirst }, token: "token-of-gke-batch" },
                secretOutputNames: ["token"],
            },
            // Not a shipped stack: never deployed.
            "gke-gone": NO_OUTPUTS,
        });
        // The control plane without references is planned once, for both data planes, whatever they call it.
        expect(calls).toEqual(["gke-control with {}", "gke-gpu with {acme/flyte/gke-control}", "gke-batch with {gke-control}"]);
    });

    test("a referenced stack that fails to plan ends the resolution with one line naming it and who referenced it", async () => {
        const { plan } = recordingPlanner(["gke-control"]);
        const failing = resolveReferences(source("gke-gpu"), resolver(plan));
        await expect(failing).rejects.toBeInstanceOf(ReferencedStackError);
        await expect(failing).rejects.toThrow(
            new ReferencedStackError(
                'the stack gke-control (Pulumi.gke-control.yaml), the control plane of gke-gpu, failed to plan: invalid config flyte:gkeLocation = "mars"',
            ),
        );
        await expect(resolveReferences(source("gke-control"), resolver(recordingPlanner(["gke-batch"]).plan))).rejects.toThrow(
            /^the stack gke-batch \(Pulumi\.gke-batch\.yaml\), data plane batch of gke-control, failed to plan: invalid config/,
        );
    });
});

describe("caching and the referenceOutputs of a plan", () => {
    test("the digest of references does not depend on the order of keys", () => {
        const a: References = { x: { outputs: { a: 1, b: { c: 2, d: 3 } }, secretOutputNames: [] }, y: NO_OUTPUTS };
        const b: References = { y: NO_OUTPUTS, x: { outputs: { b: { d: 3, c: 2 }, a: 1 }, secretOutputNames: [] } };
        expect(referencesDigest(a)).toBe(referencesDigest(b));
        expect(referencesDigest(a)).not.toBe(referencesDigest({ ...a, y: { outputs: { a: 1 }, secretOutputNames: [] } }));
    });

    test("a caching planner plans each stack file, stack and references once", async () => {
        const { plan, calls } = recordingPlanner();
        const cached = cachingPlanner(plan);
        await cached(source("gke-gpu"), {});
        await cached(source("gke-gpu"), {});
        await cached(source("gke-gpu"), { "gke-control": NO_OUTPUTS });
        await cached({ stack: "gke-gpu", stackFile: "/elsewhere/Pulumi.gke-gpu.yaml" }, {});
        expect(calls).toEqual(["gke-gpu with {}", "gke-gpu with {gke-control}", "gke-gpu with {}"]);
    });

    test("withReferenceOutputs sets them out of sight of JSON and copies; referencedStack reads them", () => {
        const referenced: ReferencedStack = { outputs: { token: "in-the-clear" }, secretOutputNames: ["token"] };
        const plan = withReferenceOutputs({ stack: "s", outputs: { token: "[secret]" } }, referenced);
        expect(referencedStack(plan)).toBe(referenced);
        expect(JSON.stringify(plan)).toBe('{"stack":"s","outputs":{"token":"[secret]"}}');
        expect(() => referencedStack(JSON.parse(JSON.stringify(plan)) as typeof plan)).toThrow("the plan of s has no referenceOutputs");
    });
});

/**
 * A tiny project: every stack exports its name, a secret token, and what its StackReferences read of the others'
 * `stack` and `saw` outputs. Planned by test/setup/planStacks.ts in one process, as the shared plans are.
 */
describe("planned for real, several stacks in one process", () => {
    const PROGRAM = [
        'import * as pulumi from "@pulumi/pulumi";',
        'const config = new pulumi.Config("flyte");',
        'const dataPlanes = (config.getObject<string[]>("dataPlanes") ?? []).map((entry) => entry.split("=")[1]);',
        'const controlPlane = config.get("controlPlaneStack");',
        "const names = [...dataPlanes, ...(controlPlane ? [controlPlane] : [])];",
        "const read = (name: string) => {",
        "    const ref = new pulumi.StackReference(name);",
        '    return pulumi.all([ref.getOutput("stack"), ref.getOutput("saw")]).apply(([stack, saw]) => ({ stack: stack ?? null, saw: saw ?? null }));',
        "};",
        "pulumi.log.warn(`planning ${pulumi.getStack()}`);",
        'if (config.getBoolean("fail")) {',
        '    throw new Error("broken on purpose");',
        "}",
        "export const stack = pulumi.getStack();",
        "export const token = pulumi.secret(`token-of-${pulumi.getStack()}`);",
        "export const saw = pulumi.all(Object.fromEntries(names.map((n) => [n, read(n)])));",
        "",
    ].join("\n");
    const STACKS: Record<string, string> = {
        control: 'flyte:clusterRole: controlPlane\n  flyte:dataPlanes: ["gpu=acme/flyte/gpu", "batch=batch", "gone=gone"]',
        gpu: "flyte:clusterRole: dataPlane\n  flyte:controlPlaneStack: acme/flyte/control",
        batch: "flyte:clusterRole: dataPlane\n  flyte:controlPlaneStack: control",
        solo: "flyte:other: 1",
        broken: "flyte:fail: true",
        "child-of-broken": "flyte:clusterRole: dataPlane\n  flyte:controlPlaneStack: broken",
    };
    let project: string;
    let out: string;
    let status: number | null;
    let stderr: string;
    const read = <T>(file: string): T => JSON.parse(fs.readFileSync(path.join(out, file), "utf8")) as T;

    beforeAll(async () => {
        project = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-references-project-"));
        out = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-references-out-"));
        fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(project, "node_modules"), "dir");
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: flyte\nruntime: nodejs\n");
        fs.writeFileSync(path.join(project, "index.ts"), PROGRAM);
        for (const [stack, config] of Object.entries(STACKS)) {
            fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), `config:\n  ${config}\n`);
        }
        ({ status, stderr } = await runTypeScript(PROJECT_DIR, "test/setup/planStacks.ts", ["--project", project, out, "control", "gpu", "solo"]));
    }, 120000);

    afterAll(() => {
        fs.rmSync(project, { recursive: true, force: true });
        fs.rmSync(out, { recursive: true, force: true });
    });

    // Its first deployment: its data planes were never deployed, so it reads no outputs of theirs.
    const neverDeployed = { stack: null, saw: null };
    const controlPlaneFirst = { stack: "control", saw: { "acme/flyte/gpu": neverDeployed, batch: neverDeployed, gone: neverDeployed } };

    test("the control plane reads its data planes, each planned after the control plane's first deployment", () => {
        // What a program prints shows for a stack asked for, not for one planned for its references (gpu, planned so
        // for the control plane, is not planned again).
        expect({ status, stderr }).toEqual({ status: 0, stderr: ["control", "solo"].map((s) => `warning: [runtime] planning ${s}\n`).join("") });
        const plan = read<Plan>("control.json");
        expect(plan.outputs).toEqual({
            stack: "control",
            token: "[secret]",
            saw: {
                "acme/flyte/gpu": { stack: "gpu", saw: { "acme/flyte/control": controlPlaneFirst } },
                batch: { stack: "batch", saw: { control: controlPlaneFirst } },
                gone: neverDeployed,
            },
        });
        expect(plan.resources.filter((r) => r.read).map((r) => r.name)).toEqual(["acme/flyte/gpu", "batch", "gone"]);
    });

    test("a data plane reads its control plane as planned before any data plane", () => {
        expect(read<Plan>("gpu.json").outputs).toEqual({ stack: "gpu", token: "[secret]", saw: { "acme/flyte/control": controlPlaneFirst } });
    });

    test("a standalone stack reads nothing", () => {
        const plan = read<Plan>("solo.json");
        expect(plan.outputs).toEqual({ stack: "solo", token: "[secret]", saw: {} });
        expect(plan.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
    });

    test("each plan's JSON holds no secret; its referenceOutputs are in a file of their own", () => {
        for (const stack of ["control", "gpu", "solo"]) {
            expect(fs.readFileSync(path.join(out, `${stack}.json`), "utf8")).not.toContain(`token-of-${stack}`);
            expect(read<ReferencedStack>(`${stack}.references.json`)).toEqual({
                outputs: expect.objectContaining({ stack, token: `token-of-${stack}` }),
                secretOutputNames: ["token"],
            });
        }
    });

    test("a referenced stack that fails: what its program printed, then one line naming it", async () => {
        const result = await runTypeScript(PROJECT_DIR, "test/setup/planStacks.ts", ["--project", project, "--references", path.join(out, "x.json"), "child-of-broken"]);
        expect(result).toEqual({
            status: 1,
            stdout: "",
            stderr: [
                "warning: [runtime] planning broken",
                "the stack broken (Pulumi.broken.yaml), the control plane of child-of-broken, failed to plan: broken on purpose",
                "",
            ].join("\n"),
        });
    });

    test("--references writes the references `npm run plan` resolves for a stack file", async () => {
        const file = path.join(out, "references-of-gpu.json");
        const copy = path.join(out, "Pulumi.gpu-copy.yaml");
        fs.copyFileSync(path.join(project, "Pulumi.gpu.yaml"), copy);
        const result = await runTypeScript(PROJECT_DIR, "test/setup/planStacks.ts", ["--project", project, "--references", file, "--stack-file", copy, "gpu-copy"]);
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
        expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual({
            "acme/flyte/control": { outputs: { stack: "control", saw: controlPlaneFirst.saw, token: "token-of-control" }, secretOutputNames: ["token"] },
        });
    });
});

describe("for the tests: planStack's references when none are given (test/helpers/plan.ts)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-references-file-"));
    const file = (name: string, config: string) => {
        const stackFile = path.join(dir, `Pulumi.${name}.yaml`);
        fs.writeFileSync(stackFile, `config:\n  ${config}\n`);
        return stackFile;
    };

    test("a standalone stack file: none, and no process started", async () => {
        await expect(resolvedReferences("scratch", file("scratch", "flyte:cloud: gcp"))).resolves.toEqual({});
    });

    test("a data plane file: resolved in a process of its own, as `npm run plan` resolves them", async () => {
        const stackFile = file("orphan", "flyte:clusterRole: dataPlane\n  flyte:controlPlaneStack: acme/flyte/no-such-stack");
        await expect(resolvedReferences("orphan", stackFile)).resolves.toEqual({ "acme/flyte/no-such-stack": NO_OUTPUTS });
    });
});
