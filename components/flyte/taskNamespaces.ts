import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import type { S3CompatibleStorage } from "../contract/platform";
import type { ProjectDomainNamespace } from "../shared/namespaces";
import { resolvedAccessKey } from "./chartInputs";
import { TASK_STORAGE_SECRET, taskStorageEnvironment } from "./commonValues";

/**
 * On a store with static keys (MinIO) task pods have no cloud identity to reach it with: they get keys from a
 * Secret in their own namespace (TASK_STORAGE_SECRET, read through Flyte's `default-env-from-secrets`). The
 * namespaces are Flyte's project-domain namespaces, created here so the Secrets have a home from the start (Flyte's
 * cluster resource sync then finds them in place).
 */

/** A project-domain namespace and the key its task pods get. */
export interface TaskNamespaceKey<K> {
    /** The namespace's name. */
    readonly namespace: string;
    /** The key its TASK_STORAGE_SECRET carries. */
    readonly key: K;
}

/** Which key the task pods of each project-domain namespace get, each namespace once, in config order. Pure. */
export function taskNamespaceKeys<K>(
    projectNamespaces: readonly Pick<ProjectDomainNamespace, "project" | "namespace">[],
    keys:
        /** Without project isolation: Flyte's key, for every namespace. */
        | {
              readonly kind: "shared";
              /** The one key. */
              readonly key: K;
          }
        /** With project isolation: a project's own key; a project without one gets no namespace or key here. */
        | {
              readonly kind: "perProject";
              /** Each isolated project's key, by project id. */
              readonly keys: Readonly<Record<string, K>>;
          },
): TaskNamespaceKey<K>[] {
    const seen = new Set<string>();
    const result: TaskNamespaceKey<K>[] = [];
    for (const { project, namespace } of projectNamespaces) {
        const key = keys.kind === "shared" ? keys.key : keys.keys[project];
        if (seen.has(namespace) || key === undefined) {
            continue;
        }
        seen.add(namespace);
        result.push({ namespace, key });
    }
    return result;
}

/** A project-domain namespace created for task pods, and the Secret in it with their storage keys. */
export interface TaskNamespace {
    /** The namespace, named as Flyte maps its project and domain (flyte:namespaceTemplate). */
    readonly namespace: k8s.core.v1.Namespace;
    /** TASK_STORAGE_SECRET in it: the store's endpoint and the key these task pods use. */
    readonly storageSecret: k8s.core.v1.Secret;
}

/**
 * The task pods' namespaces with their storage Secrets. With project isolation a project's pods get its own key
 * (`storage.projects`), never Flyte's, which reaches every bucket; a project the store does not isolate gets
 * nothing here (and fails the plan in ProjectDataLocations, which finds no bucket for it). Without isolation every
 * namespace gets Flyte's key.
 */
export function taskNamespacesWithStorageKeys(
    name: string,
    args: {
        /** Projects, domains and the namespace template, and whether projects are isolated. */
        readonly flyte: FlyteConfig;
        /** The store and its keys. */
        readonly storage: S3CompatibleStorage;
        /** Labels for both objects. */
        readonly labels: Readonly<Record<string, string>>;
    },
    opts: pulumi.CustomResourceOptions,
): TaskNamespace[] {
    const { storage } = args;
    const keys = args.flyte.projectIsolation
        ? ({ kind: "perProject", keys: Object.fromEntries(Object.entries(storage.projects).map(([p, s]) => [p, s.accessKey])) } as const)
        : ({ kind: "shared", key: storage.accessKey } as const);
    return taskNamespaceKeys(args.flyte.projectNamespaces, keys).map(({ namespace, key }) => {
        const created = new k8s.core.v1.Namespace(
            `${name}-tasks-${namespace}`,
            { metadata: { name: namespace, labels: { ...args.labels } } },
            opts,
        );
        const storageSecret = new k8s.core.v1.Secret(
            `${name}-tasks-${namespace}-storage`,
            {
                metadata: { name: TASK_STORAGE_SECRET, namespace: created.metadata.name, labels: { ...args.labels } },
                type: "Opaque",
                stringData: pulumi.secret(
                    resolvedAccessKey(key).apply((resolved) => taskStorageEnvironment({ ...resolved, endpoint: storage.endpoint })),
                ),
            },
            opts,
        );
        return { namespace: created, storageSecret };
    });
}
