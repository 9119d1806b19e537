import type { GithubPushConfig, RegistryConfig } from "../contract/config";

/**
 * The documents of the task image registry on AWS (components/aws/taskImageRegistry.ts): the repository's lifecycle
 * policy, its KMS key's policy, and the GitHub Actions push role's trust and permissions. Pure.
 */

const POLICY_VERSION = "2012-10-17";

/** GitHub's OIDC issuer for Actions, as IAM's provider URL and the prefix of its condition keys. */
export const GITHUB_OIDC_ISSUER = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_URL = `https://${GITHUB_OIDC_ISSUER}`;
/**
 * The audience aws-actions/configure-aws-credentials requests its token for
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
 */
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

/**
 * What pushing an image calls on the repository: the layer upload and the manifest (docker push, buildx), and reading
 * back what is there (BatchGetImage, GetDownloadUrlForLayer: builders that check for or reuse existing layers and
 * manifests). All take the repository as their resource.
 */
export const PUSH_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:CompleteLayerUpload",
    "ecr:GetDownloadUrlForLayer",
    "ecr:InitiateLayerUpload",
    "ecr:PutImage",
    "ecr:UploadLayerPart",
] as const;

/** `arn:<partition>:ecr:<region>:<account>:repository/<name>`, as ECR names a repository. */
export function ecrRepositoryArn(args: { partition: string; region: string; accountId: string; repositoryName: string }): string {
    return `arn:${args.partition}:ecr:${args.region}:${args.accountId}:repository/${args.repositoryName}`;
}

/**
 * Untagged images (a tag moved away, or the platform manifests and attestations an index refers to) expire after
 * `untaggedDays`; of tagged images the newest `keepVersions` stay.
 *
 * https://docs.aws.amazon.com/AmazonECR/latest/userguide/lifecycle_policy_parameters.html: rules apply from the lowest
 * `rulePriority`; only one rule may select untagged images; `tagged` needs a `tagPrefixList` or `tagPatternList` (`*`
 * matches every tag); `countUnit` days only with `sinceImagePushed`; `countNumber` is positive. An `any` rule must have
 * the highest priority and would count untagged images against `keepVersions` too, so the count rule selects tagged
 * images only. An image matched by the first rule's tag status cannot be expired by the second
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lp_evaluation_rules).
 */
export function registryLifecyclePolicy(config: Pick<RegistryConfig, "keepVersions" | "untaggedDays">): string {
    for (const [what, value] of [
        ["keepVersions", config.keepVersions],
        ["untaggedDays", config.untaggedDays],
    ] as const) {
        if (!Number.isInteger(value) || value < 1) {
            throw new Error(`registry ${what} must be a positive integer, got ${value}`);
        }
    }
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images ${config.untaggedDays} days after their push`,
                selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: config.untaggedDays },
                action: { type: "expire" },
            },
            {
                rulePriority: 2,
                description: `Keep the newest ${config.keepVersions} tagged images`,
                selection: { tagStatus: "tagged", tagPatternList: ["*"], countType: "imageCountMoreThan", countNumber: config.keepVersions },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * The repository key's policy: the account administers it and IAM policies decide the rest, as ECR's guide asks of a
 * customer managed key (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html). ECR itself
 * uses the key through the grants it creates when the repository is created (the deployer needs kms:CreateGrant,
 * kms:RetireGrant and kms:DescribeKey through its IAM policy for that); pushers and pullers need no KMS permission.
 */
export function registryKeyPolicy(args: { partition: string; accountId: string }): string {
    return JSON.stringify({
        Version: POLICY_VERSION,
        Statement: [
            {
                Sid: "AccountAdministersTheKey",
                Effect: "Allow",
                Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
        ],
    });
}

/**
 * The `sub` claim GitHub puts in a job's token: `repo:<owner>/<repo>:environment:<name>` for a job of an environment,
 * else `repo:<owner>/<repo>:ref:<ref>` for a push run (https://docs.github.com/en/actions/reference/openid-connect-reference).
 * With an environment the ref is not in the token's subject: the environment's deployment branch rules restrict the
 * refs that may use it. With neither, `repo:<owner>/<repo>:*` admits every workflow of the repository (StringLike).
 */
export function githubSubject(push: GithubPushConfig): { readonly operator: "StringEquals" | "StringLike"; readonly value: string } {
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(push.repository)) {
        throw new Error(`not a GitHub repository owner/repo: ${push.repository}`);
    }
    const repo = `repo:${push.repository}`;
    if (push.environment !== "") {
        return { operator: "StringEquals", value: `${repo}:environment:${push.environment}` };
    }
    if (push.ref !== "") {
        return { operator: "StringEquals", value: `${repo}:ref:${push.ref}` };
    }
    return { operator: "StringLike", value: `${repo}:*` };
}

/**
 * The push role's trust: GitHub's OIDC provider, for tokens issued to aws-actions/configure-aws-credentials
 * (`aud` sts.amazonaws.com) whose subject is this repository (and its environment or ref), as GitHub's guide shows
 * (https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services).
 */
export function githubPushTrustPolicy(args: { readonly providerArn: string; readonly push: GithubPushConfig }): string {
    const subject = githubSubject(args.push);
    const audience = { [`${GITHUB_OIDC_ISSUER}:aud`]: GITHUB_OIDC_AUDIENCE };
    const sub = { [`${GITHUB_OIDC_ISSUER}:sub`]: subject.value };
    return JSON.stringify({
        Version: POLICY_VERSION,
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: args.providerArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition:
                    subject.operator === "StringEquals"
                        ? { StringEquals: { ...audience, ...sub } }
                        : { StringEquals: audience, StringLike: sub },
            },
        ],
    });
}

/**
 * What the push role may do: get a registry token (ecr:GetAuthorizationToken supports no resource-level
 * permissions, so its resource is `*`:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html) and
 * push to this repository alone. No KMS permission: ECR encrypts with its own grant on the key
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
 */
export function registryPushPolicy(repositoryArn: string): string {
    return JSON.stringify({
        Version: POLICY_VERSION,
        Statement: [
            { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "PushTaskImages", Effect: "Allow", Action: [...PUSH_ACTIONS], Resource: repositoryArn },
        ],
    });
}
