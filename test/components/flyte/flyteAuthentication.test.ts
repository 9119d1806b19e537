import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as bcrypt from "bcryptjs";
import type { AuthSecretSpec } from "../../../components/flyte/authentication";
import { FlyteAuthentication } from "../../../components/flyte/flyteAuthentication";
import { mockPassword } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { InputCapture } from "../../helpers/flyteCoreFixtures";
import { byName } from "../../helpers/plan";
import { oidcSignIn, TEST_SIGN_IN } from "../../helpers/testPlatforms";
import { at, recordAt, stringAt, stringMapAt } from "../../helpers/json";

/**
 * FlyteAuthentication on its own: the generated clients (secret and salt in state, the secret's hash) and the
 * Secrets a chart's spec asks for, each key holding the secret it names.
 */

const SECRET = "kubernetes:core/v1:Secret";
const INTERNAL_SECRET = mockPassword("auth-internal-client-secret");
const CI_SECRET = mockPassword("auth-ci-client-secret");
const SPECS: readonly AuthSecretSpec[] = [
    { role: "both", resourceSuffix: "both", secretName: "both-secrets", files: { client_secret: "internalClientSecret", oidc_client_secret: "oidcClientSecret" } },
    { role: "oidcOnly", resourceSuffix: "oidc", secretName: "oidc-only", files: { provider_secret: "oidcClientSecret" } },
];

function declare(secrets: readonly AuthSecretSpec[], capture?: InputCapture): FlyteAuthentication {
    const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
    return new FlyteAuthentication(
        "auth",
        { signIn: oidcSignIn(), hostname: "flyte.example.org", namespace: pulumi.output("flyte"), secrets, labels: { team: "ml" }, provider },
        capture ? { transformations: [capture.transformation] } : undefined,
    );
}

const capture = new InputCapture((type) => type === SECRET);
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const auth = declare(SPECS, capture);
        return {
            chartInputs: auth.chartInputs,
            redirectUris: auth.oidcRedirectUris,
            internalId: auth.internalClient.id,
            ciId: auth.ciClient.id,
            ciSecret: auth.ciClient.secret,
            ciHash: auth.ciClient.secretHash,
            internalHash: auth.internalClient.secretHash,
            mounted: auth.mountedSecrets.length,
            bothName: auth.secret("both").metadata.name,
        };
    });
});

test("a secret and a salt per client, and one Secret per spec, under the component", () => {
    expect(childrenOf(plan, component(plan, "flyte:flyte:FlyteAuthentication")).map((c) => `${c.type} ${c.name}`).sort()).toEqual([
        "kubernetes:core/v1:Secret auth-both",
        "kubernetes:core/v1:Secret auth-oidc",
        "random:index/randomPassword:RandomPassword auth-ci-client-secret",
        "random:index/randomPassword:RandomPassword auth-internal-client-secret",
        "random:index/randomString:RandomString auth-ci-client-salt",
        "random:index/randomString:RandomString auth-internal-client-salt",
    ]);
    expect(at(byName(plan, SECRET, "auth-both").inputs, "metadata")).toEqual({ name: "both-secrets", namespace: "flyte", labels: { team: "ml" } });
});

test("each key of each Secret holds the secret its spec names", async () => {
    expect(stringMapAt(await capture.inputs(SECRET, "auth-both"), "stringData")).toEqual({ client_secret: INTERNAL_SECRET, oidc_client_secret: TEST_SIGN_IN.clientSecret });
    expect(stringMapAt(await capture.inputs(SECRET, "auth-oidc"), "stringData")).toEqual({ provider_secret: TEST_SIGN_IN.clientSecret });
    for (const name of ["auth-both", "auth-oidc"]) {
        expect(byName(plan, SECRET, name).inputs.stringData).toBe("[secret]");
    }
});

test("the clients: fixed ids, the CI secret a Pulumi secret, hashes (not secret) that verify each secret", () => {
    expect(plan.outputs).toMatchObject({ internalId: "flytepropeller", ciId: "flyte-ci", ciSecret: "[secret]", mounted: 2, bothName: "both-secrets" });
    expect(bcrypt.compareSync(INTERNAL_SECRET, stringAt(plan.outputs, "internalHash"))).toBe(true);
    expect(bcrypt.compareSync(CI_SECRET, stringAt(plan.outputs, "ciHash"))).toBe(true);
    expect(bcrypt.compareSync(CI_SECRET, stringAt(plan.outputs, "internalHash"))).toBe(false);
});

test("what the values builders get: the provider, the hashes, the Secrets' names by role", () => {
    const inputs = recordAt(plan.outputs, "chartInputs");
    expect(inputs).toEqual({
        hostname: "flyte.example.org",
        oidc: { issuerUrl: TEST_SIGN_IN.issuerUrl, clientId: TEST_SIGN_IN.clientId, scopes: [...TEST_SIGN_IN.scopes] },
        internalClientSecretHash: plan.outputs.internalHash,
        ciClientSecretHash: plan.outputs.ciHash,
        secrets: { both: "both-secrets", oidcOnly: "oidc-only" },
    });
    expect(plan.outputs.redirectUris).toEqual(["https://flyte.example.org/callback"]);
    expect(JSON.stringify(plan)).not.toContain(INTERNAL_SECRET);
    expect(JSON.stringify(plan)).not.toContain(TEST_SIGN_IN.clientSecret);
});

test("two Secrets for one role, or a role asked for that has none, fail naming it", async () => {
    const twice = [SPECS[0], { ...SPECS[1], role: "both" }];
    await expect(runComponents(() => (declare(twice), {}))).rejects.toThrow("two authentication Secrets for both");
    await expect(runComponents(() => (declare(SPECS).secret("nope"), {}))).rejects.toThrow("no authentication Secret nope; there are: both, oidcOnly");
});
