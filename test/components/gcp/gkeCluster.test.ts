import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { NODE_SERVICE_ACCOUNT_ROLES } from "../../../components/gcp/gkeCluster";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component } from "../../helpers/components";
import { planGkeCluster } from "../../helpers/gcp";
import { byName, ofType } from "../../helpers/plan";
import { at } from "../../helpers/json";

function planCluster(overrides: Record<string, string>, deletionProtection: boolean, gatewayApi?: boolean): Promise<Plan> {
    return planGkeCluster(overrides, { deletionProtection, gatewayApi }, (gke) => ({ kubeconfig: pulumi.unsecret(gke.kubeconfig), workloadPool: gke.workloadPool }));
}

const NODE_SA = "flyte-test-nodes@acme-test.iam.gserviceaccount.com";

describe("private control plane (default)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCluster({ "flyte:gkeLocation": "europe-west1-b", "flyte:gkeSpotNodes": "true" }, false);
    });
    const cluster = () => byName(plan, "gcp:container/cluster:Cluster", "gke-cluster");
    const pool = () => byName(plan, "gcp:container/nodePool:NodePool", "gke-pool");

    test("Workload Identity pool is <project>.svc.id.goog and is exported from the cluster", () => {
        expect(at(cluster().inputs, "workloadIdentityConfig", "workloadPool")).toBe("acme-test.svc.id.goog");
        expect(plan.outputs.workloadPool).toBe("acme-test.svc.id.goog");
    });

    test("every pool runs GKE_METADATA as the dedicated node account, never the Compute default", () => {
        for (const nodeConfig of [at(cluster().inputs, "nodeConfig"), at(pool().inputs, "nodeConfig")]) {
            expect(at(nodeConfig, "workloadMetadataConfig", "mode")).toBe("GKE_METADATA");
            expect(at(nodeConfig, "serviceAccount")).toBe(NODE_SA);
            expect(at(nodeConfig, "shieldedInstanceConfig", "enableSecureBoot")).toBe(true);
        }
        expect(cluster().inputs.removeDefaultNodePool).toBe(true);
        expect(ofType(plan, "gcp:container/nodePool:NodePool")).toHaveLength(1);
    });

    test("nodes are private, VPC-native, on a release channel, in the configured zone", () => {
        const c = cluster().inputs;
        expect(at(c, "privateClusterConfig", "enablePrivateNodes")).toBe(true);
        expect(c.networkingMode).toBe("VPC_NATIVE");
        expect(at(c, "ipAllocationPolicy")).toEqual({
            clusterSecondaryRangeName: "pods",
            servicesSecondaryRangeName: "services",
        });
        expect(at(c, "releaseChannel", "channel")).toBe("REGULAR");
        expect(c.location).toBe("europe-west1-b");
        expect(at(pool().inputs, "location")).toBe("europe-west1-b");
        expect(at(pool().inputs, "nodeConfig", "spot")).toBe(true);
        expect(at(pool().inputs, "autoscaling")).toMatchObject({ minNodeCount: 1, maxNodeCount: 3 });
    });

    test("no public IP endpoint: the control plane is reached through the IAM-authenticated DNS endpoint", () => {
        const c = cluster().inputs;
        expect(at(c, "privateClusterConfig", "enablePrivateEndpoint")).toBe(true);
        expect(at(c, "masterAuthorizedNetworksConfig", "cidrBlocks")).toEqual([]);
        expect(at(c, "controlPlaneEndpointsConfig", "dnsEndpointConfig", "allowExternalTraffic")).toBe(true);
        const kubeconfig = parse(String(plan.outputs.kubeconfig));
        const server = String(at(kubeconfig, "clusters", 0, "cluster", "server"));
        expect(server).toMatch(/^https:\/\/gke-[0-9a-f]+-[0-9a-f]+\.europe-west1\.gke\.goog$/);
        expect(at(kubeconfig, "clusters", 0, "cluster", "certificate-authority-data")).toBeUndefined();
        expect(at(kubeconfig, "users", 0, "user", "exec", "command")).toBe("gke-gcloud-auth-plugin");
    });

    test("deletion protection follows the stack", () => {
        expect(cluster().inputs.deletionProtection).toBe(false);
    });

    test("without an HTTPS endpoint, the Gateway API is not declared and the add-ons are as before", () => {
        expect(cluster().inputs.gatewayApiConfig).toBeUndefined();
        expect(at(cluster().inputs, "addonsConfig")).toEqual({ gcePersistentDiskCsiDriverConfig: { enabled: true } });
    });

    test("the node account gets logging and monitoring roles only", () => {
        const grants = ofType(plan, "gcp:projects/iAMMember:IAMMember");
        expect(grants.map((g) => g.inputs.role).sort()).toEqual([...NODE_SERVICE_ACCOUNT_ROLES].sort());
        for (const g of grants) {
            expect(g.inputs).toMatchObject({ project: "acme-test", member: `serviceAccount:${NODE_SA}` });
        }
        expect(pool().dependencies).toEqual(expect.arrayContaining(grants.map((g) => g.urn)));
    });

    test("the Kubernetes provider is built from the cluster's kubeconfig, kept secret", () => {
        const provider = byName(plan, "pulumi:providers:kubernetes", "gke-k8s");
        expect(provider.inputs.kubeconfig).toBe("[secret]");
        expect(provider.dependencies).toContain(cluster().urn);
        const gke = component(plan, "flyte:gcp:GkeCluster");
        expect(childrenOf(plan, gke)).toContainEqual(expect.objectContaining({ urn: provider.urn }));
    });

    test("the control plane may call Flyte's pod webhook on the nodes, and nothing else is opened", () => {
        const firewalls = ofType(plan, "gcp:compute/firewall:Firewall");
        expect(firewalls).toHaveLength(1);
        const rule = firewalls[0];
        expect(rule.inputs).toMatchObject({
            project: "acme-test",
            name: "flyte-test-webhooks",
            network: "projects/acme-test/global/networks/vpc",
            direction: "INGRESS",
            // The control plane's private endpoint, as the (mocked) cluster reports it.
            sourceRanges: ["10.0.0.2/32"],
            targetServiceAccounts: [NODE_SA],
            allows: [{ protocol: "tcp", ports: ["9443"] }],
        });
        expect(rule.dependencies).toContain(cluster().urn);
        expect(rule.parent).toBe(component(plan, "flyte:gcp:GkeCluster").urn);
    });
});

describe("public endpoint restricted to authorized networks", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCluster({ "flyte:gkeAuthorizedNetworks": JSON.stringify(["203.0.113.0/24"]) }, true);
    });

    test("the IP endpoint is public only to the listed CIDRs and the kubeconfig uses it with the cluster CA", () => {
        const c = byName(plan, "gcp:container/cluster:Cluster", "gke-cluster").inputs;
        expect(at(c, "privateClusterConfig", "enablePrivateEndpoint")).toBe(false);
        expect(at(c, "masterAuthorizedNetworksConfig", "cidrBlocks")).toEqual([
            { cidrBlock: "203.0.113.0/24", displayName: "authorized 203.0.113.0/24" },
        ]);
        expect(at(c, "masterAuthorizedNetworksConfig", "gcpPublicCidrsAccessEnabled")).toBe(false);
        expect(c.deletionProtection).toBe(true);
        expect(c.location).toBe("europe-west1");
        const kubeconfig = parse(String(plan.outputs.kubeconfig));
        expect(at(kubeconfig, "clusters", 0, "cluster", "server")).toBe("https://172.16.0.2");
        expect(at(kubeconfig, "clusters", 0, "cluster", "certificate-authority-data")).toBe(
            Buffer.from("mock-ca-flyte-test").toString("base64"),
        );
    });
});

describe("with the Gateway API (an HTTPS endpoint)", () => {
    test("the Gateway API's standard channel is enabled, with the HTTP load balancing add-on GKE's Gateway controller needs", async () => {
        const plan = await planCluster({}, false, true);
        const c = byName(plan, "gcp:container/cluster:Cluster", "gke-cluster").inputs;
        expect(at(c, "gatewayApiConfig")).toEqual({ channel: "CHANNEL_STANDARD" });
        expect(at(c, "addonsConfig")).toEqual({ gcePersistentDiskCsiDriverConfig: { enabled: true }, httpLoadBalancing: { disabled: false } });
        // Nothing else about the cluster changes.
        const without = byName(await planCluster({}, false), "gcp:container/cluster:Cluster", "gke-cluster").inputs;
        const rest = (inputs: Record<string, unknown>) => Object.fromEntries(Object.entries(inputs).filter(([k]) => k !== "gatewayApiConfig" && k !== "addonsConfig"));
        expect(rest(c)).toEqual(rest(without));
    });
});
