/**
 * Another team's program that receives a Flyte stack's execution events: it reads the topic the Flyte stack
 * publishes them to (the `executionEventsTopic` output of contract/stack-outputs.json) through a StackReference and
 * subscribes a queue of its own, with a dead letter queue: an SQS queue on an SNS topic (aws), or a Pub/Sub
 * subscription of this team's project on a Pub/Sub topic (gcp), told apart by the topic's name. README.md beside it
 * says how to run it and how to decode the messages; test/examples/eventsSubscriber.test.ts runs it under mocks.
 *
 * The program is a function that first reads the topic: against a Flyte stack without one (or with something else
 * in its place) it fails saying so, before it declares anything.
 */
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The Flyte stack's output that names its execution events topic. */
const TOPIC_OUTPUT = "executionEventsTopic";
const DAY_SECONDS = 24 * 60 * 60;
/** Deliveries of a message before it goes to the dead letters: a consumer that keeps failing on it. */
const MAX_DELIVERIES = 5;

/** An SNS topic ARN, arn:<partition>:sns:<region>:<account>:<name>; the region is the first group. */
const SNS_TOPIC_ARN = /^arn:aws(?:-cn|-us-gov)?:sns:([a-z0-9-]+):\d{12}:[\w-]{1,256}$/;
/** A Pub/Sub topic id, projects/<project>/topics/<topic> (https://cloud.google.com/pubsub/docs/create-topic#resource_names). */
const PUBSUB_TOPIC_ID = /^projects\/[^/]+\/topics\/[A-Za-z][\w.~+%-]{2,254}$/;

/**
 * The queue policy: SNS may deliver to the queue for the Flyte stack's topic, and every other sender is refused,
 * even one of this account whose own IAM policies allow sqs:SendMessage. (Moving messages back from the dead letter
 * queue sends too: lift the refusal to redrive them.)
 */
function queuePolicy(queueArn: string, topicArn: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "FlyteExecutionEventsTopicSends",
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                // https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
                Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
            },
            {
                Sid: "OnlyTheTopicSends",
                Effect: "Deny",
                Principal: "*",
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnNotEquals: { "aws:SourceArn": topicArn } },
            },
        ],
    };
}

/** What the role that reads the events needs, and nothing else: an identity policy to attach to it. */
function consumerPolicy(queueArn: string): object {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ReadFlyteExecutionEvents",
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                Resource: queueArn,
            },
        ],
    };
}

/** An SQS queue subscribed to the SNS topic, in the topic's region, with a dead letter queue. */
function sqsSubscriber(topicArn: string, region: string) {
    // SSE with SQS-owned keys: SNS delivers to it without the KMS key policy a KMS-encrypted queue would need
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
    const deadLetters = new aws.sqs.Queue("flyte-events-dead-letters", {
        region,
        sqsManagedSseEnabled: true,
        // Longer than the queue's: a message keeps its first enqueue time when it moves to a standard dead letter
        // queue, so with an equal period it would expire on arrival.
        messageRetentionSeconds: 14 * DAY_SECONDS,
    });
    const queue = new aws.sqs.Queue("flyte-events", {
        region,
        sqsManagedSseEnabled: true,
        messageRetentionSeconds: 4 * DAY_SECONDS,
        visibilityTimeoutSeconds: 60,
        receiveWaitTimeSeconds: 20,
        redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: deadLetters.arn, maxReceiveCount: MAX_DELIVERIES }),
    });
    // Only this queue may move its failures there.
    new aws.sqs.RedriveAllowPolicy("flyte-events-dead-letters", {
        region,
        queueUrl: deadLetters.url,
        redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [queue.arn] }),
    });
    const policy = new aws.sqs.QueuePolicy("flyte-events", {
        region,
        queueUrl: queue.url,
        policy: pulumi.jsonStringify(queue.arn.apply((queueArn) => queuePolicy(queueArn, topicArn))),
    });
    // Not raw: each message is SNS's JSON envelope, whose Subject names the event's type (README.md).
    const subscription = new aws.sns.TopicSubscription(
        "flyte-events",
        { region, topic: topicArn, protocol: "sqs", endpoint: queue.arn, rawMessageDelivery: false },
        // The queue admits the topic before the first message arrives.
        { dependsOn: [policy] },
    );
    return {
        cloud: "aws",
        queueUrl: queue.url,
        queueArn: queue.arn,
        deadLetterQueueUrl: deadLetters.url,
        subscriptionArn: subscription.arn,
        consumerPolicy: pulumi.jsonStringify(queue.arn.apply(consumerPolicy)),
    };
}

/** A Pub/Sub subscription of this team's project on the topic, with a dead letter topic and its subscription. */
function pubsubSubscriber(topicId: string, project: string, subscribers: readonly string[]) {
    const retention = `${7 * DAY_SECONDS}s`;
    const deadLetters = new gcp.pubsub.Topic("flyte-events-dead-letters", { project });
    // A topic without a subscription drops what it receives.
    const deadLetterSubscription = new gcp.pubsub.Subscription("flyte-events-dead-letters", {
        project,
        topic: deadLetters.id,
        ackDeadlineSeconds: 60,
        messageRetentionDuration: retention,
        // Without it, a subscription nobody pulls from for 31 days is deleted.
        expirationPolicy: { ttl: "" },
    });
    const subscription = new gcp.pubsub.Subscription("flyte-events", {
        project,
        topic: topicId,
        ackDeadlineSeconds: 60,
        messageRetentionDuration: retention,
        expirationPolicy: { ttl: "" },
        retryPolicy: { minimumBackoff: "10s", maximumBackoff: "600s" },
        deadLetterPolicy: { deadLetterTopic: deadLetters.id, maxDeliveryAttempts: MAX_DELIVERIES },
    });
    // Pub/Sub moves a message as its service agent, which publishes it to the dead letter topic and acknowledges it
    // on the subscription (https://cloud.google.com/pubsub/docs/handling-failures#grant_forwarding_permissions).
    const agent = new gcp.projects.ServiceIdentity("pubsub-service-agent", { project, service: "pubsub.googleapis.com" });
    new gcp.pubsub.TopicIAMMember("flyte-events-dead-letters-from-pubsub", {
        project,
        topic: deadLetters.name,
        role: "roles/pubsub.publisher",
        member: agent.member,
    });
    new gcp.pubsub.SubscriptionIAMMember("flyte-events-forwarded-by-pubsub", {
        project,
        subscription: subscription.name,
        role: "roles/pubsub.subscriber",
        member: agent.member,
    });
    for (const member of subscribers) {
        new gcp.pubsub.SubscriptionIAMMember(`flyte-events-${member.replace(/[^A-Za-z0-9-]/g, "-")}`, {
            project,
            subscription: subscription.name,
            role: "roles/pubsub.subscriber",
            member,
        });
    }
    return {
        cloud: "gcp",
        subscription: subscription.id,
        deadLetterSubscription: deadLetterSubscription.id,
    };
}

export = async () => {
    const config = new pulumi.Config();
    const flyteStack = config.require("flyteStack");
    const subscribers = config.getObject<string[]>("subscribers") ?? [];

    const flyte = new pulumi.StackReference(flyteStack);
    const details = await flyte.getOutputDetails(TOPIC_OUTPUT);
    const topic = (details.value ?? details.secretValue) as unknown;
    if (topic === undefined || topic === null || topic === "") {
        throw new Error(
            `the Flyte stack ${flyteStack} has no output ${TOPIC_OUTPUT}: it publishes no execution events. ` +
                "Set flyte:executionEvents to true on that stack (aws or gcp) and run pulumi up there first.",
        );
    }
    if (typeof topic !== "string") {
        throw new Error(`the Flyte stack ${flyteStack}'s output ${TOPIC_OUTPUT} is not a string but ${JSON.stringify(topic)}`);
    }

    const sns = SNS_TOPIC_ARN.exec(topic);
    if (sns !== null) {
        if (subscribers.length > 0) {
            throw new Error("config subscribers is for a Pub/Sub topic: on aws, attach the consumerPolicy of the events output to the role that reads the queue");
        }
        // A subscription is made in its topic's region (SNS's API is regional); the queues go there too, which keeps
        // delivery within the region. Whatever aws:region says.
        return { eventsTopic: topic, events: sqsSubscriber(topic, sns[1]) };
    }
    if (PUBSUB_TOPIC_ID.test(topic)) {
        return { eventsTopic: topic, events: pubsubSubscriber(topic, new pulumi.Config("gcp").require("project"), subscribers) };
    }
    throw new Error(
        `the Flyte stack ${flyteStack}'s output ${TOPIC_OUTPUT} is "${topic}": neither an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>) ` +
            "nor a Pub/Sub topic id (projects/<project>/topics/<topic>)",
    );
};
