import { DataPlaneNetwork } from "../../../components/gcp/network";
import { DATA_PLANE_SERVICES, ProjectServices } from "../../../components/gcp/projectServices";
import { gcpNames } from "../../../components/gcp/names";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { byName, ofType } from "../../helpers/plan";

/**
 * DataPlaneNetwork: a subnet, router and NAT of a data plane's own in the control plane's network, declared like a
 * standalone network's (declareNodeSubnet, network.test.ts) but waiting for the Compute API itself, the network being
 * another stack's.
 */

const NETWORK = "https://www.googleapis.com/compute/v1/projects/acme-test/global/networks/flyte-control-vpc";
const names = gcpNames({ pulumiProject: "flyte", stack: "gpu", gcpProject: "acme-test" });
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const apis = new ProjectServices("apis", { project: "acme-test", required: DATA_PLANE_SERVICES });
        new DataPlaneNetwork("net", {
            project: "acme-test",
            region: "us-central1",
            names,
            config: { subnetCidr: "10.128.0.0/20", podsCidr: "10.132.0.0/14", servicesCidr: "10.136.0.0/20" },
            network: NETWORK,
            apis: { compute: apis.services.compute },
        });
        return {};
    });
});

test("one component owning a subnet, a router and a NAT: no VPC, no private services access", () => {
    expect(childrenOf(plan, component(plan, "flyte:gcp:DataPlaneNetwork")).map((r) => r.type).sort()).toEqual([
        "gcp:compute/router:Router",
        "gcp:compute/routerNat:RouterNat",
        "gcp:compute/subnetwork:Subnetwork",
    ]);
    expect(ofType(plan, "gcp:compute/network:Network")).toEqual([]);
    expect(ofType(plan, "gcp:compute/globalAddress:GlobalAddress")).toEqual([]);
    expect(ofType(plan, "gcp:servicenetworking/connection:Connection")).toEqual([]);
});

test("the subnet and router are in the given network and wait for the Compute API", () => {
    const compute = byName(plan, "gcp:projects/service:Service", "apis-compute").urn;
    const subnet = byName(plan, "gcp:compute/subnetwork:Subnetwork", "net-subnet");
    const router = byName(plan, "gcp:compute/router:Router", "net-router");
    expect(subnet.inputs).toMatchObject({ network: NETWORK, region: "us-central1", name: names.subnet, ipCidrRange: "10.128.0.0/20" });
    expect(router.inputs).toEqual({ project: "acme-test", region: "us-central1", name: names.router, network: NETWORK });
    expect(subnet.dependencies).toEqual([compute]);
    expect(router.dependencies).toEqual([compute]);
});

test("the NAT lists this subnet only, never every subnet of the region", () => {
    const nat = byName(plan, "gcp:compute/routerNat:RouterNat", "net-nat");
    expect(nat.inputs.sourceSubnetworkIpRangesToNat).toBe("LIST_OF_SUBNETWORKS");
    expect(nat.inputs.subnetworks).toEqual([
        { name: `projects/acme-test/regions/us-central1/subnetworks/${names.subnet}`, sourceIpRangesToNats: ["ALL_IP_RANGES"] },
    ]);
});
