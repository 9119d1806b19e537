import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AwsMessaging, DEAD_LETTER_RETENTION_SECONDS, emailDelivery, SNS_MANAGED_KEY } from "../../../components/aws/awsMessaging";
import {
    deadLetterRedrivePolicy,
    expectedFlyteadminMessagingPolicy,
    flyteadminMessagingPolicy,
    redriveAllowPolicy,
    topicOnlyQueuePolicy,
    topicPolicy,
} from "../../../components/aws/messagingPolicies";
import { messagingNames } from "../../../components/aws/names";
import type { NotificationsConfig } from "../../../components/contract/config";
import type { EmailDelivery, FlyteMessaging } from "../../../components/contract/platform";
import { mockEmailIdentityArn, mockQueueArn, mockQueueUrl, mockTopicArn } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { component, runComponents } from "../../helpers/components";
import { byName, ofType, only } from "../../helpers/plan";

/**
 * flyteadmin's messaging on AWS (components/aws/awsMessaging.ts) under the plan's mocks: the topics, queues,
 * subscription and identity it declares with each kind of email, their settings and policies, flyteadmin's grant,
 * what it hands the Flyte layer and what the release waits for.
 */

const ACCOUNT = "123456789012";
const REGION = "eu-central-1";
const ROLE_NAME = "flyte-test-flyte-backend";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const SENDER = "flyte@ml.example.com";
const NAMES = messagingNames({ pulumiProject: "flyte", stack: "test" });
const TOPIC = mockTopicArn(NAMES.notificationsTopic);
const EVENTS_TOPIC = mockTopicArn(NAMES.eventsTopic);
const QUEUE = mockQueueArn(NAMES.notificationsQueue);
const DLQ = mockQueueArn(NAMES.notificationsDeadLetterQueue);
const IDENTITY = mockEmailIdentityArn(SENDER);
const TAGS = { App: "flyte", PulumiStack: "test" };

const SES: NotificationsConfig = { sender: SENDER, email: { service: "ses" } };
const SENDGRID: NotificationsConfig = { sender: SENDER, email: { service: "sendgrid", apiKey: "SG.sendgrid-key-value" } };
const SMTP: NotificationsConfig = {
    sender: SENDER,
    email: { service: "smtp", server: "smtp.example.com", port: 587, username: "flyte", password: "smtp-password-value" },
};

function emailOutput(email: EmailDelivery): Record<string, unknown> {
    switch (email.service) {
        case "ses":
            return { service: email.service };
        case "sendgrid":
            return { service: email.service, apiKey: email.apiKey, apiKeyIsSecret: pulumi.output(pulumi.isSecret(email.apiKey)) };
        case "smtp":
            return { ...email, passwordIsSecret: pulumi.output(pulumi.isSecret(email.password)) };
    }
}

function messagingOutput(messaging: FlyteMessaging): Record<string, unknown> {
    const { notifications, events } = messaging;
    return {
        ...(notifications && { notifications: { channel: notifications.channel, sender: notifications.sender, email: emailOutput(notifications.email) } }),
        ...(events && { events }),
    };
}

function planMessaging(notifications: NotificationsConfig | undefined, executionEvents: boolean): Promise<Plan> {
    return runComponents(() => {
        const role = new aws.iam.Role("flyteadmin", { name: ROLE_NAME, assumeRolePolicy: "{}" });
        const messaging = new AwsMessaging("messaging", {
            names: NAMES,
            region: REGION,
            accountId: ACCOUNT,
            flyteadmin: { name: role.id, arn: role.arn },
            notifications,
            executionEvents,
            tags: TAGS,
        });
        return { messaging: messagingOutput(messaging.messaging), releaseDependencies: messaging.releaseDependencies.map((r) => r.urn) };
    });
}

function json(value: unknown): unknown {
    return JSON.parse(String(value)) as unknown;
}

describe("notifications through SES, and execution events", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planMessaging(SES, true);
    });

    test("two encrypted topics, two SSE-SQS queues, a subscription, the sender's identity, all owned by the component and tagged", () => {
        const owner = component(plan, "flyte:aws:AwsMessaging");
        const declared = plan.resources.filter((r) => r.parent === owner.urn);
        expect(declared.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "aws:iam/rolePolicy:RolePolicy messaging-flyteadmin",
            "aws:sesv2/emailIdentity:EmailIdentity messaging-sender",
            "aws:sns/topic:Topic messaging-events",
            "aws:sns/topic:Topic messaging-notifications",
            "aws:sns/topicPolicy:TopicPolicy messaging-events-policy",
            "aws:sns/topicPolicy:TopicPolicy messaging-notifications-policy",
            "aws:sns/topicSubscription:TopicSubscription messaging-notifications-subscription",
            "aws:sqs/queue:Queue messaging-notifications-dlq",
            "aws:sqs/queue:Queue messaging-notifications-queue",
            "aws:sqs/queuePolicy:QueuePolicy messaging-notifications-queue-policy",
            "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy messaging-notifications-dlq-allow",
        ]);
        for (const topic of ofType(plan, "aws:sns/topic:Topic")) {
            expect(topic.inputs).toMatchObject({ kmsMasterKeyId: "alias/aws/sns", tags: TAGS });
        }
        expect(SNS_MANAGED_KEY).toBe("alias/aws/sns");
        expect(byName(plan, "aws:sns/topic:Topic", "messaging-notifications").inputs.name).toBe(NAMES.notificationsTopic);
        expect(byName(plan, "aws:sns/topic:Topic", "messaging-events").inputs.name).toBe(NAMES.eventsTopic);
        for (const queue of ofType(plan, "aws:sqs/queue:Queue")) {
            expect(queue.inputs).toMatchObject({ sqsManagedSseEnabled: true, tags: TAGS });
            expect(queue.inputs.kmsMasterKeyId).toBeUndefined();
        }
        expect(only(plan, "aws:sesv2/emailIdentity:EmailIdentity").inputs).toMatchObject({ emailIdentity: SENDER, tags: TAGS });
    });

    test("the queue moves a message to the dead-letter queue after 5 receives; the dead-letter queue keeps it 14 days and serves this queue only", () => {
        const queue = byName(plan, "aws:sqs/queue:Queue", "messaging-notifications-queue");
        const dlq = byName(plan, "aws:sqs/queue:Queue", "messaging-notifications-dlq");
        expect(queue.inputs.name).toBe(NAMES.notificationsQueue);
        expect(queue.inputs.redrivePolicy).toBe(deadLetterRedrivePolicy(DLQ));
        expect(json(queue.inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: DLQ, maxReceiveCount: 5 });
        expect(queue.inputs.messageRetentionSeconds).toBeUndefined();
        expect(dlq.inputs).toMatchObject({ name: NAMES.notificationsDeadLetterQueue, messageRetentionSeconds: 1209600 });
        expect(DEAD_LETTER_RETENTION_SECONDS).toBe(1209600);
        expect(only(plan, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs).toEqual({
            queueUrl: mockQueueUrl(NAMES.notificationsDeadLetterQueue),
            redriveAllowPolicy: redriveAllowPolicy(QUEUE),
        });
    });

    test("the queue is subscribed to the topic with SNS's envelope (no raw delivery), once its policy admits the topic", () => {
        const subscription = only(plan, "aws:sns/topicSubscription:TopicSubscription");
        expect(subscription.inputs).toMatchObject({ topic: TOPIC, protocol: "sqs", endpoint: QUEUE, rawMessageDelivery: false });
        const queuePolicy = only(plan, "aws:sqs/queuePolicy:QueuePolicy");
        expect(queuePolicy.inputs).toEqual({ queueUrl: mockQueueUrl(NAMES.notificationsQueue), policy: topicOnlyQueuePolicy({ queueArn: QUEUE, topicArn: TOPIC }) });
        expect(subscription.dependencies).toContain(queuePolicy.urn);
    });

    test("the topic policies: flyteadmin alone publishes; the notification topic feeds its queue only, the events topic the account's queues", () => {
        expect(byName(plan, "aws:sns/topicPolicy:TopicPolicy", "messaging-notifications-policy").inputs).toEqual({
            arn: TOPIC,
            policy: topicPolicy({ topicArn: TOPIC, publisherRoleArn: ROLE_ARN, accountRootArn: ROOT, subscriptions: { queueArn: QUEUE } }),
        });
        expect(byName(plan, "aws:sns/topicPolicy:TopicPolicy", "messaging-events-policy").inputs).toEqual({
            arn: EVENTS_TOPIC,
            policy: topicPolicy({ topicArn: EVENTS_TOPIC, publisherRoleArn: ROLE_ARN, accountRootArn: ROOT, subscriptions: "accountQueues" }),
        });
    });

    test("flyteadmin's role gets one inline policy with exactly its grants on these resources", () => {
        expect(only(plan, "aws:iam/rolePolicy:RolePolicy").inputs).toEqual({
            role: ROLE_NAME,
            name: "flyte-messaging",
            policy: flyteadminMessagingPolicy({
                notifications: { topicArn: TOPIC, queueArn: QUEUE, ses: { identityArn: IDENTITY, sender: SENDER } },
                eventsTopicArn: EVENTS_TOPIC,
            }),
        });
    });

    test("the policy is the one expected from the names alone (which config validation can measure)", () => {
        // The mocked resources live in mock-region-1 (lib/plan/mocks.ts).
        expect(only(plan, "aws:iam/rolePolicy:RolePolicy").inputs.policy).toBe(
            expectedFlyteadminMessagingPolicy({
                partition: "aws",
                region: "mock-region-1",
                accountId: ACCOUNT,
                names: NAMES,
                notifications: { sender: SENDER, ses: true },
                executionEvents: true,
            }),
        );
    });

    test("the Flyte layer gets the topic, the queue's name and owner, the region and the sender; SES needs no credentials", () => {
        expect(plan.outputs.messaging).toEqual({
            notifications: {
                channel: { type: "aws", region: REGION, topicArn: TOPIC, queueName: NAMES.notificationsQueue, accountId: ACCOUNT },
                sender: SENDER,
                email: { service: "ses" },
            },
            events: { type: "aws", region: REGION, topicArn: EVENTS_TOPIC },
        });
    });

    test("the release waits for what flyteadmin uses: topics, queue, its policy and subscription, the identity and the grant", () => {
        const urn = (type: string, name: string) => byName(plan, type, name).urn;
        expect(plan.outputs.releaseDependencies).toEqual([
            urn("aws:sns/topic:Topic", "messaging-notifications"),
            urn("aws:sqs/queue:Queue", "messaging-notifications-queue"),
            urn("aws:sqs/queuePolicy:QueuePolicy", "messaging-notifications-queue-policy"),
            urn("aws:sns/topicSubscription:TopicSubscription", "messaging-notifications-subscription"),
            urn("aws:sesv2/emailIdentity:EmailIdentity", "messaging-sender"),
            urn("aws:sns/topic:Topic", "messaging-events"),
            urn("aws:iam/rolePolicy:RolePolicy", "messaging-flyteadmin"),
        ]);
    });
});

describe("notifications through SendGrid or SMTP", () => {
    test.each([
        ["SendGrid", SENDGRID, "SG.sendgrid-key-value"],
        ["SMTP", SMTP, "smtp-password-value"],
    ])("%s: no SES identity and no SES grant; the credential only as a Pulumi secret", async (_, notifications, credential) => {
        const plan = await planMessaging(notifications, false);
        expect(ofType(plan, "aws:sesv2/emailIdentity:EmailIdentity")).toEqual([]);
        expect(ofType(plan, "aws:sns/topic:Topic").map((t) => t.name)).toEqual(["messaging-notifications"]);
        expect(only(plan, "aws:iam/rolePolicy:RolePolicy").inputs.policy).toBe(
            flyteadminMessagingPolicy({ notifications: { topicArn: TOPIC, queueArn: QUEUE } }),
        );
        expect(JSON.stringify(plan)).not.toContain(credential);
        expect(plan.outputs.messaging).not.toHaveProperty("events");
    });

    test("SendGrid's API key and SMTP's server, port, user and password reach the Flyte layer", async () => {
        const sendgrid = await planMessaging(SENDGRID, false);
        expect(sendgrid.outputs.messaging).toMatchObject({ notifications: { email: { service: "sendgrid", apiKey: "[secret]", apiKeyIsSecret: true } } });
        const smtp = await planMessaging(SMTP, false);
        expect(smtp.outputs.messaging).toMatchObject({
            notifications: {
                email: { service: "smtp", server: "smtp.example.com", port: 587, username: "flyte", password: "[secret]", passwordIsSecret: true },
            },
        });
    });
});

describe("execution events only", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planMessaging(undefined, true);
    });

    test("one topic with its policy and flyteadmin's grant to publish to it: no queue, subscription or identity", () => {
        expect(plan.resources.filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => r.type).sort()).toEqual([
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:sns/topic:Topic",
            "aws:sns/topicPolicy:TopicPolicy",
        ]);
        expect(only(plan, "aws:iam/rolePolicy:RolePolicy").inputs.policy).toBe(flyteadminMessagingPolicy({ eventsTopicArn: EVENTS_TOPIC }));
        expect(plan.outputs.messaging).toEqual({ events: { type: "aws", region: REGION, topicArn: EVENTS_TOPIC } });
        expect(plan.outputs.releaseDependencies).toEqual([
            byName(plan, "aws:sns/topic:Topic", "messaging-events").urn,
            byName(plan, "aws:iam/rolePolicy:RolePolicy", "messaging-flyteadmin").urn,
        ]);
    });
});

test("neither notifications nor events is refused", async () => {
    await expect(planMessaging(undefined, false)).rejects.toThrow("AwsMessaging needs notifications or execution events");
});

describe("emailDelivery", () => {
    test("SES takes nothing; SendGrid's key and SMTP's password become Pulumi secrets", async () => {
        expect(emailDelivery({ service: "ses" })).toEqual({ service: "ses" });
        const sendgrid = emailDelivery({ service: "sendgrid", apiKey: "SG.key" });
        const smtp = emailDelivery({ service: "smtp", server: "mail.example.com", port: 2525, username: "u", password: "p" });
        if (sendgrid.service !== "sendgrid" || smtp.service !== "smtp") {
            throw new Error("wrong service");
        }
        await expect(pulumi.isSecret(sendgrid.apiKey)).resolves.toBe(true);
        await expect(pulumi.isSecret(smtp.password)).resolves.toBe(true);
        expect(smtp).toMatchObject({ server: "mail.example.com", port: 2525, username: "u" });
    });
});
