import {
    AWS_LIMITS,
    awsNames,
    AwsNames,
    COGNITO_DOMAIN_SUFFIX_LENGTH,
    cognitoDomainPrefix,
    cognitoDomainPrefixProblem,
    httpsEndpointNames,
    HttpsEndpointNames,
    messagingNames,
    MessagingNames,
    registryNames,
    PROJECT_WORKER_MAX_AWS,
    s3BucketNames,
} from "../../../components/aws/names";
import { shortHash } from "../../../components/shared/names";
import { EDGE_COMBOS, EDGE_PROJECTS, EDGE_STACKS, PULUMI_NAME, randomPulumiName } from "../../helpers/names";
import { prng } from "../../helpers/random";

/**
 * AWS names derived from the Pulumi project and stack (components/aws/names.ts) must be valid for every valid
 * input, stable, and unique per stack: IAM roles, the cluster, RDS, KMS, and S3 buckets per account and region.
 */

// ---- Inputs ----

/** One in ten random names starts with a prefix S3 reserves. */
function s3Oddity(name: string, rand: () => number): string {
    const prefixes = ["xn--", "sthree-", "amzn-s3-demo-", "XN--", "sthree_"];
    return `${prefixes[Math.floor(rand() * prefixes.length)]}${name}`.slice(0, 100);
}

const ACCOUNTS = ["123456789012", "000000000000", "999999999999"];
const REGIONS = ["eu-central-1", "us-east-1", "us-gov-west-1", "cn-northwest-1", "ap-southeast-5", "us-isob-east-1"];

const rand = prng(20250301);
const SAMPLE = Array.from({ length: 40 }, () => {
    const pulumiProject = randomPulumiName(rand, s3Oddity);
    const stacks = [...new Set(Array.from({ length: 12 }, () => randomPulumiName(rand, s3Oddity)))];
    return { pulumiProject, stacks };
});
const COMBOS = [...EDGE_COMBOS, ...SAMPLE.flatMap((g) => g.stacks.map((stack) => ({ pulumiProject: g.pulumiProject, stack })))];

/** Flyte project ids that fit an IAM role with isolation (DNS labels of at most 33), including some S3 dislikes at the end of a name. */
const ISOLATED_PROJECTS = [
    "x",
    "0",
    "x-y",
    "p".repeat(PROJECT_WORKER_MAX_AWS),
    "9".repeat(PROJECT_WORKER_MAX_AWS),
    `a${"-".repeat(PROJECT_WORKER_MAX_AWS - 2)}b`,
    "metadata",
    "userdata",
    "xn--ab",
    "sthree-x",
    "amzn-s3-demo-x",
    "x-s3alias",
    "a--ol-s3",
    "a--x-s3",
    "a--table-s3",
    "flytesnacks",
];
const ISOLATION_ACCOUNTS = ["123456789012", "000000000000"];
const ISOLATION_REGIONS = ["eu-central-1", "us-gov-west-1", "cn-northwest-1", "ap-southeast-5"];

// ---- AWS's rules ----

/** IAM role names: up to 64 of letters, digits and +=,.@_- . */
const IAM_ROLE = /^[\w+=,.@-]{1,64}$/;
/** RDS identifiers and parameter/subnet group names as we use them: a letter first, then lowercase letters, digits, single hyphens. */
const RDS_NAME = /^[a-z][a-z0-9-]*$/;
const EKS_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

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

/** S3's general purpose bucket naming rules, each broken one as `<label>: <rule>`. */
function s3BucketProblems(label: string, name: string): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(`${label}: ${what}`);
        }
    };
    check(name.length >= 3 && name.length <= 63, "length not 3 to 63");
    check(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name), "bad characters or ends");
    check(!name.includes(".."), "two dots in a row");
    check(!/^(xn--|sthree-|amzn-s3-demo-)/.test(name), "a reserved prefix");
    check(!/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name), "a reserved suffix");
    check(!/^\d+\.\d+\.\d+\.\d+$/.test(name), "an IP address");
    return problems;
}

// ---- Tests ----

describe("names used below", () => {
    test("are valid Pulumi names, many of them, some long, odd or with a reserved S3 prefix", () => {
        const all = COMBOS.flatMap((c) => [c.pulumiProject, c.stack]);
        expect(all.filter((n) => !PULUMI_NAME.test(n))).toEqual([]);
        expect(COMBOS.length).toBeGreaterThanOrEqual(700);
        expect(COMBOS.some((c) => c.stack.length > 60)).toBe(true);
        expect(COMBOS.some((c) => /[A-Z_.]/.test(c.stack))).toBe(true);
        expect(COMBOS.some((c) => /^(xn--|sthree-|amzn-s3-demo-)/i.test(c.stack))).toBe(true);
    });

    test("the isolated project ids are DNS labels within AWS's isolation limit", () => {
        expect(ISOLATED_PROJECTS.filter((p) => !DNS_LABEL.test(p) || p.length > PROJECT_WORKER_MAX_AWS)).toEqual([]);
        expect(ISOLATED_PROJECTS.some((p) => p.length === PROJECT_WORKER_MAX_AWS)).toBe(true);
    });
});

describe("awsNames", () => {
    test("AWS_LIMITS encodes AWS's limits", () => {
        expect(AWS_LIMITS).toEqual({
            cluster: 100,
            dnsLabel: 63,
            iamRole: 64,
            bucket: 63,
            loadBalancer: 32,
            userPool: 128,
            cognitoDomain: 63,
            snsTopic: 256,
            sqsQueue: 80,
            ecrRepository: 256,
            kmsAlias: 256,
        });
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

    test("security group names never start with sg-", () => {
        expect(awsNames({ pulumiProject: "sg", stack: "dev" }).databaseSecurityGroup).toBe("db-sg-dev-pg");
        expect(awsNames({ pulumiProject: "flyte", stack: "dev" }).databaseSecurityGroup).toBe("flyte-dev-pg");
    });
});

describe("awsNames: flyte-core and project worker roles", () => {
    test(`each component's role name is valid and distinct from the stack's other roles, for ${EDGE_COMBOS.length} edge combinations`, () => {
        const bad: string[] = [];
        for (const c of EDGE_COMBOS) {
            const names = awsNames(c);
            for (const [component, role] of Object.entries(names.coreRoles)) {
                if (!IAM_ROLE.test(role)) {
                    bad.push(`${component} ${role} of ${JSON.stringify(c)}`);
                }
            }
            const all = [...Object.values(names.coreRoles), names.clusterRole, names.nodeRole, names.backendRole, names.workerRole, names.vpcCniRole, names.cloudWatchRole];
            if (new Set(all).size !== all.length) {
                bad.push(`roles of ${JSON.stringify(c)} collide: ${all.join(", ")}`);
            }
        }
        expect(bad).toEqual([]);
    });

    test("the worker role prefix plus any project id of up to 33 characters is a valid role name of at most 64", () => {
        const bad: string[] = [];
        for (const c of EDGE_COMBOS) {
            const names = awsNames(c);
            expect(names.projectWorkerRolePrefix.endsWith("-tasks-")).toBe(true);
            expect(names.projectWorkerRolePrefix.length).toBeLessThanOrEqual(64 - PROJECT_WORKER_MAX_AWS);
            for (const project of ISOLATED_PROJECTS) {
                const role = `${names.projectWorkerRolePrefix}${project}`;
                if (!IAM_ROLE.test(role)) {
                    bad.push(`${role} (${JSON.stringify(c)})`);
                }
            }
        }
        expect(bad).toEqual([]);
    });

    test("different stacks get different worker role prefixes", () => {
        for (const pulumiProject of EDGE_PROJECTS) {
            const prefixes = EDGE_STACKS.map((stack) => awsNames({ pulumiProject, stack }).projectWorkerRolePrefix);
            expect({ pulumiProject, distinct: new Set(prefixes).size }).toEqual({ pulumiProject, distinct: EDGE_STACKS.length });
        }
    });

    test("PROJECT_WORKER_MAX_AWS keeps worker names within an IAM role name", () => {
        expect(PROJECT_WORKER_MAX_AWS).toBe(33);
        expect(awsNames({ pulumiProject: "flyte", stack: "dev" }).projectWorkerRolePrefix.length + PROJECT_WORKER_MAX_AWS).toBeLessThanOrEqual(64);
    });
});

/**
 * ELB: load balancer and target group names of up to 32 alphanumerics and hyphens, no hyphen at either end, and a
 * load balancer's not starting with `internal-`
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
 */
const ELB_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/;
/** Cognito user pool names (CreateUserPool's PoolName). */
const USER_POOL_NAME = /^[\w\s+=,.@-]{1,128}$/;

/** The digits a derived Cognito prefix ends with, of the length the program asks RandomString for. */
const SUFFIXES = ["00000000", "99999999", "40718253"];

function httpsViolations(names: HttpsEndpointNames): string[] {
    const problems: string[] = [];
    const check = (ok: boolean, what: string) => {
        if (!ok) {
            problems.push(what);
        }
    };
    for (const field of ["loadBalancer", "httpTargetGroup", "grpcTargetGroup"] as const) {
        check(ELB_NAME.test(names[field]), `${field} ${names[field]} is not an ELB name`);
    }
    check(!names.loadBalancer.startsWith("internal-"), `loadBalancer ${names.loadBalancer} starts with internal-`);
    check(names.httpTargetGroup !== names.grpcTargetGroup, "the target groups share a name");
    const sg = names.loadBalancerSecurityGroup;
    check(sg.length <= 255 && !sg.startsWith("sg-") && /^[\x20-\x7e]+$/.test(sg), `loadBalancerSecurityGroup ${sg} is not a security group name`);
    check(USER_POOL_NAME.test(names.userPool), `userPool ${names.userPool} is not a user pool name`);
    for (const suffix of SUFFIXES) {
        const prefix = cognitoDomainPrefix(names.cognitoDomainBase, suffix);
        const problem = cognitoDomainPrefixProblem(prefix);
        check(problem === undefined, `Cognito domain prefix ${prefix} ${problem ?? ""}`);
    }
    return problems;
}

describe("httpsEndpointNames", () => {
    test("for a plain project and stack: the readable names", () => {
        expect(httpsEndpointNames({ pulumiProject: "flyte", stack: "dev" })).toEqual({
            loadBalancer: "flyte-dev-alb",
            httpTargetGroup: "flyte-dev-http",
            grpcTargetGroup: "flyte-dev-grpc",
            loadBalancerSecurityGroup: "flyte-dev-alb",
            userPool: "flyte-dev-flyte-users",
            cognitoDomainBase: "flyte-dev",
        });
    });

    test(`every combination (${COMBOS.length}) satisfies ELB's, EC2's and Cognito's naming rules`, () => {
        const bad = COMBOS.flatMap((c) => httpsViolations(httpsEndpointNames(c)).map((v) => `${JSON.stringify(c)}: ${v}`));
        expect(bad).toEqual([]);
    });

    test("long names are cut to ELB's 32 characters and leave room for the Cognito suffix", () => {
        const names = httpsEndpointNames({ pulumiProject: "x".repeat(100), stack: "y".repeat(100) });
        expect(names.loadBalancer).toHaveLength(32);
        expect(names.httpTargetGroup).toHaveLength(32);
        expect(names.loadBalancer.endsWith("-alb")).toBe(true);
        expect(cognitoDomainPrefix(names.cognitoDomainBase, "12345678")).toHaveLength(AWS_LIMITS.cognitoDomain);
        expect(COGNITO_DOMAIN_SUFFIX_LENGTH).toBe(8);
    });

    test("a load balancer never starts with internal-, a security group never with sg-", () => {
        expect(httpsEndpointNames({ pulumiProject: "internal", stack: "dev" }).loadBalancer).toBe("lb-internal-dev-alb");
        expect(httpsEndpointNames({ pulumiProject: "sg", stack: "dev" }).loadBalancerSecurityGroup).toBe("lb-sg-dev-alb");
        expect(httpsEndpointNames({ pulumiProject: "internals", stack: "dev" }).loadBalancer).toBe("internals-dev-alb");
    });

    test("Cognito's reserved words are taken out of the domain base", () => {
        expect(httpsEndpointNames({ pulumiProject: "aws-flyte", stack: "cognito" }).cognitoDomainBase).toBe("x-flyte-x");
        expect(httpsEndpointNames({ pulumiProject: "amazon", stack: "dev" }).cognitoDomainBase).toBe("x-dev");
    });

    test("different stacks of one project get different region-wide names (ALB, target groups, user pool, domain base)", () => {
        const groups = [{ pulumiProject: "flyte", stacks: EDGE_STACKS }, ...SAMPLE];
        const fields = ["loadBalancer", "httpTargetGroup", "grpcTargetGroup", "userPool", "cognitoDomainBase"] as const;
        for (const group of groups) {
            const all = group.stacks.map((stack) => httpsEndpointNames({ pulumiProject: group.pulumiProject, stack }));
            for (const field of fields) {
                expect({ field, distinct: new Set(all.map((n) => n[field])).size }).toEqual({ field, distinct: group.stacks.length });
            }
        }
    });
});

/** SNS topic names (CreateTopic's Name): 1 to 256 letters, digits, hyphens and underscores. */
const SNS_TOPIC = /^[A-Za-z0-9_-]{1,256}$/;
/** SQS standard queue names (CreateQueue's QueueName): 1 to 80 letters, digits, hyphens and underscores. */
const SQS_QUEUE = /^[A-Za-z0-9_-]{1,80}$/;

function messagingViolations(names: MessagingNames): string[] {
    const problems: string[] = [];
    for (const field of ["notificationsTopic", "eventsTopic"] as const) {
        if (!SNS_TOPIC.test(names[field])) {
            problems.push(`${field} ${names[field]} is not an SNS topic name`);
        }
    }
    for (const field of ["notificationsQueue", "notificationsDeadLetterQueue"] as const) {
        if (!SQS_QUEUE.test(names[field])) {
            problems.push(`${field} ${names[field]} is not an SQS queue name`);
        }
    }
    if (names.notificationsTopic === names.eventsTopic) {
        problems.push(`the topics share ${names.eventsTopic}`);
    }
    if (names.notificationsQueue === names.notificationsDeadLetterQueue) {
        problems.push(`the queues share ${names.notificationsQueue}`);
    }
    return problems;
}

describe("messagingNames", () => {
    test("for a plain project and stack: the readable names", () => {
        expect(messagingNames({ pulumiProject: "flyte", stack: "dev" })).toEqual({
            notificationsTopic: "flyte-dev-flyte-notifications",
            notificationsQueue: "flyte-dev-flyte-notifications",
            notificationsDeadLetterQueue: "flyte-dev-flyte-notifications-dlq",
            eventsTopic: "flyte-dev-flyte-execution-events",
        });
    });

    test(`every combination (${COMBOS.length}) satisfies SNS's and SQS's naming rules`, () => {
        const bad = COMBOS.flatMap((c) => messagingViolations(messagingNames(c)).map((v) => `${JSON.stringify(c)}: ${v}`));
        expect(bad).toEqual([]);
    });

    test("long names are cut to SQS's 80 characters, and SNS's 256 leave the topics whole", () => {
        const names = messagingNames({ pulumiProject: "x".repeat(100), stack: "y".repeat(100) });
        expect(names.notificationsQueue).toHaveLength(AWS_LIMITS.sqsQueue);
        expect(names.notificationsDeadLetterQueue).toHaveLength(AWS_LIMITS.sqsQueue);
        expect(names.notificationsDeadLetterQueue.endsWith("-flyte-notifications-dlq")).toBe(true);
        expect(names.notificationsTopic).toBe(`${"x".repeat(100)}-${"y".repeat(100)}-flyte-notifications`);
        expect(names.eventsTopic.length).toBeLessThanOrEqual(AWS_LIMITS.snsTopic);
    });

    test("different stacks of one project get different region-wide names (topics and queues)", () => {
        const groups = [{ pulumiProject: "flyte", stacks: EDGE_STACKS }, ...SAMPLE];
        const fields = ["notificationsTopic", "notificationsQueue", "notificationsDeadLetterQueue", "eventsTopic"] as const;
        for (const group of groups) {
            const all = group.stacks.map((stack) => messagingNames({ pulumiProject: group.pulumiProject, stack }));
            for (const field of fields) {
                expect({ field, distinct: new Set(all.map((n) => n[field])).size }).toEqual({ field, distinct: group.stacks.length });
            }
        }
    });
});

describe("cognitoDomainPrefixProblem", () => {
    test.each([["flyte"], ["acme-flyte-prod"], ["a"], ["0"], ["x".repeat(63)]])("accepts %s", (prefix) => {
        expect(cognitoDomainPrefixProblem(prefix)).toBeUndefined();
    });

    test.each([
        ["", /lowercase letters/],
        ["-flyte", /no hyphen at either end/],
        ["flyte-", /no hyphen at either end/],
        ["Flyte", /lowercase letters/],
        ["flyte.dev", /lowercase letters/],
        ["x".repeat(64), /1 to 63/],
        ["my-aws-flyte", /"aws"/],
        ["amazonflyte", /"amazon"/],
        ["flyte-cognito", /"cognito"/],
    ])("refuses %j", (prefix, message) => {
        expect(cognitoDomainPrefixProblem(prefix)).toMatch(message);
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
            bad.push(...s3BucketProblems(names.metadata, names.metadata), ...s3BucketProblems(names.userData, names.userData));
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

describe("s3BucketNames: per-project buckets", () => {
    /** Each offending project id once, with what is wrong with its bucket (whatever the stack). */
    const offences = (projects: readonly string[]): string[] => {
        const bad = new Set<string>();
        for (const c of EDGE_COMBOS) {
            for (const accountId of ISOLATION_ACCOUNTS) {
                for (const region of ISOLATION_REGIONS) {
                    const names = s3BucketNames({ ...c, accountId, region, projects });
                    for (const p of projects) {
                        for (const problem of s3BucketProblems(`${p} <bucket>`, names.projects[p])) {
                            bad.add(problem);
                        }
                    }
                    const all = [names.metadata, names.userData, ...projects.map((p) => names.projects[p])];
                    if (new Set(all).size !== all.length) {
                        bad.add(`buckets of ${JSON.stringify({ ...c, accountId, region })} collide`);
                    }
                }
            }
        }
        return [...bad];
    };
    const RESERVED_ENDING = /(-s3alias|--ol-s3|--x-s3|--table-s3)$/;

    test("one data bucket per project, distinct from the shared ones", () => {
        const names = s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1", projects: ["x", "y"] });
        expect(names).toEqual({
            metadata: "flyte-dev-123456789012-eu-central-1-metadata",
            userData: "flyte-dev-123456789012-eu-central-1-userdata",
            projects: { x: "flyte-dev-123456789012-eu-central-1-data-x", y: "flyte-dev-123456789012-eu-central-1-data-y" },
        });
        expect(s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1" }).projects).toEqual({});
        const long = s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1", projects: ["p".repeat(33)] });
        expect(long.projects["p".repeat(33)].length).toBeLessThanOrEqual(63);
    });

    test("every project's bucket is a valid S3 bucket name, distinct from the others, for edge stacks, accounts and regions", () => {
        expect(offences(ISOLATED_PROJECTS.filter((p) => !RESERVED_ENDING.test(p)))).toEqual([]);
    });

    test("project ids ending like S3's reserved suffixes (valid Flyte ids) still get valid bucket names", () => {
        const reserved = ISOLATED_PROJECTS.filter((p) => RESERVED_ENDING.test(p));
        expect(reserved).toEqual(["x-s3alias", "a--ol-s3", "a--x-s3", "a--table-s3"]);
        expect(offences(reserved)).toEqual([]);
    });

    test("such a project's bucket is data-<project>-<4 hex of the id>; ids merely close to a reserved suffix keep data-<project>", () => {
        const base = { pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1" };
        const reserved = ["x-s3alias", "a--ol-s3", "a--x-s3", "a--table-s3"];
        const near = ["s3alias", "x-s3alias-1", "a-ol-s3", "a--x-s3x", "table-s3", "x-s3"];
        const names = s3BucketNames({ ...base, projects: [...reserved, ...near] });
        for (const p of reserved) {
            expect(names.projects[p]).toBe(`flyte-dev-123456789012-eu-central-1-data-${p}-${shortHash(p, 4)}`);
        }
        for (const p of near) {
            expect(names.projects[p]).toBe(`flyte-dev-123456789012-eu-central-1-data-${p}`);
        }
        // The hash comes from the id, so the name stays the same from one plan to the next.
        expect(s3BucketNames({ ...base, projects: ["x-s3alias"] }).projects["x-s3alias"]).toBe(names.projects["x-s3alias"]);
    });

    test("a project's bucket differs between stacks, accounts and regions", () => {
        const project = "p".repeat(PROJECT_WORKER_MAX_AWS);
        const base = { pulumiProject: "flyte", accountId: "123456789012", region: "eu-central-1", projects: [project] };
        const byStack = EDGE_STACKS.map((stack) => s3BucketNames({ ...base, stack }).projects[project]);
        expect(new Set(byStack).size).toBe(EDGE_STACKS.length);
        expect(s3BucketNames({ ...base, stack: "dev", accountId: "000000000000" }).projects[project]).not.toBe(
            s3BucketNames({ ...base, stack: "dev" }).projects[project],
        );
        expect(s3BucketNames({ ...base, stack: "dev", region: "us-east-1" }).projects[project]).not.toBe(s3BucketNames({ ...base, stack: "dev" }).projects[project]);
    });
});

/** ECR repository names (CreateRepository): 2 to 256, lowercase alphanumerics separated by single . _ - or /. */
const ECR_REPOSITORY = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
const KMS_ALIAS = /^alias\/[A-Za-z0-9/_-]+$/;

describe("registryNames", () => {
    test("for a plain project and stack: the readable names", () => {
        expect(registryNames({ pulumiProject: "flyte", stack: "dev" })).toEqual({
            repository: "flyte-dev-task-images",
            keyAlias: "alias/flyte-dev-task-images",
            ciPushRole: "flyte-dev-ci-push",
        });
    });

    test(`every combination (${COMBOS.length}) satisfies ECR's, KMS's and IAM's naming rules`, () => {
        const bad = COMBOS.flatMap((c) => {
            const n = registryNames(c);
            return [
                ECR_REPOSITORY.test(n.repository) && n.repository.length >= 2 && n.repository.length <= 256 ? [] : [`repository ${n.repository}`],
                KMS_ALIAS.test(n.keyAlias) && n.keyAlias.length <= 256 && !n.keyAlias.startsWith("alias/aws/") ? [] : [`keyAlias ${n.keyAlias}`],
                IAM_ROLE.test(n.ciPushRole) ? [] : [`ciPushRole ${n.ciPushRole}`],
                n.ciPushRole === awsNames(c).nodeRole || Object.values(awsNames(c).coreRoles).includes(n.ciPushRole) ? [`ciPushRole ${n.ciPushRole} collides`] : [],
            ].flat().map((v) => `${JSON.stringify(c)}: ${v}`);
        });
        expect(bad).toEqual([]);
    });

    test("different stacks of one project get different names", () => {
        for (const group of [{ pulumiProject: "flyte", stacks: EDGE_STACKS }, ...SAMPLE]) {
            const all = group.stacks.map((stack) => registryNames({ pulumiProject: group.pulumiProject, stack }));
            for (const field of ["repository", "keyAlias", "ciPushRole"] as const) {
                expect({ field, distinct: new Set(all.map((n) => n[field])).size }).toEqual({ field, distinct: group.stacks.length });
            }
        }
    });
});
