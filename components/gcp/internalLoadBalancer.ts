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
    readonly project: string;
    readonly region: string;
    readonly name: string;
    readonly subnet: pulumi.Input<string>;
    /** A fixed address in the subnet; empty lets GCP choose a free one, which then stays reserved. */
    readonly ip: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly apis: { readonly compute: pulumi.Resource };
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
