/**
 * flyteadmin's `remoteData` section, the same for both charts: whether the execution inputs and outputs it returns
 * (GetExecutionData and its node and task variants) come with a signed URL.
 *
 * flyteadmin signs only when `signedUrls.enabled` is true (flyteadmin/pkg/manager/impl/util/data.go at v1.16.8;
 * RemoteDataConfig and SignedURL in flyteadmin/pkg/runtime/interfaces/application_configuration.go; the default,
 * in flyteadmin/pkg/runtime/application_config_provider.go, is scheme none and signing off). Without signing,
 * flyteadmin reads all data inline, and data over the store's download limit (`storage.limits.maxDownloadMBs`)
 * comes back empty. With signing, data under `maxSizeInBytes` comes inline and larger data as a short-lived URL,
 * which FlyteRemote downloads (`outputs.url` when `outputs.bytes` > 0) but the console (which shows only inline
 * data) does not. So `maxSizeInBytes` is set to the download limit, INLINE_DATA_LIMIT_MB, set in both charts:
 * the console shows what it showed without signing, and clients get a URL for what it never could show.
 *
 * Signing uses flyteadmin's own identity (flyteadmin/pkg/data/factory.go): on GCP it signs as `signingPrincipal`
 * through the IAM Credentials API (signBlob, and an access token for that account to read the object's size:
 * flyteadmin/pkg/data/implementations/gcp_remote_url.go), which roles/iam.serviceAccountTokenCreator on itself
 * grants (components/gcp/flyteServiceAccounts.ts, for whoever signsUrls); on AWS presigning is a local computation
 * and reading the size needs s3:GetObject, which flyteadmin has on its buckets (aws_remote_url.go). The "local"
 * scheme for MinIO would log the store's access keys at start (factory.go), so MinIO gets `none`.
 */

export type RemoteDataValues =
    | {
          readonly scheme: "gcp";
          readonly maxSizeInBytes: number;
          readonly signedUrls: { readonly enabled: true; readonly durationMinutes: number; readonly signingPrincipal: string };
      }
    | {
          readonly scheme: "aws";
          readonly region: string;
          readonly maxSizeInBytes: number;
          readonly signedUrls: { readonly enabled: true; readonly durationMinutes: number };
      }
    /** flyteadmin reads the data itself rather than signing URLs. */
    | { readonly scheme: "none" };

/**
 * How much execution data flyteadmin reads from the store for one response, in MiB (flytestdlib's
 * `storage.limits.maxDownloadMBs`; flyte-core's chart default, above flytestdlib's own 2): set in both charts, and
 * the size up to which data comes inline rather than as a signed URL.
 */
export const INLINE_DATA_LIMIT_MB = 10;

const INLINE_DATA_LIMIT_BYTES = INLINE_DATA_LIMIT_MB * 1024 * 1024;

/** How long a signed URL for execution data stays valid: the client that asked uses it right away. */
export const SIGNED_URL_MINUTES = 3;

export type RemoteDataStore =
    /** GCS, signed as flyteadmin's Google service account (its email). */
    | { readonly provider: "gcs"; readonly signingPrincipal: string }
    /** S3 through flyteadmin's IAM role. */
    | { readonly provider: "s3"; readonly region: string }
    /** An S3-compatible store reached with access keys (MinIO). */
    | { readonly provider: "s3-access-keys" };

export function remoteDataValues(store: RemoteDataStore): RemoteDataValues {
    switch (store.provider) {
        case "gcs":
            return {
                scheme: "gcp",
                maxSizeInBytes: INLINE_DATA_LIMIT_BYTES,
                signedUrls: { enabled: true, durationMinutes: SIGNED_URL_MINUTES, signingPrincipal: store.signingPrincipal },
            };
        case "s3":
            return {
                scheme: "aws",
                region: store.region,
                maxSizeInBytes: INLINE_DATA_LIMIT_BYTES,
                signedUrls: { enabled: true, durationMinutes: SIGNED_URL_MINUTES },
            };
        case "s3-access-keys":
            return { scheme: "none" };
    }
}
