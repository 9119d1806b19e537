import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as bcrypt from "bcryptjs";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import { FlyteBinary } from "../../../components/flyte/flyteBinary";
import { mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { InputCapture } from "../../helpers/flyteCoreFixtures";
import { byName, only } from "../../helpers/plan";
import { gcpLikePlatform, oidcSignIn, TEST_HOSTNAME, TEST_SIGN_IN, withHttpsSignIn } from "../../helpers/testPlatforms";
import { at, recordAt, stringAt, stringMapAt } from "../../helpers/json";

/**
 * FlyteBinary on a GCP-like platform served over HTTPS with sign-in through an OpenID Connect provider: the
 * generated clients, the Secret the chart mounts the client secrets from, the chart's authentication values and
 * the outputs a CI pipeline and the provider's registration need.
 */

const DB_PASSWORD = "not-a-real-password-auth-0123456789";
const SECRET = "kubernetes:core/v1:Secret";
const INTERNAL_SECRET = mockPassword("flyte-auth-internal-client-secret");
const CI_SECRET = mockPassword("flyte-auth-ci-client-secret");
const capture = new InputCapture((type) => type === SECRET);
let plan: Plan;

function declare(): Record<string, unknown> {
    const config = gcpStackConfig({ "flyte:flyteProjects": JSON.stringify(["alpha"]) });
    const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
    const readiness = new gcp.storage.Bucket("readiness", { location: "EU" });
    const platform = withHttpsSignIn(
        gcpLikePlatform({
            provider,
            dbPassword: DB_PASSWORD,
            identities: { backend: "backend@acme-test.iam.gserviceaccount.com", worker: "worker@acme-test.iam.gserviceaccount.com" },
            taskLogs: [],
            releaseDependencies: [readiness],
        }),
    );
    const flyte = new FlyteBinary("flyte", { flyte: config.flyte, platform, labels: { team: "ml" } }, { transformations: [capture.transformation] });
    return { ciClientId: flyte.ciClientId, ciClientSecret: flyte.ciClientSecret, oidcRedirectUris: flyte.oidcRedirectUris };
}

beforeAll(async () => {
    plan = await runComponents(declare);
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;
const auth = () => recordAt(values(), "configuration", "auth");
const clientSecrets = () => byName(plan, SECRET, "flyte-auth-client-secrets");

test("the authentication component: a secret and a salt per generated client, and the Secret the chart mounts", () => {
    const binary = component(plan, "flyte:flyte:FlyteBinary");
    const authentication = component(plan, "flyte:flyte:FlyteAuthentication");
    expect(childrenOf(plan, binary).map((c) => `${c.type} ${c.name}`)).toContain("flyte:flyte:FlyteAuthentication flyte-auth");
    expect(childrenOf(plan, authentication).map((c) => `${c.type} ${c.name}`).sort()).toEqual([
        "kubernetes:core/v1:Secret flyte-auth-client-secrets",
        "random:index/randomPassword:RandomPassword flyte-auth-ci-client-secret",
        "random:index/randomPassword:RandomPassword flyte-auth-internal-client-secret",
        "random:index/randomString:RandomString flyte-auth-ci-client-salt",
        "random:index/randomString:RandomString flyte-auth-internal-client-salt",
    ]);
    const secret = byName(plan, "random:index/randomPassword:RandomPassword", "flyte-auth-internal-client-secret");
    expect(secret.inputs).toMatchObject({ length: 40, special: false });
    const salt = byName(plan, "random:index/randomString:RandomString", "flyte-auth-internal-client-salt");
    expect(salt.inputs).toMatchObject({ length: 22, upper: true, lower: true, numeric: true, special: true, overrideSpecial: "./" });
    expect(clientSecrets().provider.startsWith(`${byName(plan, "pulumi:providers:kubernetes", "cluster").urn}::`)).toBe(true);
});

test("the Secret holds the internal client's secret and the provider's, under the keys the chart mounts at /etc/secrets", async () => {
    expect(at(clientSecrets().inputs, "metadata")).toEqual({ name: "flyte-binary-auth-client-secrets", namespace: "flyte", labels: { team: "ml" } });
    expect(clientSecrets().inputs.stringData).toBe("[secret]");
    expect(stringMapAt(await capture.inputs(SECRET, "flyte-auth-client-secrets"), "stringData")).toEqual({
        client_secret: INTERNAL_SECRET,
        oidc_client_secret: TEST_SIGN_IN.clientSecret,
    });
});

test("configuration.auth: on, the provider, the public URL first among the authorized URIs, the program's Secret by name", () => {
    expect(auth()).toMatchObject({
        enabled: true,
        enableAuthServer: true,
        oidc: { baseUrl: TEST_SIGN_IN.issuerUrl, clientId: TEST_SIGN_IN.clientId },
        internal: { clientId: "flytepropeller" },
        flyteClient: { clientId: "flytectl" },
        clientSecretsExternalSecretRef: "flyte-binary-auth-client-secrets",
    });
    expect(at(auth(), "authorizedUris", 0)).toBe(`https://${TEST_HOSTNAME}`);
    expect(at(auth(), "authorizedUris")).toContain("http://flyte-binary-http.flyte.svc.cluster.local:8088");
    // Secrets the chart would render from values are not there.
    expect(at(auth(), "oidc", "clientSecret")).toBeUndefined();
    expect(at(auth(), "internal", "clientSecret")).toBeUndefined();
});

test("the hashes in the values verify the generated secrets: the internal client's and CI's", () => {
    expect(bcrypt.compareSync(INTERNAL_SECRET, stringAt(auth(), "internal", "clientSecretHash"))).toBe(true);
    const ci = recordAt(values(), "configuration", "inline", "auth", "appAuth", "selfAuthServer", "staticClients", "flyte-ci");
    expect(ci).toMatchObject({ id: "flyte-ci", grant_types: ["client_credentials"] });
    expect(bcrypt.compareSync(CI_SECRET, stringAt(ci, "client_secret"))).toBe(true);
    expect(bcrypt.compareSync(INTERNAL_SECRET, stringAt(ci, "client_secret"))).toBe(false);
});

test("inline: the pod's own token endpoint and the configured scopes", () => {
    expect(at(values(), "configuration", "inline", "admin")).toEqual({ tokenUrl: "http://localhost:8088/oauth2/token" });
    expect(at(values(), "configuration", "inline", "auth", "userAuth")).toEqual({ openId: { scopes: [...TEST_SIGN_IN.scopes] } });
});

test("the init container that generates flyteadmin's keys is restricted, read-only root included, and writes them to /dev/shm", () => {
    expect(at(values(), "deployment", "genAdminAuthSecret", "securityContext")).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        capabilities: { drop: ["ALL"] },
    });
    expect(stringAt(values(), "deployment", "genAdminAuthSecret", "args", 0)).toContain("--localPath /dev/shm/admin-auth-secret");
});

test("the pods restart when a mounted client secret changes: they are part of the digest", () => {
    expect(at(values(), "deployment", "podAnnotations", "checksum/pulumi-secrets")).toBe(secretsChecksum([DB_PASSWORD, "", INTERNAL_SECRET, TEST_SIGN_IN.clientSecret]));
});

test("the release waits for the Secret it names", () => {
    expect(release().dependencies).toContain(clientSecrets().urn);
});

test("outputs: CI's client id and secret (a Pulumi secret), the redirect URI to register at the provider", () => {
    expect(plan.outputs).toMatchObject({
        ciClientId: "flyte-ci",
        ciClientSecret: "[secret]",
        oidcRedirectUris: [`https://${TEST_HOSTNAME}/callback`],
    });
});

test("no secret in plain text anywhere in the plan: values, Secrets' inputs, outputs", () => {
    const text = JSON.stringify(plan);
    for (const secret of [INTERNAL_SECRET, CI_SECRET, TEST_SIGN_IN.clientSecret, DB_PASSWORD]) {
        expect(text).not.toContain(secret);
    }
});

test("the same inputs plan the same values (the hashes come from salts kept in state)", async () => {
    const again = await runComponents(declare);
    expect(only(again, "kubernetes:helm.sh/v3:Release").inputs.values).toEqual(values());
});

test("sign-in without the HTTPS exposure fails the plan, saying what it needs", async () => {
    const program = () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const base = gcpLikePlatform({ provider, dbPassword: DB_PASSWORD, identities: { backend: "b", worker: "w" }, taskLogs: [], releaseDependencies: [] });
        new FlyteBinary("flyte", { flyte: gcpStackConfig({}).flyte, platform: { ...base, signIn: oidcSignIn() }, labels: {} });
        return {};
    };
    await expect(runComponents(program)).rejects.toThrow("Flyte's sign-in needs Flyte on its own name over HTTPS (an https exposure), not a loadBalancer exposure");
});

test("HTTPS without sign-in: no authentication at all", async () => {
    const plain = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const platform = withHttpsSignIn(
            gcpLikePlatform({ provider, dbPassword: DB_PASSWORD, identities: { backend: "b", worker: "w" }, taskLogs: [], releaseDependencies: [] }),
            { signIn: null },
        );
        const flyte = new FlyteBinary("flyte", { flyte: gcpStackConfig({}).flyte, platform, labels: {} });
        return { generated: [flyte.authentication, flyte.ciClientId, flyte.ciClientSecret, flyte.oidcRedirectUris].map((o) => o !== undefined) };
    });
    expect(plain.resources.filter((r) => r.type === "flyte:flyte:FlyteAuthentication" || r.type.startsWith("random:"))).toEqual([]);
    const planned = only(plain, "kubernetes:helm.sh/v3:Release").inputs.values;
    expect(at(planned, "configuration", "auth")).toBeUndefined();
    expect(at(planned, "configuration", "inline", "auth")).toBeUndefined();
    expect(at(planned, "deployment", "genAdminAuthSecret")).toBeUndefined();
    expect(plain.outputs.generated).toEqual([false, false, false, false]);
});
