import { WORKER_SERVICE_ACCOUNT } from "../contract/identities";

/**
 * The cluster resource templates both charts hand Flyte: what it applies to every project-domain namespace it
 * manages (the namespace itself, and the annotation that gives task pods their cloud identity), and the per-domain
 * data those templates read. Pure.
 */

/** Cluster-resource template variables that carry the workers' cloud identity. */
export const WORKER_IDENTITY_VARIABLE = "workerIdentity";
export const WORKER_IDENTITY_PREFIX_VARIABLE = "workerIdentityPrefix";
export const WORKER_IDENTITY_SUFFIX_VARIABLE = "workerIdentitySuffix";

/** What the `default` service account of a project-domain namespace is annotated with. */
export type WorkerAnnotation =
    /** One identity for every project's tasks. */
    | {
          readonly kind: "shared";
          /** The service-account annotation the cluster reads. */
          readonly annotationKey: string;
          /** The identity (a Google service account email, an IAM role ARN). */
          readonly identity: string;
      }
    /** Project p's tasks run as `prefix + p + suffix` (project isolation). */
    | {
          readonly kind: "perProject";
          /** The service-account annotation the cluster reads. */
          readonly annotationKey: string;
          /** What comes before the project id, e.g. `flyte-prod-worker-`. */
          readonly prefix: string;
          /** What comes after it, e.g. `@acme.iam.gserviceaccount.com`; empty for IAM role ARNs. */
          readonly suffix: string;
      };

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
