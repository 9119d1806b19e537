import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Annotations that make GKE provision an internal passthrough Network Load Balancer for a Service. */
export function gkeInternalLoadBalancerAnnotations(args: {
    readonly subnetName: string;
    readonly globalAccess: boolean;
}): Record<string, string> {
    return {
        "networking.gke.io/load-balancer-type": "Internal",
        "networking.gke.io/internal-load-balancer-subnet": args.subnetName,
        ...(args.globalAccess ? { "networking.gke.io/internal-load-balancer-allow-global-access": "true" } : {}),
    };
}

export interface InternalLoadBalancerAddressArgs {
    /** The GCP project id the address is reserved in. */
    readonly project: string;
    /** The subnet's region: an internal load balancer's address is regional. */
    readonly region: string;
    /** The address resource's name (a Compute name, at most 63 characters); changing it replaces the address. */
    readonly name: string;
    /** The id of the subnet the address is taken from: the cluster's nodes' subnet. */
    readonly subnet: pulumi.Input<string>;
    /**
     * A fixed IPv4 address in the subnet, e.g. `10.10.0.50`; empty lets GCP choose a free one, which then stays
     * reserved. Other services' configuration names this address, so it outlives the Service that uses it.
     */
    readonly ip: string;
    /** GCP labels on the address. */
    readonly labels: Readonly<Record<string, string>>;
    /** APIs that must be enabled first. */
    readonly apis: {
        /** compute.googleapis.com: reserving the address fails until it is enabled. */
        readonly compute: pulumi.Resource;
    };
}

/**
 * A static internal IP in the cluster subnet for Flyte's load balancer, so the endpoint other services use
 * survives re-creating the Service.
 */
export class InternalLoadBalancerAddress extends pulumi.ComponentResource {
    readonly address: gcp.compute.Address;
    readonly ip: pulumi.Output<string>;

    constructor(name: string, args: InternalLoadBalancerAddressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:InternalLoadBalancerAddress", name, {}, opts);
        this.address = new gcp.compute.Address(
            `${name}-address`,
            {
                project: args.project,
                region: args.region,
                name: args.name,
                addressType: "INTERNAL",
                purpose: "GCE_ENDPOINT",
                subnetwork: args.subnet,
                address: args.ip === "" ? undefined : args.ip,
                description: "Flyte internal load balancer (HTTP 8088, gRPC 8089). Managed by Pulumi.",
                labels: { ...args.labels },
            },
            { parent: this, dependsOn: [args.apis.compute] },
        );
        this.ip = this.address.address;
        this.registerOutputs({ ip: this.ip });
    }
}
