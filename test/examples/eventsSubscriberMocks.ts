import { createHash } from "crypto";
import type * as mocks from "../../lib/plan/mocks";
import type { Json } from "../../lib/plan/wire";

/**
 * What AWS and Google Cloud would report for the events subscriber's resources (SQS queues, Pub/Sub topics and
 * subscriptions, the Pub/Sub service agent), for test/examples/eventsSubscriber.test.ts while lib/plan/mocks.ts
 * answers them with their inputs only. The test installs it with
 * `jest.mock("../../lib/plan/mocks", () => jest.requireActual("./eventsSubscriberMocks").withEventsSubscriberMocks(jest.requireActual("../../lib/plan/mocks")))`.
 * It only fills what the plan's own mocks leave out, so it stays correct once they answer these types themselves.
 */

/** The subscribing team's AWS account (another than the Flyte stack's). */
const SUBSCRIBER_ACCOUNT = "210987654321";
/** The subscribing team's Google Cloud project number. */
const SUBSCRIBER_PROJECT_NUMBER = "480000000042";

function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

/** The name the provider gives a resource without one: its Pulumi name with a random suffix. */
function mockAutoName(name: string): string {
    return `${name}-${digest(name, 7)}`;
}

/** The name the provider would give: the configured one, or an automatic one. */
function physicalName(name: string, inputs: { [key: string]: Json }): string {
    return str(inputs.name, mockAutoName(name));
}

interface Filled {
    readonly id?: string;
    readonly state: { [key: string]: Json };
}

type Fill = (name: string, inputs: { [key: string]: Json }) => Filled;

const fills: Record<string, Fill> = {
    "aws:sqs/queue:Queue": (name, inputs) => {
        const region = str(inputs.region, "mock-region-1");
        const queueName = physicalName(name, inputs);
        const url = `https://sqs.${region}.amazonaws.com/${SUBSCRIBER_ACCOUNT}/${queueName}`;
        return { id: url, state: { name: queueName, arn: `arn:aws:sqs:${region}:${SUBSCRIBER_ACCOUNT}:${queueName}`, url } };
    },
    "aws:sns/topicSubscription:TopicSubscription": (name, inputs) => ({
        state: { arn: `${str(inputs.topic, "arn:aws:sns:mock-region-1:123456789012:mock")}:${digest(name, 8)}-mock-subscription` },
    }),
    "gcp:pubsub/topic:Topic": (name, inputs) => {
        const topic = physicalName(name, inputs);
        return { id: `projects/${str(inputs.project, "mock-project")}/topics/${topic}`, state: { name: topic } };
    },
    "gcp:pubsub/subscription:Subscription": (name, inputs) => {
        const subscription = physicalName(name, inputs);
        return { id: `projects/${str(inputs.project, "mock-project")}/subscriptions/${subscription}`, state: { name: subscription } };
    },
    "gcp:projects/serviceIdentity:ServiceIdentity": (_name, inputs) => {
        const agent = str(inputs.service, "").split(".")[0];
        const email = `service-${SUBSCRIBER_PROJECT_NUMBER}@gcp-sa-${agent}.iam.gserviceaccount.com`;
        return { state: { email, member: `serviceAccount:${email}` } };
    },
};

/** The plan's mocks, with what the clouds report for the events subscriber's resources filled in. */
export function withEventsSubscriberMocks(actual: typeof mocks): typeof mocks {
    return {
        ...actual,
        mockResource: (type, name, inputs) => {
            const result = actual.mockResource(type, name, inputs);
            const fill = fills[type];
            if (!fill) {
                return result;
            }
            const filled = fill(name, inputs);
            const generic = result.id === `${str(inputs.name, name)}-id`;
            return { id: generic && filled.id !== undefined ? filled.id : result.id, state: { ...filled.state, ...result.state } };
        },
    };
}
