import { GcpNetwork } from "../../../components/gcp/network";
import { ProjectServices } from "../../../components/gcp/projectServices";
import { gcpNames } from "../../../components/gcp/names";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { byName, ofType } from "../../helpers/plan";
import { at } from "../../helpers/json";

const config = gcpStackConfig({ "flyte:subnetCidr": "10.1.0.0/20", "flyte:privateServicesCidr": "10.64.0.0/20" });
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: config.gcp.project });
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const apis = new ProjectServices("apis", { project: config.gcp.project });
        new GcpNetwork("net", {
            project: config.gcp.project,
            region: config.gcp.region,
            names,
            config: config.gcp.network,
            apis: { compute: apis.services.compute, servicenetworking: apis.services.servicenetworking },
        });
        return {};
    });
});

const get = (type: string, name: string) => byName(plan, type, name);

test("is one component owning the VPC, subnet, router, NAT and private services access", () => {
    const net = component(plan, "flyte:gcp:Network");
    expect(childrenOf(plan, net).map((r) => r.type).sort()).toEqual([
        "gcp:compute/globalAddress:GlobalAddress",
        "gcp:compute/network:Network",
        "gcp:compute/router:Router",
        "gcp:compute/routerNat:RouterNat",
        "gcp:compute/subnetwork:Subnetwork",
        "gcp:servicenetworking/connection:Connection",
    ]);
});

test("the VPC has no auto subnets and waits for the Compute API", () => {
    const vpc = get("gcp:compute/network:Network", "net-vpc");
    expect(vpc.inputs.autoCreateSubnetworks).toBe(false);
    expect(vpc.inputs.name).toBe(names.network);
    expect(vpc.dependencies).toContain(get("gcp:projects/service:Service", "apis-compute").urn);
});

test("the subnet is VPC-native: secondary ranges for Pods and Services, private Google access", () => {
    const subnet = get("gcp:compute/subnetwork:Subnetwork", "net-subnet");
    expect(subnet.inputs.ipCidrRange).toBe("10.1.0.0/20");
    expect(subnet.inputs.privateIpGoogleAccess).toBe(true);
    expect(subnet.inputs.region).toBe("europe-west1");
    expect(subnet.inputs.secondaryIpRanges).toEqual([
        { ipCidrRange: "10.16.0.0/14", rangeName: "pods" },
        { ipCidrRange: "10.20.0.0/20", rangeName: "services" },
    ]);
    expect(subnet.dependencies).toContain(get("gcp:compute/network:Network", "net-vpc").urn);
});

test("Cloud NAT covers all ranges of the subnet so private nodes can pull images", () => {
    const nat = get("gcp:compute/routerNat:RouterNat", "net-nat");
    expect(nat.inputs.router).toBe(names.router);
    expect(nat.inputs.sourceSubnetworkIpRangesToNat).toBe("LIST_OF_SUBNETWORKS");
    expect(nat.inputs.subnetworks).toEqual([
        {
            name: "projects/acme-test/regions/europe-west1/subnetworks/" + names.subnet,
            sourceIpRangesToNats: ["ALL_IP_RANGES"],
        },
    ]);
});

test("private services access reserves the configured range and peers it with service networking", () => {
    const range = get("gcp:compute/globalAddress:GlobalAddress", "net-psa-range");
    expect(range.inputs).toMatchObject({
        purpose: "VPC_PEERING",
        addressType: "INTERNAL",
        address: "10.64.0.0",
        prefixLength: 20,
    });
    const connection = get("gcp:servicenetworking/connection:Connection", "net-psa");
    expect(connection.inputs.service).toBe("servicenetworking.googleapis.com");
    expect(connection.inputs.reservedPeeringRanges).toEqual([names.privateServicesRange]);
    expect(at(connection.inputs, "network")).toBe("projects/acme-test/global/networks/" + names.network);
    expect(connection.dependencies).toContain(get("gcp:projects/service:Service", "apis-servicenetworking").urn);
});

describe("with an internal L7 load balancer", () => {
    let withProxy: Plan;
    beforeAll(async () => {
        withProxy = await runComponents(() => {
            const apis = new ProjectServices("apis", { project: config.gcp.project });
            new GcpNetwork("net", {
                project: config.gcp.project,
                region: config.gcp.region,
                names,
                config: { ...config.gcp.network, proxyOnlySubnetCidr: "10.24.0.0/23" },
                proxyOnlySubnet: { podPorts: [8088, 8089] },
                apis: { compute: apis.services.compute, servicenetworking: apis.services.servicenetworking },
            });
            return {};
        });
    });
    const proxyGet = (type: string, name: string) => byName(withProxy, type, name);

    test("adds the region's proxy-only subnet, for regional managed proxies, active", () => {
        const subnet = proxyGet("gcp:compute/subnetwork:Subnetwork", "net-proxy-only");
        expect(subnet.inputs).toMatchObject({
            project: "acme-test",
            region: "europe-west1",
            name: names.proxyOnlySubnet,
            ipCidrRange: "10.24.0.0/23",
            purpose: "REGIONAL_MANAGED_PROXY",
            role: "ACTIVE",
        });
        expect(at(subnet.inputs, "network")).toBe("projects/acme-test/global/networks/" + names.network);
        // The proxies get no secondary ranges and no NAT: they only talk to the pods.
        expect(subnet.inputs.secondaryIpRanges).toBeUndefined();
        const nat = proxyGet("gcp:compute/routerNat:RouterNat", "net-nat");
        expect(nat.inputs.subnetworks).toEqual([{ name: "projects/acme-test/regions/europe-west1/subnetworks/" + names.subnet, sourceIpRangesToNats: ["ALL_IP_RANGES"] }]);
    });

    test("admits the proxies to Flyte's ports on the pods' range, and to nothing else", () => {
        const rules = ofType(withProxy, "gcp:compute/firewall:Firewall");
        expect(rules).toHaveLength(1);
        expect(rules[0].inputs).toEqual({
            project: "acme-test",
            name: names.proxyOnlyFirewall,
            network: "projects/acme-test/global/networks/" + names.network,
            direction: "INGRESS",
            description: expect.any(String),
            sourceRanges: ["10.24.0.0/23"],
            destinationRanges: ["10.16.0.0/14"],
            allows: [{ protocol: "tcp", ports: ["8088", "8089"] }],
        });
        expect(rules[0].parent).toBe(component(withProxy, "flyte:gcp:Network").urn);
    });
});

test("without an internal L7 load balancer there is no proxy-only subnet and no firewall rule", () => {
    expect(ofType(plan, "gcp:compute/subnetwork:Subnetwork").map((s) => s.name)).toEqual(["net-subnet"]);
    expect(ofType(plan, "gcp:compute/firewall:Firewall")).toEqual([]);
    expect(ofType(plan, "gcp:compute/subnetwork:Subnetwork").some((s) => s.inputs.purpose !== undefined)).toBe(false);
});
