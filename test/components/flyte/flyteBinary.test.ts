import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { FlyteBinary } from "../../../components/flyte/flyteBinary";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectFlyteEndpoints, expectOnKubernetesProvider, flyteEndpointOutputs, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { byName, only } from "../../helpers/plan";
import { gcpLikePlatform } from "../../helpers/testPlatforms";
import { at } from "../../helpers/json";

const DB_PASSWORD = "not-a-real-password-0123456789";
let plan: Plan;

beforeAll(async () => {
    const config = gcpStackConfig({ "flyte:flyteProjects": JSON.stringify(["alpha", "beta"]) });
    plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const readiness = new gcp.storage.Bucket("readiness", { location: "EU" });
        const unrelated = new gcp.storage.Bucket("unrelated", { location: "EU" });
        const platform = gcpLikePlatform({
            provider,
            dbPassword: DB_PASSWORD,
            identities: { backend: "backend@acme-test.iam.gserviceaccount.com", worker: "worker@acme-test.iam.gserviceaccount.com" },
            taskLogs: [{ plugin: "stackdriver", templateUri: "https://logs.example/{{ .podName }}" }],
            releaseDependencies: [readiness],
        });
        void unrelated;
        const flyte = new FlyteBinary("flyte", { flyte: config.flyte, platform, labels: { team: "ml" } });
        return flyteEndpointOutputs(flyte);
    });
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;

test("owns the namespace, the password secret, the release and the load balancer Service", () => {
    const children = childrenOf(plan, component(plan, "flyte:flyte:FlyteBinary"));
    expect(children.map((c) => c.type).sort()).toEqual([
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:Service",
        "kubernetes:helm.sh/v3:Release",
    ]);
    expectOnKubernetesProvider(plan, children, "cluster");
    expect(at(byName(plan, "kubernetes:core/v1:Namespace", "flyte-namespace").inputs, "metadata", "name")).toBe("flyte");
});

test("installs flyte-binary at the configured version from the chart repository into Flyte's namespace", () => {
    expect(release().inputs).toMatchObject({
        name: "flyte-binary",
        chart: "flyte-binary",
        version: "v1.16.8",
        repositoryOpts: { repo: "https://flyteorg.github.io/flyte" },
        namespace: "flyte",
        atomic: true,
    });
});

test("the password reaches the cluster only as a secret, never in the chart values", () => {
    const secret = byName(plan, "kubernetes:core/v1:Secret", "flyte-db-password");
    // The SDK marks the whole map secret when a value in it is.
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(at(values(), "configuration", "database", "password")).toBeUndefined();
    expect(JSON.stringify(plan)).not.toContain(DB_PASSWORD);
});

test("values come from the platform: database, storage, identities, task logs", () => {
    expect(at(values(), "configuration", "database")).toMatchObject({
        host: "10.9.8.7",
        port: 5432,
        dbname: "flytedb",
        username: "flyteuser",
        options: "sslmode=require",
    });
    expect(at(values(), "configuration", "storage")).toMatchObject({
        provider: "gcs",
        metadataContainer: "meta-bucket",
        userDataContainer: "data-bucket",
        providerConfig: { gcs: { project: "acme-test" } },
    });
    expect(at(values(), "serviceAccount", "annotations")).toEqual({
        "iam.gke.io/gcp-service-account": "backend@acme-test.iam.gserviceaccount.com",
    });
    expect(at(values(), "configuration", "logging", "plugins", "stackdriver")).toEqual({
        enabled: true,
        templateUri: '"https://logs.example/{{ .podName }}"',
    });
    expect(at(values(), "flyte-core-components", "admin", "seedProjects")).toEqual(["alpha", "beta"]);
    expect(at(values(), "commonLabels")).toEqual({ team: "ml" });
});

test("the release waits for what it uses and nothing else", () => {
    const urn = (type: string, name: string) => byName(plan, type, name).urn;
    expect(release().dependencies).toEqual(
        [
            urn("kubernetes:core/v1:Namespace", "flyte-namespace"),
            urn("kubernetes:core/v1:Secret", "flyte-db-password"),
            urn("gcp:storage/bucket:Bucket", "readiness"),
        ].sort(),
    );
});

test("a LoadBalancer Service with the platform's annotations exposes HTTP 8088 and gRPC 8089 of the Flyte pod", () => {
    const service = byName(plan, "kubernetes:core/v1:Service", "flyte-endpoint");
    expect(at(service.inputs, "metadata", "annotations")).toEqual({ "networking.gke.io/load-balancer-type": "Internal" });
    expect(at(service.inputs, "metadata", "namespace")).toBe("flyte");
    expect(at(service.inputs, "spec", "type")).toBe("LoadBalancer");
    expect(at(service.inputs, "spec", "loadBalancerIP")).toBe("10.0.0.42");
    expect(at(service.inputs, "spec", "selector")).toEqual({
        "app.kubernetes.io/name": "flyte-binary",
        "app.kubernetes.io/instance": "flyte-binary",
        "app.kubernetes.io/component": "flyte-binary",
    });
    expect(at(service.inputs, "spec", "ports")).toEqual([
        { name: "http", port: 8088, protocol: "TCP", targetPort: "http" },
        { name: "grpc", port: 8089, protocol: "TCP", targetPort: "grpc" },
    ]);
    // The Service does not wait for the release: it can exist before the pods it selects.
    expect(service.dependencies).not.toContain(release().urn);
});

test("endpoints and flytectl config point at the load balancer address", () => {
    expectFlyteEndpoints(plan.outputs, "10.0.0.42", { http: 8088, grpc: 8089 });
});
