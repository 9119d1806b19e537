import type { KubernetesServiceAccountRef } from "../contract/platform";
import type { DataAccess } from "../contract/identities";

/**
 * Bucket-scoped roles for Flyte's identities: read and write objects, and read the bucket's metadata (Flyte's
 * storage layer checks the bucket exists). Granted on Flyte's buckets only, never project-wide.
 */
export const BUCKET_ROLES = ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"] as const;

/**
 * What an identity that signs download URLs needs on a raw-data bucket it only reads from (flyteadmin, on a data
 * plane's own bucket): a signed URL carries the signer's permissions, so it must be able to read the objects
 * (https://cloud.google.com/storage/docs/access-control/signed-urls), and the data proxy heads each object before
 * signing (`CreateDownloadLink`, flyteadmin/dataproxy/service.go); and it must read the bucket's metadata, because
 * flytestdlib opens a bucket other than its configured one through stow's `Container`
 * (`getContainer`/`loadContainer`, flytestdlib/storage/stow_store.go at flyteorg/flyte v1.16.8), which reads the
 * bucket's attributes (`ContainerContext`, google/location.go in flyteorg/stow): storage.buckets.get, which
 * objectViewer lacks and legacyBucketReader has.
 */
export const URL_SIGNER_READ_ROLES = ["roles/storage.objectViewer", "roles/storage.legacyBucketReader"] as const;

/** Lets the backend sign blobs as itself: signed URLs for uploads (pyflyte register) and downloads. */
export const SIGN_BLOB_ROLE = "roles/iam.serviceAccountTokenCreator";
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";

/**
 * Read, write and list objects, without the bucket's metadata. Granted to project task pods only under a condition
 * (objectPrefixCondition), which limits both the objects and the listings to the project's prefixes.
 */
export const OBJECT_ROLE = "roles/storage.objectAdmin";

export type BucketRef =
    | { readonly kind: "metadata" | "userData" }
    /** A project's own data bucket (project isolation). */
    | { readonly kind: "project"; readonly project: string };

export interface BucketGrant {
    readonly bucket: BucketRef;
    readonly role: string;
    /** Only on objects under these prefixes, and listings within them (IAM conditions, see objectPrefixCondition). */
    readonly prefixes?: readonly string[];
}

/**
 * Who gets what on which bucket, from what an identity may touch. Shared access covers the shared buckets and,
 * for whoever reads user data (the backend serves it through signed URLs), every project's data bucket. A
 * project's task pods get their own bucket, and in the metadata bucket only their project's objects and listings
 * under their project's prefixes (see objectPrefixCondition): no unconditional role there, so they cannot list
 * other projects' object names.
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

/*
 * IAM Conditions' limits (https://cloud.google.com/iam/docs/conditions-overview#limitations): at most 12 logical
 * operators (`&&`, `||`, `!`) in one condition expression, and at most 20 role bindings with conditions for the same
 * role and principal on one resource (GoogleCloudPlatform/cloud-foundation-fabric#3729 hit the same two limits). An
 * allow policy names at most 1,500 principals, counting every occurrence
 * ("Limits for all principals", https://cloud.google.com/iam/docs/allow-policies).
 */
/** Terms one condition may join: 12 logical operators join 13 terms. */
export const MAX_CONDITION_TERMS = 13;
/** Conditional role bindings one principal may have for one role on one resource. */
export const MAX_CONDITIONAL_BINDINGS = 20;
/** Principals (each occurrence counted) one allow policy may name. */
export const MAX_POLICY_PRINCIPALS = 1500;

/**
 * Cloud Storage's request attribute for the `prefix` of an objects.list request
 * (https://cloud.google.com/iam/docs/conditions-attribute-reference#api-attributes): listing is authorized on the
 * bucket (`projects/_/buckets/<bucket>`), which no condition on object names matches, so a prefix-scoped grant
 * needs this to list its own prefixes (https://cloud.google.com/storage/docs/access-control/iam-conditions).
 */
export const OBJECT_LIST_PREFIX_ATTRIBUTE = "storage.googleapis.com/objectListPrefix";

/** Each prefix takes two terms, object access by name and listing by the list request's prefix: 6 per condition. */
export const MAX_CONDITION_PREFIXES = Math.floor(MAX_CONDITION_TERMS / 2);
/** Prefixes one principal can be granted one role under on one bucket: 120. */
export const MAX_CONDITIONAL_PREFIXES = MAX_CONDITION_PREFIXES * MAX_CONDITIONAL_BINDINGS;

/** How many conditional bindings (one per group of prefixes) `count` prefixes take. */
export function conditionalBindingCount(count: number): number {
    return Math.ceil(count / MAX_CONDITION_PREFIXES);
}

/** Prefixes in groups small enough for one IAM condition each (one conditional binding per group). */
export function prefixGroups(prefixes: readonly string[]): string[][] {
    if (prefixes.length > MAX_CONDITIONAL_PREFIXES) {
        throw new Error(
            `${prefixes.length} prefixes need ${conditionalBindingCount(prefixes.length)} conditional bindings, IAM allows ${MAX_CONDITIONAL_BINDINGS} per role and principal`,
        );
    }
    const groups: string[][] = [];
    for (let i = 0; i < prefixes.length; i += MAX_CONDITION_PREFIXES) {
        groups.push(prefixes.slice(i, i + MAX_CONDITION_PREFIXES));
    }
    return groups;
}

/**
 * An IAM condition that admits, on bucket `bucketName`, exactly the objects under the prefixes (at most
 * MAX_CONDITION_PREFIXES) and the listings whose prefix is under one of them: `resource.name` is the object's
 * `projects/_/buckets/<bucket>/objects/<name>` for object requests, and `objectListPrefix` is the `prefix` parameter
 * of a list request ("" without one, which no term admits). Every prefix must be non-empty.
 */
export function objectPrefixCondition(
    bucketName: string,
    prefixes: readonly string[],
    title: string,
): { title: string; description: string; expression: string } {
    if (prefixes.length === 0 || prefixes.length > MAX_CONDITION_PREFIXES) {
        throw new Error(`a prefix condition takes 1 to ${MAX_CONDITION_PREFIXES} prefixes, not ${prefixes.length}`);
    }
    if (prefixes.some((prefix) => prefix === "")) {
        throw new Error("a prefix condition takes no empty prefix (it would admit the whole bucket)");
    }
    const attribute = JSON.stringify(OBJECT_LIST_PREFIX_ATTRIBUTE);
    return {
        title: title.slice(0, 100),
        description: `Objects under, and listings within, ${prefixes.join(", ")}`.slice(0, 256),
        expression: prefixes
            .flatMap((prefix) => [
                `resource.name.startsWith(${JSON.stringify(`projects/_/buckets/${bucketName}/objects/${prefix}`)})`,
                `api.getAttribute(${attribute}, "").startsWith(${JSON.stringify(prefix)})`,
            ])
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
