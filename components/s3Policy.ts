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
                Action: [
                    "s3:GetObject",
                    "s3:PutObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                    "s3:ListMultipartUploadParts",
                ],
                Resource: bucketArns.map((arn) => `${arn}/*`),
            },
        ],
    });
}
