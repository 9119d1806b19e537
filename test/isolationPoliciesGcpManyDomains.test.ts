import type { RecordedResource } from "../lib/plan/monitor";
import type { Plan } from "../lib/plan/runPlan";
import { isolatedStackFile } from "./helpers/isolationPlan";
import { describeProjectIsolation } from "./helpers/isolationSuite";
import { ofType, planStack } from "./helpers/plan";
import {
    gcpServiceAccountMember,
    gcsAllows,
    gcsGrants,
    IAM_MAX_LOGICAL_OPERATORS,
    parseStartsWithDisjunction,
    StorageRequest,
} from "./helpers/storageAccess";

/**
 * GCP with project isolation and more domains than one IAM condition can cover (Pulumi.poc.yaml with seven
 * domains): a project has two prefixes per domain on the shared metadata bucket, 14 here, while IAM allows 12
 * logical operators (13 `startsWith` terms) in a condition. The program then splits a project's prefixes over
 * several conditional bindings; together they must grant exactly the project's prefixes, each within IAM's limits,
 * and project x must still have no access to project y's data.
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

/** The object-name prefixes a condition admits on the metadata bucket (it must name no other bucket). */
function metadataPrefixesOf(condition: Condition): string[] {
    const objects = `projects/_/buckets/${metadataBucket()}/objects/`;
    return parseStartsWithDisjunction(condition.expression).map((name) => {
        if (!name.startsWith(objects)) {
            throw new Error(`a condition on the metadata bucket names ${name}`);
        }
        return name.slice(objects.length);
    });
}

/** Project p's metadata prefixes, as Flyte writes them: executions' metadata and fast-registered code, per domain. */
const expectedPrefixes = (project: string) =>
    DOMAINS.flatMap((d) => [`metadata/propeller/${project}-${d}-`, `uploads/${project}/${d}/`]);

/** The grants of project p's task identity on the metadata bucket. */
function metadataGrants(project: string): RecordedResource[] {
    return gcsGrants(plan, member(record("projectWorkerServiceAccounts")[project])).filter((g) => g.inputs.bucket === metadataBucket());
}

test("the stack has the seven domains and isolation on for x and y", () => {
    expect(Object.keys(record("projectWorkerServiceAccounts")).sort()).toEqual(PROJECTS);
    expect(expectedPrefixes("x")).toHaveLength(14);
    expect(expectedPrefixes("x").length).toBeGreaterThan(IAM_MAX_LOGICAL_OPERATORS + 1);
});

describe.each(PROJECTS)("project %s's grants on the shared metadata bucket", (project) => {
    test("two conditional objectAdmin bindings, named <binding> and <binding>-2, titled (1/2) and (2/2)", () => {
        const grants = metadataGrants(project);
        expect(grants.map((g) => [g.inputs.role, g.inputs.condition !== undefined])).toEqual([
            [OBJECT_ADMIN, true],
            [OBJECT_ADMIN, true],
        ]);
        const names = grants.map((g) => g.name).sort();
        expect(names[0]).toMatch(new RegExp(`-worker-${project}-metadata-storage-objectAdmin$`));
        expect(names[1]).toBe(`${names[0]}-2`);
        const titles = grants.map((g) => conditionOf(g).title).sort();
        expect(titles[0].endsWith(" (1/2)")).toBe(true);
        expect(titles[1]).toBe(titles[0].replace(" (1/2)", " (2/2)"));
    });

    test("each binding is within IAM's limits: at most 13 startsWith terms, a title of at most 100 characters", () => {
        for (const grant of metadataGrants(project)) {
            const condition = conditionOf(grant);
            const terms = parseStartsWithDisjunction(condition.expression).length;
            expect({ grant: grant.name, operators: terms - 1, fits: terms - 1 <= IAM_MAX_LOGICAL_OPERATORS }).toEqual({
                grant: grant.name,
                operators: terms - 1,
                fits: true,
            });
            expect(condition.title.length).toBeGreaterThan(0);
            expect(condition.title.length).toBeLessThanOrEqual(100);
            expect(condition.description.length).toBeLessThanOrEqual(256);
        }
    });

    test("together the bindings admit exactly the project's prefixes, each in one binding only", () => {
        const admitted = metadataGrants(project).flatMap((g) => metadataPrefixesOf(conditionOf(g)));
        expect(admitted.length).toBe(new Set(admitted).size);
        expect([...admitted].sort()).toEqual(expectedPrefixes(project).sort());
    });

    test("the prefixes of the last domain, which only the second binding covers, are reachable", () => {
        const can = access(record("projectWorkerServiceAccounts")[project]);
        const last = DOMAINS[DOMAINS.length - 1];
        for (const key of [`metadata/propeller/${project}-${last}-abc123/n0/data/0/outputs.pb`, `uploads/${project}/${last}/AB12CD/script_mode.tar.gz`]) {
            expect({ key, put: can({ action: "put", bucket: metadataBucket(), key }) }).toEqual({ key, put: true });
        }
    });
});

test("every conditional grant in the plan is within IAM's limits and on the metadata bucket", () => {
    const conditional = ofType(plan, BUCKET_IAM_MEMBER).filter((g) => g.inputs.condition !== undefined);
    expect(conditional).toHaveLength(PROJECTS.length * 2);
    for (const grant of conditional) {
        expect(grant.inputs.bucket).toBe(metadataBucket());
        expect(parseStartsWithDisjunction(conditionOf(grant).expression).length).toBeLessThanOrEqual(IAM_MAX_LOGICAL_OPERATORS + 1);
    }
});

describeProjectIsolation("GCP flyte-core with projectIsolation and seven domains (Pulumi.poc.yaml + 7 domains)", () => {
    const identities = record("identities");
    const workers = record("projectWorkerServiceAccounts");
    return {
        projects: Object.keys(workers),
        domains: DOMAINS,
        metadataBucket: metadataBucket(),
        userDataBucket: String(plan.outputs.userDataBucket),
        projectBuckets: Object.fromEntries(Object.entries(record("projectDataLocations")).map(([p, l]) => [p, bucketOf(l)])),
        worker: (project) => access(workers[project]),
        backends: { flyteadmin: access(identities.flyteadmin), flytepropeller: access(identities.flytepropeller) },
        metadataListing: "none",
    };
});
