import { parseCidr } from "../shared/cidr";
import { distinctNamespaces } from "../shared/namespaces";
import { ConfigError } from "./errors";
import { ConfigReader, parseCidrKey, requireRegion } from "./reader";
import { AWS_REGIONS, awsOtherPartition } from "./regions";
import { PROJECT_WORKER_MAX_AWS, s3SafeSuffix } from "../aws/names";
import { requireDistinctProjectBuckets, requireIsolatedProjectLength } from "./flyte";
import type { AwsConfig, FlyteConfig } from "../contract/config";

const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const EKS_VERSION = /^1\.\d{2}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const RDS_INSTANCE_CLASS = /^db\.[a-z0-9-]+\.[a-z0-9]+$/;
const RDS_ENGINE_VERSION = /^\d{2}(\.\d{1,2})?$/;
/** An IAM role or user an access entry can name (not an assumed-role session). */
const IAM_PRINCIPAL = /^arn:aws(-[a-z]+)*:iam::\d{12}:(role|user)\/([\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** IAM's default cap on a role's trust policy, in characters without whitespace. */
export const TRUST_POLICY_MAX = 2048;
/** What the worker role's trust policy holds besides its subjects (issuer twice, provider ARN, structure). */
const TRUST_POLICY_OVERHEAD = 520;

/** IAM's cap on the inline policies of one role, in characters without whitespace. */
export const ROLE_POLICY_MAX = 10240;
/**
 * With project isolation the backend's S3 policy names two ARNs per project bucket (the bucket and its objects),
 * each at most `"arn:aws-us-gov:s3:::" + 63 + "/*"` (the longest partition) plus quotes and a comma; the rest of the
 * policy takes under 700.
 */
export const MAX_ISOLATED_PROJECTS = Math.floor((ROLE_POLICY_MAX - 700) / (2 * (20 + 63 + 2 + 3)));

/** Roughly how long the worker role's trust policy gets: one subject per project-domain namespace. */
export function workerTrustPolicySize(namespaces: readonly string[]): number {
    return namespaces.reduce((total, ns) => total + `"system:serviceaccount:${ns}:default",`.length, TRUST_POLICY_OVERHEAD);
}

/** The keys that only `cloud: aws` reads, including the provider's aws:region. */
export function parseAws(config: ConfigReader, flyte: FlyteConfig): AwsConfig {
    const requested = config.rawValue("aws:region");
    const otherPartition = requested === undefined ? undefined : awsOtherPartition(requested);
    if (otherPartition !== undefined) {
        throw new ConfigError(
            "aws:region",
            requested,
            `allowed: a region of the aws, aws-cn or aws-us-gov partition; this one is in ${otherPartition}, whose ARNs this program does not write`,
        );
    }
    const region = requireRegion(config, "aws:region", "AWS", AWS_REGIONS, AWS_REGION, "eu-central-1");

    requireIsolatedProjectLength(config, flyte, PROJECT_WORKER_MAX_AWS, "an IAM role (64 characters in all)");
    requireDistinctProjectBuckets(config, flyte, s3SafeSuffix);
    // One task role trusts every project-domain namespace, or with project isolation each project's role its own.
    const groups = flyte.projectIsolation
        ? flyte.projects.map((project) => flyte.projectNamespaces.filter((p) => p.project === project))
        : [flyte.projectNamespaces];
    for (const group of groups) {
        const namespaces = distinctNamespaces(group);
        if (workerTrustPolicySize(namespaces) > TRUST_POLICY_MAX) {
            config.fail(
                "flyteProjects",
                flyte.projectIsolation ? group[0].project : flyte.projects,
                `with cloud aws, a task pods' role trusts each of its ${namespaces.length} project-domain namespaces by name and IAM caps its trust policy at ${TRUST_POLICY_MAX} characters: use fewer ${flyte.projectIsolation ? "domains or shorter names" : "projects or domains, shorter names, or projectIsolation"}`,
            );
        }
    }

    if (flyte.projectIsolation && flyte.projects.length > MAX_ISOLATED_PROJECTS) {
        config.fail(
            "flyteProjects",
            flyte.projects,
            `with cloud aws and projectIsolation, Flyte's own roles list every project's bucket and IAM caps a role's policies at ${ROLE_POLICY_MAX} characters: at most ${MAX_ISOLATED_PROJECTS} projects`,
        );
    }

    const vpc = parseCidrKey(config, "awsVpcCidr", 16, 20);
    const availabilityZones = config.integer("awsAvailabilityZones", 2, 6);

    const instanceTypes = config.list("eksInstanceTypes", "an EC2 instance type such as m6i.xlarge");
    if (instanceTypes.length === 0) {
        config.fail("eksInstanceTypes", instanceTypes, "allowed: a non-empty list of EC2 instance types such as m6i.xlarge");
    }
    for (const type of instanceTypes) {
        if (!INSTANCE_TYPE.test(type)) {
            config.fail("eksInstanceTypes", type, "allowed: EC2 instance types such as m6i.xlarge");
        }
    }
    const minNodes = config.integer("eksMinNodes", 1, 450);
    const maxNodes = config.integer("eksMaxNodes", 1, 450);
    if (minNodes > maxNodes) {
        config.fail("eksMinNodes", minNodes, `must not exceed eksMaxNodes (${maxNodes})`);
    }
    const publicAccessCidrs = config.list("eksPublicAccessCidrs", "an IPv4 CIDR");
    for (const cidr of publicAccessCidrs) {
        if (!parseCidr(cidr)) {
            config.fail("eksPublicAccessCidrs", cidr, "allowed: IPv4 CIDRs a.b.c.d/n, the address being the first of its range");
        }
    }
    const adminPrincipals = config.list("eksAdminPrincipals", "an IAM role or user ARN");
    for (const arn of adminPrincipals) {
        if (!IAM_PRINCIPAL.test(arn)) {
            config.fail(
                "eksAdminPrincipals",
                arn,
                "allowed: IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins (not assumed-role sessions)",
            );
        }
    }

    const allocatedStorageGb = config.integer("databaseDiskSizeGb", 20, 65536);
    const maxAllocatedStorageGb = config.integer("rdsMaxAllocatedStorageGb", 20, 65536);
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
            version: config.matching("eksVersion", EKS_VERSION, "a Kubernetes minor version such as 1.34"),
            instanceTypes,
            minNodes,
            maxNodes,
            spotNodes: config.boolean("eksSpotNodes"),
            nodeDiskSizeGb: config.integer("eksNodeDiskSizeGb", 20, 2000),
            publicAccessCidrs,
            adminPrincipals,
            containerInsights: config.boolean("eksContainerInsights"),
        },
        database: {
            engineVersion: config.matching("rdsEngineVersion", RDS_ENGINE_VERSION, "a PostgreSQL version such as 16 or 16.4"),
            instanceClass: config.matching("rdsInstanceClass", RDS_INSTANCE_CLASS, "an RDS instance class such as db.m6g.large"),
            allocatedStorageGb,
            maxAllocatedStorageGb,
            multiAz: config.boolean("databaseHighAvailability"),
            backupRetentionDays: config.integer("databaseBackupRetentionDays", 1, 35),
        },
    };
}
