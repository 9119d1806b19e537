import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { roleSlug, serviceAccountMember } from "./iam";

/** Old versions of metadata objects are kept this long, then deleted. */
export const NONCURRENT_VERSION_RETENTION_DAYS = 30;

export interface GcsBucketsArgs {
    /** The GCP project id the buckets belong to (and are billed to). */
    readonly project: string;
    /** Bucket location: the cluster's region keeps traffic regional and free of egress. */
    readonly location: string;
    /**
     * Name of the metadata bucket (workflow inputs, outputs and state), from gcpNames: globally unique, 3 to 63
     * characters. A new name means a new, empty bucket.
     */
    readonly metadataBucketName: string;
    /** Name of the user-data bucket (raw task outputs), from gcpNames; globally unique like the metadata bucket's. */
    readonly userDataBucketName: string;
    /** With project isolation: each project's data bucket name, by project; empty without. */
    readonly projectBucketNames: Readonly<Record<string, string>>;
    /**
     * Provider deletion policy PREVENT and Pulumi `protect` on every bucket: `pulumi destroy` refuses to delete
     * Flyte's data until this is turned off.
     */
    readonly deletionProtection: boolean;
    /** Allow destroying buckets that still hold objects (their objects are deleted with them); off, a non-empty bucket stays. */
    readonly forceDestroy: boolean;
    /** GCP labels on every bucket; a project's bucket also gets `flyte-project: <project>`. */
    readonly labels: Readonly<Record<string, string>>;
    /** APIs that must be enabled first. */
    readonly apis: {
        /** storage.googleapis.com: creating a bucket fails until it is enabled. */
        readonly storage: pulumi.Resource;
    };
}

/** What every bucket of Flyte's is created with, whichever stack owns it. */
export interface PrivateBucketSettings {
    /** The GCP project id the bucket belongs to (and is billed to). */
    readonly project: string;
    /** The bucket's location: a region. */
    readonly location: string;
    /** Provider deletion policy PREVENT (the caller adds Pulumi `protect`); off: DELETE. */
    readonly deletionProtection: boolean;
    /** Destroying the bucket deletes the objects in it; off, a non-empty bucket stays. */
    readonly forceDestroy: boolean;
    /** GCP labels on the bucket. */
    readonly labels: Readonly<Record<string, string>>;
}

/**
 * A bucket's inputs besides its name and versioning: regional, STANDARD, uniform bucket-level access (IAM only, no
 * ACLs), public access prevention enforced, and the stack's protection.
 */
export function privateBucketArgs(settings: PrivateBucketSettings): Omit<gcp.storage.BucketArgs, "name" | "versioning" | "lifecycleRules"> {
    return {
        project: settings.project,
        location: settings.location.toUpperCase(),
        storageClass: "STANDARD",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        forceDestroy: settings.forceDestroy,
        deletionPolicy: settings.deletionProtection ? "PREVENT" : "DELETE",
        labels: { ...settings.labels },
    };
}

/**
 * Flyte's buckets: metadata (workflow inputs, outputs and state; versioned), user data (raw task data) and, with
 * project isolation, each project's own raw-data bucket. All private: uniform bucket-level access, public access
 * prevention enforced.
 */
export class GcsBuckets extends pulumi.ComponentResource {
    readonly metadata: gcp.storage.Bucket;
    readonly userData: gcp.storage.Bucket;
    /** By project; empty without project isolation. */
    readonly projects: Readonly<Record<string, gcp.storage.Bucket>>;

    constructor(name: string, args: GcsBucketsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:GcsBuckets", name, {}, opts);
        const protect = args.deletionProtection;
        const common = privateBucketArgs(args);

        this.metadata = new gcp.storage.Bucket(
            `${name}-metadata`,
            {
                ...common,
                name: args.metadataBucketName,
                versioning: { enabled: true },
                lifecycleRules: [
                    {
                        action: { type: "Delete" },
                        condition: { daysSinceNoncurrentTime: NONCURRENT_VERSION_RETENTION_DAYS, withState: "ARCHIVED" },
                    },
                ],
            },
            { parent: this, protect, dependsOn: [args.apis.storage] },
        );

        this.userData = new gcp.storage.Bucket(
            `${name}-userdata`,
            { ...common, name: args.userDataBucketName, versioning: { enabled: false } },
            { parent: this, protect, dependsOn: [args.apis.storage] },
        );

        this.projects = Object.fromEntries(
            Object.entries(args.projectBucketNames).map(([project, bucketName]) => [
                project,
                new gcp.storage.Bucket(
                    `${name}-data-${project}`,
                    {
                        ...common,
                        name: bucketName,
                        versioning: { enabled: false },
                        labels: { ...args.labels, "flyte-project": project },
                    },
                    { parent: this, protect, dependsOn: [args.apis.storage] },
                ),
            ]),
        );

        this.registerOutputs({ metadata: this.metadata.name, userData: this.userData.name });
    }
}

/** Roles on a bucket for a Google service account another stack owns. */
export interface BucketMemberGrant {
    /** Short, stable key for resource names, e.g. `worker`. */
    readonly key: string;
    /** The service account's email. */
    readonly email: string;
    /** The roles, each granted as one member binding. */
    readonly roles: readonly string[];
}

export interface RawDataBucketArgs extends PrivateBucketSettings {
    /** The bucket's name, from gcpNames of this deployment: globally unique, 3 to 63 characters. */
    readonly bucketName: string;
    /**
     * Identities of the control plane's stack granted roles on it, by email (they are not this stack's to wait for):
     * the task pods' that write raw outputs, flyteadmin's that signs URLs for them. This stack's own identities are
     * granted where they are created.
     */
    readonly grants: readonly BucketMemberGrant[];
    /** APIs that must be enabled first. */
    readonly apis: {
        /** storage.googleapis.com: creating a bucket fails until it is enabled. */
        readonly storage: pulumi.Resource;
    };
}

/**
 * A data plane's own bucket for raw task outputs: private like Flyte's other buckets (privateBucketArgs), not
 * versioned, with the stack's protection (PREVENT and Pulumi `protect`), and member bindings for identities of the
 * control plane, which leave every other member of the bucket's policy alone.
 */
export class RawDataBucket extends pulumi.ComponentResource {
    readonly bucket: gcp.storage.Bucket;
    /** The member bindings of each grant, by key. */
    readonly grants: Readonly<Record<string, gcp.storage.BucketIAMMember[]>>;

    constructor(name: string, args: RawDataBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:RawDataBucket", name, {}, opts);
        const protect = args.deletionProtection;
        this.bucket = new gcp.storage.Bucket(
            `${name}-rawdata`,
            { ...privateBucketArgs(args), name: args.bucketName, versioning: { enabled: false } },
            { parent: this, protect, dependsOn: [args.apis.storage] },
        );
        this.grants = Object.fromEntries(
            args.grants.map((grant) => [
                grant.key,
                grant.roles.map(
                    (role) =>
                        new gcp.storage.BucketIAMMember(
                            `${name}-${grant.key}-${roleSlug(role)}`,
                            { bucket: this.bucket.name, role, member: serviceAccountMember(grant.email) },
                            { parent: this },
                        ),
                ),
            ]),
        );
        this.registerOutputs({ bucket: this.bucket.name });
    }
}
