import type { DataAccess, IdentityRequest } from "./identities";

const OBJECT_ACTIONS = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
];

const BUCKET_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"];

/** An IAM policy statement as these documents write it. */
interface S3Statement {
    readonly Sid: string;
    readonly Effect: "Allow";
    readonly Action: readonly string[];
    readonly Resource: readonly string[];
}

function readWriteStatements(bucketArns: readonly string[]): S3Statement[] {
    return [
        { Sid: "FlyteBuckets", Effect: "Allow", Action: BUCKET_ACTIONS, Resource: [...bucketArns] },
        { Sid: "FlyteObjects", Effect: "Allow", Action: OBJECT_ACTIONS, Resource: bucketArns.map((arn) => `${arn}/*`) },
    ];
}

/** List and locate the buckets and read their objects: nothing written, nothing deleted. */
function readOnlyStatements(sid: string, bucketArns: readonly string[]): S3Statement[] {
    return [
        { Sid: `${sid}Buckets`, Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: [...bucketArns] },
        { Sid: `${sid}Objects`, Effect: "Allow", Action: ["s3:GetObject"], Resource: bucketArns.map((arn) => `${arn}/*`) },
    ];
}

function policy(statements: readonly S3Statement[]): string {
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The S3 permissions Flyte's identities get: list and locate exactly the given buckets, and read, write and
 * delete objects in them. Nothing else. Used for IAM roles on AWS and for Flyte's MinIO user on a local cluster.
 */
export function s3ReadWritePolicy(bucketArns: readonly string[]): string {
    return policy(readWriteStatements(bucketArns));
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
    /**
     * A control plane's data planes' own raw-data buckets (`flyte:dataPlaneRawBucket`), where task pods running there
     * write raw outputs; absent or empty: none.
     */
    readonly dataPlaneRawData?: readonly string[];
}

/** What an identity may do in the data planes' own raw-data buckets. */
export type DataPlaneRawDataAccess = "readWrite" | "read" | "none";

/**
 * What an identity of a control plane may do in its data planes' raw-data buckets, mirroring what it may do in the
 * shared user-data bucket, whose role those buckets take over for executions on a data plane:
 * - the shared task pods' identity (the worker) runs there (the data plane annotates the project-domain namespaces'
 *   `default` accounts with it) and writes raw outputs: read and write;
 * - whoever signs URLs (flyteadmin's data proxy hands out download links for any execution's outputs) reads them;
 * - nobody else: a project's own identity (project isolation, which data planes with buckets of their own are not
 *   allowed with) keeps its raw outputs in its project's bucket, and flytepropeller, datacatalog and the scheduler of
 *   the control plane do not touch raw outputs of executions elsewhere (each data plane runs its own flytepropeller).
 */
export function dataPlaneRawDataAccess(request: Pick<IdentityRequest, "role" | "data" | "signsUrls">): DataPlaneRawDataAccess {
    if (request.data.kind !== "shared" || !request.data.userData) {
        return "none";
    }
    if (request.role === "worker") {
        return "readWrite";
    }
    return request.signsUrls ? "read" : "none";
}

/**
 * The S3 policy for what an identity may touch, or undefined when it touches no data. Whoever reads user data
 * (the backend serves it) reads every project's bucket too; `dataPlaneRawData` says what it may do in the data
 * planes' raw-data buckets (dataPlaneRawDataAccess), which, where there are none, changes nothing.
 */
export function s3PolicyFor(data: DataAccess, buckets: FlyteBucketArns, dataPlaneRawData: DataPlaneRawDataAccess = "none"): string | undefined {
    const dataPlaneBuckets = buckets.dataPlaneRawData ?? [];
    if (dataPlaneRawData !== "none" && dataPlaneBuckets.length > 0 && (data.kind !== "shared" || !data.userData)) {
        throw new Error(`data-plane raw-data buckets are only for identities of the shared user data, not ${JSON.stringify(data)}`);
    }
    switch (data.kind) {
        case "none":
            return undefined;
        case "shared": {
            const readWrite = [
                ...(data.metadata ? [buckets.metadata] : []),
                ...(data.userData ? [buckets.userData, ...Object.values(buckets.projects)] : []),
                ...(dataPlaneRawData === "readWrite" ? dataPlaneBuckets : []),
            ];
            const read = dataPlaneRawData === "read" && dataPlaneBuckets.length > 0 ? readOnlyStatements("DataPlaneRawData", dataPlaneBuckets) : [];
            return policy([...readWriteStatements(readWrite), ...read]);
        }
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
