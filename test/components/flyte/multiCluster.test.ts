import { CONTROL_PLANE_CLUSTER } from "../../../components/contract/multiCluster";
import {
    CLUSTER_CREDENTIALS_MOUNT,
    CLUSTER_CREDENTIALS_SECRET,
    clusterCaFile,
    clusterCredentialKeys,
    clusterCredentialsVolume,
    clustersConfig,
    clusterTokenFile,
    RemoteClusterConfig,
} from "../../../components/flyte/multiCluster";

/**
 * flyteadmin's `clusters` section and the Secret it reads the data planes' credentials from. The chart side (what
 * mounts the Secret where, and that flyteadmin and the cluster resource sync read this section) is rendered in
 * coreValues.multiCluster.test.ts.
 */

const GPU = { name: "gpu", endpoint: "https://10.20.0.2" };
const BATCH = { name: "batch", endpoint: "https://10.30.0.2" };

/**
 * The json keys of flyteadmin's ClusterConfig, Auth and ClusterEntity (flyteadmin/pkg/runtime/interfaces/
 * cluster_configuration.go at v1.16.8, copied by hand): anything else in the section is not read.
 */
const CLUSTER_CONFIG_KEYS = ["name", "endpoint", "auth", "enabled", "kubeClientConfig", "inCluster"];
const AUTH_KEYS = ["tokenPath", "certPath"];
const CLUSTER_ENTITY_KEYS = ["id", "weight"];

describe("names", () => {
    test("the Secret is the one flyte-core's syncresources mounts by name, at the path it uses", () => {
        expect(CLUSTER_CREDENTIALS_SECRET).toBe("cluster-credentials");
        expect(CLUSTER_CREDENTIALS_MOUNT).toBe("/var/run/credentials");
    });

    test("two keys per data plane: <name>_token and <name>_cacert, in order", () => {
        expect([clusterTokenFile("gpu"), clusterCaFile("gpu")]).toEqual(["gpu_token", "gpu_cacert"]);
        expect(clusterCredentialKeys(["gpu", "batch"])).toEqual(["gpu_token", "gpu_cacert", "batch_token", "batch_cacert"]);
        expect(clusterCredentialKeys([])).toEqual([]);
    });

    test("keys of DNS-label names are valid Secret keys, and distinct", () => {
        const keys = clusterCredentialKeys(["gpu", "batch-2", "a"]);
        for (const key of keys) {
            expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
        }
        expect(new Set(keys).size).toBe(keys.length);
    });

    test("flyteadmin's volume and read-only mount of the Secret", () => {
        expect(clusterCredentialsVolume()).toEqual({
            volume: { name: "cluster-credentials", secret: { secretName: "cluster-credentials" } },
            mount: { name: "cluster-credentials", mountPath: "/var/run/credentials", readOnly: true },
        });
    });
});

describe("clustersConfig", () => {
    test("each data plane with its endpoint and its files in the Secret's mount, its own label, the default label", () => {
        expect(clustersConfig({ clusters: [GPU, BATCH], controlPlanePropeller: false, defaultCluster: "batch" })).toEqual({
            clusterConfigs: [
                {
                    name: "gpu",
                    endpoint: "https://10.20.0.2",
                    enabled: true,
                    auth: { tokenPath: "/var/run/credentials/gpu_token", certPath: "/var/run/credentials/gpu_cacert" },
                },
                {
                    name: "batch",
                    endpoint: "https://10.30.0.2",
                    enabled: true,
                    auth: { tokenPath: "/var/run/credentials/batch_token", certPath: "/var/run/credentials/batch_cacert" },
                },
            ],
            labelClusterMap: { gpu: [{ id: "gpu", weight: 1 }], batch: [{ id: "batch", weight: 1 }] },
            defaultExecutionLabel: "batch",
        });
    });

    test("with propeller in the control plane: its own cluster last, in-cluster (flyteadmin reads neither endpoint nor auth of it)", () => {
        const clusters = clustersConfig({ clusters: [GPU], controlPlanePropeller: true, defaultCluster: CONTROL_PLANE_CLUSTER });
        expect(clusters.clusterConfigs[1]).toEqual({ name: "control-plane", enabled: true, inCluster: true });
        expect(clusters.labelClusterMap).toEqual({ gpu: [{ id: "gpu", weight: 1 }], "control-plane": [{ id: "control-plane", weight: 1 }] });
        expect(clusters.defaultExecutionLabel).toBe("control-plane");
    });

    test("every credentials file is a key of the Secret, in its mount; every label names one enabled cluster", () => {
        const clusters = clustersConfig({ clusters: [GPU, BATCH], controlPlanePropeller: true, defaultCluster: "gpu" });
        const remote = clusters.clusterConfigs.filter((c): c is RemoteClusterConfig => "auth" in c);
        const keys = clusterCredentialKeys(remote.map((c) => c.name));
        const files = remote.flatMap((c) => [c.auth.tokenPath, c.auth.certPath]);
        expect(files.map((f) => f.replace(`${CLUSTER_CREDENTIALS_MOUNT}/`, ""))).toEqual(keys);
        const names = clusters.clusterConfigs.filter((c) => c.enabled).map((c) => c.name);
        for (const entities of Object.values(clusters.labelClusterMap)) {
            expect(entities.every((e) => names.includes(e.id))).toBe(true);
        }
    });

    test("only keys flyteadmin's structs declare", () => {
        const clusters = clustersConfig({ clusters: [GPU], controlPlanePropeller: true, defaultCluster: "gpu" });
        expect(Object.keys(clusters).sort()).toEqual(["clusterConfigs", "defaultExecutionLabel", "labelClusterMap"]);
        for (const config of clusters.clusterConfigs) {
            expect(Object.keys(config).filter((k) => !CLUSTER_CONFIG_KEYS.includes(k))).toEqual([]);
            if ("auth" in config) {
                expect(Object.keys(config.auth).sort()).toEqual([...AUTH_KEYS].sort());
            }
        }
        for (const entity of Object.values(clusters.labelClusterMap).flat()) {
            expect(Object.keys(entity).sort()).toEqual([...CLUSTER_ENTITY_KEYS].sort());
        }
    });

    test("a default that is none of the clusters fails (the config refuses it first)", () => {
        expect(() => clustersConfig({ clusters: [GPU], controlPlanePropeller: false, defaultCluster: "batch" })).toThrow(
            "the default execution cluster batch is none of the clusters (gpu)",
        );
        expect(() => clustersConfig({ clusters: [GPU], controlPlanePropeller: false, defaultCluster: CONTROL_PLANE_CLUSTER })).toThrow(
            "none of the clusters (gpu)",
        );
        expect(() => clustersConfig({ clusters: [], controlPlanePropeller: false, defaultCluster: "gpu" })).toThrow("none of the clusters (none)");
    });

    test("a name given twice fails (flyteadmin would refuse to start)", () => {
        expect(() => clustersConfig({ clusters: [GPU, { ...BATCH, name: "gpu" }], controlPlanePropeller: false, defaultCluster: "gpu" })).toThrow(
            "clusters named more than once: gpu",
        );
        expect(() =>
            clustersConfig({ clusters: [{ ...GPU, name: CONTROL_PLANE_CLUSTER }], controlPlanePropeller: true, defaultCluster: CONTROL_PLANE_CLUSTER }),
        ).toThrow("clusters named more than once: control-plane");
    });
});
