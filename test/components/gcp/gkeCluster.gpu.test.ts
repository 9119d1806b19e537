import type { Plan } from "../../../lib/plan/runPlan";
import { component } from "../../helpers/components";
import { planGkeCluster } from "../../helpers/gcp";
import { at } from "../../helpers/json";
import { byName, ofType } from "../../helpers/plan";

/**
 * GkeCluster's GPU node pool (config.gpuPool, from gkeGpuType): a second pool that scales from zero, its nodes with
 * GKE-installed drivers, running as the same node account with the same metadata server, shielding and management as
 * the Flyte pool; without the config, the cluster has the Flyte pool only (gkeCluster.test.ts).
 */

const NODE_POOL = "gcp:container/nodePool:NodePool";

function planCluster(overrides: Record<string, string>): Promise<Plan> {
    return planGkeCluster(overrides, {}, (gke) => ({ gpuNodePool: gke.gpuNodePool === undefined ? "none" : gke.gpuNodePool.name }));
}

describe("with gkeGpuType", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCluster({
            "flyte:gkeLocation": "europe-west1-b",
            "flyte:gkeSpotNodes": "true",
            "flyte:gkeGpuType": "nvidia-l4",
            "flyte:gkeGpuCount": "2",
            "flyte:gkeGpuMachineType": "g2-standard-24",
            "flyte:gkeGpuMaxNodesPerZone": "4",
        });
    });
    const main = () => byName(plan, NODE_POOL, "gke-pool");
    const gpu = () => byName(plan, NODE_POOL, "gke-gpu-pool");

    test("a second pool, flyte-gpu, in the cluster's location, exposed as gpuNodePool", () => {
        expect(ofType(plan, NODE_POOL)).toHaveLength(2);
        expect(gpu().inputs).toMatchObject({ project: "acme-test", name: "flyte-gpu", location: "europe-west1-b" });
        expect(gpu().inputs.cluster).toBe(main().inputs.cluster);
        expect(gpu().parent).toBe(component(plan, "flyte:gcp:GkeCluster").urn);
        expect(plan.outputs.gpuNodePool).toBe("flyte-gpu");
    });

    test("scales to zero: no node until a GPU task waits, at most gkeGpuMaxNodesPerZone", () => {
        expect(at(gpu().inputs, "autoscaling")).toEqual({ minNodeCount: 0, maxNodeCount: 4, locationPolicy: "ANY" });
        expect(gpu().inputs.initialNodeCount).toBe(0);
    });

    test("its nodes carry the accelerators, with the driver GKE installs", () => {
        expect(at(gpu().inputs, "nodeConfig", "guestAccelerators")).toEqual([
            { type: "nvidia-l4", count: 2, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } },
        ]);
        expect(at(gpu().inputs, "nodeConfig", "machineType")).toBe("g2-standard-24");
        expect(at(gpu().inputs, "nodeConfig", "labels")).toEqual({ "flyte.org/node-role": "gpu" });
        // Spot is the Flyte pool's setting; GPU nodes are on-demand.
        expect(at(gpu().inputs, "nodeConfig", "spot")).toBeUndefined();
        expect(at(main().inputs, "nodeConfig", "spot")).toBe(true);
        // No taint of ours: GKE taints GPU nodes itself (nvidia.com/gpu=present:NoSchedule).
        expect(at(gpu().inputs, "nodeConfig", "taints")).toBeUndefined();
    });

    test("the same node account, scopes, metadata server, shielding and legacy-endpoint setting as the Flyte pool", () => {
        for (const field of ["serviceAccount", "oauthScopes", "workloadMetadataConfig", "shieldedInstanceConfig", "metadata", "diskSizeGb", "diskType"]) {
            expect({ field, value: at(gpu().inputs, "nodeConfig", field) }).toEqual({ field, value: at(main().inputs, "nodeConfig", field) });
        }
        expect(at(gpu().inputs, "nodeConfig", "serviceAccount")).toBe("flyte-test-nodes@acme-test.iam.gserviceaccount.com");
        expect(at(gpu().inputs, "nodeConfig", "workloadMetadataConfig", "mode")).toBe("GKE_METADATA");
    });

    test("the same repair, upgrade and surge settings as the Flyte pool", () => {
        expect(at(gpu().inputs, "management")).toEqual(at(main().inputs, "management"));
        expect(at(gpu().inputs, "upgradeSettings")).toEqual(at(main().inputs, "upgradeSettings"));
    });

    test("created after the Flyte pool (GKE taints a GPU pool added beside a pool without GPUs) and the node account's roles", () => {
        const roles = ofType(plan, "gcp:projects/iAMMember:IAMMember").map((r) => r.urn);
        expect(roles.length).toBeGreaterThan(0);
        expect(gpu().dependencies).toEqual(expect.arrayContaining([main().urn, ...roles]));
    });

    test("the Flyte pool is as without a GPU pool", async () => {
        const without = await planCluster({ "flyte:gkeLocation": "europe-west1-b", "flyte:gkeSpotNodes": "true" });
        expect(main().inputs).toEqual(byName(without, NODE_POOL, "gke-pool").inputs);
    });
});

test("without gkeGpuType: the Flyte pool only, no gpuNodePool", async () => {
    const plan = await planCluster({});
    expect(ofType(plan, NODE_POOL).map((p) => p.name)).toEqual(["gke-pool"]);
    expect(plan.outputs.gpuNodePool).toBe("none");
});
