import type * as pulumi from "@pulumi/pulumi";
import type { AwsS3Storage, FlyteStorage, GcsStorage, S3CompatibleStorage } from "../../../components/contract/platform";

/**
 * The storage a platform hands the Flyte layer is one of three kinds that cannot be mixed up: what each needs is
 * required, what belongs to another kind does not type-check. The `@ts-expect-error` lines are checked by the
 * type-check of `npm test` (tsc): were the combination they write allowed, the directive itself would fail it.
 */

/** A stand-in Output: these objects are only type-checked and read, never resolved. */
const out = (value: string) => value as unknown as pulumi.Output<string>;
const key = { id: out("AKID"), secret: out("SECRET") };
const buckets = { metadataBucket: out("meta"), userDataBucket: out("data") };

const gcs: GcsStorage = { provider: "gcs", project: "acme", ...buckets, projects: { x: { bucket: out("x-data") } } };
const s3: AwsS3Storage = { provider: "s3", region: "eu-central-1", ...buckets, projects: {} };
const minio: S3CompatibleStorage = {
    provider: "s3-compatible",
    region: "us-east-1",
    ...buckets,
    endpoint: "http://minio:9000",
    disableSSL: true,
    accessKey: key,
    projects: { x: { bucket: out("x-data"), accessKey: key } },
};

test("each kind is told apart by its provider alone", () => {
    const kinds = ([gcs, s3, minio] as FlyteStorage[]).map((storage) => {
        switch (storage.provider) {
            case "gcs":
                return `gcs ${storage.project}`;
            case "s3":
                return `s3 ${storage.region}`;
            case "s3-compatible":
                return `s3-compatible ${storage.endpoint}`;
        }
    });
    expect(kinds).toEqual(["gcs acme", "s3 eu-central-1", "s3-compatible http://minio:9000"]);
});

test("a store with static keys needs its endpoint and Flyte's key", () => {
    // @ts-expect-error -- no endpoint: pods would not know where the store is.
    const noEndpoint: S3CompatibleStorage = { provider: "s3-compatible", region: "r", ...buckets, disableSSL: true, accessKey: key, projects: {} };
    // @ts-expect-error -- no key: Flyte could not authenticate.
    const noKey: S3CompatibleStorage = { provider: "s3-compatible", region: "r", ...buckets, endpoint: "e", disableSSL: true, projects: {} };
    expect([noEndpoint.provider, noKey.provider]).toEqual(["s3-compatible", "s3-compatible"]);
});

test("with project isolation a store with static keys gives each project its key with its bucket", () => {
    const bucketOnly: S3CompatibleStorage = {
        ...minio,
        // @ts-expect-error -- a project bucket without its key would leave the project's task pods with Flyte's key or none.
        projects: { x: { bucket: out("x-data") } },
    };
    expect(Object.keys(bucketOnly.projects)).toEqual(["x"]);
    expect(Object.keys(minio.projects.x).sort()).toEqual(["accessKey", "bucket"]);
});

test("AWS S3 and GCS take no keys, endpoint or TLS switch: their pods use cloud identities", () => {
    // @ts-expect-error -- AWS S3 is reached through IAM roles.
    const s3WithKey: AwsS3Storage = { ...s3, accessKey: key };
    // @ts-expect-error -- AWS S3 has no custom endpoint.
    const s3WithEndpoint: AwsS3Storage = { ...s3, endpoint: "http://minio:9000" };
    // @ts-expect-error -- GCS is reached through Workload Identity.
    const gcsWithKey: GcsStorage = { ...gcs, accessKey: key };
    // @ts-expect-error -- an S3 store has no GCP project.
    const s3WithProject: FlyteStorage = { ...s3, project: "acme" };
    expect([s3WithKey, s3WithEndpoint, gcsWithKey, s3WithProject].map((s) => s.provider)).toEqual(["s3", "s3", "gcs", "s3"]);
});
