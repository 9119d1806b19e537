import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ControlPlaneConfig, GrpcEndpoint, ResolvedDataPlane } from "../contract/multiCluster";
import { FLYTE_CORE_RELEASE } from "./coreValues";
import { CLUSTER_CREDENTIALS_SECRET, clusterCaFile, clustersConfig, clusterTokenFile, type FlyteadminClusters } from "./multiCluster";

/**
 * On a control plane: what flyteadmin needs to reach its data planes (the `cluster-credentials` Secret with each
 * data plane's token and CA, and the `clusters` config naming them), and what the data planes need to reach the
 * control plane besides flyteadmin's endpoint: datacatalog, on an internal load balancer that only the data planes'
 * pods may reach.
 */

/** datacatalog's gRPC port on its Service (charts/flyte-core/templates/datacatalog/service.yaml at v1.16.8). */
export const DATACATALOG_GRPC_PORT = 89;
/** The container port behind it: the chart's `configmap.datacatalogServer.application.grpcPort` (values.yaml at v1.16.8). */
export const DATACATALOG_CONTAINER_GRPC_PORT = 8089;
/** The internal load balancer Service in front of datacatalog, for the data planes. */
export const DATACATALOG_INTERNAL_SERVICE = "flyte-datacatalog-internal";

/** The labels flyte-core gives datacatalog's pods (`datacatalog.selectorLabels`, charts/flyte-core/templates/_helpers.tpl). */
export function datacatalogSelector(): Record<string, string> {
    return { "app.kubernetes.io/name": "datacatalog", "app.kubernetes.io/instance": FLYTE_CORE_RELEASE };
}

/** The `cluster-credentials` Secret's files: each data plane's token and CA certificate, by the names `clusters` points at. */
export function clusterCredentialFiles(dataPlanes: readonly ResolvedDataPlane[]): Record<string, pulumi.Output<string>> {
    return Object.fromEntries(
        dataPlanes.flatMap((d) => [
            [clusterTokenFile(d.ref.name), pulumi.secret(d.token)],
            [clusterCaFile(d.ref.name), pulumi.output(d.output.caCertificate)],
        ]),
    );
}

/**
 * flyteadmin's `clusters` for the data planes that have published their outputs, or none while none has (the first
 * deployment): the default label must then be a cluster that exists, so with none registered there is no config.
 */
export function controlPlaneClusters(config: ControlPlaneConfig, dataPlanes: readonly ResolvedDataPlane[]): FlyteadminClusters | undefined {
    const registered = new Set(dataPlanes.map((d) => d.ref.name));
    const clusters = dataPlanes.map((d) => ({ name: d.ref.name, endpoint: d.output.apiEndpoint }));
    if (clusters.length === 0 && !config.propeller) {
        return undefined;
    }
    // A default that is not registered yet falls back to the first registered cluster until it is.
    const fallback = clusters[0]?.name ?? (config.propeller ? "control-plane" : undefined);
    const isKnown = config.defaultCluster === "control-plane" ? config.propeller : registered.has(config.defaultCluster);
    const defaultCluster = isKnown ? config.defaultCluster : fallback;
    if (defaultCluster === undefined) {
        return undefined;
    }
    return clustersConfig({ clusters, controlPlanePropeller: config.propeller, defaultCluster });
}

export interface ControlPlaneClustersArgs {
    /** The control plane's config: data planes, its own propeller, default cluster. */
    readonly config: ControlPlaneConfig;
    /** The data planes that have published their outputs. */
    readonly dataPlanes: readonly ResolvedDataPlane[];
    /** Flyte's namespace on the control plane (read from its Namespace object). */
    readonly namespace: pulumi.Output<string>;
    /** Annotations of an internal TCP load balancer reachable from every region of the network (the platform's). */
    readonly internalServiceAnnotations: Readonly<Record<string, string>>;
    /**
     * Who may reach datacatalog while no data plane is registered: the control plane's own ranges, so that the load
     * balancer never answers the whole network.
     */
    readonly fallbackSourceRanges: readonly string[];
    /** Labels of the objects. */
    readonly labels: Readonly<Record<string, string>>;
    /** The control plane cluster's provider. */
    readonly provider: k8s.Provider;
}

/** See above. */
export class ControlPlaneClusters extends pulumi.ComponentResource {
    /** With at least one registered data plane: their tokens and CA certificates. */
    readonly credentials?: k8s.core.v1.Secret;
    /** The Secret's files (tokens as Pulumi secrets), for the digest that restarts flyteadmin when a token changes. */
    readonly credentialFiles: readonly pulumi.Output<string>[];
    /** flyteadmin's `clusters`; absent while no cluster is registered. */
    readonly clusters?: FlyteadminClusters;
    /** datacatalog's internal load balancer Service. */
    readonly datacatalogService: k8s.core.v1.Service;
    /** datacatalog as data-plane pods reach it (plaintext gRPC inside the network). */
    readonly datacatalog: pulumi.Output<GrpcEndpoint>;

    constructor(name: string, args: ControlPlaneClustersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:ControlPlaneClusters", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = { ...args.labels };
        this.clusters = controlPlaneClusters(args.config, args.dataPlanes);
        const files = clusterCredentialFiles(args.dataPlanes);
        this.credentialFiles = Object.keys(files)
            .sort()
            .map((k) => files[k]);
        if (args.dataPlanes.length > 0) {
            this.credentials = new k8s.core.v1.Secret(
                `${name}-credentials`,
                { metadata: { name: CLUSTER_CREDENTIALS_SECRET, namespace: args.namespace, labels }, type: "Opaque", stringData: files },
                k8sOpts,
            );
        }

        const podRanges = args.dataPlanes.map((d) => d.output.podRange);
        this.datacatalogService = new k8s.core.v1.Service(
            `${name}-datacatalog`,
            {
                metadata: { name: DATACATALOG_INTERNAL_SERVICE, namespace: args.namespace, labels, annotations: { ...args.internalServiceAnnotations } },
                spec: {
                    type: "LoadBalancer",
                    selector: datacatalogSelector(),
                    ports: [{ name: "grpc", port: DATACATALOG_GRPC_PORT, targetPort: DATACATALOG_CONTAINER_GRPC_PORT, protocol: "TCP" }],
                    // The cloud's firewall for the load balancer admits these ranges only (GKE: a VPC firewall rule
                    // from loadBalancerSourceRanges, https://cloud.google.com/kubernetes-engine/docs/concepts/service-load-balancer-parameters#lb-source-ranges;
                    // EKS: the AWS cloud provider's NLB admits them in the nodes' security group, and with instance
                    // targets the client's address is kept, https://cloud-provider-aws.sigs.k8s.io/service_controller/).
                    loadBalancerSourceRanges: podRanges.length > 0 ? podRanges : [...args.fallbackSourceRanges],
                    externalTrafficPolicy: "Cluster",
                },
            },
            k8sOpts,
        );
        this.datacatalog = this.datacatalogService.status.apply((status) => {
            const address = status?.loadBalancer?.ingress?.[0]?.ip || status?.loadBalancer?.ingress?.[0]?.hostname;
            if (!address) {
                throw new Error("datacatalog's internal load balancer reports no address");
            }
            return { endpoint: `${address}:${DATACATALOG_GRPC_PORT}`, insecure: true };
        });
        this.registerOutputs({ datacatalog: this.datacatalog });
    }
}
