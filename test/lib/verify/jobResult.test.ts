import { failureLine, jobOutcome, type KubePod, terminationMessage } from "../../../lib/verify/jobResult";

const RUN = { stack: "dev", stage: "endpoint", job: "flyte/flyte-verify-endpoint-3f9a1c2b-manual-20250304050607" };

function pod(...containers: { name: string; terminated?: object; waiting?: object }[]): KubePod {
    return {
        metadata: { name: "p" },
        status: { containerStatuses: containers.map((c) => ({ name: c.name, state: { terminated: c.terminated, waiting: c.waiting } })) },
    };
}

describe("jobOutcome", () => {
    test("running until a Complete or Failed condition is True", () => {
        expect(jobOutcome({})).toEqual({ state: "running" });
        expect(jobOutcome({ status: { conditions: [] } })).toEqual({ state: "running" });
        // Kubernetes 1.31+ marks these first; the Job is not finished until the terminal condition.
        expect(jobOutcome({ status: { conditions: [{ type: "SuccessCriteriaMet", status: "True" }] } })).toEqual({ state: "running" });
        expect(jobOutcome({ status: { conditions: [{ type: "FailureTarget", status: "True", reason: "BackoffLimitExceeded" }] } })).toEqual({
            state: "running",
        });
        expect(jobOutcome({ status: { conditions: [{ type: "Complete", status: "False" }] } })).toEqual({ state: "running" });
    });

    test("complete", () => {
        expect(jobOutcome({ status: { conditions: [{ type: "SuccessCriteriaMet", status: "True" }, { type: "Complete", status: "True" }] } })).toEqual({
            state: "complete",
        });
    });

    test("failed, with the condition's reason and message", () => {
        expect(
            jobOutcome({
                status: { conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" }] },
            }),
        ).toEqual({ state: "failed", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" });
    });
});

describe("terminationMessage", () => {
    test("the message of the container that ended last, as one line", () => {
        const pods = [
            pod({ name: "probe", terminated: { exitCode: 1, message: "stack dev: first attempt", finishedAt: "2025-03-04T05:06:10Z" } }),
            pod(
                { name: "probe", terminated: { exitCode: 1, message: "stack dev: grpc ListProjects failed:\n  UNAVAILABLE\n", finishedAt: "2025-03-04T05:07:10Z" } },
                // A container that ended later without a message does not hide the probe's.
                { name: "sidecar", terminated: { exitCode: 0, reason: "Completed", finishedAt: "2025-03-04T05:08:00Z" } },
            ),
        ];
        expect(terminationMessage(pods)).toBe("stack dev: grpc ListProjects failed: UNAVAILABLE");
    });

    test("an init container's message counts too", () => {
        const p: KubePod = {
            status: { initContainerStatuses: [{ name: "init", state: { terminated: { exitCode: 1, message: "init failed", finishedAt: "2025-03-04T05:00:00Z" } } }] },
        };
        expect(terminationMessage([p])).toBe("init failed");
    });

    test("none without a message", () => {
        expect(terminationMessage([])).toBeUndefined();
        expect(terminationMessage([pod({ name: "probe", terminated: { exitCode: 1, message: "  \n" } })])).toBeUndefined();
        expect(terminationMessage([{}])).toBeUndefined();
    });
});

describe("failureLine", () => {
    const failed = { ...RUN, reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };

    test("the probe's line as it wrote it", () => {
        const line = "stack dev: task pods in flytesnacks-development run as 123-compute@developer.gserviceaccount.com (the nodes' account), not flyte-dev-worker@p.iam.gserviceaccount.com";
        expect(failureLine(failed, [pod({ name: "probe", terminated: { exitCode: 1, message: line } })])).toBe(line);
    });

    test("a message that names no stack is prefixed with the stack", () => {
        expect(failureLine(failed, [pod({ name: "probe", terminated: { exitCode: 1, message: "Cannot find module main.ts" } })])).toBe(
            "stack dev: Cannot find module main.ts",
        );
    });

    test("no message: the Job's condition and the last container's end", () => {
        expect(failureLine(failed, [pod({ name: "probe", terminated: { exitCode: 137, reason: "OOMKilled" } })])).toBe(
            "stack dev: stage endpoint failed with no message from its probe: Job flyte/flyte-verify-endpoint-3f9a1c2b-manual-20250304050607: " +
                "BackoffLimitExceeded: Job has reached the specified backoff limit; container probe ended: OOMKilled (exit code 137)",
        );
        expect(failureLine(failed, [pod({ name: "probe", terminated: {} })])).toMatch(/; container probe ended: no reason \(exit code unknown\)$/);
    });

    test("no message: a container that never started", () => {
        const waiting = pod({ name: "probe", waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "node:24-alpine@sha256:0"' } });
        expect(failureLine({ ...RUN, reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" }, [waiting])).toBe(
            "stack dev: stage endpoint failed with no message from its probe: Job flyte/flyte-verify-endpoint-3f9a1c2b-manual-20250304050607: " +
                'DeadlineExceeded: Job was active longer than specified deadline; container probe never started: ImagePullBackOff: Back-off pulling image "node:24-alpine@sha256:0"',
        );
        expect(failureLine(RUN, [pod({ name: "probe", waiting: {} })])).toMatch(/: Failed; container probe never started: waiting$/);
    });

    test("no message: no pod left, a pod with no status, or pods that could not be read", () => {
        const head = "stack dev: stage endpoint failed with no message from its probe: Job flyte/flyte-verify-endpoint-3f9a1c2b-manual-20250304050607: ";
        expect(failureLine(failed, [])).toBe(`${head}BackoffLimitExceeded: Job has reached the specified backoff limit; no pod of it is left`);
        expect(failureLine(failed, [{}])).toBe(`${head}BackoffLimitExceeded: Job has reached the specified backoff limit`);
        expect(failureLine({ ...RUN, reason: "BackoffLimitExceeded" }, undefined)).toBe(`${head}BackoffLimitExceeded`);
    });
});
