import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig } from "../contract/config";
import type { DataPlaneOutput, FlyteDataPlanePlatform, ResolvedControlPlane } from "../contract/multiCluster";
import { allOf, secretsDigest } from "./chartInputs";
import { ControlPlaneAccess } from "./controlPlaneAccess";
import { FLYTE_CORE_CHART, FLYTE_CORE_RELEASE } from "./coreValues";
import { DATA_PLANE_CLIENT_SECRET, flyteDataPlaneValues } from "./dataPlaneValues";
import { RELEASE_POLICY } from "./flyteInstallation";

/**
 * The Flyte layer of a data-plane stack (`flyte:clusterRole: dataPlane`): flyte-core with flytepropeller only
 * (dataPlaneValues.ts), reporting to the control plane's flyteadmin; with sign-in, the Secret propeller reads the
 * control plane's internal client secret from; and what the control plane's flyteadmin acts as here
 * (ControlPlaneAccess). Publishes what the control plane needs to send executions here (DataPlaneOutput) and the
 * token, apart, as a Pulumi secret.
 */

export interface FlyteDataPlaneArgs {
    /**
     * The data plane's Flyte config: Flyte's namespace (the control plane's, by convention), the projects, domains
     * and namespace template flytepropeller watches, the chart version and repository.
     */
    readonly flyte: FlyteConfig;
    /** The cluster, propeller's cloud identity, the raw-data bucket and task log links (GcpDataPlanePlatform, AwsDataPlanePlatform, or a test's stand-in). */
    readonly platform: FlyteDataPlanePlatform;
    /** The control plane as read from its stack: flyteadmin, datacatalog, the buckets, and with sign-in propeller's client. */
    readonly controlPlane: ResolvedControlPlane;
    /** `flyte:dataPlaneTokenGeneration`: which token the control plane's flyteadmin is to use here. */
    readonly tokenGeneration: number;
    /** Labels of every Kubernetes object this creates. */
    readonly labels: Readonly<Record<string, string>>;
}

export class FlyteDataPlane extends pulumi.ComponentResource {
    /** Flyte's namespace (flyte:flyteNamespace as the control plane has it). */
    readonly namespace: k8s.core.v1.Namespace;
    /** With sign-in: the Secret with the control plane's internal client secret, which flytepropeller mounts. */
    readonly clientSecret?: k8s.core.v1.Secret;
    /** flyte-core with flytepropeller and its webhook only. */
    readonly release: k8s.helm.v3.Release;
    /** The control plane's flyteadmin here: its service account, RBAC and tokens. */
    readonly access: ControlPlaneAccess;
    /** The stack output `dataPlane`: plain, no secret in it. */
    readonly dataPlaneOutput: pulumi.Output<DataPlaneOutput>;
    /** The stack output `dataPlaneToken`: the current token (a Pulumi secret). */
    readonly token: pulumi.Output<string>;

    constructor(name: string, args: FlyteDataPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:FlyteDataPlane", name, {}, opts);
        const { flyte, platform, controlPlane } = args;
        const labels = { ...args.labels };
        const provider = platform.kubernetesProvider;
        const k8sOpts = { parent: this, provider };

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: flyte.namespace, labels } }, k8sOpts);
        const namespace = this.namespace.metadata.name;

        // With sign-in the control plane publishes the client and, as a secret output, its secret.
        let clientSecretValue: pulumi.Output<string> | undefined;
        if (controlPlane.output.propellerClientId !== undefined) {
            if (controlPlane.clientSecret === undefined) {
                throw new Error(
                    `flyte:controlPlaneStack ${controlPlane.stack} publishes flytepropeller's client (${controlPlane.output.propellerClientId}) without controlPlaneClientSecret`,
                );
            }
            clientSecretValue = controlPlane.clientSecret;
            this.clientSecret = new k8s.core.v1.Secret(
                `${name}-client-secret`,
                {
                    metadata: { name: DATA_PLANE_CLIENT_SECRET.secretName, namespace, labels },
                    type: "Opaque",
                    stringData: { [DATA_PLANE_CLIENT_SECRET.key]: pulumi.secret(clientSecretValue) },
                },
                k8sOpts,
            );
        }

        const resolved = allOf({
            rawDataBucket: platform.rawDataBucket,
            propellerIdentity: platform.propellerIdentity.value,
            // A new client secret restarts flytepropeller.
            secretsChecksum: secretsDigest(clientSecretValue === undefined ? [] : [clientSecretValue]),
        });
        const values: pulumi.Output<object> = resolved.apply(({ rawDataBucket, propellerIdentity, secretsChecksum }) =>
            flyteDataPlaneValues({
                flyte,
                controlPlane: controlPlane.output,
                rawDataBucket,
                propellerIdentity: { annotationKey: platform.propellerIdentity.annotationKey, value: propellerIdentity },
                taskLogs: platform.taskLogs,
                taskEnvironment: platform.taskEnvironment,
                secretsChecksum,
            }),
        );

        // The chart and release of a standalone flyte-core, installed as FlyteInstallation installs it.
        const chart = { name: FLYTE_CORE_RELEASE, chart: FLYTE_CORE_CHART, version: flyte.chartVersion, repositoryOpts: { repo: flyte.chartRepository } };
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                ...chart,
                namespace,
                createNamespace: false,
                values: values as pulumi.Input<Record<string, pulumi.Input<unknown>>>,
                ...RELEASE_POLICY,
            },
            // flytepropeller starts only once its node pool, identity and (with sign-in) client secret exist.
            { ...k8sOpts, dependsOn: [...platform.releaseDependencies, ...(this.clientSecret ? [this.clientSecret] : [])] },
        );

        this.access = new ControlPlaneAccess(
            `${name}-control-plane`,
            { namespace, tokenGeneration: args.tokenGeneration, labels, provider },
            { parent: this },
        );
        this.token = this.access.token;

        const { ownRawDataBucket } = platform;
        this.dataPlaneOutput = allOf({
            apiEndpoint: platform.apiEndpoint,
            caCertificate: this.access.caCertificate,
            adminServiceAccount: this.access.adminServiceAccount,
            rawDataBucket: platform.rawDataBucket,
            cloud: platform.published,
        }).apply(
            ({ apiEndpoint, caCertificate, adminServiceAccount, rawDataBucket, cloud }): DataPlaneOutput => ({
                ...cloud,
                apiEndpoint,
                caCertificate,
                adminServiceAccount,
                tokenGeneration: args.tokenGeneration,
                podRange: platform.podRange,
                ...(ownRawDataBucket ? { rawDataBucket } : {}),
            }),
        );

        this.registerOutputs({ dataPlaneOutput: this.dataPlaneOutput });
    }
}
