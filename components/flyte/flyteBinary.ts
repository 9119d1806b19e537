import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../config/types";
import {
    DB_PASSWORD_SECRET,
    DB_PASSWORD_SECRET_KEY,
    FLYTE_BINARY_CHART,
    FLYTE_BINARY_RELEASE,
    FLYTE_GRPC_PORT,
    FLYTE_HTTP_PORT,
    flyteBinarySelectorLabels,
    flyteBinaryValues,
} from "./binaryValues";
import { flyteEndpoints } from "./endpoints";
import type { FlytePlatform } from "./platform";

export interface FlyteBinaryArgs {
    /** Projects, domains, namespaces and chart version. */
    readonly flyte: FlyteConfig;
    /** Cluster, database, storage, identities and exposure, from whichever platform runs Flyte. */
    readonly platform: FlytePlatform;
    /** Labels for every Kubernetes object. */
    readonly labels: Readonly<Record<string, string>>;
}

/** Seconds Helm waits for Flyte to become ready (first install pulls images and migrates the database). */
const RELEASE_TIMEOUT_SECONDS = 900;

/**
 * Flyte's single-binary deployment, cloud-agnostic: its namespace, the database password secret, the
 * flyte-binary Helm release, and the Service that exposes HTTP and gRPC the way the platform asks.
 */
export class FlyteBinary extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly release: k8s.helm.v3.Release;
    readonly service: k8s.core.v1.Service;
    readonly grpcEndpoint: pulumi.Output<string>;
    readonly httpEndpoint: pulumi.Output<string>;
    readonly consoleUrl: pulumi.Output<string>;
    readonly flytectlConfig: pulumi.Output<string>;

    constructor(name: string, args: FlyteBinaryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:FlyteBinary", name, {}, opts);
        const { flyte, platform } = args;
        const labels = { ...args.labels };
        const k8sOpts = { parent: this, provider: platform.kubernetesProvider };

        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: flyte.namespace, labels } },
            k8sOpts,
        );
        const namespace = this.namespace.metadata.name;

        const dbPassword = new k8s.core.v1.Secret(
            `${name}-db-password`,
            {
                metadata: { name: DB_PASSWORD_SECRET, namespace, labels },
                type: "Opaque",
                stringData: { [DB_PASSWORD_SECRET_KEY]: pulumi.secret(platform.database.password) },
            },
            k8sOpts,
        );

        const values = pulumi
            .all({
                host: platform.database.host,
                dbName: platform.database.name,
                username: platform.database.username,
                metadataBucket: platform.storage.metadataBucket,
                userDataBucket: platform.storage.userDataBucket,
                backend: platform.identity.backend,
                worker: platform.identity.worker,
                // Read from the Secret, so the release also waits for it to exist.
                passwordSecret: dbPassword.metadata.name,
            })
            .apply((v) =>
                flyteBinaryValues({
                    flyte,
                    database: {
                        host: v.host,
                        port: platform.database.port,
                        name: v.dbName,
                        username: v.username,
                        options: platform.database.options,
                        passwordSecret: v.passwordSecret,
                    },
                    storage: {
                        provider: platform.storage.provider,
                        project: platform.storage.project,
                        metadataBucket: v.metadataBucket,
                        userDataBucket: v.userDataBucket,
                    },
                    identity: { annotationKey: platform.identity.annotationKey, backend: v.backend, worker: v.worker },
                    taskLogs: platform.taskLogs,
                    labels,
                }),
            );

        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: FLYTE_BINARY_RELEASE,
                chart: FLYTE_BINARY_CHART,
                version: flyte.chartVersion,
                repositoryOpts: { repo: flyte.chartRepository },
                namespace,
                createNamespace: false,
                values,
                atomic: true,
                cleanupOnFail: true,
                timeout: RELEASE_TIMEOUT_SECONDS,
                maxHistory: 10,
            },
            { ...k8sOpts, dependsOn: [...platform.releaseDependencies] },
        );

        const exposure = platform.exposure;
        this.service = new k8s.core.v1.Service(
            `${name}-endpoint`,
            {
                metadata: {
                    name: `${FLYTE_BINARY_RELEASE}-lb`,
                    namespace,
                    labels,
                    annotations: { ...exposure.annotations },
                },
                spec: {
                    type: exposure.serviceType,
                    loadBalancerIP: exposure.loadBalancerIP,
                    externalTrafficPolicy: "Cluster",
                    selector: flyteBinarySelectorLabels(),
                    ports: [
                        { name: "http", port: FLYTE_HTTP_PORT, targetPort: "http", protocol: "TCP" },
                        { name: "grpc", port: FLYTE_GRPC_PORT, targetPort: "grpc", protocol: "TCP" },
                    ],
                },
            },
            k8sOpts,
        );

        const endpoints = exposure.host.apply(flyteEndpoints);
        this.grpcEndpoint = endpoints.grpcEndpoint;
        this.httpEndpoint = endpoints.httpEndpoint;
        this.consoleUrl = endpoints.consoleUrl;
        this.flytectlConfig = endpoints.flytectlConfig;

        this.registerOutputs({
            grpcEndpoint: this.grpcEndpoint,
            httpEndpoint: this.httpEndpoint,
            consoleUrl: this.consoleUrl,
        });
    }
}
