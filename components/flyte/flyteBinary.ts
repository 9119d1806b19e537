import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import {
    DB_PASSWORD_SECRET,
    FLYTE_BINARY_CHART,
    FLYTE_BINARY_RELEASE,
    flyteBinarySelectorLabels,
    flyteBinaryValues,
    FlyteBinaryValuesInput,
    SECRET_CONFIG_FILE,
    SECRET_CONFIG_SECRET,
    secretConfigFile,
    StorageInput,
} from "./binaryValues";
import {
    databaseInput,
    databasePasswordSecret,
    endpointService,
    flyteNamespace,
    identityValues,
    flyteRelease,
    projectDataLocationsFor,
    secretsDigest,
    storageKeys,
    taskStorageSecrets,
} from "./flyteObjects";
import { FLYTE_HTTP_PORT } from "./flyteSettings";
import type { FlytePlatform, FlyteStorage } from "../contract/platform";
import type { ProjectDataLocations } from "./projectDataLocations";
import { BACKEND_IDENTITY } from "../contract/identities";

export interface FlyteBinaryArgs {
    /** Projects, domains, namespaces and chart version. */
    readonly flyte: FlyteConfig;
    /** Cluster, database, storage, identities and exposure, from whichever platform runs Flyte. */
    readonly platform: FlytePlatform;
    /** Labels for every Kubernetes object. */
    readonly labels: Readonly<Record<string, string>>;
}

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
    /** `kubectl port-forward` of Flyte's HTTP and gRPC ports from its endpoint Service (with the stack's kubeconfig). */
    readonly portForwardCommand: pulumi.Output<string>;
    /** With project isolation: each project's raw output prefix. */
    readonly projectDataLocations?: ProjectDataLocations;

    constructor(name: string, args: FlyteBinaryArgs, opts?: pulumi.ComponentResourceOptions) {
        // Switching flavor keeps what both share (namespace, secrets, Service) instead of recreating it.
        super("flyte:flyte:FlyteBinary", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "flyte:flyte:FlyteCore" }] });
        const { flyte, platform } = args;
        const labels = { ...args.labels };
        const k8sOpts = { parent: this, provider: platform.kubernetesProvider };

        this.namespace = flyteNamespace(name, flyte, labels, k8sOpts);
        const namespace = this.namespace.metadata.name;

        const dbPassword = databasePasswordSecret(
            name,
            { secretName: DB_PASSWORD_SECRET, namespace, password: platform.database.password, labels },
            k8sOpts,
        );

        const keys = storageKeys(platform);
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
        taskStorageSecrets(name, { flyte, platform, labels }, k8sOpts);

        const checksum = secretsDigest([platform.database.password, keys ? keys.apply(secretConfigFile) : ""]);
        const identity: pulumi.Output<FlyteBinaryValuesInput["identity"]> = identityValues(platform.identity).apply(
            (resolved) =>
                resolved && platform.identity
                    ? {
                          annotationKey: platform.identity.annotationKey,
                          backend: resolved.backend[BACKEND_IDENTITY],
                          worker: resolved.worker,
                      }
                    : undefined,
        );
        // Names read from the Secrets, so that the release also waits for them to exist.
        const secretConfigName: pulumi.Output<string | undefined> = secretConfig
            ? secretConfig.metadata.name
            : pulumi.output(undefined);

        const values = pulumi
            .all([
                databaseInput(platform, dbPassword),
                storageInput(platform.storage),
                identity,
                secretConfigName,
                checksum,
            ])
            .apply(([database, storageValues, identityValue, secretConfigValue, digest]) =>
                flyteBinaryValues({
                    flyte,
                    database,
                    storage: storageValues,
                    identity: identityValue,
                    taskLogs: platform.taskLogs,
                    labels,
                    secretConfig: secretConfigValue,
                    secretsChecksum: digest,
                    taskEnvironment: platform.taskEnvironment,
                }),
            );

        this.release = flyteRelease(
            name,
            { releaseName: FLYTE_BINARY_RELEASE, chart: FLYTE_BINARY_CHART, flyte, namespace, values, platform },
            k8sOpts,
        );

        const endpoint = endpointService(
            name,
            {
                releaseName: FLYTE_BINARY_RELEASE,
                namespace,
                selector: flyteBinarySelectorLabels(),
                exposure: platform.exposure,
                labels,
            },
            k8sOpts,
        );
        this.service = endpoint.service;
        this.grpcEndpoint = endpoint.endpoints.grpcEndpoint;
        this.httpEndpoint = endpoint.endpoints.httpEndpoint;
        this.consoleUrl = endpoint.endpoints.consoleUrl;
        this.flytectlConfig = endpoint.endpoints.flytectlConfig;
        this.portForwardCommand = endpoint.portForwardCommand;

        this.projectDataLocations = projectDataLocationsFor(
            name,
            {
                flyte,
                platform,
                namespace,
                adminUrl: `http://${FLYTE_BINARY_RELEASE}-http.${flyte.namespace}.svc.cluster.local:${FLYTE_HTTP_PORT}`,
                labels,
                release: this.release,
            },
            { parent: this },
        );

        this.registerOutputs({
            grpcEndpoint: this.grpcEndpoint,
            httpEndpoint: this.httpEndpoint,
            consoleUrl: this.consoleUrl,
        });
    }
}
