import * as k8s from "@pulumi/kubernetes";
import { endpointProxySelector } from "../../../components/flyte/endpointProxy";
import { coreStorageSecretFile } from "../../../components/flyte/coreValues";
import { FlyteCore } from "../../../components/flyte/flyteCore";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import { projectAttributesScript } from "../../../components/flyte/projectDataLocations";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectFlyteEndpoints, expectOnKubernetesProvider, flyteEndpointOutputs, runComponents } from "../../helpers/components";
import { localStackConfig } from "../../helpers/config";
import { InputCapture } from "../../helpers/flyteCoreFixtures";
import { selects } from "../../helpers/helm";
import { byName, only } from "../../helpers/plan";
import { localReadiness, minioLikePlatform } from "../../helpers/testPlatforms";
import { arrayAt, at, recordAt, stringMapAt } from "../../helpers/json";

/**
 * FlyteCore on a local-style platform: MinIO behind access keys (a shared key for Flyte, one per project for task
 * pods), signed URLs for the workstation, project isolation, NodePorts, no cloud identity.
 */

const ACCESS_KEY_ID = "COREACCESSKEYID9Q7Z";
const SECRET_ACCESS_KEY = "core-secret-access-key/Zx9+Qw8";
const PROJECT_KEYS = {
    alpha: { id: "ALPHAKEYID00000001", secret: "alpha-secret-key/0001" },
    beta: { id: "BETAKEYID000000002", secret: "beta-secret-key/0002" },
};
const DB_PASSWORD = "core-local-db-password-5150";
const SECRET_STRINGS = [ACCESS_KEY_ID, SECRET_ACCESS_KEY, DB_PASSWORD, ...Object.values(PROJECT_KEYS).flatMap((k) => [k.id, k.secret])];
const MINIO = "http://minio.flyte-deps.svc.cluster.local:9000";
const SIGNED_URL_ENDPOINT = "http://localhost:30002";
const NAMESPACES = ["alpha-development", "alpha-staging", "alpha-production", "beta-development", "beta-staging", "beta-production"];
const SECRET_TYPE = "kubernetes:core/v1:Secret";

const config = localStackConfig({
    "flyte:flavor": "core",
    "flyte:projectIsolation": "true",
    "flyte:flyteProjects": JSON.stringify(["alpha", "beta"]),
    "flyte:coreReplicas": "2",
});
const capture = new InputCapture((type) => type === SECRET_TYPE);
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const platform = minioLikePlatform({
            provider,
            dbPassword: DB_PASSWORD,
            accessKey: { id: ACCESS_KEY_ID, secret: SECRET_ACCESS_KEY },
            projects: {
                alpha: { bucket: "flyte-alpha", key: PROJECT_KEYS.alpha },
                beta: { bucket: "flyte-beta", key: PROJECT_KEYS.beta },
            },
            releaseDependencies: localReadiness(provider),
        });
        const flyte = new FlyteCore(
            "flyte",
            { flyte: config.flyte, platform, labels: { team: "ml" } },
            { transformations: [capture.transformation] },
        );
        return {
            ...flyteEndpointOutputs(flyte),
            projectDataPrefixes: flyte.projectDataLocations?.prefixes,
        };
    });
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;
const urn = (type: string, name: string) => byName(plan, type, name).urn;
const storageSecret = () => byName(plan, SECRET_TYPE, "flyte-storage");
const job = () => byName(plan, "kubernetes:batch/v1:Job", "flyte-project-data-job");
const service = () => byName(plan, "kubernetes:core/v1:Service", "flyte-endpoint");

/** The stringData a Secret was registered with, before the plan masked it. */
async function stringDataOf(name: string): Promise<Record<string, string>> {
    return stringMapAt(await capture.inputs(SECRET_TYPE, name), "stringData");
}

test("owns the namespaces, the Secrets, the release, the proxy, the project data Job and the NodePort Service", () => {
    const children = childrenOf(plan, component(plan, "flyte:flyte:FlyteCore"));
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
        [
            "flyte:flyte:EndpointProxy flyte-proxy",
            "flyte:flyte:ProjectDataLocations flyte-project-data",
            "kubernetes:core/v1:Namespace flyte-namespace",
            ...NAMESPACES.map((ns) => `kubernetes:core/v1:Namespace flyte-tasks-${ns}`),
            "kubernetes:core/v1:Secret flyte-db-password",
            "kubernetes:core/v1:Secret flyte-storage",
            ...NAMESPACES.map((ns) => `kubernetes:core/v1:Secret flyte-tasks-${ns}-storage`),
            "kubernetes:core/v1:Service flyte-endpoint",
            "kubernetes:helm.sh/v3:Release flyte-release",
        ].sort(),
    );
    expectOnKubernetesProvider(plan, plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")), "cluster");
});

test("the release waits for the namespace, both Secrets it reads and the platform's dependencies, nothing else", () => {
    expect(release().dependencies).toEqual(
        [
            urn("kubernetes:core/v1:Namespace", "flyte-namespace"),
            urn(SECRET_TYPE, "flyte-db-password"),
            storageSecret().urn,
            urn("kubernetes:apps/v1:Deployment", "postgres-ready"),
            urn("kubernetes:batch/v1:Job", "buckets-ready"),
        ].sort(),
    );
    expect(release().inputs).toMatchObject({ name: "flyte-core", chart: "flyte-core", namespace: "flyte", atomic: true });
});

test("the storage Secret: in Flyte's namespace, its data secret, named in the values", () => {
    expect(at(storageSecret().inputs, "metadata")).toEqual({ name: "flyte-core-storage", namespace: "flyte", labels: { team: "ml" } });
    expect(storageSecret().inputs.type).toBe("Opaque");
    expect(storageSecret().inputs.stringData).toBe("[secret]");
    expect(at(values(), "storage")).toEqual({ secretName: "flyte-core-storage" });
});

test("the storage Secret holds Flyte's storage section for MinIO: the shared key, the endpoint, signed URLs for the workstation", async () => {
    const data = await stringDataOf("flyte-storage");
    expect(Object.keys(data)).toEqual(["storage.yaml"]);
    // The file itself: coreStorageSecretFile's tests (test/components/flyte/coreValues.test.ts).
    expect(data["storage.yaml"]).toBe(
        coreStorageSecretFile({
            accessKeyId: ACCESS_KEY_ID,
            secretAccessKey: SECRET_ACCESS_KEY,
            metadataBucket: "flyte-metadata",
            endpoint: MINIO,
            region: "us-east-1",
            disableSSL: true,
            signedUrlEndpoint: SIGNED_URL_ENDPOINT,
        }),
    );
});

test("each project-domain namespace has a storage Secret with its project's own key, its data secret", async () => {
    for (const ns of NAMESPACES) {
        const secret = byName(plan, SECRET_TYPE, `flyte-tasks-${ns}-storage`);
        expect(at(secret.inputs, "metadata")).toEqual({ name: "flyte-storage-credentials", namespace: ns, labels: { team: "ml" } });
        expect(secret.inputs.stringData).toBe("[secret]");
        expect(secret.dependencies).toEqual([urn("kubernetes:core/v1:Namespace", `flyte-tasks-${ns}`)]);
        const key = ns.startsWith("alpha-") ? PROJECT_KEYS.alpha : PROJECT_KEYS.beta;
        expect(await stringDataOf(`flyte-tasks-${ns}-storage`)).toEqual({
            FLYTE_AWS_ENDPOINT: MINIO,
            FLYTE_AWS_ACCESS_KEY_ID: key.id,
            FLYTE_AWS_SECRET_ACCESS_KEY: key.secret,
        });
    }
    // Task pods read that Secret by the name it has.
    expect(at(values(), "configmap", "k8s", "plugins", "k8s", "default-env-from-secrets")).toEqual(["flyte-storage-credentials"]);
});

test("the password Secret holds the platform's password", async () => {
    expect(await stringDataOf("flyte-db-password")).toEqual({ password: DB_PASSWORD });
    expect(byName(plan, SECRET_TYPE, "flyte-db-password").inputs.stringData).toBe("[secret]");
});

test("values without a cloud: no identities, no URL signing by flyteadmin, namespace template only", () => {
    for (const name of ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"]) {
        expect(at(values(), name, "serviceAccount")).toEqual({ create: true, annotations: {} });
    }
    expect(at(values(), "configmap", "remoteData", "remoteData")).toEqual({ scheme: "none" });
    expect(at(values(), "cluster_resource_manager", "config", "cluster_resources", "customData")).toEqual([]);
    expect(arrayAt(values(), "cluster_resource_manager", "templates").map((t) => at(t, "key"))).toEqual(["001_namespace"]);
    expect(at(values(), "configmap", "core", "propeller", "rawoutput-prefix")).toBe("s3://flyte-userdata/data");
    expect(at(values(), "configmap", "core", "propeller", "limit-namespace")).toBe("all");
    expect(at(values(), "db", "admin", "database")).toMatchObject({ host: "postgres.flyte-deps.svc.cluster.local", options: "sslmode=disable" });
    for (const name of ["flyteadmin", "datacatalog", "flyteconsole"]) {
        expect(at(values(), name, "replicaCount")).toBe(2);
    }
});

test("no access key, project key or password appears anywhere in the plan, values included", () => {
    expect(values()).not.toBe("[secret]");
    const everything = JSON.stringify(plan);
    const inValues = JSON.stringify(values());
    for (const secret of SECRET_STRINGS) {
        expect(inValues).not.toContain(secret);
        expect(everything).not.toContain(secret);
    }
});

test("every component's pods carry a digest of the password and of the storage file with the keys", async () => {
    const storageFile = (await stringDataOf("flyte-storage"))["storage.yaml"];
    const checksum = secretsChecksum([DB_PASSWORD, storageFile]);
    // A new key changes the storage file, so the digest, so Flyte restarts and reads it.
    expect(storageFile).toContain(SECRET_ACCESS_KEY);
    for (const name of ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler", "cluster_resource_manager"]) {
        expect(at(values(), name, "podAnnotations")).toEqual({ "checksum/pulumi-secrets": checksum });
    }
});

test("the proxy: coreReplicas pods after the release, on the ConfigMap", () => {
    const deployment = byName(plan, "kubernetes:apps/v1:Deployment", "flyte-proxy-deployment");
    expect(deployment.dependencies).toEqual(
        [
            urn("kubernetes:core/v1:Namespace", "flyte-namespace"),
            release().urn,
            urn("kubernetes:core/v1:ConfigMap", "flyte-proxy-config"),
        ].sort(),
    );
    expect(at(deployment.inputs, "spec", "replicas")).toBe(2);
    expect(at(deployment.inputs, "spec", "template", "spec", "containers", 0, "image")).toBe(config.flyte.core.proxyImage);
    expect(at(deployment.inputs, "spec", "template", "spec", "containers", 0, "securityContext", "readOnlyRootFilesystem")).toBe(true);
});

test("a NodePort Service with the platform's nodePorts, selecting the proxy", () => {
    expect(at(service().inputs, "metadata", "name")).toBe("flyte-core-nodeport");
    expect(at(service().inputs, "metadata", "namespace")).toBe("flyte");
    expect(at(service().inputs, "metadata", "annotations")).toEqual({});
    expect(at(service().inputs, "spec", "type")).toBe("NodePort");
    expect(at(service().inputs, "spec", "loadBalancerIP")).toBeUndefined();
    expect(at(service().inputs, "spec", "selector")).toEqual(endpointProxySelector());
    const deployment = byName(plan, "kubernetes:apps/v1:Deployment", "flyte-proxy-deployment");
    expect(selects(stringMapAt(service().inputs, "spec", "selector"), stringMapAt(deployment.inputs, "spec", "template", "metadata", "labels"))).toBe(true);
    expect(at(service().inputs, "spec", "ports")).toEqual([
        { name: "http", port: 8088, targetPort: "http", protocol: "TCP", nodePort: 31080 },
        { name: "grpc", port: 8089, targetPort: "grpc", protocol: "TCP", nodePort: 31081 },
    ]);
});

test("project isolation: a Job after the release sets each project's s3:// prefix through flyteadmin in Flyte's namespace", () => {
    expect(job().dependencies).toEqual([urn("kubernetes:core/v1:Namespace", "flyte-namespace"), release().urn].sort());
    expect(job().parent).toBe(component(plan, "flyte:flyte:ProjectDataLocations").urn);
    expect(at(job().inputs, "metadata", "namespace")).toBe("flyte");
    const pod = recordAt(job().inputs, "spec", "template", "spec");
    expect(at(pod, "containers", 0, "image")).toBe(config.flyte.projectSetupImage);
    expect(at(pod, "containers", 0, "args", 0)).toBe(
        projectAttributesScript("http://flyteadmin.flyte.svc.cluster.local:80", {
            alpha: "s3://flyte-alpha/data",
            beta: "s3://flyte-beta/data",
        }),
    );
    expect(plan.outputs.projectDataPrefixes).toEqual({ alpha: "s3://flyte-alpha/data", beta: "s3://flyte-beta/data" });
});

test("endpoints are localhost on the NodePorts", () => {
    expectFlyteEndpoints(plan.outputs, "localhost", { http: 31080, grpc: 31081 });
});
