import { deploymentName, fitName, shortHash } from "../shared/names";
import type { CoreIdentityNames } from "../contract/identities";

/** AWS resource names of a deployment, each valid for its API whatever the project and stack names. */

export interface AwsNames {
    /** Name tag prefix of the network resources. */
    readonly network: string;
    readonly cluster: string;
    readonly nodeGroup: string;
    readonly clusterRole: string;
    readonly nodeRole: string;
    readonly backendRole: string;
    readonly workerRole: string;
    /** flyte-core: one IRSA role per component. */
    readonly coreRoles: CoreIdentityNames;
    /** With project isolation: project p's task pods run as role `<projectWorkerRolePrefix><p>`. */
    readonly projectWorkerRolePrefix: string;
    readonly vpcCniRole: string;
    readonly cloudWatchRole: string;
    readonly database: string;
    readonly databaseSubnetGroup: string;
    readonly databaseParameterGroup: string;
    readonly databaseSecurityGroup: string;
    readonly databaseFinalSnapshot: string;
    readonly secretsKeyAlias: string;
}

/** Limits from the AWS APIs. */
export const AWS_LIMITS = {
    /** EKS cluster names. */
    cluster: 100,
    /** Node group, RDS identifier and security group names we keep within a DNS label. */
    dnsLabel: 63,
    iamRole: 64,
    bucket: 63,
    /** Application Load Balancer and target group names. */
    loadBalancer: 32,
    /** Cognito user pool names. */
    userPool: 128,
    /** A Cognito prefix domain (`<prefix>.auth.<region>.amazoncognito.com`). */
    cognitoDomain: 63,
    /** SNS topic names: letters, digits, hyphens and underscores (CreateTopic). */
    snsTopic: 256,
    /** SQS queue names: letters, digits, hyphens and underscores (CreateQueue). */
    sqsQueue: 80,
    /** ECR repository names (CreateRepository: 2 to 256 lowercase letters, digits and separators). */
    ecrRepository: 256,
    /** KMS alias names, `alias/` included (CreateAlias). */
    kmsAlias: 256,
} as const;

export function awsNames(args: { pulumiProject: string; stack: string }): AwsNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    return {
        network: fitName(base, "", AWS_LIMITS.dnsLabel),
        cluster: fitName(base, "", AWS_LIMITS.cluster),
        nodeGroup: fitName(base, "nodes", AWS_LIMITS.dnsLabel),
        clusterRole: fitName(base, "eks-cluster", AWS_LIMITS.iamRole),
        nodeRole: fitName(base, "eks-nodes", AWS_LIMITS.iamRole),
        backendRole: fitName(base, "flyte-backend", AWS_LIMITS.iamRole),
        workerRole: fitName(base, "flyte-worker", AWS_LIMITS.iamRole),
        coreRoles: {
            flyteadmin: fitName(base, "flyte-admin", AWS_LIMITS.iamRole),
            flytepropeller: fitName(base, "flyte-propeller", AWS_LIMITS.iamRole),
            datacatalog: fitName(base, "flyte-catalog", AWS_LIMITS.iamRole),
            flytescheduler: fitName(base, "flyte-scheduler", AWS_LIMITS.iamRole),
        },
        projectWorkerRolePrefix: `${fitName(base, "", 24)}-tasks-`,
        vpcCniRole: fitName(base, "vpc-cni", AWS_LIMITS.iamRole),
        cloudWatchRole: fitName(base, "cloudwatch", AWS_LIMITS.iamRole),
        database: fitName(base, "pg", AWS_LIMITS.dnsLabel),
        databaseSubnetGroup: fitName(base, "pg", AWS_LIMITS.dnsLabel),
        databaseParameterGroup: fitName(base, "pg-tls", AWS_LIMITS.dnsLabel),
        // EC2 refuses security group names that start with "sg-" (its id prefix).
        databaseSecurityGroup: fitName(securityGroupSafe(base, "db"), "pg", AWS_LIMITS.dnsLabel),
        databaseFinalSnapshot: fitName(base, "pg-final", AWS_LIMITS.dnsLabel),
        secretsKeyAlias: `alias/${fitName(base, "eks-secrets", AWS_LIMITS.dnsLabel)}`,
    };
}

/** EC2 refuses security group names that start with "sg-" (its id prefix). */
function securityGroupSafe(base: string, prefix: string): string {
    return base.startsWith("sg-") ? `${prefix}-${base}` : base;
}

/** Names of the HTTPS endpoint's AWS resources (with `flyte:dnsName`). */
export interface HttpsEndpointNames {
    /** The Application Load Balancer: at most 32 characters, never starting with `internal-`. */
    readonly loadBalancer: string;
    /** The target group of Flyte's HTTP NodePort (32 characters at most, like every target group). */
    readonly httpTargetGroup: string;
    /** The target group of Flyte's gRPC NodePort. */
    readonly grpcTargetGroup: string;
    /** The load balancer's own security group. */
    readonly loadBalancerSecurityGroup: string;
    /** The Cognito user pool (with `flyte:authentication` cognito). */
    readonly userPool: string;
    /**
     * The start of a derived Cognito domain prefix: `cognitoDomainPrefix(base, suffix)` appends a random suffix of
     * COGNITO_DOMAIN_SUFFIX_LENGTH digits, since prefixes are unique across all of AWS in a region.
     */
    readonly cognitoDomainBase: string;
}

/** Digits of the random suffix of a derived Cognito domain prefix. */
export const COGNITO_DOMAIN_SUFFIX_LENGTH = 8;

/**
 * Words Cognito refuses in a domain prefix
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
 */
const COGNITO_RESERVED_WORDS = /aws|amazon|cognito/g;
/** CreateUserPoolDomain's pattern (https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_CreateUserPoolDomain.html). */
const COGNITO_DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** What is wrong with a Cognito domain prefix, or undefined when Cognito accepts it. */
export function cognitoDomainPrefixProblem(prefix: string): string | undefined {
    if (!COGNITO_DOMAIN_PATTERN.test(prefix)) {
        return `must be 1 to ${AWS_LIMITS.cognitoDomain} lowercase letters, digits and hyphens, with no hyphen at either end`;
    }
    const reserved = prefix.match(COGNITO_RESERVED_WORDS);
    if (reserved) {
        return `must not contain ${reserved.map((w) => `"${w}"`).join(", ")} (Cognito reserves aws, amazon and cognito)`;
    }
    return undefined;
}

/** A derived Cognito domain prefix: the deployment's base and a random suffix of digits, e.g. `flyte-dev-40718253`. */
export function cognitoDomainPrefix(base: string, suffix: string): string {
    return `${base}-${suffix}`;
}

export function httpsEndpointNames(args: { pulumiProject: string; stack: string }): HttpsEndpointNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    const lb = fitName(base, "alb", AWS_LIMITS.loadBalancer);
    // Digits or hex after a hyphen cannot form a reserved word, so replacing them in the base is enough.
    const cognitoBase = base.replace(COGNITO_RESERVED_WORDS, "x");
    return {
        // ELB refuses load balancer names that start with "internal-" (the prefix of internal ALBs' DNS names).
        loadBalancer: lb.startsWith("internal-") ? fitName(`lb-${base}`, "alb", AWS_LIMITS.loadBalancer) : lb,
        httpTargetGroup: fitName(base, "http", AWS_LIMITS.loadBalancer),
        grpcTargetGroup: fitName(base, "grpc", AWS_LIMITS.loadBalancer),
        loadBalancerSecurityGroup: fitName(securityGroupSafe(base, "lb"), "alb", AWS_LIMITS.dnsLabel),
        userPool: fitName(base, "flyte-users", AWS_LIMITS.userPool),
        cognitoDomainBase: fitName(cognitoBase, "", AWS_LIMITS.cognitoDomain - 1 - COGNITO_DOMAIN_SUFFIX_LENGTH),
    };
}

/** Project ids that fit in a per-project IAM role name: 64 characters, of which the prefix takes up to 31. */
export const PROJECT_WORKER_MAX_AWS = 33;

/** S3 reserves some suffixes for its own bucket kinds (access point aliases, directory and table buckets). */
const S3_RESERVED_SUFFIXES = /(-s3alias|--ol-s3|--x-s3|--table-s3)$/;

/**
 * A name part that does not end like a reserved suffix; a hash of itself keeps it unique when changed. Config
 * validation rejects two projects whose parts coincide.
 */
export function s3SafeSuffix(part: string): string {
    return S3_RESERVED_SUFFIXES.test(part) ? `${part}-${shortHash(part, 4)}` : part;
}

/** S3 reserves some prefixes for its own bucket kinds. */
function s3Safe(name: string): string {
    return /^(sthree-|amzn-s3-demo-|xn--)/.test(name) ? `b-${name}` : name;
}

/**
 * S3 bucket names are global: the account id and region make them unique to this deployment, and stay the
 * same on every run.
 */
export function s3BucketNames(args: {
    pulumiProject: string;
    stack: string;
    accountId: string;
    region: string;
    /** With project isolation: the projects that get a data bucket of their own. */
    projects?: readonly string[];
}): { metadata: string; userData: string; projects: Record<string, string> } {
    const base = s3Safe(`${deploymentName(args.pulumiProject, args.stack)}-${args.accountId}-${args.region}`);
    return {
        metadata: fitName(base, "metadata", AWS_LIMITS.bucket),
        userData: fitName(base, "userdata", AWS_LIMITS.bucket),
        projects: Object.fromEntries((args.projects ?? []).map((p) => [p, fitName(base, `data-${s3SafeSuffix(p)}`, AWS_LIMITS.bucket)])),
    };
}

/** Names of flyteadmin's messaging (with `flyte:notifications` or `flyte:executionEvents`), unique per account and region. */
export interface MessagingNames {
    /** The SNS topic flyteadmin publishes a launch plan's notifications to. */
    readonly notificationsTopic: string;
    /** The SQS queue subscribed to it, which flyteadmin consumes to send the emails. */
    readonly notificationsQueue: string;
    /** Where the queue moves messages flyteadmin failed to consume. */
    readonly notificationsDeadLetterQueue: string;
    /** The SNS topic of Flyte's execution events, which other teams subscribe to. */
    readonly eventsTopic: string;
}

/**
 * SNS topic names of up to 256 and SQS queue names of up to 80 letters, digits, hyphens and underscores
 * (https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html); the deployment's
 * base has only lowercase letters, digits and hyphens.
 */
export function messagingNames(args: { pulumiProject: string; stack: string }): MessagingNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    return {
        notificationsTopic: fitName(base, "flyte-notifications", AWS_LIMITS.snsTopic),
        notificationsQueue: fitName(base, "flyte-notifications", AWS_LIMITS.sqsQueue),
        notificationsDeadLetterQueue: fitName(base, "flyte-notifications-dlq", AWS_LIMITS.sqsQueue),
        eventsTopic: fitName(base, "flyte-execution-events", AWS_LIMITS.snsTopic),
    };
}

/** Names of the task image registry (with `flyte:registry`), unique per account and region. */
export interface RegistryNames {
    /** The ECR repository task images are pushed to. */
    readonly repository: string;
    /** The alias of the repository's KMS key. */
    readonly keyAlias: string;
    /** The IAM role GitHub Actions pushes as (with `flyte:ciGithubRepository`). */
    readonly ciPushRole: string;
}

/**
 * ECR repository names: 2 to 256 lowercase letters and digits, separated by single `.`, `_`, `-` or `/`
 * (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html); the deployment's base has
 * only lowercase letters, digits and single hyphens, with none at either end. KMS aliases: up to 256 characters of
 * letters, digits, `/`, `_` and `-`, never under `alias/aws/`.
 */
export function registryNames(args: { pulumiProject: string; stack: string }): RegistryNames {
    const base = deploymentName(args.pulumiProject, args.stack);
    return {
        repository: fitName(base, "task-images", AWS_LIMITS.ecrRepository),
        keyAlias: `alias/${fitName(base, "task-images", AWS_LIMITS.kmsAlias - "alias/".length)}`,
        ciPushRole: fitName(base, "ci-push", AWS_LIMITS.iamRole),
    };
}
