import * as pulumi from "@pulumi/pulumi";
import type { Flavor } from "../contract/config";
import type { FlyteWorkloadIdentity } from "../contract/platform";
import { BACKEND_IDENTITY, FlyteWorkloads, WORKER_IDENTITY } from "../contract/identities";

/** The identity key whose value is exported as `backendServiceAccount`. */
export function backendIdentityKey(flavor: Flavor): string {
    return flavor === "core" ? "flyteadmin" : BACKEND_IDENTITY;
}

/** Without cloud identities (local): each identity is its Kubernetes service accounts, `namespace/name`, comma-separated. */
export function kubernetesIdentities(workloads: FlyteWorkloads): Record<string, string> {
    return Object.fromEntries(
        workloads.identities.map((request) => [
            request.key,
            request.serviceAccounts.map((ksa) => `${ksa.namespace}/${ksa.name}`).join(","),
        ]),
    );
}

/** The identity part of the stack outputs (see FlyteStackOutputs in components/contract/outputs.ts). */
export interface IdentityStackOutputs {
    /** Every identity by request key: a Google service account email, an IAM role ARN, or `namespace/name` of KSAs. */
    readonly identities: pulumi.Output<Record<string, string>>;
    /** The identity other stacks grant Flyte's backend access through (flyteadmin's on flyte-core). */
    readonly backendServiceAccount: pulumi.Output<string>;
    /** Without project isolation: the one identity every task pod runs as. */
    readonly workerServiceAccount?: pulumi.Output<string>;
    /** With project isolation: each project's task identity, by project. */
    readonly projectWorkerServiceAccounts?: pulumi.Output<Record<string, string>>;
}

/** The identity part of the stack outputs, from the platform's identities (or the Kubernetes service accounts). */
export function identityStackOutputs(
    workloads: FlyteWorkloads,
    flavor: Flavor,
    identity: FlyteWorkloadIdentity | undefined,
): IdentityStackOutputs {
    const identities: pulumi.Output<Record<string, string>> = identity
        ? pulumi.all(identity.identities as Record<string, pulumi.Output<string>>)
        : pulumi.output(kubernetesIdentities(workloads));
    const projectWorkers = workloads.identities.flatMap((r) => (r.data.kind === "project" ? [[r.data.project, r.key]] : []));
    const pick = (all: Record<string, string>, key: string) => {
        const value = all[key];
        if (value === undefined) {
            throw new Error(`no identity ${key}`);
        }
        return value;
    };
    return {
        identities,
        backendServiceAccount: identities.apply((all) => pick(all, backendIdentityKey(flavor))),
        workerServiceAccount: projectWorkers.length === 0 ? identities.apply((all) => pick(all, WORKER_IDENTITY)) : undefined,
        projectWorkerServiceAccounts:
            projectWorkers.length > 0
                ? identities.apply((all) => Object.fromEntries(projectWorkers.map(([project, key]) => [project, pick(all, key)])))
                : undefined,
    };
}
