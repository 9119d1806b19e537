import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { IdentityRequest } from "../contract/identities";
import {
    BucketRef,
    bucketGrants,
    bucketSlug,
    objectPrefixCondition,
    prefixGroups,
    roleSlug,
    serviceAccountMember,
    SIGN_BLOB_ROLE,
} from "./iam";

export interface ServiceAccountSpec {
    /** Who runs as it and what it may touch. */
    readonly request: IdentityRequest;
    /** The account id (the part of the email before `@`). */
    readonly accountId: string;
}

export interface FlyteServiceAccountsArgs {
    /** The GCP project id the service accounts are created in (their emails end in `@<project>.iam.gserviceaccount.com`). */
    readonly project: string;
    /** One Google service account per identity request, with the account id it gets (6 to 30 characters). */
    readonly accounts: readonly ServiceAccountSpec[];
    /** Names of Flyte's buckets; roles are granted on these and nothing else. */
    readonly buckets: {
        /** The metadata bucket: grants on it may be limited to prefixes (IAM conditions) with project isolation. */
        readonly metadata: pulumi.Input<string>;
        /** The shared user-data (raw outputs) bucket. */
        readonly userData: pulumi.Input<string>;
        /** With project isolation: each project's data bucket. */
        readonly projects: Readonly<Record<string, pulumi.Input<string>>>;
    };
    /** APIs that must be enabled first. */
    readonly apis: {
        /** iam.googleapis.com: creating a service account fails until it is enabled. */
        readonly iam: pulumi.Resource;
    };
}

/**
 * A Google service account for each identity Flyte asks for (the backend, or each flyte-core component; the task
 * pods, or each project's), with storage roles on exactly the buckets and objects it uses and, where it signs
 * URLs, the right to sign blobs as itself. Member bindings leave other members of each policy alone.
 */
export class FlyteServiceAccounts extends pulumi.ComponentResource {
    /** By identity key. */
    readonly accounts: Readonly<Record<string, gcp.serviceaccount.Account>>;
    /** Each identity's grants, by identity key. */
    readonly grants: Readonly<Record<string, pulumi.Resource[]>>;

    constructor(name: string, args: FlyteServiceAccountsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:FlyteServiceAccounts", name, {}, opts);
        const isolatedProjects = Object.keys(args.buckets.projects);
        const bucketName = (bucket: BucketRef): pulumi.Input<string> => {
            if (bucket.kind !== "project") {
                return args.buckets[bucket.kind];
            }
            const found = args.buckets.projects[bucket.project];
            if (found === undefined) {
                throw new Error(`no data bucket for project ${bucket.project}`);
            }
            return found;
        };

        const accounts: Record<string, gcp.serviceaccount.Account> = {};
        const grants: Record<string, pulumi.Resource[]> = {};
        for (const { request, accountId } of args.accounts) {
            const key = request.key;
            const account = new gcp.serviceaccount.Account(
                `${name}-${key}`,
                {
                    project: args.project,
                    accountId,
                    displayName: request.title,
                    description: `Identity of ${request.description} through Workload Identity. Managed by Pulumi.`,
                },
                { parent: this, dependsOn: [args.apis.iam] },
            );
            const member = account.email.apply(serviceAccountMember);
            const own: pulumi.Resource[] = bucketGrants(request.data, isolatedProjects).flatMap((grant) => {
                const bucket = bucketName(grant.bucket);
                const resourceName = `${name}-${key}-${bucketSlug(grant.bucket)}-${roleSlug(grant.role)}`;
                if (!grant.prefixes) {
                    return [new gcp.storage.BucketIAMMember(resourceName, { bucket, role: grant.role, member }, { parent: this })];
                }
                // One conditional binding per group of prefixes that fits in an IAM condition, each admitting the
                // group's objects and listings within it; config validation keeps the groups within IAM's limits.
                const groups = prefixGroups(grant.prefixes);
                return groups.map((prefixes, i) => {
                    const part = groups.length > 1 ? ` (${i + 1}/${groups.length})` : "";
                    return new gcp.storage.BucketIAMMember(
                        i === 0 ? resourceName : `${resourceName}-${i + 1}`,
                        {
                            bucket,
                            role: grant.role,
                            member,
                            condition: pulumi
                                .output(bucket)
                                .apply((b) => objectPrefixCondition(b, prefixes, `${request.title}: own objects${part}`)),
                        },
                        { parent: this },
                    );
                });
            });
            if (request.signsUrls) {
                own.push(
                    new gcp.serviceaccount.IAMMember(
                        `${name}-${key}-sign-blob`,
                        { serviceAccountId: account.name, role: SIGN_BLOB_ROLE, member },
                        { parent: this },
                    ),
                );
            }
            accounts[key] = account;
            grants[key] = own;
        }
        this.accounts = accounts;
        this.grants = grants;

        this.registerOutputs(Object.fromEntries(Object.entries(accounts).map(([key, account]) => [key, account.email])));
    }
}
