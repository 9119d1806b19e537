import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as bcrypt from "bcryptjs";
import { secretsChecksum } from "../../../components/flyte/commonValues";
import { FlyteCore } from "../../../components/flyte/flyteCore";
import { projectAttributesScript } from "../../../components/flyte/projectDataLocations";
import type { FlytePlatform } from "../../../components/contract/platform";
import { mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { InputCapture } from "../../helpers/flyteCoreFixtures";
import { planObjects, schemaReport } from "../../helpers/kubernetesSchemas";
import { byName, only } from "../../helpers/plan";
import { gcpLikePlatform, TEST_HOSTNAME, TEST_SIGN_IN, withHttpsSignIn } from "../../helpers/testPlatforms";
import { arrayAt, at, recordAt, stringAt, stringMapAt } from "../../helpers/json";

/**
 * FlyteCore on a GCP-like platform with project isolation, served over HTTPS with sign-in: the Secret flyteadmin's
 * callers mount, the Secret only flyteadmin mounts, flyteadmin's auth config, and the project data Job, which
 * calls flyteadmin with a token.
 */

const DB_PASSWORD = "not-a-real-core-password-auth-8642";
const SECRET = "kubernetes:core/v1:Secret";
const COMPONENTS = ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"] as const;
const INTERNAL_SECRET = mockPassword("flyte-auth-internal-client-secret");
const CI_SECRET = mockPassword("flyte-auth-ci-client-secret");
const config = gcpStackConfig({
    "flyte:flavor": "core",
    "flyte:flyteProjects": JSON.stringify(["alpha", "beta"]),
    "flyte:flyteNamespace": "orchestration",
    "flyte:projectIsolation": "true",
});
const capture = new InputCapture((type) => type === SECRET);
let plan: Plan;

/** gcpLikePlatform with a bucket and a task identity per project, over HTTPS with sign-in. */
function isolatedPlatform(provider: k8s.Provider): FlytePlatform {
    const base = gcpLikePlatform({
        provider,
        dbPassword: DB_PASSWORD,
        identities: Object.fromEntries([...COMPONENTS, "worker"].map((key) => [key, `flyte-${key}@acme-test.iam.gserviceaccount.com`])),
        taskLogs: [],
        releaseDependencies: [],
    });
    if (base.storage.provider !== "gcs" || base.identity === undefined) {
        throw new Error("gcpLikePlatform changed");
    }
    return withHttpsSignIn({
        ...base,
        storage: { ...base.storage, projects: { alpha: { bucket: pulumi.output("acme-alpha") }, beta: { bucket: pulumi.output("acme-beta") } } },
        identity: { ...base.identity, projectWorkerPattern: pulumi.output({ prefix: "flyte-", suffix: "@acme-test.iam.gserviceaccount.com" }) },
    });
}

beforeAll(async () => {
    plan = await runComponents(() => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
        const flyte = new FlyteCore("flyte", { flyte: config.flyte, platform: isolatedPlatform(provider), labels: { team: "ml" } }, { transformations: [capture.transformation] });
        return { ciClientId: flyte.ciClientId, ciClientSecret: flyte.ciClientSecret, oidcRedirectUris: flyte.oidcRedirectUris };
    });
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");
const values = () => release().inputs.values;
const adminAuth = () => recordAt(values(), "configmap", "adminServer", "auth");
const adminClientSecret = () => byName(plan, SECRET, "flyte-auth-admin-client-secret");
const oidcSecret = () => byName(plan, SECRET, "flyte-auth-oidc-client-secret");
const job = () => byName(plan, "kubernetes:batch/v1:Job", "flyte-project-data-job");

test("two Secrets under the authentication component: the internal client's, and the provider's apart from it", async () => {
    expect(childrenOf(plan, component(plan, "flyte:flyte:FlyteAuthentication")).filter((c) => c.type === SECRET).map((c) => c.name).sort()).toEqual([
        "flyte-auth-admin-client-secret",
        "flyte-auth-oidc-client-secret",
    ]);
    // flytescheduler's template mounts flyte-secret-auth whatever the values say.
    expect(at(adminClientSecret().inputs, "metadata", "name")).toBe("flyte-secret-auth");
    expect(at(oidcSecret().inputs, "metadata", "name")).toBe("flyte-core-oidc-client");
    for (const secret of [adminClientSecret(), oidcSecret()]) {
        expect(at(secret.inputs, "metadata", "namespace")).toBe("orchestration");
        expect(secret.inputs.stringData).toBe("[secret]");
    }
    expect(stringMapAt(await capture.inputs(SECRET, "flyte-auth-admin-client-secret"), "stringData")).toEqual({ client_secret: INTERNAL_SECRET });
    expect(stringMapAt(await capture.inputs(SECRET, "flyte-auth-oidc-client-secret"), "stringData")).toEqual({ oidc_client_secret: TEST_SIGN_IN.clientSecret });
});

test("flyteadmin's callers mount the internal client's Secret and call as flytepropeller; the chart renders no Secret of its own", () => {
    expect(at(values(), "secrets", "adminOauthClientCredentials")).toEqual({
        enabled: true,
        clientSecret: "",
        clientId: "flytepropeller",
        secretName: "flyte-secret-auth",
    });
});

test("flyteadmin: auth on, the public URL first, its Service's names, every client with a hash that verifies", () => {
    expect(at(values(), "configmap", "adminServer", "server")).toEqual({ security: { useAuth: true } });
    expect(at(adminAuth(), "authorizedUris")).toEqual([
        `https://${TEST_HOSTNAME}`,
        "http://flyteadmin:80",
        "http://flyteadmin.orchestration:80",
        "http://flyteadmin.orchestration.svc:80",
        "http://flyteadmin.orchestration.svc.cluster.local:80",
    ]);
    const clients = recordAt(adminAuth(), "appAuth", "selfAuthServer", "staticClients");
    expect(Object.keys(clients).sort()).toEqual(["flyte-ci", "flytectl", "flytepropeller"]);
    expect(bcrypt.compareSync(INTERNAL_SECRET, stringAt(clients, "flytepropeller", "client_secret"))).toBe(true);
    expect(bcrypt.compareSync(CI_SECRET, stringAt(clients, "flyte-ci", "client_secret"))).toBe(true);
    expect(at(clients, "flytectl", "public")).toBe(true);
});

test("flyteadmin signs people in through the provider, reading its secret from the Secret mounted for it alone", () => {
    const openId = recordAt(adminAuth(), "userAuth", "openId");
    expect(openId).toEqual({
        baseUrl: TEST_SIGN_IN.issuerUrl,
        clientId: TEST_SIGN_IN.clientId,
        scopes: [...TEST_SIGN_IN.scopes],
        clientSecretFile: "/etc/flyte/oidc-client/oidc_client_secret",
    });
    expect(at(values(), "flyteadmin", "additionalVolumes")).toEqual([{ name: "oidc-client", secret: { secretName: "flyte-core-oidc-client" } }]);
    expect(at(values(), "flyteadmin", "additionalVolumeMounts")).toEqual([{ name: "oidc-client", mountPath: "/etc/flyte/oidc-client", readOnly: true }]);
    for (const other of ["flytepropeller", "datacatalog", "flytescheduler"]) {
        expect(at(values(), other, "additionalVolumes")).toBeUndefined();
    }
});

test("every component restarts when a mounted client secret changes", () => {
    const digest = secretsChecksum([DB_PASSWORD, "", INTERNAL_SECRET, TEST_SIGN_IN.clientSecret]);
    for (const name of COMPONENTS) {
        expect([name, at(values(), name, "podAnnotations", "checksum/pulumi-secrets")]).toEqual([name, digest]);
    }
    expect(at(values(), "cluster_resource_manager", "podAnnotations", "checksum/pulumi-secrets")).toBe(digest);
});

test("the release waits for both Secrets", () => {
    expect(release().dependencies).toEqual(expect.arrayContaining([adminClientSecret().urn, oidcSecret().urn]));
});

describe("the project data Job calls flyteadmin with a token", () => {
    const pod = () => recordAt(job().inputs, "spec", "template", "spec");

    test("it mounts only the internal client's secret, read-only, from its Secret", () => {
        expect(arrayAt(pod(), "volumes")).toEqual([
            { name: "admin-client", secret: { secretName: "flyte-secret-auth", items: [{ key: "client_secret", path: "client_secret" }] } },
        ]);
        expect(at(pod(), "containers", 0, "volumeMounts")).toEqual([{ name: "admin-client", mountPath: "/etc/flyte/admin-client", readOnly: true }]);
        expect(job().dependencies).toContain(adminClientSecret().urn);
    });

    test("its script gets a token as flytepropeller from the file it mounts, then sets each project's data location", () => {
        expect(stringAt(pod(), "containers", 0, "args", 0)).toBe(
            projectAttributesScript(
                "http://flyteadmin.orchestration.svc.cluster.local:80",
                { alpha: "gs://acme-alpha/data", beta: "gs://acme-beta/data" },
                { clientId: "flytepropeller", secretFile: "/etc/flyte/admin-client/client_secret" },
            ),
        );
    });
});

test("outputs: CI's client id and secret (a Pulumi secret), the redirect URI to register at the provider", () => {
    expect(plan.outputs).toMatchObject({ ciClientId: "flyte-ci", ciClientSecret: "[secret]", oidcRedirectUris: [`https://${TEST_HOSTNAME}/callback`] });
});

test("every object it declares (the Secrets, the Job with its volume) is valid against the Kubernetes schemas", () => {
    const declared = planObjects(plan);
    expect(declared.problems).toEqual([]);
    const report = schemaReport(declared.documents, { placeholder: (v) => v === "[secret]" });
    expect(report.problems).toEqual([]);
    expect(declared.documents.map((d) => d.source)).toEqual(expect.arrayContaining(["kubernetes:batch/v1:Job flyte-project-data-job", `${SECRET} flyte-auth-admin-client-secret`]));
});

test("no secret in plain text anywhere in the plan", () => {
    const text = JSON.stringify(plan);
    for (const secret of [INTERNAL_SECRET, CI_SECRET, TEST_SIGN_IN.clientSecret, DB_PASSWORD]) {
        expect(text).not.toContain(secret);
    }
});
