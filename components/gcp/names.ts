import { deploymentName, fitName, shortHash } from "../shared/names";
import type { CoreIdentityNames } from "../contract/identities";

/** GCP resource names of a deployment, each valid for its API whatever the project and stack names. */

/** Google Cloud Storage forbids "google" anywhere and "goog" at the start of a bucket name. */
function gcsSafe(name: string): string {
    const cleaned = name.replace(/google/g, "ggl");
    return cleaned.startsWith("goog") ? `b-${cleaned}` : cleaned;
}

/** Pub/Sub forbids "goog" at the start of a topic or subscription id. */
function pubsubSafe(name: string): string {
    return name.startsWith("goog") ? `ps-${name}` : name;
}

/** Google reserves "gcp-" at the start of Workload Identity pool and provider ids. */
function workloadIdentitySafe(name: string): string {
    return name.startsWith("gcp-") ? `w${name}` : name;
}

export interface GcpNames {
    readonly network: string;
    readonly subnet: string;
    readonly router: string;
    readonly nat: string;
    readonly privateServicesRange: string;
    readonly cluster: string;
    readonly nodePool: string;
    /** With a GPU node pool (gkeGpuType): its name, within the cluster like the other pool's. */
    readonly gpuNodePool: string;
    readonly nodeServiceAccount: string;
    readonly backendServiceAccount: string;
    readonly workerServiceAccount: string;
    /** flyte-core: one service account per component. */
    readonly coreServiceAccounts: CoreIdentityNames;
    /** With project isolation: project p's task pods run as `<projectWorkerPrefix><p>`. */
    readonly projectWorkerPrefix: string;
    readonly databaseInstance: string;
    readonly metadataBucket: string;
    readonly userDataBucket: string;
    readonly loadBalancerAddress: string;
    /**
     * With an HTTPS endpoint: the Gateway's reserved address (a regional internal or a global external Compute
     * address; Gateways name it, `NamedAddress`).
     */
    readonly gatewayAddress: string;
    /** With an internal HTTPS endpoint: the region's proxy-only subnet, where the internal Gateway's proxies run. */
    readonly proxyOnlySubnet: string;
    /** With an internal HTTPS endpoint: the firewall rule admitting the proxy-only subnet to Flyte's pods. */
    readonly proxyOnlyFirewall: string;
    /** With an HTTPS endpoint: the TLS 1.2+ SSL policy of the Gateway's HTTPS proxy. */
    readonly sslPolicy: string;
    /** With an HTTPS endpoint: Certificate Manager names (at most 64 characters, a letter first). */
    readonly certificate: string;
    readonly dnsAuthorization: string;
    /** With a public HTTPS endpoint: the certificate map a global Gateway takes its certificate from, and its entry. */
    readonly certificateMap: string;
    readonly certificateMapEntry: string;
    /**
     * With notifications: the Pub/Sub topic flyteadmin publishes them to, the subscription it consumes them from, the
     * dead-letter topic of that subscription and the subscription that keeps what reaches it.
     */
    readonly notificationsTopic: string;
    readonly notificationsSubscription: string;
    readonly notificationsDeadLetterTopic: string;
    readonly notificationsDeadLetterSubscription: string;
    /** With execution events: the Pub/Sub topic flyteadmin publishes them to. */
    readonly executionEventsTopic: string;
    /** With a registry: the Artifact Registry Docker repository of task images (its repository id). */
    readonly taskImageRepository: string;
    /** With keyless push from GitHub Actions: the Google service account CI pushes task images as. */
    readonly ciPushServiceAccount: string;
    /**
     * With keyless push from GitHub Actions: the Workload Identity pool (4 to 32 characters, never `gcp-` first) and
     * its GitHub provider, whose id is unique within the pool only.
     */
    readonly githubPool: string;
    readonly githubProvider: string;
    /** What bucket names start from, unique to this deployment (see projectDataBucket). */
    readonly bucketBase: string;
    readonly podsRange: string;
    readonly servicesRange: string;
}

/** Limits from the GCP APIs. */
export const GCP_LIMITS = {
    /** Compute resources (networks, subnets, routers, addresses). */
    compute: 63,
    /** GKE cluster and node pool names. */
    gke: 40,
    /** Service account ids: 6 to 30 characters. */
    serviceAccount: 30,
    /** Cloud SQL: `<project-id>:<instance>` must stay within 98 characters and project ids reach 30. */
    sqlInstance: 67,
    bucket: 63,
    /** Certificate Manager certificates, DNS authorizations, maps and map entries: `[a-zA-Z][a-zA-Z0-9_-]*`, 1 to 64. */
    certificateManager: 64,
    /**
     * Pub/Sub topic and subscription ids: 3 to 255 characters, a letter first, then letters, digits and `-_.~+%`, not
     * starting with "goog" (`Topic.name`, https://cloud.google.com/pubsub/docs/reference/rest/v1/projects.topics).
     */
    pubsub: 255,
    /**
     * Artifact Registry repository ids: lowercase letters, digits and hyphens, a letter first, a letter or digit last,
     * at most 63 characters (`repositoryId`, https://cloud.google.com/artifact-registry/docs/repositories/create-repos).
     */
    artifactRegistry: 63,
    /**
     * Workload Identity pool and provider ids: 4 to 32 characters of `[a-z0-9-]`, never `gcp-` first
     * (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create).
     */
    workloadIdentity: 32,
} as const;

/**
 * Project ids that fit in a per-project identity name: a service account id has 30 characters, 8 of which the
 * prefix takes.
 */
export const PROJECT_WORKER_MAX_GCP = 22;

export function gcpNames(args: { pulumiProject: string; stack: string; gcpProject: string }): GcpNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    // Bucket names are global: a hash of the GCP project, Pulumi project and stack keeps them unique worldwide
    // while staying the same on every run.
    const pubsubBase = pubsubSafe(base);
    const bucketBase = gcsSafe(`${base}-${shortHash(`${args.gcpProject}/${args.pulumiProject}/${args.stack}`, 8)}`);
    return {
        network: fitName(base, "vpc", GCP_LIMITS.compute),
        subnet: fitName(base, "nodes", GCP_LIMITS.compute),
        router: fitName(base, "router", GCP_LIMITS.compute),
        nat: fitName(base, "nat", GCP_LIMITS.compute),
        privateServicesRange: fitName(base, "psa", GCP_LIMITS.compute),
        loadBalancerAddress: fitName(base, "flyte-ilb", GCP_LIMITS.compute),
        gatewayAddress: fitName(base, "flyte-gw", GCP_LIMITS.compute),
        proxyOnlySubnet: fitName(base, "proxy-only", GCP_LIMITS.compute),
        proxyOnlyFirewall: fitName(base, "proxy-only-to-flyte", GCP_LIMITS.compute),
        sslPolicy: fitName(base, "flyte-tls", GCP_LIMITS.compute),
        certificate: fitName(base, "flyte", GCP_LIMITS.certificateManager),
        dnsAuthorization: fitName(base, "flyte", GCP_LIMITS.certificateManager),
        certificateMap: fitName(base, "flyte", GCP_LIMITS.certificateManager),
        certificateMapEntry: fitName(base, "flyte", GCP_LIMITS.certificateManager),
        notificationsTopic: fitName(pubsubBase, "notifications", GCP_LIMITS.pubsub),
        notificationsSubscription: fitName(pubsubBase, "notifications-flyteadmin", GCP_LIMITS.pubsub),
        notificationsDeadLetterTopic: fitName(pubsubBase, "notifications-dead-letter", GCP_LIMITS.pubsub),
        notificationsDeadLetterSubscription: fitName(pubsubBase, "notifications-dead-letter", GCP_LIMITS.pubsub),
        executionEventsTopic: fitName(pubsubBase, "execution-events", GCP_LIMITS.pubsub),
        taskImageRepository: fitName(base, "tasks", GCP_LIMITS.artifactRegistry),
        ciPushServiceAccount: fitName(base, "ci-push", GCP_LIMITS.serviceAccount),
        // A deleted pool's id cannot be reused for 30 days
        // (https://cloud.google.com/iam/docs/reference/rest/v1/projects.locations.workloadIdentityPools/create).
        githubPool: fitName(workloadIdentitySafe(base), "github", GCP_LIMITS.workloadIdentity),
        githubProvider: "github",
        podsRange: "pods",
        servicesRange: "services",
        cluster: fitName(base, "", GCP_LIMITS.gke),
        nodePool: "flyte",
        gpuNodePool: "flyte-gpu",
        nodeServiceAccount: fitName(base, "nodes", GCP_LIMITS.serviceAccount),
        backendServiceAccount: fitName(base, "backend", GCP_LIMITS.serviceAccount),
        workerServiceAccount: fitName(base, "worker", GCP_LIMITS.serviceAccount),
        coreServiceAccounts: {
            flyteadmin: fitName(base, "admin", GCP_LIMITS.serviceAccount),
            flytepropeller: fitName(base, "propeller", GCP_LIMITS.serviceAccount),
            datacatalog: fitName(base, "catalog", GCP_LIMITS.serviceAccount),
            flytescheduler: fitName(base, "scheduler", GCP_LIMITS.serviceAccount),
        },
        // A letter, a hash of the deployment (unique per stack within a GCP project), and a separator.
        projectWorkerPrefix: `fw${shortHash(base, 5)}-`,
        databaseInstance: fitName(base, "pg", GCP_LIMITS.sqlInstance),
        metadataBucket: fitName(bucketBase, "metadata", GCP_LIMITS.bucket),
        userDataBucket: fitName(bucketBase, "userdata", GCP_LIMITS.bucket),
        bucketBase,
    };
}

/** With project isolation: the bucket of one project's raw data. */
export function projectDataBucket(bucketBase: string, project: string): string {
    return fitName(bucketBase, `data-${gcsProjectPart(project)}`, GCP_LIMITS.bucket);
}

/**
 * A project's part of its GCS bucket name: a project id with "google" in it is spelled differently and keeps a
 * hash of itself. Config validation rejects two projects whose parts coincide.
 */
export function gcsProjectPart(project: string): string {
    return project.includes("google") ? `${project.replace(/google/g, "ggl")}-${shortHash(project, 4)}` : project;
}
