/**
 * Names on a local cluster that follow from config: the namespace of Flyte's dependencies and the MinIO bucket of
 * each isolated project. Pure; config validation derives its limits from these builders, so a name changed here
 * changes what config accepts.
 */

/** What MinIO accepts as a bucket name: 3 to 63 characters, as S3 (`CheckValidBucketNameStrict`, minio/minio-go pkg/s3utils/utils.go). */
export const MINIO_BUCKET_MAX = 63;

/** With project isolation: a project's own bucket. */
export function localProjectBucket(project: string): string {
    return `flyte-data-${project}`;
}

/** The longest project id whose bucket name MinIO accepts. */
export const PROJECT_BUCKET_MAX_LOCAL = MINIO_BUCKET_MAX - localProjectBucket("").length;

/** The namespace of Postgres, MinIO and the bucket Job: `<flyteNamespace>-deps`. */
export function localDependenciesNamespace(flyteNamespace: string): string {
    return `${flyteNamespace}-deps`;
}
