import {
    accountRootArn,
    deadLetterRedrivePolicy,
    expectedFlyteadminMessagingPolicy,
    flyteadminMessagingPolicy,
    flyteadminMessagingStatements,
    NOTIFICATIONS_MAX_RECEIVE_COUNT,
    redriveAllowPolicy,
    topicOnlyQueuePolicy,
    topicPolicy,
} from "../../../components/aws/messagingPolicies";
import { messagingNames } from "../../../components/aws/names";
import { flyteadminMessagingCalls, type PolicyDocument, SIMULATED_ACCOUNT, type SimulatedDecision, simulatePrincipalRequest, simulateRequest } from "../../helpers/iamSimulator";

/**
 * The documents of flyteadmin's messaging on AWS (components/aws/messagingPolicies.ts): their exact statements, and
 * what an IAM policy simulator decides with them for flyteadmin, the task pods, an administrator of the account,
 * another account and SNS itself.
 */

const REGION = "eu-central-1";
const ACCOUNT = SIMULATED_ACCOUNT;
const OTHER_ACCOUNT = "210987654321";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const TOPIC = arn("sns", "flyte-test-flyte-notifications");
const EVENTS_TOPIC = arn("sns", "flyte-test-flyte-execution-events");
const OTHER_TOPIC = arn("sns", "someone-elses-topic");
const QUEUE = arn("sqs", "flyte-test-flyte-notifications");
const DLQ = arn("sqs", "flyte-test-flyte-notifications-dlq");
const SENDER = "flyte@ml.example.com";
const IDENTITY = arn("ses", `identity/${SENDER}`);
const OTHER_IDENTITY = arn("ses", "identity/ceo@ml.example.com");
const FLYTEADMIN = `arn:aws:iam::${ACCOUNT}:role/flyte-test-flyte-backend`;
const WORKER = `arn:aws:iam::${ACCOUNT}:role/flyte-test-flyte-worker`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/platform-admin`;
const TEAM = `arn:aws:iam::${ACCOUNT}:role/analytics-team`;
const OUTSIDER = `arn:aws:iam::${OTHER_ACCOUNT}:role/outsider`;
const ROOT = accountRootArn("aws", ACCOUNT);

function json(text: string): unknown {
    return JSON.parse(text) as unknown;
}

const GRANTS = { notifications: { topicArn: TOPIC, queueArn: QUEUE, ses: { identityArn: IDENTITY, sender: SENDER } }, eventsTopicArn: EVENTS_TOPIC };

describe("the documents", () => {
    test("accountRootArn names the account in its partition", () => {
        expect(accountRootArn("aws", ACCOUNT)).toBe("arn:aws:iam::123456789012:root");
        expect(accountRootArn("aws-cn", ACCOUNT)).toBe("arn:aws-cn:iam::123456789012:root");
    });

    test("flyteadmin's policy: publish on both topics, the subscriber's calls on the queue, SendEmail as the sender only", () => {
        expect(json(flyteadminMessagingPolicy(GRANTS))).toEqual({
            Version: "2012-10-17",
            Statement: [
                { Sid: "PublishNotifications", Effect: "Allow", Action: "sns:Publish", Resource: TOPIC },
                {
                    Sid: "ConsumeNotifications",
                    Effect: "Allow",
                    Action: ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
                    Resource: QUEUE,
                },
                {
                    Sid: "SendNotificationEmails",
                    Effect: "Allow",
                    Action: "ses:SendEmail",
                    Resource: IDENTITY,
                    Condition: { StringEquals: { "ses:FromAddress": SENDER } },
                },
                { Sid: "PublishExecutionEvents", Effect: "Allow", Action: "sns:Publish", Resource: EVENTS_TOPIC },
            ],
        });
    });

    test("flyteadmin's policy has only the parts configured: no SES with SendGrid or SMTP, no events topic without events", () => {
        const sids = (grants: Parameters<typeof flyteadminMessagingStatements>[0]) => flyteadminMessagingStatements(grants).map((s) => s.Sid);
        expect(sids({ notifications: { topicArn: TOPIC, queueArn: QUEUE } })).toEqual(["PublishNotifications", "ConsumeNotifications"]);
        expect(sids({ eventsTopicArn: EVENTS_TOPIC })).toEqual(["PublishExecutionEvents"]);
        expect(() => flyteadminMessagingStatements({})).toThrow("needs notifications or execution events");
    });

    test("no wildcard action or resource anywhere", () => {
        const documents = [
            flyteadminMessagingPolicy(GRANTS),
            topicPolicy({ topicArn: TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: { queueArn: QUEUE } }),
            topicPolicy({ topicArn: EVENTS_TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: "accountQueues" }),
            topicOnlyQueuePolicy({ queueArn: QUEUE, topicArn: TOPIC }),
        ];
        for (const document of documents) {
            const statements = (json(document) as { Statement: { Effect: string; Action: unknown; Resource: unknown }[] }).Statement;
            for (const statement of statements) {
                expect(JSON.stringify([statement.Action, statement.Resource])).not.toContain("*");
            }
        }
    });

    test("the notification topic: flyteadmin publishes, nobody else; only its own queue is subscribed", () => {
        expect(json(topicPolicy({ topicArn: TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: { queueArn: QUEUE } }))).toEqual({
            Version: "2012-10-17",
            Statement: [
                { Sid: "FlyteadminPublishes", Effect: "Allow", Principal: { AWS: FLYTEADMIN }, Action: "sns:Publish", Resource: TOPIC },
                {
                    Sid: "OnlyFlyteadminPublishes",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "sns:Publish",
                    Resource: TOPIC,
                    Condition: { ArnNotEquals: { "aws:PrincipalArn": [FLYTEADMIN, ROOT] } },
                },
                { Sid: "QueuesOnly", Effect: "Deny", Principal: "*", Action: "sns:Subscribe", Resource: TOPIC, Condition: { StringNotEquals: { "sns:Protocol": "sqs" } } },
                { Sid: "OnlyItsQueue", Effect: "Deny", Principal: "*", Action: "sns:Subscribe", Resource: TOPIC, Condition: { StringNotEquals: { "sns:Endpoint": QUEUE } } },
            ],
        });
    });

    test("the events topic: the account subscribes queues; flyteadmin alone publishes", () => {
        const statements = (json(topicPolicy({ topicArn: EVENTS_TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: "accountQueues" })) as {
            Statement: { Sid: string }[];
        }).Statement;
        expect(statements.map((s) => s.Sid)).toEqual(["FlyteadminPublishes", "OnlyFlyteadminPublishes", "AccountSubscribes", "QueuesOnly"]);
        expect(statements[2]).toEqual({ Sid: "AccountSubscribes", Effect: "Allow", Principal: { AWS: ROOT }, Action: "sns:Subscribe", Resource: EVENTS_TOPIC });
    });

    test("the queue: SNS sends from the topic, every other sender is refused", () => {
        expect(json(topicOnlyQueuePolicy({ queueArn: QUEUE, topicArn: TOPIC }))).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "TopicSends",
                    Effect: "Allow",
                    Principal: { Service: "sns.amazonaws.com" },
                    Action: "sqs:SendMessage",
                    Resource: QUEUE,
                    Condition: { ArnEquals: { "aws:SourceArn": TOPIC } },
                },
                {
                    Sid: "OnlyTheTopicSends",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "sqs:SendMessage",
                    Resource: QUEUE,
                    Condition: { ArnNotEquals: { "aws:SourceArn": TOPIC } },
                },
            ],
        });
    });

    test("the expected policy (for sizing before anything exists) names the ARNs AWS will give the resources", () => {
        const names = messagingNames({ pulumiProject: "flyte", stack: "test" });
        const base = { partition: "aws", region: REGION, accountId: ACCOUNT, names };
        expect(expectedFlyteadminMessagingPolicy({ ...base, notifications: { sender: SENDER, ses: true }, executionEvents: true })).toBe(flyteadminMessagingPolicy(GRANTS));
        expect(expectedFlyteadminMessagingPolicy({ ...base, notifications: { sender: SENDER, ses: false }, executionEvents: false })).toBe(
            flyteadminMessagingPolicy({ notifications: { topicArn: TOPIC, queueArn: QUEUE } }),
        );
        expect(expectedFlyteadminMessagingPolicy({ ...base, partition: "aws-cn", region: "cn-north-1", executionEvents: true })).toBe(
            flyteadminMessagingPolicy({ eventsTopicArn: `arn:aws-cn:sns:cn-north-1:${ACCOUNT}:flyte-test-flyte-execution-events` }),
        );
        expect(expectedFlyteadminMessagingPolicy({ ...base, executionEvents: false })).toBeUndefined();
    });

    test("every document refuses a resource that reported no ARN", () => {
        const missing = undefined as unknown as string;
        expect(() => flyteadminMessagingPolicy({ notifications: { topicArn: TOPIC, queueArn: missing } })).toThrow('the notification queue is not an ARN: undefined');
        expect(() => flyteadminMessagingPolicy({ notifications: { topicArn: TOPIC, queueArn: QUEUE, ses: { identityArn: "", sender: SENDER } } })).toThrow(
            "the sender's SES identity is not an ARN",
        );
        expect(() => flyteadminMessagingPolicy({ eventsTopicArn: "flyte-test-flyte-execution-events" })).toThrow("the events topic is not an ARN");
        expect(() => topicPolicy({ topicArn: missing, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: "accountQueues" })).toThrow("the topic is not an ARN");
        expect(() => topicPolicy({ topicArn: TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: { queueArn: missing } })).toThrow(
            "the subscribed queue is not an ARN",
        );
        expect(() => topicOnlyQueuePolicy({ queueArn: QUEUE, topicArn: missing })).toThrow("the topic is not an ARN");
        expect(() => deadLetterRedrivePolicy(missing)).toThrow("the dead-letter queue is not an ARN");
        expect(() => redriveAllowPolicy(missing)).toThrow("the source queue is not an ARN");
    });

    test("the dead-letter wiring: after 5 receives to the dead-letter queue, which takes this queue's only", () => {
        expect(NOTIFICATIONS_MAX_RECEIVE_COUNT).toBe(5);
        expect(json(deadLetterRedrivePolicy(DLQ))).toEqual({ deadLetterTargetArn: DLQ, maxReceiveCount: 5 });
        expect(json(deadLetterRedrivePolicy(DLQ, 3))).toEqual({ deadLetterTargetArn: DLQ, maxReceiveCount: 3 });
        expect(json(redriveAllowPolicy(QUEUE))).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [QUEUE] });
    });
});

// ---- Simulated ----

const FLYTEADMIN_POLICY: PolicyDocument = { document: flyteadminMessagingPolicy(GRANTS), where: "flyteadmin's messaging policy" };
/** What an administrator of the account (or a careless CI role) may do by its own IAM policy: everything. */
const ADMIN_POLICY: PolicyDocument = {
    document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["sns:*", "sqs:*", "ses:*"], Resource: "*" }] }),
    where: "an administrator's policy",
};
/** A team that may subscribe queues to any topic. */
const TEAM_POLICY: PolicyDocument = {
    document: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Subscribe", Resource: "*" }] }),
    where: "a team's policy",
};
const TOPIC_POLICY: PolicyDocument = {
    document: topicPolicy({ topicArn: TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: { queueArn: QUEUE } }),
    where: "the notification topic's policy",
};
const EVENTS_TOPIC_POLICY: PolicyDocument = {
    document: topicPolicy({ topicArn: EVENTS_TOPIC, publisherRoleArn: FLYTEADMIN, accountRootArn: ROOT, subscriptions: "accountQueues" }),
    where: "the events topic's policy",
};
const QUEUE_POLICY: PolicyDocument = { document: topicOnlyQueuePolicy({ queueArn: QUEUE, topicArn: TOPIC }), where: "the queue's policy" };

/** Who asks, with the identity policies it has. */
interface Caller {
    readonly principal: string;
    readonly policies: readonly PolicyDocument[];
}
const CALLERS: Readonly<Record<string, Caller>> = {
    flyteadmin: { principal: FLYTEADMIN, policies: [FLYTEADMIN_POLICY] },
    "the task pods": { principal: WORKER, policies: [] },
    "an administrator": { principal: ADMIN, policies: [ADMIN_POLICY] },
    "another account's administrator": { principal: OUTSIDER, policies: [ADMIN_POLICY] },
};

function simulate(
    caller: Caller,
    action: string,
    resource: string,
    resourcePolicy: PolicyDocument | undefined,
    context: Record<string, string> = {},
): Promise<SimulatedDecision> {
    return simulatePrincipalRequest(caller.principal, action, resource, caller.policies, resourcePolicy, context);
}

function resourcePolicyOf(resource: string): PolicyDocument | undefined {
    return { [TOPIC]: TOPIC_POLICY, [EVENTS_TOPIC]: EVENTS_TOPIC_POLICY, [QUEUE]: QUEUE_POLICY }[resource];
}

describe("simulated: who may publish, consume and send mail", () => {
    const flyteadminMay = flyteadminMessagingCalls({ topic: TOPIC, eventsTopic: EVENTS_TOPIC, queue: QUEUE, identity: IDENTITY, sender: SENDER });
    test.each(flyteadminMay)("flyteadmin may %s on %s", async (action, resource, context) => {
        await expect(simulate(CALLERS.flyteadmin, action, resource, resourcePolicyOf(resource), context)).resolves.toBe("Allowed");
    });

    test.each(["the task pods", "another account's administrator"])("%s may do none of it", async (who) => {
        for (const [action, resource, context] of flyteadminMay) {
            await expect(simulate(CALLERS[who], action, resource, resourcePolicyOf(resource), context)).resolves.not.toBe("Allowed");
        }
    });

    test("flyteadmin may do nothing else: no other sender, identity, topic or queue, no other queue call, no raw email", async () => {
        const refused: [string, string, Record<string, string>][] = [
            ["ses:SendEmail", IDENTITY, { "ses:FromAddress": "ceo@ml.example.com" }],
            ["ses:SendEmail", OTHER_IDENTITY, { "ses:FromAddress": "ceo@ml.example.com" }],
            ["ses:SendRawEmail", IDENTITY, { "ses:FromAddress": SENDER }],
            ["sns:Publish", OTHER_TOPIC, {}],
            ["sns:Subscribe", TOPIC, { "sns:Protocol": "sqs", "sns:Endpoint": QUEUE }],
            ["sqs:ReceiveMessage", DLQ, {}],
            ["sqs:SendMessage", QUEUE, {}],
            ["sqs:ChangeMessageVisibility", QUEUE, {}],
            ["sqs:PurgeQueue", QUEUE, {}],
            ["sqs:SetQueueAttributes", QUEUE, {}],
        ];
        for (const [action, resource, context] of refused) {
            expect([action, resource, await simulate(CALLERS.flyteadmin, action, resource, resourcePolicyOf(resource), context)]).toEqual([
                action,
                resource,
                expect.stringMatching(/Denied$/),
            ]);
        }
    });

    test("an administrator whose own policy allows every SNS and SQS call still cannot publish to either topic or send to the queue", async () => {
        const admin = CALLERS["an administrator"];
        await expect(simulate(admin, "sns:Publish", TOPIC, TOPIC_POLICY)).resolves.toBe("ExplicitlyDenied");
        await expect(simulate(admin, "sns:Publish", EVENTS_TOPIC, EVENTS_TOPIC_POLICY)).resolves.toBe("ExplicitlyDenied");
        await expect(simulate(admin, "sqs:SendMessage", QUEUE, QUEUE_POLICY)).resolves.toBe("ExplicitlyDenied");
        // Administering them stays with the account's IAM policies.
        await expect(simulate(admin, "sqs:ReceiveMessage", QUEUE, QUEUE_POLICY)).resolves.toBe("Allowed");
        await expect(simulate(admin, "sns:GetTopicAttributes", TOPIC, TOPIC_POLICY)).resolves.toBe("Allowed");
    });

    test("the topics do not refuse the account's root user (it may rewrite their policies anyway)", async () => {
        // The root user holds every permission of its account; the simulator models it with an allow-all policy.
        const root: Caller = { principal: ROOT, policies: [ADMIN_POLICY] };
        await expect(simulate(root, "sns:Publish", TOPIC, TOPIC_POLICY)).resolves.toBe("Allowed");
        await expect(simulate(root, "sns:Publish", EVENTS_TOPIC, EVENTS_TOPIC_POLICY)).resolves.toBe("Allowed");
    });
});

describe("simulated: the queue takes messages from its topic only", () => {
    function fromSns(sourceArn: string): Promise<SimulatedDecision> {
        return simulateRequest(
            {
                principal: "sns.amazonaws.com",
                action: "sqs:SendMessage",
                resource: QUEUE,
                context: { "aws:SourceArn": sourceArn, "aws:SourceAccount": ACCOUNT, "aws:SecureTransport": "true" },
            },
            [],
            QUEUE_POLICY,
        );
    }

    test("SNS delivers from the notification topic", async () => {
        await expect(fromSns(TOPIC)).resolves.toBe("Allowed");
    });

    test("SNS delivering from any other topic, of this account or not, is refused", async () => {
        await expect(fromSns(OTHER_TOPIC)).resolves.toBe("ExplicitlyDenied");
        await expect(fromSns(EVENTS_TOPIC)).resolves.toBe("ExplicitlyDenied");
        await expect(fromSns(`arn:aws:sns:${REGION}:${OTHER_ACCOUNT}:flyte-test-flyte-notifications`)).resolves.toBe("ExplicitlyDenied");
    });

    test("no principal sends directly, whatever its own policies allow", async () => {
        for (const caller of Object.values(CALLERS)) {
            await expect(simulate(caller, "sqs:SendMessage", QUEUE, QUEUE_POLICY)).resolves.not.toBe("Allowed");
        }
    });
});

describe("simulated: subscriptions", () => {
    const team: Caller = { principal: TEAM, policies: [TEAM_POLICY] };
    const teamQueue = arn("sqs", "analytics-flyte-events");
    const subscribe = (caller: Caller, topic: string, protocol: string, endpoint: string) =>
        simulate(caller, "sns:Subscribe", topic, resourcePolicyOf(topic), { "sns:Protocol": protocol, "sns:Endpoint": endpoint });

    test("a team of the account allowed to subscribe subscribes its own queue to the events topic", async () => {
        await expect(subscribe(team, EVENTS_TOPIC, "sqs", teamQueue)).resolves.toBe("Allowed");
    });

    test("not by email or HTTP, not without its own permission, not from another account", async () => {
        await expect(subscribe(team, EVENTS_TOPIC, "email", "someone@example.com")).resolves.toBe("ExplicitlyDenied");
        await expect(subscribe(team, EVENTS_TOPIC, "https", "https://example.com/hook")).resolves.toBe("ExplicitlyDenied");
        await expect(subscribe(CALLERS["the task pods"], EVENTS_TOPIC, "sqs", teamQueue)).resolves.toBe("ImplicitlyDenied");
        await expect(subscribe({ principal: OUTSIDER, policies: [TEAM_POLICY] }, EVENTS_TOPIC, "sqs", teamQueue)).resolves.not.toBe("Allowed");
    });

    test("the notification topic takes its own queue only, even from an administrator", async () => {
        const admin = CALLERS["an administrator"];
        await expect(subscribe(admin, TOPIC, "sqs", QUEUE)).resolves.toBe("Allowed");
        await expect(subscribe(admin, TOPIC, "sqs", teamQueue)).resolves.toBe("ExplicitlyDenied");
        await expect(subscribe(admin, TOPIC, "email", "someone@example.com")).resolves.toBe("ExplicitlyDenied");
        await expect(subscribe(team, TOPIC, "sqs", teamQueue)).resolves.toBe("ExplicitlyDenied");
    });
});
