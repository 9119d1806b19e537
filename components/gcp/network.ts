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

/** The nodes' subnet with its two secondary ranges, and the Cloud Router and NAT that serve that subnet alone. */
export interface NodeSubnet {
    readonly subnet: gcp.compute.Subnetwork;
    readonly router: gcp.compute.Router;
    readonly nat: gcp.compute.RouterNat;
}

/** What declareNodeSubnet builds from. */
export interface NodeSubnetArgs {
    /** The GCP project id. */
    readonly project: string;
    /** The region of the subnet, router and NAT. */
    readonly region: string;
    /** Names from gcpNames: subnet, router, NAT and the two secondary ranges. */
    readonly names: Pick<GcpNames, "subnet" | "router" | "nat" | "podsRange" | "servicesRange">;
    /** The CIDRs of the subnet and of its pods' and Services' secondary ranges. */
    readonly config: Pick<GcpNetworkConfig, "subnetCidr" | "podsCidr" | "servicesCidr">;
    /** The VPC network (id or self link) the subnet and router are in. */
    readonly network: pulumi.Input<string>;
}

/**
 * Declares the nodes' subnet (VPC-native: secondary ranges for Pods and Services, private Google access) and a Cloud
 * Router with a Cloud NAT gateway for that subnet only, so private nodes can pull images. The resources are named
 * `<name>-subnet`, `<name>-router` and `<name>-nat` and declared with `opts` (their parent, and what they wait for).
 *
 * The NAT lists its subnet (LIST_OF_SUBNETWORKS) rather than taking every subnet of the region: a gateway that takes
 * all subnets of a region (ALL_SUBNETWORKS_*) must be the only one of that network in that region, while gateways that
 * list theirs may sit side by side (RouterNat's `sourceSubnetworkIpRangesToNat`,
 * https://cloud.google.com/compute/docs/reference/rest/v1/routers; one gateway per region and network for chosen
 * subnets, https://cloud.google.com/nat/docs/overview). So a data plane adds its own router and gateway to the
 * control plane's network, even in the control plane's region, and neither touches the other's subnets.
 */
export function declareNodeSubnet(name: string, args: NodeSubnetArgs, opts: pulumi.CustomResourceOptions): NodeSubnet {
    const { project, region, names, config, network } = args;
    const subnet = new gcp.compute.Subnetwork(
        `${name}-subnet`,
        {
            project,
            region,
            name: names.subnet,
            network,
            ipCidrRange: config.subnetCidr,
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: names.podsRange, ipCidrRange: config.podsCidr },
                { rangeName: names.servicesRange, ipCidrRange: config.servicesCidr },
            ],
        },
        opts,
    );
    const router = new gcp.compute.Router(`${name}-router`, { project, region, name: names.router, network }, opts);
    const nat = new gcp.compute.RouterNat(
        `${name}-nat`,
        {
            project,
            region,
            name: names.nat,
            router: router.name,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "LIST_OF_SUBNETWORKS",
            subnetworks: [{ name: subnet.id, sourceIpRangesToNats: ["ALL_IP_RANGES"] }],
            logConfig: { enable: true, filter: "ERRORS_ONLY" },
        },
        opts,
    );
    return { subnet, router, nat };
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
        const nodes = declareNodeSubnet(name, { project, region, names, config, network: this.network.id }, { parent: this });
        this.subnet = nodes.subnet;
        this.router = nodes.router;
        this.nat = nodes.nat;

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

export interface DataPlaneNetworkArgs {
    /** The GCP project id: the control plane's, whose VPC network this joins. */
    readonly project: string;
    /** The data plane's region: of its subnet, router and NAT (the control plane may be in another). */
    readonly region: string;
    /** This deployment's names from gcpNames: subnet, router, NAT and the subnet's two secondary ranges. */
    readonly names: Pick<GcpNames, "subnet" | "router" | "nat" | "podsRange" | "servicesRange">;
    /**
     * The CIDRs of the nodes' subnet and of the pods' and Services' secondary ranges: no range of the network may
     * overlap them (the control plane's are checked before anything is declared, dataPlaneChecks.ts).
     */
    readonly config: Pick<GcpNetworkConfig, "subnetCidr" | "podsCidr" | "servicesCidr">;
    /** The control plane's VPC network, by self link (a stack output of another stack: nothing here waits for it). */
    readonly network: string;
    /** APIs that must be enabled first. */
    readonly apis: {
        /** compute.googleapis.com: the subnet and the router (the network is not this stack's to wait for). */
        readonly compute: pulumi.Resource;
    };
}

/**
 * A data plane's part of the control plane's VPC network: its own nodes' subnet with secondary ranges for Pods and
 * Services, and its own Cloud Router and NAT for that subnet only (see declareNodeSubnet). No VPC and no private
 * services access: a data plane has no Cloud SQL, and its pods reach the control plane's services over the shared
 * network.
 */
export class DataPlaneNetwork extends pulumi.ComponentResource {
    readonly subnet: gcp.compute.Subnetwork;
    readonly router: gcp.compute.Router;
    readonly nat: gcp.compute.RouterNat;
    readonly podsRangeName: string;
    readonly servicesRangeName: string;

    constructor(name: string, args: DataPlaneNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:DataPlaneNetwork", name, {}, opts);
        const { project, region, names, config, network } = args;
        this.podsRangeName = names.podsRange;
        this.servicesRangeName = names.servicesRange;
        const nodes = declareNodeSubnet(name, { project, region, names, config, network }, { parent: this, dependsOn: [args.apis.compute] });
        this.subnet = nodes.subnet;
        this.router = nodes.router;
        this.nat = nodes.nat;
        this.registerOutputs({ subnet: this.subnet.id });
    }
}
