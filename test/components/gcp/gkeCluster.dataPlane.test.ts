import type { Plan } from "../../../lib/plan/runPlan";
import { planGkeCluster } from "../../helpers/gcp";
import { at } from "../../helpers/json";
import { only } from "../../helpers/plan";

/**
 * GkeCluster as a data plane's: clients elsewhere in the network (the control plane's ranges) in the master authorized
 * networks ahead of the configured ones, the private endpoint reachable from every region, and the private endpoint's
 * address for them; without those arguments, the cluster is declared exactly as before (gkeCluster.test.ts).
 */

function planCluster(overrides: Record<string, string>, extra: { privateEndpointClients?: readonly string[]; privateEndpointGlobalAccess?: boolean }): Promise<Plan> {
    return planGkeCluster(overrides, extra, (gke) => ({ privateEndpoint: gke.privateEndpoint }));
}

const cluster = (plan: Plan) => only(plan, "gcp:container/cluster:Cluster").inputs;

test("the control plane's ranges are authorized for the private endpoint, reachable from every region", async () => {
    const plan = await planCluster({}, { privateEndpointClients: ["10.0.0.0/20", "10.16.0.0/14"], privateEndpointGlobalAccess: true });
    expect(at(cluster(plan), "masterAuthorizedNetworksConfig")).toEqual({
        gcpPublicCidrsAccessEnabled: false,
        cidrBlocks: [
            { cidrBlock: "10.0.0.0/20", displayName: "private endpoint client 10.0.0.0/20" },
            { cidrBlock: "10.16.0.0/14", displayName: "private endpoint client 10.16.0.0/14" },
        ],
    });
    expect(at(cluster(plan), "privateClusterConfig")).toEqual({
        enablePrivateNodes: true,
        // Internal ranges never open the public endpoint.
        enablePrivateEndpoint: true,
        masterGlobalAccessConfig: { enabled: true },
    });
    expect(plan.outputs.privateEndpoint).toMatch(/^172\.16\.\d+\.\d+$/);
});

test("configured authorized networks follow, once each; the public endpoint follows them alone", async () => {
    const plan = await planCluster(
        { "flyte:gkeAuthorizedNetworks": JSON.stringify(["203.0.113.0/24", "10.0.0.0/20"]) },
        { privateEndpointClients: ["10.0.0.0/20"] },
    );
    expect(at(cluster(plan), "masterAuthorizedNetworksConfig", "cidrBlocks")).toEqual([
        { cidrBlock: "10.0.0.0/20", displayName: "private endpoint client 10.0.0.0/20" },
        { cidrBlock: "203.0.113.0/24", displayName: "authorized 203.0.113.0/24" },
    ]);
    expect(at(cluster(plan), "privateClusterConfig", "enablePrivateEndpoint")).toBe(false);
    expect(at(cluster(plan), "privateClusterConfig", "masterGlobalAccessConfig")).toBeUndefined();
});

test("without them: no clients, no global access, the private endpoint still reported", async () => {
    const plan = await planCluster({}, {});
    expect(at(cluster(plan), "masterAuthorizedNetworksConfig", "cidrBlocks")).toEqual([]);
    expect(at(cluster(plan), "privateClusterConfig")).toEqual({ enablePrivateNodes: true, enablePrivateEndpoint: true });
    expect(plan.outputs.privateEndpoint).toBe("10.0.0.2");
});
