import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetLayout } from "./subnets";

export interface AwsNetworkArgs {
    /** Name tag prefix. */
    readonly name: string;
    /** The EKS cluster's name, for the subnet tags its load balancer integration looks for. */
    readonly clusterName: string;
    /**
     * The VPC's IPv4 CIDR, e.g. `10.0.0.0/16`: split into a private and a public subnet per zone (subnetLayout), so
     * it bounds how many nodes and pods (the VPC CNI gives each pod a VPC address) the cluster can hold.
     */
    readonly vpcCidr: string;
    /**
     * How many availability zones get subnets, 2 to 6 (config `awsAvailabilityZones`, default 3): EKS and RDS both
     * need subnets in two zones at least (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html,
     * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html).
     */
    readonly zoneCount: number;
    /**
     * One NAT gateway per zone (a zone's outage leaves the others' egress working; each gateway is billed), or a
     * single one for all private subnets (cheaper; its zone is a single point of failure for egress).
     */
    readonly natGatewayPerZone: boolean;
    /** AWS tags on every resource; each also gets a `Name` tag from `name`. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A VPC across `zoneCount` availability zones: a private and a public subnet in each, an internet gateway for the
 * public ones, and NAT for the private ones, where nodes and the database live. Subnets carry the tags Kubernetes'
 * AWS load balancer integration uses to place internal (private) and internet-facing (public) load balancers.
 */
export class AwsNetwork extends pulumi.ComponentResource {
    readonly vpc: aws.ec2.Vpc;
    readonly privateSubnets: aws.ec2.Subnet[];
    readonly publicSubnets: aws.ec2.Subnet[];
    readonly natGateways: aws.ec2.NatGateway[];
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /**
     * The internet gateway and the public subnets' routes to it: an internet-facing load balancer can only be
     * created in a VPC that has an internet gateway.
     */
    readonly publicRouting: pulumi.Resource[] = [];
    /** NAT gateways and the private subnets' routes to them: what nodes need to reach the internet. */
    readonly egress: pulumi.Resource[] = [];

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:Network", name, {}, opts);
        const child = { parent: this };
        const tags = (extra: Record<string, string> = {}) => ({ ...args.tags, ...extra });
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
        const layout = subnetLayout(args.vpcCidr, args.zoneCount);
        const zones = aws.getAvailabilityZonesOutput({ state: "available" }, child).names;
        const zone = (i: number) =>
            zones.apply((names) => {
                if (names.length < args.zoneCount) {
                    throw new Error(`the region has ${names.length} available zones; awsAvailabilityZones asks for ${args.zoneCount}`);
                }
                return names[i];
            });

        this.vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.vpcCidr,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                tags: tags({ Name: args.name }),
            },
            child,
        );
        const internetGateway = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { vpcId: this.vpc.id, tags: tags({ Name: args.name }) },
            child,
        );

        this.publicSubnets = layout.public.map(
            (cidrBlock, i) =>
                new aws.ec2.Subnet(
                    `${name}-public-${i}`,
                    {
                        vpcId: this.vpc.id,
                        cidrBlock,
                        availabilityZone: zone(i),
                        // Nothing gets a public address unless it asks for one.
                        mapPublicIpOnLaunch: false,
                        tags: tags({ Name: `${args.name}-public-${i}`, "kubernetes.io/role/elb": "1", ...clusterTag }),
                    },
                    child,
                ),
        );
        this.privateSubnets = layout.private.map(
            (cidrBlock, i) =>
                new aws.ec2.Subnet(
                    `${name}-private-${i}`,
                    {
                        vpcId: this.vpc.id,
                        cidrBlock,
                        availabilityZone: zone(i),
                        tags: tags({
                            Name: `${args.name}-private-${i}`,
                            "kubernetes.io/role/internal-elb": "1",
                            ...clusterTag,
                        }),
                    },
                    child,
                ),
        );

        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            {
                vpcId: this.vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }],
                tags: tags({ Name: `${args.name}-public` }),
            },
            child,
        );
        this.publicRouting.push(
            internetGateway,
            ...this.publicSubnets.map(
                (subnet, i) =>
                    new aws.ec2.RouteTableAssociation(
                        `${name}-public-${i}`,
                        { subnetId: subnet.id, routeTableId: publicRoutes.id },
                        child,
                    ),
            ),
        );

        const natCount = args.natGatewayPerZone ? args.zoneCount : 1;
        this.natGateways = Array.from({ length: natCount }, (_, i) => {
            const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags({ Name: `${args.name}-nat-${i}` }) }, child);
            return new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                { allocationId: eip.id, subnetId: this.publicSubnets[i].id, tags: tags({ Name: `${args.name}-nat-${i}` }) },
                // A NAT gateway only routes once the VPC has its internet gateway.
                { ...child, dependsOn: [internetGateway] },
            );
        });
        this.privateSubnets.forEach((subnet, i) => {
            const nat = this.natGateways[args.natGatewayPerZone ? i : 0];
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                {
                    vpcId: this.vpc.id,
                    routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
                    tags: tags({ Name: `${args.name}-private-${i}` }),
                },
                child,
            );
            this.egress.push(
                new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, child),
            );
        });
        this.egress.push(...this.natGateways);

        this.privateSubnetIds = pulumi.all(this.privateSubnets.map((s) => s.id));
        this.publicSubnetIds = pulumi.all(this.publicSubnets.map((s) => s.id));
        this.registerOutputs({ vpcId: this.vpc.id, privateSubnetIds: this.privateSubnetIds });
    }
}
