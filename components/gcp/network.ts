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
        "network" | "subnet" | "router" | "nat" | "privateServicesRange" | "podsRange" | "servicesRange" | "proxyOnlySubnet" | "proxyOnlyFirewall"
    >;
    /**
     * CIDRs of the nodes' subnet, the pods' and the Services' secondary ranges, and the range reserved for
     * private services access (Cloud SQL's private IP), and of the proxy-only subnet; config validation keeps them
     * from overlapping.
     */
    readonly config: GcpNetworkConfig;
    /**
     * For an internal L7 load balancer (an internal Gateway): the region's proxy-only subnet
     * (`config.proxyOnlySubnetCidr`) and a firewall rule admitting its proxies to these ports of the pods. Absent:
     * neither exists.
     */
    readonly proxyOnlySubnet?: {
        /** The pods' ports the proxies forward to (Flyte's HTTP and gRPC ports). */
        readonly podPorts: readonly number[];
    };
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
    /** With `proxyOnlySubnet`: the subnet an internal Gateway's Envoy proxies take their addresses from. */
    readonly proxyOnlySubnet?: gcp.compute.Subnetwork;
    /** With `proxyOnlySubnet`: lets those proxies reach the pods' ports. */
    readonly proxyOnlyFirewall?: gcp.compute.Firewall;

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

        if (args.proxyOnlySubnet) {
            // Regional internal Application Load Balancers (GatewayClass gke-l7-rilb) run their Envoy proxies in the
            // region's proxy-only subnet and connect to the backends from its addresses.
            // https://cloud.google.com/load-balancing/docs/proxy-only-subnets
            this.proxyOnlySubnet = new gcp.compute.Subnetwork(
                `${name}-proxy-only`,
                {
                    project,
                    region,
                    name: names.proxyOnlySubnet,
                    network: this.network.id,
                    ipCidrRange: config.proxyOnlySubnetCidr,
                    purpose: "REGIONAL_MANAGED_PROXY",
                    role: "ACTIVE",
                },
                { parent: this },
            );
            // The proxies connect to the pods themselves (container-native load balancing): admit them to Flyte's
            // ports on the pods' range, and to nothing else. Health-check probes come from Google's ranges, which the
            // GKE Gateway controller admits itself (its gkegw1-l7-<network>-<region> rule,
            // https://cloud.google.com/kubernetes-engine/docs/concepts/firewall-rules); that rule also covers this
            // subnet, but only while the controller may manage firewall rules, so this one states it in the plan.
            this.proxyOnlyFirewall = new gcp.compute.Firewall(
                `${name}-proxy-only-to-pods`,
                {
                    project,
                    name: names.proxyOnlyFirewall,
                    network: this.network.id,
                    direction: "INGRESS",
                    description: "Internal Gateway proxies (proxy-only subnet) to Flyte's pods. Managed by Pulumi.",
                    sourceRanges: [config.proxyOnlySubnetCidr],
                    destinationRanges: [config.podsCidr],
                    allows: [{ protocol: "tcp", ports: args.proxyOnlySubnet.podPorts.map(String) }],
                },
                { parent: this },
            );
        }

        this.registerOutputs({ network: this.network.id, subnet: this.subnet.id });
    }
}
