import { ConfigError } from "./errors";
import { cidrList, ConfigContext, ConfigReader, integerBounds, requireItems, requireRegion } from "./reader";
import { AWS_REGIONS, awsOtherPartition } from "./regions";
import { awsPartition, irsaTrustPolicy, s3BucketArn } from "../aws/iam";
import { expectedFlyteadminMessagingPolicy } from "../aws/messagingPolicies";
import { AWS_LIMITS, messagingNames, PROJECT_WORKER_MAX_AWS, s3BucketNames, s3SafeSuffix } from "../aws/names";
import { flyteadminIdentity, flyteWorkloads, type IdentityRequest } from "../contract/identities";
import { type FlyteBucketArns, s3PolicyFor } from "../contract/s3Access";
import { requireDistinctProjectBuckets, requireIsolatedProjectLength } from "./flyte";
import type { AwsConfig, FlyteConfig, NotificationsConfig } from "../contract/config";
import type { MultiClusterConfig } from "../contract/multiCluster";
import type { KubernetesServiceAccountRef } from "../contract/platform";

const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
/** An IAM role or user an access entry can name (not an assumed-role session). */
const IAM_PRINCIPAL = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/*
 * IAM's quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): a role's trust policy
 * ("role trust policy length", L-C07B4B0D, raised on request up to 8192) and all its inline policies together ("role
 * policy size"), in characters; IAM does not count white space.
 */
/** IAM's default cap on a role's trust policy: a standalone stack's roles stay within it. */
export const TRUST_POLICY_MAX = 2048;
/** IAM's cap on the inline policies of one role, together. */
export const ROLE_POLICY_MAX = 10240;

/** A policy document's size as IAM counts it: its characters other than white space. */
export function iamPolicySize(document: string): number {
    return document.replace(/\s/g, "").length;
}

/** Every AWS account id has 12 digits, so ARNs with this one are as long as the real ones. */
const ACCOUNT_ID = "000000000000";

/**
 * The OIDC issuer of an EKS cluster in `region` and the ARN of its IAM provider, as long as real ones: the issuer is
 * `https://oidc.eks.<region>.amazonaws.com/id/<32 hexadecimal digits>`
 * (https://docs.aws.amazon.com/eks/latest/userguide/enable-iam-roles-for-service-accounts.html), under
 * `amazonaws.com.cn` in the China regions as their other endpoints, and the provider
 * `arn:<partition>:iam::<account>:oidc-provider/<issuer without https://>`. `cluster` tells clusters apart (their ids).
 */
export function eksOidcOfLength(region: string, cluster = 0): { readonly issuerUrl: string; readonly oidcProviderArn: string } {
    const partition = awsPartition(region);
    const id = cluster.toString(16).toUpperCase().padStart(32, "0");
    const host = `oidc.eks.${region}.amazonaws.com${partition === "aws-cn" ? ".cn" : ""}/id/${id}`;
    return { issuerUrl: `https://${host}`, oidcProviderArn: `arn:${partition}:iam::${ACCOUNT_ID}:oidc-provider/${host}` };
}

/** The region whose issuer is the longest: where the region is not known yet, sizes are measured for it. */
const LONGEST_ISSUER_REGION = AWS_REGIONS.reduce((longest, region) =>
    eksOidcOfLength(region).issuerUrl.length > eksOidcOfLength(longest).issuerUrl.length ? region : longest,
);

/**
 * The size of the trust policy of a role for these service accounts, as components/aws/flyteRoles.ts writes it, in
 * `region` or, where that is not known, the region of the longest issuer, trusting `clusters` clusters' OIDC providers
 * (a control plane's task roles: its own and each data plane's, all in its region).
 */
export function trustPolicySize(serviceAccounts: readonly KubernetesServiceAccountRef[], region = LONGEST_ISSUER_REGION, clusters = 1): number {
    const providers = Array.from({ length: clusters }, (_, cluster) => eksOidcOfLength(region, cluster));
    return iamPolicySize(irsaTrustPolicy({ providers, serviceAccounts }));
}

/** The ARNs of Flyte's buckets as the program names them, with the first `projects` having buckets of their own. */
function bucketArns(context: ConfigContext, region: string, projects: readonly string[]): FlyteBucketArns {
    const arn = (bucket: string) => s3BucketArn(region, bucket);
    const names = s3BucketNames({ pulumiProject: context.pulumiProject, stack: context.stack, accountId: ACCOUNT_ID, region, projects });
    return {
        metadata: arn(names.metadata),
        userData: arn(names.userData),
        projects: Object.fromEntries(Object.entries(names.projects).map(([project, bucket]) => [project, arn(bucket)])),
    };
}

/**
 * The size of the permissions (the S3 policy, its only inline policy) of the role a request gets. A control plane's
 * data planes' raw-data buckets are left out: they are not allowed with projectIsolation, the only config whose
 * policies come near the cap, and the trust policies cap the data planes long before they could fill one (see
 * test/components/config/aws.test.ts).
 */
function rolePolicySize(request: IdentityRequest, buckets: FlyteBucketArns): number {
    return iamPolicySize(s3PolicyFor(request.data, buckets) ?? "");
}

/** `count` things, e.g. `1 data plane`, `2 data planes`. */
function counted(count: number, what: string): string {
    return `${count} ${what}${count === 1 ? "" : "s"}`;
}

/**
 * Each task pods' role of a control plane trusts the control plane's OIDC provider and every data plane's (they run
 * its task pods as the same-named service accounts), one statement each: every data plane makes each such trust
 * policy longer, up to `flyte:awsTrustPolicyMaxLength`. Data planes must be in the control plane's region, so their
 * issuers are as long as its own.
 */
function requireDataPlanesTrusted(
    config: ConfigReader,
    flyte: FlyteConfig,
    region: string,
    workers: readonly IdentityRequest[],
    dataPlanes: readonly string[],
    trustMax: number,
): void {
    const fits = (count: number) => workers.every((request) => trustPolicySize(request.serviceAccounts, region, 1 + count) <= trustMax);
    if (fits(dataPlanes.length)) {
        return;
    }
    let fitting = dataPlanes.length - 1;
    while (fitting > 0 && !fits(fitting)) {
        fitting--;
    }
    config.fail(
        "dataPlanes",
        dataPlanes,
        `with cloud aws each task role trusts the control plane's and every data plane's OIDC provider, and IAM caps a trust policy at ${trustMax} characters (flyte:awsTrustPolicyMaxLength): at most ${counted(fitting, "data plane")} fit${fitting === 1 ? "s" : ""}; raise the quota and flyte:awsTrustPolicyMaxLength, or use fewer ${flyte.projectIsolation ? "domains or shorter names" : "projects or domains"}`,
    );
}

/**
 * Every IAM role the program makes for Flyte must stay within IAM's quotas. Their documents are built here as
 * components/aws/flyteRoles.ts builds them (irsaTrustPolicy, s3PolicyFor) and measured, with ARNs as long as the real
 * ones: the region's partition, a 12-digit account id, the bucket names components/aws/names.ts gives this stack.
 */
function requireRolesFit(
    config: ConfigReader,
    flyte: FlyteConfig,
    context: ConfigContext,
    region: string,
    messaging: AwsMessagingConfig,
    multiCluster: MultiClusterConfig | undefined,
): void {
    const workloads = flyteWorkloads(flyte);
    // flyteadmin's role carries a second inline policy for notifications and events (components/aws/awsMessaging.ts).
    const messagingPolicy = expectedFlyteadminMessagingPolicy({
        partition: awsPartition(region),
        region,
        accountId: ACCOUNT_ID,
        names: messagingNames(context),
        notifications: messaging.notifications && { sender: messaging.notifications.sender, ses: messaging.notifications.email.service === "ses" },
        executionEvents: messaging.executionEvents,
    });
    const flyteadminKey = flyteadminIdentity(workloads.identities).key;
    const otherPolicies = (request: IdentityRequest) => (messagingPolicy !== undefined && request.key === flyteadminKey ? iamPolicySize(messagingPolicy) : 0);
    // A control plane's account may have the quota raised; a standalone stack's roles fit the default.
    const controlPlane = multiCluster?.role === "controlPlane" ? multiCluster : undefined;
    const trustMax = controlPlane === undefined ? TRUST_POLICY_MAX : config.integer("awsTrustPolicyMaxLength");
    const trustKey = controlPlane === undefined ? "" : " (flyte:awsTrustPolicyMaxLength)";
    // Flyte's own roles each trust one service account: only task pods' roles grow with the config.
    const workers = workloads.identities.filter((r) => r.role === "worker");
    for (const request of workers) {
        if (trustPolicySize(request.serviceAccounts, region) > trustMax) {
            config.fail(
                "flyteProjects",
                request.data.kind === "project" ? request.data.project : flyte.projects,
                `with cloud aws, a task pods' role trusts each of its ${request.serviceAccounts.length} project-domain namespaces by name and IAM caps its trust policy at ${trustMax} characters${trustKey}: use fewer ${flyte.projectIsolation ? "domains or shorter names" : "projects or domains, shorter names, or projectIsolation"}`,
            );
        }
    }
    if (controlPlane !== undefined) {
        requireDataPlanesTrusted(config, flyte, region, workers, controlPlane.dataPlanes.map((d) => `${d.name}=${d.stack}`), trustMax);
    }
    const buckets = bucketArns(context, region, workloads.isolatedProjects);
    /** Whether the roles' policies fit with the first `count` isolated projects' buckets. */
    const fit = (requests: readonly IdentityRequest[], count = workloads.isolatedProjects.length) => {
        const listed = { ...buckets, projects: Object.fromEntries(Object.entries(buckets.projects).slice(0, count)) };
        return requests.every((request) => rolePolicySize(request, listed) + otherPolicies(request) <= ROLE_POLICY_MAX);
    };
    if (!fit(workloads.identities.filter((r) => r.data.kind === "project"))) {
        config.fail(
            "flyteDomains",
            flyte.domains,
            `with cloud aws and projectIsolation, each project's role lists its two prefixes per domain in the metadata bucket and IAM caps a role's policies at ${ROLE_POLICY_MAX} characters: use fewer domains or shorter names`,
        );
    }
    // Whoever serves user data lists every project's bucket: how many of these projects fit?
    const sharedRoles = workloads.identities.filter((r) => r.data.kind === "shared");
    if (!fit(sharedRoles)) {
        let fitting = workloads.isolatedProjects.length - 1;
        while (fitting > 0 && !fit(sharedRoles, fitting)) {
            fitting--;
        }
        config.fail(
            "flyteProjects",
            flyte.projects,
            `with cloud aws and projectIsolation, Flyte's own roles list every project's bucket and IAM caps a role's policies at ${ROLE_POLICY_MAX} characters: at most ${fitting} projects`,
        );
    }
}

/** What of the stack's messaging config adds to flyteadmin's role. */
export interface AwsMessagingConfig {
    /** Email notifications, if on. */
    readonly notifications?: NotificationsConfig;
    /** Whether execution events are published. */
    readonly executionEvents: boolean;
}

/**
 * The keys that only `cloud: aws` reads, including the provider's aws:region; `multiCluster` (parsed before) decides
 * how many clusters the task roles trust, and that a data plane names its own VPC block.
 */
export function parseAws(
    config: ConfigReader,
    flyte: FlyteConfig,
    context: ConfigContext,
    messaging: AwsMessagingConfig = { executionEvents: false },
    multiCluster?: MultiClusterConfig,
): AwsConfig {
    const requested = config.rawValue("aws:region");
    const otherPartition = requested === undefined ? undefined : awsOtherPartition(requested);
    if (otherPartition !== undefined) {
        throw new ConfigError(
            "aws:region",
            requested,
            `allowed: a region of the aws, aws-cn or aws-us-gov partition; this one is in ${otherPartition}, whose ARNs this program does not write`,
        );
    }
    const region = requireRegion(config, "aws:region", AWS_REGIONS);

    requireIsolatedProjectLength(config, flyte, PROJECT_WORKER_MAX_AWS, `an IAM role (${AWS_LIMITS.iamRole} characters in all)`);
    requireDistinctProjectBuckets(config, flyte, s3SafeSuffix);
    requireRolesFit(config, flyte, context, region, messaging, multiCluster);

    const vpc = config.cidr("awsVpcCidr");
    if (multiCluster?.role === "dataPlane" && !config.isSet("awsVpcCidr")) {
        throw new ConfigError(
            config.fullKey("awsVpcCidr"),
            vpc.text,
            "required with clusterRole dataPlane: the block this data plane associates with the control plane's VPC, which the default (the control plane's own) would overlap; allowed: a block outside every range of the control plane and its other data planes",
            "the default",
        );
    }
    const availabilityZones = config.integer("awsAvailabilityZones");

    const instanceTypes = config.list("eksInstanceTypes");
    if (instanceTypes.length === 0) {
        config.fail("eksInstanceTypes", instanceTypes, "allowed: a non-empty list of EC2 instance types such as m6i.xlarge");
    }
    requireItems(config, "eksInstanceTypes", instanceTypes, (type) => INSTANCE_TYPE.test(type), "EC2 instance types such as m6i.xlarge");
    const nodes = integerBounds(config, "eksMinNodes", "eksMaxNodes");
    const publicAccessCidrs = cidrList(config, "eksPublicAccessCidrs");
    const adminPrincipals = config.list("eksAdminPrincipals");
    requireItems(
        config,
        "eksAdminPrincipals",
        adminPrincipals,
        (arn) => IAM_PRINCIPAL.test(arn),
        "IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins (not assumed-role sessions)",
    );

    const allocatedStorageGb = config.integer("databaseDiskSizeGb", "aws");
    const maxAllocatedStorageGb = config.integer("rdsMaxAllocatedStorageGb");
    if (maxAllocatedStorageGb < allocatedStorageGb) {
        config.fail(
            "rdsMaxAllocatedStorageGb",
            maxAllocatedStorageGb,
            `must be at least databaseDiskSizeGb (${allocatedStorageGb})`,
        );
    }

    return {
        region,
        network: {
            vpcCidr: vpc.text,
            availabilityZones,
            natGatewayPerZone: config.boolean("awsNatGatewayPerZone"),
        },
        eks: {
            version: config.string("eksVersion"),
            instanceTypes,
            minNodes: nodes.lower,
            maxNodes: nodes.upper,
            spotNodes: config.boolean("eksSpotNodes"),
            nodeDiskSizeGb: config.integer("eksNodeDiskSizeGb"),
            publicAccessCidrs,
            adminPrincipals,
            containerInsights: config.boolean("eksContainerInsights"),
        },
        database: {
            engineVersion: config.string("rdsEngineVersion"),
            instanceClass: config.string("rdsInstanceClass"),
            allocatedStorageGb,
            maxAllocatedStorageGb,
            multiAz: config.boolean("databaseHighAvailability"),
            backupRetentionDays: config.integer("databaseBackupRetentionDays", "aws"),
        },
    };
}
