import { CONTROL_PLANE_CLUSTER } from "../contract/multiCluster";

/**
 * flyteadmin's side of Flyte across clusters, for flyte-core's values: the data planes it launches executions in
 * (its `clusters` config section) and where it reads each one's credentials. Pure.
 *
 * flyteadmin reads `clusters` (flyteadmin/pkg/runtime/interfaces/cluster_configuration.go at v1.16.8, `Clusters`):
 * with any `clusterConfigs` it stops using its own cluster and builds one Kubernetes client per entry
 * (pkg/executioncluster/impl/factory.go GetExecutionCluster, list_targets.go): a remote one from the endpoint and
 * the token and CA certificate files `auth` names, read once when it starts (pkg/flytek8s/client.go
 * RemoteClusterConfig), an `inCluster` one from the pod's own service account, nothing else of the entry being read
 * (GetRestClientConfig). An execution goes to a cluster of its execution cluster label (`labelClusterMap`), the
 * label coming from the execution, its matchable attributes, or `defaultExecutionLabel`
 * (random_cluster_selector.go GetTarget). The cluster resource sync creates the projects' namespaces in every
 * enabled cluster (pkg/clusterresource/controller.go).
 */

/**
 * The Secret with every data plane's token and CA certificate. flyte-core's syncresources Deployment mounts it by
 * this fixed name, once `configmap.clusters.labelClusterMap` is not empty
 * (charts/flyte-core/templates/clusterresourcesync/deployment.yaml at v1.16.8, volume `cluster-secrets`).
 */
export const CLUSTER_CREDENTIALS_SECRET = "cluster-credentials";
/** Where syncresources mounts it (same template), and where flyteadmin's pod gets it too (coreValues.ts). */
export const CLUSTER_CREDENTIALS_MOUNT = "/var/run/credentials";
/** The volume's name in flyteadmin's pod (`flyteadmin.additionalVolumes`). */
export const CLUSTER_CREDENTIALS_VOLUME = "cluster-credentials";

/** The Secret's key (and file) with a data plane's service-account token. */
export function clusterTokenFile(name: string): string {
    return `${name}_token`;
}

/** The Secret's key (and file) with a data plane's API server CA certificate (PEM). */
export function clusterCaFile(name: string): string {
    return `${name}_cacert`;
}

/** The Secret's keys for these data planes, two each: token, then CA certificate. */
export function clusterCredentialKeys(names: readonly string[]): string[] {
    return names.flatMap((name) => [clusterTokenFile(name), clusterCaFile(name)]);
}

/** A data plane as flyteadmin is told about it. */
export interface ClusterEntry {
    /** The cluster's id and its execution cluster label: a DNS label. */
    readonly name: string;
    /** Its Kubernetes API server as flyteadmin's pods reach it (`https://<address>`). */
    readonly endpoint: string;
}

/** A cluster reached through its API endpoint with a bearer token (`ClusterConfig`, `Auth`). */
export interface RemoteClusterConfig {
    readonly name: string;
    readonly endpoint: string;
    readonly enabled: true;
    /** Files flyteadmin reads the token and the CA certificate from (the `file_path` auth, the only one). */
    readonly auth: { readonly tokenPath: string; readonly certPath: string };
}

/** flyteadmin's own cluster, reached with its pod's service account (`inCluster`: endpoint and auth are not read). */
export interface InClusterConfig {
    readonly name: string;
    readonly enabled: true;
    readonly inCluster: true;
}

/** An execution cluster label's clusters with their weights (`ClusterEntity`). */
export interface ClusterEntity {
    readonly id: string;
    readonly weight: number;
}

/** flyteadmin's `clusters` section (`Clusters`), flyte-core's `configmap.clusters`. */
export interface FlyteadminClusters {
    readonly clusterConfigs: readonly (RemoteClusterConfig | InClusterConfig)[];
    readonly labelClusterMap: Readonly<Record<string, readonly ClusterEntity[]>>;
    readonly defaultExecutionLabel: string;
}

/**
 * The `clusters` section: each data plane with its credentials' files under CLUSTER_CREDENTIALS_MOUNT, then the
 * control plane's own cluster (CONTROL_PLANE_CLUSTER) when flytepropeller runs there too; each cluster is the one
 * member of the label of its name. Names must be distinct (flyteadmin refuses to start otherwise:
 * pkg/runtime/cluster_config_provider.go) and `defaultCluster` one of them; the config is validated before this
 * runs, so a failure here is a programming error.
 */
export function clustersConfig(args: {
    /** The data planes, in config order. */
    readonly clusters: readonly ClusterEntry[];
    /** flytepropeller runs in the control plane's cluster too. */
    readonly controlPlanePropeller: boolean;
    /** The label of executions without one of their own (`flyte:defaultExecutionCluster`). */
    readonly defaultCluster: string;
}): FlyteadminClusters {
    const remote: RemoteClusterConfig[] = args.clusters.map(({ name, endpoint }) => ({
        name,
        endpoint,
        enabled: true,
        auth: { tokenPath: `${CLUSTER_CREDENTIALS_MOUNT}/${clusterTokenFile(name)}`, certPath: `${CLUSTER_CREDENTIALS_MOUNT}/${clusterCaFile(name)}` },
    }));
    const local: InClusterConfig[] = args.controlPlanePropeller ? [{ name: CONTROL_PLANE_CLUSTER, enabled: true, inCluster: true }] : [];
    const configs = [...remote, ...local];
    const names = configs.map((c) => c.name);
    const repeated = names.filter((name, i) => names.indexOf(name) !== i);
    if (repeated.length > 0) {
        throw new Error(`clusters named more than once: ${[...new Set(repeated)].join(", ")}`);
    }
    if (!names.includes(args.defaultCluster)) {
        throw new Error(`the default execution cluster ${args.defaultCluster} is none of the clusters (${names.join(", ") || "none"})`);
    }
    return {
        clusterConfigs: configs,
        labelClusterMap: Object.fromEntries(names.map((name) => [name, [{ id: name, weight: 1 }]])),
        defaultExecutionLabel: args.defaultCluster,
    };
}

/** flyteadmin's volume and mount of CLUSTER_CREDENTIALS_SECRET, read-only at CLUSTER_CREDENTIALS_MOUNT. */
export function clusterCredentialsVolume(): {
    readonly volume: { readonly name: string; readonly secret: { readonly secretName: string } };
    readonly mount: { readonly name: string; readonly mountPath: string; readonly readOnly: true };
} {
    return {
        volume: { name: CLUSTER_CREDENTIALS_VOLUME, secret: { secretName: CLUSTER_CREDENTIALS_SECRET } },
        mount: { name: CLUSTER_CREDENTIALS_VOLUME, mountPath: CLUSTER_CREDENTIALS_MOUNT, readOnly: true },
    };
}
