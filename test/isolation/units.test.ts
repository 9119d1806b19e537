import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/config/errors";
import { GCS_DEFAULT_BUCKET_PRINCIPALS } from "../../components/config/flyte";
import type { FlyteConfig } from "../../components/contract/config";
import { backendIdentityKey, identityStackOutputs, kubernetesIdentities } from "../../components/flyte/identityStackOutputs";
import {
    projectAttributesRequest,
    projectAttributesScript,
    projectRawOutputPrefixes,
    RAW_OUTPUT_PATH,
} from "../../components/flyte/projectDataLocations";
import {
    BACKEND_IDENTITY,
    FLYTE_BINARY_SERVICE_ACCOUNT,
    FLYTE_CORE_COMPONENTS,
    flyteWorkloads,
    FlyteWorkloads,
    type IdentityRequest,
    firstDataPrefixOverlap,
    METADATA_PREFIX,
    overlappingDataPrefixes,
    projectMetadataPrefixes,
    projectWorkerIdentity,
    UPLOADS_PREFIX,
    WORKER_IDENTITY,
    WORKER_SERVICE_ACCOUNT,
} from "../../components/contract/identities";
import {
    BUCKET_ROLES,
    BucketRef,
    bucketGrants,
    bucketSlug,
    conditionalBindingCount,
    MAX_CONDITION_PREFIXES,
    MAX_CONDITION_TERMS,
    MAX_CONDITIONAL_BINDINGS,
    MAX_CONDITIONAL_PREFIXES,
    MAX_POLICY_PRINCIPALS,
    OBJECT_LIST_PREFIX_ATTRIBUTE,
    OBJECT_ROLE,
    objectPrefixCondition,
    prefixGroups,
} from "../../components/gcp/iam";
import {
    bucketSetupScript,
    FLYTE_MINIO_POLICY,
    flyteBucketPolicy,
    MinioProjectData,
    projectKeyVariables,
    projectMinioPolicyName,
} from "../../components/local/localMinio";
import { LOCAL_METADATA_BUCKET, LOCAL_USER_DATA_BUCKET, minioProjects } from "../../components/local/localPlatform";
import { localProjectBucket } from "../../components/local/names";
import { gcpNames, PROJECT_WORKER_MAX_GCP, projectDataBucket } from "../../components/gcp/names";
import { identityName } from "../../components/contract/identities";
import { shortHash } from "../../components/shared/names";
import { PROJECT_WORKER_MAX_AWS, s3BucketNames } from "../../components/aws/names";
import { s3PolicyFor, s3ProjectPolicy, s3ReadWritePolicy } from "../../components/contract/s3Access";
import type { Plan } from "../../lib/plan/runPlan";
import { runComponents } from "../helpers/components";
import { gcpStackConfig, localStackConfig } from "../helpers/config";
import { checkIamCondition, conditionPrefixes, evaluateIamCondition, gcsRequestAttributes } from "../helpers/celConditions";
import { minioUserAllows, parseMinioScript, s3Decision } from "../helpers/storageAccess";

/** The identity request for a key; throws if the workloads have none. */
function identityRequest(workloads: FlyteWorkloads, key: string): IdentityRequest {
    const found = workloads.identities.find((i) => i.key === key);
    if (!found) {
        throw new Error(`no identity ${key} among ${workloads.identities.map((i) => i.key).join(", ")}`);
    }
    return found;
}

/**
 * The pure functions behind project isolation: who gets an identity, what it may touch, how that becomes GCS grants,
 * S3 and MinIO policies, names, the Job that points projects at their buckets, and the identity outputs.
 */

const DOMAINS = ["d-dev", "t-dev", "p-dev"];
const ISOLATED = {
    "flyte:projectIsolation": "true",
    "flyte:flyteProjects": '["x","y"]',
    "flyte:flyteDomains": JSON.stringify(DOMAINS),
    "flyte:namespaceTemplate": "team-{{ project }}-{{ domain }}",
    "flyte:flyteNamespace": "team-flyte",
};

function flyteConfig(flavor: "binary" | "core", isolation: boolean): FlyteConfig {
    return gcpStackConfig({
        ...ISOLATED,
        "flyte:flavor": flavor,
        "flyte:projectIsolation": String(isolation),
    }).flyte;
}

const X_PREFIXES = [
    "metadata/propeller/x-d-dev-",
    "metadata/propeller/x-t-dev-",
    "metadata/propeller/x-p-dev-",
    "uploads/x/d-dev/",
    "uploads/x/t-dev/",
    "uploads/x/p-dev/",
];

describe("projectMetadataPrefixes", () => {
    test("one execution-metadata prefix and one upload prefix per domain, each ending in its separator", () => {
        expect(METADATA_PREFIX).toBe("metadata/propeller");
        expect(UPLOADS_PREFIX).toBe("uploads");
        expect(projectMetadataPrefixes("x", DOMAINS)).toEqual(X_PREFIXES);
        expect(projectMetadataPrefixes("flytesnacks", ["development"])).toEqual([
            "metadata/propeller/flytesnacks-development-",
            "uploads/flytesnacks/development/",
        ]);
        expect(projectMetadataPrefixes("x", [])).toEqual([]);
    });

    test("no prefix of one project covers another's, for neighbouring project ids", () => {
        const projects = ["x", "xy", "x-y", "y", "x-d"];
        const all = projects.map((p) => ({ p, prefixes: projectMetadataPrefixes(p, DOMAINS) }));
        for (const a of all) {
            for (const b of all) {
                if (a.p === b.p) {
                    continue;
                }
                for (const pa of a.prefixes) {
                    for (const pb of b.prefixes) {
                        expect({ pa, pb, nested: pb.startsWith(pa) }).toEqual({ pa, pb, nested: false });
                    }
                }
            }
        }
    });
});

describe("flyteWorkloads", () => {
    const keys = (w: FlyteWorkloads) => w.identities.map((i) => i.key);
    const ksas = (w: FlyteWorkloads, key: string) => identityRequest(w, key).serviceAccounts.map((s) => `${s.namespace}/${s.name}`);
    const nsOf = (p: string) => DOMAINS.map((d) => `team-${p}-${d}/${WORKER_SERVICE_ACCOUNT}`);

    test("binary without isolation: the backend and one shared worker bound to every project namespace", () => {
        const w = flyteWorkloads(flyteConfig("binary", false));
        expect(keys(w)).toEqual([BACKEND_IDENTITY, WORKER_IDENTITY]);
        expect(w.isolatedProjects).toEqual([]);
        expect(identityRequest(w, "backend")).toMatchObject({
            role: "backend",
            serviceAccounts: [{ namespace: "team-flyte", name: FLYTE_BINARY_SERVICE_ACCOUNT }],
            data: { kind: "shared", metadata: true, userData: true },
            signsUrls: true,
        });
        expect(identityRequest(w, "worker")).toMatchObject({ role: "worker", data: { kind: "shared", metadata: true, userData: true }, signsUrls: false });
        expect(ksas(w, "worker")).toEqual([...nsOf("x"), ...nsOf("y")]);
    });

    test("binary with isolation: the backend and one worker per project, bound only to that project's namespaces", () => {
        const w = flyteWorkloads(flyteConfig("binary", true));
        expect(keys(w)).toEqual(["backend", "worker-x", "worker-y"]);
        expect(w.isolatedProjects).toEqual(["x", "y"]);
        for (const p of ["x", "y"]) {
            const request = identityRequest(w, projectWorkerIdentity(p));
            expect(request.key).toBe(`worker-${p}`);
            expect(request.role).toBe("worker");
            expect(request.signsUrls).toBe(false);
            expect(request.data).toEqual({ kind: "project", project: p, metadataPrefixes: projectMetadataPrefixes(p, DOMAINS) });
            expect(ksas(w, request.key)).toEqual(nsOf(p));
            expect(request.description).toContain(`project ${p}`);
        }
        expect(() => identityRequest(w, "worker")).toThrow("no identity worker among backend, worker-x, worker-y");
    });

    test("core without isolation: one identity per component, each in Flyte's namespace, and the shared worker", () => {
        const w = flyteWorkloads(flyteConfig("core", false));
        expect(keys(w)).toEqual(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler", "worker"]);
        for (const component of ["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler"] as const) {
            const request = identityRequest(w, component);
            expect(request.role).toBe("backend");
            expect(ksas(w, component)).toEqual([`team-flyte/${FLYTE_CORE_COMPONENTS[component].serviceAccount}`]);
            expect(request.data).toEqual(FLYTE_CORE_COMPONENTS[component].data);
        }
        expect(identityRequest(w, "flyteadmin").signsUrls).toBe(true);
        expect(w.identities.filter((i) => i.signsUrls).map((i) => i.key)).toEqual(["flyteadmin"]);
        expect(identityRequest(w, "datacatalog").data).toEqual({ kind: "shared", metadata: true, userData: false });
        expect(identityRequest(w, "flytescheduler").data).toEqual({ kind: "none" });
        expect(ksas(w, "worker")).toEqual([...nsOf("x"), ...nsOf("y")]);
    });

    test("core with isolation: the components and one worker per project", () => {
        const w = flyteWorkloads(flyteConfig("core", true));
        expect(keys(w)).toEqual(["flyteadmin", "flytepropeller", "datacatalog", "flytescheduler", "worker-x", "worker-y"]);
        expect(ksas(w, "worker-x")).toEqual(nsOf("x"));
        expect(ksas(w, "worker-y")).toEqual(nsOf("y"));
        expect(w.identities.filter((i) => i.role === "worker").map((i) => i.key)).toEqual(["worker-x", "worker-y"]);
    });

    test("a template without {{ domain }} binds each project's one namespace once", () => {
        const flyte = gcpStackConfig({ ...ISOLATED, "flyte:namespaceTemplate": "team-{{ project }}" }).flyte;
        const w = flyteWorkloads(flyte);
        expect(ksas(w, "worker-x")).toEqual(["team-x/default"]);
        expect(ksas(w, "worker-y")).toEqual(["team-y/default"]);
    });
});

describe("bucketGrants (GCS)", () => {
    const whole = (bucket: object) => BUCKET_ROLES.map((role) => ({ bucket, role }));

    test("no data: no grants", () => {
        expect(bucketGrants({ kind: "none" }, ["x", "y"])).toEqual([]);
    });

    test("shared metadata only (datacatalog): the metadata bucket, not the projects'", () => {
        expect(bucketGrants({ kind: "shared", metadata: true, userData: false }, ["x", "y"])).toEqual(whole({ kind: "metadata" }));
    });

    test("shared user data: the shared buckets and every isolated project's bucket, whole", () => {
        expect(bucketGrants({ kind: "shared", metadata: true, userData: true }, ["x", "y"])).toEqual([
            ...whole({ kind: "metadata" }),
            ...whole({ kind: "userData" }),
            ...whole({ kind: "project", project: "x" }),
            ...whole({ kind: "project", project: "y" }),
        ]);
        expect(bucketGrants({ kind: "shared", metadata: false, userData: true }, [])).toEqual(whole({ kind: "userData" }));
    });

    test("a project: its bucket whole, and object rights on the metadata bucket under its prefixes only", () => {
        const grants = bucketGrants({ kind: "project", project: "x", metadataPrefixes: X_PREFIXES }, ["x", "y"]);
        expect(grants).toEqual([
            ...whole({ kind: "project", project: "x" }),
            { bucket: { kind: "metadata" }, role: OBJECT_ROLE, prefixes: X_PREFIXES },
        ]);
        expect(OBJECT_ROLE).toBe("roles/storage.objectAdmin");
        // Nothing bucket-level on the metadata bucket (it would list every project's object names).
        expect(grants.filter((g) => g.bucket.kind === "metadata").map((g) => g.role)).toEqual(["roles/storage.objectAdmin"]);
        expect(grants.some((g) => g.bucket.kind === "userData" || (g.bucket.kind === "project" && g.bucket.project !== "x"))).toBe(false);
    });

    test("bucket slugs name resources distinctly", () => {
        const refs: BucketRef[] = [{ kind: "metadata" }, { kind: "userData" }, { kind: "project", project: "x" }];
        expect(refs.map(bucketSlug)).toEqual([
            "metadata",
            "userData",
            "x-data",
        ]);
    });
});

describe("objectPrefixCondition", () => {
    const OBJECT = (bucket: string, name: string) => gcsRequestAttributes({ action: "get", bucket, key: name });
    const LIST = (bucket: string, prefix: string) => gcsRequestAttributes({ action: "list", bucket, prefix });

    test("per prefix, a startsWith on the bucket's object names and one on the listing prefix, joined with ||", () => {
        const condition = objectPrefixCondition("meta", ["a/", "b-"], "Flyte task pods of x: own objects");
        expect(condition).toEqual({
            title: "Flyte task pods of x: own objects",
            description: "Objects under, and listings within, a/, b-",
            expression:
                'resource.name.startsWith("projects/_/buckets/meta/objects/a/") || ' +
                'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("a/") || ' +
                'resource.name.startsWith("projects/_/buckets/meta/objects/b-") || ' +
                'api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith("b-")',
        });
        expect(OBJECT_LIST_PREFIX_ATTRIBUTE).toBe("storage.googleapis.com/objectListPrefix");
    });

    test("evaluated by a CEL engine: objects and listings under the prefixes, in that bucket only", () => {
        const { expression } = objectPrefixCondition("meta", ["a/", "b-"], "t");
        const admits = (attributes: ReturnType<typeof OBJECT>) => evaluateIamCondition(expression, attributes);
        expect(admits(OBJECT("meta", "a/1"))).toBe(true);
        expect(admits(OBJECT("meta", "b-1/o"))).toBe(true);
        expect(admits(OBJECT("meta", "a"))).toBe(false);
        expect(admits(OBJECT("meta", "c/a/1"))).toBe(false);
        expect(admits(OBJECT("other", "a/1"))).toBe(false);
        expect(admits(LIST("meta", "a/"))).toBe(true);
        expect(admits(LIST("meta", "a/deeper/"))).toBe(true);
        expect(admits(LIST("meta", "b-"))).toBe(true);
        // No prefix, a shorter one, a neighbour: the whole bucket's names or someone else's.
        expect(admits(LIST("meta", ""))).toBe(false);
        expect(admits(LIST("meta", "a"))).toBe(false);
        expect(admits(LIST("meta", "b"))).toBe(false);
        expect(admits(LIST("meta", "c/"))).toBe(false);
    });

    test("quotes and backslashes are escaped, so the expression names exactly the given prefixes", () => {
        const odd = ['we"ird/', "back\\slash/", "plain/"];
        const condition = objectPrefixCondition("meta", odd, "t");
        expect(conditionPrefixes(condition.expression, "meta")).toEqual({ objects: odd, listings: odd });
        expect(evaluateIamCondition(condition.expression, OBJECT("meta", 'we"ird/x'))).toBe(true);
        expect(evaluateIamCondition(condition.expression, LIST("meta", "back\\slash/"))).toBe(true);
    });

    test("title and description are cut to IAM's limits", () => {
        const many = Array.from({ length: MAX_CONDITION_PREFIXES }, (_, i) => `metadata/propeller/project-${i}-development-`);
        const condition = objectPrefixCondition("meta", many, "t".repeat(150));
        expect(condition.title).toHaveLength(100);
        expect(condition.description.length).toBe(256);
        expect(conditionPrefixes(condition.expression, "meta")).toEqual({ objects: many, listings: many });
    });

    test("refuses an empty prefix list (it would grant nothing, or with a careless caller everything)", () => {
        expect(() => objectPrefixCondition("meta", [], "t")).toThrow("a prefix condition takes 1 to 6 prefixes, not 0");
    });

    test("refuses an empty prefix, which would admit the whole bucket and every listing with a prefix", () => {
        expect(() => objectPrefixCondition("meta", ["a/", ""], "t")).toThrow("a prefix condition takes no empty prefix");
    });

    test("refuses more prefixes than one IAM condition may test (IAM would reject the binding)", () => {
        expect(MAX_CONDITION_TERMS).toBe(13);
        expect(MAX_CONDITION_PREFIXES).toBe(6);
        const prefixes = Array.from({ length: 7 }, (_, i) => `p${i}/`);
        expect(() => objectPrefixCondition("meta", prefixes, "t")).toThrow("a prefix condition takes 1 to 6 prefixes, not 7");
        const six = objectPrefixCondition("meta", prefixes.slice(0, 6), "t");
        // 12 terms, 11 operators: within IAM's 12, counted on the CEL syntax tree.
        expect(checkIamCondition(six.expression)).toBe(11);
    });
});

describe("prefixGroups", () => {
    const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `p${i}/`);

    test.each([
        [1, [1]],
        [6, [6]],
        [7, [6, 1]],
        [12, [6, 6]],
        [13, [6, 6, 1]],
        [14, [6, 6, 2]],
        [120, Array.from({ length: 20 }, () => 6)],
    ])("%i prefixes: groups of %j", (n, sizes) => {
        const groups = prefixGroups(prefixes(n));
        expect(groups.map((g) => g.length)).toEqual(sizes);
        // In order, each prefix exactly once.
        expect(groups.flat()).toEqual(prefixes(n));
        expect(conditionalBindingCount(n)).toBe(sizes.length);
    });

    test("no prefixes: no groups (so no binding at all, never an unconditional one)", () => {
        expect(prefixGroups([])).toEqual([]);
    });

    test("refuses more groups than IAM allows conditional bindings for one role and principal (20)", () => {
        expect(MAX_CONDITIONAL_BINDINGS).toBe(20);
        expect(MAX_CONDITIONAL_PREFIXES).toBe(120);
        expect(() => prefixGroups(prefixes(121))).toThrow("121 prefixes need 21 conditional bindings, IAM allows 20 per role and principal");
    });
});

describe("S3 policies", () => {
    const META = "arn:aws:s3:::meta";
    const XB = "arn:aws:s3:::data-x";
    const YB = "arn:aws:s3:::data-y";
    const decide = (policy: string, request: Parameters<typeof s3Decision>[1]) => s3Decision([{ document: policy, where: "p" }], request);

    test("s3ProjectPolicy: the project's bucket whole; the metadata bucket's location, and its objects and listing under the prefixes", () => {
        const policy = JSON.parse(s3ProjectPolicy({ projectBucketArn: XB, metadataBucketArn: META, metadataPrefixes: ["m/x-", "u/x/"] })) as {
            Statement: { Sid: string; Action: string[]; Resource: string[]; Condition?: unknown }[];
        };
        expect(policy.Statement.map((s) => [s.Sid, s.Resource])).toEqual([
            ["ProjectBucket", [XB]],
            ["ProjectObjects", [`${XB}/*`]],
            ["MetadataLocation", [META]],
            ["ProjectMetadataListing", [META]],
            ["ProjectMetadataObjects", [`${META}/m/x-*`, `${META}/u/x/*`]],
        ]);
        expect(policy.Statement[2].Action).toEqual(["s3:GetBucketLocation"]);
        expect(policy.Statement[3]).toMatchObject({ Action: ["s3:ListBucket"], Condition: { StringLike: { "s3:prefix": ["m/x-*", "u/x/*"] } } });
        expect(policy.Statement.flatMap((s) => s.Action)).not.toContain("s3:*");
    });

    test("s3ProjectPolicy decides as intended", () => {
        const policy = s3ProjectPolicy({ projectBucketArn: XB, metadataBucketArn: META, metadataPrefixes: ["m/x-"] });
        expect(decide(policy, { action: "put", bucket: "meta", key: "m/x-1/o" })).toBe("allow");
        expect(decide(policy, { action: "put", bucket: "meta", key: "m/y-1/o" })).toBe("none");
        expect(decide(policy, { action: "list", bucket: "meta", prefix: "m/x-" })).toBe("allow");
        expect(decide(policy, { action: "list", bucket: "meta", prefix: "m/" })).toBe("none");
        expect(decide(policy, { action: "get", bucket: "data-x", key: "any" })).toBe("allow");
        expect(decide(policy, { action: "get", bucket: "data-y", key: "any" })).toBe("none");
    });

    test("s3ProjectPolicy refuses an empty prefix list", () => {
        expect(() => s3ProjectPolicy({ projectBucketArn: XB, metadataBucketArn: META, metadataPrefixes: [] })).toThrow(
            "a project policy needs at least one metadata prefix",
        );
    });

    const buckets = { metadata: META, userData: "arn:aws:s3:::user", projects: { x: XB, y: YB } };

    test("s3PolicyFor: none gets no policy; metadata-only gets the metadata bucket only", () => {
        expect(s3PolicyFor({ kind: "none" }, buckets)).toBeUndefined();
        expect(s3PolicyFor({ kind: "shared", metadata: true, userData: false }, buckets)).toBe(s3ReadWritePolicy([META]));
    });

    test("s3PolicyFor: whoever reads user data reads every project's bucket too", () => {
        expect(s3PolicyFor({ kind: "shared", metadata: true, userData: true }, buckets)).toBe(
            s3ReadWritePolicy([META, "arn:aws:s3:::user", XB, YB]),
        );
        expect(s3PolicyFor({ kind: "shared", metadata: false, userData: true }, { ...buckets, projects: {} })).toBe(
            s3ReadWritePolicy(["arn:aws:s3:::user"]),
        );
    });

    test("s3PolicyFor: a project gets its project policy, and a project without a bucket is an error", () => {
        expect(s3PolicyFor({ kind: "project", project: "y", metadataPrefixes: ["m/y-"] }, buckets)).toBe(
            s3ProjectPolicy({ projectBucketArn: YB, metadataBucketArn: META, metadataPrefixes: ["m/y-"] }),
        );
        expect(() => s3PolicyFor({ kind: "project", project: "z", metadataPrefixes: ["m/z-"] }, buckets)).toThrow("no data bucket for project z");
    });
});

describe("names", () => {
    const core = { flyteadmin: "a", flytepropeller: "p", datacatalog: "c", flytescheduler: "s" };
    const names = { backend: "b", worker: "w", core, projectWorkerPrefix: "fw12345-" };

    test("identityName: project workers by prefix, the others by key", () => {
        const w = flyteWorkloads(flyteConfig("core", true));
        expect(w.identities.map((r) => identityName(names, r))).toEqual(["a", "p", "c", "s", "fw12345-x", "fw12345-y"]);
        const binary = flyteWorkloads(flyteConfig("binary", false));
        expect(binary.identities.map((r) => identityName(names, r))).toEqual(["b", "w"]);
        expect(() => identityName(names, { key: "mystery", data: { kind: "none" } })).toThrow("no name for identity mystery");
        // The project, not the key, decides a worker's name.
        expect(identityName(names, { key: "whatever", data: { kind: "project", project: "q", metadataPrefixes: ["m/"] } })).toBe("fw12345-q");
    });

    test("PROJECT_WORKER_MAX keeps worker names within a service account id and an IAM role name", () => {
        expect({ gcp: PROJECT_WORKER_MAX_GCP, aws: PROJECT_WORKER_MAX_AWS }).toEqual({ gcp: 22, aws: 33 });
        expect(gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme" }).projectWorkerPrefix.length + PROJECT_WORKER_MAX_GCP).toBe(30);
    });

    test("projectDataBucket: <base>-data-<project>; a project with google in it is respelled and keeps a hash", () => {
        expect(projectDataBucket("flyte-dev-1234abcd", "x")).toBe("flyte-dev-1234abcd-data-x");
        const google = projectDataBucket("flyte-dev-1234abcd", "google-ml");
        expect(google).toBe(`flyte-dev-1234abcd-data-ggl-ml-${shortHash("google-ml", 4)}`);
        expect(google).not.toContain("google");
        // "ggl-ml" the project and "google-ml" the project stay apart.
        expect(projectDataBucket("flyte-dev-1234abcd", "ggl-ml")).not.toBe(google);
        const long = projectDataBucket("b".repeat(50), "p".repeat(22));
        expect(long.length).toBeLessThanOrEqual(63);
        expect(long.endsWith(`-data-${"p".repeat(22)}`)).toBe(true);
    });

    test("s3BucketNames: one data bucket per project, distinct from the shared ones", () => {
        const names = s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1", projects: ["x", "y"] });
        expect(names).toEqual({
            metadata: "flyte-dev-123456789012-eu-central-1-metadata",
            userData: "flyte-dev-123456789012-eu-central-1-userdata",
            projects: { x: "flyte-dev-123456789012-eu-central-1-data-x", y: "flyte-dev-123456789012-eu-central-1-data-y" },
        });
        expect(s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1" }).projects).toEqual({});
        const long = s3BucketNames({ pulumiProject: "flyte", stack: "dev", accountId: "123456789012", region: "eu-central-1", projects: ["p".repeat(33)] });
        expect(long.projects["p".repeat(33)].length).toBeLessThanOrEqual(63);
    });
});

describe("project data locations", () => {
    test("projectRawOutputPrefixes: gs:// or s3:// <bucket>/data per project", () => {
        expect(RAW_OUTPUT_PATH).toBe("data");
        expect(projectRawOutputPrefixes("gcs", { x: "bx", y: "by" })).toEqual({ x: "gs://bx/data", y: "gs://by/data" });
        expect(projectRawOutputPrefixes("s3", { x: "bx" })).toEqual({ x: "s3://bx/data" });
        expect(projectRawOutputPrefixes("s3", {})).toEqual({});
    });

    test("projectAttributesRequest: flyteadmin's project attributes with the raw output prefix", () => {
        const request = projectAttributesRequest("x", "gs://bx/data");
        expect(request.path).toBe("/api/v1/project_attributes/x");
        expect(JSON.parse(request.body)).toEqual({
            attributes: {
                project: "x",
                matching_attributes: { workflow_execution_config: { raw_output_data_config: { output_location_prefix: "gs://bx/data" } } },
            },
        });
        // The body goes between single quotes in a shell script: it must not contain one.
        expect(request.body).not.toContain("'");
    });

    test("projectAttributesScript: set -eu, one retried PUT per project in sorted order", () => {
        const script = projectAttributesScript("http://admin:80", { y: "gs://by/data", x: "gs://bx/data" });
        const lines = script.split("\n");
        expect(lines[0]).toBe("set -eu");
        expect(script.endsWith("\n")).toBe(true);
        const urls = [...script.matchAll(/-X PUT -H 'Content-Type: application\/json' '([^']+)'/g)].map((m) => m[1]);
        expect(urls).toEqual(["http://admin:80/api/v1/project_attributes/x", "http://admin:80/api/v1/project_attributes/y"]);
        const bodies = [...script.matchAll(/--data '([^']+)'/g)].map((m) => JSON.parse(m[1]) as { attributes: { project: string } });
        expect(bodies.map((b) => b.attributes.project)).toEqual(["x", "y"]);
        expect(script.match(/--fail-with-body --retry 30 --retry-delay 5 --retry-all-errors/g)).toHaveLength(2);
        expect(projectAttributesScript("http://admin:80", {})).toBe("set -eu\n");
    });
});

describe("local MinIO with projects", () => {
    const local = localStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","y"]', "flyte:flyteDomains": '["d-dev","t-dev"]' });

    test("minioProjects and localProjectBucket: each isolated project's bucket and prefixes", () => {
        expect(localProjectBucket("x")).toBe("flyte-data-x");
        expect(minioProjects(flyteWorkloads(local.flyte))).toEqual([
            { project: "x", bucket: "flyte-data-x", metadataPrefixes: projectMetadataPrefixes("x", ["d-dev", "t-dev"]) },
            { project: "y", bucket: "flyte-data-y", metadataPrefixes: projectMetadataPrefixes("y", ["d-dev", "t-dev"]) },
        ]);
        expect(minioProjects(flyteWorkloads(localStackConfig().flyte))).toEqual([]);
    });

    test("projectKeyVariables and projectMinioPolicyName", () => {
        expect(projectKeyVariables(0)).toEqual({ accessKey: "PROJECT_0_ACCESS_KEY", secretKey: "PROJECT_0_SECRET_KEY" });
        expect(projectKeyVariables(12)).toEqual({ accessKey: "PROJECT_12_ACCESS_KEY", secretKey: "PROJECT_12_SECRET_KEY" });
        expect(projectMinioPolicyName("x")).toBe("flyte-project-x");
        expect(FLYTE_MINIO_POLICY).toBe("flyte-buckets");
    });

    const projects: MinioProjectData[] = minioProjects(flyteWorkloads(local.flyte));
    const script = bucketSetupScript({ endpoint: "http://minio:9000", metadataBucket: LOCAL_METADATA_BUCKET, userDataBucket: LOCAL_USER_DATA_BUCKET, projects });
    const parsed = parseMinioScript(script);

    test("bucketSetupScript creates every bucket, Flyte's user on all of them and one user per project", () => {
        for (const bucket of ["flyte-metadata", "flyte-userdata", "flyte-data-x", "flyte-data-y"]) {
            expect(script).toContain(`mc mb --ignore-existing local/${bucket}\n`);
        }
        expect(script).toContain("mc version enable local/flyte-metadata\n");
        expect(parsed.userPolicies).toEqual({
            FLYTE_ACCESS_KEY: ["flyte-buckets"],
            PROJECT_0_ACCESS_KEY: ["flyte-project-x"],
            PROJECT_1_ACCESS_KEY: ["flyte-project-y"],
        });
        expect(parsed.policies["flyte-buckets"]).toBe(flyteBucketPolicy(["flyte-metadata", "flyte-userdata", "flyte-data-x", "flyte-data-y"]));
        expect(parsed.policies["flyte-project-x"]).toBe(
            s3ProjectPolicy({
                projectBucketArn: "arn:aws:s3:::flyte-data-x",
                metadataBucketArn: "arn:aws:s3:::flyte-metadata",
                metadataPrefixes: projects[0].metadataPrefixes,
            }),
        );
        expect(script).toContain('mc admin user add local "$PROJECT_1_ACCESS_KEY" "$PROJECT_1_SECRET_KEY"\n');
    });

    test("project i's user (PROJECT_i_*) reaches project i's data only", () => {
        const x = "PROJECT_0_ACCESS_KEY";
        expect(minioUserAllows(parsed, x, { action: "put", bucket: "flyte-data-x", key: "data/a" })).toBe(true);
        expect(minioUserAllows(parsed, x, { action: "put", bucket: "flyte-metadata", key: "metadata/propeller/x-t-dev-a/o" })).toBe(true);
        expect(minioUserAllows(parsed, x, { action: "get", bucket: "flyte-data-y", key: "data/a" })).toBe(false);
        expect(minioUserAllows(parsed, x, { action: "get", bucket: "flyte-metadata", key: "metadata/propeller/y-t-dev-a/o" })).toBe(false);
        expect(minioUserAllows(parsed, x, { action: "get", bucket: "flyte-userdata", key: "data/a" })).toBe(false);
    });

    test("without projects the script has Flyte's user only", () => {
        const plain = parseMinioScript(bucketSetupScript({ endpoint: "http://minio:9000", metadataBucket: "m", userDataBucket: "u", projects: [] }));
        expect(plain.userPolicies).toEqual({ FLYTE_ACCESS_KEY: ["flyte-buckets"] });
    });
});

describe("identity outputs", () => {
    test("backendIdentityKey: flyteadmin for core, the backend for binary", () => {
        expect(backendIdentityKey("core")).toBe("flyteadmin");
        expect(backendIdentityKey("binary")).toBe("backend");
    });

    test("kubernetesIdentities: each identity as its service accounts, namespace/name, comma-separated", () => {
        expect(kubernetesIdentities(flyteWorkloads(flyteConfig("binary", true)))).toEqual({
            backend: "team-flyte/flyte-binary",
            "worker-x": "team-x-d-dev/default,team-x-t-dev/default,team-x-p-dev/default",
            "worker-y": "team-y-d-dev/default,team-y-t-dev/default,team-y-p-dev/default",
        });
    });

    let plan: Plan;
    const isolatedCore = flyteWorkloads(flyteConfig("core", true));
    const sharedBinary = flyteWorkloads(flyteConfig("binary", false));
    const cloud = (workloads: FlyteWorkloads) => ({
        annotationKey: "example.com/identity",
        identities: Object.fromEntries(workloads.identities.map((r) => [r.key, pulumi.output(`id-of-${r.key}`)])),
    });
    const isolatedOutputs = identityStackOutputs(isolatedCore, "core", cloud(isolatedCore));
    const sharedOutputs = identityStackOutputs(sharedBinary, "binary", cloud(sharedBinary));
    const localOutputs = identityStackOutputs(flyteWorkloads(localStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x"]' }).flyte), "binary", undefined);

    beforeAll(async () => {
        plan = await runComponents(() => ({
            isolatedIdentities: isolatedOutputs.identities,
            isolatedBackend: isolatedOutputs.backendServiceAccount,
            isolatedWorkers: isolatedOutputs.projectWorkerServiceAccounts,
            sharedBackend: sharedOutputs.backendServiceAccount,
            sharedWorker: sharedOutputs.workerServiceAccount,
            localWorkers: localOutputs.projectWorkerServiceAccounts,
            localBackend: localOutputs.backendServiceAccount,
        }));
    });

    test("with isolation: each project's worker by project, and no shared worker", () => {
        expect(isolatedOutputs.workerServiceAccount).toBeUndefined();
        expect(plan.outputs.isolatedWorkers).toEqual({ x: "id-of-worker-x", y: "id-of-worker-y" });
        expect(plan.outputs.isolatedBackend).toBe("id-of-flyteadmin");
        expect(Object.keys(plan.outputs.isolatedIdentities as object).sort()).toEqual(
            ["datacatalog", "flyteadmin", "flytepropeller", "flytescheduler", "worker-x", "worker-y"].sort(),
        );
    });

    test("without isolation: the shared worker, and no per-project map", () => {
        expect(sharedOutputs.projectWorkerServiceAccounts).toBeUndefined();
        expect(plan.outputs.sharedWorker).toBe("id-of-worker");
        expect(plan.outputs.sharedBackend).toBe("id-of-backend");
    });

    test("without cloud identities (local): the Kubernetes service accounts", () => {
        expect(localOutputs.workerServiceAccount).toBeUndefined();
        expect(plan.outputs.localWorkers).toEqual({ x: "x-development/default,x-staging/default,x-production/default" });
        expect(plan.outputs.localBackend).toBe("flyte/flyte-binary");
    });
});

describe("IAM's limits on the project conditions (GCP)", () => {
    /** IAM Conditions allow at most 12 logical operators (&&, ||, !) in one condition expression. */
    const MAX_LOGICAL_OPERATORS = 12;

    test("the proof of concept's three domains need 11 of them: six prefixes, each for objects and for listing", () => {
        const condition = objectPrefixCondition("meta", projectMetadataPrefixes("x", DOMAINS), "t");
        expect(checkIamCondition(condition.expression)).toBe(11);
    });

    test("every config validation accepts yields conditions IAM accepts (at most 12 logical operators, 20 bindings)", () => {
        const offenders: string[] = [];
        let accepted = 0;
        for (const count of [1, 3, 4, 6, 7, 10, 14, 40, 60, 61, 100]) {
            const domains = Array.from({ length: count }, (_, i) => `d${i}`);
            let flyte: FlyteConfig;
            try {
                flyte = gcpStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x"]', "flyte:flyteDomains": JSON.stringify(domains) }).flyte;
            } catch (err) {
                if (err instanceof ConfigError) {
                    continue; // Rejected up front: fine.
                }
                throw err;
            }
            accepted++;
            for (const request of flyteWorkloads(flyte).identities) {
                for (const grant of bucketGrants(request.data, flyte.projects)) {
                    if (grant.prefixes) {
                        // As FlyteServiceAccounts binds them: one condition per group.
                        const conditions = prefixGroups(grant.prefixes).map((group) => objectPrefixCondition("meta", group, "t"));
                        if (conditions.length > MAX_CONDITIONAL_BINDINGS) {
                            offenders.push(`${count} domains: ${request.key} gets ${conditions.length} conditional bindings`);
                        }
                        const tested = conditions.map((c) => conditionPrefixes(c.expression, "meta"));
                        const objects = tested.flatMap((t) => t.objects);
                        const listings = tested.flatMap((t) => t.listings);
                        if (objects.length !== grant.prefixes.length || new Set(objects).size !== objects.length || listings.join() !== objects.join()) {
                            offenders.push(`${count} domains: ${request.key}'s conditions test ${objects.length} prefixes for ${grant.prefixes.length}`);
                        }
                        for (const condition of conditions) {
                            const operators = checkIamCondition(condition.expression);
                            if (operators > MAX_LOGICAL_OPERATORS) {
                                offenders.push(`${count} domains: ${request.key} gets a condition with ${operators} logical operators`);
                            }
                        }
                    }
                }
            }
        }
        expect(offenders).toEqual([]);
        // Up to 60 domains are accepted (the limit is not so low that this test checks nothing).
        expect(accepted).toBe(9);
    });

    test("the longest condition config validation lets through stays a few KB (22-character project, 63-character domains and bucket)", () => {
        const domains = Array.from({ length: 3 }, (_, i) => `${String(i)}${"d".repeat(62)}`);
        const condition = objectPrefixCondition("b".repeat(63), projectMetadataPrefixes("p".repeat(PROJECT_WORKER_MAX_GCP), domains), "t");
        expect(checkIamCondition(condition.expression)).toBe(11);
        expect(condition.expression.length).toBeGreaterThan(2000);
        expect(condition.expression.length).toBeLessThan(3 * 1024);
    });

    test("a project's prefixes need one condition up to 3 domains, one more for every 3 after", () => {
        const conditionsFor = (count: number) => prefixGroups(projectMetadataPrefixes("x", Array.from({ length: count }, (_, i) => `d${i}`))).length;
        expect([1, 3, 4, 6, 7, 13, 14, 60].map(conditionsFor)).toEqual([1, 1, 2, 2, 3, 5, 5, 20]);
    });

    test("61 domains would need 21 conditional bindings per project: a one-line ConfigError on flyteDomains", () => {
        const domains = Array.from({ length: 61 }, (_, i) => `d${i}`);
        let error: unknown;
        try {
            gcpStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x"]', "flyte:flyteDomains": JSON.stringify(domains) });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as ConfigError).message;
        expect((error as ConfigError).key).toBe("flyte:flyteDomains");
        expect(message).toContain('invalid config flyte:flyteDomains = ["d0","d1"');
        expect(message).toContain(
            "with cloud gcp and projectIsolation, each project's task identity needs one conditional binding on the metadata bucket per 3 domains (IAM allows 12 logical operators in a condition) and IAM allows 20 such bindings per role and principal: at most 60 domains",
        );
        expect(message).not.toContain("\n");
        // Without isolation, or on another cloud, nothing binds per project.
        expect(() => gcpStackConfig({ "flyte:flyteProjects": '["x"]', "flyte:flyteDomains": JSON.stringify(domains) })).not.toThrow();
    });

    test("the metadata bucket's policy names at most 1500 principals: projects times bindings, Flyte's own and the defaults", () => {
        expect(MAX_POLICY_PRINCIPALS).toBe(1500);
        expect(GCS_DEFAULT_BUCKET_PRINCIPALS).toBe(6);
        const projects = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `p${i}`));
        const config = (n: number, flavor: string) => ({
            "flyte:projectIsolation": "true",
            "flyte:flavor": flavor,
            "flyte:flyteProjects": projects(n),
            "flyte:flyteDomains": JSON.stringify(Array.from({ length: 30 }, (_, i) => `d${i}`)),
        });
        // 30 domains: 10 bindings per project. flyte-core: 6 default members + 3 components x 2 roles = 12.
        expect(conditionalBindingCount(2 * 30)).toBe(10);
        expect(gcpStackConfig(config(148, "core")).flyte.projects).toHaveLength(148);
        let error: unknown;
        try {
            gcpStackConfig(config(149, "core"));
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).key).toBe("flyte:flyteProjects");
        expect((error as ConfigError).message).toContain(
            "with cloud gcp and projectIsolation, the metadata bucket's policy would name 1502 principals (10 conditional binding(s) per project, Flyte's own identities and the bucket's default members) and IAM allows 1500: at most 148 projects with 30 domains",
        );
        // flyte-binary's one backend takes 2: room for the same 148 (1488 + 8 = 1496).
        expect(gcpStackConfig(config(148, "binary")).flyte.projects).toHaveLength(148);
    });
});

describe("overlappingDataPrefixes: projects whose execution metadata object names cannot tell apart", () => {
    test.each([
        // Project x, and a project registered later as x-development: x-development-staging-run1 is both
        // x-development's run1 in staging and x's staging-run1 in development.
        ["x", "x-development", ["development", "staging"], { covering: "x", coveringDomain: "development", covered: "x-development", coveredDomain: "development", prefix: "x-development-" }],
        ["x-development-ml", "x", ["development", "staging"], { covering: "x", coveringDomain: "development", covered: "x-development-ml", coveredDomain: "development", prefix: "x-development-" }],
        // Domains with '-': a (b-dev) and a-b (dev) write under the same a-b-dev-, each covering the other.
        ["a-b", "a", ["b-dev", "dev"], { covering: "a-b", coveringDomain: "dev", covered: "a", coveredDomain: "b-dev", prefix: "a-b-dev-" }],
        // Partial: a-b-c's executions in dev include a's in domain b named c-dev-...
        ["a", "a-b-c", ["b", "dev"], { covering: "a", coveringDomain: "b", covered: "a-b-c", coveredDomain: "b", prefix: "a-b-" }],
    ])("%s and %s with domains %j overlap", (a, b, domains, expected) => {
        expect(overlappingDataPrefixes(a, b, domains)).toEqual(expected);
        // Symmetric: the same shared prefix, whichever comes first.
        expect(overlappingDataPrefixes(b, a, domains)?.prefix).toBe(expected.prefix);
    });

    test.each([
        ["x", "xy", ["development"]],
        ["x", "x-developmentx", ["development"]],
        ["x", "x-dev", ["development", "staging"]],
        ["x", "x-d", ["d-dev", "t-dev"]],
        ["x", "x-data", ["d-dev", "t-dev", "p-dev"]],
        ["x", "x", ["development"]],
    ])("%s and %s with domains %j stay apart", (a, b, domains) => {
        expect(overlappingDataPrefixes(a, b, domains)).toBeUndefined();
        expect(overlappingDataPrefixes(b, a, domains)).toBeUndefined();
    });

    test("it says exactly when one project's metadata prefixes admit the other's objects, for every pair of small ids", () => {
        // Brute force over ids of up to 3 characters from {a, b, 1, -} and two domains, one with '-': the rule against
        // what the prefixes admit, with execution names as users may write them (a letter first, then letters,
        // digits and '-').
        const domains = ["b", "b-a"];
        const letters = ["a", "b", "1", "-"];
        const ids: string[] = [];
        const grow = (prefix: string): void => {
            if (prefix.length > 0 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(prefix)) {
                ids.push(prefix);
            }
            if (prefix.length < 3) {
                letters.forEach((l) => grow(prefix + l));
            }
        };
        grow("");
        const executions = ["a", "ab", "a-b", "b-a", "b-a-b", "a-b-a-b"];
        const mismatches: string[] = [];
        for (const a of ids) {
            for (const b of ids) {
                if (a === b) {
                    continue;
                }
                const aPrefixes = projectMetadataPrefixes(a, domains).filter((p) => p.startsWith(METADATA_PREFIX));
                const reached = domains.some((d) =>
                    executions.some((e) => aPrefixes.some((p) => `${METADATA_PREFIX}/${b}-${d}-${e}/`.startsWith(p))),
                );
                const overlap = overlappingDataPrefixes(a, b, domains);
                // Whatever a's prefixes reach of b's, the rule reports (it misses nothing); and where it says a's
                // prefix covers b's, a reaches b's objects whatever their execution names. (The other way round, b
                // reaches those of a's executions whose names continue b's prefix.)
                if ((reached && overlap === undefined) || (overlap?.covering === a && !reached)) {
                    mismatches.push(`${a} reaches ${b}: ${reached}, rule: ${JSON.stringify(overlap)}`);
                }
            }
        }
        expect(ids.length).toBeGreaterThan(10);
        expect(mismatches).toEqual([]);

        // What config validation runs, firstDataPrefixOverlap (one sorted pass), finds an overlap in a set of
        // projects exactly when some pair overlaps, and what it reports is one.
        const disagreements: string[] = [];
        for (let size = 2; size <= 4; size++) {
            for (let i = 0; i + size <= ids.length; i++) {
                const set = ids.slice(i, i + size);
                const anyPair = set.some((a, j) => set.slice(j + 1).some((b) => overlappingDataPrefixes(a, b, domains) !== undefined));
                const found = firstDataPrefixOverlap(set, domains);
                const genuine = found !== undefined && overlappingDataPrefixes(found.covering, found.covered, domains) !== undefined;
                if (anyPair !== (found !== undefined) || (found !== undefined && !genuine)) {
                    disagreements.push(`${JSON.stringify(set)}: pairs ${anyPair}, found ${JSON.stringify(found)}`);
                }
            }
        }
        expect(disagreements).toEqual([]);
    });

    test("config validation refuses configured projects that overlap, naming both and why", () => {
        let error: unknown;
        try {
            gcpStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","x-development"]', "flyte:flyteDomains": '["development","staging"]' });
        } catch (err) {
            error = err;
        }
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).message).toBe(
            'invalid config flyte:flyteProjects = "x-development": with projectIsolation, project x-development (domain development) shares the data prefix "x-development-" of project x: execution names may contain \'-\', so no permission can tell their metadata apart; rename one of them',
        );
    });
});
