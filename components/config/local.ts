import { isDns1123Label } from "../shared/namespaces";
import { localDependenciesNamespace, localProjectBucket, MINIO_BUCKET_MAX, PROJECT_BUCKET_MAX_LOCAL } from "../local/names";
import { requireIsolatedProjectLength } from "./flyte";
import { ConfigReader } from "./reader";
import { ConfigKey, DNS_LABEL_RULE } from "./schema";
import type { FlyteConfig, LocalConfig, LocalNodePorts } from "../contract/config";

function nodePorts(config: ConfigReader, dashboard: boolean): LocalNodePorts {
    const keys = [
        ["http", "localHttpNodePort"],
        ["grpc", "localGrpcNodePort"],
        ["minio", "localMinioNodePort"],
        ["minioConsole", "localMinioConsoleNodePort"],
        ["dashboard", "localDashboardNodePort"],
    ] as const satisfies readonly (readonly [keyof LocalNodePorts, ConfigKey])[];
    const ports = {} as Record<keyof LocalNodePorts, number>;
    const seen = new Map<number, ConfigKey>();
    for (const [name, key] of keys) {
        const port = config.integer(key);
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
    const namespace = localDependenciesNamespace(flyte.namespace);
    if (!isDns1123Label(namespace) || flyte.projectNamespaces.some((p) => p.namespace === namespace)) {
        config.fail(
            "flyteNamespace",
            flyte.namespace,
            `with cloud local, "${namespace}" holds Postgres and MinIO, so it must be a valid namespace (${DNS_LABEL_RULE}) and not a project-domain namespace`,
        );
    }
    requireIsolatedProjectLength(
        config,
        flyte,
        PROJECT_BUCKET_MAX_LOCAL,
        `a MinIO bucket (${localProjectBucket("<project>")}, ${MINIO_BUCKET_MAX} characters in all)`,
    );
    const kubeconfig = config.string("localKubeconfig");
    const context = config.string("localKubeContext");
    const storageClass = config.string("localStorageClass");
    const dashboard = config.boolean("localDashboard");
    return {
        kubeconfig,
        context,
        namespace,
        nodePorts: nodePorts(config, dashboard),
        storageClass,
        postgres: { image: config.string("localPostgresImage"), volumeGi: config.integer("localPostgresVolumeGi") },
        minio: {
            image: config.string("localMinioImage"),
            clientImage: config.string("localMinioClientImage"),
            volumeGi: config.integer("localMinioVolumeGi"),
        },
        dashboard,
    };
}
