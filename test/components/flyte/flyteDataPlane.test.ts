import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import { DATA_PLANE_CLIENT_SECRET, flyteDataPlaneValues } from "../../../components/flyte/dataPlaneValues";
import { FlyteDataPlane } from "../../../components/flyte/flyteDataPlane";
import { RELEASE_TIMEOUT_SECONDS } from "../../../components/flyte/flyteInstallation";
import { dataPlaneFlyteConfig } from "../../../components/flyte/stackReferences";
import { MOCK_CLUSTER_CA_PEM, mockServiceAccountToken } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectOnKubernetesProvider, runComponents } from "../../helpers/components";
import { awsStackConfig, gcpStackConfig } from "../../helpers/config";
import { at } from "../../helpers/json";
import { byName, ofType, only } from "../../helpers/plan";
import {
    awsLikeDataPlanePlatform,
    gcpLikeDataPlanePlatform,
    TEST_AWS_DATA_PLANE,
    TEST_DATA_PLANE,
    testResolvedAwsControlPlane,
    testResolvedControlPlane,
} from "../../helpers/testPlatforms";

/**
 * FlyteDataPlane on a fake data-plane platform: Flyte's namespace, flyte-core with flytepropeller only, with the
 * control plane's sign-in the Secret propeller reads its client secret from, the control plane's access here, and
 * what the data plane publishes (DataPlaneOutput, plain; the token, a secret).
 */

const LOG_URI = "https://console.cloud.google.com/logs/query;query=pod%3D%22{{ .podName }}%22?project=acme-test";
const TOKEN_RESOURCE = "flyte-control-plane-token-2";

interface Declared {
    readonly plan: Plan;
    /** The token output's value, read inside the program. */
    readonly token: string | undefined;
}

async function declare(args: { readonly signIn: boolean; readonly ownRawDataBucket: boolean }): Promise<Declared> {
    let token: string | undefined;
    const plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const nodes = new gcp.storage.Bucket("nodes-ready", { location: "EU" });
        const grants = new gcp.storage.Bucket("grants-ready", { location: "EU" });
        new gcp.storage.Bucket("unrelated", { location: "EU" });
        const controlPlane = testResolvedControlPlane({ signIn: args.signIn });
        const platform = gcpLikeDataPlanePlatform({
            provider,
            ownRawDataBucket: args.ownRawDataBucket,
            taskLogs: [{ plugin: "stackdriver", templateUri: LOG_URI }],
            releaseDependencies: [nodes, grants],
        });
        const flyte = dataPlaneFlyteConfig(gcpStackConfig({ "flyte:flavor": "core" }).flyte, controlPlane.output);
        const dataPlane = new FlyteDataPlane("flyte", { flyte, platform, controlPlane, tokenGeneration: 2, labels: { team: "ml" } });
        dataPlane.token.apply((t) => (token = t));
        return { dataPlane: dataPlane.dataPlaneOutput, dataPlaneToken: dataPlane.token };
    });
    return { plan, token };
}

const urn = (plan: Plan, type: string, name: string) => byName(plan, type, name).urn;

describe("with the control plane's sign-in and a raw-data bucket of its own", () => {
    let declared: Declared;
    beforeAll(async () => {
        declared = await declare({ signIn: true, ownRawDataBucket: true });
    });
    const plan = () => declared.plan;
    const release = () => only(plan(), "kubernetes:helm.sh/v3:Release");

    test("owns the namespace, the client Secret, the release and the control plane's access; all on the data plane's cluster", () => {
        const children = childrenOf(plan(), component(plan(), "flyte:flyte:FlyteDataPlane"));
        expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
            "flyte:flyte:ControlPlaneAccess flyte-control-plane",
            "kubernetes:core/v1:Namespace flyte-namespace",
            "kubernetes:core/v1:Secret flyte-client-secret",
            "kubernetes:helm.sh/v3:Release flyte-release",
        ]);
        expectOnKubernetesProvider(plan(), plan().resources.filter((r) => r.custom && r.type.startsWith("kubernetes:")), "cluster");
        expect(at(byName(plan(), "kubernetes:core/v1:Namespace", "flyte-namespace").inputs, "metadata")).toEqual({ name: "flyte", labels: { team: "ml" } });
    });

    test("the client Secret: where flytepropeller's values say, the secret only as a Pulumi secret", () => {
        const secret = byName(plan(), "kubernetes:core/v1:Secret", "flyte-client-secret");
        expect(secret.inputs).toEqual({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: DATA_PLANE_CLIENT_SECRET.secretName, namespace: "flyte", labels: { team: "ml" } },
            type: "Opaque",
            stringData: "[secret]",
        });
        expect(JSON.stringify(plan())).not.toContain(TEST_DATA_PLANE.clientSecret);
    });

    test("flyte-core from the control plane's chart and version, into Flyte's namespace, as a standalone release", () => {
        expect(release().inputs).toMatchObject({
            name: "flyte-core",
            chart: "flyte-core",
            version: "v1.16.8",
            repositoryOpts: { repo: "https://flyteorg.github.io/flyte" },
            namespace: "flyte",
            createNamespace: false,
            atomic: true,
            cleanupOnFail: true,
            timeout: RELEASE_TIMEOUT_SECONDS,
            maxHistory: 10,
        });
    });

    test("the values are flyteDataPlaneValues' of the platform and control plane, the client secret's digest on propeller's pods", () => {
        const controlPlane = testResolvedControlPlane({ signIn: true });
        expect(release().inputs.values).toEqual(
            JSON.parse(
                JSON.stringify(
                    flyteDataPlaneValues({
                        flyte: dataPlaneFlyteConfig(gcpStackConfig({ "flyte:flavor": "core" }).flyte, controlPlane.output),
                        controlPlane: controlPlane.output,
                        rawDataBucket: TEST_DATA_PLANE.ownRawDataBucket,
                        propellerIdentity: { annotationKey: "iam.gke.io/gcp-service-account", value: TEST_DATA_PLANE.propellerIdentity },
                        taskLogs: [{ plugin: "stackdriver", templateUri: LOG_URI }],
                        secretsChecksum: secretsChecksum([TEST_DATA_PLANE.clientSecret]),
                    }),
                ),
            ),
        );
    });

    test("the release waits for the namespace, the client Secret and the platform's dependencies, nothing else", () => {
        expect(release().dependencies).toEqual(
            [
                urn(plan(), "kubernetes:core/v1:Namespace", "flyte-namespace"),
                urn(plan(), "kubernetes:core/v1:Secret", "flyte-client-secret"),
                urn(plan(), "gcp:storage/bucket:Bucket", "nodes-ready"),
                urn(plan(), "gcp:storage/bucket:Bucket", "grants-ready"),
            ].sort(),
        );
    });

    test("the control plane's access in Flyte's namespace, with the configured generation and the one before it", () => {
        const access = component(plan(), "flyte:flyte:ControlPlaneAccess");
        expect(childrenOf(plan(), access).map((c) => `${c.type} ${c.name}`).sort()).toEqual([
            "kubernetes:core/v1:Secret flyte-control-plane-token-1",
            "kubernetes:core/v1:Secret flyte-control-plane-token-2",
            "kubernetes:core/v1:ServiceAccount flyte-control-plane-flyteadmin",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole flyte-control-plane-flyteadmin",
            "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding flyte-control-plane-flyteadmin",
        ]);
        expect(at(byName(plan(), "kubernetes:core/v1:ServiceAccount", "flyte-control-plane-flyteadmin").inputs, "metadata", "namespace")).toBe("flyte");
        expect(byName(plan(), "kubernetes:core/v1:ServiceAccount", "flyte-control-plane-flyteadmin").dependencies).toEqual([
            urn(plan(), "kubernetes:core/v1:Namespace", "flyte-namespace"),
        ]);
    });

    test("dataPlane: plain, the platform's endpoint and pod range, the token Secret's CA, the service account, its own bucket", () => {
        expect(plan().outputs.dataPlane).toEqual({
            cloud: "gcp",
            apiEndpoint: TEST_DATA_PLANE.apiEndpoint,
            caCertificate: MOCK_CLUSTER_CA_PEM,
            adminServiceAccount: "flyte/flyteadmin-remote",
            tokenGeneration: 2,
            podRange: TEST_DATA_PLANE.podRange,
            rawDataBucket: TEST_DATA_PLANE.ownRawDataBucket,
        });
    });

    test("the token: the current generation's, a secret output, in no plain output or input", () => {
        expect(declared.token).toBe(mockServiceAccountToken(TOKEN_RESOURCE));
        expect(plan().outputs.dataPlaneToken).toBe("[secret]");
        const text = JSON.stringify(plan());
        expect(text).not.toContain(mockServiceAccountToken(TOKEN_RESOURCE));
        expect(text).not.toContain(mockServiceAccountToken("flyte-control-plane-token-1"));
    });
});

describe("without sign-in, raw data in the control plane's bucket", () => {
    let declared: Declared;
    beforeAll(async () => {
        declared = await declare({ signIn: false, ownRawDataBucket: false });
    });
    const plan = () => declared.plan;
    const release = () => only(plan(), "kubernetes:helm.sh/v3:Release");

    test("no client Secret; the release waits for the namespace and the platform only", () => {
        expect(ofType(plan(), "kubernetes:core/v1:Secret").map((s) => s.name).sort()).toEqual(["flyte-control-plane-token-1", "flyte-control-plane-token-2"]);
        expect(release().dependencies).toEqual(
            [
                urn(plan(), "kubernetes:core/v1:Namespace", "flyte-namespace"),
                urn(plan(), "gcp:storage/bucket:Bucket", "nodes-ready"),
                urn(plan(), "gcp:storage/bucket:Bucket", "grants-ready"),
            ].sort(),
        );
    });

    test("propeller's pods carry the digest of no secret; raw data under the control plane's user-data bucket", () => {
        expect(at(release().inputs.values, "flytepropeller", "podAnnotations")).toEqual({ "checksum/pulumi-secrets": secretsChecksum([]) });
        expect(JSON.stringify(release().inputs.values)).toContain(`gs://${TEST_DATA_PLANE.controlPlaneUserData}`);
    });

    test("dataPlane names no bucket of its own", () => {
        expect(plan().outputs.dataPlane).toEqual({
            cloud: "gcp",
            apiEndpoint: TEST_DATA_PLANE.apiEndpoint,
            caCertificate: MOCK_CLUSTER_CA_PEM,
            adminServiceAccount: "flyte/flyteadmin-remote",
            tokenGeneration: 2,
            podRange: TEST_DATA_PLANE.podRange,
        });
        expect(plan().outputs.dataPlaneToken).toBe("[secret]");
        expect(declared.token).toBe(mockServiceAccountToken(TOKEN_RESOURCE));
    });
});

test("a control plane that names propeller's client without its secret fails the plan, saying which stack", async () => {
    const controlPlane = testResolvedControlPlane({ signIn: true });
    const plan = runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const platform = gcpLikeDataPlanePlatform({ provider, ownRawDataBucket: false, releaseDependencies: [] });
        const flyte = dataPlaneFlyteConfig(gcpStackConfig({ "flyte:flavor": "core" }).flyte, controlPlane.output);
        new FlyteDataPlane("flyte", { flyte, platform, controlPlane: { stack: controlPlane.stack, output: controlPlane.output }, tokenGeneration: 1, labels: {} });
        return {};
    });
    await expect(plan).rejects.toThrow(
        `flyte:controlPlaneStack ${TEST_DATA_PLANE.controlPlaneStack} publishes flytepropeller's client (flytepropeller) without controlPlaneClientSecret`,
    );
});

describe.each([false, true])("on an AWS data plane (a bucket of its own: %s)", (ownRawDataBucket) => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await runComponents(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            const platform = awsLikeDataPlanePlatform({ provider, ownRawDataBucket, releaseDependencies: [] });
            const controlPlane = testResolvedAwsControlPlane({ signIn: false });
            const flyte = dataPlaneFlyteConfig(awsStackConfig({ "flyte:flavor": "core" }).flyte, controlPlane.output);
            const dataPlane = new FlyteDataPlane("flyte", { flyte, platform, controlPlane, tokenGeneration: 3, labels: {} });
            return { dataPlane: dataPlane.dataPlaneOutput };
        });
    });

    test("dataPlane: cloud aws with the cluster's OIDC provider and issuer, beside what every data plane publishes", () => {
        expect(plan.outputs.dataPlane).toEqual({
            cloud: "aws",
            oidcProviderArn: TEST_AWS_DATA_PLANE.oidcProviderArn,
            oidcIssuer: TEST_AWS_DATA_PLANE.oidcIssuer,
            apiEndpoint: TEST_AWS_DATA_PLANE.apiEndpoint,
            caCertificate: MOCK_CLUSTER_CA_PEM,
            adminServiceAccount: "flyte/flyteadmin-remote",
            tokenGeneration: 3,
            podRange: TEST_AWS_DATA_PLANE.block,
            ...(ownRawDataBucket ? { rawDataBucket: TEST_DATA_PLANE.ownRawDataBucket } : {}),
        });
    });

    test("the release: S3 in the control plane's region, the platform's task environment, propeller's IRSA role", () => {
        const values = only(plan, "kubernetes:helm.sh/v3:Release").inputs.values;
        expect(at(values, "storage", "type")).toBe("s3");
        expect(at(values, "storage", "s3", "region")).toBe(TEST_AWS_DATA_PLANE.region);
        expect(at(values, "configmap", "k8s", "plugins", "k8s", "default-env-vars")).toEqual(
            Object.entries(TEST_AWS_DATA_PLANE.taskEnvironment).map(([name, value]) => ({ [name]: value })),
        );
        expect(at(values, "flytepropeller", "serviceAccount", "annotations")).toEqual({ "eks.amazonaws.com/role-arn": TEST_AWS_DATA_PLANE.propellerRole });
        const raw = ownRawDataBucket ? TEST_DATA_PLANE.ownRawDataBucket : TEST_DATA_PLANE.controlPlaneUserData;
        expect(at(values, "configmap", "core", "propeller", "rawoutput-prefix")).toBe(`s3://${raw}/data`);
    });
});
