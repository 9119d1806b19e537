import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GcpNetworkConfig } from "../contract/config";
import type { GcpNames } from "./names";

export interface GcpNetworkArgs {
    /** The GCP project id the VPC and everything in it live in. */
    readonly project: string;
    /** The region of the subnet, router and NAT: the cluster's region, so nodes and Cloud SQL sit together. */
    readonly region: string;
    /**
     * Names from gcpNames (Compute names, at most 63 characters): VPC, subnet, router, NAT, private services
     * range, and the subnet's two secondary ranges. Changing one replaces that resource.
     */
    readonly names: Pick<
        GcpNames,
        "network" | "subnet" | "router" | "nat" | "privateServicesRange" | "podsRange" | "servicesRange"
    >;
    /**
     * CIDRs of the nodes' subnet, the pods' and the Services' secondary ranges, and the range reserved for
     * private services access (Cloud SQL's private IP); config validation keeps them from overlapping.
     */
    readonly config: GcpNetworkConfig;
    /** APIs that must be enabled first: creating the VPC or the peering fails until they are. */
    readonly apis: {
        /** compute.googleapis.com: the VPC, subnet, router, NAT and reserved range. */
        readonly compute: pulumi.Resource;
        /** servicenetworking.googleapis.com: the private services access peering. */
        readonly servicenetworking: pulumi.Resource;
    };
}

/**
 * A VPC for a private, VPC-native GKE cluster: one subnet with secondary ranges for Pods and Services, Cloud NAT
 * so private nodes can pull images, and private services access so Cloud SQL gets a private IP in this VPC.
 */
export class GcpNetwork extends pulumi.ComponentResource {
    readonly network: gcp.compute.Network;
    readonly subnet: gcp.compute.Subnetwork;
    readonly router: gcp.compute.Router;
    readonly nat: gcp.compute.RouterNat;
    readonly privateServicesRange: gcp.compute.GlobalAddress;
    /** Cloud SQL private IP instances can only be created once this peering exists. */
    readonly privateServicesConnection: gcp.servicenetworking.Connection;
    readonly podsRangeName: string;
    readonly servicesRangeName: string;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:Network", name, {}, opts);
        const { project, region, names, config } = args;

        this.network = new gcp.compute.Network(
            `${name}-vpc`,
            {
                project,
                name: names.network,
                autoCreateSubnetworks: false,
                routingMode: "REGIONAL",
                description: "Flyte on GKE (managed by Pulumi)",
            },
            { parent: this, dependsOn: [args.apis.compute] },
        );

        this.podsRangeName = names.podsRange;
        this.servicesRangeName = names.servicesRange;
        this.subnet = new gcp.compute.Subnetwork(
            `${name}-subnet`,
            {
                project,
                region,
                name: names.subnet,
                network: this.network.id,
                ipCidrRange: config.subnetCidr,
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: names.podsRange, ipCidrRange: config.podsCidr },
                    { rangeName: names.servicesRange, ipCidrRange: config.servicesCidr },
                ],
            },
            { parent: this },
        );

        this.router = new gcp.compute.Router(
            `${name}-router`,
            { project, region, name: names.router, network: this.network.id },
            { parent: this },
        );
        this.nat = new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                project,
                region,
                name: names.nat,
                router: this.router.name,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
                subnetworks: [{ name: this.subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            { parent: this },
        );

        this.privateServicesRange = new gcp.compute.GlobalAddress(
            `${name}-psa-range`,
            {
                project,
                name: names.privateServicesRange,
                purpose: "VPC_PEERING",
                addressType: "INTERNAL",
                address: config.privateServicesAddress,
                prefixLength: config.privateServicesPrefixLength,
                network: this.network.id,
            },
            { parent: this },
        );
        this.privateServicesConnection = new gcp.servicenetworking.Connection(
            `${name}-psa`,
            {
                network: this.network.id,
                service: "servicenetworking.googleapis.com",
                reservedPeeringRanges: [this.privateServicesRange.name],
                // Google refuses to delete the peering while Cloud SQL's producer network still holds
                // addresses; the peering is removed with the VPC instead.
                deletionPolicy: "ABANDON",
            },
            { parent: this, dependsOn: [args.apis.servicenetworking] },
        );

        this.registerOutputs({ network: this.network.id, subnet: this.subnet.id });
    }
}
