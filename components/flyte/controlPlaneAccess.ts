import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * In a data plane's cluster: who the control plane's flyteadmin is there, and what it may do. flyteadmin reaches a
 * remote cluster with a bearer token and the cluster's CA certificate, read from files once at start
 * (flyteadmin/pkg/flytek8s/client.go RemoteClusterConfig, from the `clusters.clusterConfigs[].auth` paths), so the
 * data plane publishes a long-lived token: a Secret of type `kubernetes.io/service-account-token`, which
 * Kubernetes' token controller fills with `token` and `ca.crt`
 * (https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets). Rotation keeps two
 * generations (see tokenGenerations).
 */

/** The service account flyteadmin acts as in a data plane, in Flyte's namespace there. */
export const CONTROL_PLANE_SERVICE_ACCOUNT = "flyteadmin-remote";

/** The annotation that ties a token Secret to its service account. */
export const SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name";

/**
 * Exactly what flyteadmin does in a remote cluster, nothing with `*` and no Secrets:
 *
 * - The cluster resource sync (flyteadmin/pkg/clusterresource/controller.go, `syncNamespace`, run by the chart's
 *   `syncresources` Deployment and flyteadmin's `sync-cluster-resources` init container) applies each template to
 *   every project-domain namespace of every enabled cluster: `Create`, and when that answers AlreadyExists, `Get`
 *   and a three-way `Patch` (`createPatch`; a strategic merge patch for built-in kinds). Never update, list, watch or
 *   delete. Its templates (clusterResources.ts) are a Namespace and the namespace's `default` ServiceAccount.
 * - Executions (flyteadmin/pkg/workflowengine/impl/k8s_executor.go): `Execute` creates a FlyteWorkflow in the
 *   execution's namespace (AlreadyExists counts as done), `Abort` deletes it (NotFound counts as done). Status comes
 *   back as events from flytepropeller, not from reading the object.
 *
 * The sync resolves each template's kind through the discovery API (`prepareDynamicCreate`), which every
 * authenticated user may read (the `system:discovery` ClusterRole,
 * https://kubernetes.io/docs/reference/access-authn-authz/rbac/#discovery-roles): no rule here.
 *
 * A ClusterRole, bound cluster-wide: the namespaces are Flyte's projects × domains, which flyteadmin creates itself
 * (any project registered in it, not only the configured ones), so a namespaced Role could not be bound in them
 * before they exist; and a Namespace is a cluster-scoped object. For the same reason no rule names the namespaces.
 * `create` cannot be restricted by name (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-resources),
 * so the ServiceAccount rule is split: create any (before Kubernetes' own controller makes `default`, the sync's
 * create is what makes it), get and patch only `default`.
 */
export function controlPlaneRules(): k8s.types.input.rbac.v1.PolicyRule[] {
    return [
        // 001_namespace.yaml: controller.go syncNamespace dr.Create, then on AlreadyExists dr.Get and dr.Patch.
        { apiGroups: [""], resources: ["namespaces"], verbs: ["create", "get", "patch"] },
        // 002_serviceaccount.yaml (the `default` ServiceAccount and its workload identity annotation): dr.Create ...
        { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create"] },
        // ... and, as it usually exists already (Kubernetes makes `default` in every new namespace), dr.Get and dr.Patch.
        { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: ["default"], verbs: ["get", "patch"] },
        // k8s_executor.go Execute: FlyteWorkflows(namespace).Create; Abort: FlyteWorkflows(namespace).Delete.
        { apiGroups: ["flyte.lyft.com"], resources: ["flyteworkflows"], verbs: ["create", "delete"] },
    ];
}

/** The ClusterRole and ClusterRoleBinding: cluster-wide, so named after Flyte's namespace to keep two Flytes apart. */
export function controlPlaneRoleName(flyteNamespace: string): string {
    return `flyte-control-plane-${flyteNamespace}`;
}

/** The token Secret of one generation. */
export function tokenSecretName(generation: number): string {
    return `${CONTROL_PLANE_SERVICE_ACCOUNT}-token-${generation}`;
}

/**
 * The generations whose tokens exist: the current one and, above the first, the one before it, which the control
 * plane keeps using until its own next `pulumi up` reads the new one. Raising the generation by one deletes the
 * generation before the previous one (Kubernetes invalidates a token with its Secret); raising it by two or more
 * revokes every token the control plane has.
 */
export function tokenGenerations(generation: number): number[] {
    if (!Number.isInteger(generation) || generation < 1) {
        throw new Error(`the token generation must be a whole number from 1, not ${generation}`);
    }
    return generation > 1 ? [generation - 1, generation] : [generation];
}

/** One key of a token Secret's data, decoded; the token controller has filled it when Pulumi has created the Secret. */
function tokenData(data: Readonly<Record<string, string>> | undefined, key: string, secretName: string): string {
    const value = data?.[key];
    if (value === undefined || value === "") {
        throw new Error(`the token Secret ${secretName} has no data["${key}"]: Kubernetes' token controller did not fill it`);
    }
    return Buffer.from(value, "base64").toString("utf8");
}

export interface ControlPlaneAccessArgs {
    /** Flyte's namespace in the data plane (read from its Namespace object, so that everything here waits for it). */
    readonly namespace: pulumi.Output<string>;
    /** `flyte:dataPlaneTokenGeneration`: which token the control plane is to use (a whole number from 1). */
    readonly tokenGeneration: number;
    /** Labels of every object created here. */
    readonly labels: Readonly<Record<string, string>>;
    /** The Kubernetes provider of the data plane's cluster. */
    readonly provider: k8s.Provider;
}

/**
 * The control plane's flyteadmin in a data plane (see above): its ServiceAccount (no token mounted anywhere), the
 * ClusterRole of controlPlaneRules bound to it, and a token Secret per generation of tokenGenerations. Publishes the
 * current generation's token (a Pulumi secret) and the cluster's CA certificate (PEM, plain: it is public).
 */
export class ControlPlaneAccess extends pulumi.ComponentResource {
    readonly serviceAccount: k8s.core.v1.ServiceAccount;
    readonly clusterRole: k8s.rbac.v1.ClusterRole;
    readonly clusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding;
    /** The token Secrets, oldest generation first; the last is the current one. */
    readonly tokenSecrets: readonly k8s.core.v1.Secret[];
    /** The service account as the control plane names it: `<namespace>/flyteadmin-remote`. */
    readonly adminServiceAccount: pulumi.Output<string>;
    /** The current generation's token (a Pulumi secret). */
    readonly token: pulumi.Output<string>;
    /** The CA certificate of the cluster's API server, PEM, from the current token Secret's `ca.crt`. */
    readonly caCertificate: pulumi.Output<string>;

    constructor(name: string, args: ControlPlaneAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:ControlPlaneAccess", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const labels = { ...args.labels };
        const generations = tokenGenerations(args.tokenGeneration);

        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-flyteadmin`,
            { metadata: { name: CONTROL_PLANE_SERVICE_ACCOUNT, namespace: args.namespace, labels }, automountServiceAccountToken: false },
            k8sOpts,
        );
        const roleName = args.namespace.apply(controlPlaneRoleName);
        this.clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-flyteadmin`, { metadata: { name: roleName, labels }, rules: controlPlaneRules() }, k8sOpts);
        this.clusterRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-flyteadmin`,
            {
                metadata: { name: roleName, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: this.clusterRole.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace: this.serviceAccount.metadata.namespace }],
            },
            k8sOpts,
        );

        // Each generation keeps its Pulumi name, so that the current one becomes the previous one unchanged. The
        // ServiceAccount must exist first: the token controller fills a Secret only for an existing service account,
        // and pulumi-kubernetes waits for that (https://github.com/pulumi/pulumi-kubernetes/pull/2048).
        this.tokenSecrets = generations.map(
            (generation) =>
                new k8s.core.v1.Secret(
                    `${name}-token-${generation}`,
                    {
                        metadata: {
                            name: tokenSecretName(generation),
                            namespace: args.namespace,
                            labels,
                            annotations: { [SERVICE_ACCOUNT_NAME_ANNOTATION]: this.serviceAccount.metadata.name },
                        },
                        type: "kubernetes.io/service-account-token",
                    },
                    { ...k8sOpts, dependsOn: [this.serviceAccount] },
                ),
        );
        const current = this.tokenSecrets[this.tokenSecrets.length - 1];
        const currentName = tokenSecretName(args.tokenGeneration);
        // A Secret's data is a Pulumi secret: the token stays one, the CA certificate is public.
        this.token = pulumi.secret(current.data.apply((data) => tokenData(data, "token", currentName)));
        this.caCertificate = pulumi.unsecret(current.data.apply((data) => tokenData(data, "ca.crt", currentName)));
        this.adminServiceAccount = pulumi.interpolate`${this.serviceAccount.metadata.namespace}/${this.serviceAccount.metadata.name}`;

        this.registerOutputs({ adminServiceAccount: this.adminServiceAccount, caCertificate: this.caCertificate });
    }
}
