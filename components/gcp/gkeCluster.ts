import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GkeConfig } from "../contract/config";
import type { GcpNames } from "./names";
import { gkeKubeconfig } from "./kubeconfig";

/** Roles the node service account needs to ship logs and metrics; nothing else. */
export const NODE_SERVICE_ACCOUNT_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
] as const;

const NODE_OAUTH_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];

/** The port Flyte's pod webhook listens on (both charts). */
export const FLYTE_WEBHOOK_PORT = 9443;

export interface GkeClusterArgs {
    /** The GCP project id the cluster, its node service account and its firewall rule live in. */
    readonly project: string;
    /**
     * The cluster's and node pools' names (at most 40 characters) and the node service account's id (6 to 30), from
     * gcpNames: changing one replaces that resource.
     */
    readonly names: Pick<GcpNames, "cluster" | "nodePool" | "gpuNodePool" | "nodeServiceAccount">;
    /**
     * Location (a region: regional cluster, nodes in each zone; a zone: zonal), release channel, machine type, boot
     * disk size in GB, nodes per zone (min, max), Spot nodes, the CIDRs allowed to reach a public control plane
     * endpoint (none: no public IP endpoint at all), and the GPU node pool if any.
     */
    readonly config: GkeConfig;
    /** GKE deletion protection on the cluster: `pulumi destroy` fails until it is turned off. */
    readonly deletionProtection: boolean;
    /** The VPC network's id; nodes, pods and the webhook firewall rule are in it. */
    readonly network: pulumi.Input<string>;
    /** The nodes' subnet's id; it must hold the two secondary ranges named below. */
    readonly subnet: pulumi.Input<string>;
    /** Name of the subnet's secondary range pod IPs come from (VPC-native cluster). */
    readonly podsRangeName: string;
    /** Name of the subnet's secondary range Service cluster IPs come from. */
    readonly servicesRangeName: string;
    /**
     * Enable the Gateway API (its standard channel) for an HTTPS endpoint through a GKE Gateway; absent or false:
     * the cluster is declared as without it.
     */
    readonly gatewayApi?: boolean;
    /**
     * Internal (RFC 1918) ranges of clients elsewhere in the VPC network that call the API server at its private
     * endpoint: a data plane's master authorized networks list the control plane's node subnet and pods here, ahead of
     * `config.authorizedNetworks`. The cluster's own nodes and pods need no entry. Absent: none. These never open the
     * public endpoint, which follows `config.authorizedNetworks` alone: an internal address can only ever reach the
     * private one (https://cloud.google.com/kubernetes-engine/docs/how-to/authorized-networks).
     */
    readonly privateEndpointClients?: readonly string[];
    /**
     * Let clients in every region of the VPC network reach the private endpoint (`masterGlobalAccessConfig`); without,
     * only clients in the cluster's region can ("control plane global access" in "Customize your network isolation",
     * https://cloud.google.com/kubernetes-engine/docs/how-to/private-clusters). Absent or false: not declared.
     */
    readonly privateEndpointGlobalAccess?: boolean;
    /** GCP labels on the cluster (`resourceLabels`), for cost reports and finding what this stack owns. */
    readonly labels: Readonly<Record<string, string>>;
    /** APIs that must be enabled first: the cluster fails to create until they are. */
    readonly apis: {
        /** container.googleapis.com: the cluster and its node pool. */
        readonly container: pulumi.Resource;
        /** iam.googleapis.com: the node service account. */
        readonly iam: pulumi.Resource;
    };
}

/**
 * A private, VPC-native GKE cluster with Workload Identity, its node pool (and with `config.gpuPool` a GPU node pool
 * that scales from zero) and a dedicated node service account, plus a kubeconfig and a Kubernetes provider built from
 * its outputs.
 *
 * The control plane has no public IP endpoint unless `authorizedNetworks` lists CIDRs; pulumi and kubectl reach
 * it through the DNS endpoint, which only answers callers Google IAM authenticates.
 */
export class GkeCluster extends pulumi.ComponentResource {
    readonly nodeServiceAccount: gcp.serviceaccount.Account;
    readonly cluster: gcp.container.Cluster;
    readonly nodePool: gcp.container.NodePool;
    /**
     * With `config.gpuPool`: the nodes with GPUs, for the task pods that request them. Flyte's own pods never run there,
     * so nothing of Flyte's waits for it.
     */
    readonly gpuNodePool?: gcp.container.NodePool;
    /** Lets the control plane call admission webhooks on the nodes (Flyte's pod webhook). */
    readonly webhookFirewall: gcp.compute.Firewall;
    /** The API server's private (internal) IP address, as the cluster reports it. */
    readonly privateEndpoint: pulumi.Output<string>;
    /** `<project>.svc.id.goog`, read from the cluster so bindings on it wait until the pool exists. */
    readonly workloadPool: pulumi.Output<string>;
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly clusterName: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:GkeCluster", name, {}, opts);
        const { project, names, config } = args;

        this.nodeServiceAccount = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            {
                project,
                accountId: names.nodeServiceAccount,
                displayName: "GKE nodes of the Flyte cluster",
                description: "Node identity: writes logs and metrics only. Managed by Pulumi.",
            },
            { parent: this, dependsOn: [args.apis.iam] },
        );
        const nodeMember = pulumi.interpolate`serviceAccount:${this.nodeServiceAccount.email}`;
        const nodeRoles = NODE_SERVICE_ACCOUNT_ROLES.map(
            (role) =>
                new gcp.projects.IAMMember(
                    `${name}-nodes-${role.split("/")[1].replace(/\./g, "-")}`,
                    { project, role, member: nodeMember },
                    { parent: this },
                ),
        );

        const publicEndpoint = config.authorizedNetworks.length > 0;
        const privateEndpointClients = args.privateEndpointClients ?? [];
        const nodeConfig = {
            serviceAccount: this.nodeServiceAccount.email,
            oauthScopes: NODE_OAUTH_SCOPES,
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            metadata: { "disable-legacy-endpoints": "true" },
        };
        /** How GKE repairs, upgrades and surges every node pool of the cluster. */
        const poolManagement = {
            management: { autoRepair: true, autoUpgrade: true },
            upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
        };

        this.cluster = new gcp.container.Cluster(
            `${name}-cluster`,
            {
                project,
                name: names.cluster,
                location: config.location,
                network: args.network,
                subnetwork: args.subnet,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: {
                    clusterSecondaryRangeName: args.podsRangeName,
                    servicesSecondaryRangeName: args.servicesRangeName,
                },
                datapathProvider: "ADVANCED_DATAPATH",
                // The default pool cannot be configured well; it is replaced by the managed pool below. Until
                // then it runs as the node account with the metadata server, never as the Compute default SA.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig,
                releaseChannel: { channel: config.releaseChannel },
                workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: !publicEndpoint,
                    ...(args.privateEndpointGlobalAccess ? { masterGlobalAccessConfig: { enabled: true } } : {}),
                },
                controlPlaneEndpointsConfig: {
                    dnsEndpointConfig: { allowExternalTraffic: true },
                    ipEndpointsConfig: { enabled: true },
                },
                masterAuthorizedNetworksConfig: {
                    gcpPublicCidrsAccessEnabled: false,
                    cidrBlocks: [
                        ...privateEndpointClients.map((cidrBlock) => ({ cidrBlock, displayName: `private endpoint client ${cidrBlock}` })),
                        ...config.authorizedNetworks
                            .filter((cidrBlock) => !privateEndpointClients.includes(cidrBlock))
                            .map((cidrBlock) => ({ cidrBlock, displayName: `authorized ${cidrBlock}` })),
                    ],
                },
                enableShieldedNodes: true,
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
                addonsConfig: {
                    gcePersistentDiskCsiDriverConfig: { enabled: true },
                    // GKE's Gateway controller needs the HTTP load balancing add-on (on by default; stated here).
                    ...(args.gatewayApi ? { httpLoadBalancing: { disabled: false } } : {}),
                },
                // The Gateway API's CRDs and GKE's GatewayClasses.
                // https://cloud.google.com/kubernetes-engine/docs/how-to/deploying-gateways#enable-gateway
                ...(args.gatewayApi ? { gatewayApiConfig: { channel: "CHANNEL_STANDARD" } } : {}),
                resourceLabels: { ...args.labels },
                deletionProtection: args.deletionProtection,
            },
            {
                parent: this,
                dependsOn: [args.apis.container],
                // GKE reports the first remaining pool's config here once the default pool is gone; comparing
                // against it would replace the cluster.
                ignoreChanges: ["nodeConfig", "initialNodeCount"],
            },
        );

        this.nodePool = new gcp.container.NodePool(
            `${name}-pool`,
            {
                project,
                name: names.nodePool,
                cluster: this.cluster.id,
                location: config.location,
                autoscaling: {
                    minNodeCount: config.minNodesPerZone,
                    maxNodeCount: config.maxNodesPerZone,
                    locationPolicy: config.spotNodes ? "ANY" : "BALANCED",
                },
                initialNodeCount: Math.max(config.minNodesPerZone, 1),
                ...poolManagement,
                nodeConfig: {
                    ...nodeConfig,
                    machineType: config.machineType,
                    diskSizeGb: config.diskSizeGb,
                    diskType: "pd-balanced",
                    spot: config.spotNodes,
                    labels: { "flyte.org/node-role": "flyte" },
                },
            },
            // Node agents ship logs and metrics from boot, so the roles come first.
            { parent: this, ignoreChanges: ["initialNodeCount"], dependsOn: nodeRoles },
        );

        const gpu = config.gpuPool;
        if (gpu !== undefined) {
            // GKE taints the nodes of a GPU pool added to a cluster that already has a pool without GPUs
            // (nvidia.com/gpu=present:NoSchedule), and its ExtendedResourceToleration admission controller gives the
            // toleration to exactly the pods that request nvidia.com/gpu ("Run GPUs in GKE Standard node pools",
            // https://cloud.google.com/kubernetes-engine/docs/how-to/gpus). flytepropeller requests a task's GPUs as
            // nvidia.com/gpu (GpuResourceName in flyteplugins/go/tasks/pluginmachinery/flytek8s/config/config.go,
            // v1.16.8). So only GPU tasks land here and Flyte's own pods stay on the pool above, which is why this
            // pool waits for that one.
            this.gpuNodePool = new gcp.container.NodePool(
                `${name}-gpu-pool`,
                {
                    project,
                    name: names.gpuNodePool,
                    cluster: this.cluster.id,
                    location: config.location,
                    // No GPU node runs (or is paid for) while no GPU task waits. ANY "picks zones that have the highest
                    // capacity available" (NodePoolAutoscaling.LocationPolicy,
                    // https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/projects.locations.clusters.nodePools#locationpolicy):
                    // GPUs run short zone by zone, and balancing GPU nodes across zones buys nothing.
                    autoscaling: { minNodeCount: 0, maxNodeCount: gpu.maxNodesPerZone, locationPolicy: "ANY" },
                    initialNodeCount: 0,
                    ...poolManagement,
                    // On-demand nodes: gkeSpotNodes is the other pool's.
                    nodeConfig: {
                        ...nodeConfig,
                        machineType: gpu.machineType,
                        diskSizeGb: config.diskSizeGb,
                        diskType: "pd-balanced",
                        labels: { "flyte.org/node-role": "gpu" },
                        // GKE installs the default NVIDIA driver of the node's GKE version
                        // (https://cloud.google.com/kubernetes-engine/docs/how-to/gpus#create-gpu-pool-auto-drivers).
                        guestAccelerators: [{ type: gpu.type, count: gpu.count, gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }],
                    },
                },
                { parent: this, ignoreChanges: ["initialNodeCount"], dependsOn: [...nodeRoles, this.nodePool] },
            );
        }

        this.privateEndpoint = this.cluster.privateClusterConfig.apply((c) => {
            if (!c?.privateEndpoint) {
                throw new Error(`GKE cluster ${names.cluster} reports no private endpoint`);
            }
            return c.privateEndpoint;
        });

        // With private nodes GKE opens only 443 and 10250 from the control plane; Flyte's pod webhook (secret
        // injection into task pods) listens on 9443.
        this.webhookFirewall = new gcp.compute.Firewall(
            `${name}-webhooks`,
            {
                project,
                name: `${names.cluster}-webhooks`,
                network: args.network,
                direction: "INGRESS",
                description: "GKE control plane to admission webhooks on the nodes (Flyte pod webhook). Managed by Pulumi.",
                sourceRanges: [this.privateEndpoint.apply((ip) => `${ip}/32`)],
                targetServiceAccounts: [this.nodeServiceAccount.email],
                allows: [{ protocol: "tcp", ports: [String(FLYTE_WEBHOOK_PORT)] }],
            },
            { parent: this },
        );

        this.clusterName = this.cluster.name;
        this.workloadPool = this.cluster.workloadIdentityConfig.apply((c) => {
            if (!c?.workloadPool) {
                throw new Error(`GKE cluster ${names.cluster} reports no Workload Identity pool`);
            }
            return c.workloadPool;
        });

        const endpoint: pulumi.Output<{ host: string; ca?: string }> = publicEndpoint
            ? pulumi.all([this.cluster.endpoint, this.cluster.masterAuth]).apply(([host, auth]) => ({
                  host,
                  ca: auth.clusterCaCertificate,
              }))
            : this.cluster.controlPlaneEndpointsConfig.apply((c) => {
                  const host = c.dnsEndpointConfig?.endpoint;
                  if (!host) {
                      throw new Error(`GKE cluster ${names.cluster} reports no DNS endpoint`);
                  }
                  return { host };
              });
        this.kubeconfig = pulumi.secret(
            pulumi.all([this.cluster.name, endpoint]).apply(([clusterName, ep]) =>
                gkeKubeconfig({
                    project,
                    location: config.location,
                    clusterName,
                    endpoint: ep.host,
                    caCertificate: ep.ca,
                }),
            ),
        );

        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this },
        );

        this.registerOutputs({ clusterName: this.clusterName, workloadPool: this.workloadPool });
    }
}
