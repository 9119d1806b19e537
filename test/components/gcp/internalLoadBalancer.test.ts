import * as gcp from "@pulumi/gcp";
import { gkeInternalLoadBalancerAnnotations, InternalLoadBalancerAddress } from "../../../components/gcp/internalLoadBalancer";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { byName } from "../../helpers/plan";

function planAddress(ip: string): Promise<Plan> {
    return runComponents(() => {
        const compute = new gcp.projects.Service("compute", { service: "compute.googleapis.com" });
        const address = new InternalLoadBalancerAddress("ilb", {
            project: "acme-test",
            region: "europe-west1",
            name: "flyte-test-flyte-ilb",
            subnet: "projects/acme-test/regions/europe-west1/subnetworks/nodes",
            ip,
            labels: { app: "flyte" },
            apis: { compute },
        });
        return { ip: address.ip };
    });
}

test("reserves an internal address in the cluster subnet, GCP's choice when none is configured", async () => {
    const plan = await planAddress("");
    const address = byName(plan, "gcp:compute/address:Address", "ilb-address");
    expect(address.inputs).toMatchObject({
        addressType: "INTERNAL",
        purpose: "GCE_ENDPOINT",
        region: "europe-west1",
        subnetwork: "projects/acme-test/regions/europe-west1/subnetworks/nodes",
        name: "flyte-test-flyte-ilb",
    });
    expect(address.inputs.address).toBeUndefined();
    expect(plan.outputs.ip).toBe("10.0.0.10");
});

test("reserves the configured address", async () => {
    const plan = await planAddress("10.0.0.20");
    expect(byName(plan, "gcp:compute/address:Address", "ilb-address").inputs.address).toBe("10.0.0.20");
    expect(plan.outputs.ip).toBe("10.0.0.20");
});

describe("gkeInternalLoadBalancerAnnotations", () => {
    test("internal, in the given subnet, regional access by default", () => {
        expect(gkeInternalLoadBalancerAnnotations({ subnetName: "flyte-dev-nodes", globalAccess: false })).toEqual({
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-subnet": "flyte-dev-nodes",
        });
    });

    test("global access only when asked", () => {
        expect(gkeInternalLoadBalancerAnnotations({ subnetName: "s", globalAccess: true })).toEqual({
            "networking.gke.io/load-balancer-type": "Internal",
            "networking.gke.io/internal-load-balancer-subnet": "s",
            "networking.gke.io/internal-load-balancer-allow-global-access": "true",
        });
    });
});
