import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { clusterResourceTemplates } from "../../../components/flyte/clusterResources";
import {
    CONTROL_PLANE_SERVICE_ACCOUNT,
    ControlPlaneAccess,
    controlPlaneRoleName,
    controlPlaneRules,
    tokenGenerations,
    tokenSecretName,
} from "../../../components/flyte/controlPlaneAccess";
import { MOCK_CLUSTER_CA_PEM, mockServiceAccountToken } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectOnKubernetesProvider, runComponents } from "../../helpers/components";
import { at, stringAt } from "../../helpers/json";
import { byName, ofType } from "../../helpers/plan";

/**
 * ControlPlaneAccess: what the control plane's flyteadmin is in a data plane's cluster: a service account with
 * exactly the RBAC the cluster resource sync and execution launch need, and its token per generation, under the
 * plan's mocks (which fill a token Secret's data as Kubernetes' token controller does).
 */

/** What flyteadmin does in a remote cluster, written out: the test of controlPlaneRules. */
const EXPECTED_RULES = [
    { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "get", "patch"] },
    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create"] },
    { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["default"], verbs: ["get", "patch"] },
    { apiGroups: ["flyte.lyft.com"], resources: ["flyteworkflows"], verbs: ["create", "delete"] },
];

describe("pure helpers", () => {
    test("controlPlaneRules: the sync's create/get/patch of namespaces and `default` service accounts, create/delete of FlyteWorkflows", () => {
        expect(controlPlaneRules()).toEqual(EXPECTED_RULES);
    });

    test("no wildcard, no Secrets, no reading of objects beyond what the sync patches, no list or watch", () => {
        const rules = controlPlaneRules();
        const words = rules.flatMap((r) => [...(r.apiGroups as string[]), ...(r.resources as string[]), ...(r.verbs as string[])]);
        expect(words).not.toContain("*");
        expect(words).not.toContain("secrets");
        for (const verb of ["list", "watch", "update", "deletecollection", "escalate", "bind", "impersonate"]) {
            expect(words).not.toContain(verb);
        }
    });

    /** Whether RBAC's rules allow a request (https://kubernetes.io/docs/reference/access-authn-authz/rbac/): any rule matching all of it. */
    const allows = (request: { group: string; resource: string; verb: string; name?: string }) =>
        controlPlaneRules().some(
            (r) =>
                (r.apiGroups as string[]).includes(request.group) &&
                (r.resources as string[]).includes(request.resource) &&
                (r.verbs as string[]).includes(request.verb) &&
                (r.resourceNames === undefined || (request.name !== undefined && (r.resourceNames as string[]).includes(request.name))),
        );

    test("every call flyteadmin makes is allowed: the sync's create, get, patch of each template's object, and the executor's", () => {
        // Every template Flyte is given (with the workers' identity annotation, as on GCP), as the sync applies it.
        const templates = Object.values(clusterResourceTemplates({ kind: "shared", annotationKey: "iam.gke.io/gcp-service-account", identity: "w@p.iam" }));
        const objects = templates.map((t) => parse(t.replaceAll("{{ namespace }}", "alpha-development")) as unknown);
        const resources: Record<string, string> = { Namespace: "namespaces", ServiceAccount: "serviceaccounts" };
        expect(objects.map((o) => stringAt(o, "kind")).sort()).toEqual(Object.keys(resources).sort());
        for (const object of objects) {
            const resource = resources[stringAt(object, "kind")];
            const name = stringAt(object, "metadata", "name");
            for (const verb of ["create", "get", "patch"]) {
                expect([resource, name, verb, allows({ group: "", resource, verb, name })]).toEqual([resource, name, verb, true]);
            }
        }
        for (const verb of ["create", "delete"]) {
            expect(allows({ group: "flyte.lyft.com", resource: "flyteworkflows", verb, name: "f3a1b2c4d5" })).toBe(true);
        }
    });

    test("and nothing more: no other service account, no reading of FlyteWorkflows, no Secrets, no deletion of what the sync made", () => {
        expect(allows({ group: "", resource: "serviceaccounts", verb: "patch", name: "flytepropeller" })).toBe(false);
        expect(allows({ group: "", resource: "serviceaccounts", verb: "get", name: "flyteadmin-remote" })).toBe(false);
        expect(allows({ group: "flyte.lyft.com", resource: "flyteworkflows", verb: "get", name: "f3a1b2c4d5" })).toBe(false);
        expect(allows({ group: "", resource: "secrets", verb: "get", name: "flyteadmin-remote-token-1" })).toBe(false);
        expect(allows({ group: "", resource: "namespaces", verb: "delete", name: "alpha-development" })).toBe(false);
    });

    test("names: the ClusterRole after Flyte's namespace, a token Secret per generation", () => {
        expect(CONTROL_PLANE_SERVICE_ACCOUNT).toBe("flyteadmin-remote");
        expect(controlPlaneRoleName("flyte")).toBe("flyte-control-plane-flyte");
        expect(tokenSecretName(7)).toBe("flyteadmin-remote-token-7");
    });

    test.each([
        [1, [1]],
        [2, [1, 2]],
        [12, [11, 12]],
    ])("tokenGenerations(%d): the current generation and the one before it, oldest first", (generation, expected) => {
        expect(tokenGenerations(generation)).toEqual(expected);
    });

    test.each([0, -1, 1.5, Number.NaN])("tokenGenerations(%d) is refused", (generation) => {
        expect(() => tokenGenerations(generation)).toThrow("the token generation must be a whole number from 1");
    });
});

describe("the component, generation 3", () => {
    let plan: Plan;
    let token: string | undefined;

    beforeAll(async () => {
        plan = await runComponents(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            const namespace = new k8s.core.v1.Namespace("flyte-namespace", { metadata: { name: "flyte" } }, { provider });
            const access = new ControlPlaneAccess("access", { namespace: namespace.metadata.name, tokenGeneration: 3, labels: { team: "ml" }, provider });
            access.token.apply((t) => (token = t));
            return { token: access.token, caCertificate: access.caCertificate, adminServiceAccount: access.adminServiceAccount };
        });
    });

    const named = (type: string, name: string) => byName(plan, type, name);

    test("its children: the service account, the ClusterRole and its binding, two token Secrets, on the given provider", () => {
        const children = childrenOf(plan, component(plan, "flyte:flyte:ControlPlaneAccess"));
        expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual(
            [
                "kubernetes:core/v1:ServiceAccount access-flyteadmin",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole access-flyteadmin",
                "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding access-flyteadmin",
                "kubernetes:core/v1:Secret access-token-2",
                "kubernetes:core/v1:Secret access-token-3",
            ].sort(),
        );
        expectOnKubernetesProvider(plan, children, "cluster");
    });

    test("the service account, in Flyte's namespace, mounts no token anywhere", () => {
        expect(named("kubernetes:core/v1:ServiceAccount", "access-flyteadmin").inputs).toEqual({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "flyteadmin-remote", namespace: "flyte", labels: { team: "ml" } },
            automountServiceAccountToken: false,
        });
    });

    test("the ClusterRole and its binding, exactly", () => {
        expect(named("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "access-flyteadmin").inputs).toEqual({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "flyte-control-plane-flyte", labels: { team: "ml" } },
            rules: EXPECTED_RULES,
        });
        expect(named("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "access-flyteadmin").inputs).toEqual({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRoleBinding",
            metadata: { name: "flyte-control-plane-flyte", labels: { team: "ml" } },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "flyte-control-plane-flyte" },
            subjects: [{ kind: "ServiceAccount", name: "flyteadmin-remote", namespace: "flyte" }],
        });
        expect(ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:Role")).toEqual([]);
        expect(ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")).toEqual([]);
    });

    test.each([2, 3])("the token Secret of generation %d: a service-account-token Secret of flyteadmin-remote, after it", (generation) => {
        const secret = named("kubernetes:core/v1:Secret", `access-token-${generation}`);
        expect(secret.inputs).toEqual({
            apiVersion: "v1",
            kind: "Secret",
            metadata: {
                name: `flyteadmin-remote-token-${generation}`,
                namespace: "flyte",
                labels: { team: "ml" },
                annotations: { "kubernetes.io/service-account.name": "flyteadmin-remote" },
            },
            type: "kubernetes.io/service-account-token",
        });
        expect(secret.dependencies).toContain(named("kubernetes:core/v1:ServiceAccount", "access-flyteadmin").urn);
    });

    test("outputs: the current generation's token, a secret; the CA certificate in PEM and the service account, plain", () => {
        expect(token).toBe(mockServiceAccountToken("access-token-3"));
        expect(plan.outputs.token).toBe("[secret]");
        expect(plan.outputs.caCertificate).toBe(MOCK_CLUSTER_CA_PEM);
        expect(plan.outputs.adminServiceAccount).toBe("flyte/flyteadmin-remote");
    });

    test("no token, of either generation, anywhere in the plan", () => {
        const text = JSON.stringify(plan);
        expect(text).not.toContain(mockServiceAccountToken("access-token-3"));
        expect(text).not.toContain(mockServiceAccountToken("access-token-2"));
    });
});

describe("other generations", () => {
    const secretsOf = async (tokenGeneration: number) => {
        const plan = await runComponents(() => {
            const provider = new k8s.Provider("cluster", { kubeconfig: "{}" });
            new ControlPlaneAccess("access", { namespace: pulumi.output("flyte-core"), tokenGeneration, labels: {}, provider });
            return {};
        });
        return ofType(plan, "kubernetes:core/v1:Secret").map((s) => [s.name, at(s.inputs, "metadata", "name")]);
    };

    test("generation 1: its Secret only (there is no earlier token)", async () => {
        expect(await secretsOf(1)).toEqual([["access-token-1", "flyteadmin-remote-token-1"]]);
    });

    test("raising the generation keeps the previous Secret under the same Pulumi name, so it is not replaced", async () => {
        expect(await secretsOf(2)).toEqual([
            ["access-token-1", "flyteadmin-remote-token-1"],
            ["access-token-2", "flyteadmin-remote-token-2"],
        ]);
    });

    test("a generation below 1 fails the plan", async () => {
        await expect(secretsOf(0)).rejects.toThrow("the token generation must be a whole number from 1, not 0");
    });
});
