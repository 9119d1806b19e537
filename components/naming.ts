import { createHash } from "crypto";
import type { IdentityRequest } from "./flyte/workloads";

/**
 * Names derived from the Pulumi project and stack. Every builder returns a name that is valid for its cloud
 * for every valid project and stack name (Pulumi allows `[A-Za-z0-9_.-]{1,100}`): too-long names are cut and
 * made unique again with a short hash of what was cut.
 */

export function shortHash(text: string, length = 6): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** Lowercase letters, digits and single hyphens, no hyphen at either end. */
export function slug(text: string): string {
    return text
        .toLowerCase()
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/-+/g, "-")
        .replace(/^-+|-+$/g, "");
}

function trimHyphens(text: string): string {
    return text.replace(/^-+|-+$/g, "");
}

/**
 * `<project>-<stack>` as a name part that starts with a letter. When slugging changed anything (case,
 * underscores, dots), a hash of the original keeps stacks such as `a_b` and `a-b` apart.
 */
export function deploymentName(pulumiProject: string, stack: string): string {
    const raw = `${pulumiProject}-${stack}`;
    let name = slug(raw);
    if (name !== raw) {
        name = trimHyphens(`${name}-${shortHash(raw)}`);
    }
    return /^[a-z]/.test(name) ? name : `f${name}`;
}

/**
 * `<base>-<suffix>` within `max` characters. When it does not fit, the base is cut and a hash of the whole base
 * is inserted, so two bases that share a long prefix still get different names.
 */
export function fitName(base: string, suffix: string, max: number): string {
    const full = suffix ? `${base}-${suffix}` : base;
    if (full.length <= max) {
        return full;
    }
    const hash = shortHash(base);
    const tail = suffix ? `-${hash}-${suffix}` : `-${hash}`;
    const keep = max - tail.length;
    if (keep < 1) {
        throw new Error(`cannot fit suffix "${suffix}" into ${max} characters`);
    }
    return `${trimHyphens(base.slice(0, keep))}${tail}`;
}

/** Google Cloud Storage forbids "google" anywhere and "goog" at the start of a bucket name. */
function gcsSafe(name: string): string {
    const cleaned = name.replace(/google/g, "ggl");
    return cleaned.startsWith("goog") ? `b-${cleaned}` : cleaned;
}

export interface GcpNames {
    readonly network: string;
    readonly subnet: string;
    readonly router: string;
    readonly nat: string;
    readonly privateServicesRange: string;
    readonly cluster: string;
    readonly nodePool: string;
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
} as const;

export interface CoreIdentityNames {
    readonly flyteadmin: string;
    readonly flytepropeller: string;
    readonly datacatalog: string;
    readonly flytescheduler: string;
}

/**
 * Project ids that fit in a per-project identity name: a service account id has 30 characters, 8 of which the
 * prefix takes; an IAM role name has 64, of which the prefix takes up to 31.
 */
export const PROJECT_WORKER_MAX = { gcp: 22, aws: 33 } as const;

/** The name of the identity a request gets: per-project workers by prefix, the others by key. */
export function identityName(
    names: { readonly backend: string; readonly worker: string; readonly core: CoreIdentityNames; readonly projectWorkerPrefix: string },
    request: Pick<IdentityRequest, "key" | "data">,
): string {
    if (request.data.kind === "project") {
        return `${names.projectWorkerPrefix}${request.data.project}`;
    }
    const byKey: Record<string, string> = { backend: names.backend, worker: names.worker, ...names.core };
    const name = byKey[request.key];
    if (name === undefined) {
        throw new Error(`no name for identity ${request.key}`);
    }
    return name;
}

export function gcpNames(args: { pulumiProject: string; stack: string; gcpProject: string }): GcpNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    // Bucket names are global: a hash of the GCP project, Pulumi project and stack keeps them unique worldwide
    // while staying the same on every run.
    const bucketBase = gcsSafe(`${base}-${shortHash(`${args.gcpProject}/${args.pulumiProject}/${args.stack}`, 8)}`);
    return {
        network: fitName(base, "vpc", GCP_LIMITS.compute),
        subnet: fitName(base, "nodes", GCP_LIMITS.compute),
        router: fitName(base, "router", GCP_LIMITS.compute),
        nat: fitName(base, "nat", GCP_LIMITS.compute),
        privateServicesRange: fitName(base, "psa", GCP_LIMITS.compute),
        loadBalancerAddress: fitName(base, "flyte-ilb", GCP_LIMITS.compute),
        podsRange: "pods",
        servicesRange: "services",
        cluster: fitName(base, "", GCP_LIMITS.gke),
        nodePool: "flyte",
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

export interface AwsNames {
    /** Name tag prefix of the network resources. */
    readonly network: string;
    readonly cluster: string;
    readonly nodeGroup: string;
    readonly clusterRole: string;
    readonly nodeRole: string;
    readonly backendRole: string;
    readonly workerRole: string;
    /** flyte-core: one IRSA role per component. */
    readonly coreRoles: CoreIdentityNames;
    /** With project isolation: project p's task pods run as role `<projectWorkerRolePrefix><p>`. */
    readonly projectWorkerRolePrefix: string;
    readonly vpcCniRole: string;
    readonly cloudWatchRole: string;
    readonly database: string;
    readonly databaseSubnetGroup: string;
    readonly databaseParameterGroup: string;
    readonly databaseSecurityGroup: string;
    readonly databaseFinalSnapshot: string;
    readonly secretsKeyAlias: string;
}

/** Limits from the AWS APIs. */
export const AWS_LIMITS = {
    /** EKS cluster names. */
    cluster: 100,
    /** Node group, RDS identifier and security group names we keep within a DNS label. */
    dnsLabel: 63,
    iamRole: 64,
    bucket: 63,
} as const;

export function awsNames(args: { pulumiProject: string; stack: string }): AwsNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    return {
        network: fitName(base, "", AWS_LIMITS.dnsLabel),
        cluster: fitName(base, "", AWS_LIMITS.cluster),
        nodeGroup: fitName(base, "nodes", AWS_LIMITS.dnsLabel),
        clusterRole: fitName(base, "eks-cluster", AWS_LIMITS.iamRole),
        nodeRole: fitName(base, "eks-nodes", AWS_LIMITS.iamRole),
        backendRole: fitName(base, "flyte-backend", AWS_LIMITS.iamRole),
        workerRole: fitName(base, "flyte-worker", AWS_LIMITS.iamRole),
        coreRoles: {
            flyteadmin: fitName(base, "flyte-admin", AWS_LIMITS.iamRole),
            flytepropeller: fitName(base, "flyte-propeller", AWS_LIMITS.iamRole),
            datacatalog: fitName(base, "flyte-catalog", AWS_LIMITS.iamRole),
            flytescheduler: fitName(base, "flyte-scheduler", AWS_LIMITS.iamRole),
        },
        projectWorkerRolePrefix: `${fitName(base, "", 24)}-tasks-`,
        vpcCniRole: fitName(base, "vpc-cni", AWS_LIMITS.iamRole),
        cloudWatchRole: fitName(base, "cloudwatch", AWS_LIMITS.iamRole),
        database: fitName(base, "pg", AWS_LIMITS.dnsLabel),
        databaseSubnetGroup: fitName(base, "pg", AWS_LIMITS.dnsLabel),
        databaseParameterGroup: fitName(base, "pg-tls", AWS_LIMITS.dnsLabel),
        // EC2 refuses security group names that start with "sg-" (its id prefix).
        databaseSecurityGroup: fitName(base.startsWith("sg-") ? `db-${base}` : base, "pg", AWS_LIMITS.dnsLabel),
        databaseFinalSnapshot: fitName(base, "pg-final", AWS_LIMITS.dnsLabel),
        secretsKeyAlias: `alias/${fitName(base, "eks-secrets", AWS_LIMITS.dnsLabel)}`,
    };
}

/** S3 reserves some suffixes for its own bucket kinds (access point aliases, directory and table buckets). */
const S3_RESERVED_SUFFIXES = /(-s3alias|--ol-s3|--x-s3|--table-s3)$/;

/**
 * A name part that does not end like a reserved suffix; a hash of itself keeps it unique when changed. Config
 * validation rejects two projects whose parts coincide.
 */
export function s3SafeSuffix(part: string): string {
    return S3_RESERVED_SUFFIXES.test(part) ? `${part}-${shortHash(part, 4)}` : part;
}

/** S3 reserves some prefixes for its own bucket kinds. */
function s3Safe(name: string): string {
    return /^(sthree-|amzn-s3-demo-|xn--)/.test(name) ? `b-${name}` : name;
}

/**
 * S3 bucket names are global: the account id and region make them unique to this deployment, and stay the
 * same on every run.
 */
export function s3BucketNames(args: {
    pulumiProject: string;
    stack: string;
    accountId: string;
    region: string;
    /** With project isolation: the projects that get a data bucket of their own. */
    projects?: readonly string[];
}): { metadata: string; userData: string; projects: Record<string, string> } {
    const base = s3Safe(`${deploymentName(args.pulumiProject, args.stack)}-${args.accountId}-${args.region}`);
    return {
        metadata: fitName(base, "metadata", AWS_LIMITS.bucket),
        userData: fitName(base, "userdata", AWS_LIMITS.bucket),
        projects: Object.fromEntries((args.projects ?? []).map((p) => [p, fitName(base, `data-${s3SafeSuffix(p)}`, AWS_LIMITS.bucket)])),
    };
}
