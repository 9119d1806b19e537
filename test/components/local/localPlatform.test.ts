import { flyteWorkloads, projectMetadataPrefixes } from "../../../components/contract/identities";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { LocalStackConfig } from "../../../components/contract/config";
import { commonPlatformArgs, type FlytePlatform } from "../../../components/contract/platform";
import { LocalPlatform, minioProjects } from "../../../components/local/localPlatform";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { localStackConfig } from "../../helpers/config";
import { byName, ofType, only } from "../../helpers/plan";
import { at } from "../../helpers/json";
import { LOCAL_MINIO_STORAGE } from "../../helpers/testPlatforms";

const KUBERNETES_TYPES = /^kubernetes:/;

function kubeconfigText(currentContext: string): string {
    return [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{ name: c, cluster: { server: https://127.0.0.1:6443 } }]",
        `contexts: [{ name: ${currentContext}, context: { cluster: c, user: u } }]`,
        `current-context: ${currentContext}`,
        "users: [{ name: u, user: { token: not-a-real-token } }]",
        "",
    ].join("\n");
}

let dir: string;
const savedEnv = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };

function restoreEnv(name: keyof typeof savedEnv): void {
    const value = savedEnv[name];
    if (value === undefined) {
        delete process.env[name];
    } else {
        process.env[name] = value;
    }
}

/**
 * The program reads $KUBECONFIG and $HOME; so does the Kubernetes SDK, which fills an explicit provider's
 * `kubeconfig` from $KUBECONFIG when the program leaves it unset. To see what the program itself passes, runs
 * that leave it unset use $HOME/.kube/config and no $KUBECONFIG.
 */
function useHome(home: string): void {
    delete process.env.KUBECONFIG;
    process.env.HOME = home;
}

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-platform-test-"));
});

afterAll(() => {
    restoreEnv("KUBECONFIG");
    restoreEnv("HOME");
    fs.rmSync(dir, { recursive: true, force: true });
});

/** Plans a LocalPlatform from a parsed config; the outputs expose what it hands to the Flyte layer. */
function planPlatform(config: LocalStackConfig): Promise<Plan> {
    return runComponents(() => {
        const platform = new LocalPlatform("local", { ...commonPlatformArgs(config, flyteWorkloads(config.flyte)), config: config.local });
        const storage = platform.storage;
        const asFlytePlatform: FlytePlatform = platform;
        return {
            clusterName: platform.clusterName,
            kubeconfigIsSecret: pulumi.output(pulumi.isSecret(platform.kubeconfig)),
            kubeconfig: pulumi.unsecret(platform.kubeconfig),
            providerUrn: platform.kubernetesProvider.urn,
            releaseDependencies: platform.releaseDependencies.map((r) => r.urn),
            database: {
                host: platform.database.host,
                port: platform.database.port,
                name: platform.database.name,
                username: platform.database.username,
                password: platform.database.password,
                options: platform.database.options,
            },
            storage: {
                provider: storage.provider,
                region: storage.region,
                metadataBucket: storage.metadataBucket,
                userDataBucket: storage.userDataBucket,
                endpoint: storage.endpoint,
                disableSSL: storage.disableSSL,
                signedUrlEndpoint: storage.signedUrlEndpoint,
                // The mocks give RandomString no result; apply keeps the secret bit whatever the value.
                accessKeyId: storage.accessKey?.id.apply((v) => v ?? ""),
                secretAccessKey: storage.accessKey?.secret,
            },
            identity: asFlytePlatform.identity === undefined ? "none" : "some",
            taskLogs: platform.taskLogs.map((l) => ({ plugin: l.plugin, templateUri: l.templateUri })),
            exposure: { ...platform.exposure },
            minioConsoleUrl: platform.minioConsoleUrl,
            hasDashboard: platform.dashboard !== undefined,
            // What the program exports for this target without knowing it is local (FlytePlatform.extraOutputs).
            extraOutputs: asFlytePlatform.extraOutputs ?? "none",
        };
    });
}

const provider = (plan: Plan) => byName(plan, "pulumi:providers:kubernetes", "local-k8s");
const pvc = (plan: Plan, name: string) => byName(plan, "kubernetes:core/v1:PersistentVolumeClaim", name);

describe("defaults: current kubeconfig, no dashboard, deletion protection on", () => {
    let plan: Plan;
    beforeAll(async () => {
        const home = path.join(dir, "home");
        fs.mkdirSync(path.join(home, ".kube"), { recursive: true });
        fs.writeFileSync(path.join(home, ".kube", "config"), kubeconfigText("kind-from-home"));
        useHome(home);
        plan = await planPlatform(localStackConfig());
    });

    test("the provider follows the default loading rules: no kubeconfig, no context", () => {
        const inputs = provider(plan).inputs;
        expect(inputs.kubeconfig).toBeUndefined();
        expect(inputs.context).toBeUndefined();
        expect(provider(plan).parent).toBe(component(plan, "flyte:local:LocalPlatform").urn);
        expect(plan.outputs.providerUrn).toBe(provider(plan).urn);
    });

    test("every Kubernetes object uses that provider", () => {
        const objects = plan.resources.filter((r) => KUBERNETES_TYPES.test(r.type) && r.custom);
        expect(objects.length).toBeGreaterThanOrEqual(9);
        for (const object of objects) {
            expect(object.provider.startsWith(`${provider(plan).urn}::`)).toBe(true);
        }
        expect(ofType(plan, "pulumi:providers:kubernetes")).toHaveLength(1);
    });

    test("cluster name and kubeconfig come from ~/.kube/config; the kubeconfig is secret", () => {
        expect(plan.outputs.clusterName).toBe("kind-from-home");
        expect(plan.outputs.kubeconfig).toBe(kubeconfigText("kind-from-home"));
        expect(plan.outputs.kubeconfigIsSecret).toBe(true);
    });

    test("Postgres, MinIO and the bucket Job live in flyte-deps", () => {
        const namespace = byName(plan, "kubernetes:core/v1:Namespace", "local-namespace");
        expect(at(namespace.inputs, "metadata", "name")).toBe("flyte-deps");
        const children = childrenOf(plan, component(plan, "flyte:local:LocalPlatform"));
        expect(children.map((c) => c.type).sort()).toEqual([
            "flyte:local:LocalMinio",
            "flyte:local:LocalPostgres",
            "kubernetes:core/v1:Namespace",
            "pulumi:providers:kubernetes",
        ]);
        for (const name of ["local-postgres-server", "local-minio-server"]) {
            const deployment = byName(plan, "kubernetes:apps/v1:Deployment", name);
            expect(at(deployment.inputs, "metadata", "namespace")).toBe("flyte-deps");
            expect(deployment.dependencies).toContain(namespace.urn);
        }
        expect(at(only(plan, "kubernetes:batch/v1:Job").inputs, "metadata", "namespace")).toBe("flyte-deps");
    });

    test("the release waits for exactly the Postgres Deployment and the bucket Job", () => {
        expect(plan.outputs.releaseDependencies).toEqual([
            byName(plan, "kubernetes:apps/v1:Deployment", "local-postgres-server").urn,
            byName(plan, "kubernetes:batch/v1:Job", "local-minio-buckets").urn,
        ]);
    });

    test("the database is the in-cluster Postgres, without TLS, its password secret", () => {
        expect(plan.outputs.database).toEqual({
            host: "postgres.flyte-deps.svc.cluster.local",
            port: 5432,
            name: "flyte",
            username: "flyte",
            password: "[secret]",
            options: "sslmode=disable",
        });
    });

    test("storage is MinIO over S3: in-cluster endpoint, plain http, access keys, signed URLs on the NodePort", () => {
        expect(plan.outputs.storage).toEqual({ ...LOCAL_MINIO_STORAGE, accessKeyId: "[secret]", secretAccessKey: "[secret]" });
        expect(plan.outputs.identity).toBe("none");
        expect(plan.outputs.minioConsoleUrl).toBe("http://localhost:30084");
    });

    test("the platform states its own outputs: MinIO's console, its admin credentials as secrets, no dashboard", () => {
        expect(plan.outputs.extraOutputs).toEqual({
            minioConsoleUrl: "http://localhost:30084",
            minioRootUser: "[secret]",
            minioRootPassword: "[secret]",
        });
    });

    test("the buckets the Job creates are the ones Flyte is given", () => {
        const script = String(at(only(plan, "kubernetes:batch/v1:Job").inputs, "spec", "template", "spec", "containers", 0, "args", 0));
        expect(script).toContain("mc mb --ignore-existing local/flyte-metadata\n");
        expect(script).toContain("mc mb --ignore-existing local/flyte-userdata\n");
    });

    test("Flyte is exposed on the default NodePorts of localhost", () => {
        expect(plan.outputs.exposure).toEqual({ kind: "nodePort", host: "localhost", httpNodePort: 30080, grpcNodePort: 30081 });
        const minio = byName(plan, "kubernetes:core/v1:Service", "local-minio-service");
        expect(at(minio.inputs, "spec", "ports", 0, "nodePort")).toBe(30002);
        expect(at(minio.inputs, "spec", "ports", 1, "nodePort")).toBe(30084);
    });

    test("no dashboard: no release, no viewer, no task log link", () => {
        expect(plan.outputs.hasDashboard).toBe(false);
        expect(plan.outputs.taskLogs).toEqual([]);
        expect(ofType(plan, "flyte:local:KubernetesDashboard")).toEqual([]);
        expect(ofType(plan, "kubernetes:helm.sh/v3:Release")).toEqual([]);
        expect(ofType(plan, "kubernetes:core/v1:ServiceAccount")).toEqual([]);
        expect(ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")).toEqual([]);
    });

    test("both data volumes are protected, on the default StorageClass, at the default sizes", () => {
        for (const [name, size] of [
            ["local-postgres-data", "5Gi"],
            ["local-minio-data", "20Gi"],
        ]) {
            expect(pvc(plan, name).protect).toBe(true);
            expect(at(pvc(plan, name).inputs, "spec", "storageClassName")).toBeUndefined();
            expect(at(pvc(plan, name).inputs, "spec", "resources", "requests", "storage")).toBe(size);
        }
        expect(ofType(plan, "kubernetes:core/v1:PersistentVolumeClaim")).toHaveLength(2);
    });

    test("images are the configured defaults", () => {
        const image = (type: string, name: string) =>
            at(byName(plan, type, name).inputs, "spec", "template", "spec", "containers", 0, "image");
        expect(image("kubernetes:apps/v1:Deployment", "local-postgres-server")).toBe("docker.io/library/postgres:16.6-alpine");
        expect(image("kubernetes:apps/v1:Deployment", "local-minio-server")).toBe("quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z");
        expect(image("kubernetes:batch/v1:Job", "local-minio-buckets")).toBe("quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z");
    });
});

describe("configured kubeconfig and context, dashboard on, deletion protection off, custom ports", () => {
    let plan: Plan;
    let configured: string;
    beforeAll(async () => {
        configured = path.join(dir, "configured.yaml");
        fs.writeFileSync(configured, kubeconfigText("kind-in-file"));
        fs.writeFileSync(path.join(dir, "env.yaml"), kubeconfigText("kind-from-env"));
        process.env.KUBECONFIG = path.join(dir, "env.yaml");
        plan = await planPlatform(
            localStackConfig({
                "flyte:localKubeconfig": configured,
                "flyte:localKubeContext": "kind-configured",
                "flyte:localDashboard": "true",
                "flyte:deletionProtection": "false",
                "flyte:flyteNamespace": "flyte-system",
                "flyte:localHttpNodePort": "31080",
                "flyte:localGrpcNodePort": "31081",
                "flyte:localMinioNodePort": "31002",
                "flyte:localMinioConsoleNodePort": "31084",
                "flyte:localDashboardNodePort": "31088",
                "flyte:localStorageClass": "standard",
                "flyte:localPostgresVolumeGi": "8",
                "flyte:localMinioVolumeGi": "40",
            }),
        );
    });

    test("the provider gets the configured kubeconfig path and context", () => {
        expect(provider(plan).inputs.kubeconfig).toBe(configured);
        expect(provider(plan).inputs.context).toBe("kind-configured");
    });

    test("the configured context names the cluster; the configured file is the kubeconfig", () => {
        expect(plan.outputs.clusterName).toBe("kind-configured");
        expect(plan.outputs.kubeconfig).toBe(kubeconfigText("kind-in-file"));
    });

    test("every Kubernetes object, the dashboard's too, uses that provider", () => {
        const objects = plan.resources.filter((r) => KUBERNETES_TYPES.test(r.type) && r.custom);
        expect(objects.map((o) => o.type)).toContain("kubernetes:helm.sh/v3:Release");
        for (const object of objects) {
            expect(object.provider.startsWith(`${provider(plan).urn}::`)).toBe(true);
        }
    });

    test("the dependencies' namespace follows flyteNamespace", () => {
        expect(at(byName(plan, "kubernetes:core/v1:Namespace", "local-namespace").inputs, "metadata", "name")).toBe(
            "flyte-system-deps",
        );
        expect(plan.outputs.storage).toMatchObject({ endpoint: "http://minio.flyte-system-deps.svc.cluster.local:9000" });
        expect(plan.outputs.database).toMatchObject({ host: "postgres.flyte-system-deps.svc.cluster.local" });
    });

    test("the configured NodePorts: Flyte, MinIO's API (signed URLs) and console", () => {
        expect(plan.outputs.exposure).toEqual({ kind: "nodePort", host: "localhost", httpNodePort: 31080, grpcNodePort: 31081 });
        expect(plan.outputs.storage).toMatchObject({ signedUrlEndpoint: "http://localhost:31002" });
        expect(plan.outputs.minioConsoleUrl).toBe("http://localhost:31084");
        const minio = byName(plan, "kubernetes:core/v1:Service", "local-minio-service");
        expect(at(minio.inputs, "spec", "ports")).toEqual([
            { name: "api", port: 9000, targetPort: "api", nodePort: 31002 },
            { name: "console", port: 9001, targetPort: "console", nodePort: 31084 },
        ]);
    });

    test("the dashboard is installed on its NodePort and linked from task logs", () => {
        expect(plan.outputs.hasDashboard).toBe(true);
        expect(plan.outputs.extraOutputs).toMatchObject({ minioConsoleUrl: "http://localhost:31084", kubernetesDashboardUrl: "https://localhost:31088" });
        expect(component(plan, "flyte:local:KubernetesDashboard").parent).toBe(component(plan, "flyte:local:LocalPlatform").urn);
        expect(at(only(plan, "kubernetes:helm.sh/v3:Release").inputs, "values", "kong", "proxy", "tls", "nodePort")).toBe(31088);
        expect(plan.outputs.taskLogs).toEqual([
            {
                plugin: "kubernetes",
                templateUri:
                    "https://localhost:31088/#/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}&container={{ .containerName }}",
            },
        ]);
    });

    test("the release still waits for Postgres and the buckets only, not for the dashboard", () => {
        expect(plan.outputs.releaseDependencies).toEqual([
            byName(plan, "kubernetes:apps/v1:Deployment", "local-postgres-server").urn,
            byName(plan, "kubernetes:batch/v1:Job", "local-minio-buckets").urn,
        ]);
    });

    test("neither data volume is protected; both use the StorageClass and sizes configured", () => {
        for (const [name, size] of [
            ["local-postgres-data", "8Gi"],
            ["local-minio-data", "40Gi"],
        ]) {
            expect(pvc(plan, name).protect).toBe(false);
            expect(at(pvc(plan, name).inputs, "spec", "storageClassName")).toBe("standard");
            expect(at(pvc(plan, name).inputs, "spec", "resources", "requests", "storage")).toBe(size);
        }
    });
});

describe("no kubeconfig file where the plan runs", () => {
    let plan: Plan;
    beforeAll(async () => {
        const home = path.join(dir, "empty-home");
        fs.mkdirSync(home);
        useHome(home);
        plan = await planPlatform(localStackConfig());
    });

    test("the cluster is called local and the exported kubeconfig is empty", () => {
        expect(plan.outputs.clusterName).toBe("local");
        expect(plan.outputs.kubeconfig).toBe("");
        expect(provider(plan).inputs.kubeconfig).toBeUndefined();
        expect(provider(plan).inputs.context).toBeUndefined();
    });
});

describe("minioProjects", () => {
    test("each isolated project's bucket (flyte-data-<project>) and prefixes; none without isolation", () => {
        const local = localStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","y"]', "flyte:flyteDomains": '["d-dev","t-dev"]' });
        expect(minioProjects(flyteWorkloads(local.flyte))).toEqual([
            { project: "x", bucket: "flyte-data-x", metadataPrefixes: projectMetadataPrefixes("x", ["d-dev", "t-dev"]) },
            { project: "y", bucket: "flyte-data-y", metadataPrefixes: projectMetadataPrefixes("y", ["d-dev", "t-dev"]) },
        ]);
        expect(minioProjects(flyteWorkloads(localStackConfig().flyte))).toEqual([]);
    });
});
