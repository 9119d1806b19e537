import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { at, isRecord, isSet, jsonDocument, listAt, Props, rawAt, recordAt, stackOfUrn, stringAt, stringMapAt } from "./props";

/**
 * The platform's guard rails, enforced on every preview and `pulumi up` (`--policy-pack policy`). They are written
 * against resource types, not against this program, so they hold for anything else deployed with the pack. Each
 * is a plain object; the tests call `validateResource` / `validateStack` directly.
 */

/** Members that make a Google Cloud resource public. */
const PUBLIC_GCP_MEMBERS = ["allUsers", "allAuthenticatedUsers"];
/** Project-wide roles nobody should be granted by infrastructure code. */
export const FORBIDDEN_PROJECT_ROLES = ["roles/owner", "roles/editor", "roles/storage.admin"];
const PUBLIC_S3_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const S3_ENCRYPTION_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];

const GCS_BUCKET = "gcp:storage/bucket:Bucket";
const GCS_BUCKET_ACL = "gcp:storage/bucketACL:BucketACL";
/** Access-control entries with a single `entity` (allUsers, allAuthenticatedUsers, user-…, …). */
const GCS_ENTITY_ACLS = [
    "gcp:storage/bucketAccessControl:BucketAccessControl",
    "gcp:storage/objectAccessControl:ObjectAccessControl",
    "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
];
const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
/** The settings of a public access block, all of which must be on. */
const PUBLIC_ACCESS_BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
const S3_BUCKET_ACL = ["aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"];
const S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const S3_ENCRYPTION = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
const CLOUD_SQL_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";
const RDS_INSTANCE = "aws:rds/instance:Instance";
const RDS_CLUSTER = "aws:rds/cluster:Cluster";
const RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const GKE_CLUSTER = "gcp:container/cluster:Cluster";
const GKE_NODE_POOL = "gcp:container/nodePool:NodePool";
const EKS_CLUSTER = "aws:eks/cluster:Cluster";
const K8S_SERVICE = "kubernetes:core/v1:Service";
const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const K8S_INGRESS = ["kubernetes:networking.k8s.io/v1:Ingress", "kubernetes:networking.k8s.io/v1beta1:Ingress"];
const GATEWAY = ["kubernetes:gateway.networking.k8s.io/v1:Gateway", "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway"];
/** Elastic Load Balancing v2 (ALB, NLB): `aws.alb.*` is the same resource as `aws.lb.*` under an older name. */
const ELBV2_LOAD_BALANCER = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const ELBV2_LISTENER = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const ELBV2_LISTENER_RULE = ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"];
/** A Classic Load Balancer. */
const CLASSIC_ELB = "aws:elb/loadBalancer:LoadBalancer";
/** S3 ACL grantees that mean everyone. */
const PUBLIC_S3_GRANTEES = ["http://acs.amazonaws.com/groups/global/AllUsers", "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"];
const SNS_TOPIC = "aws:sns/topic:Topic";
const SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SQS_QUEUE = "aws:sqs/queue:Queue";
const SQS_QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
/** The resource types that grant Google IAM roles on something: one member, a binding (members), a whole policy. */
interface IamTypes {
    readonly member: readonly string[];
    readonly binding: readonly string[];
    readonly policy: readonly string[];
}
const GCS_BUCKET_IAM: IamTypes = {
    member: ["gcp:storage/bucketIAMMember:BucketIAMMember"],
    binding: ["gcp:storage/bucketIAMBinding:BucketIAMBinding"],
    policy: ["gcp:storage/bucketIAMPolicy:BucketIAMPolicy"],
};
const PUBSUB_TOPIC_IAM: IamTypes = {
    member: ["gcp:pubsub/topicIAMMember:TopicIAMMember"],
    binding: ["gcp:pubsub/topicIAMBinding:TopicIAMBinding"],
    policy: ["gcp:pubsub/topicIAMPolicy:TopicIAMPolicy"],
};
const PUBSUB_SUBSCRIPTION_IAM: IamTypes = {
    member: ["gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember"],
    binding: ["gcp:pubsub/subscriptionIAMBinding:SubscriptionIAMBinding"],
    policy: ["gcp:pubsub/subscriptionIAMPolicy:SubscriptionIAMPolicy"],
};
const PROJECT_IAM: IamTypes = {
    member: [
        "gcp:projects/iAMMember:IAMMember",
        "gcp:folder/iAMMember:IAMMember",
        "gcp:organizations/iAMMember:IAMMember",
    ],
    binding: [
        "gcp:projects/iAMBinding:IAMBinding",
        "gcp:folder/iAMBinding:IAMBinding",
        "gcp:organizations/iAMBinding:IAMBinding",
    ],
    policy: ["gcp:projects/iAMPolicy:IAMPolicy", "gcp:folder/iAMPolicy:IAMPolicy", "gcp:organizations/iAMPolicy:IAMPolicy"],
};

/**
 * The roles a resource of `types` grants, each with its members (as given: not necessarily strings); none for other
 * types. Read past the preview's check for values not known yet: a member not known yet (`serviceAccount:${email}`
 * of an account being created) is the engine's placeholder, which is no public member and no forbidden role, so the
 * policy goes on with the rest instead of stopping.
 */
function iamGrants(type: string, props: Props, types: IamTypes): { readonly role: string | undefined; readonly members: unknown[] }[] {
    const role = stringAt(rawAt(props, "role"));
    if (types.member.includes(type)) {
        return [{ role, members: [rawAt(props, "member")] }];
    }
    if (types.binding.includes(type)) {
        return [{ role, members: listAt(rawAt(props, "members")) }];
    }
    if (types.policy.includes(type)) {
        return listAt(jsonDocument(rawAt(props, "policyData")), "bindings").map((binding) => ({
            role: stringAt(binding, "role"),
            members: listAt(binding, "members"),
        }));
    }
    return [];
}

// ---- No bucket readable by the public ----

function publicMembers(members: unknown[]): string[] {
    return members.filter((m): m is string => typeof m === "string" && PUBLIC_GCP_MEMBERS.includes(m));
}

/** The statements of an IAM policy document; `Statement` may be one object or a list. */
function statementsOf(document: unknown): unknown[] {
    const statement = at(document, "Statement");
    return Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
}

/**
 * The statements of the AWS resource policy at `key` of a resource, given as a JSON string or as an object. Read past
 * the preview's check for values not known yet: a policy built from outputs not known yet (ARNs of what is being
 * created) is the engine's placeholder string, which is no JSON, and has no statements to check yet.
 */
function resourcePolicyStatements(props: Props, key: string): unknown[] {
    return statementsOf(jsonDocument(rawAt(props, key)));
}

/**
 * A public canned ACL and public grantees (at `uriPath` in each grant) of an S3 bucket or ACL resource, reported as
 * `<subject> <aclVerb> the public ACL …` and `<subject> grants access to …`.
 */
function reportPublicS3Acl(
    report: ReportViolation,
    acl: unknown,
    grants: unknown[],
    uriPath: readonly string[],
    message: { readonly subject: string; readonly aclVerb: string },
): void {
    if (typeof acl === "string" && PUBLIC_S3_ACLS.includes(acl)) {
        report(`${message.subject} ${message.aclVerb} the public ACL ${acl}.`);
    }
    for (const grant of grants) {
        const uri = stringAt(grant, ...uriPath);
        if (uri !== undefined && PUBLIC_S3_GRANTEES.includes(uri)) {
            report(`${message.subject} grants access to ${uri}.`);
        }
    }
}

/**
 * Whether a resource policy statement grants anyone at all, without a condition narrowing it. A condition counts
 * whatever it says, also one not known yet in a preview.
 */
function grantsEveryone(statement: unknown): boolean {
    if (stringAt(statement, "Effect") !== "Allow" || isSet(statement, "Condition")) {
        return false;
    }
    const principal = at(statement, "Principal");
    const aws = at(principal, "AWS");
    return principal === "*" || aws === "*" || (Array.isArray(aws) && aws.includes("*"));
}

export const storageNotPublic: ResourceValidationPolicy = {
    name: "storage-not-public",
    description: "No bucket is readable by the public: GCS public access prevention and uniform access, no allUsers grants, no public S3 ACLs or policies.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const props: Props = args.props;
        for (const { role, members } of iamGrants(args.type, props, GCS_BUCKET_IAM)) {
            for (const member of publicMembers(members)) {
                report(`${args.name} grants ${role ?? "a role"} on a bucket to ${member}.`);
            }
        }
        switch (args.type) {
            case GCS_BUCKET:
                if (props.publicAccessPrevention !== "enforced") {
                    report(`GCS bucket ${args.name} must set publicAccessPrevention: "enforced".`);
                }
                if (props.uniformBucketLevelAccess !== true) {
                    report(`GCS bucket ${args.name} must use uniform bucket-level access (no object ACLs).`);
                }
                return;
            case GCS_BUCKET_ACL:
                for (const entity of [...listAt(props, "roleEntities")].filter((e): e is string => typeof e === "string")) {
                    if (PUBLIC_GCP_MEMBERS.some((m) => entity.endsWith(`:${m}`))) {
                        report(`${args.name} gives ${entity} access to a bucket.`);
                    }
                }
                if (typeof props.predefinedAcl === "string" && /^public/i.test(props.predefinedAcl)) {
                    report(`${args.name} applies the public ACL ${props.predefinedAcl}.`);
                }
                return;
            case S3_PUBLIC_ACCESS_BLOCK:
                for (const flag of PUBLIC_ACCESS_BLOCK_FLAGS) {
                    if (props[flag] !== true) {
                        report(`${args.name} must set ${flag}: true.`);
                    }
                }
                return;
            case S3_BUCKET_POLICY: {
                if (resourcePolicyStatements(props, "policy").some(grantsEveryone)) {
                    report(`${args.name} allows anyone ("Principal": "*") without a condition.`);
                }
                return;
            }
            default:
                if (S3_BUCKETS.includes(args.type)) {
                    reportPublicS3Acl(report, props.acl, listAt(props, "grants"), ["uri"], { subject: `S3 bucket ${args.name}`, aclVerb: "has" });
                    if (resourcePolicyStatements(props, "policy").some(grantsEveryone)) {
                        report(`S3 bucket ${args.name} has a policy that allows anyone ("Principal": "*") without a condition.`);
                    }
                } else if (S3_BUCKET_ACL.includes(args.type)) {
                    const grants = listAt(props, "accessControlPolicy", "grants");
                    reportPublicS3Acl(report, props.acl, grants, ["grantee", "uri"], { subject: args.name, aclVerb: "applies" });
                } else if (GCS_ENTITY_ACLS.includes(args.type)) {
                    const entity = stringAt(props, "entity");
                    if (entity !== undefined && PUBLIC_GCP_MEMBERS.includes(entity)) {
                        report(`${args.name} gives ${entity} access.`);
                    }
                }
        }
    },
};

/**
 * Resources that refer to `bucket`: through its outputs (a property dependency), as its child, or by naming it
 * with the same literal bucket name.
 */
function attachedTo(bucket: PolicyResource, candidates: readonly PolicyResource[]): PolicyResource[] {
    const name = stringAt(bucket.props, "bucket");
    return candidates.filter(
        (r) =>
            (r.propertyDependencies.bucket ?? []).some((d) => d.urn === bucket.urn) ||
            r.parent?.urn === bucket.urn ||
            (name !== undefined && stringAt(r.props, "bucket") === name),
    );
}

/** Each S3 bucket of the stack, with the resources of `types` attached to it. */
function s3BucketsWith(args: StackValidationArgs, types: readonly string[]): { bucket: PolicyResource; attached: PolicyResource[] }[] {
    const candidates = args.resources.filter((r) => types.includes(r.type));
    return args.resources.filter((r) => S3_BUCKETS.includes(r.type)).map((bucket) => ({ bucket, attached: attachedTo(bucket, candidates) }));
}

export const s3PublicAccessBlocked: StackValidationPolicy = {
    name: "s3-public-access-blocked",
    description: "Every S3 bucket has a public access block with all four settings on.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        for (const { bucket, attached } of s3BucketsWith(args, [S3_PUBLIC_ACCESS_BLOCK])) {
            if (!attached.some((b) => PUBLIC_ACCESS_BLOCK_FLAGS.every((f) => b.props[f] === true))) {
                report(`S3 bucket ${bucket.name} has no public access block that blocks everything.`, bucket.urn);
            }
        }
    },
};

// ---- No database with a public address ----

export const databaseNotPublic: ResourceValidationPolicy = {
    name: "database-not-public",
    description: "No database has a public address: Cloud SQL without public IPv4, RDS not publicly accessible.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const props: Props = args.props;
        if (args.type === CLOUD_SQL_INSTANCE) {
            // Cloud SQL turns public IPv4 on unless told otherwise.
            if (at(props, "settings", "ipConfiguration", "ipv4Enabled") !== false) {
                report(`Cloud SQL instance ${args.name} must set settings.ipConfiguration.ipv4Enabled: false (private IP only).`);
            }
        } else if ((args.type === RDS_INSTANCE || args.type === RDS_CLUSTER_INSTANCE) && props.publiclyAccessible === true) {
            report(`RDS ${args.name} must not be publiclyAccessible.`);
        }
    },
};

// ---- GKE: Workload Identity everywhere ----

function metadataMode(nodeConfig: unknown): string | undefined {
    return stringAt(nodeConfig, "workloadMetadataConfig", "mode");
}

export const gkeWorkloadIdentity: ResourceValidationPolicy = {
    name: "gke-workload-identity",
    description: "Every GKE cluster has Workload Identity, and every node pool serves pods the GKE metadata server (GKE_METADATA).",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const props: Props = args.props;
        if (args.type === GKE_CLUSTER) {
            if (!stringAt(props, "workloadIdentityConfig", "workloadPool")) {
                report(`GKE cluster ${args.name} must enable Workload Identity (workloadIdentityConfig.workloadPool).`);
            }
            // The default pool's settings, when the cluster declares them.
            if (isRecord(props.nodeConfig) && metadataMode(props.nodeConfig) !== "GKE_METADATA") {
                report(`GKE cluster ${args.name}: nodeConfig.workloadMetadataConfig.mode must be GKE_METADATA.`);
            }
            for (const [i, pool] of listAt(props, "nodePools").entries()) {
                if (metadataMode(at(pool, "nodeConfig")) !== "GKE_METADATA") {
                    report(`GKE cluster ${args.name}: nodePools[${i}] must use workloadMetadataConfig.mode GKE_METADATA.`);
                }
            }
        } else if (args.type === GKE_NODE_POOL && metadataMode(props.nodeConfig) !== "GKE_METADATA") {
            report(`GKE node pool ${args.name} must set nodeConfig.workloadMetadataConfig.mode: GKE_METADATA.`);
        }
    },
};

// ---- No broad project-wide roles ----

export const noBroadProjectRoles: ResourceValidationPolicy = {
    name: "no-broad-project-roles",
    description: `No project-, folder- or organization-wide ${FORBIDDEN_PROJECT_ROLES.join(", ")}: grant narrow roles on the resources used.`,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const roles = iamGrants(args.type, args.props, PROJECT_IAM).map((grant) => grant.role);
        for (const role of roles.filter((r): r is string => r !== undefined && FORBIDDEN_PROJECT_ROLES.includes(r))) {
            report(`${args.name} grants ${role} on the whole ${args.type.split(":")[1].split("/")[0]}.`);
        }
    },
};

// ---- Deletion protection in production ----

export interface DeletionProtectionConfig {
    /** Stacks that hold production data. */
    readonly stacks?: readonly string[];
}
export const DEFAULT_PROTECTED_STACKS = ["prod"];

export const deletionProtectionInProd: ResourceValidationPolicy = {
    name: "deletion-protection-in-prod",
    description:
        "In production stacks, databases and clusters have the provider's deletion protection, and databases and buckets Pulumi's protect.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            stacks: { type: "array", items: { type: "string" }, default: DEFAULT_PROTECTED_STACKS },
        },
    },
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const stacks = args.getConfig<DeletionProtectionConfig>().stacks ?? DEFAULT_PROTECTED_STACKS;
        const stack = stackOfUrn(args.urn);
        if (!stacks.includes(stack)) {
            return;
        }
        const props: Props = args.props;
        const database = [CLOUD_SQL_INSTANCE, RDS_INSTANCE, RDS_CLUSTER].includes(args.type);
        const cluster = [GKE_CLUSTER, EKS_CLUSTER].includes(args.type);
        const bucket = [GCS_BUCKET, ...S3_BUCKETS].includes(args.type);
        // GKE clusters are protected unless told otherwise; the others only when asked.
        const providerProtection = args.type === GKE_CLUSTER ? props.deletionProtection !== false : props.deletionProtection === true;
        if ((database || cluster) && !providerProtection) {
            report(`${args.name} in stack ${stack} must set deletionProtection: true.`);
        }
        if ((database || bucket) && !args.opts.protect) {
            report(`${args.name} in stack ${stack} must be created with Pulumi's protect option.`);
        }
        if (bucket && props.forceDestroy === true) {
            report(`${args.type === GCS_BUCKET ? "GCS" : "S3"} bucket ${args.name} in stack ${stack} must not set forceDestroy.`);
        }
    },
};

// ---- Encryption at rest on AWS ----

export const rdsEncrypted: ResourceValidationPolicy = {
    name: "rds-encrypted",
    description: "RDS storage is encrypted.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        if ((args.type === RDS_INSTANCE || args.type === RDS_CLUSTER) && args.props.storageEncrypted !== true) {
            report(`RDS ${args.name} must set storageEncrypted: true.`);
        }
    },
};

export const s3Encrypted: StackValidationPolicy = {
    name: "s3-encrypted",
    description: "Every S3 bucket has default server-side encryption configured (SSE-S3 or SSE-KMS).",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const encrypts = (rule: unknown) => S3_ENCRYPTION_ALGORITHMS.includes(stringAt(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") ?? "");
        for (const { bucket, attached } of s3BucketsWith(args, S3_ENCRYPTION)) {
            const inline = encrypts(at(bucket.props, "serverSideEncryptionConfiguration", "rule"));
            if (!inline && !attached.some((c) => listAt(c.props, "rules").some(encrypts))) {
                report(`S3 bucket ${bucket.name} has no server-side encryption configuration.`, bucket.urn);
            }
        }
    },
};

// ---- Messaging (notifications, execution events): private and encrypted ----

/**
 * Who an Allow statement of an SNS topic or SQS queue policy admits that no account of the owner's controls, without
 * a condition narrowing it (aws:SourceArn, aws:SourceAccount, aws:PrincipalAccount, …): anyone (`"Principal": "*"`,
 * `{"AWS": "*"}`), or an AWS service on behalf of any account, e.g. `{"Service": "sns.amazonaws.com"}`, through which
 * any account's topic could send to a queue (the confused deputy;
 * https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html names the topic with aws:SourceArn).
 * Undefined when the statement admits neither.
 */
function openToOutsiders(statement: unknown): string | undefined {
    if (grantsEveryone(statement)) {
        return 'anyone ("Principal": "*")';
    }
    if (stringAt(statement, "Effect") !== "Allow" || isSet(statement, "Condition")) {
        return undefined;
    }
    const service = at(statement, "Principal", "Service");
    const services = (Array.isArray(service) ? service : [service]).filter((s): s is string => typeof s === "string");
    return services.length > 0 ? `the AWS service ${services.join(", ")} on behalf of any account` : undefined;
}

/** Reports each statement of the resource policy at `key` that admits outsiders (openToOutsiders). */
function reportOpenResourcePolicy(report: ReportViolation, props: Props, key: string, subject: string): void {
    for (const [i, statement] of resourcePolicyStatements(props, key).entries()) {
        const who = openToOutsiders(statement);
        if (who !== undefined) {
            report(
                `${subject}: statement ${stringAt(statement, "Sid") ?? `#${i}`} allows ${who} without a condition; name the principals, or narrow it with a condition such as aws:SourceArn or aws:SourceAccount.`,
            );
        }
    }
}

export const messagingPrivateAndEncrypted: ResourceValidationPolicy = {
    name: "messaging-private-and-encrypted",
    description:
        "Messaging is private and encrypted at rest: SNS topics have a KMS key, SQS queues SSE-SQS or a KMS key; no SNS topic or SQS queue policy allows anyone (or an AWS service on behalf of any account) without a condition; no Pub/Sub topic or subscription is granted to allUsers or allAuthenticatedUsers.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const props: Props = args.props;
        for (const [what, types] of [["topic", PUBSUB_TOPIC_IAM], ["subscription", PUBSUB_SUBSCRIPTION_IAM]] as const) {
            for (const { role, members } of iamGrants(args.type, props, types)) {
                for (const member of publicMembers(members)) {
                    report(`${args.name} grants ${role ?? "a role"} on a Pub/Sub ${what} to ${member}.`);
                }
            }
        }
        switch (args.type) {
            case SNS_TOPIC:
                // Set, known or not yet known (a key created in the same stack): any key, the AWS managed alias/aws/sns too.
                if (!isSet(props, "kmsMasterKeyId")) {
                    report(`SNS topic ${args.name} must set kmsMasterKeyId (alias/aws/sns or a customer managed key): its messages are stored unencrypted otherwise.`);
                }
                reportOpenResourcePolicy(report, props, "policy", `SNS topic ${args.name}'s policy`);
                return;
            case SNS_TOPIC_POLICY:
                reportOpenResourcePolicy(report, props, "policy", `SNS topic policy ${args.name}`);
                return;
            case SQS_QUEUE: {
                // SQS encrypts a queue created over HTTPS with SSE-SQS unasked (since 2022:
                // https://aws.amazon.com/blogs/compute/announcing-server-side-encryption-with-amazon-simple-queue-service-managed-encryption-keys-sse-sqs-by-default/),
                // but the provider detects drift of sqsManagedSseEnabled only when it is set (its docs, sqs.Queue): a
                // queue turned unencrypted outside Pulumi would go unnoticed, so the choice is written down. A string
                // where the boolean belongs is the preview's placeholder for a value not known yet.
                const managed = rawAt(props, "sqsManagedSseEnabled");
                if (managed !== true && typeof managed !== "string" && !isSet(props, "kmsMasterKeyId")) {
                    report(`SQS queue ${args.name} must encrypt its messages: set sqsManagedSseEnabled: true (SSE-SQS) or a kmsMasterKeyId (SSE-KMS).`);
                }
                reportOpenResourcePolicy(report, props, "policy", `SQS queue ${args.name}'s policy`);
                return;
            }
            case SQS_QUEUE_POLICY:
                reportOpenResourcePolicy(report, props, "policy", `SQS queue policy ${args.name}`);
                return;
        }
    },
};

// ---- No internet-facing load balancer unless Flyte authenticates ----

/** Annotation values that make a cloud load balancer internal. */
const INTERNAL_LB_ANNOTATIONS: Readonly<Record<string, string>> = {
    "networking.gke.io/load-balancer-type": "internal",
    "cloud.google.com/load-balancer-type": "internal",
    "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
};

function isInternalLoadBalancer(annotations: Readonly<Record<string, string>>): boolean {
    return Object.entries(INTERNAL_LB_ANNOTATIONS).some(([key, value]) => annotations[key]?.toLowerCase() === value);
}

function chartOf(release: PolicyResource): string {
    return stringAt(release.props, "chart") ?? "";
}

/** Whether a Flyte release has Flyte's own authentication on (flyte-binary or flyte-core values). */
function flyteAuthEnabled(release: PolicyResource): boolean {
    const values = recordAt(release.props, "values");
    const chart = chartOf(release);
    if (chart.endsWith("flyte-binary")) {
        return at(values, "configuration", "auth", "enabled") === true;
    }
    if (chart.endsWith("flyte-core")) {
        return at(values, "configmap", "adminServer", "server", "security", "useAuth") === true;
    }
    return false;
}

/** Helm's `if`: everything but false, 0, "", null, empty collections and absence is true. */
function helmTruthy(value: unknown): boolean {
    if (Array.isArray(value)) {
        return value.length > 0;
    }
    if (isRecord(value)) {
        return Object.keys(value).length > 0;
    }
    return value !== undefined && value !== null && value !== false && value !== 0 && value !== "";
}

/** How a Flyte release's own values would expose it: LoadBalancer Services or an Ingress of the chart. */
function flyteReleaseExposure(release: PolicyResource): string[] {
    const values = recordAt(release.props, "values");
    const chart = chartOf(release);
    const loadBalancer = (...path: string[]) => stringAt(values, ...path, "service", "type") === "LoadBalancer";
    // Both charts can deploy the connector subchart with a Service of its own.
    const connector =
        helmTruthy(at(values, "flyteconnector", "enabled")) && loadBalancer("flyteconnector") ? ["a LoadBalancer Service for flyteconnector"] : [];
    if (chart.endsWith("flyte-binary")) {
        return [
            ...(loadBalancer() ? ["a LoadBalancer Service"] : []),
            ...(helmTruthy(at(values, "ingress", "create")) ? ["an Ingress"] : []),
            ...connector,
        ];
    }
    const services = ["flyteadmin", "flyteconsole", "datacatalog", "webhook"].filter((component) => loadBalancer(component));
    const scheduler =
        helmTruthy(at(values, "flytescheduler", "service", "enabled")) && loadBalancer("flytescheduler")
            ? ["a LoadBalancer Service for flytescheduler"]
            : [];
    return [
        ...services.map((component) => `a LoadBalancer Service for ${component}`),
        ...scheduler,
        ...connector,
        // The chart creates its Ingress unless told not to.
        ...(at(values, "common", "ingress", "enabled") !== false ? ["an Ingress"] : []),
    ];
}

/** Whether an Ingress makes a cloud load balancer that faces the internet. */
function isInternetFacingIngress(props: Props): boolean {
    const annotations = stringMapAt(props, "metadata", "annotations");
    const ingressClass = stringAt(props, "spec", "ingressClassName") ?? annotations["kubernetes.io/ingress.class"];
    const albScheme = annotations["alb.ingress.kubernetes.io/scheme"];
    if (ingressClass === "gce-internal" || albScheme === "internal") {
        return false;
    }
    // GKE gives an Ingress without a class an external load balancer; the AWS controller's default is internal.
    // Other controllers (nginx, …) are exposed through their own Service, which this policy checks.
    return ingressClass === undefined || ingressClass === "gce" || (ingressClass === "alb" && albScheme === "internet-facing");
}

/**
 * GKE's GatewayClasses that give a Gateway an address on the internet (single- and multi-cluster); the others
 * (`gke-l7-rilb`, `gke-l7-cross-regional-internal-managed-mc`, …) are internal.
 * https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-api#gatewayclass
 */
export const EXTERNAL_GATEWAY_CLASSES = [
    "gke-l7-global-external-managed",
    "gke-l7-regional-external-managed",
    "gke-l7-gxlb",
    "gke-l7-global-external-managed-mc",
    "gke-l7-regional-external-managed-mc",
    "gke-l7-gxlb-mc",
];

/** The class of a Gateway that faces the internet, or undefined for an internal one (or another resource). */
function externalGatewayClass(resource: { readonly type: string; readonly props: Props }): string | undefined {
    const gatewayClass = GATEWAY.includes(resource.type) ? stringAt(resource.props, "spec", "gatewayClassName") : undefined;
    return gatewayClass !== undefined && EXTERNAL_GATEWAY_CLASSES.includes(gatewayClass) ? gatewayClass : undefined;
}

/** Whether an AWS load balancer (ALB, NLB, Classic) faces the internet: `internal` defaults to false. */
function isInternetFacingAwsLoadBalancer(props: Props): boolean {
    return props.internal !== true;
}

export const noPublicLoadBalancerWithoutAuth: StackValidationPolicy = {
    name: "no-public-load-balancer-without-auth",
    description:
        "Nothing faces the internet (a LoadBalancer Service, an Ingress, a Gateway of an external class, an internet-facing AWS load balancer) unless Flyte authenticates: a Kubernetes object in the namespace of a Flyte release with Flyte's authentication on, an AWS load balancer in a stack whose Flyte releases all have it on; internal load balancers are fine.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const flyteReleases = args.resources.filter((r) => r.type === HELM_RELEASE && /flyte-(binary|core)$/.test(chartOf(r)));
        // Only what runs in the namespace of a Flyte release with authentication on is exempt.
        const authenticatedNamespaces = new Set(
            flyteReleases
                .filter(flyteAuthEnabled)
                .map((r) => stringAt(r.props, "namespace"))
                .filter((ns): ns is string => ns !== undefined),
        );
        const exempt = (r: PolicyResource) => {
            const namespace = stringAt(r.props, "metadata", "namespace");
            return namespace !== undefined && authenticatedNamespaces.has(namespace);
        };
        for (const service of args.resources.filter((r) => r.type === K8S_SERVICE)) {
            if (stringAt(service.props, "spec", "type") !== "LoadBalancer" || exempt(service)) {
                continue;
            }
            if (!isInternalLoadBalancer(stringMapAt(service.props, "metadata", "annotations"))) {
                report(
                    `Service ${service.name} is an internet-facing LoadBalancer without Flyte's authentication: make it internal or turn authentication on.`,
                    service.urn,
                );
            }
        }
        for (const ingress of args.resources.filter((r) => K8S_INGRESS.includes(r.type))) {
            if (!exempt(ingress) && isInternetFacingIngress(ingress.props)) {
                report(`Ingress ${ingress.name} faces the internet without Flyte's authentication: make it internal.`, ingress.urn);
            }
        }
        for (const gateway of args.resources) {
            const gatewayClass = externalGatewayClass(gateway);
            if (gatewayClass !== undefined && !exempt(gateway)) {
                report(
                    `Gateway ${gateway.name} (class ${gatewayClass}) faces the internet without Flyte's authentication: use an internal class or turn authentication on.`,
                    gateway.urn,
                );
            }
        }
        // A cloud load balancer has no namespace to tell what it serves: it is exempt only in a stack whose Flyte
        // releases (one at least) all authenticate.
        const stackAuthenticates = flyteReleases.length > 0 && flyteReleases.every(flyteAuthEnabled);
        for (const lb of args.resources.filter((r) => [...ELBV2_LOAD_BALANCER, CLASSIC_ELB].includes(r.type))) {
            if (!stackAuthenticates && isInternetFacingAwsLoadBalancer(lb.props)) {
                report(
                    `Load balancer ${lb.name} is internet-facing (internal is not true) without Flyte's authentication: make it internal or turn authentication on in the stack's Flyte release.`,
                    lb.urn,
                );
            }
        }
        for (const release of flyteReleases.filter((r) => !flyteAuthEnabled(r))) {
            for (const exposure of flyteReleaseExposure(release)) {
                report(`Release ${release.name} asks its chart for ${exposure} while Flyte's authentication is off.`, release.urn);
            }
        }
    },
};

// ---- HTTPS only on public load balancers, and a certificate on every TLS listener ----

/** Whether a listener speaks plain HTTP; its protocol defaults to HTTP on an ALB. */
function isPlainHttp(listener: PolicyResource): boolean {
    return (stringAt(listener.props, "protocol") ?? "HTTP").toUpperCase() === "HTTP";
}

/**
 * What is wrong with an action on a plain-HTTP listener of a public load balancer, or undefined when it serves
 * nothing: only a redirect to HTTPS or a fixed response is fine (a redirect keeps the request's protocol unless
 * told otherwise).
 */
function plainHttpActionFault(action: unknown): string | undefined {
    const type = stringAt(action, "type");
    if (type === "fixed-response") {
        return undefined;
    }
    if (type === "redirect") {
        const protocol = stringAt(action, "redirect", "protocol");
        return protocol?.toUpperCase() === "HTTPS" ? undefined : `redirects to ${protocol ?? "the request's own protocol"} instead of HTTPS`;
    }
    return type === undefined ? "has an action without a type" : `has a ${type} action`;
}

/**
 * The resource of `candidates` that `resource` points at through `property` (an ARN): by a property dependency (what
 * `lb.arn` gives, and all there is during a preview, where the ARN is not known yet), as its child, or by the same
 * literal ARN.
 */
function referencedBy(resource: PolicyResource, property: string, candidates: readonly PolicyResource[]): PolicyResource | undefined {
    const dependencies = resource.propertyDependencies[property] ?? [];
    const arn = rawAt(resource.props, property);
    return (
        candidates.find((c) => dependencies.some((d) => d.urn === c.urn)) ??
        candidates.find((c) => resource.parent?.urn === c.urn) ??
        (typeof arn === "string" && arn.startsWith("arn:") ? candidates.find((c) => rawAt(c.props, "arn") === arn) : undefined)
    );
}

/** Where a plain-HTTP listener is, for messages; undefined when its load balancer is internal. */
function publicPlace(listener: PolicyResource, loadBalancers: readonly PolicyResource[]): string | undefined {
    const lb = referencedBy(listener, "loadBalancerArn", loadBalancers);
    if (lb === undefined) {
        return "a load balancer this stack does not declare (so possibly internet-facing)";
    }
    return isInternetFacingAwsLoadBalancer(lb.props) ? `internet-facing load balancer ${lb.name}` : undefined;
}

export const publicLoadBalancerHttpsOnly: StackValidationPolicy = {
    name: "public-load-balancer-https-only",
    description:
        "Nothing is served over plain HTTP on an internet-facing address: an HTTP listener of an internet-facing ALB (or one of another stack) only redirects to HTTPS or answers with a fixed response, in its default action and its rules; a Gateway of an external class has no HTTP listener.",
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
        const loadBalancers = args.resources.filter((r) => ELBV2_LOAD_BALANCER.includes(r.type));
        const listeners = args.resources.filter((r) => ELBV2_LISTENER.includes(r.type));
        for (const listener of listeners.filter(isPlainHttp)) {
            const place = publicPlace(listener, loadBalancers);
            if (place === undefined) {
                continue;
            }
            for (const fault of listAt(listener.props, "defaultActions").map(plainHttpActionFault)) {
                if (fault !== undefined) {
                    report(
                        `Listener ${listener.name} serves plain HTTP on ${place}: its default action ${fault}; an HTTP listener may only redirect to HTTPS or answer with a fixed response.`,
                        listener.urn,
                    );
                }
            }
        }
        for (const rule of args.resources.filter((r) => ELBV2_LISTENER_RULE.includes(r.type))) {
            // A rule of a listener another stack declares is judged there, with its listener: here its protocol is unknown.
            const listener = referencedBy(rule, "listenerArn", listeners);
            const place = listener !== undefined && isPlainHttp(listener) ? publicPlace(listener, loadBalancers) : undefined;
            if (listener === undefined || place === undefined) {
                continue;
            }
            for (const fault of listAt(rule.props, "actions").map(plainHttpActionFault)) {
                if (fault !== undefined) {
                    report(
                        `Listener rule ${rule.name} ${fault} on plain-HTTP listener ${listener.name} of ${place}: an HTTP listener may only redirect to HTTPS or answer with a fixed response.`,
                        rule.urn,
                    );
                }
            }
        }
        for (const gateway of args.resources) {
            const gatewayClass = externalGatewayClass(gateway);
            if (gatewayClass === undefined) {
                continue;
            }
            for (const [i, listener] of listAt(gateway.props, "spec", "listeners").entries()) {
                if (stringAt(listener, "protocol")?.toUpperCase() === "HTTP") {
                    report(
                        `Gateway ${gateway.name} (class ${gatewayClass}) has a plain-HTTP listener ${stringAt(listener, "name") ?? `#${i}`} on an internet-facing address: serve HTTPS only.`,
                        gateway.urn,
                    );
                }
            }
        }
    },
};

/**
 * The ELB security policies that accept TLS 1.2 and 1.3 only: the TLS 1.3 families from 1.2 (`ELBSecurityPolicy-
 * TLS13-1-2-…`, including -Res-, -Ext1-, -FIPS- and -PQ- variants) or 1.3 up, and the TLS 1.2-only families
 * (`-TLS-1-2-…`, `-FS-1-2-…`). Not `ELBSecurityPolicy-TLS13-1-0-…`/`-1-1-…` (TLS 1.0/1.1 as well), and not the
 * default AWS applies when a listener names none through the API, ELBSecurityPolicy-2016-08 (TLS 1.0).
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html
 */
export const MODERN_SSL_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

/**
 * The ways a GKE Gateway's HTTPS listener gets its certificate besides `tls.certificateRefs` (a Secret): these
 * `tls.options` (Certificate Manager certificates on regional Gateways; Compute Engine SSL certificates), or a
 * Certificate Manager map in the Gateway's annotation.
 * https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway
 */
export const GATEWAY_CERTIFICATE_OPTIONS = ["networking.gke.io/cert-manager-certs", "networking.gke.io/pre-shared-certs"];
export const GATEWAY_CERTMAP_ANNOTATION = "networking.gke.io/certmap";

export const tlsListenerCertificate: ResourceValidationPolicy = {
    name: "tls-listener-certificate",
    description:
        "Every listener that terminates TLS has a certificate: AWS HTTPS and TLS listeners a certificateArn and a TLS 1.2+ security policy; Gateway HTTPS listeners terminate TLS with certificateRefs, a GKE certificate option or a Certificate Manager map.",
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const props: Props = args.props;
        if (ELBV2_LISTENER.includes(args.type)) {
            const protocol = stringAt(props, "protocol")?.toUpperCase();
            if (protocol !== "HTTPS" && protocol !== "TLS") {
                return;
            }
            // The certificate is usually an output of the certificate's validation: set, but not known in a preview.
            if (!isSet(props, "certificateArn")) {
                report(`Listener ${args.name} (${protocol}) must set certificateArn: a listener that terminates TLS needs a certificate.`);
            }
            const sslPolicy = stringAt(props, "sslPolicy");
            if (sslPolicy === undefined) {
                report(
                    `Listener ${args.name} (${protocol}) must set sslPolicy to a TLS 1.2+ policy such as ELBSecurityPolicy-TLS13-1-2-2021-06: without one, AWS applies ELBSecurityPolicy-2016-08, which accepts TLS 1.0.`,
                );
            } else if (!MODERN_SSL_POLICY.test(sslPolicy)) {
                report(
                    `Listener ${args.name} (${protocol}): sslPolicy ${sslPolicy} is not a TLS 1.2+ policy; use ELBSecurityPolicy-TLS13-1-2-… (or -TLS13-1-3-, -TLS-1-2-, -FS-1-2-).`,
                );
            }
            return;
        }
        if (!GATEWAY.includes(args.type)) {
            return;
        }
        const certmap = isSet(props, "metadata", "annotations", GATEWAY_CERTMAP_ANNOTATION);
        for (const [i, listener] of listAt(props, "spec", "listeners").entries()) {
            if (stringAt(listener, "protocol")?.toUpperCase() !== "HTTPS") {
                continue;
            }
            const where = `Gateway ${args.name}, listener ${stringAt(listener, "name") ?? `#${i}`}`;
            // The Gateway API's default mode is Terminate; Passthrough would hand the TLS to the backend unchecked.
            const mode = stringAt(listener, "tls", "mode");
            if (mode !== undefined && mode !== "Terminate") {
                report(`${where}: an HTTPS listener must terminate TLS (tls.mode: Terminate), not ${mode}.`);
                continue;
            }
            const certificate =
                certmap ||
                isSet(listener, "tls", "certificateRefs") ||
                GATEWAY_CERTIFICATE_OPTIONS.some((option) => isSet(listener, "tls", "options", option));
            if (!certificate) {
                report(
                    `${where} (HTTPS) has no certificate: set tls.certificateRefs, the tls option ${GATEWAY_CERTIFICATE_OPTIONS.join(" or ")}, or the Gateway's annotation ${GATEWAY_CERTMAP_ANNOTATION}.`,
                );
            }
        }
    },
};

// ---- Workloads: restricted containers with resources, bounded Jobs ----

/**
 * Where a workload type keeps its pod template, or undefined for other types. Covers every workload kind and
 * version the Kubernetes provider has (Patch types are partial by design and are left alone).
 */
export function podSpecPath(type: string): readonly string[] | undefined {
    if (type === "kubernetes:core/v1:Pod") {
        return ["spec"];
    }
    if (
        type === "kubernetes:core/v1:ReplicationController" ||
        type === "kubernetes:batch/v1:Job" ||
        /^kubernetes:(apps\/v1(beta[12])?|extensions\/v1beta1):(Deployment|StatefulSet|DaemonSet|ReplicaSet)$/.test(type)
    ) {
        return ["spec", "template", "spec"];
    }
    if (/^kubernetes:batch\/v1(beta1)?:CronJob$/.test(type)) {
        return ["spec", "jobTemplate", "spec", "template", "spec"];
    }
    return undefined;
}

/** Where a Job-like type keeps its JobSpec (a Job's own, a CronJob's template). */
function jobSpecPath(type: string): readonly string[] | undefined {
    if (type === "kubernetes:batch/v1:Job") {
        return ["spec"];
    }
    return /^kubernetes:batch\/v1(beta1)?:CronJob$/.test(type) ? ["spec", "jobTemplate", "spec"] : undefined;
}

interface WorkloadContainer {
    /** For messages, e.g. `Job buckets, container mc` or `Deployment flyte, init container wait-for-db`. */
    readonly where: string;
    readonly container: unknown;
}

/**
 * A workload's pod spec and every container of it (init containers, containers and ephemeral containers), or
 * undefined for a resource that is no workload.
 */
function workloadPod(args: ResourceValidationArgs): { readonly pod: Props; readonly containers: WorkloadContainer[] } | undefined {
    const path = podSpecPath(args.type);
    const pod = path === undefined ? undefined : at(args.props, ...path);
    if (!isRecord(pod)) {
        return undefined;
    }
    const named = (kind: string, list: unknown[]) =>
        list.map((container, i) => ({ where: `${workloadName(args)}, ${kind} ${stringAt(container, "name") ?? `#${i}`}`, container }));
    const containers = [
        ...named("init container", listAt(pod, "initContainers")),
        ...named("container", listAt(pod, "containers")),
        ...named("ephemeral container", listAt(pod, "ephemeralContainers")),
    ];
    return { pod, containers };
}

/** A container's setting, else the pod's (runAsNonRoot, runAsUser, seccompProfile are both). */
function effective(pod: unknown, container: unknown, ...path: string[]): unknown {
    const own = at(container, "securityContext", ...path);
    return own !== undefined ? own : at(pod, "securityContext", ...path);
}

/** `Kind name` for messages: the type's kind and the resource's name. */
function workloadName(args: ResourceValidationArgs): string {
    return `${args.type.split(":").pop() ?? args.type} ${args.name}`;
}

/** Capabilities a restricted container may add back (the Pod Security Standards' restricted profile). */
const ADDABLE_CAPABILITIES = ["NET_BIND_SERVICE"];

export const workloadRestricted: ResourceValidationPolicy = {
    name: "workload-restricted",
    description:
        "Every container of a workload (init containers too) runs as the Pod Security Standards' restricted profile asks: non-root, no privilege escalation, every capability dropped, not privileged, the runtime's default (or a local) seccomp profile, no host namespaces.",
    // A root or privileged container is a path out of the container: never on by accident.
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const workload = workloadPod(args);
        if (workload === undefined) {
            return;
        }
        const { pod, containers } = workload;
        for (const hostNamespace of ["hostNetwork", "hostPID", "hostIPC"]) {
            if (pod[hostNamespace] === true) {
                report(`${workloadName(args)}: the pod must not set ${hostNamespace}.`);
            }
        }
        for (const { where, container } of containers) {
            if (effective(pod, container, "runAsNonRoot") !== true) {
                report(`${where}: runAsNonRoot must be true (in the container's or the pod's securityContext).`);
            }
            if (effective(pod, container, "runAsUser") === 0) {
                report(`${where}: runAsUser must not be 0 (root).`);
            }
            if (at(container, "securityContext", "allowPrivilegeEscalation") !== false) {
                report(`${where}: securityContext.allowPrivilegeEscalation must be false.`);
            }
            if (at(container, "securityContext", "privileged") === true) {
                report(`${where}: must not be privileged.`);
            }
            if (!listAt(container, "securityContext", "capabilities", "drop").includes("ALL")) {
                report(`${where}: securityContext.capabilities.drop must include ALL.`);
            }
            for (const added of listAt(container, "securityContext", "capabilities", "add")) {
                if (typeof added !== "string" || !ADDABLE_CAPABILITIES.includes(added)) {
                    report(`${where}: must not add the capability ${String(added)}.`);
                }
            }
            const seccomp = effective(pod, container, "seccompProfile", "type");
            if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
                report(`${where}: seccompProfile.type must be RuntimeDefault or Localhost (in the container's or the pod's securityContext), not ${String(seccomp ?? "unset")}.`);
            }
        }
    },
};

/** The resources every container must declare: what the scheduler reserves, and the memory it may use at most. */
export const REQUIRED_RESOURCES = ["requests.cpu", "requests.memory", "limits.memory"] as const;

export const workloadResources: ResourceValidationPolicy = {
    name: "workload-resources",
    description:
        "Every container of a workload (init containers too) requests CPU and memory and has a memory limit. A CPU limit is not required: CPU is throttled, not exhausted, and a limit slows a container even on an idle node.",
    // Without requests the scheduler packs blind, without a memory limit one leak takes the node (and the Flyte
    // control plane on it) down: mandatory, as for security.
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        for (const { where, container } of workloadPod(args)?.containers ?? []) {
            const missing = REQUIRED_RESOURCES.filter((key) => at(container, "resources", ...key.split(".")) === undefined);
            if (missing.length > 0) {
                report(`${where}: resources must set ${missing.join(", ")}.`);
            }
        }
    },
};

export const jobBounded: ResourceValidationPolicy = {
    name: "job-bounded",
    description:
        "Every Job (and CronJob's Job template) has a deadline (activeDeadlineSeconds) and an explicit retry limit (backoffLimit), so that a Job waiting for something that never comes fails with a reason instead of running, or holding up a deployment, for ever.",
    // Pulumi waits for a Job to complete: an unbounded one stalls `pulumi up` until the provider's own timeout.
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const path = jobSpecPath(args.type);
        if (path === undefined) {
            return;
        }
        const spec = at(args.props, ...path);
        const deadline = at(spec, "activeDeadlineSeconds");
        if (!(typeof deadline === "number" && Number.isInteger(deadline) && deadline > 0)) {
            report(`${workloadName(args)}: activeDeadlineSeconds must be a positive number of seconds, not ${String(deadline ?? "unset")}.`);
        }
        const backoff = at(spec, "backoffLimit");
        if (!(typeof backoff === "number" && Number.isInteger(backoff) && backoff >= 0)) {
            report(`${workloadName(args)}: backoffLimit must be set (0 or more retries), not ${String(backoff ?? "unset")}.`);
        }
    },
};

export const workloadReadOnlyRoot: ResourceValidationPolicy = {
    name: "workload-read-only-root",
    description:
        "Every container of a workload has a read-only root filesystem (securityContext.readOnlyRootFilesystem), with emptyDir volumes where it writes.",
    // Advisory: whether an image can run with a read-only root depends on the image, which the pack cannot see;
    // where one cannot, the program says why next to it, and the preview shows the warning.
    enforcementLevel: "advisory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        for (const { where, container } of workloadPod(args)?.containers ?? []) {
            if (at(container, "securityContext", "readOnlyRootFilesystem") !== true) {
                report(`${where}: securityContext.readOnlyRootFilesystem should be true.`);
            }
        }
    },
};

/** The pack, in the order `pulumi preview` reports them. */
export const policies = [
    storageNotPublic,
    s3PublicAccessBlocked,
    databaseNotPublic,
    gkeWorkloadIdentity,
    noBroadProjectRoles,
    deletionProtectionInProd,
    rdsEncrypted,
    s3Encrypted,
    messagingPrivateAndEncrypted,
    noPublicLoadBalancerWithoutAuth,
    publicLoadBalancerHttpsOnly,
    tlsListenerCertificate,
    workloadRestricted,
    workloadResources,
    jobBounded,
    workloadReadOnlyRoot,
];
