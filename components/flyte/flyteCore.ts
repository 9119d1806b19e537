import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import {
    CORE_DB_PASSWORD_SECRET,
    CORE_STORAGE_FILE,
    CORE_STORAGE_SECRET,
    coreStorageSecretFile,
    CoreStorageInput,
    FLYTE_CORE_CHART,
    FLYTE_CORE_RELEASE,
    flyteCoreValues,
    FlyteCoreValuesInput,
    FLYTEADMIN_GRPC_PORT,
    FLYTEADMIN_HTTP_PORT,
    FLYTEADMIN_SERVICE,
    FLYTECONSOLE_HTTP_PORT,
    FLYTECONSOLE_SERVICE,
} from "./coreValues";
import { EndpointProxy, endpointProxySelector } from "./endpointProxy";
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
import type { FlytePlatform } from "../contract/platform";
import type { ProjectDataLocations } from "./projectDataLocations";
import { FLYTE_CORE_COMPONENTS, FlyteCoreComponent } from "../contract/identities";

export interface FlyteCoreArgs {
    /** Projects, domains, namespaces, chart version and replicas. */
    readonly flyte: FlyteConfig;
    /** Cluster, database, storage, identities and exposure, from whichever platform runs Flyte. */
    readonly platform: FlytePlatform;
    /** Labels for every Kubernetes object. */
    readonly labels: Readonly<Record<string, string>>;
}

const CORE_COMPONENTS = Object.keys(FLYTE_CORE_COMPONENTS) as FlyteCoreComponent[];

/**
 * Flyte as separate services (flyte-core): flyteadmin, flytepropeller, datacatalog, flytescheduler and the
 * console, each backend component under its own service account and cloud identity. Around the chart: the
 * namespace, the secrets it reads, and a proxy that gives clients the same two ports as flyte-binary, exposed the
 * way the platform asks.
 */
export class FlyteCore extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly release: k8s.helm.v3.Release;
    readonly proxy: EndpointProxy;
    readonly service: k8s.core.v1.Service;
    readonly grpcEndpoint: pulumi.Output<string>;
    readonly httpEndpoint: pulumi.Output<string>;
    readonly consoleUrl: pulumi.Output<string>;
    readonly flytectlConfig: pulumi.Output<string>;
    /** `kubectl port-forward` of Flyte's HTTP and gRPC ports from its endpoint Service (with the stack's kubeconfig). */
    readonly portForwardCommand: pulumi.Output<string>;
    /** With project isolation: each project's raw output prefix. */
    readonly projectDataLocations?: ProjectDataLocations;

    constructor(name: string, args: FlyteCoreArgs, opts?: pulumi.ComponentResourceOptions) {
        // Switching flavor keeps what both share (namespace, secrets, Service) instead of recreating it.
        super("flyte:flyte:FlyteCore", name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: "flyte:flyte:FlyteBinary" }] });
        const { flyte, platform } = args;
        const labels = { ...args.labels };
        const k8sOpts = { parent: this, provider: platform.kubernetesProvider };
        const storage = platform.storage;

        this.namespace = flyteNamespace(name, flyte, labels, k8sOpts);
        const namespace = this.namespace.metadata.name;

        const dbPassword = databasePasswordSecret(
            name,
            { secretName: CORE_DB_PASSWORD_SECRET, namespace, password: platform.database.password, labels },
            k8sOpts,
        );

        const keys = storageKeys(platform);
        const storageFile =
            keys && storage.provider === "s3"
                ? pulumi.all([keys, storage.metadataBucket]).apply(([k, metadataBucket]) =>
                      coreStorageSecretFile({
                          ...k,
                          metadataBucket,
                          endpoint: storage.endpoint ?? "",
                          region: storage.region,
                          disableSSL: storage.disableSSL,
                          signedUrlEndpoint: storage.signedUrlEndpoint ?? "",
                      }),
                  )
                : undefined;
        const storageSecret = storageFile
            ? new k8s.core.v1.Secret(
                  `${name}-storage`,
                  {
                      metadata: { name: CORE_STORAGE_SECRET, namespace, labels },
                      type: "Opaque",
                      stringData: { [CORE_STORAGE_FILE]: pulumi.secret(storageFile) },
                  },
                  k8sOpts,
              )
            : undefined;
        taskStorageSecrets(name, { flyte, platform, labels }, k8sOpts);

        const checksum = secretsDigest([platform.database.password, storageFile ?? ""]);
        const identity: pulumi.Output<FlyteCoreValuesInput["identity"]> = identityValues(platform.identity, CORE_COMPONENTS).apply(
            (resolved) =>
                resolved && platform.identity
                    ? {
                          annotationKey: platform.identity.annotationKey,
                          components: resolved.backend as Record<FlyteCoreComponent, string>,
                          worker: resolved.worker,
                      }
                    : undefined,
        );
        // Read from the Secret, so that the release also waits for it to exist.
        const storageSecretName: pulumi.Output<string | undefined> = storageSecret
            ? storageSecret.metadata.name
            : pulumi.output(undefined);
        const storageInput: pulumi.Output<CoreStorageInput> = pulumi
            .all([storage.metadataBucket, storage.userDataBucket, storageSecretName])
            .apply(([metadataBucket, userDataBucket, secretName]): CoreStorageInput =>
                storage.provider === "gcs"
                    ? { provider: "gcs", project: storage.project, metadataBucket, userDataBucket }
                    : { provider: "s3", region: storage.region, metadataBucket, userDataBucket, secretName },
            );

        const values = pulumi
            .all([
                databaseInput(platform, dbPassword),
                storageInput,
                identity,
                checksum,
            ])
            .apply(([database, storageValue, identityValue, digest]) =>
                flyteCoreValues({
                    flyte,
                    database,
                    storage: storageValue,
                    identity: identityValue,
                    taskLogs: platform.taskLogs,
                    taskEnvironment: platform.taskEnvironment,
                    taskStorageSecret: keys !== undefined,
                    secretsChecksum: digest,
                    replicas: flyte.core.replicas,
                }),
            );

        this.release = flyteRelease(
            name,
            { releaseName: FLYTE_CORE_RELEASE, chart: FLYTE_CORE_CHART, flyte, namespace, values, platform },
            k8sOpts,
        );

        this.proxy = new EndpointProxy(
            `${name}-proxy`,
            {
                namespace,
                upstreams: {
                    namespace: flyte.namespace,
                    admin: { service: FLYTEADMIN_SERVICE, httpPort: FLYTEADMIN_HTTP_PORT, grpcPort: FLYTEADMIN_GRPC_PORT },
                    console: { service: FLYTECONSOLE_SERVICE, httpPort: FLYTECONSOLE_HTTP_PORT },
                },
                image: flyte.core.proxyImage,
                replicas: flyte.core.replicas,
                labels,
                provider: platform.kubernetesProvider,
                release: this.release,
            },
            { parent: this },
        );

        const endpoint = endpointService(
            name,
            {
                releaseName: FLYTE_CORE_RELEASE,
                namespace,
                selector: endpointProxySelector(),
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
                adminUrl: `http://${FLYTEADMIN_SERVICE}.${flyte.namespace}.svc.cluster.local:${FLYTEADMIN_HTTP_PORT}`,
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
