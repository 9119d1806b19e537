import { createHash } from "crypto";

/**
 * What both charts' values (flyte-binary's binaryValues.ts, flyte-core's coreValues.ts) are built from and share:
 * ports, the secrets this program hands Flyte, the resolved inputs every values builder takes (database, object
 * store), and small encoders for the charts' templating. The cluster resource templates are in clusterResources.ts.
 * Pure.
 */

/** Flyte's HTTP (console and REST) and gRPC ports, as clients reach them. */
export const FLYTE_HTTP_PORT = 8088;
export const FLYTE_GRPC_PORT = 8089;

export const DB_PASSWORD_SECRET_KEY = "password";

/** The database as both charts' values builders take it, resolved. */
export interface DatabaseInput {
    /** Host name or IP address Flyte connects to (a private IP, an RDS endpoint, an in-cluster Service). */
    readonly host: string;
    /** TCP port, 5432 everywhere today. */
    readonly port: number;
    /** The database flyteadmin and datacatalog share. */
    readonly name: string;
    /** The role Flyte logs in as. */
    readonly username: string;
    /** libpq connection options, e.g. `sslmode=require`. */
    readonly options: string;
    /** Name of the Secret (key DB_PASSWORD_SECRET_KEY) that holds the password. */
    readonly passwordSecret: string;
}

/**
 * The object store as both charts' values builders take it, resolved: the platform's FlyteStorage
 * (components/contract/platform.ts) without its keys, one member per kind of store, so that no builder has to
 * guess the kind from which fields happen to be set.
 */
export type ChartStorage =
    /** Google Cloud Storage through the pods' Google service accounts. */
    | (ChartBuckets & {
          /** Tells this kind of store apart. */
          readonly provider: "gcs";
          /** The GCP project id of the buckets. */
          readonly project: string;
      })
    /** AWS S3 through the pods' IAM roles. */
    | (ChartBuckets & {
          /** Tells this kind of store apart. */
          readonly provider: "s3";
          /** The buckets' AWS region. */
          readonly region: string;
      })
    /** An S3-compatible store (MinIO) at its own endpoint, reached with static keys from a Secret. */
    | (ChartBuckets & {
          /** Tells this kind of store apart. */
          readonly provider: "s3-compatible";
          /** The region the S3 client signs for. */
          readonly region: string;
          /** The S3 API as pods reach it. */
          readonly endpoint: string;
          /** Plain HTTP to the endpoint. */
          readonly disableSSL: boolean;
          /** The endpoint written into signed URLs, for clients outside the cluster; absent: the pods' endpoint. */
          readonly signedUrlEndpoint?: string;
          /**
           * Name of the Secret with the chart's storage credentials file (flyte-binary: SECRET_CONFIG_SECRET,
           * flyte-core: CORE_STORAGE_SECRET); task pods get theirs from TASK_STORAGE_SECRET.
           */
          readonly credentialsSecret: string;
      });

/** The two buckets of every store, by name. */
export interface ChartBuckets {
    /** Flyte's metadata bucket (the charts' metadata container; flyte-core's `storage.bucketName`). */
    readonly metadataBucket: string;
    /** The bucket raw task outputs go to by default (flytepropeller's `rawoutput-prefix`). */
    readonly userDataBucket: string;
}

/**
 * Secret in each project-domain namespace with the object store's endpoint and keys for task pods (flytekit reads
 * FLYTE_AWS_*), referenced from the pods rather than copied into their spec, where anyone who may read pods would
 * see them.
 */
export const TASK_STORAGE_SECRET = "flyte-storage-credentials";
/** Pod annotation that changes whenever a secret this program gives Flyte changes, so that Flyte restarts. */
export const SECRETS_CHECKSUM_ANNOTATION = "checksum/pulumi-secrets";
/**
 * Values the charts render through Helm's `tpl`: a literal `{{` must be written as a template action that prints
 * it.
 */
export function escapeForHelmTpl(text: string): string {
    return text.replace(/\{\{/g, '{{ "{{" }}');
}

/** Task pods' plain environment as Flyte's `default-env-vars`: a list of one-entry maps. */
export function defaultEnvVars(environment: Readonly<Record<string, string>>): Record<string, string>[] {
    return Object.entries(environment).map(([name, value]) => ({ [name]: value }));
}

/** defaultEnvVars for a config section both charts render through `tpl`: each value escaped. */
export function tplDefaultEnvVars(environment: Readonly<Record<string, string>>): Record<string, string>[] {
    return defaultEnvVars(environment).map((entry) =>
        Object.fromEntries(Object.entries(entry).map(([name, value]) => [name, escapeForHelmTpl(value)])),
    );
}

/** A resolved S3 access key pair, for the files and environments that carry it (never chart values). */
export interface S3AccessKeyInput {
    /** The access key id. */
    readonly accessKeyId: string;
    /** The secret access key. */
    readonly secretAccessKey: string;
}

/** The environment task pods get from TASK_STORAGE_SECRET: where the object store is and the keys for it. */
export function taskStorageEnvironment(input: S3AccessKeyInput & { readonly endpoint: string }): Record<string, string> {
    return {
        FLYTE_AWS_ENDPOINT: input.endpoint,
        FLYTE_AWS_ACCESS_KEY_ID: input.accessKeyId,
        FLYTE_AWS_SECRET_ACCESS_KEY: input.secretAccessKey,
    };
}

/**
 * A digest of secret values, for a pod annotation: Helm only restarts Flyte for changes it renders itself, and
 * these secrets live outside the chart. SHA-256 of high-entropy generated secrets reveals nothing about them.
 */
export function secretsChecksum(secrets: readonly string[]): string {
    return createHash("sha256").update(JSON.stringify(secrets)).digest("hex");
}
