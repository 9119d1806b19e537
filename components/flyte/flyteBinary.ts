import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../config/types";
import { distinctNamespaces } from "../namespaces";
import {
    DB_PASSWORD_SECRET,
    DB_PASSWORD_SECRET_KEY,
    FLYTE_BINARY_CHART,
    FLYTE_BINARY_RELEASE,
    FLYTE_GRPC_PORT,
    FLYTE_HTTP_PORT,
    flyteBinarySelectorLabels,
    flyteBinaryValues,
    FlyteBinaryValuesInput,
    SECRET_CONFIG_FILE,
    SECRET_CONFIG_SECRET,
    secretConfigFile,
    secretsChecksum,
    StorageInput,
    TASK_STORAGE_SECRET,
    taskStorageEnvironment,
} from "./binaryValues";
import { FlyteEndpoints, flyteEndpoints } from "./endpoints";
import type { FlyteExposure, FlytePlatform, FlyteStorage } from "./platform";

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

/** The storage part of the chart values, with the platform's outputs resolved. */
function storageInput(storage: FlyteStorage): pulumi.Output<StorageInput> {
    return pulumi.all([storage.metadataBucket, storage.userDataBucket]).apply(([metadataBucket, userDataBucket]): StorageInput =>
        storage.provider === "gcs"
            ? { provider: "gcs", project: storage.project, metadataBucket, userDataBucket }
            : {
                  provider: "s3",
                  region: storage.region,
                  metadataBucket,
                  userDataBucket,
                  endpoint: storage.endpoint ?? "",
                  disableSSL: storage.disableSSL,
                  accessKeyAuth: storage.accessKey !== undefined,
                  signedUrlEndpoint: storage.signedUrlEndpoint ?? "",
              },
    );
}

function serviceSpec(exposure: FlyteExposure): k8s.types.input.core.v1.ServiceSpec {
    const ports = (nodePorts?: { http: number; grpc: number }) => [
        { name: "http", port: FLYTE_HTTP_PORT, targetPort: "http", protocol: "TCP", nodePort: nodePorts?.http },
        { name: "grpc", port: FLYTE_GRPC_PORT, targetPort: "grpc", protocol: "TCP", nodePort: nodePorts?.grpc },
    ];
    const common = { selector: flyteBinarySelectorLabels(), externalTrafficPolicy: "Cluster" };
    return exposure.kind === "loadBalancer"
        ? { ...common, type: "LoadBalancer", loadBalancerIP: exposure.loadBalancerIP, ports: ports() }
        : {
              ...common,
              type: "NodePort",
              ports: ports({ http: exposure.httpNodePort, grpc: exposure.grpcNodePort }),
          };
}

function endpoints(exposure: FlyteExposure, service: k8s.core.v1.Service): pulumi.Output<FlyteEndpoints> {
    if (exposure.kind === "nodePort") {
        return pulumi.output(flyteEndpoints(exposure.host, { http: exposure.httpNodePort, grpc: exposure.grpcNodePort }));
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
    return host.apply((h) => flyteEndpoints(h));
}

/**
 * Flyte's single-binary deployment, cloud-agnostic: its namespace, the secrets it reads (database password,
 * storage keys where the platform uses them), the flyte-binary Helm release, and the Service that exposes HTTP
 * and gRPC the way the platform asks.
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

        const storage = platform.storage;
        const accessKey = storage.provider === "s3" ? storage.accessKey : undefined;
        const keys = accessKey
            ? pulumi.all([accessKey.id, accessKey.secret]).apply(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }))
            : undefined;
        const secretConfig = keys
            ? new k8s.core.v1.Secret(
                  `${name}-secret-config`,
                  {
                      metadata: { name: SECRET_CONFIG_SECRET, namespace, labels },
                      type: "Opaque",
                      stringData: { [SECRET_CONFIG_FILE]: pulumi.secret(keys.apply(secretConfigFile)) },
                  },
                  k8sOpts,
              )
            : undefined;
        if (keys && storage.provider === "s3") {
            this.createTaskStorageSecrets(name, flyte, keys, storage.endpoint ?? "", labels, k8sOpts);
        }

        // Flyte restarts when a secret it reads from outside the chart changes.
        const checksum = pulumi.unsecret(
            pulumi
                .all([platform.database.password, keys ? keys.apply(secretConfigFile) : ""])
                .apply((secrets) => secretsChecksum(secrets)),
        );

        const identityAnnotation = platform.identity?.annotationKey;
        const identity: pulumi.Output<FlyteBinaryValuesInput["identity"]> =
            platform.identity && identityAnnotation
                ? pulumi
                      .all([platform.identity.backend, platform.identity.worker])
                      .apply(([backend, worker]) => ({ annotationKey: identityAnnotation, backend, worker }))
                : pulumi.output(undefined);
        // Names read from the Secrets, so that the release also waits for them to exist.
        const secretConfigName: pulumi.Output<string | undefined> = secretConfig
            ? secretConfig.metadata.name
            : pulumi.output(undefined);

        const values = pulumi
            .all([
                platform.database.host,
                platform.database.name,
                platform.database.username,
                dbPassword.metadata.name,
                storageInput(storage),
                identity,
                secretConfigName,
                checksum,
            ])
            .apply(([host, dbName, username, passwordSecret, storageValues, identityValues, secretConfigValue, secretsDigest]) =>
                flyteBinaryValues({
                    flyte,
                    database: {
                        host,
                        port: platform.database.port,
                        name: dbName,
                        username,
                        options: platform.database.options,
                        passwordSecret,
                    },
                    storage: storageValues,
                    identity: identityValues,
                    taskLogs: platform.taskLogs,
                    labels,
                    secretConfig: secretConfigValue,
                    secretsChecksum: secretsDigest,
                    taskEnvironment: platform.taskEnvironment,
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
                    name: `${FLYTE_BINARY_RELEASE}-${exposure.kind === "loadBalancer" ? "lb" : "nodeport"}`,
                    namespace,
                    labels,
                    annotations: exposure.kind === "loadBalancer" ? { ...exposure.annotations } : {},
                },
                spec: serviceSpec(exposure),
            },
            k8sOpts,
        );

        const resolved = endpoints(exposure, this.service);
        this.grpcEndpoint = resolved.grpcEndpoint;
        this.httpEndpoint = resolved.httpEndpoint;
        this.consoleUrl = resolved.consoleUrl;
        this.flytectlConfig = resolved.flytectlConfig;

        this.registerOutputs({
            grpcEndpoint: this.grpcEndpoint,
            httpEndpoint: this.httpEndpoint,
            consoleUrl: this.consoleUrl,
        });
    }

    /**
     * Task pods reach an access-key object store (MinIO) with keys from a Secret in their own namespace. The
     * namespaces are Flyte's project-domain namespaces: created here so the Secrets have a home from the start
     * (Flyte's cluster resource sync then finds them in place).
     */
    private createTaskStorageSecrets(
        name: string,
        flyte: FlyteConfig,
        keys: pulumi.Output<{ accessKeyId: string; secretAccessKey: string }>,
        endpoint: string,
        labels: Record<string, string>,
        opts: pulumi.CustomResourceOptions,
    ): void {
        for (const namespace of distinctNamespaces(flyte.projectNamespaces)) {
            const ns = new k8s.core.v1.Namespace(`${name}-tasks-${namespace}`, { metadata: { name: namespace, labels } }, opts);
            new k8s.core.v1.Secret(
                `${name}-tasks-${namespace}-storage`,
                {
                    metadata: { name: TASK_STORAGE_SECRET, namespace: ns.metadata.name, labels },
                    type: "Opaque",
                    stringData: pulumi.secret(keys.apply((k) => taskStorageEnvironment({ ...k, endpoint }))),
                },
                opts,
            );
        }
    }
}
