import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { TaskLogLink } from "../contract/platform";

export const DASHBOARD_CHART = "kubernetes-dashboard";
export const DASHBOARD_CHART_VERSION = "7.13.0";
export const DASHBOARD_REPOSITORY = "https://kubernetes.github.io/dashboard/";
export const DASHBOARD_NAMESPACE = "kubernetes-dashboard";
/** The account whose token people log in with: it can read (and read logs), never change anything. */
export const DASHBOARD_VIEWER = "flyte-dashboard-viewer";

/**
 * Chart values: the dashboard's Kong proxy on a fixed NodePort, over HTTPS (the dashboard's own certificate).
 *
 * Hardening: the chart's own containers already run restricted (kubernetes/dashboard
 * charts/kubernetes-dashboard/values.yaml at kubernetes-dashboard-7.13.0: `app.security.securityContext` runAsNonRoot
 * and RuntimeDefault seccomp, `containerSecurityContext` without privilege escalation or capabilities, read-only
 * root, and requests and limits for each container). Its Kong subchart (kong 2.46.0, Kong/charts
 * charts/kong/values.yaml) sets the container's securityContext but neither the pod's nor any resources, for
 * the proxy and its clear-stale-pid init container alike: both come from here.
 */
export function dashboardValues(nodePort: number): Record<string, unknown> {
    return {
        kong: {
            proxy: { type: "NodePort", http: { enabled: false }, tls: { enabled: true, nodePort } },
            securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "512Mi" } },
        },
    };
}

/** The console's link from a task to its pod's logs in the dashboard. */
export function dashboardTaskLogLink(nodePort: number): TaskLogLink {
    return {
        plugin: "kubernetes",
        templateUri: `https://localhost:${nodePort}/#/log/{{ .namespace }}/{{ .podName }}/pod?namespace={{ .namespace }}&container={{ .containerName }}`,
    };
}

export interface KubernetesDashboardArgs {
    /**
     * The NodePort (30000-32767, config `localDashboardNodePort`) its Kong proxy serves HTTPS on: the console's
     * task log links point at `https://localhost:<nodePort>`.
     */
    readonly nodePort: number;
    /** Kubernetes labels on its namespace, its viewer account and that account's role binding. */
    readonly labels: Readonly<Record<string, string>>;
    /** The local cluster's provider; every object is created through it. */
    readonly provider: k8s.Provider;
}

/**
 * The Kubernetes dashboard from its official chart, for reading task logs on a workstation. Login needs a token:
 * `kubectl -n kubernetes-dashboard create token flyte-dashboard-viewer` gives one for a read-only account.
 */
export class KubernetesDashboard extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: KubernetesDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:local:KubernetesDashboard", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = { ...args.labels };

        const namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            { metadata: { name: DASHBOARD_NAMESPACE, labels } },
            k8sOpts,
        );
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: DASHBOARD_CHART,
                chart: DASHBOARD_CHART,
                version: DASHBOARD_CHART_VERSION,
                repositoryOpts: { repo: DASHBOARD_REPOSITORY },
                namespace: namespace.metadata.name,
                values: dashboardValues(args.nodePort),
                atomic: true,
                timeout: 600,
            },
            k8sOpts,
        );
        const viewer = new k8s.core.v1.ServiceAccount(
            `${name}-viewer`,
            { metadata: { name: DASHBOARD_VIEWER, namespace: namespace.metadata.name, labels } },
            k8sOpts,
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-viewer`,
            {
                metadata: { name: DASHBOARD_VIEWER, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
                subjects: [{ kind: "ServiceAccount", name: viewer.metadata.name, namespace: namespace.metadata.name }],
            },
            k8sOpts,
        );
        this.url = pulumi.output(`https://localhost:${args.nodePort}`);
        this.registerOutputs({ url: this.url });
    }
}
