import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import { isolatedStackFile, isolatedStorage } from "../helpers/isolationPlan";
import { describeProjectIsolation } from "../helpers/isolationSuite";
import { mapOutput, ofType, planStack } from "../helpers/plan";
import { checkIamCondition, conditionPrefixes } from "../helpers/celConditions";
import { gcpServiceAccountMember, gcsAllows, gcsGrants, IAM_MAX_LOGICAL_OPERATORS, StorageRequest } from "../helpers/storageAccess";

/**
 * GCP with project isolation and more domains than one IAM condition can cover (Pulumi.poc.yaml with seven
 * domains): a project has two prefixes per domain on the shared metadata bucket, 14 here, and each prefix takes two
 * terms (its objects and its listings), while IAM allows 12 logical operators (13 terms) in a condition. The program
 * then splits a project's prefixes over several conditional bindings, six prefixes each; together they must grant
 * exactly the project's prefixes, each within IAM's limits, and project x must still have no access to project y's
 * data.
 */

const DOMAINS = ["d-dev", "t-dev", "p-dev", "a-dev", "b-dev", "c-dev", "e-dev"];
const PROJECTS = ["x", "y"];
const BUCKET_IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember";
const OBJECT_ADMIN = "roles/storage.objectAdmin";

const stackFile = isolatedStackFile("poc", { "flyte:flyteDomains": DOMAINS });
let plan: Plan;
beforeAll(async () => {
    plan = await planStack("poc-many-domains", stackFile);
});

const member = (email: string) => gcpServiceAccountMember(plan, email);
const access = (email: string) => (request: StorageRequest) => gcsAllows(plan, member(email), request);
const metadataBucket = () => String(plan.outputs.metadataBucket);

interface Condition {
    readonly title: string;
    readonly description: string;
    readonly expression: string;
}

function conditionOf(grant: RecordedResource): Condition {
    const condition = grant.inputs.condition;
    if (typeof condition !== "object" || condition === null || Array.isArray(condition)) {
        throw new Error(`${grant.name} has no condition`);
    }
    const { title, description, expression } = condition as Record<string, unknown>;
    if (typeof title !== "string" || typeof description !== "string" || typeof expression !== "string") {
        throw new Error(`${grant.name}'s condition is not title, description and expression: ${JSON.stringify(condition)}`);
    }
    return { title, description, expression };
}

/** The prefixes a condition admits on the metadata bucket, for objects and for listing (it names no other bucket). */
function metadataPrefixesOf(condition: Condition): { objects: string[]; listings: string[] } {
    return conditionPrefixes(condition.expression, metadataBucket());
}

/** Project p's metadata prefixes, as Flyte writes them: executions' metadata and fast-registered code, per domain. */
const expectedPrefixes = (project: string) =>
    DOMAINS.flatMap((d) => [`metadata/propeller/${project}-${d}-`, `uploads/${project}/${d}/`]);

/** The grants of project p's task identity on the metadata bucket. */
function metadataGrants(project: string): RecordedResource[] {
    return gcsGrants(plan, member(mapOutput(plan, "projectWorkerServiceAccounts")[project])).filter((g) => g.inputs.bucket === metadataBucket());
}

test("the stack has the seven domains and isolation on for x and y", () => {
    expect(Object.keys(mapOutput(plan, "projectWorkerServiceAccounts")).sort()).toEqual(PROJECTS);
    expect(expectedPrefixes("x")).toHaveLength(14);
    // Two terms per prefix: more than one condition's 13.
    expect(2 * expectedPrefixes("x").length).toBeGreaterThan(IAM_MAX_LOGICAL_OPERATORS + 1);
});

describe.each(PROJECTS)("project %s's grants on the shared metadata bucket", (project) => {
    test("three conditional objectAdmin bindings, named <binding>, <binding>-2 and -3, titled (1/3) to (3/3)", () => {
        const grants = metadataGrants(project);
        expect(grants.map((g) => [g.inputs.role, g.inputs.condition !== undefined])).toEqual([
            [OBJECT_ADMIN, true],
            [OBJECT_ADMIN, true],
            [OBJECT_ADMIN, true],
        ]);
        const names = grants.map((g) => g.name).sort();
        expect(names[0]).toMatch(new RegExp(`-worker-${project}-metadata-storage-objectAdmin$`));
        expect(names.slice(1)).toEqual([`${names[0]}-2`, `${names[0]}-3`]);
        const titles = grants.map((g) => conditionOf(g).title).sort();
        expect(titles[0].endsWith(" (1/3)")).toBe(true);
        expect(titles.slice(1)).toEqual([titles[0].replace(" (1/3)", " (2/3)"), titles[0].replace(" (1/3)", " (3/3)")]);
    });

    test("each binding is within IAM's limits: at most 12 logical operators, a title of at most 100 characters", () => {
        for (const grant of metadataGrants(project)) {
            const condition = conditionOf(grant);
            const operators = checkIamCondition(condition.expression);
            expect({ grant: grant.name, operators, fits: operators <= IAM_MAX_LOGICAL_OPERATORS }).toEqual({
                grant: grant.name,
                operators,
                fits: true,
            });
            expect(condition.title.length).toBeGreaterThan(0);
            expect(condition.title.length).toBeLessThanOrEqual(100);
            expect(condition.description.length).toBeLessThanOrEqual(256);
        }
    });

    test("together the bindings admit exactly the project's prefixes, for objects and listing, each in one binding only", () => {
        const admitted = metadataGrants(project).map((g) => metadataPrefixesOf(conditionOf(g)));
        for (const { objects, listings } of admitted) {
            // A binding lists exactly where it reads and writes.
            expect(listings).toEqual(objects);
        }
        const objects = admitted.flatMap((a) => a.objects);
        expect(objects.length).toBe(new Set(objects).size);
        expect([...objects].sort()).toEqual(expectedPrefixes(project).sort());
    });

    test("the prefixes of the last domain, which only the third binding covers, are reachable and listable", () => {
        const can = access(mapOutput(plan, "projectWorkerServiceAccounts")[project]);
        const last = DOMAINS[DOMAINS.length - 1];
        for (const key of [`metadata/propeller/${project}-${last}-abc123/n0/data/0/outputs.pb`, `uploads/${project}/${last}/AB12CD/script_mode.tar.gz`]) {
            expect({ key, put: can({ action: "put", bucket: metadataBucket(), key }) }).toEqual({ key, put: true });
        }
        for (const prefix of [`metadata/propeller/${project}-${last}-abc123/`, `uploads/${project}/${last}/`]) {
            expect({ prefix, list: can({ action: "list", bucket: metadataBucket(), prefix }) }).toEqual({ prefix, list: true });
        }
    });
});

test("every conditional grant in the plan is within IAM's limits and on the metadata bucket", () => {
    const conditional = ofType(plan, BUCKET_IAM_MEMBER).filter((g) => g.inputs.condition !== undefined);
    expect(conditional).toHaveLength(PROJECTS.length * 3);
    for (const grant of conditional) {
        expect(grant.inputs.bucket).toBe(metadataBucket());
        expect(checkIamCondition(conditionOf(grant).expression)).toBeLessThanOrEqual(IAM_MAX_LOGICAL_OPERATORS);
    }
});

describeProjectIsolation("GCP flyte-core with projectIsolation and seven domains (Pulumi.poc.yaml + 7 domains)", () => {
    const identities = mapOutput(plan, "identities");
    const workers = mapOutput(plan, "projectWorkerServiceAccounts");
    return {
        ...isolatedStorage(plan, "gs", DOMAINS),
        worker: (project) => access(workers[project]),
        backends: { flyteadmin: access(identities.flyteadmin), flytepropeller: access(identities.flytepropeller) },
    };
});
