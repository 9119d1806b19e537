import type { KubernetesServiceAccountRef } from "../contract/platform";

/** The AWS partition a region belongs to, for ARNs of AWS-managed policies. */
export function awsPartition(region: string): string {
    if (region.startsWith("cn-")) {
        return "aws-cn";
    }
    if (region.includes("-gov-")) {
        return "aws-us-gov";
    }
    return "aws";
}

export function managedPolicyArn(region: string, name: string): string {
    return `arn:${awsPartition(region)}:iam::aws:policy/${name}`;
}

/** An S3 bucket's ARN, in the region's partition. */
export function s3BucketArn(region: string, bucket: string): string {
    return `arn:${awsPartition(region)}:s3:::${bucket}`;
}

/** An EKS access policy (the cluster-side permissions an access entry gets). */
export function eksAccessPolicyArn(region: string, name: string): string {
    return `arn:${awsPartition(region)}:eks::aws:cluster-access-policy/${name}`;
}

/** Trust for an AWS service (EKS control plane, EC2 nodes). */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/** The subject EKS puts in a service account's token. */
export function serviceAccountSubject(ksa: KubernetesServiceAccountRef): string {
    return `system:serviceaccount:${ksa.namespace}:${ksa.name}`;
}

/** An EKS cluster's IAM OIDC provider, as an IRSA trust policy names it. */
export interface IrsaProvider {
    /** The provider's ARN (`arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>`): the federated principal. */
    readonly oidcProviderArn: string;
    /** The cluster's OIDC issuer, with or without `https://`: the condition keys are `<issuer without scheme>:sub` and `:aud`. */
    readonly issuerUrl: string;
}

/**
 * IAM Roles for Service Accounts: web-identity trust for exactly these Kubernetes service accounts of these clusters,
 * with conditions on both the token's subject and its audience. One statement per provider (the cluster's own first),
 * each with the same subjects: the condition keys are named after the issuer, so the statements cannot merge, and each
 * cluster costs a statement of the trust policy's 2048 characters ("only around 5 clusters can be trusted per role",
 * https://github.com/aws/containers-roadmap/issues/1408).
 */
export function irsaTrustPolicy(args: {
    /** The clusters whose tokens may assume the role: the role's own cluster first, then others. */
    readonly providers: readonly IrsaProvider[];
    readonly serviceAccounts: readonly KubernetesServiceAccountRef[];
}): string {
    if (args.serviceAccounts.length === 0) {
        throw new Error("an IRSA role needs at least one service account");
    }
    if (args.providers.length === 0) {
        throw new Error("an IRSA role needs at least one OIDC provider");
    }
    const issuers = args.providers.map((p) => p.issuerUrl.replace(/^https:\/\//, ""));
    const repeated = issuers.find((issuer, i) => issuers.indexOf(issuer) !== i);
    if (repeated !== undefined) {
        throw new Error(`an IRSA role trusts each OIDC issuer once; ${repeated} is listed twice`);
    }
    // A cluster's provider is `arn:<partition>:iam::<account>:oidc-provider/<issuer without https://>`
    // (https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html): one that ends
    // otherwise is wired to another cluster's issuer, and its statement would admit no token.
    const miswired = args.providers.find((p, i) => !p.oidcProviderArn.endsWith(`:oidc-provider/${issuers[i]}`));
    if (miswired !== undefined) {
        throw new Error(`OIDC provider ${miswired.oidcProviderArn} is not the provider of issuer ${miswired.issuerUrl}`);
    }
    const subjects = [...new Set(args.serviceAccounts.map(serviceAccountSubject))].sort();
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: args.providers.map((provider, i) => ({
            Effect: "Allow",
            Principal: { Federated: provider.oidcProviderArn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
                StringEquals: {
                    [`${issuers[i]}:aud`]: "sts.amazonaws.com",
                    [`${issuers[i]}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
                },
            },
        })),
    });
}

/** Refuses every request to the bucket that does not use TLS. */
export function tlsOnlyBucketPolicy(bucketArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    });
}
