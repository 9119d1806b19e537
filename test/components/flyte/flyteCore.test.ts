import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { FLYTEADMIN_GRPC_PORT, FLYTEADMIN_HTTP_PORT, FLYTECONSOLE_HTTP_PORT } from "../../../components/flyte/coreValues";
import { endpointProxyConfig, endpointProxySelector } from "../../../components/flyte/endpointProxy";
import { FlyteCore } from "../../../components/flyte/flyteCore";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectFlyteEndpoints, expectOnKubernetesProvider, flyteEndpointOutputs, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { renderEscapedTpl } from "../../helpers/flyteCoreFixtures";
import { selects } from "../../helpers/helm";
import { byName, only, transitiveDependencies } from "../../helpers/plan";
import { gcpLikePlatform } from "../../helpers/testPlatforms";
import { arrayAt, at, recordAt, stringMapAt } from "../../helpers/json";

/** FlyteCore on a GCP-like platform: GCS, Workload Identity per component, an internal load balancer. */

const DB_PASSWORD = "not-a-real-core-password-8642";
const ANNOTATION = "iam.gke.io/gcp-service-account";
const identity = (key: string) => `flyte-${key}@acme-test.iam.gserviceaccount.com`;
const COMPONENTS = ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"] as const;
const LOG_URI = "https://logs.example/{{ .podName }}?c={{ .containerName }}";
const config = gcpStackConfig({
    "flyte:flavor": "core",
    "flyte:flyteProjects": JSON.stringify(["alpha", "beta"]),
    "flyte:flyteNamespace": "orchestration",
    "flyte:coreReplicas": "3",
    "flyte:coreProxyImage": "registry.example/nginx-unprivileged:1.27",
});
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const grants = new gcp.storage.Bucket("grants-ready", { location: "EU" });
        const nodes = new gcp.storage.Bucket("nodes-ready", { location: "EU" });
        const unrelated = new gcp.storage.Bucket("unrelated", { location: "EU" });
        void unrelated;
        const platform = gcpLikePlatform({
            provider,
            dbPassword: DB_PASSWORD,
            identities: Object.fromEntries([...COMPONENTS, "worker"].map((key) => [key, identity(key)])),
            taskLogs: [{ plugin: "stackdriver", templateUri: LOG_URI }],
            releaseDependencies: [grants, nodes],
        });
        const flyte = new FlyteCore("flyte", { flyte: config.flyte, platform, labels: { team: "ml" } });
        return {
            ...flyteEndpointOutputs(flyte),
            hasProjectDataLocations: flyte.projectDataLocations !== undefined,
        };
    });
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;
const urn = (type: string, name: string) => byName(plan, type, name).urn;
const proxyDeployment = () => byName(plan, "kubernetes:apps/v1:Deployment", "flyte-proxy-deployment");
const proxyConfig = () => byName(plan, "kubernetes:core/v1:ConfigMap", "flyte-proxy-config");
const service = () => byName(plan, "kubernetes:core/v1:Service", "flyte-endpoint");

test("owns the namespace, the password Secret, the release, the proxy and the Service; nothing for MinIO or isolation", () => {
    const core = component(plan, "flyte:flyte:FlyteCore");
    expect(childrenOf(plan, core).map((c) => `${c.type} ${c.name}`).sort()).toEqual([
        "flyte:flyte:EndpointProxy flyte-proxy",
        "kubernetes:core/v1:Namespace flyte-namespace",
        "kubernetes:core/v1:Secret flyte-db-password",
        "kubernetes:core/v1:Service flyte-endpoint",
        "kubernetes:helm.sh/v3:Release flyte-release",
    ]);
    expect(childrenOf(plan, component(plan, "flyte:flyte:EndpointProxy")).map((c) => c.name).sort()).toEqual([
        "flyte-proxy-config",
        "flyte-proxy-deployment",
    ]);
    expect(plan.resources.filter((r) => r.type === "flyte:flyte:ProjectDataLocations")).toEqual([]);
    expect(plan.outputs.hasProjectDataLocations).toBe(false);
    expectOnKubernetesProvider(plan, plan.resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")), "cluster");
    expect(at(byName(plan, "kubernetes:core/v1:Namespace", "flyte-namespace").inputs, "metadata")).toEqual({
        name: "orchestration",
        labels: { team: "ml" },
    });
});

test("installs flyte-core at the configured version from the chart repository into Flyte's namespace, atomically", () => {
    expect(release().inputs).toMatchObject({
        name: "flyte-core",
        chart: "flyte-core",
        version: "v1.16.8",
        repositoryOpts: { repo: "https://flyteorg.github.io/flyte" },
        namespace: "orchestration",
        createNamespace: false,
        atomic: true,
        cleanupOnFail: true,
        timeout: 900,
    });
});

test("the release waits for the namespace, the password Secret and the platform's dependencies, nothing else", () => {
    expect(release().dependencies).toEqual(
        [
            urn("kubernetes:core/v1:Namespace", "flyte-namespace"),
            urn("kubernetes:core/v1:Secret", "flyte-db-password"),
            urn("gcp:storage/bucket:Bucket", "grants-ready"),
            urn("gcp:storage/bucket:Bucket", "nodes-ready"),
        ].sort(),
    );
});

test("the password is only in its Secret; the chart reads that Secret by name", () => {
    const secret = byName(plan, "kubernetes:core/v1:Secret", "flyte-db-password");
    expect(at(secret.inputs, "metadata")).toEqual({ name: "flyte-core-db-password", namespace: "orchestration", labels: { team: "ml" } });
    expect(secret.inputs.type).toBe("Opaque");
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(at(values(), "common", "databaseSecret", "name")).toBe(at(secret.inputs, "metadata", "name"));
    expect(at(values(), "db", "admin", "database", "passwordPath")).toBe("/etc/db/password");
    expect(values()).not.toBe("[secret]");
    expect(JSON.stringify(plan)).not.toContain(DB_PASSWORD);
});

test("every backend component's service account carries exactly its own identity", () => {
    for (const name of COMPONENTS) {
        expect(at(values(), name, "serviceAccount")).toEqual({ create: true, annotations: { [ANNOTATION]: identity(name) } });
    }
    expect(at(values(), "flyteconsole", "serviceAccount")).toBeUndefined();
});

test("values from the platform: database, GCS storage, URL signing as flyteadmin, task logs, worker identity", () => {
    expect(at(values(), "db", "admin", "database")).toEqual({
        host: "10.9.8.7",
        port: 5432,
        username: "flyteuser",
        dbname: "flytedb",
        passwordPath: "/etc/db/password",
        options: "sslmode=require",
    });
    expect(at(values(), "db", "datacatalog")).toEqual(at(values(), "db", "admin"));
    expect(at(values(), "storage")).toEqual({ type: "gcs", bucketName: "meta-bucket", gcs: { projectId: "acme-test" }, limits: { maxDownloadMBs: 10 } });
    expect(at(values(), "configmap", "remoteData", "remoteData", "signedUrls", "signingPrincipal")).toBe(identity("flyteadmin"));
    expect(at(values(), "configmap", "core", "propeller")).toEqual({
        "rawoutput-prefix": "gs://data-bucket/data",
        "metadata-prefix": "metadata/propeller",
        "limit-namespace": "all",
        "leader-election": { "lock-config-map": { namespace: "orchestration" } },
    });
    expect(renderEscapedTpl(String(at(values(), "configmap", "task_logs", "plugins", "logs", "stackdriver-template-uri")))).toBe(LOG_URI);
    expect(at(values(), "cluster_resource_manager", "config", "cluster_resources", "customData")).toEqual(
        ["development", "staging", "production"].map((d) => ({ [d]: [{ workerIdentity: { value: identity("worker") } }] })),
    );
    expect(at(values(), "configmap", "k8s", "plugins", "k8s")).toEqual({ "default-env-vars": [] });
    // Double-quoted YAML scalars: the chart writes them into the seed-projects command unquoted.
    expect(at(values(), "flyteadmin", "initialProjects")).toEqual(['"alpha"', '"beta"']);
});

test("replicas and the secrets checksum (a digest of the password) reach every component", () => {
    for (const name of ["flyteadmin", "datacatalog", "flyteconsole"]) {
        expect(at(values(), name, "replicaCount")).toBe(3);
    }
    const checksum = { "checksum/pulumi-secrets": secretsChecksum([DB_PASSWORD, ""]) };
    for (const name of [...COMPONENTS, "cluster_resource_manager"]) {
        expect(at(values(), name, "podAnnotations")).toEqual(checksum);
    }
});

test("the proxy waits for the release, runs the configured image unprivileged with coreReplicas pods", () => {
    const deployment = proxyDeployment();
    expect(deployment.dependencies).toContain(release().urn);
    expect(deployment.dependencies).toContain(proxyConfig().urn);
    expect(transitiveDependencies(plan, deployment).has(release().urn)).toBe(true);
    expect(at(deployment.inputs, "metadata", "namespace")).toBe("orchestration");
    expect(at(deployment.inputs, "spec", "replicas")).toBe(3);
    const pod = recordAt(deployment.inputs, "spec", "template", "spec");
    expect(at(pod, "containers", 0, "image")).toBe("registry.example/nginx-unprivileged:1.27");
    expect(at(pod, "securityContext", "runAsNonRoot")).toBe(true);
    expect(at(pod, "containers", 0, "securityContext")).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    });
    const configVolume = arrayAt(pod, "volumes").find((v) => at(v, "configMap") !== undefined);
    expect(arrayAt(pod, "containers", 0, "volumeMounts")).toContainEqual({
        name: at(configVolume, "name"),
        mountPath: "/etc/flyte-proxy",
        readOnly: true,
    });
});

test("the proxy's ConfigMap routes to the chart's flyteadmin and flyteconsole Services in Flyte's namespace", () => {
    expect(at(proxyConfig().inputs, "metadata", "namespace")).toBe("orchestration");
    expect(at(proxyConfig().inputs, "data", "nginx.conf")).toBe(
        endpointProxyConfig({
            namespace: "orchestration",
            admin: { service: "flyteadmin", httpPort: FLYTEADMIN_HTTP_PORT, grpcPort: FLYTEADMIN_GRPC_PORT },
            console: { service: "flyteconsole", httpPort: FLYTECONSOLE_HTTP_PORT },
        }),
    );
    const conf = String(at(proxyConfig().inputs, "data", "nginx.conf"));
    expect(conf).toContain("proxy_pass http://flyteadmin.orchestration.svc.cluster.local:80;");
    expect(conf).toContain("proxy_pass flyteadmin.orchestration.svc.cluster.local:81;");
    expect(conf).toContain("proxy_pass http://flyteconsole.orchestration.svc.cluster.local:80;");
});

test("a LoadBalancer Service with the platform's annotations, selecting the proxy pods on their named ports", () => {
    expect(at(service().inputs, "metadata")).toEqual({
        name: "flyte-core-lb",
        namespace: "orchestration",
        labels: { team: "ml" },
        annotations: { "networking.gke.io/load-balancer-type": "Internal" },
    });
    expect(at(service().inputs, "spec", "type")).toBe("LoadBalancer");
    expect(at(service().inputs, "spec", "loadBalancerIP")).toBe("10.0.0.42");
    const selector = stringMapAt(service().inputs, "spec", "selector");
    expect(selector).toEqual(endpointProxySelector());
    expect(selects(selector, stringMapAt(proxyDeployment().inputs, "spec", "template", "metadata", "labels"))).toBe(true);
    expect(at(service().inputs, "spec", "ports")).toEqual([
        { name: "http", port: 8088, protocol: "TCP", targetPort: "http" },
        { name: "grpc", port: 8089, protocol: "TCP", targetPort: "grpc" },
    ]);
    const containerPorts = arrayAt(proxyDeployment().inputs, "spec", "template", "spec", "containers", 0, "ports");
    for (const port of arrayAt(service().inputs, "spec", "ports")) {
        expect(containerPorts.map((p) => at(p, "name"))).toContain(at(port, "targetPort"));
    }
    // The Service may exist before the pods it selects.
    expect(service().dependencies).toEqual([urn("kubernetes:core/v1:Namespace", "flyte-namespace")]);
});

test("endpoints and flytectl config point at the load balancer address", () => {
    expectFlyteEndpoints(plan.outputs, "10.0.0.42", { http: 8088, grpc: 8089 });
});
