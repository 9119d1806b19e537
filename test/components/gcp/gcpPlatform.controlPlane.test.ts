import * as pulumi from "@pulumi/pulumi";
import type { GcpStackConfig } from "../../../components/contract/config";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs } from "../../../components/contract/platform";
import { gcpControlPlaneNetwork, GcpPlatform } from "../../../components/gcp/gcpPlatform";
import { gcpNames } from "../../../components/gcp/names";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";

/**
 * GcpPlatform as a multi-cluster control plane (`controlPlane: true`): it states what its data planes join (the VPC
 * network's self link, the node subnet's and pods' ranges, the region, whether flyteadmin answers every region, and
 * the annotations of an internal load balancer with global access) and declares nothing more; without the argument,
 * no `controlPlane` at all.
 */

const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: "acme-test" });
const NETWORK = `https://www.googleapis.com/compute/v1/projects/acme-test/global/networks/${names.network}`;

function planPlatform(config: GcpStackConfig, controlPlane: boolean): Promise<Plan> {
    return runComponents(() => {
        const platform = new GcpPlatform("gcp", {
            ...commonPlatformArgs(config, flyteWorkloads(config.flyte)),
            config: config.gcp,
            ...(controlPlane && { controlPlane: { dataPlanes: [] } }),
        });
        const network = platform.controlPlane;
        return { controlPlane: network ? { ...network, published: network.published } : "none" };
    });
}

/** Each resource's URN, inputs and protection: what a stack's plan is made of. */
const valueOf = <T,>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

const declared = (plan: Plan) => plan.resources.map((r) => ({ urn: r.urn, inputs: r.inputs, protect: r.protect, dependencies: r.dependencies }));

let standalone: Plan;
beforeAll(async () => {
    standalone = await planPlatform(gcpStackConfig(), false);
});

test("without the argument: no controlPlane", () => {
    expect(standalone.outputs.controlPlane).toBe("none");
});

test("as a control plane: the network by self link, the node and pod ranges, the region, an internal load balancer with global access", async () => {
    const plan = await planPlatform(gcpStackConfig(), true);
    expect(plan.outputs.controlPlane).toEqual({
        published: {
            cloud: "gcp",
            gcpProject: "acme-test",
            network: NETWORK,
            clientRanges: ["10.0.0.0/20", "10.16.0.0/14"],
            networkRanges: ["10.0.0.0/20", "10.16.0.0/14", "10.20.0.0/20", "10.32.0.0/16"],
            region: "europe-west1",
            adminGlobalAccess: false,
        },
        clientRanges: ["10.0.0.0/20", "10.16.0.0/14"],
        internalServiceAnnotations: {
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-subnet": names.subnet,
            "networking.gke.io/internal-load-balancer-allow-global-access": "true",
        },
    });
    // It declares nothing more, and changes nothing it declares.
    expect(declared(plan)).toEqual(declared(standalone));
});

test("flyteadmin answers every region when its load balancer has global access; the ranges follow the config", async () => {
    const plan = await planPlatform(
        gcpStackConfig({ "flyte:loadBalancerGlobalAccess": "true", "flyte:subnetCidr": "10.200.0.0/20", "flyte:podsCidr": "10.204.0.0/14" }),
        true,
    );
    expect(plan.outputs.controlPlane).toMatchObject({ published: { adminGlobalAccess: true, clientRanges: ["10.200.0.0/20", "10.204.0.0/14"] } });
});

describe("gcpControlPlaneNetwork: whether flyteadmin answers every region", () => {
    const config = gcpStackConfig().gcp;
    const withGlobalAccess = { ...config, loadBalancer: { ...config.loadBalancer, globalAccess: true } };
    const https = (access: "internal" | "public") => ({ dnsName: "flyte.example.com", dnsZone: "", access });
    const network = pulumi.output(NETWORK);

    test.each([
        ["an internal load balancer, regional", config, undefined, false],
        ["an internal load balancer with global access", withGlobalAccess, undefined, true],
        ["an internal HTTPS endpoint, regional", config, https("internal"), false],
        ["an internal HTTPS endpoint with global access", withGlobalAccess, https("internal"), true],
        ["a public HTTPS endpoint", config, https("public"), true],
    ] as const)("%s", async (_what, gcp, endpoint, expected) => {
        const published = await valueOf(gcpControlPlaneNetwork({ network, config: gcp, https: endpoint, subnetName: names.subnet }).published);
        expect(published.adminGlobalAccess).toBe(expected);
    });

    test("the internal load balancer annotations always ask for global access, whatever the stack's own load balancer", () => {
        expect(gcpControlPlaneNetwork({ network, config, subnetName: "nodes" }).internalServiceAnnotations).toEqual({
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-subnet": "nodes",
            "networking.gke.io/internal-load-balancer-allow-global-access": "true",
        });
    });
});
