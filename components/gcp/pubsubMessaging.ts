import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { EmailServiceConfig } from "../contract/config";
import type { EmailDelivery, FlyteMessaging } from "../contract/platform";
import { roleSlug, serviceAccountMember } from "./iam";
import type { GcpNames } from "./names";

/*
 * flyteadmin's Pub/Sub: the notifications it publishes and consumes itself (a launch plan's `notifications=[Email(...)]`
 * become messages on a topic, which flyteadmin's processor pulls from a subscription and turns into emails), and the
 * execution events it publishes for other teams.
 *
 * What flyteadmin v1.16.8 calls, and so what it is granted: `NewNotificationsPublisher` and `NewEventsPublisher`
 * (flyteadmin/pkg/async/notifications/factory.go:301-328, 397-424) build gizmo's GCP publisher, which only takes a
 * handle on the topic and publishes (`pubsub.topics.publish`); `NewNotificationsProcessor` (factory.go:200-230) builds
 * gizmo's subscriber, which only takes a handle on the subscription and receives and acks
 * (`pubsub.subscriptions.consume`); gizmo v1.3.6 checks no topic or subscription exists (pubsub/gcp/gcp.go:29-44,
 * 133-166). The Go client (cloud.google.com/go/pubsub v1.42.0 in flyteadmin/go.mod) reads the subscription's config
 * in Receive only to learn whether message ordering is on, and takes a denial as "on"
 * (googleapis/google-cloud-go#3947, #3985); gizmo publishes no ordering keys, so that changes nothing. Hence
 * `roles/pubsub.publisher` on each topic and `roles/pubsub.subscriber` on the subscription, and no
 * `roles/pubsub.viewer` (`pubsub.topics.get` / `pubsub.subscriptions.get`) anywhere.
 */

/** `pubsub.topics.publish`. */
export const PUBSUB_PUBLISHER_ROLE = "roles/pubsub.publisher";
/** `pubsub.subscriptions.consume` (and, on a topic only, `pubsub.topics.attachSubscription`). */
export const PUBSUB_SUBSCRIBER_ROLE = "roles/pubsub.subscriber";
/** The API whose service agent forwards undeliverable messages to the dead-letter topic. */
export const PUBSUB_SERVICE = "pubsub.googleapis.com";

/** The email of a project's Pub/Sub service agent (https://cloud.google.com/pubsub/docs/handling-failures). */
export function pubsubServiceAgentEmail(projectNumber: string): string {
    return `service-${projectNumber}@gcp-sa-pubsub.iam.gserviceaccount.com`;
}

/** A topic's full name, as a dead-letter policy takes it: `projects/<project>/topics/<topic>`. */
export function topicPath(project: string, topic: string): string {
    return `projects/${project}/topics/${topic}`;
}

/**
 * How flyteadmin's notification subscription holds and redelivers messages. flyteadmin acks every message it has
 * handled, sent or not (`GcpProcessor.run`, flyteadmin/pkg/async/notifications/implementations/gcp_processor.go:41-74),
 * so a message comes back only when flyteadmin died holding it; after 5 deliveries it goes to the dead-letter topic.
 */
export const NOTIFICATION_SUBSCRIPTION = {
    /** The client extends it while a message is handled (gizmo's MaxExtension, 60 s). */
    ackDeadlineSeconds: 60,
    /** Unacked messages wait a week for flyteadmin (Pub/Sub's default, said out loud). */
    messageRetentionDuration: "604800s",
    /** Pub/Sub deletes a subscription idle for 31 days unless told otherwise: a stack with no failures for a month would lose it. */
    expirationPolicy: { ttl: "" },
    /** Redeliveries back off from 10 s to 10 min instead of coming back at once. */
    retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
    /** Deliveries before a message is dead-lettered (Pub/Sub's minimum and default). */
    maxDeliveryAttempts: 5,
} as const;

/** Which of flyteadmin's Pub/Sub resources a grant is on. */
export type PubSubResource = "notificationsTopic" | "notificationsSubscription" | "deadLetterTopic" | "eventsTopic";

/** Who a grant is for: flyteadmin's Google service account, or the project's Pub/Sub service agent. */
export type PubSubPrincipal = "flyteadmin" | "pubsubServiceAgent";

/** One IAM member binding on one topic or subscription. */
export interface PubSubGrant {
    readonly resource: PubSubResource;
    readonly role: string;
    readonly principal: PubSubPrincipal;
}

/** What a stack asks of Pub/Sub. */
export interface MessagingParts {
    /** Email notifications: the topic, flyteadmin's subscription, the dead-letter topic. */
    readonly notifications: boolean;
    /** Execution events: the events topic. */
    readonly executionEvents: boolean;
}

/**
 * Every grant, each on exactly one topic or subscription (never on the project): flyteadmin publishes to its topics
 * and consumes its subscription; the Pub/Sub service agent, which forwards undeliverable messages, publishes to the
 * dead-letter topic and acks what it forwarded on the subscription (https://cloud.google.com/pubsub/docs/handling-failures:
 * without both, Pub/Sub neither forwards nor counts delivery attempts).
 *
 * Nobody is granted anything on the events topic but flyteadmin. Another team that wants the events creates a
 * subscription of its own, which takes `pubsub.subscriptions.create` in its own project and
 * `pubsub.topics.attachSubscription` on this topic (in `roles/pubsub.subscriber`, granted on the topic by whoever owns
 * the project, not by this program), and reads it with `roles/pubsub.subscriber` on that subscription.
 */
export function pubsubGrants(parts: MessagingParts): PubSubGrant[] {
    const grant = (resource: PubSubResource, role: string, principal: PubSubPrincipal): PubSubGrant => ({ resource, role, principal });
    return [
        ...(parts.notifications
            ? [
                  grant("notificationsTopic", PUBSUB_PUBLISHER_ROLE, "flyteadmin"),
                  grant("notificationsSubscription", PUBSUB_SUBSCRIBER_ROLE, "flyteadmin"),
                  grant("deadLetterTopic", PUBSUB_PUBLISHER_ROLE, "pubsubServiceAgent"),
                  grant("notificationsSubscription", PUBSUB_SUBSCRIBER_ROLE, "pubsubServiceAgent"),
              ]
            : []),
        ...(parts.executionEvents ? [grant("eventsTopic", PUBSUB_PUBLISHER_ROLE, "flyteadmin")] : []),
    ];
}

/** Resource-name fragments. */
const RESOURCE_SLUGS: Readonly<Record<PubSubResource, string>> = {
    notificationsTopic: "notifications-topic",
    notificationsSubscription: "notifications-subscription",
    deadLetterTopic: "dead-letter-topic",
    eventsTopic: "events-topic",
};
const PRINCIPAL_SLUGS: Readonly<Record<PubSubPrincipal, string>> = { flyteadmin: "flyteadmin", pubsubServiceAgent: "pubsub-agent" };

/** A short, stable resource-name fragment for a grant, e.g. `notifications-topic-flyteadmin-pubsub-publisher`. */
export function grantSlug(grant: PubSubGrant): string {
    return `${RESOURCE_SLUGS[grant.resource]}-${PRINCIPAL_SLUGS[grant.principal]}-${roleSlug(grant.role)}`;
}

/**
 * How flyteadmin sends email from GCP: SendGrid's API or an SMTP server, the credential a Pulumi secret. SES is an
 * AWS service (config validation refuses it on gcp).
 */
export function gcpEmailDelivery(email: EmailServiceConfig): EmailDelivery {
    switch (email.service) {
        case "ses":
            throw new Error("notificationsEmailService ses is an AWS service: a GCP stack sends email through sendgrid or smtp");
        case "sendgrid":
            return { service: "sendgrid", apiKey: pulumi.secret(email.apiKey) };
        case "smtp":
            return { service: "smtp", server: email.server, port: email.port, username: email.username, password: pulumi.secret(email.password) };
    }
}

/** What the Flyte layer is told about the messaging (absent parts: off). */
export interface GcpMessagingParts {
    /** The GCP project of the topics and subscription. */
    readonly project: string;
    /** With notifications: the From address, the email delivery, and the topic and subscription (short names). */
    readonly notifications?: {
        /** The From address. */
        readonly sender: string;
        /** How the emails leave (gcpEmailDelivery). */
        readonly email: EmailDelivery;
        /** The topic flyteadmin publishes notifications to. */
        readonly topic: pulumi.Output<string>;
        /** The subscription flyteadmin consumes them from. */
        readonly subscription: pulumi.Output<string>;
    };
    /** With execution events: the topic (short name) flyteadmin publishes them to. */
    readonly eventsTopic?: pulumi.Output<string>;
}

/** FlytePlatform.messaging on GCP; undefined with neither notifications nor events. */
export function gcpMessaging(parts: GcpMessagingParts): FlyteMessaging | undefined {
    const { project, notifications, eventsTopic } = parts;
    if (notifications === undefined && eventsTopic === undefined) {
        return undefined;
    }
    return {
        ...(notifications
            ? {
                  notifications: {
                      channel: { type: "gcp", project, topic: notifications.topic, subscription: notifications.subscription },
                      sender: notifications.sender,
                      email: notifications.email,
                  },
              }
            : {}),
        ...(eventsTopic ? { events: { type: "gcp", project, topic: eventsTopic } } : {}),
    };
}

export interface PubSubMessagingArgs extends MessagingParts {
    /** The GCP project of the topics and subscriptions. */
    readonly project: string;
    /** Their ids (gcpNames: 3 to 255 characters, a letter first, never `goog` first). */
    readonly names: Pick<
        GcpNames,
        | "notificationsTopic"
        | "notificationsSubscription"
        | "notificationsDeadLetterTopic"
        | "notificationsDeadLetterSubscription"
        | "executionEventsTopic"
    >;
    /** The email of flyteadmin's Google service account: the only identity of the stack granted anything here. */
    readonly flyteadminServiceAccount: pulumi.Input<string>;
    /** GCP labels of the topics and subscriptions. */
    readonly labels: Readonly<Record<string, string>>;
    /** APIs that must be enabled first. */
    readonly apis: {
        /** pubsub.googleapis.com: topics, subscriptions and the service agent need it. */
        readonly pubsub: pulumi.Resource;
    };
}

/**
 * flyteadmin's Pub/Sub. With notifications: a topic, the subscription flyteadmin consumes (never expiring, with a
 * retry policy and a dead-letter topic), the dead-letter topic and a subscription that keeps what reaches it (a topic
 * without subscriptions drops its messages), and the Pub/Sub service agent's grants dead-lettering needs. With
 * execution events: a topic. flyteadmin's Google service account is granted exactly `pubsubGrants`, member bindings on
 * the topics and the subscription that leave other members alone.
 */
export class PubSubMessaging extends pulumi.ComponentResource {
    readonly notificationsTopic?: gcp.pubsub.Topic;
    readonly notificationsSubscription?: gcp.pubsub.Subscription;
    readonly deadLetterTopic?: gcp.pubsub.Topic;
    readonly deadLetterSubscription?: gcp.pubsub.Subscription;
    /** With notifications: the project's Pub/Sub service agent (created if the project has none yet). */
    readonly serviceAgent?: gcp.projects.ServiceIdentity;
    readonly eventsTopic?: gcp.pubsub.Topic;
    /** Every grant, by grantSlug. */
    readonly grants: Readonly<Record<string, gcp.pubsub.TopicIAMMember | gcp.pubsub.SubscriptionIAMMember>>;
    /** What flyteadmin uses and its release waits for: its topics, its subscription and its grants on them. */
    readonly flyteadminDependencies: readonly pulumi.Resource[];

    constructor(name: string, args: PubSubMessagingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:PubSubMessaging", name, {}, opts);
        if (!args.notifications && !args.executionEvents) {
            throw new Error("PubSubMessaging needs notifications or executionEvents");
        }
        const { project, names, labels } = args;
        const afterApi = { parent: this, dependsOn: [args.apis.pubsub] };
        const topics: Partial<Record<PubSubResource, gcp.pubsub.Topic>> = {};
        const subscriptions: Partial<Record<PubSubResource, gcp.pubsub.Subscription>> = {};
        let agentMember: pulumi.Output<string> | undefined;

        if (args.notifications) {
            const topic = new gcp.pubsub.Topic(`${name}-notifications`, { project, name: names.notificationsTopic, labels }, afterApi);
            const deadLetter = new gcp.pubsub.Topic(`${name}-dead-letter`, { project, name: names.notificationsDeadLetterTopic, labels }, afterApi);
            const settings = NOTIFICATION_SUBSCRIPTION;
            const subscription = new gcp.pubsub.Subscription(
                `${name}-notifications`,
                {
                    project,
                    name: names.notificationsSubscription,
                    topic: topic.name,
                    ackDeadlineSeconds: settings.ackDeadlineSeconds,
                    messageRetentionDuration: settings.messageRetentionDuration,
                    retainAckedMessages: false,
                    expirationPolicy: settings.expirationPolicy,
                    retryPolicy: settings.retryPolicy,
                    deadLetterPolicy: {
                        deadLetterTopic: deadLetter.name.apply((t) => topicPath(project, t)),
                        maxDeliveryAttempts: settings.maxDeliveryAttempts,
                    },
                    labels,
                },
                { parent: this },
            );
            // Keeps dead-lettered notifications for a week for someone to look at; nothing consumes it.
            this.deadLetterSubscription = new gcp.pubsub.Subscription(
                `${name}-dead-letter`,
                {
                    project,
                    name: names.notificationsDeadLetterSubscription,
                    topic: deadLetter.name,
                    messageRetentionDuration: settings.messageRetentionDuration,
                    expirationPolicy: settings.expirationPolicy,
                    labels,
                },
                { parent: this },
            );
            // The agent's email is `service-<project number>@gcp-sa-pubsub.iam.gserviceaccount.com`; asking Service Usage
            // for it (generateServiceIdentity) also creates it in a project that has never used Pub/Sub, so the grants
            // below never name an account that does not exist yet.
            this.serviceAgent = new gcp.projects.ServiceIdentity(`${name}-pubsub-agent`, { project, service: PUBSUB_SERVICE }, afterApi);
            agentMember = this.serviceAgent.email.apply((email) => {
                if (!email) {
                    throw new Error(`Service Usage returned no email for ${PUBSUB_SERVICE}'s service agent in ${project}`);
                }
                return serviceAccountMember(email);
            });
            this.notificationsTopic = topics.notificationsTopic = topic;
            this.deadLetterTopic = topics.deadLetterTopic = deadLetter;
            this.notificationsSubscription = subscriptions.notificationsSubscription = subscription;
        }
        if (args.executionEvents) {
            this.eventsTopic = topics.eventsTopic = new gcp.pubsub.Topic(
                `${name}-events`,
                { project, name: names.executionEventsTopic, labels },
                afterApi,
            );
        }

        const flyteadmin = pulumi.output(args.flyteadminServiceAccount).apply(serviceAccountMember);
        const grants: Record<string, gcp.pubsub.TopicIAMMember | gcp.pubsub.SubscriptionIAMMember> = {};
        const flyteadminGrants: pulumi.Resource[] = [];
        for (const grant of pubsubGrants(args)) {
            const member = grant.principal === "flyteadmin" ? flyteadmin : agentMember;
            if (member === undefined) {
                throw new Error(`no member for ${grant.principal}`);
            }
            const slug = grantSlug(grant);
            const topic = topics[grant.resource];
            const subscription = subscriptions[grant.resource];
            const binding = topic
                ? new gcp.pubsub.TopicIAMMember(`${name}-${slug}`, { project, topic: topic.name, role: grant.role, member }, { parent: this })
                : subscription
                  ? new gcp.pubsub.SubscriptionIAMMember(
                        `${name}-${slug}`,
                        { project, subscription: subscription.name, role: grant.role, member },
                        { parent: this },
                    )
                  : undefined;
            if (binding === undefined) {
                throw new Error(`no ${grant.resource} for the grant ${slug}`);
            }
            grants[slug] = binding;
            if (grant.principal === "flyteadmin") {
                flyteadminGrants.push(binding);
            }
        }
        this.grants = grants;
        this.flyteadminDependencies = [
            ...[this.notificationsTopic, this.notificationsSubscription, this.eventsTopic].flatMap((r) => (r ? [r] : [])),
            ...flyteadminGrants,
        ];

        this.registerOutputs({
            notificationsTopic: this.notificationsTopic?.name,
            notificationsSubscription: this.notificationsSubscription?.name,
            eventsTopic: this.eventsTopic?.name,
        });
    }
}
