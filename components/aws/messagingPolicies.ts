import type { MessagingNames } from "./names";

/**
 * The policy documents of flyteadmin's messaging on AWS (components/aws/awsMessaging.ts): what flyteadmin's role may
 * do, who may publish to the topics and send to the queue, and the queue's dead-letter wiring. Pure.
 *
 * What flyteadmin calls (Flyte v1.16.8 with gizmo v1.3.6, flyteadmin/pkg/async/notifications/factory.go):
 * - the publishers (notifications and external events) `gizmoAWS.NewPublisher`, whose `Publish` is SNS Publish on
 *   the topic ARN it is configured with (gizmo pubsub/aws/aws.go:92-104);
 * - the processor `gizmoAWS.NewSubscriber` with a queue name and owner account, which resolves the queue with
 *   GetQueueUrl (aws.go:241-255), then ReceiveMessage and DeleteMessageBatch (aws.go:323, 379); a batch is authorized
 *   as its single action, sqs:DeleteMessage
 *   (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html). It never changes
 *   a message's visibility: flyteadmin's processor only marks messages done (aws_processor.go:116);
 * - the SES emailer SES v1 `SendEmail` (flyteadmin/pkg/async/notifications/implementations/aws_emailer.go:56), never
 *   SendRawEmail.
 */

export const POLICY_VERSION = "2012-10-17";

/**
 * Receives before a notification moves to the dead-letter queue. flyteadmin deletes every message it receives, sent
 * or not (aws_processor.go:54-100): only one it keeps failing to finish (a crash, a failed delete) gets there.
 */
export const NOTIFICATIONS_MAX_RECEIVE_COUNT = 5;

/**
 * What flyteadmin's role may do on the queue: the subscriber's calls, and reading the queue's attributes (its depth
 * and settings; gizmo v1.3.6 itself does not call GetQueueAttributes).
 */
export const QUEUE_CONSUMER_ACTIONS = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ReceiveMessage"] as const;

export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Principal?: "*" | { readonly AWS: string | readonly string[] } | { readonly Service: string };
    readonly Action: string | readonly string[];
    readonly Resource: string | readonly string[];
    readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

function policy(statements: readonly PolicyStatement[]): string {
    return JSON.stringify({ Version: POLICY_VERSION, Statement: statements });
}

/** Refuses what is not an ARN (a resource that reported none would otherwise leave a statement without its resource). */
function requireArns(arns: Readonly<Record<string, string | undefined>>): void {
    for (const [what, value] of Object.entries(arns)) {
        if (typeof value !== "string" || !/^arn:aws[a-z-]*:[a-z0-9-]+:/.test(value)) {
            throw new Error(`${what} is not an ARN: ${JSON.stringify(value)}`);
        }
    }
}

/** The principal of an account as a whole (its root), in a resource policy or as `aws:PrincipalArn`. */
export function accountRootArn(partition: string, accountId: string): string {
    return `arn:${partition}:iam::${accountId}:root`;
}

/** The resources flyteadmin's role is granted, each only when configured. */
export interface FlyteadminMessagingGrants {
    /** Email notifications: the topic it publishes to, the queue it consumes, and with SES the identity it sends as. */
    readonly notifications?: {
        readonly topicArn: string;
        readonly queueArn: string;
        /** With SES: the sender's identity and its address, the only From it may use. */
        readonly ses?: { readonly identityArn: string; readonly sender: string };
    };
    /** The execution events topic it publishes to. */
    readonly eventsTopicArn?: string;
}

/** The statements of flyteadmin's messaging policy: exactly the calls Flyte makes, on exactly these resources. */
export function flyteadminMessagingStatements(grants: FlyteadminMessagingGrants): PolicyStatement[] {
    const statements: PolicyStatement[] = [];
    const notifications = grants.notifications;
    if (notifications !== undefined) {
        requireArns({ "the notification topic": notifications.topicArn, "the notification queue": notifications.queueArn });
        statements.push(
            { Sid: "PublishNotifications", Effect: "Allow", Action: "sns:Publish", Resource: notifications.topicArn },
            { Sid: "ConsumeNotifications", Effect: "Allow", Action: [...QUEUE_CONSUMER_ACTIONS], Resource: notifications.queueArn },
        );
        if (notifications.ses !== undefined) {
            requireArns({ "the sender's SES identity": notifications.ses.identityArn });
            statements.push({
                Sid: "SendNotificationEmails",
                Effect: "Allow",
                Action: "ses:SendEmail",
                Resource: notifications.ses.identityArn,
                // The From of every email flyteadmin sends is its configured sender (email.go:128, aws_emailer.go:40).
                Condition: { StringEquals: { "ses:FromAddress": notifications.ses.sender } },
            });
        }
    }
    if (grants.eventsTopicArn !== undefined) {
        requireArns({ "the events topic": grants.eventsTopicArn });
        statements.push({ Sid: "PublishExecutionEvents", Effect: "Allow", Action: "sns:Publish", Resource: grants.eventsTopicArn });
    }
    if (statements.length === 0) {
        throw new Error("flyteadmin's messaging policy needs notifications or execution events");
    }
    return statements;
}

/** flyteadmin's messaging policy document (an inline policy of its role). */
export function flyteadminMessagingPolicy(grants: FlyteadminMessagingGrants): string {
    return policy(flyteadminMessagingStatements(grants));
}

/**
 * flyteadmin's messaging policy as the deployment will have it, from the names alone, before anything exists: the
 * topics', queue's and identity's ARNs follow from their names, region and account. It counts against the 10240
 * characters IAM allows a role's inline policies, next to the role's S3 policy. Undefined with neither notifications
 * nor events.
 */
export function expectedFlyteadminMessagingPolicy(args: {
    /** The region's partition (awsPartition). */
    readonly partition: string;
    /** The region of the topics, queue and identity. */
    readonly region: string;
    /** The account that owns them. */
    readonly accountId: string;
    /** From messagingNames. */
    readonly names: MessagingNames;
    /** Email notifications: the sender, and whether SES sends them. */
    readonly notifications?: { readonly sender: string; readonly ses: boolean };
    /** Whether flyteadmin publishes execution events. */
    readonly executionEvents: boolean;
}): string | undefined {
    const arn = (service: string, resource: string) => `arn:${args.partition}:${service}:${args.region}:${args.accountId}:${resource}`;
    const notifications = args.notifications;
    if (notifications === undefined && !args.executionEvents) {
        return undefined;
    }
    return flyteadminMessagingPolicy({
        ...(notifications && {
            notifications: {
                topicArn: arn("sns", args.names.notificationsTopic),
                queueArn: arn("sqs", args.names.notificationsQueue),
                ...(notifications.ses && { ses: { identityArn: arn("ses", `identity/${notifications.sender}`), sender: notifications.sender } }),
            },
        }),
        ...(args.executionEvents && { eventsTopicArn: arn("sns", args.names.eventsTopic) }),
    });
}

/** Who a topic admits. */
export interface TopicPolicyArgs {
    /** The topic the policy is for. */
    readonly topicArn: string;
    /** flyteadmin's role: the only publisher. */
    readonly publisherRoleArn: string;
    /** The account's root principal: it may publish too (it can rewrite the policy anyway). */
    readonly accountRootArn: string;
    /**
     * What may be subscribed, always SQS queues only (email, HTTP or SMS would carry the messages out of AWS): exactly
     * the notification queue, or (the execution events topic) any queue the account's principals subscribe, as their
     * IAM policies allow.
     */
    readonly subscriptions:
        | {
              /** The one queue that may be subscribed. */
              readonly queueArn: string;
          }
        | "accountQueues";
}

/**
 * A topic flyteadmin alone publishes to: its role is allowed, and everybody else is refused even where their own
 * IAM policies allow `sns:Publish` on every topic; likewise for subscriptions. No other account is named.
 */
export function topicPolicy(args: TopicPolicyArgs): string {
    requireArns({ "the topic": args.topicArn, "the publisher": args.publisherRoleArn, "the account": args.accountRootArn });
    const statements: PolicyStatement[] = [
        { Sid: "FlyteadminPublishes", Effect: "Allow", Principal: { AWS: args.publisherRoleArn }, Action: "sns:Publish", Resource: args.topicArn },
        {
            Sid: "OnlyFlyteadminPublishes",
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Publish",
            Resource: args.topicArn,
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [args.publisherRoleArn, args.accountRootArn] } },
        },
    ];
    if (args.subscriptions === "accountQueues") {
        statements.push({ Sid: "AccountSubscribes", Effect: "Allow", Principal: { AWS: args.accountRootArn }, Action: "sns:Subscribe", Resource: args.topicArn });
    }
    statements.push({
        Sid: "QueuesOnly",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Subscribe",
        Resource: args.topicArn,
        Condition: { StringNotEquals: { "sns:Protocol": "sqs" } },
    });
    if (args.subscriptions !== "accountQueues") {
        requireArns({ "the subscribed queue": args.subscriptions.queueArn });
        statements.push({
            Sid: "OnlyItsQueue",
            Effect: "Deny",
            Principal: "*",
            Action: "sns:Subscribe",
            Resource: args.topicArn,
            Condition: { StringNotEquals: { "sns:Endpoint": args.subscriptions.queueArn } },
        });
    }
    return policy(statements);
}

/**
 * The notification queue takes messages from its topic only: SNS may send with the topic as its source, and every
 * other sender, whatever its IAM policies allow, is refused
 * (https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html). Moving messages back from the
 * dead-letter queue is a send too: to redrive them, lift the refusal first.
 */
export function topicOnlyQueuePolicy(args: { readonly queueArn: string; readonly topicArn: string }): string {
    requireArns({ "the queue": args.queueArn, "the topic": args.topicArn });
    return policy([
        {
            Sid: "TopicSends",
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: args.queueArn,
            Condition: { ArnEquals: { "aws:SourceArn": args.topicArn } },
        },
        {
            Sid: "OnlyTheTopicSends",
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:SendMessage",
            Resource: args.queueArn,
            Condition: { ArnNotEquals: { "aws:SourceArn": args.topicArn } },
        },
    ]);
}

/**
 * The queue's redrive policy: after `maxReceiveCount` receives a message moves to the dead-letter queue
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 */
export function deadLetterRedrivePolicy(deadLetterQueueArn: string, maxReceiveCount = NOTIFICATIONS_MAX_RECEIVE_COUNT): string {
    requireArns({ "the dead-letter queue": deadLetterQueueArn });
    return JSON.stringify({ deadLetterTargetArn: deadLetterQueueArn, maxReceiveCount });
}

/** The dead-letter queue's redrive-allow policy: it is the dead-letter queue of this source queue only. */
export function redriveAllowPolicy(sourceQueueArn: string): string {
    requireArns({ "the source queue": sourceQueueArn });
    return JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [sourceQueueArn] });
}
