import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GcpNames } from "../naming";
import { flyteBucketGrants, roleSlug, serviceAccountMember, SIGN_BLOB_ROLE } from "./iam";

export interface FlyteServiceAccountsArgs {
    readonly project: string;
    readonly names: Pick<GcpNames, "backendServiceAccount" | "workerServiceAccount">;
    /** Names of Flyte's buckets; roles are granted on these and nothing else. */
    readonly buckets: { readonly metadata: pulumi.Input<string>; readonly userData: pulumi.Input<string> };
    readonly apis: { readonly iam: pulumi.Resource };
}

/**
 * Google service accounts for the Flyte backend and for task pods, with storage roles on Flyte's two buckets
 * only and the backend's right to sign blobs as itself. Member bindings leave other members of each policy alone.
 */
export class FlyteServiceAccounts extends pulumi.ComponentResource {
    readonly backend: gcp.serviceaccount.Account;
    readonly worker: gcp.serviceaccount.Account;
    /** Every grant; Flyte waits for them before it starts. */
    readonly grants: pulumi.Resource[];

    constructor(name: string, args: FlyteServiceAccountsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:FlyteServiceAccounts", name, {}, opts);
        const accountOpts = { parent: this, dependsOn: [args.apis.iam] };
        this.backend = new gcp.serviceaccount.Account(
            `${name}-backend`,
            {
                project: args.project,
                accountId: args.names.backendServiceAccount,
                displayName: "Flyte backend",
                description: "Identity of the Flyte backend (flyte-binary) through Workload Identity. Managed by Pulumi.",
            },
            accountOpts,
        );
        this.worker = new gcp.serviceaccount.Account(
            `${name}-worker`,
            {
                project: args.project,
                accountId: args.names.workerServiceAccount,
                displayName: "Flyte task pods",
                description: "Identity of Flyte task pods through Workload Identity. Managed by Pulumi.",
            },
            accountOpts,
        );

        const accounts = { backend: this.backend, worker: this.worker };
        const bucketGrants = flyteBucketGrants().map(
            (grant) =>
                new gcp.storage.BucketIAMMember(
                    `${name}-${grant.identity}-${grant.bucket}-${roleSlug(grant.role)}`,
                    {
                        bucket: args.buckets[grant.bucket],
                        role: grant.role,
                        member: accounts[grant.identity].email.apply(serviceAccountMember),
                    },
                    { parent: this },
                ),
        );
        const signBlob = new gcp.serviceaccount.IAMMember(
            `${name}-backend-sign-blob`,
            {
                serviceAccountId: this.backend.name,
                role: SIGN_BLOB_ROLE,
                member: this.backend.email.apply(serviceAccountMember),
            },
            { parent: this },
        );
        this.grants = [...bucketGrants, signBlob];

        this.registerOutputs({ backend: this.backend.email, worker: this.worker.email });
    }
}
