import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { GithubPushConfig } from "../contract/config";
import { roleSlug, serviceAccountMember, WORKLOAD_IDENTITY_USER_ROLE } from "./iam";
import type { GcpNames } from "./names";

/*
 * A registry for task images: an Artifact Registry Docker repository in the stack's region, which the cluster's nodes
 * pull from, and with `githubPush` keyless push from GitHub Actions through Workload Identity Federation
 * (https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines): a pool, a GitHub OIDC
 * provider that admits tokens of one repository only, and a Google service account CI impersonates, which may write to
 * this repository and nothing else.
 */

/** Pull images: `artifactregistry.repositories.downloadArtifacts` and reads. */
export const REGISTRY_READER_ROLE = "roles/artifactregistry.reader";
/** Push images: the reader's permissions and `artifactregistry.repositories.uploadArtifacts` (no deletes). */
export const REGISTRY_WRITER_ROLE = "roles/artifactregistry.writer";
/** The issuer of GitHub Actions' OIDC tokens. */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/** The Docker address of a repository: `<region>-docker.pkg.dev/<project>/<repository id>`. */
export function registryUrl(region: string, project: string, repositoryId: string): string {
    return `${region}-docker.pkg.dev/${project}/${repositoryId}`;
}

/** What the repository keeps: the most recent versions of each image, and untagged versions for a while. */
export interface RetentionSettings {
    /** Most recent versions of each image always kept. */
    readonly keepVersions: number;
    /** Untagged versions older than this many days are deleted (unless among the most recent). */
    readonly untaggedDays: number;
}

/** One cleanup policy, as the provider takes it. */
export interface CleanupPolicy {
    readonly id: string;
    readonly action: "KEEP" | "DELETE";
    readonly mostRecentVersions?: { readonly keepCount: number };
    readonly condition?: { readonly tagState: "UNTAGGED"; readonly olderThan: string };
}

/**
 * The repository's cleanup policies (https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy): keep
 * the `keepVersions` most recent versions of each image, and delete untagged versions older than `untaggedDays`. A
 * version both match is kept (keep policies win). Tagged versions are never deleted: a registered Flyte task names
 * its image by tag, and deleting it would break re-running that task.
 */
export function cleanupPolicies(settings: RetentionSettings): CleanupPolicy[] {
    const { keepVersions, untaggedDays } = settings;
    if (!Number.isInteger(keepVersions) || keepVersions < 1) {
        throw new Error(`keepVersions must be a positive integer, not ${keepVersions}`);
    }
    if (!Number.isInteger(untaggedDays) || untaggedDays < 1) {
        throw new Error(`untaggedDays must be a positive integer, not ${untaggedDays}`);
    }
    return [
        { id: "keep-most-recent", action: "KEEP", mostRecentVersions: { keepCount: keepVersions } },
        { id: "delete-untagged", action: "DELETE", condition: { tagState: "UNTAGGED", olderThan: `${untaggedDays * 86400}s` } },
    ];
}

/** A CEL string literal: the value JSON-quoted, which CEL reads the same. */
function celString(value: string): string {
    return JSON.stringify(value);
}

/**
 * The provider's attribute mapping: the token's subject, and the claims the condition and the principal set read
 * (`ref` and `environment` only when the push is restricted to one).
 */
export function githubAttributeMapping(push: GithubPushConfig): Record<string, string> {
    return {
        "google.subject": "assertion.sub",
        "attribute.repository": "assertion.repository",
        ...(push.ref !== "" ? { "attribute.ref": "assertion.ref" } : {}),
        ...(push.environment !== "" ? { "attribute.environment": "assertion.environment" } : {}),
    };
}

/**
 * The provider's attribute condition: exactly this repository, and this ref and environment when set. GitHub issues
 * every repository's tokens from one issuer, so Google requires a condition on a GitHub provider
 * (https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines); a token it rejects is
 * never exchanged.
 */
export function githubAttributeCondition(push: GithubPushConfig): string {
    if (!/^[^/\s]+\/[^/\s]+$/.test(push.repository)) {
        throw new Error(`githubPush.repository must be owner/repo, not ${JSON.stringify(push.repository)}`);
    }
    return [
        `attribute.repository == ${celString(push.repository)}`,
        ...(push.ref !== "" ? [`attribute.ref == ${celString(push.ref)}`] : []),
        ...(push.environment !== "" ? [`attribute.environment == ${celString(push.environment)}`] : []),
    ].join(" && ");
}

const POOL_NAME = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})$/;

/**
 * The principal set of one repository's workflows in a pool, from the pool's full name
 * (`projects/<number>/locations/global/workloadIdentityPools/<id>`, which holds the project's number):
 * `principalSet://iam.googleapis.com/projects/<number>/locations/global/workloadIdentityPools/<id>/attribute.repository/<owner/repo>`.
 */
export function githubPrincipalSet(poolName: string, repository: string): string {
    if (!POOL_NAME.test(poolName)) {
        throw new Error(`not a workload identity pool's full name: ${poolName}`);
    }
    return `principalSet://iam.googleapis.com/${poolName}/attribute.repository/${repository}`;
}

/** Who is granted what on the registry. */
export interface RegistryGrant {
    readonly principal: "nodes" | "ciPush";
    readonly role: string;
}

/**
 * Every grant on the repository, each on the repository alone: the cluster's nodes pull (the kubelet pulls images as
 * the node service account), and with push from GitHub the CI service account pushes. Nobody else reads.
 */
export function registryGrants(githubPush: boolean): RegistryGrant[] {
    return [{ principal: "nodes", role: REGISTRY_READER_ROLE }, ...(githubPush ? [{ principal: "ciPush" as const, role: REGISTRY_WRITER_ROLE }] : [])];
}

export interface TaskImageRegistryArgs {
    /** The GCP project of the repository, the pool and the CI service account. */
    readonly project: string;
    /** The repository's location: the stack's region. */
    readonly region: string;
    /** Ids from gcpNames. */
    readonly names: Pick<GcpNames, "taskImageRepository" | "ciPushServiceAccount" | "githubPool" | "githubProvider">;
    /** Versions kept and untagged versions' lifetime (cleanupPolicies). */
    readonly retention: RetentionSettings;
    /** Keyless push for one GitHub repository (and ref / environment); absent: nobody but the deployer pushes. */
    readonly githubPush?: GithubPushConfig;
    /** The email of the cluster's node service account: the only identity that pulls. */
    readonly nodeServiceAccount: pulumi.Input<string>;
    /** GCP labels of the repository. */
    readonly labels: Readonly<Record<string, string>>;
    /** APIs that must be enabled first. */
    readonly apis: {
        /** artifactregistry.googleapis.com: the repository. */
        readonly artifactregistry: pulumi.Resource;
        /** iam.googleapis.com: the pool, its provider and the CI service account. */
        readonly iam: pulumi.Resource;
        /** With githubPush: sts.googleapis.com, which exchanges GitHub's tokens. */
        readonly sts?: pulumi.Resource;
        /** With githubPush: iamcredentials.googleapis.com, which issues the CI service account's tokens. */
        readonly iamcredentials?: pulumi.Resource;
    };
}

/**
 * The task image registry: the Docker repository with its cleanup policies, the node service account's read on it,
 * and with `githubPush` the pool, the GitHub provider, the CI service account, its write on the repository and the
 * repository's workflows' right to impersonate it. Every grant is on the repository or on the CI service account,
 * none on the project.
 */
export class TaskImageRegistry extends pulumi.ComponentResource {
    readonly repository: gcp.artifactregistry.Repository;
    /** Where task images go: `<region>-docker.pkg.dev/<project>/<repository id>`. */
    readonly registryUrl: pulumi.Output<string>;
    /** The grants on the repository, by principal. */
    readonly grants: Readonly<Partial<Record<RegistryGrant["principal"], gcp.artifactregistry.RepositoryIamMember>>>;
    readonly pool?: gcp.iam.WorkloadIdentityPool;
    readonly provider?: gcp.iam.WorkloadIdentityPoolProvider;
    readonly ciServiceAccount?: gcp.serviceaccount.Account;
    /** The repository's workflows may impersonate the CI service account. */
    readonly ciImpersonation?: gcp.serviceaccount.IAMMember;
    /** With githubPush: the CI service account's email. */
    readonly ciPushIdentity?: pulumi.Output<string>;
    /** With githubPush: the provider's full name, which google-github-actions/auth takes as `workload_identity_provider`. */
    readonly ciWorkloadIdentityProvider?: pulumi.Output<string>;

    constructor(name: string, args: TaskImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:TaskImageRegistry", name, {}, opts);
        const { project, region, names, githubPush } = args;
        const policies = cleanupPolicies(args.retention);

        this.repository = new gcp.artifactregistry.Repository(
            `${name}-repository`,
            {
                project,
                location: region,
                repositoryId: names.taskImageRepository,
                format: "DOCKER",
                description: "Flyte task images",
                cleanupPolicies: policies.map((p) => ({ ...p })),
                // The policies delete; a dry run would only log what they would delete.
                cleanupPolicyDryRun: false,
                labels: args.labels,
            },
            { parent: this, dependsOn: [args.apis.artifactregistry] },
        );
        this.registryUrl = this.repository.repositoryId.apply((id) => registryUrl(region, project, id));

        let ciMember: pulumi.Output<string> | undefined;
        if (githubPush) {
            const { sts, iamcredentials } = args.apis;
            if (!sts || !iamcredentials) {
                throw new Error("keyless push from GitHub needs the sts and iamcredentials APIs");
            }
            const afterIam = { parent: this, dependsOn: [args.apis.iam] };
            this.pool = new gcp.iam.WorkloadIdentityPool(
                `${name}-github-pool`,
                {
                    project,
                    workloadIdentityPoolId: names.githubPool,
                    displayName: "GitHub Actions",
                    description: `GitHub Actions workflows of ${githubPush.repository} pushing Flyte task images`,
                },
                afterIam,
            );
            this.provider = new gcp.iam.WorkloadIdentityPoolProvider(
                `${name}-github-provider`,
                {
                    project,
                    workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
                    workloadIdentityPoolProviderId: names.githubProvider,
                    displayName: "GitHub Actions",
                    attributeMapping: githubAttributeMapping(githubPush),
                    attributeCondition: githubAttributeCondition(githubPush),
                    oidc: { issuerUri: GITHUB_ACTIONS_ISSUER },
                },
                { parent: this, dependsOn: [args.apis.iam, sts] },
            );
            this.ciServiceAccount = new gcp.serviceaccount.Account(
                `${name}-ci-push`,
                {
                    project,
                    accountId: names.ciPushServiceAccount,
                    displayName: "Flyte task image push (GitHub Actions)",
                    description: `Pushes task images to ${names.taskImageRepository}, impersonated by GitHub Actions`,
                },
                afterIam,
            );
            // The pool's full name holds the project's number, which the principal set needs: no lookup of the project.
            const principalSet = this.pool.name.apply((poolName) => githubPrincipalSet(poolName, githubPush.repository));
            this.ciImpersonation = new gcp.serviceaccount.IAMMember(
                `${name}-ci-push-${roleSlug(WORKLOAD_IDENTITY_USER_ROLE)}`,
                { serviceAccountId: this.ciServiceAccount.name, role: WORKLOAD_IDENTITY_USER_ROLE, member: principalSet },
                // Impersonating it goes through IAM Credentials: the grant is of use once that API is on.
                { parent: this, dependsOn: [iamcredentials] },
            );
            ciMember = this.ciServiceAccount.email.apply(serviceAccountMember);
            this.ciPushIdentity = this.ciServiceAccount.email;
            this.ciWorkloadIdentityProvider = this.provider.name;
        }

        const nodes = pulumi.output(args.nodeServiceAccount).apply(serviceAccountMember);
        const grants: Partial<Record<RegistryGrant["principal"], gcp.artifactregistry.RepositoryIamMember>> = {};
        for (const grant of registryGrants(githubPush !== undefined)) {
            const member = grant.principal === "nodes" ? nodes : ciMember;
            if (member === undefined) {
                throw new Error(`no member for ${grant.principal}`);
            }
            grants[grant.principal] = new gcp.artifactregistry.RepositoryIamMember(
                `${name}-${grant.principal === "nodes" ? "nodes" : "ci-push"}-${roleSlug(grant.role)}`,
                { project, location: region, repository: this.repository.repositoryId, role: grant.role, member },
                { parent: this },
            );
        }
        this.grants = grants;

        this.registerOutputs({
            registryUrl: this.registryUrl,
            ciPushIdentity: this.ciPushIdentity,
            ciWorkloadIdentityProvider: this.ciWorkloadIdentityProvider,
        });
    }
}
