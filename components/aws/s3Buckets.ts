import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { tlsOnlyBucketPolicy } from "./iam";

/** Old versions of metadata objects are kept this long, then deleted. */
export const NONCURRENT_VERSION_DAYS = 30;

/** One bucket as every Flyte bucket is made (see S3Buckets), its settings as children of the bucket. */
interface PrivateBucketArgs {
    /** The bucket's globally unique name. */
    readonly bucketName: pulumi.Input<string>;
    /** Versioning on, with old versions expiring after NONCURRENT_VERSION_DAYS. */
    readonly versioned: boolean;
    /** Pulumi `protect` on the bucket. */
    readonly deletionProtection: boolean;
    /** Allow destroying the bucket with its objects. */
    readonly forceDestroy: boolean;
    /** AWS tags on the bucket. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A bucket with every form of public access blocked, ACLs disabled, server-side encryption and a policy refusing
 * requests without TLS; versioned (old versions expire) when asked. A child of `owner`, named `name`.
 */
function privateBucket(owner: pulumi.Resource, name: string, args: PrivateBucketArgs): aws.s3.Bucket {
    const b = new aws.s3.Bucket(
        name,
        { bucket: args.bucketName, forceDestroy: args.forceDestroy, tags: { ...args.tags } },
        { parent: owner, protect: args.deletionProtection },
    );
    const child = { parent: b };
    new aws.s3.BucketPublicAccessBlock(
        name,
        {
            bucket: b.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        child,
    );
    new aws.s3.BucketOwnershipControls(name, { bucket: b.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, child);
    new aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        {
            bucket: b.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
        },
        child,
    );
    new aws.s3.BucketPolicy(name, { bucket: b.id, policy: b.arn.apply(tlsOnlyBucketPolicy) }, child);
    if (args.versioned) {
        const versioning = new aws.s3.BucketVersioning(name, { bucket: b.id, versioningConfiguration: { status: "Enabled" } }, child);
        new aws.s3.BucketLifecycleConfiguration(
            name,
            {
                bucket: b.id,
                rules: [
                    {
                        id: "expire-old-versions",
                        status: "Enabled",
                        filter: {},
                        noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
                    },
                ],
            },
            // Lifecycle rules on versions need versioning in place.
            { ...child, dependsOn: [versioning] },
        );
    }
    return b;
}

export interface RawDataBucketArgs {
    /** The bucket's name (s3BucketNames' userData of the data plane's stack): globally unique, 3 to 63 characters. */
    readonly bucketName: pulumi.Input<string>;
    /** Pulumi `protect` on the bucket. */
    readonly deletionProtection: boolean;
    /** Allow destroying the bucket with its objects. */
    readonly forceDestroy: boolean;
    /** AWS tags on the bucket. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A data plane's own raw-data bucket, made like Flyte's other buckets (unversioned, as the user-data bucket). Who may
 * use it is said by identity policies: the data plane's flytepropeller role, and the control plane's task and
 * flyteadmin roles (same account, so no bucket policy names another stack's roles).
 */
export class RawDataBucket extends pulumi.ComponentResource {
    readonly bucket: aws.s3.Bucket;

    constructor(name: string, args: RawDataBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:RawDataBucket", name, {}, opts);
        this.bucket = privateBucket(this, `${name}-rawdata`, { ...args, versioned: false });
        this.registerOutputs({ bucket: this.bucket.bucket });
    }
}

export interface S3BucketsArgs {
    /**
     * Name of the metadata bucket (workflow inputs, outputs and state), from s3BucketNames: globally unique, 3 to
     * 63 characters. A new name means a new, empty bucket.
     */
    readonly metadataBucketName: pulumi.Input<string>;
    /** Name of the user-data bucket (raw task outputs), from s3BucketNames; globally unique like the metadata bucket's. */
    readonly userDataBucketName: pulumi.Input<string>;
    /** With project isolation: each project's data bucket name, by project; empty without. */
    readonly projectBucketNames: Readonly<Record<string, pulumi.Input<string>>>;
    /** Pulumi `protect` on every bucket: `pulumi destroy` refuses to delete Flyte's data until this is turned off. */
    readonly deletionProtection: boolean;
    /** Allow destroying buckets that still hold objects (their objects are deleted with them); off, a non-empty bucket stays. */
    readonly forceDestroy: boolean;
    /** AWS tags on every bucket; a project's bucket also gets `flyte-project: <project>`. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * Flyte's buckets: metadata (versioned, old versions expire), user data and, with project isolation, each
 * project's own data bucket. All: every form of public access blocked, ACLs disabled, server-side encryption, and
 * a policy that refuses requests without TLS.
 */
export class S3Buckets extends pulumi.ComponentResource {
    readonly metadata: aws.s3.Bucket;
    readonly userData: aws.s3.Bucket;
    /** By project; empty without project isolation. */
    readonly projects: Readonly<Record<string, aws.s3.Bucket>>;

    constructor(name: string, args: S3BucketsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:S3Buckets", name, {}, opts);
        const bucket = (suffix: string, bucketName: pulumi.Input<string>, versioned: boolean, extraTags: Record<string, string> = {}) =>
            privateBucket(this, `${name}-${suffix}`, { ...args, bucketName, versioned, tags: { ...args.tags, ...extraTags } });

        this.metadata = bucket("metadata", args.metadataBucketName, true);
        this.userData = bucket("userdata", args.userDataBucketName, false);
        this.projects = Object.fromEntries(
            Object.entries(args.projectBucketNames).map(([project, bucketName]) => [
                project,
                bucket(`data-${project}`, bucketName, false, { "flyte-project": project }),
            ]),
        );
        this.registerOutputs({ metadata: this.metadata.bucket, userData: this.userData.bucket });
    }
}
