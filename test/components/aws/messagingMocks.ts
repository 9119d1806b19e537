import { createHash } from "crypto";
import type * as mocks from "../../../lib/plan/mocks";
import type { Json } from "../../../lib/plan/wire";

/**
 * What AWS would report for flyteadmin's messaging (components/aws/awsMessaging.ts): SNS topics, SQS queues, the
 * subscription and the SES identity, for the tests of components/aws while lib/plan/mocks.ts answers them with their
 * inputs only. Each test file installs it with
 * `jest.mock("../../../lib/plan/mocks", () => jest.requireActual("./messagingMocks").withMessagingMocks(jest.requireActual("../../../lib/plan/mocks")))`.
 * It only fills what the plan's own mocks leave out, so it stays correct once they answer these types themselves.
 */

const ACCOUNT = "123456789012";
const REGION = "mock-region-1";

function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

export function mockTopicArn(topicName: string): string {
    return `arn:aws:sns:${REGION}:${ACCOUNT}:${topicName}`;
}

export function mockQueueArn(queueName: string): string {
    return `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`;
}

/** A queue's URL, which is also its id. */
export function mockQueueUrl(queueName: string): string {
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${queueName}`;
}

export function mockEmailIdentityArn(identity: string): string {
    return `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${identity}`;
}

type Outputs = (name: string, inputs: { [key: string]: Json }) => { [key: string]: Json };

const outputs: Record<string, Outputs> = {
    "aws:sns/topic:Topic": (name, inputs) => ({ arn: mockTopicArn(str(inputs.name, name)) }),
    "aws:sqs/queue:Queue": (name, inputs) => {
        const queueName = str(inputs.name, name);
        return { name: queueName, arn: mockQueueArn(queueName), url: mockQueueUrl(queueName) };
    },
    "aws:sns/topicSubscription:TopicSubscription": (name, inputs) => ({
        arn: `${str(inputs.topic, mockTopicArn(name))}:${digest(name, 8)}-${digest(`${name}/2`, 4)}-${digest(`${name}/3`, 4)}-${digest(`${name}/4`, 4)}-${digest(`${name}/5`, 12)}`,
    }),
    "aws:sesv2/emailIdentity:EmailIdentity": (name, inputs) => ({
        arn: mockEmailIdentityArn(str(inputs.emailIdentity, name)),
        identityType: "EMAIL_ADDRESS",
        verifiedForSendingStatus: false,
    }),
};

/** The ids AWS gives these resources: a topic's is its ARN, a queue's its URL, an identity's the address. */
const ids: Record<string, (name: string, inputs: { [key: string]: Json }) => string> = {
    "aws:sns/topic:Topic": (name, inputs) => mockTopicArn(str(inputs.name, name)),
    "aws:sqs/queue:Queue": (name, inputs) => mockQueueUrl(str(inputs.name, name)),
    "aws:sesv2/emailIdentity:EmailIdentity": (name, inputs) => str(inputs.emailIdentity, name),
};

/** The plan's mocks, with what AWS reports for the messaging resources filled in. */
export function withMessagingMocks(actual: typeof mocks): typeof mocks {
    return {
        ...actual,
        mockResource: (type, name, inputs) => {
            const result = actual.mockResource(type, name, inputs);
            const fill = outputs[type];
            if (!fill) {
                return result;
            }
            const generic = result.id === `${str(inputs.name, name)}-id`;
            const id = generic && type in ids ? ids[type](name, inputs) : result.id;
            return { id, state: { ...fill(name, inputs), ...result.state } };
        },
    };
}
