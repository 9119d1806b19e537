import { awsPartition, eksAccessPolicyArn, irsaTrustPolicy, managedPolicyArn, serviceAccountSubject, serviceTrustPolicy, tlsOnlyBucketPolicy } from "../../../components/aws/iam";
import { arrayAt, at } from "../../helpers/json";

/** The IAM documents and ARNs of the AWS target (components/aws/iam.ts). */

const ISSUER = "https://oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER_HOST = "oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_HOST}`;

function json(text: string): unknown {
    return JSON.parse(text) as unknown;
}

describe("iam: partitions and ARNs", () => {
    test.each([
        ["us-east-1", "aws"],
        ["eu-central-1", "aws"],
        ["ap-southeast-5", "aws"],
        ["cn-north-1", "aws-cn"],
        ["cn-northwest-1", "aws-cn"],
        ["us-gov-west-1", "aws-us-gov"],
        ["us-gov-east-1", "aws-us-gov"],
    ])("awsPartition(%s) is %s", (region, partition) => {
        expect(awsPartition(region)).toBe(partition);
    });

    test("managedPolicyArn names an AWS-managed policy in the region's partition", () => {
        expect(managedPolicyArn("eu-central-1", "AmazonEKSWorkerNodePolicy")).toBe(
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        );
        expect(managedPolicyArn("cn-north-1", "AmazonEKS_CNI_Policy")).toBe("arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy");
        expect(managedPolicyArn("us-gov-west-1", "AmazonEKSClusterPolicy")).toBe(
            "arn:aws-us-gov:iam::aws:policy/AmazonEKSClusterPolicy",
        );
    });

    test("eksAccessPolicyArn names an EKS cluster access policy in the region's partition", () => {
        expect(eksAccessPolicyArn("eu-central-1", "AmazonEKSClusterAdminPolicy")).toBe(
            "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        );
        expect(eksAccessPolicyArn("us-gov-east-1", "AmazonEKSClusterAdminPolicy")).toBe(
            "arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        );
        expect(eksAccessPolicyArn("cn-northwest-1", "AmazonEKSAdminPolicy")).toBe(
            "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy",
        );
    });
});

describe("iam: trust policies", () => {
    test("serviceTrustPolicy lets exactly one AWS service assume the role", () => {
        expect(json(serviceTrustPolicy("eks.amazonaws.com"))).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        expect(at(json(serviceTrustPolicy("ec2.amazonaws.com")), "Statement", 0, "Principal")).toEqual({
            Service: "ec2.amazonaws.com",
        });
    });

    test("serviceAccountSubject is the subject EKS puts in the token", () => {
        expect(serviceAccountSubject({ namespace: "flyte", name: "flyte-binary" })).toBe("system:serviceaccount:flyte:flyte-binary");
        expect(serviceAccountSubject({ namespace: "kube-system", name: "aws-node" })).toBe(
            "system:serviceaccount:kube-system:aws-node",
        );
    });

    test("irsaTrustPolicy for one service account: web identity from this provider, exact audience and subject", () => {
        const policy = json(
            irsaTrustPolicy({
                providers: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER }],
                serviceAccounts: [{ namespace: "flyte", name: "flyte-binary" }],
            }),
        );
        expect(policy).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: PROVIDER_ARN },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: {
                        StringEquals: {
                            [`${ISSUER_HOST}:aud`]: "sts.amazonaws.com",
                            [`${ISSUER_HOST}:sub`]: "system:serviceaccount:flyte:flyte-binary",
                        },
                    },
                },
            ],
        });
    });

    test("irsaTrustPolicy for several service accounts: a sorted list of subjects without duplicates", () => {
        const text = irsaTrustPolicy({
            providers: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER }],
            serviceAccounts: [
                { namespace: "p1-production", name: "default" },
                { namespace: "p1-development", name: "default" },
                { namespace: "p1-staging", name: "default" },
                { namespace: "p1-development", name: "default" },
            ],
        });
        const policy = json(text);
        expect(arrayAt(policy, "Statement")).toHaveLength(1);
        expect(at(policy, "Statement", 0, "Principal")).toEqual({ Federated: PROVIDER_ARN });
        expect(at(policy, "Statement", 0, "Action")).toBe("sts:AssumeRoleWithWebIdentity");
        expect(at(policy, "Statement", 0, "Condition")).toEqual({
            StringEquals: {
                [`${ISSUER_HOST}:aud`]: "sts.amazonaws.com",
                [`${ISSUER_HOST}:sub`]: [
                    "system:serviceaccount:p1-development:default",
                    "system:serviceaccount:p1-production:default",
                    "system:serviceaccount:p1-staging:default",
                ],
            },
        });
        // Exact matches only: no StringLike, no wildcard anywhere.
        expect(text).not.toContain("StringLike");
        expect(text).not.toContain("*");
        expect(text).not.toContain("https://");
    });

    test("irsaTrustPolicy for one provider writes exactly the document it wrote before it took several (existing roles unchanged)", () => {
        const text = irsaTrustPolicy({ providers: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER }], serviceAccounts: [{ namespace: "flyte", name: "flyteadmin" }] });
        expect(text).toBe(
            `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"${PROVIDER_ARN}"},"Action":"sts:AssumeRoleWithWebIdentity",` +
                `"Condition":{"StringEquals":{"${ISSUER_HOST}:aud":"sts.amazonaws.com","${ISSUER_HOST}:sub":"system:serviceaccount:flyte:flyteadmin"}}}]}`,
        );
        // The issuer may come without its scheme (a data plane publishes its host).
        expect(irsaTrustPolicy({ providers: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER_HOST }], serviceAccounts: [{ namespace: "flyte", name: "flyteadmin" }] })).toBe(text);
    });

    test("irsaTrustPolicy for several providers: one statement each, in order, with the same subjects keyed by its own issuer", () => {
        const other = "oidc.eks.eu-central-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210";
        const otherArn = `arn:aws:iam::123456789012:oidc-provider/${other}`;
        const policy = json(
            irsaTrustPolicy({
                providers: [
                    { oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER },
                    { oidcProviderArn: otherArn, issuerUrl: other },
                ],
                serviceAccounts: [
                    { namespace: "p-dev", name: "default" },
                    { namespace: "p-prod", name: "default" },
                ],
            }),
        );
        const subjects = ["system:serviceaccount:p-dev:default", "system:serviceaccount:p-prod:default"];
        expect(arrayAt(policy, "Statement")).toEqual(
            [
                [PROVIDER_ARN, ISSUER_HOST],
                [otherArn, other],
            ].map(([arn, issuer]) => ({
                Effect: "Allow",
                Principal: { Federated: arn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${issuer}:aud`]: "sts.amazonaws.com", [`${issuer}:sub`]: subjects } },
            })),
        );
    });

    test("irsaTrustPolicy refuses a role no service account or no cluster can assume, an issuer twice, and a provider of another issuer", () => {
        const serviceAccounts = [{ namespace: "flyte", name: "flyteadmin" }];
        expect(() => irsaTrustPolicy({ providers: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER }], serviceAccounts: [] })).toThrow(
            "an IRSA role needs at least one service account",
        );
        expect(() => irsaTrustPolicy({ providers: [], serviceAccounts })).toThrow("an IRSA role needs at least one OIDC provider");
        expect(() =>
            irsaTrustPolicy({
                providers: [
                    { oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER },
                    { oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER_HOST },
                ],
                serviceAccounts,
            }),
        ).toThrow(`an IRSA role trusts each OIDC issuer once; ${ISSUER_HOST} is listed twice`);
        const other = "https://oidc.eks.eu-central-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210";
        expect(() => irsaTrustPolicy({ providers: [{ oidcProviderArn: PROVIDER_ARN, issuerUrl: other }], serviceAccounts })).toThrow(
            `OIDC provider ${PROVIDER_ARN} is not the provider of issuer ${other}`,
        );
    });

    test("tlsOnlyBucketPolicy denies everyone every request without TLS, on the bucket and its objects", () => {
        expect(json(tlsOnlyBucketPolicy("arn:aws:s3:::flyte-dev-metadata"))).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::flyte-dev-metadata", "arn:aws:s3:::flyte-dev-metadata/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ],
        });
    });
});
