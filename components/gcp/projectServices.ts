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

/**
 * The APIs of REQUIRED_SERVICES a data plane (a cluster running flytepropeller only, `GcpDataPlanePlatform`) calls:
 * no Cloud SQL, so neither sqladmin nor servicenetworking (the private services access peering). iamcredentials stays,
 * as on every stack: its pods act as Google service accounts (Workload Identity), whose short-lived tokens that API
 * issues (https://cloud.google.com/iam/docs/create-short-lived-credentials-direct).
 */
export const DATA_PLANE_SERVICES = [
    "cloudresourcemanager",
    "compute",
    "container",
    "iam",
    "iamcredentials",
    "logging",
    "monitoring",
    "storage",
] as const satisfies readonly RequiredService[];

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

export interface ProjectServicesArgs<R extends RequiredService = RequiredService> {
    /** The GCP project to enable the APIs in. */
    readonly project: string;
    /** The APIs of REQUIRED_SERVICES this stack calls (e.g. DATA_PLANE_SERVICES); absent: every one of them. */
    readonly required?: readonly R[];
    /** APIs of OPTIONAL_SERVICES this stack needs besides the required ones; none when absent. */
    readonly optional?: readonly OptionalService[];
}

/**
 * Enables the APIs Flyte's infrastructure needs, so that a fresh project works. APIs stay enabled when the
 * stack is destroyed: other workloads in the project may rely on them.
 */
export class ProjectServices<R extends RequiredService = RequiredService> extends pulumi.ComponentResource {
    /** The required APIs asked for (all of REQUIRED_SERVICES unless `required` names fewer), by short name. */
    readonly services: Readonly<Record<R, gcp.projects.Service>>;
    /** The optional APIs asked for, by short name. */
    readonly optional: Readonly<Partial<Record<OptionalService, gcp.projects.Service>>>;

    constructor(name: string, args: ProjectServicesArgs<R>, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:ProjectServices", name, {}, opts);
        const enable = (key: string, service: string) =>
            new gcp.projects.Service(
                `${name}-${key}`,
                { project: args.project, service, disableOnDestroy: false, disableDependentServices: false },
                { parent: this },
            );
        // In REQUIRED_SERVICES' order whatever the order asked for; without `required`, R is every required API.
        const asked: readonly RequiredService[] | undefined = args.required;
        const keys = (Object.keys(REQUIRED_SERVICES) as RequiredService[]).filter((key): key is R => asked === undefined || asked.includes(key));
        const entries = keys.map((key) => [key, enable(key, REQUIRED_SERVICES[key])] as const);
        this.services = Object.fromEntries(entries) as Record<R, gcp.projects.Service>;
        const optional = [...new Set(args.optional ?? [])];
        this.optional = Object.fromEntries(optional.map((key) => [key, enable(key, OPTIONAL_SERVICES[key])]));
        this.registerOutputs({});
    }
}
