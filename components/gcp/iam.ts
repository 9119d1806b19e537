import type { KubernetesServiceAccountRef } from "../flyte/platform";
import type { DataAccess } from "../flyte/workloads";

/**
 * Bucket-scoped roles for Flyte's identities: read and write objects, and read the bucket's metadata (Flyte's
 * storage layer checks the bucket exists). Granted on Flyte's buckets only, never project-wide.
 */
export const BUCKET_ROLES = ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"] as const;

/** Lets the backend sign blobs as itself: signed URLs for uploads (pyflyte register) and downloads. */
export const SIGN_BLOB_ROLE = "roles/iam.serviceAccountTokenCreator";
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";

/** Read and write objects, without the bucket-level rights (listing every object name). */
export const OBJECT_ROLE = "roles/storage.objectAdmin";

export type BucketRef =
    | { readonly kind: "metadata" | "userData" }
    /** A project's own data bucket (project isolation). */
    | { readonly kind: "project"; readonly project: string };

export interface BucketGrant {
    readonly bucket: BucketRef;
    readonly role: string;
    /** Only on objects under these prefixes (an IAM condition on the object name). */
    readonly prefixes?: readonly string[];
}

/**
 * Who gets what on which bucket, from what an identity may touch. Shared access covers the shared buckets and,
 * for whoever reads user data (the backend serves it through signed URLs), every project's data bucket. A
 * project's task pods get their own bucket, and in the metadata bucket only their project's objects: no bucket
 * role there, so they cannot list other projects' object names either.
 */
export function bucketGrants(data: DataAccess, isolatedProjects: readonly string[]): BucketGrant[] {
    const whole = (bucket: BucketRef): BucketGrant[] => BUCKET_ROLES.map((role) => ({ bucket, role }));
    switch (data.kind) {
        case "none":
            return [];
        case "shared":
            return [
                ...(data.metadata ? whole({ kind: "metadata" }) : []),
                ...(data.userData ? whole({ kind: "userData" }) : []),
                ...(data.userData ? isolatedProjects.flatMap((project) => whole({ kind: "project", project })) : []),
            ];
        case "project":
            return [
                ...whole({ kind: "project", project: data.project }),
                { bucket: { kind: "metadata" }, role: OBJECT_ROLE, prefixes: data.metadataPrefixes },
            ];
    }
}

/** A short, stable resource-name fragment for a bucket. */
export function bucketSlug(bucket: BucketRef): string {
    return bucket.kind === "project" ? `${bucket.project}-data` : bucket.kind;
}

/** IAM allows at most 12 logical operators in a condition: 13 `startsWith` terms joined by `||`. */
export const MAX_CONDITION_PREFIXES = 13;

/** Prefixes in groups small enough for one IAM condition each (one conditional binding per group). */
export function prefixGroups(prefixes: readonly string[]): string[][] {
    const groups: string[][] = [];
    for (let i = 0; i < prefixes.length; i += MAX_CONDITION_PREFIXES) {
        groups.push(prefixes.slice(i, i + MAX_CONDITION_PREFIXES));
    }
    return groups;
}

/** An IAM condition that admits only objects of `bucketName` under the prefixes (at most MAX_CONDITION_PREFIXES). */
export function objectPrefixCondition(
    bucketName: string,
    prefixes: readonly string[],
    title: string,
): { title: string; description: string; expression: string } {
    if (prefixes.length === 0 || prefixes.length > MAX_CONDITION_PREFIXES) {
        throw new Error(`a prefix condition takes 1 to ${MAX_CONDITION_PREFIXES} prefixes, not ${prefixes.length}`);
    }
    return {
        title: title.slice(0, 100),
        description: `Objects under ${prefixes.join(", ")}`.slice(0, 256),
        expression: prefixes
            .map((prefix) => `resource.name.startsWith(${JSON.stringify(`projects/_/buckets/${bucketName}/objects/${prefix}`)})`)
            .join(" || "),
    };
}

export function serviceAccountMember(email: string): string {
    return `serviceAccount:${email}`;
}

/** The IAM principal GKE Workload Identity maps a Kubernetes service account to. */
export function workloadIdentityMember(workloadPool: string, ksa: KubernetesServiceAccountRef): string {
    return `serviceAccount:${workloadPool}[${ksa.namespace}/${ksa.name}]`;
}

/** A short, stable resource-name fragment for a role, e.g. `storage-objectAdmin`. */
export function roleSlug(role: string): string {
    return role.replace(/^roles\//, "").replace(/\./g, "-");
}
