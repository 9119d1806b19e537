import type { DataAccess } from "./identities";

const OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
];

/**
 * The S3 permissions Flyte's identities get: list and locate exactly the given buckets, and read, write and
 * delete objects in them. Nothing else. Used for IAM roles on AWS and for Flyte's MinIO user on a local cluster.
 */
export function s3ReadWritePolicy(bucketArns: readonly string[]): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "FlyteBuckets",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: [...bucketArns],
            },
            {
                Sid: "FlyteObjects",
                Effect: "Allow",
                Action: OBJECT_ACTIONS,
                Resource: bucketArns.map((arn) => `${arn}/*`),
            },
        ],
    });
}

/**
 * One project's task pods (project isolation): everything in the project's own bucket, and in the shared metadata
 * bucket only objects under the project's prefixes, which is also all they may list there.
 */
export function s3ProjectPolicy(args: {
    readonly projectBucketArn: string;
    readonly metadataBucketArn: string;
    readonly metadataPrefixes: readonly string[];
}): string {
    if (args.metadataPrefixes.length === 0) {
        throw new Error("a project policy needs at least one metadata prefix");
    }
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ProjectBucket",
                Effect: "Allow",
                Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                Resource: [args.projectBucketArn],
            },
            { Sid: "ProjectObjects", Effect: "Allow", Action: OBJECT_ACTIONS, Resource: [`${args.projectBucketArn}/*`] },
            { Sid: "MetadataLocation", Effect: "Allow", Action: ["s3:GetBucketLocation"], Resource: [args.metadataBucketArn] },
            {
                Sid: "ProjectMetadataListing",
                Effect: "Allow",
                Action: ["s3:ListBucket"],
                Resource: [args.metadataBucketArn],
                Condition: { StringLike: { "s3:prefix": args.metadataPrefixes.map((p) => `${p}*`) } },
            },
            {
                Sid: "ProjectMetadataObjects",
                Effect: "Allow",
                Action: OBJECT_ACTIONS,
                Resource: args.metadataPrefixes.map((p) => `${args.metadataBucketArn}/${p}*`),
            },
        ],
    });
}

/** Bucket ARNs (or MinIO's `arn:aws:s3:::<bucket>`) of Flyte's buckets. */
export interface FlyteBucketArns {
    readonly metadata: string;
    readonly userData: string;
    /** With project isolation: each project's data bucket. */
    readonly projects: Readonly<Record<string, string>>;
}

/**
 * The S3 policy for what an identity may touch, or undefined when it touches no data. Whoever reads user data
 * (the backend serves it) reads every project's bucket too.
 */
export function s3PolicyFor(data: DataAccess, buckets: FlyteBucketArns): string | undefined {
    switch (data.kind) {
        case "none":
            return undefined;
        case "shared":
            return s3ReadWritePolicy([
                ...(data.metadata ? [buckets.metadata] : []),
                ...(data.userData ? [buckets.userData, ...Object.values(buckets.projects)] : []),
            ]);
        case "project": {
            const projectBucketArn = buckets.projects[data.project];
            if (projectBucketArn === undefined) {
                throw new Error(`no data bucket for project ${data.project}`);
            }
            return s3ProjectPolicy({
                projectBucketArn,
                metadataBucketArn: buckets.metadata,
                metadataPrefixes: data.metadataPrefixes,
            });
        }
    }
}
