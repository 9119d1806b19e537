import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The Google APIs this deployment calls, by the short name the components ask for. */
export const REQUIRED_SERVICES = {
    cloudresourcemanager: "cloudresourcemanager.googleapis.com",
    compute: "compute.googleapis.com",
    container: "container.googleapis.com",
    iam: "iam.googleapis.com",
    // Flyte signs upload and download URLs with the backend's identity (signBlob).
    iamcredentials: "iamcredentials.googleapis.com",
    logging: "logging.googleapis.com",
    monitoring: "monitoring.googleapis.com",
    servicenetworking: "servicenetworking.googleapis.com",
    sqladmin: "sqladmin.googleapis.com",
    storage: "storage.googleapis.com",
} as const;

export type RequiredService = keyof typeof REQUIRED_SERVICES;

/** APIs only some stacks call, enabled when asked for. */
export const OPTIONAL_SERVICES = {
    // An HTTPS endpoint: the managed certificate and its DNS authorization.
    certificatemanager: "certificatemanager.googleapis.com",
    // An HTTPS endpoint whose records the program writes to a Cloud DNS zone.
    dns: "dns.googleapis.com",
    // Notifications or execution events: flyteadmin's topics and subscription.
    pubsub: "pubsub.googleapis.com",
    // A registry for task images: the Docker repository.
    artifactregistry: "artifactregistry.googleapis.com",
    // Keyless push from GitHub Actions: the Security Token Service exchanges GitHub's token for a federated one
    // (https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines); the pool is iam's and
    // impersonating the push service account iamcredentials', both required already.
    sts: "sts.googleapis.com",
} as const;

export type OptionalService = keyof typeof OPTIONAL_SERVICES;

export interface ProjectServicesArgs {
    /** The GCP project to enable the APIs in. */
    readonly project: string;
    /** APIs of OPTIONAL_SERVICES this stack needs besides the required ones; none when absent. */
    readonly optional?: readonly OptionalService[];
}

/**
 * Enables the APIs Flyte's infrastructure needs, so that a fresh project works. APIs stay enabled when the
 * stack is destroyed: other workloads in the project may rely on them.
 */
export class ProjectServices extends pulumi.ComponentResource {
    readonly services: Readonly<Record<RequiredService, gcp.projects.Service>>;
    /** The optional APIs asked for, by short name. */
    readonly optional: Readonly<Partial<Record<OptionalService, gcp.projects.Service>>>;

    constructor(name: string, args: ProjectServicesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:ProjectServices", name, {}, opts);
        const enable = (key: string, service: string) =>
            new gcp.projects.Service(
                `${name}-${key}`,
                { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
                { parent: this },
            );
        const entries = (Object.keys(REQUIRED_SERVICES) as RequiredService[]).map((key) => [key, enable(key, REQUIRED_SERVICES[key])] as const);
        this.services = Object.fromEntries(entries) as Record<RequiredService, gcp.projects.Service>;
        const optional = [...new Set(args.optional ?? [])];
        this.optional = Object.fromEntries(optional.map((key) => [key, enable(key, OPTIONAL_SERVICES[key])]));
        this.registerOutputs({});
    }
}
