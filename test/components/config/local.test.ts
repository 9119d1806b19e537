import { parseStackConfig, RawConfig } from "../../../components/config/parse";
import { CONFIG_KEYS } from "../../../components/config/schema";
import type { LocalStackConfig } from "../../../components/contract/config";
import { configError, CONTEXT, DEFAULTS, LocalKey, NAMESPACE_60, parse, rawGcpConfig } from "../../helpers/config";

/** The keys only cloud local reads (components/config/local.ts). */

describe("cloud local", () => {
    test.each([
        "localhost:5001/postgres:16",
        "registry.example.com:5000/library/postgres:16.6-alpine",
        "ghcr.io/org/team/minio@sha256:" + "a".repeat(64),
        "postgres",
    ])("accepts the image reference %s", (image) => {
        expect(() => parseStackConfig({ "flyte:cloud": "local", "flyte:localPostgresImage": image }, CONTEXT)).not.toThrow();
    });

    function parseLocal(config: RawConfig): LocalStackConfig {
        const parsed = parseStackConfig(config, CONTEXT);
        if (parsed.cloud !== "local") {
            throw new Error(`expected cloud local, got ${parsed.cloud}`);
        }
        return parsed;
    }
    const minimal = parseLocal({ "flyte:cloud": "local" });

    test("a config with only flyte:cloud local parses, without any gcp key, with every local default (as literals)", () => {
        expect(minimal).toEqual({
            ...DEFAULTS,
            cloud: "local",
            local: {
                kubeconfig: "",
                context: "",
                namespace: "flyte-deps",
                nodePorts: { http: 30080, grpc: 30081, minio: 30002, minioConsole: 30084, dashboard: 30088 },
                storageClass: "",
                postgres: { image: "docker.io/library/postgres:16.6-alpine", volumeGi: 5 },
                minio: {
                    image: "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
                    clientImage: "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z",
                    volumeGi: 20,
                },
                dashboard: false,
            },
        });
        expect("gcp" in minimal).toBe(false);
    });

    // Where each local key's parsed value lives; the Record type makes the table list every local key.
    const parsedLocal: Record<LocalKey, (c: LocalStackConfig) => unknown> = {
        localKubeconfig: (c) => c.local.kubeconfig,
        localKubeContext: (c) => c.local.context,
        localHttpNodePort: (c) => c.local.nodePorts.http,
        localGrpcNodePort: (c) => c.local.nodePorts.grpc,
        localMinioNodePort: (c) => c.local.nodePorts.minio,
        localMinioConsoleNodePort: (c) => c.local.nodePorts.minioConsole,
        localDashboard: (c) => c.local.dashboard,
        localDashboardNodePort: (c) => c.local.nodePorts.dashboard,
        localStorageClass: (c) => c.local.storageClass,
        localPostgresImage: (c) => c.local.postgres.image,
        localPostgresVolumeGi: (c) => c.local.postgres.volumeGi,
        localMinioImage: (c) => c.local.minio.image,
        localMinioClientImage: (c) => c.local.minio.clientImage,
        localMinioVolumeGi: (c) => c.local.minio.volumeGi,
    };

    test.each(Object.keys(parsedLocal) as LocalKey[])("%s defaults to CONFIG_KEYS' default", (key) => {
        expect(parsedLocal[key](minimal)).toEqual(CONFIG_KEYS[key].default);
    });

    test("the table above covers every key of CONFIG_KEYS starting with local", () => {
        expect(Object.keys(parsedLocal).sort()).toEqual(Object.keys(CONFIG_KEYS).filter((k) => k.startsWith("local")).sort());
    });

    test("every local key is set from config", () => {
        const config = parseLocal({
            "flyte:cloud": "local",
            "flyte:localKubeconfig": "/home/me/.kube/kind.yaml",
            "flyte:localKubeContext": "kind-flyte",
            "flyte:localHttpNodePort": "30000",
            "flyte:localGrpcNodePort": "32767",
            "flyte:localMinioNodePort": "31000",
            "flyte:localMinioConsoleNodePort": "31001",
            "flyte:localDashboard": "true",
            "flyte:localDashboardNodePort": "31002",
            "flyte:localStorageClass": "local-path.example.com",
            "flyte:localPostgresImage": "postgres:16",
            "flyte:localPostgresVolumeGi": "1000",
            "flyte:localMinioImage": `quay.io/minio/minio@sha256:${"0a".repeat(32)}`,
            "flyte:localMinioClientImage": `mirror.example.com/minio/mc:RELEASE.2024-11-21T17-21-54Z@sha256:${"f".repeat(64)}`,
            "flyte:localMinioVolumeGi": "1",
        });
        expect(config.local).toEqual({
            kubeconfig: "/home/me/.kube/kind.yaml",
            context: "kind-flyte",
            namespace: "flyte-deps",
            nodePorts: { http: 30000, grpc: 32767, minio: 31000, minioConsole: 31001, dashboard: 31002 },
            storageClass: "local-path.example.com",
            postgres: { image: "postgres:16", volumeGi: 1000 },
            minio: {
                image: `quay.io/minio/minio@sha256:${"0a".repeat(32)}`,
                clientImage: `mirror.example.com/minio/mc:RELEASE.2024-11-21T17-21-54Z@sha256:${"f".repeat(64)}`,
                volumeGi: 1,
            },
            dashboard: true,
        });
    });

    test("local.namespace is <flyteNamespace>-deps", () => {
        expect(parseLocal({ "flyte:cloud": "local", "flyte:flyteNamespace": "flyte-system" }).local.namespace).toBe(
            "flyte-system-deps",
        );
        // 58 characters plus -deps is exactly 63: still a DNS-1123 label.
        const longest = "n".repeat(58);
        expect(parseLocal({ "flyte:cloud": "local", "flyte:flyteNamespace": longest }).local.namespace).toBe(`${longest}-deps`);
    });

    test("a 60-character flyteNamespace is valid on gcp, where there is no -deps namespace", () => {
        expect(parse({ "flyte:flyteNamespace": NAMESPACE_60 }).flyte.namespace).toBe(NAMESPACE_60);
    });

    test("without a cloud key at all the target is local", () => {
        expect(parseStackConfig({}, CONTEXT).cloud).toBe("local");
        expect(parseStackConfig({}, CONTEXT)).toEqual(minimal);
        // A stack that sets gcp keys but forgets flyte:cloud is not planned as local: it is rejected.
        expect(configError(rawGcpConfig({ "flyte:cloud": undefined })).message).toBe(
            'invalid config flyte:cloud = "local" (the default): gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        );
    });

    test("a dashboard NodePort clashing with another port is valid while the dashboard is off", () => {
        const withHttp = parseLocal({ "flyte:cloud": "local", "flyte:localDashboardNodePort": "30080" });
        expect(withHttp.local.dashboard).toBe(false);
        expect(withHttp.local.nodePorts).toEqual({ http: 30080, grpc: 30081, minio: 30002, minioConsole: 30084, dashboard: 30080 });
        const withConsole = parseLocal({
            "flyte:cloud": "local",
            "flyte:localDashboard": "false",
            "flyte:localMinioConsoleNodePort": "30088",
        });
        expect(withConsole.local.nodePorts.minioConsole).toBe(30088);
        expect(withConsole.local.nodePorts.dashboard).toBe(30088);
        // The same config with the dashboard on is rejected.
        const err = configError({
            "flyte:cloud": "local",
            "flyte:localDashboard": "true",
            "flyte:localMinioConsoleNodePort": "30088",
        });
        expect(err.key).toBe("flyte:localDashboardNodePort");
    });

    test("the other ports must differ whether the dashboard is on or off", () => {
        for (const dashboard of ["true", "false"]) {
            const err = configError({
                "flyte:cloud": "local",
                "flyte:localDashboard": dashboard,
                "flyte:localMinioConsoleNodePort": "30002",
            });
            expect(err.key).toBe("flyte:localMinioConsoleNodePort");
            expect(err.message).toContain("must differ from localMinioNodePort (30002)");
        }
    });

    test("empty kubeconfig, context and StorageClass mean the defaults", () => {
        const config = parseLocal({
            "flyte:cloud": "local",
            "flyte:localKubeconfig": "",
            "flyte:localKubeContext": "",
            "flyte:localStorageClass": "",
        });
        expect(config.local).toMatchObject({ kubeconfig: "", context: "", storageClass: "" });
    });
});
