import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { zonalSubnets } from "./awsNetwork";

export interface AwsDataPlaneNetworkArgs {
    /** Name tag prefix. */
    readonly name: string;
    /** The data plane's EKS cluster name, for the subnet tags its load balancer integration looks for. */
    readonly clusterName: string;
    /** The control plane's VPC (its stack output `controlPlane.vpcId`), which this data plane's block joins. */
    readonly vpcId: pulumi.Input<string>;
    /** The control plane's internet gateway (`controlPlane.internetGatewayId`): a VPC has one, which every block shares. */
    readonly internetGatewayId: pulumi.Input<string>;
    /**
     * This data plane's IPv4 block (`flyte:awsVpcCidr`), associated with the control plane's VPC and split into a
     * private and a public subnet per zone (subnetLayout): nodes and, through the VPC CNI, pods take their addresses
     * from it. It must leave the control plane's ranges and the other blocks alone (dataPlaneChecks.ts).
     */
    readonly blockCidr: string;
    /** How many availability zones get subnets, 2 to 6 (`awsAvailabilityZones`): EKS needs two at least. */
    readonly zoneCount: number;
    /**
     * One NAT gateway per zone, or a single one for all private subnets (`awsNatGatewayPerZone`): each takes an
     * elastic IP, of which a region has five by default, shared with the control plane's.
     */
    readonly natGatewayPerZone: boolean;
    /** AWS tags on every resource that takes them; each also gets a `Name` tag from `name`. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A data plane's network inside its control plane's VPC: a secondary IPv4 CIDR block associated with that VPC
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html: the VPC's local route covers every block,
 * so the data plane's nodes and pods reach the control plane's and back without peering), and on that block its own
 * private and public subnets, NAT and route tables (zonalSubnets), the public ones routing to the control plane's
 * internet gateway. EKS accepts subnets of any of the VPC's blocks
 * (https://docs.aws.amazon.com/eks/latest/userguide/network-reqs.html, blocks associated after a cluster's creation
 * included); the data plane's own cluster is created on these. No VPC and no internet gateway of its own.
 */
export class AwsDataPlaneNetwork extends pulumi.ComponentResource {
    /** The block's association with the control plane's VPC: every subnet waits for it. */
    readonly association: aws.ec2.VpcIpv4CidrBlockAssociation;
    /** The private subnets (nodes, pods, internal load balancers), in zone order: the data plane's cluster goes here. */
    readonly privateSubnetIds: pulumi.Output<string[]>;
    /** The public subnets (its NAT gateways), in zone order. */
    readonly publicSubnetIds: pulumi.Output<string[]>;
    /** NAT gateways and the private subnets' routes to them: what nodes need to reach the internet. */
    readonly egress: pulumi.Resource[];

    constructor(name: string, args: AwsDataPlaneNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:DataPlaneNetwork", name, {}, opts);
        this.association = new aws.ec2.VpcIpv4CidrBlockAssociation(
            `${name}-block`,
            { vpcId: args.vpcId, cidrBlock: args.blockCidr },
            { parent: this },
        );
        const subnets = zonalSubnets({
            resourcePrefix: name,
            name: args.name,
            clusterName: args.clusterName,
            // The VPC id as the association reports it: subnets and route tables follow the block, not just the VPC.
            vpcId: this.association.vpcId,
            cidr: args.blockCidr,
            zoneCount: args.zoneCount,
            natGatewayPerZone: args.natGatewayPerZone,
            internetGatewayId: args.internetGatewayId,
            // A subnet's range must lie in one of the VPC's associated blocks.
            subnetDependsOn: [this.association],
            tags: args.tags,
            parent: this,
        });
        this.egress = subnets.egress;
        this.privateSubnetIds = subnets.privateSubnetIds;
        this.publicSubnetIds = subnets.publicSubnetIds;
        this.registerOutputs({ associationId: this.association.id, privateSubnetIds: this.privateSubnetIds });
    }
}
