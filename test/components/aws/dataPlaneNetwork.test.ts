import { AwsDataPlaneNetwork } from "../../../components/aws/dataPlaneNetwork";
import { subnetLayout } from "../../../components/aws/subnets";
import { parseCidr } from "../../../components/shared/cidr";
import type { Plan } from "../../../lib/plan/runPlan";
import { routeTableOf, subnetsOf } from "../../helpers/aws";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { at } from "../../helpers/json";
import { byName, mocked, ofType, only } from "../../helpers/plan";

/**
 * AwsDataPlaneNetwork under the plan's mocks: a CIDR block associated with the control plane's VPC and, on it, the data
 * plane's own subnets, NAT and route tables, the public ones routing to the control plane's internet gateway; no VPC
 * and no internet gateway of its own.
 */

const CP_VPC = "vpc-0c0ffee0c0ffee000";
const CP_IGW = "igw-0c0ffee0c0ffee000";
const BLOCK = "10.1.0.0/16";
const CLUSTER_TAG = "kubernetes.io/cluster/flyte-batch";
const ASSOCIATION = "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation";
const SUBNET = "aws:ec2/subnet:Subnet";
const ROUTE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation";
const NAT = "aws:ec2/natGateway:NatGateway";

function planNetwork(args: { readonly zoneCount: number; readonly natGatewayPerZone: boolean }): Promise<Plan> {
    return runComponents(() => {
        const network = new AwsDataPlaneNetwork("dp", {
            name: "flyte-batch",
            clusterName: "flyte-batch",
            vpcId: CP_VPC,
            internetGatewayId: CP_IGW,
            blockCidr: BLOCK,
            zoneCount: args.zoneCount,
            natGatewayPerZone: args.natGatewayPerZone,
            tags: { app: "flyte", stack: "batch" },
        });
        return {
            associationId: network.association.id,
            privateSubnetIds: network.privateSubnetIds,
            publicSubnetIds: network.publicSubnetIds,
            egress: network.egress.map((r) => r.urn),
        };
    });
}

const subnets = (plan: Plan, kind: "public" | "private") => subnetsOf(plan, "dp", kind);

describe("two zones, a single NAT gateway (the example data planes')", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planNetwork({ zoneCount: 2, natGatewayPerZone: false });
    });

    test("associates the block with the control plane's VPC, and declares no VPC or internet gateway of its own", () => {
        const association = only(plan, ASSOCIATION);
        expect(association.inputs).toEqual({ vpcId: CP_VPC, cidrBlock: BLOCK });
        expect(ofType(plan, "aws:ec2/vpc:Vpc")).toEqual([]);
        expect(ofType(plan, "aws:ec2/internetGateway:InternetGateway")).toEqual([]);
        expect(plan.outputs.associationId).toBe(mocked(association).id);
        expect(plan.outputs.associationId).toMatch(/^vpc-cidr-assoc-[0-9a-f]+$/);
    });

    test("every subnet is in the control plane's VPC, waits for the association, and lies in the block (subnetLayout)", () => {
        const association = only(plan, ASSOCIATION);
        const layout = subnetLayout(BLOCK, 2);
        expect(subnets(plan, "private").map((s) => s.inputs.cidrBlock)).toEqual(layout.private);
        expect(subnets(plan, "public").map((s) => s.inputs.cidrBlock)).toEqual(layout.public);
        expect(ofType(plan, SUBNET)).toHaveLength(4);
        const block = parseCidr(BLOCK);
        for (const subnet of ofType(plan, SUBNET)) {
            expect(subnet.inputs.vpcId).toBe(CP_VPC);
            expect(subnet.dependencies).toContain(association.urn);
            const range = parseCidr(String(subnet.inputs.cidrBlock));
            expect(range && block && range.start >= block.start && range.start + range.size <= block.start + block.size).toBe(true);
        }
        expect(subnets(plan, "private").map((s) => s.inputs.availabilityZone)).toEqual(["mock-region-1a", "mock-region-1b"]);
    });

    test("subnets carry the data plane's cluster tag and the load balancer roles", () => {
        subnets(plan, "public").forEach((s, i) => {
            expect(s.inputs.tags).toEqual({ app: "flyte", stack: "batch", Name: `flyte-batch-public-${i}`, "kubernetes.io/role/elb": "1", [CLUSTER_TAG]: "shared" });
            expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
        });
        subnets(plan, "private").forEach((s, i) => {
            expect(s.inputs.tags).toEqual({ app: "flyte", stack: "batch", Name: `flyte-batch-private-${i}`, "kubernetes.io/role/internal-elb": "1", [CLUSTER_TAG]: "shared" });
        });
    });

    test("the public subnets route 0.0.0.0/0 to the control plane's internet gateway", () => {
        const tables = subnets(plan, "public").map((s) => routeTableOf(plan, s));
        expect(new Set(tables.map((t) => t.urn)).size).toBe(1);
        expect(tables[0].inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", gatewayId: CP_IGW }]);
        expect(tables[0].inputs.vpcId).toBe(CP_VPC);
    });

    test("one NAT gateway with its elastic IP in the first public subnet; every private subnet routes through it", () => {
        const nat = only(plan, NAT);
        expect(nat.inputs.subnetId).toBe(mocked(byName(plan, SUBNET, "dp-public-0")).id);
        expect(only(plan, "aws:ec2/eip:Eip").inputs).toMatchObject({ domain: "vpc", tags: { Name: "flyte-batch-nat-0" } });
        for (const subnet of subnets(plan, "private")) {
            expect(routeTableOf(plan, subnet).inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: mocked(nat).id }]);
        }
    });

    test("exposes the subnet ids in zone order and the egress nodes wait for (private route associations, then NAT)", () => {
        expect(plan.outputs.privateSubnetIds).toEqual(subnets(plan, "private").map((s) => mocked(s).id));
        expect(plan.outputs.publicSubnetIds).toEqual(subnets(plan, "public").map((s) => mocked(s).id));
        expect(plan.outputs.egress).toEqual([
            byName(plan, ROUTE_ASSOCIATION, "dp-private-0").urn,
            byName(plan, ROUTE_ASSOCIATION, "dp-private-1").urn,
            only(plan, NAT).urn,
        ]);
    });

    test("every resource belongs to the component and those with tags carry the given ones", () => {
        const net = component(plan, "flyte:aws:DataPlaneNetwork");
        const children = childrenOf(plan, net);
        expect(children).toHaveLength(plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:")).length);
        for (const child of children.filter((c) => at(c.inputs, "tags") !== undefined)) {
            expect(at(child.inputs, "tags", "app")).toBe("flyte");
        }
    });
});

test("three zones, a NAT gateway per zone: each private subnet routes through its zone's", async () => {
    const plan = await planNetwork({ zoneCount: 3, natGatewayPerZone: true });
    const nats = ofType(plan, NAT).sort((a, b) => a.name.localeCompare(b.name));
    expect(nats.map((n) => n.inputs.subnetId)).toEqual(subnets(plan, "public").map((s) => mocked(s).id));
    subnets(plan, "private").forEach((subnet, i) => {
        expect(routeTableOf(plan, subnet).inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: mocked(nats[i]).id }]);
    });
    expect(ofType(plan, SUBNET)).toHaveLength(6);
});
