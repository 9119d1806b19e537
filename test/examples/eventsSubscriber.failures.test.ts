/**
 * The events subscriber example (examples/events-subscriber) against a Flyte stack that publishes no execution events,
 * or has something else in the place of its topic, or with config that does not fit the topic: it fails with a
 * message that says what is wrong and what to do, before it declares anything.
 */
import { RecordingMonitor } from "../../lib/plan/monitor";
import type { Json } from "../../lib/plan/wire";
import { sharedPlan } from "../helpers/sharedPlans";
import { AWS_TOPIC, declared, PROJECT, REFERENCE, runSubscriber, TEAM_PROJECT } from "./eventsSubscriberProgram";

/** The error the run ends with, and what it declared of its own before. */
async function failure(flyteOutputs: Record<string, Json>, config: Record<string, string>): Promise<{ message: string; declared: string[] }> {
    const monitor = new RecordingMonitor(PROJECT, "dev", { [REFERENCE]: flyteOutputs });
    const error = await runSubscriber(flyteOutputs, config, monitor).then(
        () => new Error("expected the run to fail"),
        (err: unknown) => err,
    );
    return { message: error instanceof Error ? error.message : String(error), declared: declared(monitor.resources.values()).map((r) => r.name) };
}

test("the prod stack's outputs, which have no topic: says so and what to do, and creates nothing", async () => {
    const outputs = (await sharedPlan("prod")).outputs;
    expect(outputs.executionEventsTopic).toBeUndefined();
    expect(await failure(outputs, { "gcp:project": TEAM_PROJECT })).toEqual({
        message:
            `the Flyte stack ${REFERENCE} has no output executionEventsTopic: it publishes no execution events. ` +
            "Set flyte:executionEvents to true on that stack (aws or gcp) and run pulumi up there first.",
        declared: [],
    });
});

test.each([
    ["an SQS queue ARN", "arn:aws:sqs:eu-central-1:123456789012:flyte-eks-sso-events"],
    ["a Pub/Sub subscription", "projects/acme-flyte-ml/subscriptions/flyte-gke-sso-events"],
])("%s in the topic's place: names what it found and what it takes, and creates nothing", async (_what, value) => {
    expect(await failure({ executionEventsTopic: value }, { "gcp:project": TEAM_PROJECT })).toEqual({
        message:
            `the Flyte stack ${REFERENCE}'s output executionEventsTopic is "${value}": neither an SNS topic ARN ` +
            "(arn:aws:sns:<region>:<account>:<name>) nor a Pub/Sub topic id (projects/<project>/topics/<topic>)",
        declared: [],
    });
});

test("subscribers, which name Pub/Sub readers, with an SNS topic: refused before anything is created", async () => {
    const result = await failure({ executionEventsTopic: AWS_TOPIC }, { [`${PROJECT}:subscribers`]: '["serviceAccount:x@y.iam.gserviceaccount.com"]' });
    expect(result).toEqual({
        message: "config subscribers is for a Pub/Sub topic: on aws, attach the consumerPolicy of the events output to the role that reads the queue",
        declared: [],
    });
});
