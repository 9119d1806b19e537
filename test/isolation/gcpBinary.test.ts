import type { Plan } from "../../lib/plan/runPlan";
import { ISOLATED_DOMAINS, isolatedStackFile } from "../helpers/isolationPlan";
import { describeProjectIsolation } from "../helpers/isolationSuite";
import { planStack } from "../helpers/plan";
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

function record(name: string): Record<string, string> {
    const value = plan.outputs[name];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`output ${name} is not a map: ${JSON.stringify(value)}`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

function bucketOf(location: string): string {
    const match = /^gs:\/\/([^/]+)\/data$/.exec(location);
    if (!match) {
        throw new Error(`not a gs:// data location: ${location}`);
    }
    return match[1];
}

const access = (email: string) => (request: StorageRequest) => gcsAllows(plan, gcpServiceAccountMember(plan, email), request);

test("the stack runs flyte-binary: one backend identity and a worker per project", () => {
    expect(Object.keys(record("identities")).sort()).toEqual(["backend", "worker-x", "worker-y"]);
    expect(plan.outputs.backendServiceAccount).toBe(record("identities").backend);
});

describeProjectIsolation("GCP flyte-binary with projectIsolation (Pulumi.dev.yaml + x, y)", () => {
    const workers = record("projectWorkerServiceAccounts");
    return {
        projects: Object.keys(workers),
        domains: [...ISOLATED_DOMAINS],
        metadataBucket: String(plan.outputs.metadataBucket),
        userDataBucket: String(plan.outputs.userDataBucket),
        projectBuckets: Object.fromEntries(Object.entries(record("projectDataLocations")).map(([p, l]) => [p, bucketOf(l)])),
        worker: (project) => access(workers[project]),
        backends: { backend: access(String(plan.outputs.backendServiceAccount)) },
    };
});
