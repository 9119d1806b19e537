import * as k8s from "@pulumi/kubernetes";
import { secretConfigFile } from "../../../components/flyte/binaryValues";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import { FlyteBinary } from "../../../components/flyte/flyteBinary";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectFlyteEndpoints, expectOnKubernetesProvider, flyteEndpointOutputs, runComponents } from "../../helpers/components";
import { localStackConfig } from "../../helpers/config";
import { InputCapture } from "../../helpers/flyteCoreFixtures";
import { byName, only } from "../../helpers/plan";
import { localReadiness, minioLikePlatform } from "../../helpers/testPlatforms";
import { at, recordAt, stringMapAt } from "../../helpers/json";

/** FlyteBinary on a local-style platform: NodePorts, MinIO behind static access keys, no cloud identity. */

const ACCESS_KEY_ID = "DISTINCTACCESSKEYID7Q";
const SECRET_ACCESS_KEY = "distinct-secret-access-key/Zx9+Qw8";
const DB_PASSWORD = "distinct-db-password-5150";
const MINIO = "http://minio.flyte-deps.svc.cluster.local:9000";

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const capture = new InputCapture((type, name) => type === SECRET_TYPE && name === "flyte-secret-config");
let plan: Plan;

beforeAll(async () => {
    const config = localStackConfig();
    plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const platform = minioLikePlatform({
            provider,
            dbPassword: DB_PASSWORD,
            accessKey: { id: ACCESS_KEY_ID, secret: SECRET_ACCESS_KEY },
            releaseDependencies: localReadiness(provider),
        });
        const flyte = new FlyteBinary(
            "flyte",
            { flyte: config.flyte, platform, labels: { team: "ml" } },
            { transformations: [capture.transformation] },
        );
        return flyteEndpointOutputs(flyte);
    });
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;
const secretConfig = () => byName(plan, "kubernetes:core/v1:Secret", "flyte-secret-config");
const service = () => byName(plan, "kubernetes:core/v1:Service", "flyte-endpoint");

test("owns the namespaces, the Secrets, the release and the NodePort Service, all on the platform's provider", () => {
    const children = childrenOf(plan, component(plan, "flyte:flyte:FlyteBinary"));
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
        "kubernetes:core/v1:Namespace flyte-namespace",
        "kubernetes:core/v1:Namespace flyte-tasks-flytesnacks-development",
        "kubernetes:core/v1:Namespace flyte-tasks-flytesnacks-production",
        "kubernetes:core/v1:Namespace flyte-tasks-flytesnacks-staging",
        "kubernetes:core/v1:Secret flyte-db-password",
        "kubernetes:core/v1:Secret flyte-secret-config",
        "kubernetes:core/v1:Secret flyte-tasks-flytesnacks-development-storage",
        "kubernetes:core/v1:Secret flyte-tasks-flytesnacks-production-storage",
        "kubernetes:core/v1:Secret flyte-tasks-flytesnacks-staging-storage",
        "kubernetes:core/v1:Service flyte-endpoint",
        "kubernetes:helm.sh/v3:Release flyte-release",
    ]);
    expectOnKubernetesProvider(plan, children, "cluster");
});

test("the -secret-config Secret lives in Flyte's namespace and its data is secret", () => {
    expect(at(secretConfig().inputs, "metadata", "name")).toBe("flyte-binary-secret-config");
    expect(at(secretConfig().inputs, "metadata", "namespace")).toBe("flyte");
    expect(secretConfig().inputs.type).toBe("Opaque");
    expect(secretConfig().inputs.stringData).toBe("[secret]");
    expect(secretConfig().inputs.data).toBeUndefined();
});

test("task pods' storage keys live in a Secret in each project-domain namespace, never in plain sight", () => {
    for (const ns of ["flytesnacks-development", "flytesnacks-staging", "flytesnacks-production"]) {
        const secret = byName(plan, "kubernetes:core/v1:Secret", `flyte-tasks-${ns}-storage`);
        expect(at(secret.inputs, "metadata")).toMatchObject({ name: "flyte-storage-credentials", namespace: ns });
        expect(secret.inputs.stringData).toBe("[secret]");
        expect(secret.dependencies).toContain(byName(plan, "kubernetes:core/v1:Namespace", `flyte-tasks-${ns}`).urn);
    }
});

test("the release waits for the secret config, the password, the namespace and the platform's dependencies", () => {
    const urn = (type: string, name: string) => byName(plan, type, name).urn;
    expect(release().dependencies).toContain(secretConfig().urn);
    expect(release().dependencies).toEqual(
        [
            urn("kubernetes:core/v1:Namespace", "flyte-namespace"),
            urn("kubernetes:core/v1:Secret", "flyte-db-password"),
            secretConfig().urn,
            urn("kubernetes:apps/v1:Deployment", "postgres-ready"),
            urn("kubernetes:batch/v1:Job", "buckets-ready"),
        ].sort(),
    );
});

test("the chart mounts the secret config by name", () => {
    expect(at(values(), "configuration", "inlineSecretRef")).toBe("flyte-binary-secret-config");
    expect(at(values(), "configuration", "inlineSecretRef")).toBe(at(secretConfig().inputs, "metadata", "name"));
});

test("values: S3 on MinIO with access keys switched on inline, signed URLs for the workstation, no identity", () => {
    expect(at(values(), "configuration", "storage")).toEqual({
        metadataContainer: "flyte-metadata",
        userDataContainer: "flyte-userdata",
        provider: "s3",
        providerConfig: { s3: { region: "us-east-1", disableSSL: true, v2Signing: false, endpoint: MINIO, authType: "iam" } },
    });
    expect(at(values(), "configuration", "inline", "storage")).toEqual({
        limits: { maxDownloadMBs: 10 },
        stow: { config: { auth_type: "accesskey" } },
        signedUrl: { stowConfigOverride: { endpoint: "http://localhost:30002" } },
    });
    expect(at(values(), "serviceAccount", "annotations")).toEqual({});
    expect(at(values(), "configuration", "inline", "cluster_resources", "customData")).toBeUndefined();
    expect(Object.keys(recordAt(values(), "clusterResourceTemplates", "inline"))).toEqual(["001_namespace.yaml"]);
    expect(at(values(), "configuration", "database")).toMatchObject({
        host: "postgres.flyte-deps.svc.cluster.local",
        options: "sslmode=disable",
    });
    // The release values are not a secret: nothing in them is.
    expect(values()).not.toBe("[secret]");
});

test("a NodePort Service with the platform's nodePorts, selecting the Flyte pod", () => {
    expect(at(service().inputs, "metadata", "name")).toBe("flyte-binary-nodeport");
    expect(at(service().inputs, "metadata", "namespace")).toBe("flyte");
    expect(at(service().inputs, "metadata", "annotations")).toEqual({});
    expect(at(service().inputs, "spec", "type")).toBe("NodePort");
    expect(at(service().inputs, "spec", "loadBalancerIP")).toBeUndefined();
    expect(at(service().inputs, "spec", "selector")).toEqual({
        "app.kubernetes.io/name": "flyte-binary",
        "app.kubernetes.io/instance": "flyte-binary",
        "app.kubernetes.io/component": "flyte-binary",
    });
    expect(at(service().inputs, "spec", "ports")).toEqual([
        { name: "http", port: 8088, targetPort: "http", protocol: "TCP", nodePort: 31080 },
        { name: "grpc", port: 8089, targetPort: "grpc", protocol: "TCP", nodePort: 31081 },
    ]);
});

test("endpoints are localhost on the NodePorts", () => {
    expectFlyteEndpoints(plan.outputs, "localhost", { http: 31080, grpc: 31081 });
});

test("neither access key nor the database password appears anywhere in the plan", () => {
    const text = JSON.stringify(plan);
    expect(text).not.toContain(ACCESS_KEY_ID);
    expect(text).not.toContain(SECRET_ACCESS_KEY);
    expect(text).not.toContain(DB_PASSWORD);
});

test("the secret config holds exactly Flyte's keys, and the pod's digest covers it with the password", async () => {
    const file = stringMapAt(await capture.inputs(SECRET_TYPE, "flyte-secret-config"), "stringData")["200-secret-config.yaml"];
    expect(file).toBe(secretConfigFile({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }));
    // A new key changes the file, so the digest, so Flyte restarts and reads it.
    expect(recordAt(values(), "deployment", "podAnnotations")).toEqual({
        "checksum/pulumi-secrets": secretsChecksum([DB_PASSWORD, file]),
    });
});
