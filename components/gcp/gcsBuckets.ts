import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** Old versions of metadata objects are kept this long, then deleted. */
export const NONCURRENT_VERSION_RETENTION_DAYS = 30;

export interface GcsBucketsArgs {
    readonly project: string;
    /** Bucket location: the cluster's region keeps traffic regional and free of egress. */
    readonly location: string;
    readonly metadataBucketName: string;
    readonly userDataBucketName: string;
    /** With project isolation: each project's data bucket name, by project. */
    readonly projectBucketNames: Readonly<Record<string, string>>;
    /** Provider deletion policy PREVENT and Pulumi `protect`. */
    readonly deletionProtection: boolean;
    /** Allow destroying buckets that still hold objects. */
    readonly forceDestroy: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly apis: { readonly storage: pulumi.Resource };
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
