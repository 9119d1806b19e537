import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

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
        const common = {
            project: args.project,
            location: args.location.toUpperCase(),
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            forceDestroy: args.forceDestroy,
            deletionPolicy: protect ? "PREVENT" : "DELETE",
            labels: { ...args.labels },
        };

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
