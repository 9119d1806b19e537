import type { Plan } from "../../lib/plan/runPlan";
import { isolatedStackFile, isolatedStorage } from "../helpers/isolationPlan";
import { describeProjectIsolation } from "../helpers/isolationSuite";
import { mapOutput, planStack } from "../helpers/plan";
import { gcpServiceAccountMember, gcsAllows, StorageRequest } from "../helpers/storageAccess";

/**
 * GCP with flyte-binary (Pulumi.dev.yaml with projectIsolation on for x and y): the same isolation as the proof of
 * concept's flyte-core, where one backend identity serves every project.
 */

const stackFile = isolatedStackFile("dev");
let plan: Plan;
beforeAll(async () => {
    plan = await planStack("dev-isolation", stackFile);
});

const access = (email: string) => (request: StorageRequest) => gcsAllows(plan, gcpServiceAccountMember(plan, email), request);

test("the stack runs flyte-binary: one backend identity and a worker per project", () => {
    expect(Object.keys(mapOutput(plan, "identities")).sort()).toEqual(["backend", "worker-x", "worker-y"]);
    expect(plan.outputs.backendServiceAccount).toBe(mapOutput(plan, "identities").backend);
});

describeProjectIsolation("GCP flyte-binary with projectIsolation (Pulumi.dev.yaml + x, y)", () => {
    const workers = mapOutput(plan, "projectWorkerServiceAccounts");
    return {
        ...isolatedStorage(plan, "gs"),
        worker: (project) => access(workers[project]),
        backends: { backend: access(String(plan.outputs.backendServiceAccount)) },
    };
});
