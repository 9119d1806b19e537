import { AwsNetwork } from "../../../components/aws/awsNetwork";
import { mockResource } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { routeTableOf, subnetsOf } from "../../helpers/aws";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { byName, ofType, only } from "../../helpers/plan";
import { at } from "../../helpers/json";

const CLUSTER_TAG = "kubernetes.io/cluster/flyte-test";
const MOCK_ZONES = ["mock-region-1a", "mock-region-1b", "mock-region-1c"];

/** The id the mocked cloud gives a resource (deterministic from type and name). */
function mockId(type: string, name: string): string {
    return mockResource(type, name, {}).id;
}

function planNetwork(overrides: Record<string, string>): Promise<Plan> {
    const config = awsStackConfig(overrides);
    return runComponents(() => {
        const network = new AwsNetwork("net", {
            name: "flyte-test",
            clusterName: "flyte-test",
            vpcCidr: config.aws.network.vpcCidr,
            zoneCount: config.aws.network.availabilityZones,
            natGatewayPerZone: config.aws.network.natGatewayPerZone,
            tags: { app: "flyte", stack: "test" },
        });
        return {
            vpcId: network.vpc.id,
            privateSubnetIds: network.privateSubnetIds,
            publicSubnetIds: network.publicSubnetIds,
            publicRouting: network.publicRouting.map((r) => r.urn),
            internetGatewayId: network.internetGateway.id,
            vpcCidr: network.vpcCidr,
        };
    });
}

const subnets = (plan: Plan, kind: "public" | "private") => subnetsOf(plan, "net", kind);

describe("three zones, a NAT gateway per zone (the defaults)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planNetwork({});
    });

    test("a VPC with DNS on the configured range", () => {
        const vpc = only(plan, "aws:ec2/vpc:Vpc");
        expect(vpc.inputs).toMatchObject({
            cidrBlock: "10.0.0.0/16",
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { app: "flyte", stack: "test", Name: "flyte-test" },
        });
        expect(plan.outputs.vpcId).toBe(mockId("aws:ec2/vpc:Vpc", "net-vpc"));
    });

    test("three private and three public subnets with the CIDRs of subnetLayout, each pair in its own mocked zone", () => {
        const priv = subnets(plan, "private");
        const pub = subnets(plan, "public");
        expect(priv.map((s) => s.inputs.cidrBlock)).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"]);
        expect(pub.map((s) => s.inputs.cidrBlock)).toEqual(["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"]);
        expect(priv.map((s) => s.inputs.availabilityZone)).toEqual(MOCK_ZONES);
        expect(pub.map((s) => s.inputs.availabilityZone)).toEqual(MOCK_ZONES);
        expect(ofType(plan, "aws:ec2/subnet:Subnet")).toHaveLength(6);
        const vpcId = mockId("aws:ec2/vpc:Vpc", "net-vpc");
        for (const s of [...priv, ...pub]) {
            expect(s.inputs.vpcId).toBe(vpcId);
        }
    });

    test("subnets carry the tags of Kubernetes' load balancer integration and no public IPs", () => {
        subnets(plan, "public").forEach((s, i) => {
            expect(s.inputs.tags).toEqual({
                app: "flyte",
                stack: "test",
                Name: `flyte-test-public-${i}`,
                "kubernetes.io/role/elb": "1",
                [CLUSTER_TAG]: "shared",
            });
            expect(s.inputs.mapPublicIpOnLaunch).toBe(false);
        });
        subnets(plan, "private").forEach((s, i) => {
            expect(s.inputs.tags).toEqual({
                app: "flyte",
                stack: "test",
                Name: `flyte-test-private-${i}`,
                "kubernetes.io/role/internal-elb": "1",
                [CLUSTER_TAG]: "shared",
            });
            expect(s.inputs.mapPublicIpOnLaunch).not.toBe(true);
        });
    });

    test("one NAT gateway per zone, each in its zone's public subnet with its own elastic IP, after the internet gateway", () => {
        const nats = ofType(plan, "aws:ec2/natGateway:NatGateway").sort((a, b) => a.name.localeCompare(b.name));
        expect(nats.map((n) => n.name)).toEqual(["net-nat-0", "net-nat-1", "net-nat-2"]);
        const igw = only(plan, "aws:ec2/internetGateway:InternetGateway");
        nats.forEach((nat, i) => {
            expect(nat.inputs.subnetId).toBe(mockId("aws:ec2/subnet:Subnet", `net-public-${i}`));
            expect(nat.inputs.allocationId).toBe(mockId("aws:ec2/eip:Eip", `net-nat-${i}`));
            expect(nat.dependencies).toContain(igw.urn);
        });
        expect(ofType(plan, "aws:ec2/eip:Eip").map((e) => e.inputs.domain)).toEqual(["vpc", "vpc", "vpc"]);
        expect(igw.inputs.vpcId).toBe(mockId("aws:ec2/vpc:Vpc", "net-vpc"));
    });

    test("each private subnet routes 0.0.0.0/0 to the NAT gateway of its own zone; nothing else", () => {
        subnets(plan, "private").forEach((subnet, i) => {
            const table = routeTableOf(plan, subnet);
            expect(table.inputs.routes).toEqual([
                { cidrBlock: "0.0.0.0/0", natGatewayId: mockId("aws:ec2/natGateway:NatGateway", `net-nat-${i}`) },
            ]);
        });
    });

    test("the public subnets share one route table with 0.0.0.0/0 to the internet gateway", () => {
        const igwId = mockId("aws:ec2/internetGateway:InternetGateway", "net-igw");
        const tables = subnets(plan, "public").map((s) => routeTableOf(plan, s));
        expect(new Set(tables.map((t) => t.urn)).size).toBe(1);
        expect(tables[0].inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", gatewayId: igwId }]);
        // Four tables in all: the public one and one per private subnet.
        expect(ofType(plan, "aws:ec2/routeTable:RouteTable")).toHaveLength(4);
        expect(ofType(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation")).toHaveLength(6);
    });

    test("exports the private subnet ids in zone order", () => {
        expect(plan.outputs.privateSubnetIds).toEqual([0, 1, 2].map((i) => mockId("aws:ec2/subnet:Subnet", `net-private-${i}`)));
    });

    test("exposes the public subnet ids in zone order, and the internet gateway and public routes an internet-facing load balancer waits for", () => {
        expect(plan.outputs.publicSubnetIds).toEqual([0, 1, 2].map((i) => mockId("aws:ec2/subnet:Subnet", `net-public-${i}`)));
        const publicAssociations = ofType(plan, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((a) => a.name.startsWith("net-public-"));
        expect(publicAssociations).toHaveLength(3);
        expect(plan.outputs.publicRouting).toEqual(
            [only(plan, "aws:ec2/internetGateway:InternetGateway").urn, ...publicAssociations.map((a) => a.urn)],
        );
    });

    test("exposes what data planes joining the VPC need: its internet gateway and its primary CIDR", () => {
        expect(plan.outputs.internetGatewayId).toBe(mockId("aws:ec2/internetGateway:InternetGateway", "net-igw"));
        expect(plan.outputs.vpcCidr).toBe("10.0.0.0/16");
    });

    test("every resource belongs to the component and carries the given tags", () => {
        const net = component(plan, "flyte:aws:Network");
        const children = childrenOf(plan, net);
        expect(children).toHaveLength(plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:")).length);
        for (const child of children.filter((c) => at(c.inputs, "tags") !== undefined)) {
            expect(at(child.inputs, "tags", "app")).toBe("flyte");
        }
    });
});

describe("two zones in a /20, a single NAT gateway", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planNetwork({
            "flyte:awsVpcCidr": "10.8.16.0/20",
            "flyte:awsAvailabilityZones": "2",
            "flyte:awsNatGatewayPerZone": "false",
        });
    });

    test("two private and two public subnets of the /20's layout in two distinct zones", () => {
        expect(subnets(plan, "private").map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone])).toEqual([
            ["10.8.16.0/23", "mock-region-1a"],
            ["10.8.18.0/23", "mock-region-1b"],
        ]);
        expect(subnets(plan, "public").map((s) => [s.inputs.cidrBlock, s.inputs.availabilityZone])).toEqual([
            ["10.8.20.0/26", "mock-region-1a"],
            ["10.8.20.64/26", "mock-region-1b"],
        ]);
    });

    test("one NAT gateway in the first public subnet, and every private subnet routes through it", () => {
        const nat = only(plan, "aws:ec2/natGateway:NatGateway");
        expect(nat.name).toBe("net-nat-0");
        expect(nat.inputs.subnetId).toBe(mockId("aws:ec2/subnet:Subnet", "net-public-0"));
        expect(nat.dependencies).toContain(byName(plan, "aws:ec2/internetGateway:InternetGateway", "net-igw").urn);
        expect(ofType(plan, "aws:ec2/eip:Eip")).toHaveLength(1);
        const natId = mockId("aws:ec2/natGateway:NatGateway", "net-nat-0");
        for (const subnet of subnets(plan, "private")) {
            expect(routeTableOf(plan, subnet).inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: natId }]);
        }
    });
});
