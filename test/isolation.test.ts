import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/config/errors";
import type { FlyteConfig } from "../components/config/types";
import { backendIdentityKey, identityOutputs, kubernetesIdentities } from "../components/flyte/identityOutputs";
import {
    projectAttributesRequest,
    projectAttributesScript,
    projectRawOutputPrefixes,
    RAW_OUTPUT_PATH,
} from "../components/flyte/projectDataLocations";
import {
    BACKEND_IDENTITY,
    FLYTE_BINARY_SERVICE_ACCOUNT,
    FLYTE_CORE_COMPONENTS,
    flyteWorkloads,
    FlyteWorkloads,
    type IdentityRequest,
    METADATA_PREFIX,
    projectMetadataPrefixes,
    projectWorkerIdentity,
    UPLOADS_PREFIX,
    WORKER_IDENTITY,
    WORKER_SERVICE_ACCOUNT,
} from "../components/flyte/workloads";
import {
    BUCKET_ROLES,
    BucketRef,
    bucketGrants,
    bucketSlug,
    MAX_CONDITION_PREFIXES,
    OBJECT_ROLE,
    objectPrefixCondition,
    prefixGroups,
} from "../components/gcp/iam";
import {
    bucketSetupScript,
    FLYTE_MINIO_POLICY,
    flyteBucketPolicy,
    MinioProjectData,
    projectKeyVariables,
    projectMinioPolicyName,
} from "../components/local/localMinio";
import { LOCAL_METADATA_BUCKET, LOCAL_USER_DATA_BUCKET, localProjectBucket, minioProjects } from "../components/local/localPlatform";
import { gcpNames, identityName, PROJECT_WORKER_MAX, projectDataBucket, s3BucketNames, shortHash } from "../components/naming";
import { s3PolicyFor, s3ProjectPolicy, s3ReadWritePolicy } from "../components/s3Policy";
import type { Plan } from "../lib/plan/runPlan";
import { runComponents } from "./helpers/components";
import { gcpStackConfig, localStackConfig } from "./helpers/config";
import { minioUserAllows, parseMinioScript, parseStartsWithDisjunction, s3Decision } from "./helpers/storageAccess";

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
    test("one startsWith per prefix on the bucket's object names, joined with ||", () => {
        const condition = objectPrefixCondition("meta", ["a/", "b-"], "Flyte task pods of x: own objects");
        expect(condition).toEqual({
            title: "Flyte task pods of x: own objects",
            description: "Objects under a/, b-",
            expression:
                'resource.name.startsWith("projects/_/buckets/meta/objects/a/") || resource.name.startsWith("projects/_/buckets/meta/objects/b-")',
        });
    });

    test("quotes and backslashes are escaped, so the expression names exactly the given prefixes", () => {
        const odd = ['we"ird/', "back\\slash/", "plain/"];
        const condition = objectPrefixCondition("meta", odd, "t");
        expect(parseStartsWithDisjunction(condition.expression)).toEqual(odd.map((p) => `projects/_/buckets/meta/objects/${p}`));
    });

    test("title and description are cut to IAM's limits", () => {
        const many = Array.from({ length: MAX_CONDITION_PREFIXES }, (_, i) => `metadata/propeller/project-${i}-development-`);
        const condition = objectPrefixCondition("meta", many, "t".repeat(150));
        expect(condition.title).toHaveLength(100);
        expect(condition.description.length).toBe(256);
        expect(parseStartsWithDisjunction(condition.expression)).toEqual(many.map((p) => `projects/_/buckets/meta/objects/${p}`));
    });

    test("refuses an empty prefix list (it would grant nothing, or with a careless caller everything)", () => {
        expect(() => objectPrefixCondition("meta", [], "t")).toThrow("a prefix condition takes 1 to 13 prefixes, not 0");
    });

    test("refuses more prefixes than one IAM condition may test (IAM would reject the binding)", () => {
        expect(MAX_CONDITION_PREFIXES).toBe(13);
        const prefixes = Array.from({ length: 14 }, (_, i) => `p${i}/`);
        expect(() => objectPrefixCondition("meta", prefixes, "t")).toThrow("a prefix condition takes 1 to 13 prefixes, not 14");
        expect(() => objectPrefixCondition("meta", prefixes.slice(0, 13), "t")).not.toThrow();
    });
});

describe("prefixGroups", () => {
    const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `p${i}/`);

    test.each([
        [1, [1]],
        [12, [12]],
        [13, [13]],
        [14, [13, 1]],
        [26, [13, 13]],
        [28, [13, 13, 2]],
    ])("%i prefixes: groups of %j", (n, sizes) => {
        const groups = prefixGroups(prefixes(n));
        expect(groups.map((g) => g.length)).toEqual(sizes);
        // In order, each prefix exactly once.
        expect(groups.flat()).toEqual(prefixes(n));
    });

    test("no prefixes: no groups (so no binding at all, never an unconditional one)", () => {
        expect(prefixGroups([])).toEqual([]);
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
        expect(PROJECT_WORKER_MAX).toEqual({ gcp: 22, aws: 33 });
        expect(gcpNames({ pulumiProject: "flyte", stack: "dev", gcpProject: "acme" }).projectWorkerPrefix.length + PROJECT_WORKER_MAX.gcp).toBe(30);
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
    const isolatedOutputs = identityOutputs(isolatedCore, "core", cloud(isolatedCore));
    const sharedOutputs = identityOutputs(sharedBinary, "binary", cloud(sharedBinary));
    const localOutputs = identityOutputs(flyteWorkloads(localStackConfig({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x"]' }).flyte), "binary", undefined);

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

    test("the proof of concept's three domains need 5 of them", () => {
        const condition = objectPrefixCondition("meta", projectMetadataPrefixes("x", DOMAINS), "t");
        expect(parseStartsWithDisjunction(condition.expression).length - 1).toBe(5);
    });

    test("every config validation accepts yields conditions IAM accepts (at most 12 logical operators)", () => {
        const offenders: string[] = [];
        for (const count of [1, 3, 6, 7, 10, 14, 40]) {
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
            for (const request of flyteWorkloads(flyte).identities) {
                for (const grant of bucketGrants(request.data, flyte.projects)) {
                    if (grant.prefixes) {
                        // As FlyteServiceAccounts binds them: one condition per group.
                        const conditions = prefixGroups(grant.prefixes).map((group) => objectPrefixCondition("meta", group, "t"));
                        const tested = conditions.flatMap((c) => parseStartsWithDisjunction(c.expression));
                        if (tested.length !== grant.prefixes.length || new Set(tested).size !== tested.length) {
                            offenders.push(`${count} domains: ${request.key}'s conditions test ${tested.length} prefixes for ${grant.prefixes.length}`);
                        }
                        for (const condition of conditions) {
                            const operators = parseStartsWithDisjunction(condition.expression).length - 1;
                            if (operators > MAX_LOGICAL_OPERATORS) {
                                offenders.push(`${count} domains: ${request.key} gets a condition with ${operators} logical operators`);
                            }
                        }
                    }
                }
            }
        }
        expect(offenders).toEqual([]);
    });

    test("a project's prefixes need one condition up to 6 domains, two from 7", () => {
        const conditionsFor = (count: number) => prefixGroups(projectMetadataPrefixes("x", Array.from({ length: count }, (_, i) => `d${i}`))).length;
        expect([1, 6, 7, 13, 14].map(conditionsFor)).toEqual([1, 1, 2, 2, 3]);
    });
});
