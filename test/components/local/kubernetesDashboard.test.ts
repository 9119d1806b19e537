import * as k8s from "@pulumi/kubernetes";
import { DASHBOARD_CHART, DASHBOARD_CHART_VERSION, DASHBOARD_REPOSITORY, dashboardTaskLogLink, dashboardValues, KubernetesDashboard } from "../../../components/local/kubernetesDashboard";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, expectOnKubernetesProvider, runComponents } from "../../helpers/components";
import { byName, only } from "../../helpers/plan";
import { at } from "../../helpers/json";

let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const provider = new k8s.Provider("k", { kubeconfig: "{}" });
        const dashboard = new KubernetesDashboard("dash", { nodePort: 31443, labels: { team: "ml" }, provider });
        return { url: dashboard.url };
    });
});

const release = () => only(plan, "kubernetes:helm.sh/v3:Release");

test("owns its namespace, the release, a viewer account and its binding, all on the provider", () => {
    const children = childrenOf(plan, component(plan, "flyte:local:KubernetesDashboard"));
    expect(children.map((c) => `${c.type} ${c.name}`).sort()).toEqual([
        "kubernetes:core/v1:Namespace dash-namespace",
        "kubernetes:core/v1:ServiceAccount dash-viewer",
        "kubernetes:helm.sh/v3:Release dash-release",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding dash-viewer",
    ]);
    expectOnKubernetesProvider(plan, children, "k");
    expect(at(byName(plan, "kubernetes:core/v1:Namespace", "dash-namespace").inputs, "metadata")).toEqual({
        name: "kubernetes-dashboard",
        labels: { team: "ml" },
    });
});

test("installs the official chart at the pinned version into its namespace", () => {
    expect(release().inputs).toMatchObject({
        name: "kubernetes-dashboard",
        chart: "kubernetes-dashboard",
        version: "7.13.0",
        repositoryOpts: { repo: "https://kubernetes.github.io/dashboard/" },
        namespace: "kubernetes-dashboard",
        atomic: true,
    });
    expect(release().dependencies).toContain(byName(plan, "kubernetes:core/v1:Namespace", "dash-namespace").urn);
});

test("values: the Kong proxy on the given NodePort, over TLS only", () => {
    expect(at(release().inputs.values, "kong", "proxy")).toEqual({
        type: "NodePort",
        http: { enabled: false },
        tls: { enabled: true, nodePort: 31443 },
    });
});

test("values: Kong's pod runs non-root under the runtime's seccomp profile, and its containers have requests and a memory limit", () => {
    // The dashboard's own containers and Kong's container securityContext are restricted by the charts' defaults.
    expect(release().inputs.values).toEqual({
        kong: {
            proxy: expect.anything(),
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
    });
});

test("a read-only viewer account: bound to ClusterRole view, never edit or cluster-admin", () => {
    const account = byName(plan, "kubernetes:core/v1:ServiceAccount", "dash-viewer");
    expect(at(account.inputs, "metadata", "name")).toBe("flyte-dashboard-viewer");
    expect(at(account.inputs, "metadata", "namespace")).toBe("kubernetes-dashboard");

    const binding = byName(plan, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "dash-viewer");
    expect(at(binding.inputs, "metadata", "name")).toBe("flyte-dashboard-viewer");
    expect(at(binding.inputs, "roleRef")).toEqual({
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "view",
    });
    expect(at(binding.inputs, "roleRef", "name")).not.toBe("cluster-admin");
    expect(at(binding.inputs, "roleRef", "name")).not.toBe("edit");
    expect(at(binding.inputs, "subjects")).toEqual([
        { kind: "ServiceAccount", name: "flyte-dashboard-viewer", namespace: "kubernetes-dashboard" },
    ]);
    // Nothing else in the component grants a role.
    expect(plan.resources.filter((r) => r.type.includes("rbac.authorization.k8s.io"))).toHaveLength(1);
});

test("the URL is https on localhost at the NodePort", () => {
    expect(plan.outputs).toEqual({ url: "https://localhost:31443" });
});

describe("dashboardValues", () => {
    test("the Kong proxy on a NodePort, TLS only", () => {
        expect(at(dashboardValues(30088), "kong", "proxy")).toEqual({ type: "NodePort", http: { enabled: false }, tls: { enabled: true, nodePort: 30088 } });
        expect(at(dashboardValues(31000), "kong", "proxy", "tls", "nodePort")).toBe(31000);
    });

    test("the pinned chart", () => {
        expect(DASHBOARD_CHART).toBe("kubernetes-dashboard");
        expect(DASHBOARD_CHART_VERSION).toBe("7.13.0");
        expect(DASHBOARD_REPOSITORY).toBe("https://kubernetes.github.io/dashboard/");
    });
});

describe("dashboardTaskLogLink", () => {
    test("a kubernetes link to the pod's log view over https on the NodePort", () => {
        expect(dashboardTaskLogLink(30088)).toEqual({
            plugin: "kubernetes",
            templateUri:
                "https://localhost:30088/#/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}&container={{ .containerName }}",
        });
        expect(dashboardTaskLogLink(32000).templateUri.startsWith("https://localhost:32000/#/log/")).toBe(true);
    });

    test("Flyte's template variables are left unencoded", () => {
        const uri = dashboardTaskLogLink(30088).templateUri;
        expect(uri).not.toContain("%7B");
        expect(uri).not.toContain("%20");
        expect([...new Set(uri.match(/\{\{[^}]*\}\}/g) ?? [])].sort()).toEqual([
            "{{ .containerName }}",
            "{{ .namespace }}",
            "{{ .podName }}",
        ]);
    });
});
