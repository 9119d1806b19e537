import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { COMMON_OUTPUTS, EVERY_STACK_OUTPUTS, LOCAL_OUTPUTS, SHARED_WORKER_OUTPUTS } from "../../components/contract/outputs";
import { mockPassword, mockRandomString } from "../../lib/plan/mocks";
import type { Plan } from "../../lib/plan/runPlan";
import { byName, ofType, only, planStack, PROJECT_DIR, transitiveDependencies } from "../helpers/plan";
import { at } from "../helpers/json";

let plan: Plan;
beforeAll(async () => {
    plan = await planStack("local");
});

const service = (name: string) => byName(plan, "kubernetes:core/v1:Service", name);
const nodePorts = (name: string) =>
    (at(service(name).inputs, "spec", "ports") as { name: string; nodePort?: number }[]).map((p) => [p.name, p.nodePort]);

test("needs no cloud: every resource is Kubernetes, random, or the component and provider around them", () => {
    const types = new Set(plan.resources.map((r) => r.type.split(":")[0]));
    expect([...types].sort()).toEqual(["flyte", "kubernetes", "pulumi", "random"]);
    expect(ofType(plan, "pulumi:providers:kubernetes")).toHaveLength(1);
});

test("uses the current kubectl context unless one is configured", () => {
    const provider = only(plan, "pulumi:providers:kubernetes");
    // The SDK itself falls back to $KUBECONFIG; the program adds no path of its own.
    expect(provider.inputs.kubeconfig).toBe(process.env.KUBECONFIG);
    expect(provider.inputs.context).toBeUndefined();
    for (const r of plan.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
        expect(r.provider.startsWith(`${provider.urn}::`)).toBe(true);
    }
});

test("Postgres and MinIO run in their own namespace, on volumes", () => {
    const namespaces = ofType(plan, "kubernetes:core/v1:Namespace").map((n) => at(n.inputs, "metadata", "name"));
    // Flyte's own, its dependencies', and the project-domain namespaces that hold the task pods' storage keys.
    expect(namespaces.sort()).toEqual([
        "flyte",
        "flyte-deps",
        "flytesnacks-development",
        "flytesnacks-production",
        "flytesnacks-staging",
    ]);
    const claims = ofType(plan, "kubernetes:core/v1:PersistentVolumeClaim");
    expect(claims.map((c) => at(c.inputs, "metadata", "name")).sort()).toEqual(["minio-data", "postgres-data"]);
    for (const claim of claims) {
        expect(at(claim.inputs, "metadata", "namespace")).toBe("flyte-deps");
        // Pulumi.local.yaml turns deletion protection off: local data is disposable.
        expect(claim.protect).toBe(false);
    }
});

test("Flyte is exposed on the sandbox NodePorts and the outputs point at them", () => {
    expect(nodePorts("flyte-endpoint")).toEqual([
        ["http", 30080],
        ["grpc", 30081],
    ]);
    expect(at(service("flyte-endpoint").inputs, "spec", "type")).toBe("NodePort");
    expect(nodePorts("local-minio-service")).toEqual([
        ["api", 30002],
        ["console", 30084],
    ]);
    expect(plan.outputs).toMatchObject({
        grpcEndpoint: "localhost:30081",
        httpEndpoint: "http://localhost:30080",
        consoleUrl: "http://localhost:30080/console",
        minioConsoleUrl: "http://localhost:30084",
    });
    expect(parse(String(plan.outputs.flytectlConfig))).toEqual({
        admin: { endpoint: "dns:///localhost:30081", insecure: true },
        logger: { "show-source": true, level: 0 },
    });
});

test("examples/kind-flyte.yaml publishes every NodePort the stack uses, on loopback", () => {
    const kind = parse(fs.readFileSync(path.join(PROJECT_DIR, "examples/kind-flyte.yaml"), "utf8")) as {
        nodes: { extraPortMappings?: { containerPort: number; hostPort: number; listenAddress?: string }[] }[];
    };
    const mappings = kind.nodes.flatMap((n) => n.extraPortMappings ?? []);
    const used = ofType(plan, "kubernetes:core/v1:Service")
        .flatMap((s) => (at(s.inputs, "spec", "ports") as { nodePort?: number }[]).map((p) => p.nodePort))
        .filter((p): p is number => p !== undefined);
    expect(used.length).toBe(4);
    for (const port of used) {
        expect(mappings).toContainEqual({ containerPort: port, hostPort: port, listenAddress: "127.0.0.1" });
    }
});

test("Flyte starts only once Postgres answers and the buckets exist", () => {
    const release = only(plan, "kubernetes:helm.sh/v3:Release");
    const job = only(plan, "kubernetes:batch/v1:Job");
    const postgres = byName(plan, "kubernetes:apps/v1:Deployment", "local-postgres-server");
    expect(release.dependencies).toEqual(expect.arrayContaining([job.urn, postgres.urn]));
    expect(job.dependencies).toContain(byName(plan, "kubernetes:apps/v1:Deployment", "local-minio-server").urn);
    // ...and nothing of the dashboard, which is off.
    expect(plan.resources.filter((r) => r.type === "flyte:local:KubernetesDashboard")).toEqual([]);
    expect(transitiveDependencies(plan, release)).not.toContain(service("flyte-endpoint").urn);
});

test("the release talks to in-cluster Postgres (no TLS inside the cluster) and MinIO with access keys", () => {
    const values = only(plan, "kubernetes:helm.sh/v3:Release").inputs.values;
    expect(at(values, "configuration", "database")).toMatchObject({
        host: "postgres.flyte-deps.svc.cluster.local",
        port: 5432,
        options: "sslmode=disable",
    });
    expect(at(values, "configuration", "storage")).toEqual({
        provider: "s3",
        metadataContainer: "flyte-metadata",
        userDataContainer: "flyte-userdata",
        providerConfig: {
            s3: {
                region: "us-east-1",
                disableSSL: true,
                v2Signing: false,
                endpoint: "http://minio.flyte-deps.svc.cluster.local:9000",
                authType: "iam",
            },
        },
    });
    expect(at(values, "configuration", "inline", "storage")).toEqual({
        limits: { maxDownloadMBs: 10 },
        stow: { config: { auth_type: "accesskey" } },
        signedUrl: { stowConfigOverride: { endpoint: "http://localhost:30002" } },
    });
    expect(at(values, "configuration", "inlineSecretRef")).toBe("flyte-binary-secret-config");
    expect(at(values, "serviceAccount", "annotations")).toEqual({});
});

test("secrets stay secret: passwords, keys and the kubeconfig are never printed", () => {
    const text = JSON.stringify(plan);
    for (const r of ofType(plan, "random:index/randomPassword:RandomPassword")) {
        expect(text).not.toContain(mockPassword(r.name));
    }
    for (const r of ofType(plan, "random:index/randomString:RandomString")) {
        expect(text).not.toContain(mockRandomString(r.name));
    }
    for (const name of ["flyte-db-password", "flyte-secret-config", "local-minio-credentials", "local-postgres-credentials"]) {
        expect(byName(plan, "kubernetes:core/v1:Secret", name).inputs.stringData).toBe("[secret]");
    }
    expect(plan.outputs).toMatchObject({ kubeconfig: "[secret]", minioRootUser: "[secret]", minioRootPassword: "[secret]" });
});

test("exports the same outputs contract as the clouds, plus MinIO's console and credentials", () => {
    expect(Object.keys(plan.outputs).sort()).toEqual([...COMMON_OUTPUTS, ...EVERY_STACK_OUTPUTS, ...SHARED_WORKER_OUTPUTS, ...LOCAL_OUTPUTS].sort());
    // Without cloud identities, an identity is the Kubernetes service accounts that run as it (namespace/name).
    const taskAccounts = ["flytesnacks-development/default", "flytesnacks-staging/default", "flytesnacks-production/default"].join(",");
    expect(plan.outputs).toMatchObject({
        metadataBucket: "flyte-metadata",
        userDataBucket: "flyte-userdata",
        databaseHost: "postgres.flyte-deps.svc.cluster.local",
        backendServiceAccount: "flyte/flyte-binary",
        workerServiceAccount: taskAccounts,
    });
    expect(plan.outputs.identities).toEqual({ backend: "flyte/flyte-binary", worker: taskAccounts });
});

test("the task pods' identity names the default account of exactly the namespaces that hold their storage keys", () => {
    const listed = String(plan.outputs.workerServiceAccount).split(",");
    const keyed = ofType(plan, "kubernetes:core/v1:Secret")
        .filter((s) => at(s.inputs, "metadata", "name") === "flyte-storage-credentials")
        .map((s) => `${String(at(s.inputs, "metadata", "namespace"))}/default`);
    expect(keyed.length).toBeGreaterThan(0);
    expect([...listed].sort()).toEqual([...keyed].sort());
});
