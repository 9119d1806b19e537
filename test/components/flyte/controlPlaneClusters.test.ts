import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneConfig, DataPlaneOutput, ResolvedDataPlane } from "../../../components/contract/multiCluster";
import {
    clusterCredentialFiles,
    ControlPlaneClusters,
    controlPlaneClusters,
    DATACATALOG_INTERNAL_SERVICE,
    datacatalogSelector,
} from "../../../components/flyte/controlPlaneClusters";
import { CLUSTER_CREDENTIALS_SECRET } from "../../../components/flyte/multiCluster";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { ofType } from "../../helpers/plan";

function dataPlane(name: string, podRange: string): ResolvedDataPlane {
    const output: DataPlaneOutput = {
        cloud: "gcp",
        apiEndpoint: `https://10.${podRange.split(".")[1]}.0.2`,
        caCertificate: `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`,
        adminServiceAccount: "flyte/flyteadmin-remote",
        tokenGeneration: 1,
        podRange,
    };
    return { ref: { name, stack: `gke-${name}` }, output, token: pulumi.secret(`token-of-${name}`) };
}

const GPU = dataPlane("gpu", "10.44.0.0/14");
const BATCH = dataPlane("batch", "10.56.0.0/14");
const CONFIG: ControlPlaneConfig = {
    role: "controlPlane",
    dataPlanes: [GPU.ref, BATCH.ref],
    propeller: false,
    defaultCluster: "batch",
    routes: [],
};

describe("flyteadmin's clusters", () => {
    test("the registered data planes, their endpoints and files, and the configured default", () => {
        expect(controlPlaneClusters(CONFIG, [GPU, BATCH])).toEqual({
            clusterConfigs: [
                { name: "gpu", endpoint: "https://10.44.0.2", enabled: true, auth: { tokenPath: "/var/run/credentials/gpu_token", certPath: "/var/run/credentials/gpu_cacert" } },
                { name: "batch", endpoint: "https://10.56.0.2", enabled: true, auth: { tokenPath: "/var/run/credentials/batch_token", certPath: "/var/run/credentials/batch_cacert" } },
            ],
            labelClusterMap: { gpu: [{ id: "gpu", weight: 1 }], batch: [{ id: "batch", weight: 1 }] },
            defaultExecutionLabel: "batch",
        });
    });

    test("none before any data plane has published its outputs (the first deployment)", () => {
        expect(controlPlaneClusters(CONFIG, [])).toBeUndefined();
    });

    test("a default not registered yet falls back to the first registered data plane", () => {
        expect(controlPlaneClusters(CONFIG, [GPU])?.defaultExecutionLabel).toBe("gpu");
    });

    test("with its own propeller the control plane's cluster is there from the start", () => {
        const own = { ...CONFIG, propeller: true, defaultCluster: "gpu" };
        expect(controlPlaneClusters(own, [])).toEqual({
            clusterConfigs: [{ name: "control-plane", enabled: true, inCluster: true }],
            labelClusterMap: { "control-plane": [{ id: "control-plane", weight: 1 }] },
            defaultExecutionLabel: "control-plane",
        });
    });

    test("the credentials: each data plane's token and CA under the file names clusters points at", async () => {
        const files = clusterCredentialFiles([GPU]);
        expect(Object.keys(files).sort()).toEqual(["gpu_cacert", "gpu_token"]);
        expect(await pulumi.isSecret(files.gpu_token)).toBe(true);
    });
});

describe("ControlPlaneClusters", () => {
    async function plan(dataPlanes: readonly ResolvedDataPlane[]): Promise<Plan> {
        return runComponents(() => {
            const provider = new k8s.Provider("k8s", {});
            const clusters = new ControlPlaneClusters("flyte-clusters", {
                config: CONFIG,
                dataPlanes,
                namespace: pulumi.output("flyte"),
                internalServiceAnnotations: { "networking.gke.io/load-balancer-type": "Internal" },
                fallbackSourceRanges: ["10.0.0.0/20", "10.16.0.0/14"],
                labels: { "app.kubernetes.io/part-of": "flyte" },
                provider,
            });
            return { datacatalog: clusters.datacatalog };
        });
    }
    let registered: Plan;
    let first: Plan;
    beforeAll(async () => {
        registered = await plan([GPU, BATCH]);
        first = await plan([]);
    });

    test("the credentials Secret under the name the chart mounts, every value a secret", () => {
        const [secret] = ofType(registered, "kubernetes:core/v1:Secret");
        expect(secret.inputs.metadata).toMatchObject({ name: CLUSTER_CREDENTIALS_SECRET, namespace: "flyte" });
        // Its files are clusterCredentialFiles' (above); the tokens make the whole of it a secret.
        expect(secret.inputs.stringData).toBe("[secret]");
        expect(JSON.stringify(registered)).not.toContain("token-of-gpu");
    });

    test("datacatalog's internal load balancer admits only the data planes' pods", () => {
        const [service] = ofType(registered, "kubernetes:core/v1:Service");
        expect(service.inputs).toMatchObject({
            metadata: { name: DATACATALOG_INTERNAL_SERVICE, annotations: { "networking.gke.io/load-balancer-type": "Internal" } },
            spec: {
                type: "LoadBalancer",
                selector: datacatalogSelector(),
                ports: [{ name: "grpc", port: 89, targetPort: 8089, protocol: "TCP" }],
                loadBalancerSourceRanges: ["10.44.0.0/14", "10.56.0.0/14"],
            },
        });
        expect(registered.outputs.datacatalog).toEqual({ endpoint: expect.stringMatching(/^[a-z0-9.-]+:89$/), insecure: true });
    });

    test("before any data plane: no Secret, and the load balancer admits only the control plane's own ranges", () => {
        expect(ofType(first, "kubernetes:core/v1:Secret")).toEqual([]);
        const [service] = ofType(first, "kubernetes:core/v1:Service");
        expect((service.inputs.spec as { loadBalancerSourceRanges: string[] }).loadBalancerSourceRanges).toEqual(["10.0.0.0/20", "10.16.0.0/14"]);
    });
});
