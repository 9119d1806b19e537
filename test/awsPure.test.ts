import { parse } from "yaml";
import { cloudWatchTaskLogLink, containerLogGroup } from "../components/aws/cloudWatch";
import {
    awsPartition,
    eksAccessPolicyArn,
    irsaTrustPolicy,
    managedPolicyArn,
    serviceAccountSubject,
    serviceTrustPolicy,
    tlsOnlyBucketPolicy,
} from "../components/aws/iam";
import { eksKubeconfig } from "../components/aws/kubeconfig";
import { subnetLayout } from "../components/aws/subnets";
import { cidrContains, cidrsOverlap, Ipv4Cidr, parseCidr } from "../components/shared/cidr";
import { AWS_LIMITS, awsNames, AwsNames, s3BucketNames } from "../components/aws/names";
import { s3ReadWritePolicy } from "../components/contract/s3Access";
import { arrayAt, at, isRecord } from "./helpers/helm";
import { prng } from "./helpers/random";

/** The pure parts of the AWS target: IAM documents, the subnet layout, the kubeconfig, log links and names. */

const ISSUER = "https://oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const ISSUER_HOST = "oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER_HOST}`;

function json(text: string): unknown {
    return JSON.parse(text) as unknown;
}

function cidr(text: string): Ipv4Cidr {
    const parsed = parseCidr(text);
    if (!parsed) {
        throw new Error(`not a CIDR: ${text}`);
    }
    return parsed;
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
                oidcProviderArn: PROVIDER_ARN,
                issuerUrl: ISSUER,
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
            oidcProviderArn: PROVIDER_ARN,
            issuerUrl: ISSUER,
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

    test("irsaTrustPolicy refuses a role no service account can assume", () => {
        expect(() => irsaTrustPolicy({ oidcProviderArn: PROVIDER_ARN, issuerUrl: ISSUER, serviceAccounts: [] })).toThrow(
            "an IRSA role needs at least one service account",
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

describe("s3ReadWritePolicy", () => {
    const buckets = ["arn:aws:s3:::flyte-dev-metadata", "arn:aws:s3:::flyte-dev-userdata"];
    const text = s3ReadWritePolicy(buckets);
    const policy = json(text);

    test("allows listing exactly the given buckets and object access in exactly those buckets", () => {
        expect(policy).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "FlyteBuckets",
                    Effect: "Allow",
                    Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
                    Resource: ["arn:aws:s3:::flyte-dev-metadata", "arn:aws:s3:::flyte-dev-userdata"],
                },
                {
                    Sid: "FlyteObjects",
                    Effect: "Allow",
                    Action: [
                        "s3:GetObject",
                        "s3:PutObject",
                        "s3:DeleteObject",
                        "s3:AbortMultipartUpload",
                        "s3:ListMultipartUploadParts",
                    ],
                    Resource: ["arn:aws:s3:::flyte-dev-metadata/*", "arn:aws:s3:::flyte-dev-userdata/*"],
                },
            ],
        });
    });

    test("no s3:* action, no '*' resource, no Deny to get around, nothing outside the buckets", () => {
        const statements = arrayAt(policy, "Statement");
        for (const statement of statements) {
            expect(at(statement, "Effect")).toBe("Allow");
            for (const action of arrayAt(statement, "Action")) {
                expect(action).not.toBe("s3:*");
                expect(String(action)).toMatch(/^s3:[A-Za-z]+$/);
            }
            for (const resource of arrayAt(statement, "Resource")) {
                expect(resource).not.toBe("*");
                expect(buckets.some((b) => resource === b || resource === `${b}/*`)).toBe(true);
            }
        }
        expect(text).not.toContain('"s3:*"');
        expect(text).not.toContain('"*"');
    });

    test("works for other bucket ARNs (GovCloud) and keeps their order", () => {
        const gov = ["arn:aws-us-gov:s3:::b2", "arn:aws-us-gov:s3:::b1"];
        expect(at(json(s3ReadWritePolicy(gov)), "Statement", 0, "Resource")).toEqual(gov);
        expect(at(json(s3ReadWritePolicy(gov)), "Statement", 1, "Resource")).toEqual([
            "arn:aws-us-gov:s3:::b2/*",
            "arn:aws-us-gov:s3:::b1/*",
        ]);
    });
});

describe("subnetLayout", () => {
    test("a /16 across three zones: three /19 private and three /22 public subnets", () => {
        expect(subnetLayout("10.0.0.0/16", 3)).toEqual({
            private: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
            public: ["10.0.96.0/22", "10.0.100.0/22", "10.0.104.0/22"],
        });
    });

    test("a /16 across two zones starts the public subnets after the private ones", () => {
        expect(subnetLayout("172.16.0.0/16", 2)).toEqual({
            private: ["172.16.0.0/19", "172.16.32.0/19"],
            public: ["172.16.64.0/22", "172.16.68.0/22"],
        });
    });

    test("a /20 across six zones: /23 private and /26 public subnets", () => {
        expect(subnetLayout("10.8.16.0/20", 6)).toEqual({
            private: ["10.8.16.0/23", "10.8.18.0/23", "10.8.20.0/23", "10.8.22.0/23", "10.8.24.0/23", "10.8.26.0/23"],
            public: ["10.8.28.0/26", "10.8.28.64/26", "10.8.28.128/26", "10.8.28.192/26", "10.8.29.0/26", "10.8.29.64/26"],
        });
    });

    const configurable: [string, number][] = [];
    for (const vpc of ["10.0.0.0/16", "10.0.0.0/17", "192.168.0.0/18", "172.31.0.0/19", "10.8.16.0/20", "100.64.240.0/20"]) {
        for (let zones = 2; zones <= 6; zones++) {
            configurable.push([vpc, zones]);
        }
    }

    test.each(configurable)("%s with %i zones: one valid subnet per zone each, inside the VPC, none overlapping", (vpcText, zones) => {
        const vpc = cidr(vpcText);
        const layout = subnetLayout(vpcText, zones);
        expect(layout.private).toHaveLength(zones);
        expect(layout.public).toHaveLength(zones);
        const all = [...layout.private, ...layout.public].map(cidr);
        for (const subnet of all) {
            expect(cidrContains(vpc, subnet.start)).toBe(true);
            expect(cidrContains(vpc, subnet.start + subnet.size - 1)).toBe(true);
            // AWS subnets are /16 to /28.
            expect(subnet.prefixLength).toBeGreaterThanOrEqual(16);
            expect(subnet.prefixLength).toBeLessThanOrEqual(28);
        }
        for (let i = 0; i < all.length; i++) {
            for (let j = i + 1; j < all.length; j++) {
                expect(cidrsOverlap(all[i], all[j])).toBe(false);
            }
        }
        expect(layout.private.map((p) => cidr(p).prefixLength)).toEqual(Array(zones).fill(vpc.prefixLength + 3));
        expect(layout.public.map((p) => cidr(p).prefixLength)).toEqual(Array(zones).fill(vpc.prefixLength + 6));
    });

    test.each([
        ["not-a-cidr", 3, "not a CIDR: not-a-cidr"],
        ["10.0.0.0", 3, "not a CIDR: 10.0.0.0"],
        ["10.0.0.1/16", 3, "not a CIDR: 10.0.0.1/16"],
        ["10.0.0.0/16", 0, "cannot lay out 0 zones"],
        ["10.0.0.0/16", 7, "cannot lay out 7 zones"],
        ["10.0.0.0/16", -1, "cannot lay out -1 zones"],
    ])("throws for %s with %i zones", (vpc, zones, message) => {
        expect(() => subnetLayout(vpc, zones)).toThrow(message);
    });
});

describe("eksKubeconfig", () => {
    const text = eksKubeconfig({
        clusterName: "flyte-dev",
        endpoint: "https://ABCDEF.gr7.eu-central-1.eks.amazonaws.com",
        certificateAuthority: "bW9jay1jYQ==",
        region: "eu-central-1",
    });
    const kubeconfig: unknown = parse(text);

    test("one cluster, context and user, all named after the cluster, with its endpoint and CA", () => {
        expect(at(kubeconfig, "apiVersion")).toBe("v1");
        expect(at(kubeconfig, "kind")).toBe("Config");
        expect(at(kubeconfig, "current-context")).toBe("flyte-dev");
        expect(at(kubeconfig, "clusters")).toEqual([
            {
                name: "flyte-dev",
                cluster: {
                    server: "https://ABCDEF.gr7.eu-central-1.eks.amazonaws.com",
                    "certificate-authority-data": "bW9jay1jYQ==",
                },
            },
        ]);
        expect(at(kubeconfig, "contexts")).toEqual([{ name: "flyte-dev", context: { cluster: "flyte-dev", user: "flyte-dev" } }]);
        expect(arrayAt(kubeconfig, "users")).toHaveLength(1);
        expect(at(kubeconfig, "users", 0, "name")).toBe("flyte-dev");
    });

    test("authenticates with aws eks get-token for this cluster and region, non-interactively", () => {
        const exec = at(kubeconfig, "users", 0, "user", "exec");
        expect(at(exec, "apiVersion")).toBe("client.authentication.k8s.io/v1beta1");
        expect(at(exec, "command")).toBe("aws");
        expect(at(exec, "args")).toEqual([
            "eks",
            "get-token",
            "--cluster-name",
            "flyte-dev",
            "--region",
            "eu-central-1",
            "--output",
            "json",
        ]);
        expect(at(exec, "interactiveMode")).toBe("Never");
    });

    test("holds no credential: no token, client key or password", () => {
        const user = at(kubeconfig, "users", 0, "user");
        expect(isRecord(user) ? Object.keys(user) : []).toEqual(["exec"]);
        expect(text).not.toMatch(/token:|client-key|client-certificate|password/);
    });

    test("follows the region", () => {
        const gov = parse(
            eksKubeconfig({ clusterName: "c", endpoint: "https://x", certificateAuthority: "Y2E=", region: "us-gov-west-1" }),
        ) as unknown;
        expect(at(gov, "users", 0, "user", "exec", "args")).toEqual([
            "eks",
            "get-token",
            "--cluster-name",
            "c",
            "--region",
            "us-gov-west-1",
            "--output",
            "json",
        ]);
    });
});

describe("cloudWatch", () => {
    test("containerLogGroup is the Container Insights application log group", () => {
        expect(containerLogGroup("flyte-dev")).toBe("/aws/containerinsights/flyte-dev/application");
    });

    test("cloudWatchTaskLogLink: the region's console, the cluster's log group, filtered to the pod", () => {
        expect(cloudWatchTaskLogLink({ region: "eu-central-1", clusterName: "flyte-dev" })).toEqual({
            plugin: "cloudwatch",
            templateUri:
                "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1" +
                "#logsV2:log-groups/log-group/$252Faws$252Fcontainerinsights$252Fflyte-dev$252Fapplication" +
                "/log-events$3FfilterPattern$3D$2522{{ .podName }}$2522",
        });
    });

    /** The console's escaping undone: `$25` back to `%`, then URI decoding. */
    function consoleUnescape(text: string): string {
        return decodeURIComponent(text.replace(/\$25/g, "%"));
    }

    test.each([
        ["us-east-1", "flyte-prod"],
        ["ap-southeast-2", "a_b-c"],
        ["eu-west-3", "f1-2-abcdef"],
    ])("in %s for cluster %s the link decodes to the log group and keeps Flyte's {{ .podName }}", (region, clusterName) => {
        const { plugin, templateUri } = cloudWatchTaskLogLink({ region, clusterName });
        expect(plugin).toBe("cloudwatch");
        expect(templateUri.startsWith(`https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:`)).toBe(
            true,
        );
        const match = /#logsV2:log-groups\/log-group\/([^/]+)\/log-events(.*)$/.exec(templateUri);
        expect(match).not.toBeNull();
        if (!match) {
            return;
        }
        expect(match[1]).not.toContain("/");
        expect(match[1]).not.toMatch(/%/);
        expect(consoleUnescape(match[1])).toBe(`/aws/containerinsights/${clusterName}/application`);
        // The fragment as a whole is escaped with $ for %, and the filter's value once more inside it.
        const query = decodeURIComponent(match[2].replace("{{ .podName }}", "POD").replace(/\$/g, "%"));
        expect(query).toBe("?filterPattern=%22POD%22");
        expect(decodeURIComponent(query)).toBe('?filterPattern="POD"');
        // Flyte fills in the template variable, so it must stay as Flyte writes it.
        expect(templateUri.split("{{ .podName }}")).toHaveLength(2);
    });
});

// ---- Names ----

const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const PULUMI_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";

function randomString(rand: () => number, alphabet: string, length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) {
        s += alphabet[Math.floor(rand() * alphabet.length)];
    }
    return s;
}

/** A valid Pulumi project or stack name; lengths spread over short, medium and up to 100. */
function randomPulumiName(rand: () => number): string {
    const r = rand();
    const length = r < 0.4 ? 1 + Math.floor(rand() * 12) : r < 0.8 ? 13 + Math.floor(rand() * 40) : 53 + Math.floor(rand() * 48);
    const style = rand();
    if (style < 0.3) {
        return randomString(rand, "abcdefghijklmnopqrstuvwxyz0123456789-", length);
    }
    const name = randomString(rand, PULUMI_ALPHABET, length);
    // Some names start with a prefix S3 reserves.
    if (style > 0.9) {
        const prefixes = ["xn--", "sthree-", "amzn-s3-demo-", "XN--", "sthree_"];
        return `${prefixes[Math.floor(rand() * prefixes.length)]}${name}`.slice(0, 100);
    }
    return name;
}

const EDGE_PROJECTS = [
    "flyte",
    "a",
    "F",
    "1",
    "_",
    ".",
    "-",
    "FLYTE",
    "_flyte_",
    "-flyte-",
    "my.project_name-1",
    "xn--flyte",
    "sthree",
    "amzn",
    "x".repeat(100),
    "9".repeat(100),
    `${"a".repeat(99)}-`,
];

const EDGE_STACKS = [
    "a",
    "0",
    "_",
    ".",
    "-",
    "dev",
    "Dev",
    "PROD",
    "a_b",
    "a-b",
    "a.b",
    "s3-demo-x",
    "12345",
    "9".repeat(100),
    "z".repeat(100),
    `_${"x".repeat(98)}_`,
    "-dev-",
    "__",
    "--",
    "x.y_z-W",
];

const ACCOUNTS = ["123456789012", "000000000000", "999999999999"];
const REGIONS = ["eu-central-1", "us-east-1", "us-gov-west-1", "cn-northwest-1", "ap-southeast-5", "us-isob-east-1"];

// ---- AWS's rules ----

/** IAM role names: up to 64 of letters, digits and +=,.@_- . */
const IAM_ROLE = /^[\w+=,.@-]{1,64}$/;
/** RDS identifiers and parameter/subnet group names as we use them: a letter first, then lowercase letters, digits, single hyphens. */
const RDS_NAME = /^[a-z][a-z0-9-]*$/;
const EKS_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;

function awsViolations(names: AwsNames): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(what);
        }
    };
    for (const field of ["clusterRole", "nodeRole", "backendRole", "workerRole", "vpcCniRole", "cloudWatchRole"] as const) {
        check(IAM_ROLE.test(names[field]), `${field} ${names[field]} is not an IAM role name`);
    }
    for (const field of ["database", "databaseSubnetGroup", "databaseParameterGroup", "databaseFinalSnapshot"] as const) {
        const name = names[field];
        check(RDS_NAME.test(name), `${field} ${name} has bad characters`);
        check(!name.includes("--"), `${field} ${name} has two hyphens in a row`);
        check(!name.endsWith("-"), `${field} ${name} ends with a hyphen`);
        check(name.length <= 63, `${field} ${name} is longer than 63`);
    }
    check(EKS_NAME.test(names.cluster) && names.cluster.length <= 100, `cluster ${names.cluster} is not an EKS cluster name`);
    check(EKS_NAME.test(names.nodeGroup) && names.nodeGroup.length <= 63, `nodeGroup ${names.nodeGroup} is not a node group name`);
    check(
        /^alias\/[A-Za-z0-9/_-]+$/.test(names.secretsKeyAlias) && !names.secretsKeyAlias.startsWith("alias/aws/"),
        `secretsKeyAlias ${names.secretsKeyAlias} is not a KMS alias`,
    );
    check(names.databaseSecurityGroup.length <= 255, `databaseSecurityGroup ${names.databaseSecurityGroup} is too long`);
    check(names.network.length > 0 && names.network.length <= 63, `network ${names.network} has a bad length`);
    return problems;
}

function bucketViolations(name: string): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(`${name}: ${what}`);
        }
    };
    check(name.length >= 3 && name.length <= 63, "length not 3 to 63");
    check(S3_BUCKET.test(name), "bad characters or ends");
    check(!name.includes(".."), "two dots in a row");
    check(!/^(xn--|sthree-|amzn-s3-demo-)/.test(name), "reserved prefix");
    check(!/(-s3alias|--ol-s3|--x-s3|\.mrap)$/.test(name), "reserved suffix");
    check(!/^\d+\.\d+\.\d+\.\d+$/.test(name), "an IP address");
    return problems;
}

const rand = prng(20250301);
const SAMPLE = Array.from({ length: 40 }, () => {
    const pulumiProject = randomPulumiName(rand);
    const stacks = [...new Set(Array.from({ length: 12 }, () => randomPulumiName(rand)))];
    return { pulumiProject, stacks };
});
const COMBOS = [
    ...EDGE_PROJECTS.flatMap((pulumiProject) => EDGE_STACKS.map((stack) => ({ pulumiProject, stack }))),
    ...SAMPLE.flatMap((g) => g.stacks.map((stack) => ({ pulumiProject: g.pulumiProject, stack }))),
];

describe("names used below", () => {
    test("are valid Pulumi names, many of them, some long, odd or with a reserved S3 prefix", () => {
        const all = COMBOS.flatMap((c) => [c.pulumiProject, c.stack]);
        expect(all.filter((n) => !PULUMI_NAME.test(n))).toEqual([]);
        expect(COMBOS.length).toBeGreaterThanOrEqual(700);
        expect(COMBOS.some((c) => c.stack.length > 60)).toBe(true);
        expect(COMBOS.some((c) => /[A-Z_.]/.test(c.stack))).toBe(true);
        expect(COMBOS.some((c) => /^(xn--|sthree-|amzn-s3-demo-)/i.test(c.stack))).toBe(true);
    });
});

describe("awsNames", () => {
    test("AWS_LIMITS encodes AWS's limits", () => {
        expect(AWS_LIMITS).toEqual({ cluster: 100, dnsLabel: 63, iamRole: 64, bucket: 63 });
    });

    test("for a plain project and stack: the readable names", () => {
        expect(awsNames({ pulumiProject: "flyte", stack: "dev" })).toEqual({
            network: "flyte-dev",
            cluster: "flyte-dev",
            nodeGroup: "flyte-dev-nodes",
            clusterRole: "flyte-dev-eks-cluster",
            nodeRole: "flyte-dev-eks-nodes",
            backendRole: "flyte-dev-flyte-backend",
            workerRole: "flyte-dev-flyte-worker",
            coreRoles: {
                flyteadmin: "flyte-dev-flyte-admin",
                flytepropeller: "flyte-dev-flyte-propeller",
                datacatalog: "flyte-dev-flyte-catalog",
                flytescheduler: "flyte-dev-flyte-scheduler",
            },
            projectWorkerRolePrefix: "flyte-dev-tasks-",
            vpcCniRole: "flyte-dev-vpc-cni",
            cloudWatchRole: "flyte-dev-cloudwatch",
            database: "flyte-dev-pg",
            databaseSubnetGroup: "flyte-dev-pg",
            databaseParameterGroup: "flyte-dev-pg-tls",
            databaseSecurityGroup: "flyte-dev-pg",
            databaseFinalSnapshot: "flyte-dev-pg-final",
            secretsKeyAlias: "alias/flyte-dev-eks-secrets",
        });
    });

    test(`every combination (${COMBOS.length}) satisfies AWS's naming rules`, () => {
        const bad = COMBOS.flatMap((c) => awsViolations(awsNames(c)).map((v) => `${JSON.stringify(c)}: ${v}`));
        expect(bad).toEqual([]);
    });

    test("long names are cut to the limits exactly", () => {
        const names = awsNames({ pulumiProject: "x".repeat(100), stack: "y".repeat(100) });
        expect(names.cluster).toHaveLength(100);
        expect(names.nodeGroup).toHaveLength(63);
        expect(names.database).toHaveLength(63);
        expect(names.clusterRole).toHaveLength(64);
        expect(names.cloudWatchRole).toHaveLength(64);
        expect(names.clusterRole.endsWith("-eks-cluster")).toBe(true);
        expect(names.database.endsWith("-pg")).toBe(true);
    });

    test("is deterministic", () => {
        for (const c of COMBOS.slice(0, 100)) {
            expect(awsNames({ ...c })).toEqual(awsNames({ ...c }));
        }
    });

    test("the six IAM roles of a stack are distinct", () => {
        for (const c of COMBOS) {
            const n = awsNames(c);
            const roles = [n.clusterRole, n.nodeRole, n.backendRole, n.workerRole, n.vpcCniRole, n.cloudWatchRole];
            expect(new Set(roles).size).toBe(6);
        }
    });

    test("different stacks of one project get different account-wide names (IAM roles, cluster, database)", () => {
        const groups = [{ pulumiProject: "flyte", stacks: EDGE_STACKS }, ...SAMPLE];
        const fields = ["cluster", "nodeRole", "backendRole", "workerRole", "database", "databaseParameterGroup", "secretsKeyAlias"] as const;
        for (const group of groups) {
            const all = group.stacks.map((stack) => awsNames({ pulumiProject: group.pulumiProject, stack }));
            for (const field of fields) {
                expect({ field, distinct: new Set(all.map((n) => n[field])).size }).toEqual({
                    field,
                    distinct: group.stacks.length,
                });
            }
        }
    });
});

describe("s3BucketNames", () => {
    test("for a plain stack: <project>-<stack>-<account>-<region>-<purpose>", () => {
        expect(s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1" })).toEqual({
            metadata: "flyte-dev-123456789012-eu-central-1-metadata",
            userData: "flyte-dev-123456789012-eu-central-1-userdata",
            projects: {},
        });
    });

    test("names starting with a prefix S3 reserves get another start", () => {
        const sthree = s3BucketNames({ pulumiProject: "sthree", stack: "dev", accountId: "123456789012", region: "eu-central-1" });
        expect(sthree.metadata).toBe("b-sthree-dev-123456789012-eu-central-1-metadata");
        const demo = s3BucketNames({ pulumiProject: "amzn", stack: "s3-demo-x", accountId: "123456789012", region: "us-east-1" });
        expect(demo.userData).toBe("b-amzn-s3-demo-x-123456789012-us-east-1-userdata");
    });

    test(`every combination (${COMBOS.length}) in every region yields valid bucket names`, () => {
        const bad: string[] = [];
        COMBOS.forEach((c, i) => {
            const region = REGIONS[i % REGIONS.length];
            const accountId = ACCOUNTS[i % ACCOUNTS.length];
            const names = s3BucketNames({ ...c, accountId, region });
            bad.push(...bucketViolations(names.metadata), ...bucketViolations(names.userData));
            if (names.metadata === names.userData) {
                bad.push(`${JSON.stringify(c)}: metadata and user data share ${names.metadata}`);
            }
        });
        expect(bad).toEqual([]);
    });

    test("differ across accounts and regions for the same stack", () => {
        for (const c of COMBOS.filter((_, i) => i % 5 === 0)) {
            const seen = new Set<string>();
            for (const accountId of ACCOUNTS) {
                for (const region of REGIONS) {
                    const names = s3BucketNames({ ...c, accountId, region });
                    seen.add(names.metadata);
                    seen.add(names.userData);
                }
            }
            expect({ combo: c, distinct: seen.size }).toEqual({ combo: c, distinct: 2 * ACCOUNTS.length * REGIONS.length });
        }
    });

    test("differ across stacks of one project in one account and region", () => {
        const groups = [{ pulumiProject: "flyte", stacks: EDGE_STACKS }, ...SAMPLE];
        for (const group of groups) {
            const names = group.stacks.map((stack) =>
                s3BucketNames({ pulumiProject: group.pulumiProject, stack, accountId: "123456789012", region: "eu-central-1" }),
            );
            expect(new Set(names.map((n) => n.metadata)).size).toBe(group.stacks.length);
            expect(new Set(names.map((n) => n.userData)).size).toBe(group.stacks.length);
        }
    });

    test("is deterministic", () => {
        for (const c of COMBOS.slice(0, 100)) {
            const args = { ...c, accountId: "123456789012", region: "us-gov-west-1" };
            expect(s3BucketNames({ ...args })).toEqual(s3BucketNames({ ...args }));
        }
    });
});

describe("fixes for names and links AWS would reject", () => {
    test("security group names never start with sg-", () => {
        expect(awsNames({ pulumiProject: "sg", stack: "dev" }).databaseSecurityGroup).toBe("db-sg-dev-pg");
        expect(awsNames({ pulumiProject: "flyte", stack: "dev" }).databaseSecurityGroup).toBe("flyte-dev-pg");
    });

    test.each([
        ["us-east-1", "https://us-east-1.console.aws.amazon.com/"],
        ["us-gov-west-1", "https://console.amazonaws-us-gov.com/"],
        ["cn-north-1", "https://console.amazonaws.cn/"],
    ])("the CloudWatch link for %s uses that partition's console", (region, prefix) => {
        expect(cloudWatchTaskLogLink({ region, clusterName: "c" }).templateUri.startsWith(prefix)).toBe(true);
    });

    test.each([["10.0.0.0/24"], ["10.0.0.0/28"]])("subnetLayout refuses %s: its public subnets would be under /28", (cidr) => {
        expect(() => subnetLayout(cidr, 3)).toThrow("too small");
    });

    test("subnetLayout accepts a /22 (public /28s)", () => {
        expect(subnetLayout("10.0.0.0/22", 2).public).toEqual(["10.0.1.0/28", "10.0.1.16/28"]);
    });
});
