import * as path from "path";
import type { RecordedResource } from "../../lib/plan/monitor";
import { RecordingMonitor } from "../../lib/plan/monitor";
import { Plan, runProgram } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";

/**
 * Runs the events subscriber example (examples/events-subscriber) under the plan's mocks, for its two test files:
 * test/examples/eventsSubscriber.test.ts (each cloud) and eventsSubscriber.failures.test.ts (what it refuses). Each
 * run of a program leaves listeners on the process, so the runs are split across the two.
 */

const SUBSCRIBER = path.join(__dirname, "..", "..", "examples", "events-subscriber", "index.ts");
export const PROJECT = "flyte-events-subscriber";
/** The Flyte stack the example is pointed at (its config flyteStack). */
export const REFERENCE = "acme/flyte/under-test";

/** What an eks-sso stack that publishes execution events exports as executionEventsTopic. */
export const AWS_TOPIC = "arn:aws:sns:eu-central-1:123456789012:flyte-eks-sso-events";
/** What a gke-sso stack that publishes execution events exports as executionEventsTopic. */
export const GCP_TOPIC = "projects/acme-flyte-ml/topics/flyte-gke-sso-events";
/** The subscribing team's own project. */
export const TEAM_PROJECT = "acme-ml-analytics";

/** Runs the example against a Flyte stack's outputs, with the example's config (full keys) besides flyteStack. */
export function runSubscriber(flyteOutputs: Record<string, Json>, config: Record<string, string>, monitor?: RecordingMonitor): Promise<Plan> {
    return runProgram({
        project: PROJECT,
        stack: "dev",
        config: { [`${PROJECT}:flyteStack`]: REFERENCE, ...config },
        monitor: monitor ?? new RecordingMonitor(PROJECT, "dev", { [REFERENCE]: flyteOutputs }),
        // The program is the function the module exports (a Pulumi program may be one), called as the CLI calls it.
        program: () => {
            let program: unknown;
            jest.isolateModules(() => {
                program = require(SUBSCRIBER);
            });
            if (typeof program !== "function") {
                throw new Error(`${SUBSCRIBER} exports no program function`);
            }
            return (program as () => Promise<unknown>)();
        },
    });
}

/** The resources a program declares for itself (not its stack, nor the stack reference it reads). */
export function declared(resources: Iterable<RecordedResource>): RecordedResource[] {
    return [...resources].filter((r) => r.custom && r.type !== "pulumi:pulumi:StackReference");
}
