import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import { FlyteEndpoints, flyteEndpoints } from "./endpoints";
import {
    DatabaseInput,
    DB_PASSWORD_SECRET_KEY,
    FLYTE_GRPC_PORT,
    FLYTE_HTTP_PORT,
    secretsChecksum,
    TASK_STORAGE_SECRET,
    taskStorageEnvironment,
    WorkerAnnotation,
} from "./flyteSettings";
import type { FlyteExposure, FlytePlatform, FlyteWorkloadIdentity } from "../contract/platform";
import { ProjectDataLocations } from "./projectDataLocations";
import { BACKEND_IDENTITY, WORKER_IDENTITY } from "../contract/identities";

/**
 * The Kubernetes objects every Flyte flavor creates the same way around its chart: its namespace, the secrets it
 * reads, the task pods' storage credentials, and the Service clients reach it through. Each helper creates its
 * objects under the calling component.
 */

/** Seconds Helm waits for Flyte to become ready (first install pulls images and migrates the database). */
export const RELEASE_TIMEOUT_SECONDS = 900;

export interface S3Keys {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
}

export function flyteNamespace(name: string, flyte: FlyteConfig, labels: Record<string, string>, opts: pulumi.CustomResourceOptions) {
    return new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: flyte.namespace, labels } }, opts);
}

export function databasePasswordSecret(
    name: string,
    args: { secretName: string; namespace: pulumi.Input<string>; password: pulumi.Input<string>; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        `${name}-db-password`,
        {
            metadata: { name: args.secretName, namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            stringData: { [DB_PASSWORD_SECRET_KEY]: pulumi.secret(args.password) },
        },
        opts,
    );
}

/** The platform's database as the values builders take it, with the password Secret's name (so the release waits for it). */
export function databaseInput(platform: FlytePlatform, passwordSecret: k8s.core.v1.Secret): pulumi.Output<DatabaseInput> {
    const db = platform.database;
    return pulumi
        .all([db.host, db.name, db.username, passwordSecret.metadata.name])
        .apply(([host, name, username, secretName]) => ({
            host,
            port: db.port,
            name,
            username,
            options: db.options,
            passwordSecret: secretName,
        }));
}

/** The platform's S3 access keys (MinIO), resolved, or undefined where Flyte authenticates with IAM. */
export function storageKeys(platform: FlytePlatform): pulumi.Output<S3Keys> | undefined {
    const accessKey = platform.storage.provider === "s3" ? platform.storage.accessKey : undefined;
    return accessKey
        ? pulumi
              .all([accessKey.id, accessKey.secret])
              .apply(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }))
        : undefined;
}

/**
 * Task pods reach an access-key object store (MinIO) with keys from a Secret in their own namespace: the shared
 * keys, or with project isolation their project's own. The namespaces are Flyte's project-domain namespaces,
 * created here so the Secrets have a home from the start (Flyte's cluster resource sync then finds them in place).
 */
export function taskStorageSecrets(
    name: string,
    args: { flyte: FlyteConfig; platform: FlytePlatform; labels: Record<string, string> },
    opts: pulumi.CustomResourceOptions,
): void {
    const storage = args.platform.storage;
    if (storage.provider !== "s3" || !storage.accessKey) {
        return;
    }
    const endpoint = storage.endpoint ?? "";
    const keysOf = (project: string) => {
        // With project isolation a project's pods get its own key or none: never the shared one, which reaches
        // every bucket.
        const key = args.flyte.projectIsolation ? storage.projectAccessKeys?.[project] : storage.accessKey;
        if (!key) {
            throw new Error(`the platform gave no storage key for project ${project}`);
        }
        return pulumi.all([key.id, key.secret]);
    };
    const seen = new Set<string>();
    for (const { project, namespace } of args.flyte.projectNamespaces) {
        if (seen.has(namespace)) {
            continue;
        }
        seen.add(namespace);
        const ns = new k8s.core.v1.Namespace(`${name}-tasks-${namespace}`, { metadata: { name: namespace, labels: args.labels } }, opts);
        new k8s.core.v1.Secret(
            `${name}-tasks-${namespace}-storage`,
            {
                metadata: { name: TASK_STORAGE_SECRET, namespace: ns.metadata.name, labels: args.labels },
                type: "Opaque",
                stringData: pulumi.secret(
                    keysOf(project).apply(([accessKeyId, secretAccessKey]) =>
                        taskStorageEnvironment({ accessKeyId, secretAccessKey, endpoint }),
                    ),
                ),
            },
            opts,
        );
    }
}

/** A digest of the secrets Flyte reads from outside its chart (a pod annotation: a change restarts Flyte). */
export function secretsDigest(secrets: pulumi.Input<string>[]): pulumi.Output<string> {
    // The digest of high-entropy secrets reveals nothing; unsecret it so the chart values stay visible in previews.
    return pulumi.unsecret(pulumi.all(secrets).apply((values) => secretsChecksum(values)));
}

/** The backend identity's annotation value and how workers are annotated, from the platform's identities. */
export function identityValues(
    identity: FlyteWorkloadIdentity | undefined,
    backendKeys: readonly string[] = [BACKEND_IDENTITY],
): pulumi.Output<{ backend: Record<string, string>; worker: WorkerAnnotation } | undefined> {
    if (!identity) {
        return pulumi.output(undefined);
    }
    const lookup = (key: string) => {
        const value = identity.identities[key];
        if (!value) {
            throw new Error(`the platform made no identity ${key}`);
        }
        return value;
    };
    const backend = pulumi.all(Object.fromEntries(backendKeys.map((key) => [key, lookup(key)])));
    const worker: pulumi.Output<WorkerAnnotation> = identity.projectWorkerPattern
        ? identity.projectWorkerPattern.apply(
              (p): WorkerAnnotation => ({ kind: "perProject", annotationKey: identity.annotationKey, prefix: p.prefix, suffix: p.suffix }),
          )
        : lookup(WORKER_IDENTITY).apply(
              (value): WorkerAnnotation => ({ kind: "shared", annotationKey: identity.annotationKey, identity: value }),
          );
    return pulumi.all([backend, worker]).apply(([b, w]) => ({ backend: b as Record<string, string>, worker: w }));
}

function serviceSpec(exposure: FlyteExposure, selector: Record<string, string>): k8s.types.input.core.v1.ServiceSpec {
    const ports = (nodePorts?: { http: number; grpc: number }) => [
        { name: "http", port: FLYTE_HTTP_PORT, targetPort: "http", protocol: "TCP", nodePort: nodePorts?.http },
        { name: "grpc", port: FLYTE_GRPC_PORT, targetPort: "grpc", protocol: "TCP", nodePort: nodePorts?.grpc },
    ];
    const common = { selector, externalTrafficPolicy: "Cluster" };
    return exposure.kind === "loadBalancer"
        ? { ...common, type: "LoadBalancer", loadBalancerIP: exposure.loadBalancerIP, ports: ports() }
        : { ...common, type: "NodePort", ports: ports({ http: exposure.httpNodePort, grpc: exposure.grpcNodePort }) };
}

/**
 * The Service clients reach Flyte through, on HTTP 8088 and gRPC 8089 of the pods it selects (named ports `http`
 * and `grpc`), exposed the way the platform asks, and the endpoints it gives.
 */
export function endpointService(
    name: string,
    args: {
        /** The Service is named `<releaseName>-lb` or `<releaseName>-nodeport`. */
        releaseName: string;
        namespace: pulumi.Input<string>;
        selector: Record<string, string>;
        exposure: FlyteExposure;
        labels: Record<string, string>;
    },
    opts: pulumi.CustomResourceOptions,
): { service: k8s.core.v1.Service; endpoints: pulumi.Output<FlyteEndpoints>; portForwardCommand: pulumi.Output<string> } {
    const { exposure } = args;
    const service = new k8s.core.v1.Service(
        `${name}-endpoint`,
        {
            metadata: {
                name: `${args.releaseName}-${exposure.kind === "loadBalancer" ? "lb" : "nodeport"}`,
                namespace: args.namespace,
                labels: args.labels,
                annotations: exposure.kind === "loadBalancer" ? { ...exposure.annotations } : {},
            },
            spec: serviceSpec(exposure, args.selector),
        },
        opts,
    );
    // Flyte's two ports on the workstation, through the cluster's API server: for where the endpoint is unreachable.
    const portForwardCommand = pulumi.interpolate`kubectl --namespace ${service.metadata.namespace} port-forward service/${service.metadata.name} ${FLYTE_HTTP_PORT}:${FLYTE_HTTP_PORT} ${FLYTE_GRPC_PORT}:${FLYTE_GRPC_PORT}`;
    if (exposure.kind === "nodePort") {
        const ports = { http: exposure.httpNodePort, grpc: exposure.grpcNodePort };
        return { service, endpoints: pulumi.output(flyteEndpoints(exposure.host, ports)), portForwardCommand };
    }
    // Where the cloud picks the address (an AWS NLB's DNS name), it appears in the Service's status.
    const host =
        exposure.host ??
        service.status.apply((status) => {
            const ingress = status?.loadBalancer?.ingress?.[0];
            const address = ingress?.hostname || ingress?.ip;
            if (!address) {
                throw new Error("the load balancer Service reports no address");
            }
            return address;
        });
    return { service, endpoints: host.apply((h) => flyteEndpoints(h)), portForwardCommand };
}

/**
 * The Helm release of a Flyte chart at the configured version and repository: atomic (a failed install or upgrade
 * rolls back), waiting only for what the platform says Flyte relies on at start-up.
 */
export function flyteRelease(
    name: string,
    args: {
        releaseName: string;
        chart: string;
        flyte: FlyteConfig;
        namespace: pulumi.Input<string>;
        values: pulumi.Input<object>;
        platform: FlytePlatform;
    },
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        `${name}-release`,
        {
            name: args.releaseName,
            chart: args.chart,
            version: args.flyte.chartVersion,
            repositoryOpts: { repo: args.flyte.chartRepository },
            namespace: args.namespace,
            createNamespace: false,
            values: args.values as pulumi.Input<{ [key: string]: pulumi.Input<unknown> }>,
            atomic: true,
            cleanupOnFail: true,
            timeout: RELEASE_TIMEOUT_SECONDS,
            maxHistory: 10,
        },
        { ...opts, dependsOn: [...args.platform.releaseDependencies] },
    );
}

/** With project isolation, the Job that points each project's raw outputs at its bucket; otherwise nothing. */
export function projectDataLocationsFor(
    name: string,
    args: {
        flyte: FlyteConfig;
        platform: FlytePlatform;
        namespace: pulumi.Input<string>;
        /** flyteadmin's HTTP API inside the cluster. */
        adminUrl: string;
        labels: Record<string, string>;
        release: k8s.helm.v3.Release;
    },
    opts: pulumi.ComponentResourceOptions,
): ProjectDataLocations | undefined {
    if (!args.flyte.projectIsolation) {
        return undefined;
    }
    return new ProjectDataLocations(
        `${name}-project-data`,
        {
            namespace: args.namespace,
            adminUrl: args.adminUrl,
            storage: args.platform.storage,
            projects: args.flyte.projects,
            image: args.flyte.projectSetupImage,
            labels: args.labels,
            provider: args.platform.kubernetesProvider,
            release: args.release,
        },
        opts,
    );
}
