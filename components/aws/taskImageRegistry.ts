import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { RegistryConfig } from "../contract/config";
import { awsPartition } from "./iam";
import type { RegistryNames } from "./names";
import {
    ecrRepositoryArn,
    GITHUB_OIDC_AUDIENCE,
    GITHUB_OIDC_URL,
    githubPushTrustPolicy,
    registryKeyPolicy,
    registryLifecyclePolicy,
    registryPushPolicy,
} from "./registryPolicies";

export interface TaskImageRegistryArgs {
    /** Names of the repository, its key's alias and the CI push role, from registryNames (unique per account and region). */
    readonly names: RegistryNames;
    /** The region of the repository and its key (ECR needs the key in the repository's region). */
    readonly region: string;
    /** The AWS account that owns the repository: its ARN, and the key policy's account, name it. */
    readonly accountId: pulumi.Input<string>;
    /** How many tagged images stay, after how many days untagged ones go, and who may push from GitHub Actions. */
    readonly config: RegistryConfig;
    /** Pulumi `protect` on the repository and its key: `pulumi destroy` refuses to delete the images until this is turned off. */
    readonly deletionProtection: boolean;
    /** Let destroying the repository delete the images it still holds; off, a repository with images stays. */
    readonly forceDelete: boolean;
    /** AWS tags on every resource. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A registry for task images: an ECR repository with immutable tags, scan on push, encryption with a KMS key of its
 * own and a lifecycle policy. The cluster's nodes pull from it with their role's AmazonEC2ContainerRegistryPullOnly
 * (every repository of the account; components/aws/eksCluster.ts) and need no KMS permission, since ECR decrypts
 * through its own grant on the key. With `githubPush`, GitHub Actions workflows of one repository push keylessly: an
 * IAM OIDC provider for GitHub and a role trusting it for that repository only, which may push to this repository only.
 */
export class TaskImageRegistry extends pulumi.ComponentResource {
    readonly key: aws.kms.Key;
    readonly repository: aws.ecr.Repository;
    /** Where task images are pushed: `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`. */
    readonly repositoryUrl: pulumi.Output<string>;
    /** With githubPush: GitHub's OIDC provider in the account. */
    readonly githubProvider?: aws.iam.OpenIdConnectProvider;
    /** With githubPush: the role GitHub Actions pushes as. */
    readonly pushRole?: aws.iam.Role;
    /** With githubPush: the push role's ARN, which workflows pass to aws-actions/configure-aws-credentials. */
    readonly pushRoleArn?: pulumi.Output<string>;

    constructor(name: string, args: TaskImageRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:TaskImageRegistry", name, {}, opts);
        const { names, config, tags } = args;
        const child = { parent: this };
        const protectedChild = { parent: this, protect: args.deletionProtection };
        const partition = awsPartition(args.region);
        const accountId = pulumi.output(args.accountId);

        // Deleting the key would make every image unreadable: protected like the repository.
        this.key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encryption of the task images in ECR repository ${names.repository}`,
                enableKeyRotation: true,
                policy: accountId.apply((id) => registryKeyPolicy({ partition, accountId: id })),
                tags: { ...tags },
            },
            protectedChild,
        );
        new aws.kms.Alias(`${name}-key`, { name: names.keyAlias, targetKeyId: this.key.keyId }, child);

        this.repository = new aws.ecr.Repository(
            `${name}-repository`,
            {
                name: names.repository,
                imageTagMutability: "IMMUTABLE",
                imageScanningConfiguration: { scanOnPush: true },
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: this.key.arn }],
                forceDelete: args.forceDelete,
                tags: { ...tags },
            },
            protectedChild,
        );
        new aws.ecr.LifecyclePolicy(
            `${name}-lifecycle`,
            { repository: this.repository.name, policy: registryLifecyclePolicy(config) },
            child,
        );
        this.repositoryUrl = this.repository.repositoryUrl;

        const push = config.githubPush;
        if (push !== undefined) {
            // An account has one IAM OIDC provider per URL: in an account that already has GitHub's (another stack's,
            // or one made by hand) creating this one fails with EntityAlreadyExists. Thumbprints are left out: IAM
            // verifies GitHub's JWKS endpoint with its library of trusted root CAs and ignores them
            // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html).
            this.githubProvider = new aws.iam.OpenIdConnectProvider(
                `${name}-github`,
                { url: GITHUB_OIDC_URL, clientIdLists: [GITHUB_OIDC_AUDIENCE], tags: { ...tags } },
                child,
            );
            this.pushRole = new aws.iam.Role(
                `${name}-ci-push`,
                {
                    name: names.ciPushRole,
                    description: `GitHub Actions of ${push.repository} push task images to ${names.repository}`,
                    assumeRolePolicy: this.githubProvider.arn.apply((providerArn) => githubPushTrustPolicy({ providerArn, push })),
                    tags: { ...tags },
                },
                child,
            );
            new aws.iam.RolePolicy(
                `${name}-ci-push`,
                {
                    role: this.pushRole.id,
                    name: "push-task-images",
                    // The ARN follows from the name, so the grant does not wait for the repository.
                    policy: accountId.apply((id) =>
                        registryPushPolicy(ecrRepositoryArn({ partition, region: args.region, accountId: id, repositoryName: names.repository })),
                    ),
                },
                child,
            );
            this.pushRoleArn = this.pushRole.arn;
        }

        this.registerOutputs({ repositoryUrl: this.repositoryUrl, pushRoleArn: this.pushRoleArn });
    }
}
