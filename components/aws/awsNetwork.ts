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

/** Where one network's zonal subnets go and how they reach the internet (zonalSubnets). */
export interface ZonalSubnetsArgs {
    /** Prefix of the Pulumi resource names: `<prefix>-public-<i>`, `<prefix>-private-<i>`, `<prefix>-nat-<i>`, `<prefix>-public`. */
    readonly resourcePrefix: string;
    /** Name tag prefix. */
    readonly name: string;
    /** The EKS cluster's name, for the subnet tags its load balancer integration looks for. */
    readonly clusterName: string;
    /** The VPC the subnets and route tables go in. */
    readonly vpcId: pulumi.Input<string>;
    /** The range split into the subnets (subnetLayout): the VPC's, or a CIDR block associated with it. */
    readonly cidr: string;
    /** How many availability zones get a private and a public subnet. */
    readonly zoneCount: number;
    /** One NAT gateway per zone, or a single one for all private subnets. */
    readonly natGatewayPerZone: boolean;
    /** The VPC's internet gateway: the public subnets' default route. */
    readonly internetGatewayId: pulumi.Input<string>;
    /** What every subnet waits for (a CIDR block association: a subnet can only be created in a block of its VPC). */
    readonly subnetDependsOn?: pulumi.Resource[];
    /** What the NAT gateways wait for (the internet gateway they route through, when it is created alongside). */
    readonly natDependsOn?: pulumi.Resource[];
    /** AWS tags on every resource; each also gets a `Name` tag from `name`. */
    readonly tags: Readonly<Record<string, string>>;
    /** The component the resources belong to. */
    readonly parent: pulumi.Resource;
}

/** The resources zonalSubnets declares. */
export interface ZonalSubnets {
    /** One per zone, in zone order. */
    readonly privateSubnets: aws.ec2.Subnet[];
    /** One per zone, in zone order. */
    readonly publicSubnets: aws.ec2.Subnet[];
    /** One per zone, or a single one in the first public subnet. */
    readonly natGateways: aws.ec2.NatGateway[];
    /** The public subnets' associations with the route table to the internet gateway. */
    readonly publicRouteAssociations: aws.ec2.RouteTableAssociation[];
    /** The private subnets' associations with their route tables to NAT, then the NAT gateways. */
    readonly egress: pulumi.Resource[];
    /** The private subnets' ids, in zone order. */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** The public subnets' ids, in zone order. */
    readonly publicSubnetIds: pulumi.Output<string[]>;
}

/**
 * A private and a public subnet per zone in `cidr` (subnetLayout), the public ones routing 0.0.0.0/0 to the internet
 * gateway, NAT gateways (each with an elastic IP) in the public ones, and each private subnet routing 0.0.0.0/0 to its
 * zone's NAT gateway (or the single one). Subnets carry the tags Kubernetes' AWS load balancer integration uses to place
 * internal (private) and internet-facing (public) load balancers. Both AwsNetwork (its VPC's primary range) and
 * AwsDataPlaneNetwork (a block associated with the control plane's VPC) lay their subnets out with it.
 */
export function zonalSubnets(args: ZonalSubnetsArgs): ZonalSubnets {
    const name = args.resourcePrefix;
    const child = { parent: args.parent };
    const tags = (extra: Record<string, string> = {}) => ({ ...args.tags, ...extra });
    const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
    const layout = subnetLayout(args.cidr, args.zoneCount);
    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, child).names;
    const zone = (i: number) =>
        zones.apply((names) => {
            if (names.length < args.zoneCount) {
                throw new Error(`the region has ${names.length} available zones; awsAvailabilityZones asks for ${args.zoneCount}`);
            }
            return names[i];
        });
    const subnetOpts = args.subnetDependsOn ? { ...child, dependsOn: args.subnetDependsOn } : child;

    const publicSubnets = layout.public.map(
        (cidrBlock, i) =>
            new aws.ec2.Subnet(
                `${name}-public-${i}`,
                {
                    vpcId: args.vpcId,
                    cidrBlock,
                    availabilityZone: zone(i),
                    // Nothing gets a public address unless it asks for one.
                    mapPublicIpOnLaunch: false,
                    tags: tags({ Name: `${args.name}-public-${i}`, "kubernetes.io/role/elb": "1", ...clusterTag }),
                },
                subnetOpts,
            ),
    );
    const privateSubnets = layout.private.map(
        (cidrBlock, i) =>
            new aws.ec2.Subnet(
                `${name}-private-${i}`,
                {
                    vpcId: args.vpcId,
                    cidrBlock,
                    availabilityZone: zone(i),
                    tags: tags({
                        Name: `${args.name}-private-${i}`,
                        "kubernetes.io/role/internal-elb": "1",
                        ...clusterTag,
                    }),
                },
                subnetOpts,
            ),
    );

    const publicRoutes = new aws.ec2.RouteTable(
        `${name}-public`,
        {
            vpcId: args.vpcId,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: args.internetGatewayId }],
            tags: tags({ Name: `${args.name}-public` }),
        },
        child,
    );
    const publicRouteAssociations = publicSubnets.map(
        (subnet, i) =>
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, child),
    );

    const natCount = args.natGatewayPerZone ? args.zoneCount : 1;
    const natOpts = args.natDependsOn ? { ...child, dependsOn: args.natDependsOn } : child;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
        const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags({ Name: `${args.name}-nat-${i}` }) }, child);
        return new aws.ec2.NatGateway(
            `${name}-nat-${i}`,
            { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: tags({ Name: `${args.name}-nat-${i}` }) },
            natOpts,
        );
    });
    const egress: pulumi.Resource[] = privateSubnets.map((subnet, i) => {
        const nat = natGateways[args.natGatewayPerZone ? i : 0];
        const routes = new aws.ec2.RouteTable(
            `${name}-private-${i}`,
            {
                vpcId: args.vpcId,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
                tags: tags({ Name: `${args.name}-private-${i}` }),
            },
            child,
        );
        return new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, child);
    });
    egress.push(...natGateways);
    return {
        privateSubnets,
        publicSubnets,
        natGateways,
        publicRouteAssociations,
        egress,
        privateSubnetIds: pulumi.all(privateSubnets.map((s) => s.id)),
        publicSubnetIds: pulumi.all(publicSubnets.map((s) => s.id)),
    };
}

/**
 * A VPC across `zoneCount` availability zones: a private and a public subnet in each, an internet gateway for the
 * public ones, and NAT for the private ones, where nodes and the database live (zonalSubnets).
 */
export class AwsNetwork extends pulumi.ComponentResource {
    readonly vpc: aws.ec2.Vpc;
    /** The VPC's primary IPv4 CIDR (`vpcCidr`). */
    readonly vpcCidr: string;
    /** The VPC's internet gateway (one per VPC): data planes joining this VPC route their public subnets to it. */
    readonly internetGateway: aws.ec2.InternetGateway;
    readonly privateSubnets: aws.ec2.Subnet[];
    readonly publicSubnets: aws.ec2.Subnet[];
    readonly natGateways: aws.ec2.NatGateway[];
    readonly privateSubnetIds: pulumi.Output<string[]>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /**
     * The internet gateway and the public subnets' routes to it: an internet-facing load balancer can only be
     * created in a VPC that has an internet gateway.
     */
    readonly publicRouting: pulumi.Resource[];
    /** NAT gateways and the private subnets' routes to them: what nodes need to reach the internet. */
    readonly egress: pulumi.Resource[];

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:Network", name, {}, opts);
        const child = { parent: this };
        const tags = { ...args.tags, Name: args.name };
        this.vpcCidr = args.vpcCidr;

        this.vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: args.vpcCidr, enableDnsHostnames: true, enableDnsSupport: true, tags },
            child,
        );
        this.internetGateway = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags }, child);

        const subnets = zonalSubnets({
            resourcePrefix: name,
            name: args.name,
            clusterName: args.clusterName,
            vpcId: this.vpc.id,
            cidr: args.vpcCidr,
            zoneCount: args.zoneCount,
            natGatewayPerZone: args.natGatewayPerZone,
            internetGatewayId: this.internetGateway.id,
            // A NAT gateway only routes once the VPC has its internet gateway.
            natDependsOn: [this.internetGateway],
            tags: args.tags,
            parent: this,
        });
        this.privateSubnets = subnets.privateSubnets;
        this.publicSubnets = subnets.publicSubnets;
        this.natGateways = subnets.natGateways;
        this.publicRouting = [this.internetGateway, ...subnets.publicRouteAssociations];
        this.egress = subnets.egress;
        this.privateSubnetIds = subnets.privateSubnetIds;
        this.publicSubnetIds = subnets.publicSubnetIds;
        this.registerOutputs({ vpcId: this.vpc.id, privateSubnetIds: this.privateSubnetIds });
    }
}
