import type { KubernetesServiceAccountRef } from "../flyte/platform";

/**
 * Bucket-scoped roles for Flyte's identities: read and write objects, and read the bucket's metadata (Flyte's
 * storage layer checks the bucket exists). Granted on Flyte's two buckets only, never project-wide.
 */
export const BUCKET_ROLES = ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"] as const;

/** Lets the backend sign blobs as itself: signed URLs for uploads (pyflyte register) and downloads. */
export const SIGN_BLOB_ROLE = "roles/iam.serviceAccountTokenCreator";
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";

export type FlyteIdentity = "backend" | "worker";
export type FlyteBucket = "metadata" | "userData";

export interface BucketGrant {
    readonly identity: FlyteIdentity;
    readonly bucket: FlyteBucket;
    readonly role: (typeof BUCKET_ROLES)[number];
}

/**
 * Who gets what on which bucket. The backend writes metadata and serves user data through signed URLs; task
 * pods read inputs and write outputs in both.
 */
export function flyteBucketGrants(): BucketGrant[] {
    const identities: FlyteIdentity[] = ["backend", "worker"];
    const buckets: FlyteBucket[] = ["metadata", "userData"];
    return identities.flatMap((identity) =>
        buckets.flatMap((bucket) => BUCKET_ROLES.map((role) => ({ identity, bucket, role }))),
    );
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
