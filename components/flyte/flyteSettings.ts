import { createHash } from "crypto";
import { WORKER_SERVICE_ACCOUNT } from "../contract/identities";

/**
 * Flyte settings both charts (flyte-binary and flyte-core) are given the same way: ports, the secrets this program
 * hands Flyte, the cluster resource templates that prepare every project-domain namespace, and small encoders
 * for the charts' templating. Pure.
 */

/** Flyte's HTTP (console and REST) and gRPC ports, as clients reach them. */
export const FLYTE_HTTP_PORT = 8088;
export const FLYTE_GRPC_PORT = 8089;

export const DB_PASSWORD_SECRET_KEY = "password";

/** The database as both charts' values builders take it, resolved. */
export interface DatabaseInput {
    readonly host: string;
    readonly port: number;
    readonly name: string;
    readonly username: string;
    readonly options: string;
    /** Name of the Secret (key DB_PASSWORD_SECRET_KEY) that holds the password. */
    readonly passwordSecret: string;
}
/**
 * Secret in each project-domain namespace with the object store's endpoint and keys for task pods (flytekit reads
 * FLYTE_AWS_*), referenced from the pods rather than copied into their spec, where anyone who may read pods would
 * see them.
 */
export const TASK_STORAGE_SECRET = "flyte-storage-credentials";
/** Pod annotation that changes whenever a secret this program gives Flyte changes, so that Flyte restarts. */
export const SECRETS_CHECKSUM_ANNOTATION = "checksum/pulumi-secrets";
/** Cluster-resource template variables that carry the workers' cloud identity. */
export const WORKER_IDENTITY_VARIABLE = "workerIdentity";
export const WORKER_IDENTITY_PREFIX_VARIABLE = "workerIdentityPrefix";
export const WORKER_IDENTITY_SUFFIX_VARIABLE = "workerIdentitySuffix";

/** What the `default` service account of a project-domain namespace is annotated with. */
export type WorkerAnnotation =
    /** One identity for every project's tasks. */
    | { readonly kind: "shared"; readonly annotationKey: string; readonly identity: string }
    /** Project p's tasks run as `prefix + p + suffix` (project isolation). */
    | { readonly kind: "perProject"; readonly annotationKey: string; readonly prefix: string; readonly suffix: string };

/**
 * Cluster resource templates Flyte applies to every project-domain namespace it manages: the namespace, and where
 * task pods have a cloud identity, the annotation on its `default` service account that binds it. Flyte fills in
 * `{{ namespace }}`, `{{ project }}` and the custom data variables by exact-string replacement.
 */
export function clusterResourceTemplates(worker?: WorkerAnnotation): Record<string, string> {
    const namespace = ["apiVersion: v1", "kind: Namespace", "metadata:", "  name: '{{ namespace }}'", ""].join("\n");
    if (worker === undefined) {
        return { "001_namespace.yaml": namespace };
    }
    const identity =
        worker.kind === "shared"
            ? `{{ ${WORKER_IDENTITY_VARIABLE} }}`
            : `{{ ${WORKER_IDENTITY_PREFIX_VARIABLE} }}{{ project }}{{ ${WORKER_IDENTITY_SUFFIX_VARIABLE} }}`;
    return {
        "001_namespace.yaml": namespace,
        "002_serviceaccount.yaml": [
            "apiVersion: v1",
            "kind: ServiceAccount",
            "metadata:",
            `  name: ${WORKER_SERVICE_ACCOUNT}`,
            "  namespace: '{{ namespace }}'",
            "  annotations:",
            `    ${worker.annotationKey}: '${identity}'`,
            "",
        ].join("\n"),
    };
}

export type CustomData = readonly Record<string, readonly Record<string, { readonly value: string }>[]>[];

/** The per-domain values of the template variables above (Flyte's `cluster_resources.customData`). */
export function clusterResourceCustomData(domains: readonly string[], worker: WorkerAnnotation): CustomData {
    const variables: Record<string, { value: string }>[] =
        worker.kind === "shared"
            ? [{ [WORKER_IDENTITY_VARIABLE]: { value: worker.identity } }]
            : [
                  { [WORKER_IDENTITY_PREFIX_VARIABLE]: { value: worker.prefix } },
                  { [WORKER_IDENTITY_SUFFIX_VARIABLE]: { value: worker.suffix } },
              ];
    return domains.map((domain) => ({ [domain]: variables }));
}

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

export interface S3AccessKeyInput {
    readonly accessKeyId: string;
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
