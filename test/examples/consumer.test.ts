/**
 * The consumer example (examples/consumer) is another team's program reading a Flyte stack through
 * StackReference. Run under mocks against the outputs the shipped stacks plan, it must find what it reads and grant
 * Flyte's task identities — the shared one, or each isolated project's — read access to its dataset.
 */
import * as path from "path";
import { RecordingMonitor } from "../../lib/plan/monitor";
import { Plan, runProgram } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import { PROJECT_DIR } from "../helpers/plan";
import { sharedPlan } from "../helpers/sharedPlans";

const CONSUMER = path.join(PROJECT_DIR, "examples", "consumer", "index.ts");

/** The outputs `npm run plan -- --stack <stack> --json` prints. */
async function planOutputs(stack: string): Promise<Record<string, Json>> {
    return (await sharedPlan(stack)).outputs;
}

function runConsumer(flyteOutputs: Record<string, Json>, config: Record<string, string>): Promise<Plan> {
    const reference = "acme/flyte/under-test";
    return runProgram({
        project: "flyte-consumer",
        stack: "dev",
        config: { "flyte-consumer:flyteStack": reference, "flyte-consumer:datasetBucket": "acme-datasets", ...config },
        monitor: new RecordingMonitor("flyte-consumer", "dev", { [reference]: flyteOutputs }),
        program: () => {
            let exports: unknown;
            jest.isolateModules(() => {
                exports = require(CONSUMER);
            });
            return exports;
        },
    });
}

function members(plan: Plan): string[] {
    return plan.resources
        .filter((r) => r.type === "gcp:storage/bucketIAMMember:BucketIAMMember")
        .map((r) => {
            expect(r.inputs.bucket).toBe("acme-datasets");
            expect(r.inputs.role).toBe("roles/storage.objectViewer");
            return String(r.inputs.member);
        })
        .sort();
}

test("against the prod stack: the shared task identity reads the dataset; endpoints and identities come through", async () => {
    const outputs = await planOutputs("prod");
    const plan = await runConsumer(outputs, {});
    expect(members(plan)).toEqual([`serviceAccount:${String(outputs.workerServiceAccount)}`]);
    expect(plan.outputs.flyteGrpcEndpoint).toBe(outputs.grpcEndpoint);
    expect(plan.outputs.flyteConsole).toBe(outputs.consoleUrl);
    expect(plan.outputs.flyteBackend).toBe(outputs.backendServiceAccount);
    expect(plan.outputs.flyteIdentities).toEqual(outputs.identities);
});

test("against the proof-of-concept stack (projectIsolation): only the named project's identity reads it", async () => {
    const outputs = await planOutputs("poc");
    const perProject = outputs.projectWorkerServiceAccounts as Record<string, string>;
    const plan = await runConsumer(outputs, { "flyte-consumer:flyteProjects": '["x"]' });
    expect(members(plan)).toEqual([`serviceAccount:${perProject.x}`]);
    expect(members(plan)).not.toContain(`serviceAccount:${perProject.y}`);
});
