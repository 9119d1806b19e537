import { isDns1123Label } from "../shared/namespaces";
import { requireIsolatedProjectLength } from "./flyte";
import { ConfigReader, DNS_LABEL_RULE, IMAGE_REFERENCE } from "./reader";
import { ConfigKey, NODE_PORT_RANGE } from "./schema";
import type { FlyteConfig, LocalConfig, LocalNodePorts } from "../contract/config";

/** A DNS-1123 subdomain, as StorageClass names are. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const LOCAL_DEPENDENCIES_SUFFIX = "-deps";

function image(config: ConfigReader, key: ConfigKey): string {
    return config.matching(key, IMAGE_REFERENCE, "an image reference such as docker.io/library/postgres:16.6-alpine");
}

function nodePorts(config: ConfigReader, dashboard: boolean): LocalNodePorts {
    const keys: [keyof LocalNodePorts, ConfigKey][] = [
        ["http", "localHttpNodePort"],
        ["grpc", "localGrpcNodePort"],
        ["minio", "localMinioNodePort"],
        ["minioConsole", "localMinioConsoleNodePort"],
        ["dashboard", "localDashboardNodePort"],
    ];
    const ports = {} as Record<keyof LocalNodePorts, number>;
    const seen = new Map<number, ConfigKey>();
    for (const [name, key] of keys) {
        const port = config.integer(key, NODE_PORT_RANGE.min, NODE_PORT_RANGE.max);
        const clash = seen.get(port);
        // The dashboard's port only has to be free when the dashboard is installed.
        if (clash !== undefined && (name !== "dashboard" || dashboard)) {
            config.fail(key, port, `must differ from ${clash} (${port}); each service needs its own NodePort`);
        }
        seen.set(port, key);
        ports[name] = port;
    }
    return ports;
}

/** The keys that only `cloud: local` reads. */
export function parseLocal(config: ConfigReader, flyte: FlyteConfig): LocalConfig {
    const namespace = `${flyte.namespace}${LOCAL_DEPENDENCIES_SUFFIX}`;
    if (!isDns1123Label(namespace) || flyte.projectNamespaces.some((p) => p.namespace === namespace)) {
        config.fail(
            "flyteNamespace",
            flyte.namespace,
            `with cloud local, "${namespace}" holds Postgres and MinIO, so it must be a valid namespace (${DNS_LABEL_RULE}) and not a project-domain namespace`,
        );
    }
    requireIsolatedProjectLength(config, flyte, 52, "a MinIO bucket (flyte-data-<project>, 63 characters in all)");
    const kubeconfig = config.string("localKubeconfig", "a file path, or empty");
    if (kubeconfig !== kubeconfig.trim() || kubeconfig.includes("\n")) {
        config.fail("localKubeconfig", kubeconfig, "allowed: empty, or the path of a kubeconfig file");
    }
    const context = config.string("localKubeContext", "a context name, or empty");
    if (/\s/.test(context)) {
        config.fail("localKubeContext", context, "allowed: empty, or a kubeconfig context name (no spaces)");
    }
    const storageClass = config.string("localStorageClass", "a StorageClass name, or empty");
    if (storageClass !== "" && (storageClass.length > 253 || !DNS_SUBDOMAIN.test(storageClass))) {
        config.fail("localStorageClass", storageClass, "allowed: empty, or a StorageClass name (DNS-1123 subdomain)");
    }
    const dashboard = config.boolean("localDashboard");
    return {
        kubeconfig,
        context,
        namespace,
        nodePorts: nodePorts(config, dashboard),
        storageClass,
        postgres: { image: image(config, "localPostgresImage"), volumeGi: config.integer("localPostgresVolumeGi", 1, 1000) },
        minio: {
            image: image(config, "localMinioImage"),
            clientImage: image(config, "localMinioClientImage"),
            volumeGi: config.integer("localMinioVolumeGi", 1, 10000),
        },
        dashboard,
    };
}
