import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { KubernetesServiceAccountRef } from "../contract/platform";
import { WORKLOAD_IDENTITY_USER_ROLE, workloadIdentityMember } from "./iam";

export interface WorkloadIdentityBinding {
    /** Short, stable key for resource names, e.g. `backend`. */
    readonly key: string;
    /** The Google service account (`projects/<p>/serviceAccounts/<email>`) to impersonate. */
    readonly serviceAccountId: pulumi.Input<string>;
    /** The Kubernetes service accounts allowed to impersonate it. */
    readonly kubernetesServiceAccounts: readonly KubernetesServiceAccountRef[];
}

export interface WorkloadIdentityBindingsArgs {
    /**
     * The cluster's workload pool (`<project>.svc.id.goog`). Taken from the cluster so that bindings are made
     * only once the pool exists; IAM rejects members of a pool that does not.
     */
    readonly workloadPool: pulumi.Input<string>;
    /**
     * One per Google service account: which Kubernetes service accounts may act as it. A Kubernetes service account
     * that is not listed cannot act as that Google service account, whatever its annotation says.
     */
    readonly bindings: readonly WorkloadIdentityBinding[];
}

/**
 * `roles/iam.workloadIdentityUser` on each Google service account for exactly the Kubernetes service accounts
 * that run as it. One member binding each, so other members are left alone.
 */
export class WorkloadIdentityBindings extends pulumi.ComponentResource {
    readonly members: gcp.serviceaccount.IAMMember[];
    /** The members of each binding, by key. */
    readonly byKey: Readonly<Record<string, gcp.serviceaccount.IAMMember[]>>;

    constructor(name: string, args: WorkloadIdentityBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:WorkloadIdentityBindings", name, {}, opts);
        const byKey: Record<string, gcp.serviceaccount.IAMMember[]> = {};
        for (const binding of args.bindings) {
            byKey[binding.key] = binding.kubernetesServiceAccounts.map(
                (ksa) =>
                    new gcp.serviceaccount.IAMMember(
                        `${name}-${binding.key}-${ksa.namespace}-${ksa.name}`,
                        {
                            serviceAccountId: binding.serviceAccountId,
                            role: WORKLOAD_IDENTITY_USER_ROLE,
                            member: pulumi.output(args.workloadPool).apply((pool) => workloadIdentityMember(pool, ksa)),
                        },
                        { parent: this },
                    ),
            );
        }
        this.byKey = byKey;
        this.members = Object.values(byKey).flat();
        this.registerOutputs({});
    }
}
