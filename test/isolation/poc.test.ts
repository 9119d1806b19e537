import type { Plan } from "../../lib/plan/runPlan";
import { dataLocationBucket, isolatedStorage } from "../helpers/isolationPlan";
import { describeProjectIsolation } from "../helpers/isolationSuite";
import { mapOutput, ofType, planStack } from "../helpers/plan";
import { checkIamCondition, conditionPrefixes } from "../helpers/celConditions";
import { gcpServiceAccountMember, gcsAllows, gcsGrants, StorageRequest } from "../helpers/storageAccess";

/**
 * GCP (Pulumi.poc.yaml, flyte-core): project x's task identity has no access to project y's data and lists exactly
 * within its own prefixes, judged from the BucketIAMMember grants the plan registers, their IAM conditions evaluated
 * by a CEL engine.
 */

let plan: Plan;
beforeAll(async () => {
    plan = await planStack("poc");
});

const member = (email: string) => gcpServiceAccountMember(plan, email);
const access = (email: string) => (request: StorageRequest) => gcsAllows(plan, member(email), request);

describeProjectIsolation("GCP proof of concept (poc)", () => {
    const identities = mapOutput(plan, "identities");
    const workers = mapOutput(plan, "projectWorkerServiceAccounts");
    return {
        ...isolatedStorage(plan, "gs"),
        worker: (project) => access(workers[project]),
        backends: { flyteadmin: access(identities.flyteadmin), flytepropeller: access(identities.flytepropeller) },
    };
});

describe("GCP grants behind the verdicts", () => {
    test("each project's task identity has exactly three grants: its bucket twice, the metadata bucket under a condition", () => {
        const workers = mapOutput(plan, "projectWorkerServiceAccounts");
        for (const [project, email] of Object.entries(workers)) {
            const grants = gcsGrants(plan, member(email)).map((g) => [g.inputs.bucket, g.inputs.role, g.inputs.condition === undefined]);
            const own = dataLocationBucket(mapOutput(plan, "projectDataLocations")[project], "gs");
            expect(grants.sort()).toEqual(
                [
                    [own, "roles/storage.legacyBucketReader", true],
                    [own, "roles/storage.objectAdmin", true],
                    [plan.outputs.metadataBucket, "roles/storage.objectAdmin", false],
                ].sort(),
            );
        }
    });

    test("datacatalog reads and writes metadata only; the scheduler touches no data", () => {
        const identities = mapOutput(plan, "identities");
        const catalog = access(identities.datacatalog);
        const scheduler = access(identities.flytescheduler);
        const metadata = String(plan.outputs.metadataBucket);
        const key = "metadata/propeller/x-d-dev-abc123/n0/data/0/outputs.pb";
        expect(catalog({ action: "get", bucket: metadata, key })).toBe(true);
        expect(catalog({ action: "put", bucket: metadata, key })).toBe(true);
        for (const bucket of [String(plan.outputs.userDataBucket), ...Object.values(mapOutput(plan, "projectDataLocations")).map((l) => dataLocationBucket(l, "gs"))]) {
            expect(catalog({ action: "get", bucket, key: "data/a" })).toBe(false);
        }
        expect(gcsGrants(plan, member(identities.flytescheduler))).toEqual([]);
        expect(scheduler({ action: "get", bucket: metadata, key })).toBe(false);
    });

    test("every conditional grant in the plan is on the metadata bucket and names only that bucket's objects", () => {
        const conditional = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").filter((g) => g.inputs.condition !== undefined);
        expect(conditional).toHaveLength(2);
        for (const g of conditional) {
            expect(g.inputs.bucket).toBe(plan.outputs.metadataBucket);
            const expression = String((g.inputs.condition as { expression: string }).expression);
            const buckets = [...expression.matchAll(/projects\/_\/buckets\/([^/]+)\/objects\//g)].map((m) => m[1]);
            expect(buckets).toHaveLength(6);
            expect(new Set(buckets)).toEqual(new Set([plan.outputs.metadataBucket]));
        }
    });

    test("each project's condition admits its six prefixes for objects and for listing, in 11 logical operators", () => {
        const workers = mapOutput(plan, "projectWorkerServiceAccounts");
        for (const [project, email] of Object.entries(workers)) {
            const [grant] = gcsGrants(plan, member(email)).filter((g) => g.inputs.condition !== undefined);
            const expression = String((grant.inputs.condition as { expression: string }).expression);
            const expected = ["d-dev", "t-dev", "p-dev"].flatMap((d) => [`metadata/propeller/${project}-${d}-`, `uploads/${project}/${d}/`]);
            const { objects, listings } = conditionPrefixes(expression, String(plan.outputs.metadataBucket));
            expect([...objects].sort()).toEqual([...expected].sort());
            expect([...listings].sort()).toEqual([...expected].sort());
            expect(checkIamCondition(expression)).toBe(11);
        }
    });
});
