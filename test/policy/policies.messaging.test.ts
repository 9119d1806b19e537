/**
 * The policy pack's rule for notifications and execution events (policy/policies.ts, messaging-private-and-encrypted):
 * SNS topics and SQS queues encrypted at rest, no topic or queue policy open to anyone without a condition, no Pub/Sub
 * topic or subscription granted to allUsers or allAuthenticatedUsers. Called directly on resources built by hand,
 * the passing ones with the inputs the program registers (the eks-sso and gke-sso plans, `npm run plan -- --json`),
 * as test/policy/policies.test.ts does for the other policies; and the same on the real plans of those stacks, whose
 * messaging must pass and whose edits that weaken it must be caught by this policy alone.
 */
import type { PolicyResource } from "@pulumi/policy";
import type { Plan } from "../../lib/plan/runPlan";
import { messagingPrivateAndEncrypted, policies, storageNotPublic } from "../../policy/policies";
import { editInput, packViolations, planViolations, policyResource, resourceArgs, resourceViolations, Violation } from "../helpers/policy";
import { beforeAllPlans } from "../helpers/sharedPlans";

/** The engine's own proxy over resource properties during a preview, and its placeholders for values not known yet. */
const engine = jest.requireActual<{
    unknownCheckingProxy: <T extends object>(props: T) => T;
    unknownStringValue: string;
    unknownBooleanValue: string;
    unknownArrayValue: string;
}>("@pulumi/policy/proxy");

const T = {
    snsTopic: "aws:sns/topic:Topic",
    snsTopicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    snsSubscription: "aws:sns/topicSubscription:TopicSubscription",
    sqsQueue: "aws:sqs/queue:Queue",
    sqsQueuePolicy: "aws:sqs/queuePolicy:QueuePolicy",
    sqsRedriveAllow: "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    pubsubTopic: "gcp:pubsub/topic:Topic",
    pubsubSubscription: "gcp:pubsub/subscription:Subscription",
    topicIamMember: "gcp:pubsub/topicIAMMember:TopicIAMMember",
    topicIamBinding: "gcp:pubsub/topicIAMBinding:TopicIAMBinding",
    topicIamPolicy: "gcp:pubsub/topicIAMPolicy:TopicIAMPolicy",
    subscriptionIamMember: "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember",
    subscriptionIamBinding: "gcp:pubsub/subscriptionIAMBinding:SubscriptionIAMBinding",
    subscriptionIamPolicy: "gcp:pubsub/subscriptionIAMPolicy:SubscriptionIAMPolicy",
    bucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
} as const;

const check = (type: string, props: Record<string, unknown>, name = "thing") => resourceViolations(messagingPrivateAndEncrypted, type, props, { name });

/** What the policy reports for a resource whose properties are behind the engine's preview proxy. */
async function checkInPreview(type: string, props: Record<string, unknown>, name = "thing"): Promise<string[]> {
    const args = resourceArgs(type, props, { name });
    const messages: string[] = [];
    const validate = messagingPrivateAndEncrypted.validateResource;
    if (validate === undefined || Array.isArray(validate)) {
        throw new Error("messaging-private-and-encrypted has one validateResource");
    }
    // A validation that reads a value not known yet throws, and the engine then skips it with a warning.
    await validate({ ...args, props: engine.unknownCheckingProxy(args.props) }, (message: string) => {
        messages.push(message);
    });
    return messages;
}

// ---- What the program registers (eks-sso with notifications through SES and execution events) ----

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const STACK_PREFIX = "flyte-eks-sso-flyte";
const BACKEND_ROLE = `arn:aws:iam::${ACCOUNT}:role/${STACK_PREFIX}-backend`;
const ACCOUNT_ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const NOTIFICATIONS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:${STACK_PREFIX}-notifications`;
const EVENTS_TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:${STACK_PREFIX}-execution-events`;
const NOTIFICATIONS_QUEUE = `arn:aws:sqs:${REGION}:${ACCOUNT}:${STACK_PREFIX}-notifications`;
const TAGS = { App: "flyte", ManagedBy: "pulumi", PulumiProject: "flyte", PulumiStack: "eks-sso" };

const document = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

const snsTopic = (topicName: string) => ({ kmsMasterKeyId: "alias/aws/sns", name: topicName, tags: TAGS });

/** The topic policies of components/aws/messagingPolicies.ts: flyteadmin alone publishes, SQS queues only subscribe. */
const onlyFlyteadminPublishes = (topic: string) => [
    { Sid: "FlyteadminPublishes", Effect: "Allow", Principal: { AWS: BACKEND_ROLE }, Action: "sns:Publish", Resource: topic },
    {
        Sid: "OnlyFlyteadminPublishes",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topic,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [BACKEND_ROLE, ACCOUNT_ROOT] } },
    },
];
const queuesOnly = (topic: string) => ({
    Sid: "QueuesOnly",
    Effect: "Deny",
    Principal: "*",
    Action: "sns:Subscribe",
    Resource: topic,
    Condition: { StringNotEquals: { "sns:Protocol": "sqs" } },
});
const notificationsTopicPolicy = {
    arn: NOTIFICATIONS_TOPIC,
    policy: document(...onlyFlyteadminPublishes(NOTIFICATIONS_TOPIC), queuesOnly(NOTIFICATIONS_TOPIC), {
        Sid: "OnlyItsQueue",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Subscribe",
        Resource: NOTIFICATIONS_TOPIC,
        Condition: { StringNotEquals: { "sns:Endpoint": NOTIFICATIONS_QUEUE } },
    }),
};
const eventsTopicPolicy = {
    arn: EVENTS_TOPIC,
    policy: document(
        ...onlyFlyteadminPublishes(EVENTS_TOPIC),
        { Sid: "AccountSubscribes", Effect: "Allow", Principal: { AWS: ACCOUNT_ROOT }, Action: "sns:Subscribe", Resource: EVENTS_TOPIC },
        queuesOnly(EVENTS_TOPIC),
    ),
};

const notificationsQueue = {
    name: `${STACK_PREFIX}-notifications`,
    redrivePolicy: JSON.stringify({ deadLetterTargetArn: `${NOTIFICATIONS_QUEUE}-dlq`, maxReceiveCount: 5 }),
    sqsManagedSseEnabled: true,
    tags: TAGS,
};
const deadLetterQueue = { messageRetentionSeconds: 1209600, name: `${STACK_PREFIX}-notifications-dlq`, sqsManagedSseEnabled: true, tags: TAGS };

const topicSends = {
    Sid: "TopicSends",
    Effect: "Allow",
    Principal: { Service: "sns.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: NOTIFICATIONS_QUEUE,
    Condition: { ArnEquals: { "aws:SourceArn": NOTIFICATIONS_TOPIC } },
};
const onlyTheTopicSends = {
    Sid: "OnlyTheTopicSends",
    Effect: "Deny",
    Principal: "*",
    Action: "sqs:SendMessage",
    Resource: NOTIFICATIONS_QUEUE,
    Condition: { ArnNotEquals: { "aws:SourceArn": NOTIFICATIONS_TOPIC } },
};
const queueUrl = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${STACK_PREFIX}-notifications`;
const notificationsQueuePolicy = { policy: document(topicSends, onlyTheTopicSends), queueUrl };

// ---- What the program registers (gke-sso with notifications through SendGrid and execution events) ----

const PROJECT = "acme-flyte-ml";
const FLYTEADMIN = `serviceAccount:flyte-gke-sso-backend@${PROJECT}.iam.gserviceaccount.com`;
const PUBSUB_AGENT = "serviceAccount:service-823803021306@gcp-sa-pubsub.iam.gserviceaccount.com";
const LABELS = { app: "flyte", "managed-by": "pulumi", "pulumi-project": "flyte", "pulumi-stack": "gke-sso" };

const gcpGrants: readonly (readonly [string, Record<string, unknown>])[] = [
    [T.topicIamMember, { member: FLYTEADMIN, project: PROJECT, role: "roles/pubsub.publisher", topic: "flyte-gke-sso-notifications" }],
    [T.topicIamMember, { member: FLYTEADMIN, project: PROJECT, role: "roles/pubsub.publisher", topic: "flyte-gke-sso-execution-events" }],
    [T.topicIamMember, { member: PUBSUB_AGENT, project: PROJECT, role: "roles/pubsub.publisher", topic: "flyte-gke-sso-notifications-dead-letter" }],
    [T.subscriptionIamMember, { member: FLYTEADMIN, project: PROJECT, role: "roles/pubsub.subscriber", subscription: "flyte-gke-sso-notifications-flyteadmin" }],
    [T.subscriptionIamMember, { member: PUBSUB_AGENT, project: PROJECT, role: "roles/pubsub.subscriber", subscription: "flyte-gke-sso-notifications-flyteadmin" }],
];

/** The messaging resources of both stacks as the engine sees them. */
function programResources(): PolicyResource[] {
    return [
        policyResource(T.snsTopic, snsTopic(`${STACK_PREFIX}-notifications`), { name: "aws-messaging-notifications" }),
        policyResource(T.snsTopic, snsTopic(`${STACK_PREFIX}-execution-events`), { name: "aws-messaging-events" }),
        policyResource(T.snsTopicPolicy, notificationsTopicPolicy, { name: "aws-messaging-notifications-policy" }),
        policyResource(T.snsTopicPolicy, eventsTopicPolicy, { name: "aws-messaging-events-policy" }),
        policyResource(
            T.snsSubscription,
            { endpoint: NOTIFICATIONS_QUEUE, protocol: "sqs", rawMessageDelivery: false, topic: NOTIFICATIONS_TOPIC },
            { name: "aws-messaging-notifications-subscription" },
        ),
        policyResource(T.sqsQueue, notificationsQueue, { name: "aws-messaging-notifications-queue" }),
        policyResource(T.sqsQueue, deadLetterQueue, { name: "aws-messaging-notifications-dlq" }),
        policyResource(T.sqsQueuePolicy, notificationsQueuePolicy, { name: "aws-messaging-notifications-queue-policy" }),
        policyResource(
            T.sqsRedriveAllow,
            {
                queueUrl: `${queueUrl}-dlq`,
                redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [NOTIFICATIONS_QUEUE] }),
            },
            { name: "aws-messaging-notifications-dlq-allow" },
        ),
        policyResource(T.pubsubTopic, { labels: LABELS, name: "flyte-gke-sso-notifications", project: PROJECT }, { name: "gcp-messaging-notifications" }),
        policyResource(
            T.pubsubSubscription,
            {
                ackDeadlineSeconds: 60,
                deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/flyte-gke-sso-notifications-dead-letter`, maxDeliveryAttempts: 5 },
                expirationPolicy: { ttl: "" },
                labels: LABELS,
                messageRetentionDuration: "604800s",
                name: "flyte-gke-sso-notifications-flyteadmin",
                project: PROJECT,
                topic: "flyte-gke-sso-notifications",
            },
            { name: "gcp-messaging-notifications" },
        ),
        ...gcpGrants.map(([type, props], i) => policyResource(type, props, { name: `gcp-messaging-grant-${i}` })),
    ];
}

describe("messaging-private-and-encrypted", () => {
    test("is in the pack, mandatory", () => {
        expect(policies).toContain(messagingPrivateAndEncrypted);
        expect(messagingPrivateAndEncrypted.enforcementLevel).toBe("mandatory");
    });

    test("the program's own topics, queues, their policies and the Pub/Sub grants pass the whole pack", async () => {
        await expect(packViolations(policies, programResources())).resolves.toEqual([]);
    });

    describe("SNS topics", () => {
        test.each([
            ["SNS's AWS managed key", "alias/aws/sns"],
            ["a customer managed key", `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`],
            ["a key alias of the account's own", "alias/flyte-messaging"],
        ])("a topic encrypted with %s passes", async (_, key) => {
            await expect(check(T.snsTopic, { ...snsTopic("t"), kmsMasterKeyId: key })).resolves.toEqual([]);
        });

        test.each([
            ["no kmsMasterKeyId", {}],
            ["an empty kmsMasterKeyId", { kmsMasterKeyId: "" }],
        ])("a topic with %s is a violation", async (_, key) => {
            await expect(check(T.snsTopic, { name: "t", tags: TAGS, ...key }, "notifications")).resolves.toEqual([
                "SNS topic notifications must set kmsMasterKeyId (alias/aws/sns or a customer managed key): its messages are stored unencrypted otherwise.",
            ]);
        });

        test("a key not known yet in a preview (created in the same stack) counts, and does not stop the policy", async () => {
            await expect(checkInPreview(T.snsTopic, { name: "t", kmsMasterKeyId: engine.unknownStringValue })).resolves.toEqual([]);
        });

        test("a topic's own policy input open to anyone is a violation, a narrowed one passes", async () => {
            const open = { Sid: "Anyone", Effect: "Allow", Principal: { AWS: "*" }, Action: "sns:Publish", Resource: NOTIFICATIONS_TOPIC };
            await expect(check(T.snsTopic, { ...snsTopic("t"), policy: document(open) }, "notifications")).resolves.toEqual([
                `SNS topic notifications's policy: statement Anyone allows anyone ("Principal": "*") without a condition; name the principals, or narrow it with a condition such as aws:SourceArn or aws:SourceAccount.`,
            ]);
            const narrowed = { ...open, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } };
            await expect(check(T.snsTopic, { ...snsTopic("t"), policy: document(narrowed) })).resolves.toEqual([]);
        });

        test("an unencrypted topic open to anyone reports both", async () => {
            const open = { Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: NOTIFICATIONS_TOPIC };
            await expect(check(T.snsTopic, { name: "t", policy: document(open) })).resolves.toHaveLength(2);
        });
    });

    describe("SNS topic policies", () => {
        test.each([
            ["the notifications topic's", notificationsTopicPolicy],
            ["the execution events topic's", eventsTopicPolicy],
        ])("%s policy as the program writes it passes (Deny for everyone, Allow to its role and account)", async (_, props) => {
            await expect(check(T.snsTopicPolicy, props)).resolves.toEqual([]);
        });

        const publish = { Action: "sns:Publish", Resource: NOTIFICATIONS_TOPIC };
        test.each([
            ["Principal *", { Principal: "*" }],
            ["Principal {AWS: *}", { Principal: { AWS: "*" } }],
            ["Principal {AWS: [arn, *]}", { Principal: { AWS: [BACKEND_ROLE, "*"] } }],
        ])("an Allow to %s without a condition is a violation naming the statement", async (_, principal) => {
            const open = { Sid: "Open", Effect: "Allow", ...principal, ...publish };
            const props = { arn: NOTIFICATIONS_TOPIC, policy: document(...onlyFlyteadminPublishes(NOTIFICATIONS_TOPIC), open) };
            await expect(check(T.snsTopicPolicy, props, "notifications-policy")).resolves.toEqual([
                `SNS topic policy notifications-policy: statement Open allows anyone ("Principal": "*") without a condition; name the principals, or narrow it with a condition such as aws:SourceArn or aws:SourceAccount.`,
            ]);
        });

        test("a statement without a Sid is named by its index; each open statement is reported", async () => {
            const policy = document(
                { Effect: "Allow", Principal: { AWS: BACKEND_ROLE }, ...publish },
                { Effect: "Allow", Principal: "*", ...publish },
                { Effect: "Allow", Principal: "*", Action: "sns:Subscribe", Resource: NOTIFICATIONS_TOPIC },
            );
            const props = { arn: NOTIFICATIONS_TOPIC, policy };
            await expect(check(T.snsTopicPolicy, props)).resolves.toEqual([
                expect.stringMatching(/^SNS topic policy thing: statement #1 allows anyone/),
                expect.stringMatching(/^SNS topic policy thing: statement #2 allows anyone/),
            ]);
        });

        test.each([
            ["aws:SourceArn", { ArnEquals: { "aws:SourceArn": `arn:aws:s3:::flyte-data` } }],
            ["aws:SourceAccount", { StringEquals: { "aws:SourceAccount": ACCOUNT } }],
            ["aws:PrincipalAccount", { StringEquals: { "aws:PrincipalAccount": ACCOUNT } }],
        ])("an Allow to everyone narrowed by %s passes", async (_, condition) => {
            const props = { arn: NOTIFICATIONS_TOPIC, policy: document({ Effect: "Allow", Principal: "*", ...publish, Condition: condition }) };
            await expect(check(T.snsTopicPolicy, props)).resolves.toEqual([]);
        });

        test("an empty Condition narrows nothing", async () => {
            const props = { arn: NOTIFICATIONS_TOPIC, policy: document({ Effect: "Allow", Principal: "*", ...publish, Condition: {} }) };
            await expect(check(T.snsTopicPolicy, props)).resolves.toHaveLength(1);
        });

        test("a Deny for everyone without a condition is no grant", async () => {
            const props = { arn: NOTIFICATIONS_TOPIC, policy: document({ Effect: "Deny", Principal: "*", ...publish }) };
            await expect(check(T.snsTopicPolicy, props)).resolves.toEqual([]);
        });

        test("an AWS service allowed to publish without a condition is a violation (any account's use of it), with one it passes", async () => {
            const events = { Sid: "EventBridgePublishes", Effect: "Allow", Principal: { Service: ["events.amazonaws.com"] }, ...publish };
            await expect(check(T.snsTopicPolicy, { arn: NOTIFICATIONS_TOPIC, policy: document(events) })).resolves.toEqual([
                expect.stringContaining("statement EventBridgePublishes allows the AWS service events.amazonaws.com on behalf of any account without a condition"),
            ]);
            const narrowed = { ...events, Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } };
            await expect(check(T.snsTopicPolicy, { arn: NOTIFICATIONS_TOPIC, policy: document(narrowed) })).resolves.toEqual([]);
        });

        test("the policy given as an object, or with a single-object Statement, is read too", async () => {
            const open = { Effect: "Allow", Principal: "*", ...publish };
            await expect(check(T.snsTopicPolicy, { arn: NOTIFICATIONS_TOPIC, policy: { Version: "2012-10-17", Statement: [open] } })).resolves.toHaveLength(1);
            await expect(check(T.snsTopicPolicy, { arn: NOTIFICATIONS_TOPIC, policy: JSON.stringify({ Statement: open }) })).resolves.toHaveLength(1);
        });

        test("a policy that is no JSON, or has no Statement, reports nothing", async () => {
            await expect(check(T.snsTopicPolicy, { arn: NOTIFICATIONS_TOPIC, policy: "{not json" })).resolves.toEqual([]);
            await expect(check(T.snsTopicPolicy, { arn: NOTIFICATIONS_TOPIC, policy: JSON.stringify({ Version: "2012-10-17" }) })).resolves.toEqual([]);
        });

        describe("in a preview", () => {
            test("a policy built from ARNs not known yet (a placeholder string) is skipped, and does not stop the policy", async () => {
                await expect(checkInPreview(T.snsTopicPolicy, { arn: engine.unknownStringValue, policy: engine.unknownStringValue })).resolves.toEqual([]);
            });

            test("a policy object with values not known yet is read around them", async () => {
                const unknown = engine.unknownStringValue;
                const allow = (statement: object) => ({
                    arn: unknown,
                    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: unknown, ...statement }] },
                });
                // A principal or a condition not known yet is no "*" and is a condition.
                await expect(checkInPreview(T.snsTopicPolicy, allow({ Principal: { AWS: unknown } }))).resolves.toEqual([]);
                await expect(checkInPreview(T.snsTopicPolicy, allow({ Principal: "*", Condition: unknown }))).resolves.toEqual([]);
                // What is known is still checked.
                await expect(checkInPreview(T.snsTopicPolicy, allow({ Principal: "*" }))).resolves.toHaveLength(1);
            });
        });
    });

    describe("SQS queues", () => {
        test.each([
            ["the notification queue", notificationsQueue],
            ["its dead-letter queue", deadLetterQueue],
        ])("%s as the program registers it (SSE-SQS) passes", async (_, props) => {
            await expect(check(T.sqsQueue, props)).resolves.toEqual([]);
        });

        test.each([
            ["SQS's AWS managed key", { kmsMasterKeyId: "alias/aws/sqs" }],
            ["a customer managed key, SSE-SQS off", { kmsMasterKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`, sqsManagedSseEnabled: false }],
        ])("a queue encrypted with %s passes", async (_, encryption) => {
            await expect(check(T.sqsQueue, { name: "q", ...encryption })).resolves.toEqual([]);
        });

        test.each([
            ["neither setting", {}],
            ["sqsManagedSseEnabled false", { sqsManagedSseEnabled: false }],
            ["an empty kmsMasterKeyId", { kmsMasterKeyId: "", sqsManagedSseEnabled: false }],
        ])("a queue with %s is a violation", async (_, encryption) => {
            await expect(check(T.sqsQueue, { name: "q", ...encryption }, "notifications-queue")).resolves.toEqual([
                "SQS queue notifications-queue must encrypt its messages: set sqsManagedSseEnabled: true (SSE-SQS) or a kmsMasterKeyId (SSE-KMS).",
            ]);
        });

        test.each([
            ["sqsManagedSseEnabled", { sqsManagedSseEnabled: engine.unknownBooleanValue }],
            ["sqsManagedSseEnabled (as a string placeholder)", { sqsManagedSseEnabled: engine.unknownStringValue }],
            ["kmsMasterKeyId", { kmsMasterKeyId: engine.unknownStringValue }],
        ])("%s not known yet in a preview counts, and does not stop the policy", async (_, encryption) => {
            await expect(checkInPreview(T.sqsQueue, { name: "q", ...encryption })).resolves.toEqual([]);
        });

        test("a queue's own policy input open to anyone is a violation", async () => {
            const open = { Sid: "AnyoneSends", Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: NOTIFICATIONS_QUEUE };
            await expect(check(T.sqsQueue, { ...notificationsQueue, policy: document(open) }, "notifications-queue")).resolves.toEqual([
                expect.stringMatching(/^SQS queue notifications-queue's policy: statement AnyoneSends allows anyone/),
            ]);
            await expect(check(T.sqsQueue, { ...notificationsQueue, policy: document(topicSends, onlyTheTopicSends) })).resolves.toEqual([]);
        });
    });

    describe("SQS queue policies", () => {
        test("the program's (SNS may send with the topic as its source, everybody else is refused) passes", async () => {
            await expect(check(T.sqsQueuePolicy, notificationsQueuePolicy)).resolves.toEqual([]);
        });

        test("the program's without its aws:SourceArn condition admits any account's topic: a violation", async () => {
            const { Condition: _condition, ...unconditioned } = topicSends;
            await expect(check(T.sqsQueuePolicy, { policy: document(unconditioned, onlyTheTopicSends), queueUrl }, "queue-policy")).resolves.toEqual([
                "SQS queue policy queue-policy: statement TopicSends allows the AWS service sns.amazonaws.com on behalf of any account without a condition; name the principals, or narrow it with a condition such as aws:SourceArn or aws:SourceAccount.",
            ]);
        });

        test.each([
            ["Principal *", "*"],
            ["Principal {AWS: *}", { AWS: "*" }],
            ["Principal {AWS: [*]}", { AWS: ["*"] }],
        ])("an Allow to %s without a condition is a violation", async (_, principal) => {
            const open = { Sid: "AnyoneReceives", Effect: "Allow", Principal: principal, Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: NOTIFICATIONS_QUEUE };
            await expect(check(T.sqsQueuePolicy, { policy: document(open), queueUrl })).resolves.toEqual([
                expect.stringMatching(/statement AnyoneReceives allows anyone \("Principal": "\*"\) without a condition/),
            ]);
        });

        test("an Allow to everyone with the topic as aws:SourceArn passes", async () => {
            const narrowed = { ...topicSends, Principal: "*" };
            await expect(check(T.sqsQueuePolicy, { policy: document(narrowed), queueUrl })).resolves.toEqual([]);
        });

        test("the policy given as an object is read too; one not known yet in a preview is skipped", async () => {
            const open = { Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: NOTIFICATIONS_QUEUE };
            await expect(check(T.sqsQueuePolicy, { policy: { Version: "2012-10-17", Statement: [open] }, queueUrl })).resolves.toHaveLength(1);
            await expect(checkInPreview(T.sqsQueuePolicy, { policy: engine.unknownStringValue, queueUrl: engine.unknownStringValue })).resolves.toEqual([]);
        });
    });

    describe("Pub/Sub grants", () => {
        test.each(gcpGrants.map(([type, props]) => [type, props.member as string, props] as const))(
            "the program's %s for %s passes",
            async (type, _, props) => {
                await expect(check(type, props)).resolves.toEqual([]);
            },
        );

        const members = ["allUsers", "allAuthenticatedUsers"] as const;
        test.each(
            members.flatMap((member) => [
                [T.topicIamMember, "topic", member, { topic: "t", role: "roles/pubsub.subscriber", member }],
                [T.subscriptionIamMember, "subscription", member, { subscription: "s", role: "roles/pubsub.subscriber", member }],
                [T.topicIamBinding, "topic", member, { topic: "t", role: "roles/pubsub.subscriber", members: [FLYTEADMIN, member] }],
                [T.subscriptionIamBinding, "subscription", member, { subscription: "s", role: "roles/pubsub.subscriber", members: [member] }],
            ] as const),
        )("%s on a %s to %s is a violation", async (type, what, member, props) => {
            await expect(check(type, { project: PROJECT, ...props }, "grant")).resolves.toEqual([
                `grant grants roles/pubsub.subscriber on a Pub/Sub ${what} to ${member}.`,
            ]);
        });

        test.each([
            [T.topicIamPolicy, "topic", { topic: "t" }],
            [T.subscriptionIamPolicy, "subscription", { subscription: "s" }],
        ] as const)("a %s reports each public member of each binding, given as JSON or as an object", async (type, what, target) => {
            const policyData = {
                bindings: [
                    { role: "roles/pubsub.publisher", members: [FLYTEADMIN, "allAuthenticatedUsers"] },
                    { role: "roles/pubsub.viewer", members: ["allUsers"] },
                ],
            };
            const expected = [
                `policy grants roles/pubsub.publisher on a Pub/Sub ${what} to allAuthenticatedUsers.`,
                `policy grants roles/pubsub.viewer on a Pub/Sub ${what} to allUsers.`,
            ];
            await expect(check(type, { ...target, policyData: JSON.stringify(policyData) }, "policy")).resolves.toEqual(expected);
            await expect(check(type, { ...target, policyData }, "policy")).resolves.toEqual(expected);
            await expect(check(type, { ...target, policyData: JSON.stringify({ bindings: [{ role: "roles/pubsub.publisher", members: [FLYTEADMIN] }] }) })).resolves.toEqual([]);
        });

        test("a binding of named members (users, groups, domains) passes", async () => {
            const props = { topic: "t", role: "roles/pubsub.subscriber", members: ["group:data@acme.com", "domain:acme.com", "user:jane@acme.com"] };
            await expect(check(T.topicIamBinding, props)).resolves.toEqual([]);
        });

        test.each([
            [T.topicIamMember, { topic: "t", role: "roles/pubsub.publisher", member: engine.unknownStringValue }],
            [T.subscriptionIamBinding, { subscription: "s", role: "roles/pubsub.subscriber", members: engine.unknownArrayValue }],
            [T.topicIamPolicy, { topic: "t", policyData: engine.unknownStringValue }],
        ] as const)("%s with members not known yet in a preview passes, and does not stop the policy", async (type, props) => {
            await expect(checkInPreview(type, props)).resolves.toEqual([]);
        });

        test("a public member is still found in a preview when other values are not known yet", async () => {
            const props = { topic: engine.unknownStringValue, project: engine.unknownStringValue, role: "roles/pubsub.subscriber", member: "allUsers" };
            await expect(checkInPreview(T.topicIamMember, props, "grant")).resolves.toEqual(["grant grants roles/pubsub.subscriber on a Pub/Sub topic to allUsers."]);
        });

        test("grants on buckets are storage-not-public's concern, not this policy's", async () => {
            const props = { bucket: "b", role: "roles/storage.objectViewer", member: "allUsers" };
            await expect(check(T.bucketIamMember, props)).resolves.toEqual([]);
            await expect(resourceViolations(storageNotPublic, T.bucketIamMember, props)).resolves.toHaveLength(1);
        });
    });

    test("a public Pub/Sub grant and an open queue among the program's resources are reported by this policy only", async () => {
        const resources = [
            ...programResources(),
            policyResource(T.subscriptionIamMember, { subscription: "s", role: "roles/pubsub.subscriber", member: "allUsers" }, { name: "public-grant" }),
            policyResource(T.sqsQueuePolicy, { policy: document({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: NOTIFICATIONS_QUEUE }), queueUrl }, { name: "open-queue" }),
        ];
        const violations = await packViolations(policies, resources);
        expect(violations.map((v) => [v.policy, v.urn?.split("::").pop()])).toEqual([
            ["messaging-private-and-encrypted", "public-grant"],
            ["messaging-private-and-encrypted", "open-queue"],
        ]);
    });
});

// ---- The real plans: notifications and execution events on eks-sso and gke-sso ----

const planOf = beforeAllPlans(["eks-sso", "gke-sso"] as const);

/** The name of the one resource of `type` in the plan whose `name` input is `inputName` (or the only one). */
function named(plan: Plan, type: string, inputName?: string): { readonly name: string; readonly urn: string } {
    const found = plan.resources.filter((r) => r.type === type && (inputName === undefined || r.inputs.name === inputName));
    if (found.length !== 1) {
        throw new Error(`expected one ${type}${inputName === undefined ? "" : ` named ${inputName}`} in ${plan.stack}, found ${found.length}`);
    }
    return found[0];
}

/** The violations of an edited plan: exactly one, of this policy, on `urn`. */
async function expectOnlyMessaging(plan: Plan, urn: string, message: RegExp): Promise<void> {
    const violations: Violation[] = await planViolations(policies, plan);
    expect(violations).toEqual([{ policy: "messaging-private-and-encrypted", urn, message: expect.stringMatching(message) }]);
}

describe("messaging-private-and-encrypted on the real plans", () => {
    test.each([
        ["eks-sso", [T.snsTopic, T.snsTopicPolicy, T.sqsQueue, T.sqsQueuePolicy]],
        ["gke-sso", [T.pubsubTopic, T.pubsubSubscription, T.topicIamMember, T.subscriptionIamMember]],
    ] as const)("%s has messaging to check, and the policy finds nothing wrong with it", async (stack, types) => {
        const plan = planOf(stack);
        for (const type of types) {
            expect([type, plan.resources.some((r) => r.type === type)]).toEqual([type, true]);
        }
        const violations = await planViolations([messagingPrivateAndEncrypted], plan);
        expect(violations).toEqual([]);
    });

    describe("eks-sso weakened", () => {
        const plan = () => planOf("eks-sso");

        test("a topic without its KMS key", async () => {
            const topic = named(plan(), T.snsTopic, "flyte-eks-sso-flyte-notifications");
            await expectOnlyMessaging(editInput(plan(), T.snsTopic, topic.name, ["kmsMasterKeyId"], undefined), topic.urn, /must set kmsMasterKeyId/);
        });

        test("a queue without SSE-SQS", async () => {
            const queue = named(plan(), T.sqsQueue, "flyte-eks-sso-flyte-notifications");
            await expectOnlyMessaging(editInput(plan(), T.sqsQueue, queue.name, ["sqsManagedSseEnabled"], false), queue.urn, /must encrypt its messages/);
        });

        test("the queue policy without the topic as its source", async () => {
            const queuePolicy = named(plan(), T.sqsQueuePolicy);
            const recorded = plan().resources.find((r) => r.urn === queuePolicy.urn);
            const weakened = String(recorded?.inputs.policy).replace(/,"Condition":\{"ArnEquals":\{"aws:SourceArn":"[^"]+"\}\}/, "");
            expect(weakened).not.toEqual(recorded?.inputs.policy);
            await expectOnlyMessaging(
                editInput(plan(), T.sqsQueuePolicy, queuePolicy.name, ["policy"], weakened),
                queuePolicy.urn,
                /statement TopicSends allows the AWS service sns\.amazonaws\.com on behalf of any account/,
            );
        });

        test("a topic policy whose Deny for everyone becomes an Allow", async () => {
            const topicPolicy = plan().resources.filter((r) => r.type === T.snsTopicPolicy)[0];
            const doc = JSON.parse(String(topicPolicy.inputs.policy)) as { Statement: Record<string, unknown>[] };
            const opened = {
                ...doc,
                Statement: doc.Statement.map((st) => (st.Sid === "QueuesOnly" ? { ...st, Effect: "Allow", Condition: undefined } : st)),
            };
            await expectOnlyMessaging(
                editInput(plan(), T.snsTopicPolicy, topicPolicy.name, ["policy"], JSON.stringify(opened)),
                topicPolicy.urn,
                /statement QueuesOnly allows anyone/,
            );
        });
    });

    describe("gke-sso weakened", () => {
        const plan = () => planOf("gke-sso");

        test.each([
            [T.topicIamMember, "allUsers"],
            [T.subscriptionIamMember, "allAuthenticatedUsers"],
        ] as const)("a %s granted to %s", async (type, member) => {
            const grant = plan().resources.filter((r) => r.type === type)[0];
            await expectOnlyMessaging(editInput(plan(), type, grant.name, ["member"], member), grant.urn, new RegExp(`on a Pub/Sub \\w+ to ${member}\\.$`));
        });
    });
});
