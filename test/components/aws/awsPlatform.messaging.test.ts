import { AwsPlatform } from "../../../components/aws/awsPlatform";
import { awsNames, messagingNames } from "../../../components/aws/names";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs, type FlytePlatform } from "../../../components/contract/platform";
import { mockEmailIdentityArn, mockQueueArn, mockTopicArn } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { flyteadminMessagingCalls, type PolicyDocument, SIMULATED_ACCOUNT, type SimulatedDecision, simulatePrincipalRequest, simulateRequest } from "../../helpers/iamSimulator";
import { byName, mocked, ofType } from "../../helpers/plan";
import { iamRolePolicies } from "../../helpers/storageAccess";

/**
 * How AwsPlatform wires flyteadmin's messaging (components/aws/awsMessaging.ts is tested on its own): on either chart
 * flyteadmin's role, and no other, gets the grants; the release waits for the messaging; and the documents the plan
 * registers (every role's inline policies, the topics' and the queue's policies), simulated, let flyteadmin publish,
 * consume and send mail as the sender, and nobody else; the queue takes messages from its topic only.
 */

const SENDER = "flyte@ml.example.com";
const NAMES = messagingNames({ pulumiProject: "flyte", stack: "test" });
const TOPIC = mockTopicArn(NAMES.notificationsTopic);
const EVENTS_TOPIC = mockTopicArn(NAMES.eventsTopic);
const QUEUE = mockQueueArn(NAMES.notificationsQueue);
const IDENTITY = mockEmailIdentityArn(SENDER);
const ROLES = awsNames({ pulumiProject: "flyte", stack: "test" });

/** Resource types only messaging brings. */
const MESSAGING_TYPES = [
    "flyte:aws:AwsMessaging",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
    "aws:sesv2/emailIdentity:EmailIdentity",
];

function planPlatform(overrides: Record<string, string>): Promise<Plan> {
    const config = awsStackConfig(overrides);
    return runComponents(() => {
        const awsPlatform = new AwsPlatform("aws", { ...commonPlatformArgs(config, flyteWorkloads(config.flyte)), config: config.aws });
        const platform: FlytePlatform = awsPlatform;
        const { messaging } = platform;
        return {
            hasMessaging: messaging !== undefined,
            ...(messaging?.notifications && { channel: messaging.notifications.channel }),
            ...(messaging?.events && { events: messaging.events }),
            releaseDependencies: platform.releaseDependencies.map((r) => r.urn),
        };
    });
}

const NOTIFICATIONS = {
    "flyte:notifications": "true",
    "flyte:notificationsSender": SENDER,
    "flyte:notificationsEmailService": "ses",
    "flyte:executionEvents": "true",
};

function json(value: unknown): unknown {
    return JSON.parse(String(value)) as unknown;
}

function only<T>(items: readonly T[], what: string): T {
    if (items.length !== 1) {
        throw new Error(`expected one ${what}, found ${items.length}`);
    }
    return items[0];
}

/** The policy the plan registers for a topic (by its ARN). */
function topicPolicyOf(plan: Plan, topicArn: string): PolicyDocument {
    const policy = only(
        ofType(plan, "aws:sns/topicPolicy:TopicPolicy").filter((r) => r.inputs.arn === topicArn),
        `topic policy of ${topicArn}`,
    );
    return { document: String(policy.inputs.policy), where: `TopicPolicy ${policy.name}` };
}

/** The policy the plan registers for a queue (by its ARN, through the queue's URL). */
function queuePolicyOf(plan: Plan, queueArn: string): PolicyDocument {
    const queue = only(
        ofType(plan, "aws:sqs/queue:Queue").filter((q) => mocked(q).state.arn === queueArn),
        `queue ${queueArn}`,
    );
    const policy = only(
        ofType(plan, "aws:sqs/queuePolicy:QueuePolicy").filter((p) => p.inputs.queueUrl === mocked(queue).state.url),
        `queue policy of ${queueArn}`,
    );
    return { document: String(policy.inputs.policy), where: `QueuePolicy ${policy.name}` };
}

function resourcePolicy(plan: Plan, resource: string): PolicyDocument | undefined {
    if (resource.startsWith("arn:aws:sns:")) {
        return topicPolicyOf(plan, resource);
    }
    if (resource.startsWith("arn:aws:sqs:")) {
        return queuePolicyOf(plan, resource);
    }
    // The SES identity has no sending authorization policy.
    expect(ofType(plan, "aws:sesv2/emailIdentityPolicy:EmailIdentityPolicy")).toEqual([]);
    return undefined;
}

/** The plan's decision on a request by one of its IAM roles: the role's inline policies and the resource's policy. */
function roleMay(plan: Plan, roleName: string, action: string, resource: string, context: Record<string, string> = {}): Promise<SimulatedDecision> {
    const principal = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/${roleName}`;
    return simulatePrincipalRequest(principal, action, resource, iamRolePolicies(plan, roleName), resourcePolicy(plan, resource), context);
}

/** What flyteadmin does with its messaging. */
const FLYTEADMIN_CALLS = flyteadminMessagingCalls({ topic: TOPIC, eventsTopic: EVENTS_TOPIC, queue: QUEUE, identity: IDENTITY, sender: SENDER });

/**
 * The IAM roles Flyte's workloads run as (FlyteRoles: IRSA roles with inline policies only). The cluster's own roles
 * carry AWS managed policies (EKS, ECR, CNI, CloudWatch), whose documents are not in the plan to simulate; the
 * messaging's resource policies name none of them.
 */
function flyteRoleNames(plan: Plan): string[] {
    const owner = only(ofType(plan, "flyte:aws:FlyteRoles"), "FlyteRoles");
    return ofType(plan, "aws:iam/role:Role")
        .filter((r) => r.parent === owner.urn)
        .map((r) => mocked(r).id);
}

describe.each([
    ["flyte-binary", "binary", ROLES.backendRole],
    ["flyte-core", "core", ROLES.coreRoles.flyteadmin],
])("%s with notifications through SES and execution events", (_, flavor, flyteadminRole) => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform({ ...NOTIFICATIONS, "flyte:flavor": flavor });
    });

    test(`flyteadmin's role ${flyteadminRole}, and no other, gets the messaging policy`, () => {
        const policies = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => p.inputs.name === "flyte-messaging");
        expect(policies.map((p) => p.inputs.role)).toEqual([flyteadminRole]);
        expect(flyteRoleNames(plan)).toContain(flyteadminRole);
    });

    test("the platform hands the Flyte layer the topics and the queue, in the stack's region and account", () => {
        expect(plan.outputs.channel).toEqual({
            type: "aws",
            region: "eu-central-1",
            topicArn: TOPIC,
            queueName: NAMES.notificationsQueue,
            accountId: SIMULATED_ACCOUNT,
        });
        expect(plan.outputs.events).toEqual({ type: "aws", region: "eu-central-1", topicArn: EVENTS_TOPIC });
    });

    test("the release waits for the messaging flyteadmin uses, and for nothing else of it", () => {
        const waited = new Set(plan.outputs.releaseDependencies as string[]);
        const urn = (type: string, name: string) => byName(plan, type, name).urn;
        const used = [
            urn("aws:sns/topic:Topic", "aws-messaging-notifications"),
            urn("aws:sns/topic:Topic", "aws-messaging-events"),
            urn("aws:sqs/queue:Queue", "aws-messaging-notifications-queue"),
            urn("aws:sqs/queuePolicy:QueuePolicy", "aws-messaging-notifications-queue-policy"),
            urn("aws:sns/topicSubscription:TopicSubscription", "aws-messaging-notifications-subscription"),
            urn("aws:sesv2/emailIdentity:EmailIdentity", "aws-messaging-sender"),
            urn("aws:iam/rolePolicy:RolePolicy", "aws-messaging-flyteadmin"),
        ];
        expect(used.filter((u) => !waited.has(u))).toEqual([]);
        const messagingResources = plan.resources.filter((r: RecordedResource) => MESSAGING_TYPES.includes(r.type) || r.name === "aws-messaging-flyteadmin");
        expect(messagingResources.filter((r) => waited.has(r.urn)).map((r) => r.urn).sort()).toEqual([...used].sort());
    });

    test("simulated: flyteadmin publishes to both topics, consumes the queue and sends email as the sender", async () => {
        for (const [action, resource, context] of FLYTEADMIN_CALLS) {
            expect([action, resource, await roleMay(plan, flyteadminRole, action, resource, context)]).toEqual([action, resource, "Allowed"]);
        }
    });

    test("simulated: flyteadmin sends as no other address, sends nothing to the queue and subscribes nothing", async () => {
        await expect(roleMay(plan, flyteadminRole, "ses:SendEmail", IDENTITY, { "ses:FromAddress": "ceo@ml.example.com" })).resolves.toBe("ImplicitlyDenied");
        await expect(roleMay(plan, flyteadminRole, "ses:SendRawEmail", IDENTITY, { "ses:FromAddress": SENDER })).resolves.toBe("ImplicitlyDenied");
        await expect(roleMay(plan, flyteadminRole, "sqs:SendMessage", QUEUE)).resolves.toBe("ExplicitlyDenied");
        await expect(roleMay(plan, flyteadminRole, "sns:Subscribe", EVENTS_TOPIC, { "sns:Protocol": "sqs", "sns:Endpoint": QUEUE })).resolves.toBe("ImplicitlyDenied");
    });

    test("simulated: no other role of Flyte's (task pods, the other flyte-core components) may do any of it", async () => {
        const others = flyteRoleNames(plan).filter((r) => r !== flyteadminRole);
        expect(others).toEqual(
            flavor === "core"
                ? [ROLES.coreRoles.datacatalog, ROLES.coreRoles.flytepropeller, ROLES.coreRoles.flytescheduler, ROLES.workerRole].sort()
                : [ROLES.workerRole],
        );
        for (const role of others) {
            for (const [action, resource, context] of FLYTEADMIN_CALLS) {
                expect([role, action, resource, await roleMay(plan, role, action, resource, context)]).toEqual([role, action, resource, expect.stringMatching(/Denied$/)]);
            }
        }
    });

    test("simulated: the queue takes messages from its topic only", async () => {
        const fromSns = (sourceArn: string) =>
            simulateRequest(
                {
                    principal: "sns.amazonaws.com",
                    action: "sqs:SendMessage",
                    resource: QUEUE,
                    context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": SIMULATED_ACCOUNT, "aws:SecureTransport": "true" },
                },
                [],
                queuePolicyOf(plan, QUEUE),
            );
        await expect(fromSns(TOPIC)).resolves.toBe("Allowed");
        await expect(fromSns(EVENTS_TOPIC)).resolves.toBe("ExplicitlyDenied");
        await expect(roleMay(plan, ROLES.workerRole, "sqs:SendMessage", QUEUE)).resolves.not.toBe("Allowed");
    });

    test("the subscription delivers SNS's envelope, which flyteadmin parses", () => {
        expect(byName(plan, "aws:sns/topicSubscription:TopicSubscription", "aws-messaging-notifications-subscription").inputs).toMatchObject({
            topic: TOPIC,
            endpoint: QUEUE,
            protocol: "sqs",
            rawMessageDelivery: false,
        });
        expect(json(byName(plan, "aws:sqs/queue:Queue", "aws-messaging-notifications-queue").inputs.redrivePolicy)).toMatchObject({ maxReceiveCount: 5 });
    });
});

describe("without notifications and events", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform({});
    });

    test("no topic, queue, identity or messaging grant; the platform offers no messaging", () => {
        expect(MESSAGING_TYPES.filter((type) => ofType(plan, type).length > 0)).toEqual([]);
        expect(ofType(plan, "aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.name)).not.toContain("flyte-messaging");
        expect(plan.outputs.hasMessaging).toBe(false);
    });
});

describe("notifications through SMTP, without events", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform({
            "flyte:notifications": "true",
            "flyte:notificationsSender": SENDER,
            "flyte:notificationsEmailService": "smtp",
            "flyte:smtpServer": "smtp.example.com",
            "flyte:smtpPort": "587",
            "flyte:smtpUsername": "flyte",
            "flyte:smtpPassword": "smtp-password-value",
        });
    });

    test("the topic and queue, no SES identity, no events topic; flyteadmin may not send through SES", async () => {
        expect(ofType(plan, "aws:sesv2/emailIdentity:EmailIdentity")).toEqual([]);
        expect(ofType(plan, "aws:sns/topic:Topic").map((t) => t.name)).toEqual(["aws-messaging-notifications"]);
        expect(plan.outputs.events).toBeUndefined();
        await expect(roleMay(plan, ROLES.backendRole, "sqs:ReceiveMessage", QUEUE)).resolves.toBe("Allowed");
        const sesStatements = iamRolePolicies(plan, ROLES.backendRole).filter((p) => p.document.includes("ses:"));
        expect(sesStatements).toEqual([]);
        expect(JSON.stringify(plan)).not.toContain("smtp-password-value");
    });
});
