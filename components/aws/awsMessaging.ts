import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EmailServiceConfig, NotificationsConfig } from "../contract/config";
import type { EmailDelivery, FlyteEventsTopic, FlyteMessaging, FlyteNotifications } from "../contract/platform";
import { awsPartition } from "./iam";
import {
    accountRootArn,
    deadLetterRedrivePolicy,
    flyteadminMessagingPolicy,
    redriveAllowPolicy,
    topicOnlyQueuePolicy,
    topicPolicy,
} from "./messagingPolicies";
import type { MessagingNames } from "./names";

/**
 * The AWS managed key of SNS. Its key policy lets the account's principals use it through SNS, so flyteadmin needs
 * no KMS grant to publish, and SNS decrypts a message before it delivers it: the SQS subscription needs no access to
 * this key (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html). Only AWS services that publish (CloudWatch
 * alarms, EventBridge) would need a customer managed key; nothing but flyteadmin publishes here. Encrypted topics
 * take HTTPS requests only.
 */
export const SNS_MANAGED_KEY = "alias/aws/sns";

/** SQS's longest retention (14 days): a dead letter outlives the message retention of the queue it came from (4 days). */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** How flyteadmin sends the emails, with the configured credentials as Pulumi secrets. */
export function emailDelivery(email: EmailServiceConfig): EmailDelivery {
    switch (email.service) {
        case "ses":
            return { service: "ses" };
        case "sendgrid":
            return { service: "sendgrid", apiKey: pulumi.secret(email.apiKey) };
        case "smtp":
            return { service: "smtp", server: email.server, port: email.port, username: email.username, password: pulumi.secret(email.password) };
    }
}

/** flyteadmin's IAM role (IRSA), which the messaging is granted to. */
export interface FlyteadminRole {
    /** The role's name (an IAM role's id): its inline messaging policy is attached to it. */
    readonly name: pulumi.Input<string>;
    /** The role's ARN: the only publisher the topic policies admit. */
    readonly arn: pulumi.Input<string>;
}

export interface AwsMessagingArgs {
    /** Names of the topics and queues, from messagingNames (unique per account and region). */
    readonly names: MessagingNames;
    /** The region of the topics, the queues and SES: flyteadmin's clients are configured with it. */
    readonly region: string;
    /** The AWS account that owns the topics and queues: flyteadmin resolves the queue by its name and this owner. */
    readonly accountId: pulumi.Input<string>;
    /** flyteadmin's role: the only publisher, the queue's consumer and, with SES, the sender; nobody else is granted anything. */
    readonly flyteadmin: FlyteadminRole;
    /** Email notifications: a topic, a queue subscribed to it with a dead-letter queue, and with SES the sender's identity. Absent: none of these. */
    readonly notifications?: NotificationsConfig;
    /** The execution events topic, which the account's principals subscribe their own queues to. */
    readonly executionEvents: boolean;
    /** AWS tags on every topic, queue and identity. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * flyteadmin's messaging on AWS: for email notifications an SNS topic (encrypted with SNS's managed key) that
 * flyteadmin publishes to, an SQS queue (SSE-SQS) subscribed to it that flyteadmin consumes, a dead-letter queue
 * behind it and, with SES, the sender's email identity; for execution events an SNS topic other teams subscribe
 * their queues to. flyteadmin's role is granted exactly the calls Flyte makes on these resources (one inline policy),
 * and the topics and the queue refuse everybody else.
 */
export class AwsMessaging extends pulumi.ComponentResource {
    /** What the Flyte layer configures flyteadmin with. */
    readonly messaging: FlyteMessaging;
    /** What flyteadmin uses when it starts: the topics, the queue with its policy and subscription, the identity and the grants. */
    readonly releaseDependencies: readonly pulumi.Resource[];
    /** With notifications: the topic flyteadmin publishes them to. */
    readonly notificationsTopic?: aws.sns.Topic;
    /** With notifications: the queue flyteadmin consumes. */
    readonly notificationsQueue?: aws.sqs.Queue;
    /** With notifications: where messages go after NOTIFICATIONS_MAX_RECEIVE_COUNT receives. */
    readonly deadLetterQueue?: aws.sqs.Queue;
    /** With notifications through SES: the sender's email identity. */
    readonly senderIdentity?: aws.sesv2.EmailIdentity;
    /** With execution events: their topic. */
    readonly eventsTopic?: aws.sns.Topic;
    /** flyteadmin's grants on all of the above. */
    readonly flyteadminPolicy: aws.iam.RolePolicy;

    constructor(name: string, args: AwsMessagingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:AwsMessaging", name, {}, opts);
        const { names, notifications, tags } = args;
        if (notifications === undefined && !args.executionEvents) {
            throw new Error("AwsMessaging needs notifications or execution events");
        }
        const child = { parent: this };
        const partition = awsPartition(args.region);
        const accountId = pulumi.output(args.accountId);
        const roleArn = pulumi.output(args.flyteadmin.arn);
        const accountRoot = accountId.apply((id) => accountRootArn(partition, id));
        const dependencies: pulumi.Resource[] = [];

        /** A topic's policy: flyteadmin alone publishes, and only these queues are subscribed. */
        const restrictTopic = (key: string, topic: aws.sns.Topic, queueArn: pulumi.Output<string> | undefined): aws.sns.TopicPolicy =>
            new aws.sns.TopicPolicy(
                `${name}-${key}-policy`,
                {
                    arn: topic.arn,
                    policy: pulumi
                        .all([topic.arn, roleArn, accountRoot, queueArn])
                        .apply(([topicArn, publisherRoleArn, root, subscribedQueue]) =>
                            topicPolicy({
                                topicArn,
                                publisherRoleArn,
                                accountRootArn: root,
                                subscriptions: subscribedQueue === undefined ? "accountQueues" : { queueArn: subscribedQueue },
                            }),
                        ),
                },
                child,
            );
        const encryptedTopic = (key: string, topicName: string): aws.sns.Topic =>
            new aws.sns.Topic(`${name}-${key}`, { name: topicName, kmsMasterKeyId: SNS_MANAGED_KEY, tags: { ...tags } }, child);

        let grantedNotifications: pulumi.Output<{ topicArn: string; queueArn: string; ses?: { identityArn: string; sender: string } }> | undefined;
        if (notifications !== undefined) {
            const topic = encryptedTopic("notifications", names.notificationsTopic);
            // Both queues SSE-SQS: SNS delivers to such a queue with no key policy to write, which the AWS managed key of
            // SQS (aws/sqs) would not let SNS use (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html,
            // https://repost.aws/knowledge-center/sns-sqs-subscriptions-notifications).
            const deadLetterQueue = new aws.sqs.Queue(
                `${name}-notifications-dlq`,
                {
                    name: names.notificationsDeadLetterQueue,
                    sqsManagedSseEnabled: true,
                    messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
                    tags: { ...tags },
                },
                child,
            );
            const queue = new aws.sqs.Queue(
                `${name}-notifications-queue`,
                {
                    name: names.notificationsQueue,
                    sqsManagedSseEnabled: true,
                    redrivePolicy: deadLetterQueue.arn.apply((arn) => deadLetterRedrivePolicy(arn)),
                    tags: { ...tags },
                },
                child,
            );
            new aws.sqs.RedriveAllowPolicy(
                `${name}-notifications-dlq-allow`,
                { queueUrl: deadLetterQueue.url, redriveAllowPolicy: queue.arn.apply(redriveAllowPolicy) },
                child,
            );
            restrictTopic("notifications", topic, queue.arn);
            const queuePolicy = new aws.sqs.QueuePolicy(
                `${name}-notifications-queue-policy`,
                {
                    queueUrl: queue.url,
                    policy: pulumi.all([queue.arn, topic.arn]).apply(([queueArn, topicArn]) => topicOnlyQueuePolicy({ queueArn, topicArn })),
                },
                child,
            );
            const subscription = new aws.sns.TopicSubscription(
                `${name}-notifications-subscription`,
                {
                    topic: topic.arn,
                    protocol: "sqs",
                    endpoint: queue.arn,
                    // flyteadmin parses SNS's JSON envelope and base64-decodes its Message
                    // (flyteadmin/pkg/async/notifications/implementations/aws_processor.go:51-78 at v1.16.8): raw
                    // delivery would hand it the bare message.
                    rawMessageDelivery: false,
                },
                { ...child, dependsOn: [queuePolicy] },
            );
            let identityArn: pulumi.Output<string> | undefined;
            if (notifications.email.service === "ses") {
                // An address identity: creating it makes SES email the address a verification link, and SES sends from it
                // only once that link is followed. While the account is in the SES sandbox every recipient must be a
                // verified identity too (and SES may then authorize the send against the recipients' identities, which
                // this grant does not cover): request production access for notifications to arbitrary users
                // (https://docs.aws.amazon.com/ses/latest/dg/request-production-access.html). A domain identity (DKIM
                // records in the sender's zone) is a possible later option.
                this.senderIdentity = new aws.sesv2.EmailIdentity(`${name}-sender`, { emailIdentity: notifications.sender, tags: { ...tags } }, child);
                identityArn = this.senderIdentity.arn;
            }
            const sender = notifications.sender;
            grantedNotifications = pulumi
                .all([topic.arn, queue.arn, identityArn])
                .apply(([topicArn, queueArn, sesArn]) => ({ topicArn, queueArn, ...(sesArn !== undefined && { ses: { identityArn: sesArn, sender } }) }));
            this.notificationsTopic = topic;
            this.notificationsQueue = queue;
            this.deadLetterQueue = deadLetterQueue;
            dependencies.push(topic, queue, queuePolicy, subscription, ...(this.senderIdentity ? [this.senderIdentity] : []));
        }

        if (args.executionEvents) {
            this.eventsTopic = encryptedTopic("events", names.eventsTopic);
            restrictTopic("events", this.eventsTopic, undefined);
            dependencies.push(this.eventsTopic);
        }

        this.flyteadminPolicy = new aws.iam.RolePolicy(
            `${name}-flyteadmin`,
            {
                role: args.flyteadmin.name,
                name: "flyte-messaging",
                policy: pulumi
                    .all([grantedNotifications, this.eventsTopic?.arn])
                    .apply(([granted, eventsTopicArn]) => flyteadminMessagingPolicy({ notifications: granted, eventsTopicArn })),
            },
            child,
        );
        dependencies.push(this.flyteadminPolicy);
        this.releaseDependencies = dependencies;

        const channelNotifications: FlyteNotifications | undefined =
            notifications !== undefined && this.notificationsTopic !== undefined && this.notificationsQueue !== undefined
                ? {
                      channel: {
                          type: "aws",
                          region: args.region,
                          topicArn: this.notificationsTopic.arn,
                          queueName: this.notificationsQueue.name,
                          accountId,
                      },
                      sender: notifications.sender,
                      email: emailDelivery(notifications.email),
                  }
                : undefined;
        const events: FlyteEventsTopic | undefined = this.eventsTopic && { type: "aws", region: args.region, topicArn: this.eventsTopic.arn };
        this.messaging = { ...(channelNotifications && { notifications: channelNotifications }), ...(events && { events }) };

        this.registerOutputs({ notificationsTopicArn: this.notificationsTopic?.arn, eventsTopicArn: this.eventsTopic?.arn });
    }
}
