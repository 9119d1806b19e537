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

/**
 * IAM Roles for Service Accounts: web-identity trust for exactly these Kubernetes service accounts of this cluster,
 * with conditions on both the token's subject and its audience.
 */
export function irsaTrustPolicy(args: {
    readonly oidcProviderArn: string;
    /** The cluster's OIDC issuer URL. */
    readonly issuerUrl: string;
    readonly serviceAccounts: readonly KubernetesServiceAccountRef[];
}): string {
    if (args.serviceAccounts.length === 0) {
        throw new Error("an IRSA role needs at least one service account");
    }
    const issuer = args.issuerUrl.replace(/^https:\/\//, "");
    const subjects = [...new Set(args.serviceAccounts.map(serviceAccountSubject))].sort();
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: args.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                        [`${issuer}:sub`]: subjects.length === 1 ? subjects[0] : subjects,
                    },
                },
            },
        ],
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
