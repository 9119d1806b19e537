/**
 * The events subscriber example (examples/events-subscriber) is another team's program that subscribes a queue of
 * its own to a Flyte stack's execution events topic, read through StackReference. Run under mocks against a shipped
 * stack's outputs with the topic a stack that publishes events exports (an SNS topic ARN on aws, a Pub/Sub topic id
 * on gcp): the queue admits that topic only, the subscription targets it, failures go to a dead letter queue. What it
 * refuses is in eventsSubscriber.failures.test.ts.
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { mockResource } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import { at } from "../helpers/json";
import { byName, ofType, only } from "../helpers/plan";
import { sharedPlan } from "../helpers/sharedPlans";
import { AWS_TOPIC, declared, GCP_TOPIC, PROJECT, runSubscriber, TEAM_PROJECT } from "./eventsSubscriberProgram";

/** The outputs of a shipped stack, with the topic the Flyte stack exports when it publishes execution events. */
async function outputsWithTopic(stack: string, topic: string): Promise<Record<string, Json>> {
    return { ...(await sharedPlan(stack)).outputs, executionEventsTopic: topic };
}

/** What the cloud reports for a planned resource, as the plan's mocks answer it. */
function reported(resource: RecordedResource): { id: string; state: { [key: string]: Json } } {
    return mockResource(resource.type, resource.name, resource.inputs);
}

function reportedString(resource: RecordedResource, key: string): string {
    const value = reported(resource).state[key];
    if (typeof value !== "string") {
        throw new Error(`the mocks report no ${key} for ${resource.type} ${resource.name}`);
    }
    return value;
}

function json(value: unknown): unknown {
    if (typeof value !== "string") {
        throw new Error(`expected a JSON document, got ${JSON.stringify(value)}`);
    }
    return JSON.parse(value);
}

describe("aws: an SQS queue on the Flyte stack's SNS topic", () => {
    let plan: Plan;
    const queue = () => byName(plan, "aws:sqs/queue:Queue", "flyte-events");
    const deadLetters = () => byName(plan, "aws:sqs/queue:Queue", "flyte-events-dead-letters");
    const arnOf = (r: RecordedResource) => reportedString(r, "arn");
    const urlOf = (r: RecordedResource) => reportedString(r, "url");
    const queueAccount = () => arnOf(queue()).split(":")[4];

    beforeAll(async () => {
        plan = await runSubscriber(await outputsWithTopic("eks-sso", AWS_TOPIC), { "aws:region": "us-east-1" });
    });

    test("declares two queues, their redrive policies, the queue policy and the subscription; nothing else", () => {
        expect(declared(plan.resources).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "aws:sns/topicSubscription:TopicSubscription flyte-events",
            "aws:sqs/queue:Queue flyte-events",
            "aws:sqs/queue:Queue flyte-events-dead-letters",
            "aws:sqs/queuePolicy:QueuePolicy flyte-events",
            "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy flyte-events-dead-letters",
        ]);
    });

    test("everything is in the topic's region, whatever aws:region says", () => {
        for (const resource of declared(plan.resources)) {
            expect([resource.name, resource.inputs.region]).toEqual([resource.name, "eu-central-1"]);
        }
    });

    test("both queues are encrypted with SQS-owned keys; the dead letters outlive the queue's retention", () => {
        for (const q of [queue(), deadLetters()]) {
            expect(q.inputs.sqsManagedSseEnabled).toBe(true);
            expect(q.inputs.kmsMasterKeyId).toBeUndefined();
        }
        expect(Number(deadLetters().inputs.messageRetentionSeconds)).toBeGreaterThan(Number(queue().inputs.messageRetentionSeconds));
    });

    test("a message received five times goes to the dead-letter queue, which takes only this queue's", () => {
        expect(json(queue().inputs.redrivePolicy)).toEqual({ deadLetterTargetArn: arnOf(deadLetters()), maxReceiveCount: 5 });
        const allow = only(plan, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy");
        expect(allow.inputs.queueUrl).toBe(urlOf(deadLetters()));
        expect(json(allow.inputs.redriveAllowPolicy)).toEqual({ redrivePermission: "byQueue", sourceQueueArns: [arnOf(queue())] });
    });

    test("the queue policy is on the queue and admits SNS for the Flyte stack's topic only, refusing every other sender", () => {
        const policy = only(plan, "aws:sqs/queuePolicy:QueuePolicy");
        expect(policy.inputs.queueUrl).toBe(urlOf(queue()));
        expect(json(policy.inputs.policy)).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "FlyteExecutionEventsTopicSends",
                    Effect: "Allow",
                    Principal: { Service: "sns.amazonaws.com" },
                    Action: "sqs:SendMessage",
                    Resource: arnOf(queue()),
                    Condition: { ArnEquals: { "aws:SourceArn": AWS_TOPIC } },
                },
                {
                    Sid: "OnlyTheTopicSends",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "sqs:SendMessage",
                    Resource: arnOf(queue()),
                    Condition: { ArnNotEquals: { "aws:SourceArn": AWS_TOPIC } },
                },
            ],
        });
    });

    describe("the queue policy, simulated (@cloud-copilot/iam-simulate)", () => {
        /** Everything on every queue: what an administrator of the queue's account may hold. */
        const ADMIN = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:*", Resource: "*" }] };

        async function decision(principal: string, action: string, sourceArn?: string, identityPolicy?: object): Promise<string> {
            const response = await runSimulation(
                {
                    request: {
                        principal,
                        action,
                        resource: { resource: arnOf(queue()), accountId: queueAccount() },
                        contextVariables: sourceArn === undefined ? {} : { "aws:SourceArn": sourceArn },
                    },
                    identityPolicies: identityPolicy === undefined ? [] : [{ name: "admin", policy: identityPolicy }],
                    serviceControlPolicies: [],
                    resourceControlPolicies: [],
                    resourcePolicy: json(only(plan, "aws:sqs/queuePolicy:QueuePolicy").inputs.policy),
                },
                {},
            );
            if (response.resultType !== "single") {
                throw new Error(`the simulator answered ${JSON.stringify(response)}`);
            }
            return response.overallResult;
        }

        test("SNS delivering for the Flyte stack's topic: allowed", async () => {
            expect(await decision("sns.amazonaws.com", "sqs:SendMessage", AWS_TOPIC)).toBe("Allowed");
        });

        test("SNS for another topic, of the same account and name prefix or of another account: refused", async () => {
            expect(await decision("sns.amazonaws.com", "sqs:SendMessage", "arn:aws:sns:eu-central-1:123456789012:flyte-eks-sso-events-2")).toBe("ExplicitlyDenied");
            expect(await decision("sns.amazonaws.com", "sqs:SendMessage", "arn:aws:sns:eu-central-1:999999999999:flyte-eks-sso-events")).toBe("ExplicitlyDenied");
        });

        test("anyone else sending, even an administrator of the queue's account: refused", async () => {
            expect(await decision(`arn:aws:iam::${queueAccount()}:role/admin`, "sqs:SendMessage", undefined, ADMIN)).toBe("ExplicitlyDenied");
            expect(await decision("arn:aws:iam::999999999999:role/flyteadmin", "sqs:SendMessage")).toBe("ExplicitlyDenied");
            expect(await decision("events.amazonaws.com", "sqs:SendMessage")).toBe("ExplicitlyDenied");
        });

        test("SNS doing anything but send: denied; the account's own roles still read through their IAM policies", async () => {
            expect(await decision("sns.amazonaws.com", "sqs:ReceiveMessage", AWS_TOPIC)).toBe("ImplicitlyDenied");
            expect(await decision(`arn:aws:iam::${queueAccount()}:role/admin`, "sqs:ReceiveMessage", undefined, ADMIN)).toBe("Allowed");
        });
    });

    test("the subscription delivers the topic to the queue in SNS's envelope, once the queue admits the topic", () => {
        const subscription = only(plan, "aws:sns/topicSubscription:TopicSubscription");
        expect(subscription.inputs).toMatchObject({ topic: AWS_TOPIC, protocol: "sqs", endpoint: arnOf(queue()), rawMessageDelivery: false });
        expect(subscription.dependencies).toContain(only(plan, "aws:sqs/queuePolicy:QueuePolicy").urn);
    });

    test("the outputs: the queue, its dead letters, and the identity policy a consumer needs on the queue only", () => {
        expect(plan.outputs.eventsTopic).toBe(AWS_TOPIC);
        expect(plan.outputs.events).toMatchObject({ cloud: "aws", queueUrl: urlOf(queue()), queueArn: arnOf(queue()), deadLetterQueueUrl: urlOf(deadLetters()) });
        expect(json(at(plan.outputs, "events", "consumerPolicy"))).toEqual({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "ReadFlyteExecutionEvents",
                    Effect: "Allow",
                    Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                    Resource: arnOf(queue()),
                },
            ],
        });
    });
});

describe("gcp: a Pub/Sub subscription of the team's project on the Flyte stack's topic", () => {
    let plan: Plan;
    const READER = "serviceAccount:events-reader@acme-ml-analytics.iam.gserviceaccount.com";
    const subscription = () => byName(plan, "gcp:pubsub/subscription:Subscription", "flyte-events");
    const deadLetterSubscription = () => byName(plan, "gcp:pubsub/subscription:Subscription", "flyte-events-dead-letters");
    const deadLetterTopic = () => only(plan, "gcp:pubsub/topic:Topic");
    const agent = () => `serviceAccount:${reportedString(only(plan, "gcp:projects/serviceIdentity:ServiceIdentity"), "email")}`;

    beforeAll(async () => {
        plan = await runSubscriber(await outputsWithTopic("gke-sso", GCP_TOPIC), {
            [`${PROJECT}:subscribers`]: JSON.stringify([READER]),
            "gcp:project": TEAM_PROJECT,
        });
    });

    test("declares the subscription, a dead-letter topic with its subscription, the service agent and the grants; nothing else", () => {
        expect(declared(plan.resources).map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "gcp:projects/serviceIdentity:ServiceIdentity pubsub-service-agent",
            "gcp:pubsub/subscription:Subscription flyte-events",
            "gcp:pubsub/subscription:Subscription flyte-events-dead-letters",
            "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember flyte-events-forwarded-by-pubsub",
            "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember flyte-events-serviceAccount-events-reader-acme-ml-analytics-iam-gserviceaccount-com",
            "gcp:pubsub/topic:Topic flyte-events-dead-letters",
            "gcp:pubsub/topicIAMMember:TopicIAMMember flyte-events-dead-letters-from-pubsub",
        ]);
    });

    test("everything is in the team's project (gcp:project), nothing in the Flyte stack's", () => {
        for (const resource of declared(plan.resources)) {
            expect([resource.name, resource.inputs.project]).toEqual([resource.name, TEAM_PROJECT]);
        }
        expect(JSON.stringify(declared(plan.resources).map((r) => r.inputs))).not.toContain("projects/acme-flyte-ml/subscriptions");
    });

    test("the subscription is on the Flyte stack's topic; what fails five times goes to the dead-letter topic", () => {
        expect(subscription().inputs).toMatchObject({
            topic: GCP_TOPIC,
            deadLetterPolicy: { deadLetterTopic: reported(deadLetterTopic()).id, maxDeliveryAttempts: 5 },
            retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
        });
        expect(subscription().inputs.pushConfig).toBeUndefined();
    });

    test("the dead letters are kept: a subscription on the dead-letter topic; neither subscription expires", () => {
        expect(deadLetterSubscription().inputs.topic).toBe(reported(deadLetterTopic()).id);
        expect(reported(deadLetterTopic()).id).toMatch(new RegExp(`^projects/${TEAM_PROJECT}/topics/`));
        expect(deadLetterSubscription().inputs.deadLetterPolicy).toBeUndefined();
        for (const s of [subscription(), deadLetterSubscription()]) {
            expect(s.inputs.expirationPolicy).toEqual({ ttl: "" });
            expect(s.inputs.messageRetentionDuration).toBe("604800s");
        }
    });

    test("grants: Pub/Sub's service agent publishes dead letters and acknowledges them; the named readers pull; nobody else, nowhere else", () => {
        const byTarget = (a: { on: unknown; member: unknown }, b: { on: unknown; member: unknown }) =>
            `${String(a.on)} ${String(a.member)}`.localeCompare(`${String(b.on)} ${String(b.member)}`);
        const grants = [...ofType(plan, "gcp:pubsub/topicIAMMember:TopicIAMMember"), ...ofType(plan, "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember")]
            .map((r) => ({ on: r.inputs.topic ?? r.inputs.subscription, role: r.inputs.role, member: r.inputs.member }))
            .sort(byTarget);
        const subscriptionName = reportedString(subscription(), "name");
        const deadLetterTopicName = reportedString(deadLetterTopic(), "name");
        expect(grants).toEqual(
            [
                { on: subscriptionName, role: "roles/pubsub.subscriber", member: agent() },
                { on: subscriptionName, role: "roles/pubsub.subscriber", member: READER },
                { on: deadLetterTopicName, role: "roles/pubsub.publisher", member: agent() },
            ].sort(byTarget),
        );
        expect(agent()).toMatch(/^serviceAccount:service-\d+@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/);
    });

    test("the outputs: the subscription to pull from and the dead letters'", () => {
        expect(plan.outputs.eventsTopic).toBe(GCP_TOPIC);
        expect(plan.outputs.events).toEqual({
            cloud: "gcp",
            subscription: reported(subscription()).id,
            deadLetterSubscription: reported(deadLetterSubscription()).id,
        });
    });
});
