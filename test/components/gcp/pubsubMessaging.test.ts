import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { gcpNames } from "../../../components/gcp/names";
import {
    gcpEmailDelivery,
    gcpMessaging,
    grantSlug,
    NOTIFICATION_SUBSCRIPTION,
    PUBSUB_PUBLISHER_ROLE,
    PUBSUB_SUBSCRIBER_ROLE,
    pubsubGrants,
    PubSubMessaging,
    pubsubServiceAgentEmail,
    topicPath,
} from "../../../components/gcp/pubsubMessaging";
import { mockServiceAgentEmail } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { byName, ofType, only, transitiveDependencies } from "../../helpers/plan";

/**
 * flyteadmin's Pub/Sub (components/gcp/pubsubMessaging.ts): which grants exist (pure), the email delivery and the
 * messaging the Flyte layer gets, and the topics, subscriptions and member bindings PubSubMessaging declares.
 */

const PROJECT = "acme-test";
const ADMIN = "flyte-test-backend@acme-test.iam.gserviceaccount.com";
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: PROJECT });
const AGENT = mockServiceAgentEmail(PROJECT, "pubsub.googleapis.com");

async function isSecret(value: unknown): Promise<boolean> {
    return (value as { isSecret: Promise<boolean> }).isSecret;
}

describe("pubsubGrants", () => {
    test("notifications: flyteadmin publishes to the topic and consumes the subscription; the service agent dead-letters", () => {
        expect(pubsubGrants({ notifications: true, executionEvents: false })).toEqual([
            { resource: "notificationsTopic", role: "roles/pubsub.publisher", principal: "flyteadmin" },
            { resource: "notificationsSubscription", role: "roles/pubsub.subscriber", principal: "flyteadmin" },
            { resource: "deadLetterTopic", role: "roles/pubsub.publisher", principal: "pubsubServiceAgent" },
            { resource: "notificationsSubscription", role: "roles/pubsub.subscriber", principal: "pubsubServiceAgent" },
        ]);
    });

    test("events: flyteadmin publishes to the events topic, nothing else", () => {
        expect(pubsubGrants({ notifications: false, executionEvents: true })).toEqual([
            { resource: "eventsTopic", role: "roles/pubsub.publisher", principal: "flyteadmin" },
        ]);
        expect(pubsubGrants({ notifications: false, executionEvents: false })).toEqual([]);
    });

    test("both: the two sets, with no viewer role and nothing broader than publisher and subscriber", () => {
        const grants = pubsubGrants({ notifications: true, executionEvents: true });
        expect(grants).toHaveLength(5);
        expect(new Set(grants.map((g) => g.role))).toEqual(new Set([PUBSUB_PUBLISHER_ROLE, PUBSUB_SUBSCRIBER_ROLE]));
        // flyteadmin subscribes only where it consumes, and publishes only to topics.
        for (const grant of grants) {
            expect([grant, grant.role === PUBSUB_SUBSCRIBER_ROLE]).toEqual([grant, grant.resource === "notificationsSubscription"]);
        }
        expect(new Set(grants.map(grantSlug)).size).toBe(grants.length);
    });

    test("grant slugs read as resource, principal and role", () => {
        expect(grantSlug({ resource: "deadLetterTopic", role: PUBSUB_PUBLISHER_ROLE, principal: "pubsubServiceAgent" })).toBe(
            "dead-letter-topic-pubsub-agent-pubsub-publisher",
        );
    });
});

describe("names and settings", () => {
    test("a topic's full name and the Pub/Sub service agent's email", () => {
        expect(topicPath("acme-test", "flyte-test-notifications")).toBe("projects/acme-test/topics/flyte-test-notifications");
        expect(pubsubServiceAgentEmail("123456789012")).toBe("service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com");
        // The mocks' service identity follows the same pattern.
        expect(AGENT).toMatch(/^service-\d{12}@gcp-sa-pubsub\.iam\.gserviceaccount\.com$/);
        expect(AGENT).toBe(pubsubServiceAgentEmail(AGENT.slice("service-".length, "service-".length + 12)));
    });

    test("the subscription never expires, keeps a week, backs off and dead-letters within Pub/Sub's bounds", () => {
        expect(NOTIFICATION_SUBSCRIPTION.expirationPolicy).toEqual({ ttl: "" });
        // Ack deadline 10 to 600 s; backoff 0 to 600 s; delivery attempts 5 to 100; retention 10 min to 31 days.
        expect(NOTIFICATION_SUBSCRIPTION.ackDeadlineSeconds).toBeGreaterThanOrEqual(10);
        expect(NOTIFICATION_SUBSCRIPTION.ackDeadlineSeconds).toBeLessThanOrEqual(600);
        expect(NOTIFICATION_SUBSCRIPTION.retryPolicy).toEqual({ minimumBackoff: "10s", maximumBackoff: "600s" });
        expect(NOTIFICATION_SUBSCRIPTION.maxDeliveryAttempts).toBe(5);
        expect(NOTIFICATION_SUBSCRIPTION.messageRetentionDuration).toBe(`${7 * 24 * 3600}s`);
    });
});

describe("gcpEmailDelivery", () => {
    test("sendgrid: the API key a Pulumi secret", async () => {
        const delivery = gcpEmailDelivery({ service: "sendgrid", apiKey: "SG.key" });
        expect(delivery.service).toBe("sendgrid");
        expect(delivery.service === "sendgrid" && (await isSecret(delivery.apiKey))).toBe(true);
    });

    test("smtp: server, port and user as given, the password a Pulumi secret", async () => {
        const delivery = gcpEmailDelivery({ service: "smtp", server: "smtp.example.com", port: 587, username: "flyte", password: "pw" });
        expect(delivery).toMatchObject({ service: "smtp", server: "smtp.example.com", port: 587, username: "flyte" });
        expect(delivery.service === "smtp" && (await isSecret(delivery.password))).toBe(true);
    });

    test("ses never reaches GCP", () => {
        expect(() => gcpEmailDelivery({ service: "ses" })).toThrow(/ses is an AWS service/);
    });
});

describe("gcpMessaging", () => {
    const topic = pulumi.output("t");
    const subscription = pulumi.output("s");
    const email = { service: "sendgrid" as const, apiKey: pulumi.secret("k") };

    test("nothing with neither", () => {
        expect(gcpMessaging({ project: PROJECT })).toBeUndefined();
    });

    test("notifications: a gcp channel of the project's topic and subscription, the sender and the delivery", () => {
        expect(gcpMessaging({ project: PROJECT, notifications: { sender: "flyte@ml.example.com", email, topic, subscription } })).toEqual({
            notifications: { channel: { type: "gcp", project: PROJECT, topic, subscription }, sender: "flyte@ml.example.com", email },
        });
    });

    test("events: the project's events topic", () => {
        expect(gcpMessaging({ project: PROJECT, eventsTopic: topic })).toEqual({ events: { type: "gcp", project: PROJECT, topic } });
    });
});

function planMessaging(notifications: boolean, executionEvents: boolean): Promise<Plan> {
    return runComponents(() => {
        const pubsubApi = new gcp.projects.Service("pubsub", { project: PROJECT, service: "pubsub.googleapis.com" });
        const messaging = new PubSubMessaging("msg", {
            project: PROJECT,
            notifications,
            executionEvents,
            names,
            flyteadminServiceAccount: ADMIN,
            labels: { app: "flyte" },
            apis: { pubsub: pubsubApi },
        });
        return { flyteadminDependencies: messaging.flyteadminDependencies.map((r) => r.urn) };
    });
}

const TOPIC = "gcp:pubsub/topic:Topic";
const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const TOPIC_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember";
const SUBSCRIPTION_MEMBER = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember";
const SERVICE_IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity";

/** Every member binding as `<topic or subscription> <role> <member>`. */
function bindings(plan: Plan): string[] {
    return [
        ...ofType(plan, TOPIC_MEMBER).map((m) => `topic ${String(m.inputs.topic)} ${String(m.inputs.role)} ${String(m.inputs.member)}`),
        ...ofType(plan, SUBSCRIPTION_MEMBER).map(
            (m) => `subscription ${String(m.inputs.subscription)} ${String(m.inputs.role)} ${String(m.inputs.member)}`,
        ),
    ].sort();
}

describe("PubSubMessaging with notifications and events", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planMessaging(true, true);
    });

    test("three topics and two subscriptions, named by gcpNames, labelled, in the project", () => {
        expect(ofType(plan, TOPIC).map((t) => t.inputs.name).sort()).toEqual(
            [names.notificationsTopic, names.notificationsDeadLetterTopic, names.executionEventsTopic].sort(),
        );
        expect(ofType(plan, SUBSCRIPTION).map((s) => s.inputs.name).sort()).toEqual(
            [names.notificationsSubscription, names.notificationsDeadLetterSubscription].sort(),
        );
        for (const r of [...ofType(plan, TOPIC), ...ofType(plan, SUBSCRIPTION)]) {
            expect(r.inputs).toMatchObject({ project: PROJECT, labels: { app: "flyte" } });
        }
    });

    test("flyteadmin's subscription: on the topic, never expiring, with its retry and dead-letter policies", () => {
        const subscription = byName(plan, SUBSCRIPTION, "msg-notifications");
        expect(subscription.inputs).toEqual({
            project: PROJECT,
            name: names.notificationsSubscription,
            topic: names.notificationsTopic,
            ackDeadlineSeconds: 60,
            messageRetentionDuration: "604800s",
            retainAckedMessages: false,
            expirationPolicy: { ttl: "" },
            retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
            deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/${names.notificationsDeadLetterTopic}`, maxDeliveryAttempts: 5 },
            labels: { app: "flyte" },
        });
        // What is dead-lettered is kept: a topic without subscriptions drops its messages.
        const deadLetter = byName(plan, SUBSCRIPTION, "msg-dead-letter");
        expect(deadLetter.inputs).toMatchObject({ topic: names.notificationsDeadLetterTopic, expirationPolicy: { ttl: "" }, messageRetentionDuration: "604800s" });
        expect(deadLetter.inputs.deadLetterPolicy).toBeUndefined();
    });

    test("topics and the service agent wait for the Pub/Sub API", () => {
        const api = byName(plan, "gcp:projects/service:Service", "pubsub").urn;
        for (const r of [...ofType(plan, TOPIC), only(plan, SERVICE_IDENTITY)]) {
            expect([r.name, r.dependencies]).toEqual([r.name, [api]]);
        }
        expect(only(plan, SERVICE_IDENTITY).inputs).toEqual({ project: PROJECT, service: "pubsub.googleapis.com" });
    });

    test("flyteadmin's grants and the service agent's dead-letter grants, on the topics and the subscription only", () => {
        expect(bindings(plan)).toEqual(
            [
                `topic ${names.notificationsTopic} roles/pubsub.publisher serviceAccount:${ADMIN}`,
                `topic ${names.executionEventsTopic} roles/pubsub.publisher serviceAccount:${ADMIN}`,
                `subscription ${names.notificationsSubscription} roles/pubsub.subscriber serviceAccount:${ADMIN}`,
                `topic ${names.notificationsDeadLetterTopic} roles/pubsub.publisher serviceAccount:${AGENT}`,
                `subscription ${names.notificationsSubscription} roles/pubsub.subscriber serviceAccount:${AGENT}`,
            ].sort(),
        );
        for (const m of [...ofType(plan, TOPIC_MEMBER), ...ofType(plan, SUBSCRIPTION_MEMBER)]) {
            expect(m.inputs.project).toBe(PROJECT);
            expect(m.inputs.condition).toBeUndefined();
        }
        // Member bindings only: no policy or binding that would replace the other members of a topic's policy.
        const pubsubTypes = new Set(plan.resources.filter((r) => r.type.startsWith("gcp:pubsub/")).map((r) => r.type));
        expect([...pubsubTypes].sort()).toEqual([SUBSCRIPTION, SUBSCRIPTION_MEMBER, TOPIC, TOPIC_MEMBER].sort());
        expect(plan.resources.filter((r) => r.type.startsWith("gcp:projects/") && r.type !== SERVICE_IDENTITY && r.type !== "gcp:projects/service:Service")).toEqual([]);
    });

    test("what flyteadmin's release waits for: its two topics, its subscription and its three grants, nothing of the dead letters", () => {
        const waited = new Set(plan.outputs.flyteadminDependencies as string[]);
        const expected = [
            byName(plan, TOPIC, "msg-notifications"),
            byName(plan, TOPIC, "msg-events"),
            byName(plan, SUBSCRIPTION, "msg-notifications"),
            ...[...ofType(plan, TOPIC_MEMBER), ...ofType(plan, SUBSCRIPTION_MEMBER)].filter((m) => m.inputs.member === `serviceAccount:${ADMIN}`),
        ].map((r) => r.urn);
        expect(expected).toHaveLength(6);
        expect(waited).toEqual(new Set(expected));
        // The subscription itself waits for the dead-letter topic its policy names.
        const subscription = byName(plan, SUBSCRIPTION, "msg-notifications");
        expect(transitiveDependencies(plan, subscription).has(byName(plan, TOPIC, "msg-dead-letter").urn)).toBe(true);
    });
});

describe("PubSubMessaging with execution events only", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planMessaging(false, true);
    });

    test("one topic, flyteadmin its only publisher; no subscription, no dead letters, no service agent", () => {
        expect(ofType(plan, TOPIC).map((t) => t.inputs.name)).toEqual([names.executionEventsTopic]);
        expect(ofType(plan, SUBSCRIPTION)).toEqual([]);
        expect(ofType(plan, SERVICE_IDENTITY)).toEqual([]);
        expect(bindings(plan)).toEqual([`topic ${names.executionEventsTopic} roles/pubsub.publisher serviceAccount:${ADMIN}`]);
        expect((plan.outputs.flyteadminDependencies as string[]).sort()).toEqual([only(plan, TOPIC).urn, only(plan, TOPIC_MEMBER).urn].sort());
    });
});

describe("PubSubMessaging with notifications only", () => {
    test("no events topic; the notification grants only", async () => {
        const plan = await planMessaging(true, false);
        expect(ofType(plan, TOPIC).map((t) => t.inputs.name).sort()).toEqual([names.notificationsTopic, names.notificationsDeadLetterTopic].sort());
        expect(bindings(plan)).toHaveLength(4);
        expect(bindings(plan).filter((b) => b.includes(names.executionEventsTopic))).toEqual([]);
    });
});

test("PubSubMessaging refuses to be declared for nothing", async () => {
    await expect(planMessaging(false, false)).rejects.toThrow(/needs notifications or executionEvents/);
});
