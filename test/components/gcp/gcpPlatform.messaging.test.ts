import type { GcpStackConfig, NotificationsConfig } from "../../../components/contract/config";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs } from "../../../components/contract/platform";
import { GcpPlatform } from "../../../components/gcp/gcpPlatform";
import { gcpNames } from "../../../components/gcp/names";
import { mockServiceAgentEmail } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { component, runComponents } from "../../helpers/components";
import { gcpStackConfig } from "../../helpers/config";
import { byName, byUrn, ofType } from "../../helpers/plan";

/**
 * GcpPlatform with notifications and execution events: the Pub/Sub API and PubSubMessaging only when asked for, grants
 * on the topics and the subscription for flyteadmin's service account only (and the Pub/Sub service agent's
 * dead-letter grants), none at project level, the messaging the Flyte layer gets, and what the release waits for.
 */

const SENDGRID: NotificationsConfig = { sender: "flyte@ml.example.com", email: { service: "sendgrid", apiKey: "SG.sendgrid-key-value" } };
const SMTP: NotificationsConfig = {
    sender: "flyte@ml.example.com",
    email: { service: "smtp", server: "smtp.example.com", port: 587, username: "flyte", password: "smtp-password-value" },
};

const binary = gcpStackConfig();
const core = gcpStackConfig({ "flyte:flavor": "core" });
const PROJECT = binary.gcp.project;
const names = gcpNames({ pulumiProject: "flyte", stack: "test", gcpProject: PROJECT });
const AGENT = `serviceAccount:${mockServiceAgentEmail(PROJECT, "pubsub.googleapis.com")}`;

function planPlatform(stack: GcpStackConfig, notifications: NotificationsConfig | undefined, executionEvents: boolean): Promise<Plan> {
    return runComponents(() => {
        const platform = new GcpPlatform("gcp", {
            ...commonPlatformArgs(stack, flyteWorkloads(stack.flyte)),
            config: stack.gcp,
            notifications,
            executionEvents,
        });
        return {
            messaging: platform.messaging ?? "none",
            releaseDependencies: platform.releaseDependencies.map((r) => r.urn),
            identities: platform.identity.identities,
        };
    });
}

const PUBSUB_API = "pubsub.googleapis.com";
const services = (plan: Plan) => ofType(plan, "gcp:projects/service:Service").map((s) => String(s.inputs.service));
const memberOf = (email: string) => `serviceAccount:${email}`;

/** Every IAM member binding of the plan, whatever the resource type it binds on. */
function iamMembers(plan: Plan): RecordedResource[] {
    return plan.resources.filter((r) => /IAMMember:/.test(r.type) || /IAMBinding:|IAMPolicy:/.test(r.type));
}

function identities(plan: Plan): Record<string, string> {
    return plan.outputs.identities as Record<string, string>;
}

/** flyte-binary without notifications or events, as every existing stack: what the others are compared with. */
let without: Plan;
beforeAll(async () => {
    without = await planPlatform(binary, undefined, false);
});

test("without notifications or events: no Pub/Sub API, resources or grants, and no messaging for the Flyte layer", () => {
    expect(services(without)).not.toContain(PUBSUB_API);
    expect(without.resources.filter((r) => r.type.startsWith("gcp:pubsub/") || r.type === "flyte:gcp:PubSubMessaging")).toEqual([]);
    expect(ofType(without, "gcp:projects/serviceIdentity:ServiceIdentity")).toEqual([]);
    expect(without.outputs.messaging).toBe("none");
});

describe("flyte-binary with email through SendGrid and execution events", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(binary, SENDGRID, true);
    });

    test("the Pub/Sub API is enabled and PubSubMessaging declared under the platform, after the API", () => {
        expect(services(plan)).toContain(PUBSUB_API);
        const messaging = component(plan, "flyte:gcp:PubSubMessaging");
        expect(messaging.parent).toBe(component(plan, "flyte:gcp:GcpPlatform").urn);
        expect(ofType(plan, "gcp:pubsub/topic:Topic").map((t) => t.inputs.name).sort()).toEqual(
            [names.notificationsTopic, names.notificationsDeadLetterTopic, names.executionEventsTopic].sort(),
        );
        const api = ofType(plan, "gcp:projects/service:Service").find((s) => s.inputs.service === PUBSUB_API);
        for (const topic of ofType(plan, "gcp:pubsub/topic:Topic")) {
            expect(topic.dependencies).toEqual([api?.urn]);
        }
    });

    test("grants on the topics and the subscription only: flyteadmin's (the backend's) account, and the service agent's dead letters", () => {
        const backend = memberOf(identities(plan).backend);
        const worker = memberOf(identities(plan).worker);
        const pubsub = iamMembers(plan).filter((m) => m.type.startsWith("gcp:pubsub/"));
        const described = pubsub.map((m) => `${m.type.split(":").pop()} ${String(m.inputs.topic ?? m.inputs.subscription)} ${String(m.inputs.role)} ${String(m.inputs.member)}`);
        expect(described.sort()).toEqual(
            [
                `TopicIAMMember ${names.notificationsTopic} roles/pubsub.publisher ${backend}`,
                `TopicIAMMember ${names.executionEventsTopic} roles/pubsub.publisher ${backend}`,
                `SubscriptionIAMMember ${names.notificationsSubscription} roles/pubsub.subscriber ${backend}`,
                `TopicIAMMember ${names.notificationsDeadLetterTopic} roles/pubsub.publisher ${AGENT}`,
                `SubscriptionIAMMember ${names.notificationsSubscription} roles/pubsub.subscriber ${AGENT}`,
            ].sort(),
        );
        // The task pods' account gets nothing new, anywhere.
        const workerGrants = (p: Plan) => iamMembers(p).filter((m) => m.inputs.member === worker).map((m) => `${m.type} ${m.name}`);
        expect(workerGrants(plan)).toEqual(workerGrants(without));
        expect(workerGrants(plan).some((g) => g.includes("pubsub"))).toBe(false);
    });

    test("nothing at project level: the project's IAM is what it is without messaging, and no pubsub role anywhere else", () => {
        const projectIam = (p: Plan) =>
            iamMembers(p)
                .filter((m) => m.type.startsWith("gcp:projects/"))
                .map((m) => `${String(m.inputs.role)} ${String(m.inputs.member)}`)
                .sort();
        expect(projectIam(plan)).toEqual(projectIam(without));
        expect(projectIam(plan).some((g) => g.includes("pubsub"))).toBe(false);
        const elsewhere = iamMembers(plan).filter((m) => !m.type.startsWith("gcp:pubsub/") && String(m.inputs.role).startsWith("roles/pubsub."));
        expect(elsewhere).toEqual([]);
        // Every other grant is exactly as without messaging.
        const others = (p: Plan) => iamMembers(p).filter((m) => !m.type.startsWith("gcp:pubsub/")).map((m) => m.urn).sort();
        expect(others(plan)).toEqual(others(without));
    });

    test("the Flyte layer gets the gcp channel, the sender, SendGrid with its key a secret, and the events topic", () => {
        expect(plan.outputs.messaging).toEqual({
            notifications: {
                channel: { type: "gcp", project: PROJECT, topic: names.notificationsTopic, subscription: names.notificationsSubscription },
                sender: "flyte@ml.example.com",
                email: { service: "sendgrid", apiKey: "[secret]" },
            },
            events: { type: "gcp", project: PROJECT, topic: names.executionEventsTopic },
        });
        expect(JSON.stringify(plan.resources)).not.toContain("SG.sendgrid-key-value");
    });

    test("the release also waits for the topics, the subscription and flyteadmin's grants, and for nothing else new", () => {
        const waited = new Set(plan.outputs.releaseDependencies as string[]);
        const before = new Set(without.outputs.releaseDependencies as string[]);
        const added = [...waited].filter((urn) => !before.has(urn)).map((urn) => byUrn(plan, urn));
        const backend = memberOf(identities(plan).backend);
        expect(added.map((r) => `${r.type.split(":").pop()} ${String(r.inputs.name ?? r.inputs.topic ?? r.inputs.subscription)}`).sort()).toEqual(
            [
                `Topic ${names.notificationsTopic}`,
                `Topic ${names.executionEventsTopic}`,
                `Subscription ${names.notificationsSubscription}`,
                `TopicIAMMember ${names.notificationsTopic}`,
                `TopicIAMMember ${names.executionEventsTopic}`,
                `SubscriptionIAMMember ${names.notificationsSubscription}`,
            ].sort(),
        );
        for (const grant of added.filter((r) => r.type.includes("IAMMember"))) {
            expect(grant.inputs.member).toBe(backend);
        }
        // What was waited for before still is.
        expect([...before].filter((urn) => !waited.has(urn))).toEqual([]);
    });
});

describe("flyte-core with email through SMTP, no events", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(core, SMTP, false);
    });

    test("flyteadmin's account is the only one of the stack granted anything on Pub/Sub; no events topic", () => {
        const ids = identities(plan);
        const pubsub = iamMembers(plan).filter((m) => m.type.startsWith("gcp:pubsub/"));
        expect(new Set(pubsub.map((m) => String(m.inputs.member)))).toEqual(new Set([memberOf(ids.flyteadmin), AGENT]));
        for (const other of ["flytepropeller", "datacatalog", "flytescheduler", "worker"]) {
            expect([other, pubsub.some((m) => m.inputs.member === memberOf(ids[other]))]).toEqual([other, false]);
        }
        expect(ofType(plan, "gcp:pubsub/topic:Topic").map((t) => t.inputs.name)).not.toContain(names.executionEventsTopic);
    });

    test("the Flyte layer gets SMTP with the password a secret, and no events", () => {
        expect(plan.outputs.messaging).toEqual({
            notifications: {
                channel: { type: "gcp", project: PROJECT, topic: names.notificationsTopic, subscription: names.notificationsSubscription },
                sender: "flyte@ml.example.com",
                email: { service: "smtp", server: "smtp.example.com", port: 587, username: "flyte", password: "[secret]" },
            },
        });
        expect(JSON.stringify(plan.resources)).not.toContain("smtp-password-value");
        expect(byName(plan, "gcp:pubsub/subscription:Subscription", "gcp-messaging-notifications").inputs.name).toBe(names.notificationsSubscription);
    });
});

test("execution events only: one topic, flyteadmin its publisher, no notifications for the Flyte layer", async () => {
    const plan = await planPlatform(binary, undefined, true);
    expect(ofType(plan, "gcp:pubsub/topic:Topic").map((t) => t.inputs.name)).toEqual([names.executionEventsTopic]);
    expect(ofType(plan, "gcp:pubsub/subscription:Subscription")).toEqual([]);
    expect(plan.outputs.messaging).toEqual({ events: { type: "gcp", project: PROJECT, topic: names.executionEventsTopic } });
    const grants = iamMembers(plan).filter((m) => m.type.startsWith("gcp:pubsub/"));
    expect(grants.map((m) => [m.inputs.role, m.inputs.member])).toEqual([["roles/pubsub.publisher", memberOf(identities(plan).backend)]]);
});

test("ses never reaches GCP: the platform refuses it", async () => {
    await expect(
        runComponents(() => {
            new GcpPlatform("gcp", {
                ...commonPlatformArgs(binary, flyteWorkloads(binary.flyte)),
                config: binary.gcp,
                notifications: { sender: "flyte@ml.example.com", email: { service: "ses" } },
            });
            return {};
        }),
    ).rejects.toThrow(/ses is an AWS service/);
});
