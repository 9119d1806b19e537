/**
 * What a plan gives a program that reads other stacks (a control plane and its data planes): StackReferences read
 * the plan's references (a name it has none for reads as a stack with no outputs) and are recorded as reads; a plan
 * keeps its outputs unmasked for other plans' references, never printed; the mocks answer a service account token
 * Secret with a token and the cluster CA, as Kubernetes fills them. Each test runs a tiny program inline.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { MOCK_CLUSTER_CA_PEM, mockResource, mockServiceAccountToken } from "../../../lib/plan/mocks";
import { STACK_REFERENCE_TYPE } from "../../../lib/plan/monitor";
import { NO_OUTPUTS, type References, referencedStack } from "../../../lib/plan/references";
import { planDocument, renderTree } from "../../../lib/plan/render";
import { type Plan, runProgram } from "../../../lib/plan/runPlan";
import type { Json } from "../../../lib/plan/wire";

/** What the program under test saw, filled in as it runs. */
interface Seen {
    [key: string]: unknown;
}

function run(stack: string, references: References, program: (seen: Seen) => Promise<Record<string, unknown>>): Promise<{ plan: Plan; seen: Seen }> {
    const seen: Seen = {};
    return runProgram({ project: "flyte", stack, config: {}, references, program: () => program(seen) }).then((plan) => ({ plan, seen }));
}

const CONTROL_PLANE = "acme/flyte/gke-control";
const TOKEN = "s3cr3t-t0ken-of-the-control-plane";
const CONTROL_PLANE_STACK: References = {
    [CONTROL_PLANE]: {
        outputs: { controlPlane: { admin: "10.0.0.10:81" }, controlPlaneClientSecret: TOKEN },
        secretOutputNames: ["controlPlaneClientSecret"],
    },
};

describe("a StackReference under the plan's references", () => {
    let plan: Plan;
    let seen: Seen;
    beforeAll(async () => {
        ({ plan, seen } = await run("gke-gpu", CONTROL_PLANE_STACK, async (s) => {
            const ref = new pulumi.StackReference(CONTROL_PLANE);
            s.plain = await ref.getOutputDetails("controlPlane");
            s.secret = await ref.getOutputDetails("controlPlaneClientSecret");
            s.missing = await ref.getOutputDetails("nope");
            const secretOutput = ref.getOutput("controlPlaneClientSecret");
            const plainOutput = ref.getOutput("controlPlane");
            s.secretOutputIsSecret = await pulumi.isSecret(secretOutput);
            s.plainOutputIsSecret = await pulumi.isSecret(plainOutput);
            const never = new pulumi.StackReference("never-deployed", { name: "acme/flyte/gke-batch" });
            s.neverOutputs = await never.getOutputDetails("dataPlane");
            s.neverAll = await new Promise((resolve) => never.outputs.apply(resolve));
            // Exported as the program gets it: a secret stays a secret.
            return { clientSecret: secretOutput, admin: plainOutput };
        }));
    });

    test("getOutputDetails gives { value } for a plain output, { secretValue } for a secret one", () => {
        expect(seen.plain).toEqual({ value: { admin: "10.0.0.10:81" } });
        expect(seen.secret).toEqual({ secretValue: TOKEN });
        expect(seen.missing).toEqual({ value: undefined });
    });

    test("getOutput marks a secret output secret, and only that one", () => {
        expect(seen.secretOutputIsSecret).toBe(true);
        expect(seen.plainOutputIsSecret).toBe(false);
        expect(plan.outputs).toEqual({ admin: { admin: "10.0.0.10:81" }, clientSecret: "[secret]" });
    });

    test("a name the plan has no references for reads as a stack that was never deployed: no outputs", () => {
        expect(seen.neverOutputs).toEqual({ value: undefined });
        expect(seen.neverAll).toEqual({});
    });

    test("each StackReference is recorded as a read with the name the program passed, and creates nothing", () => {
        const reads = plan.resources.filter((r) => r.type === STACK_REFERENCE_TYPE);
        expect(reads.map((r) => ({ urn: r.urn, name: r.name, inputs: r.inputs, read: r.read, custom: r.custom }))).toEqual([
            {
                urn: `urn:pulumi:gke-gpu::flyte::${STACK_REFERENCE_TYPE}::${CONTROL_PLANE}`,
                name: CONTROL_PLANE,
                inputs: { name: CONTROL_PLANE },
                read: true,
                custom: true,
            },
            {
                urn: `urn:pulumi:gke-gpu::flyte::${STACK_REFERENCE_TYPE}::never-deployed`,
                name: "never-deployed",
                inputs: { name: "acme/flyte/gke-batch" },
                read: true,
                custom: true,
            },
        ]);
        expect(plan.resources.filter((r) => r.type !== STACK_REFERENCE_TYPE).every((r) => r.read === undefined)).toBe(true);
    });

    test("the document marks the reads; the tree marks them and counts them apart from the resources", () => {
        const doc = planDocument(plan);
        expect(doc.resources.filter((r) => r.read).map((r) => r.name)).toEqual([CONTROL_PLANE, "never-deployed"]);
        expect(doc.resources.find((r) => r.type === "pulumi:pulumi:Stack")).not.toHaveProperty("read");
        const tree = renderTree(plan);
        expect(tree).toMatch(/^Plan for stack gke-gpu \(project flyte\): 0 resources in 1 components, 2 stacks read\n/);
        expect(tree).toContain(`${STACK_REFERENCE_TYPE}  ${CONTROL_PLANE}  [read]`);
    });

    test("what the references hold in secret appears in no rendering of the plan", () => {
        for (const text of [JSON.stringify(plan), JSON.stringify(planDocument(plan)), renderTree(plan)]) {
            expect(text).not.toContain(TOKEN);
        }
    });
});

describe("a plan's referenceOutputs: its outputs as a StackReference to it reads them", () => {
    let producer: Plan;
    let consumerSeen: Seen;
    beforeAll(async () => {
        ({ plan: producer } = await run("gke-control", {}, async () => ({
            plain: "visible",
            token: pulumi.secret("hidden-token-value"),
            nested: { endpoint: "https://10.0.0.2", ca: pulumi.secret("hidden-ca") },
            list: [1, 2],
        })));
        ({ seen: consumerSeen } = await run("gke-gpu", { "gke-control": referencedStack(producer) }, async (s) => {
            const ref = new pulumi.StackReference("gke-control");
            s.token = await ref.getOutputDetails("token");
            s.nested = await ref.getOutputDetails("nested");
            s.plain = await ref.getOutputDetails("plain");
            return {};
        }));
    });

    test("holds every output in the clear, and names those with a secret anywhere in them, as Pulumi does", () => {
        expect(producer.referenceOutputs).toEqual({
            outputs: { list: [1, 2], nested: { ca: "hidden-ca", endpoint: "https://10.0.0.2" }, plain: "visible", token: "hidden-token-value" },
            secretOutputNames: ["nested", "token"],
        });
        expect(producer.outputs).toEqual({ list: [1, 2], nested: { ca: "[secret]", endpoint: "https://10.0.0.2" }, plain: "visible", token: "[secret]" });
    });

    test("is never printed: not in the plan's JSON, its document or its tree, nor in a copy of the plan", () => {
        for (const text of [JSON.stringify(producer), JSON.stringify(planDocument(producer)), renderTree(producer)]) {
            expect(text).not.toContain("hidden-token-value");
            expect(text).not.toContain("hidden-ca");
        }
        expect(Object.keys(producer)).not.toContain("referenceOutputs");
        expect({ ...producer }.referenceOutputs).toBeUndefined();
        expect(() => referencedStack({ ...producer })).toThrow("the plan of gke-control has no referenceOutputs");
    });

    test("serves as the referenced stack of another plan, secrets secret there", () => {
        expect(consumerSeen).toEqual({
            token: { secretValue: "hidden-token-value" },
            nested: { secretValue: { ca: "hidden-ca", endpoint: "https://10.0.0.2" } },
            plain: { value: "visible" },
        });
    });

    test("a plan with no outputs reads as a stack with no outputs", async () => {
        const { plan } = await run("empty", {}, async () => ({}));
        expect(plan.referenceOutputs).toEqual(NO_OUTPUTS);
    });
});

describe("the mocks of what a multi-cluster deployment reads", () => {
    test("a service account token Secret reports the token, the cluster CA and the namespace, its data secret", async () => {
        const seen: Seen = {};
        const { plan } = await run("gke-gpu", {}, async () => {
            const token = new k8s.core.v1.Secret("flyteadmin-remote-token-1", {
                metadata: { name: "flyteadmin-remote-token-1", namespace: "flyte", annotations: { "kubernetes.io/service-account.name": "flyteadmin-remote" } },
                type: "kubernetes.io/service-account-token",
            });
            const data = token.data;
            seen.dataIsSecret = await pulumi.isSecret(data);
            seen.data = await new Promise((resolve) => data.apply(resolve));
            return { dataPlaneToken: data.apply((d) => Buffer.from(d.token, "base64").toString()) };
        });
        const decoded = Object.fromEntries(
            Object.entries(seen.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, "base64").toString()]),
        );
        expect(decoded).toEqual({ token: mockServiceAccountToken("flyteadmin-remote-token-1"), "ca.crt": MOCK_CLUSTER_CA_PEM, namespace: "flyte" });
        expect(seen.dataIsSecret).toBe(true);
        expect(mockServiceAccountToken("flyteadmin-remote-token-1")).toMatch(/^mocktoken[0-9a-f]{32}$/);
        expect(mockServiceAccountToken("flyteadmin-remote-token-2")).not.toBe(mockServiceAccountToken("flyteadmin-remote-token-1"));
        expect(MOCK_CLUSTER_CA_PEM).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=]+\n-----END CERTIFICATE-----\n$/);
        // The token reaches the outputs secret, and only the referenceOutputs hold it in the clear.
        expect(plan.outputs.dataPlaneToken).toBe("[secret]");
        expect(JSON.stringify(plan)).not.toContain(mockServiceAccountToken("flyteadmin-remote-token-1"));
        expect(referencedStack(plan)).toEqual({
            outputs: { dataPlaneToken: mockServiceAccountToken("flyteadmin-remote-token-1") },
            secretOutputNames: ["dataPlaneToken"],
        });
    });

    test("any other Secret reports what it was given, as before", () => {
        const inputs: { [key: string]: Json } = { metadata: { name: "db", namespace: "flyte" }, type: "Opaque", stringData: { password: "x" } };
        expect(mockResource("kubernetes:core/v1:Secret", "db", inputs)).toEqual({ id: "db-id", state: inputs });
        expect(mockResource("kubernetes:core/v1:Secret", "plain", {})).toEqual({ id: "plain-id", state: {} });
    });

    test("a GKE cluster reports its private endpoint and its CA certificate", async () => {
        const seen: Seen = {};
        await run("gke-gpu", {}, async () => {
            const cluster = new gcp.container.Cluster("gke-cluster", { name: "flyte-gke-gpu", location: "europe-west4" });
            seen.endpoint = await new Promise((resolve) => cluster.privateClusterConfig.apply((c) => resolve(c.privateEndpoint)));
            seen.ca = await new Promise((resolve) => cluster.masterAuth.apply((a) => resolve(a.clusterCaCertificate)));
            return {};
        });
        expect(seen.endpoint).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        expect(Buffer.from(String(seen.ca), "base64").toString()).toBe("mock-ca-flyte-gke-gpu");
    });
});
