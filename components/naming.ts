import { createHash } from "crypto";

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
    readonly databaseInstance: string;
    readonly metadataBucket: string;
    readonly userDataBucket: string;
    readonly loadBalancerAddress: string;
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
        databaseInstance: fitName(base, "pg", GCP_LIMITS.sqlInstance),
        metadataBucket: fitName(bucketBase, "metadata", GCP_LIMITS.bucket),
        userDataBucket: fitName(bucketBase, "userdata", GCP_LIMITS.bucket),
    };
}
