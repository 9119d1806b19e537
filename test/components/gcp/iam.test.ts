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
    OBJECT_LIST_PREFIX_ATTRIBUTE,
    OBJECT_ROLE,
    objectPrefixCondition,
    prefixGroups,
    roleSlug,
    serviceAccountMember,
    SIGN_BLOB_ROLE,
    WORKLOAD_IDENTITY_USER_ROLE,
    workloadIdentityMember,
} from "../../../components/gcp/iam";
import { projectMetadataPrefixes } from "../../../components/contract/identities";
import { checkIamCondition, conditionPrefixes, evaluateIamCondition, gcsRequestAttributes } from "../../helpers/celConditions";

/**
 * GCP IAM for Flyte's identities (components/gcp/iam.ts): the roles, members and bucket grants, and the IAM
 * conditions that keep a project's identity to its own prefixes of the metadata bucket, evaluated by a CEL engine.
 */

/** Project x's prefixes in the metadata bucket. */
const X_PREFIXES = projectMetadataPrefixes("x", ["d-dev", "t-dev", "p-dev"]);

describe("IAM", () => {
    test("bucket roles", () => {
        expect(BUCKET_ROLES).toEqual(["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"]);
        expect(SIGN_BLOB_ROLE).toBe("roles/iam.serviceAccountTokenCreator");
        expect(WORKLOAD_IDENTITY_USER_ROLE).toBe("roles/iam.workloadIdentityUser");
    });

    test("bucketGrants: shared access is the bucket roles on exactly the buckets asked for, nothing else", () => {
        const both = bucketGrants({ kind: "shared", metadata: true, userData: true }, []);
        expect(both.map((g) => `${g.bucket.kind} ${g.role}`).sort()).toEqual([
            "metadata roles/storage.legacyBucketReader",
            "metadata roles/storage.objectAdmin",
            "userData roles/storage.legacyBucketReader",
            "userData roles/storage.objectAdmin",
        ]);
        for (const grant of both) {
            expect(grant.prefixes).toBeUndefined();
            expect(grant.role).not.toBe("roles/storage.admin");
            expect(grant.role.startsWith("roles/storage.")).toBe(true);
        }
        expect(bucketGrants({ kind: "shared", metadata: true, userData: false }, []).map((g) => g.bucket.kind)).toEqual([
            "metadata",
            "metadata",
        ]);
        expect(bucketGrants({ kind: "none" }, ["x"])).toEqual([]);
    });

    test("workloadIdentityMember", () => {
        expect(workloadIdentityMember("acme-flyte-dev.svc.id.goog", { namespace: "flyte", name: "flyte-binary" })).toBe(
            "serviceAccount:acme-flyte-dev.svc.id.goog[flyte/flyte-binary]",
        );
        expect(
            workloadIdentityMember("p1-x.svc.id.goog", { namespace: "flytesnacks-development", name: "default" }),
        ).toBe("serviceAccount:p1-x.svc.id.goog[flytesnacks-development/default]");
    });

    test("serviceAccountMember", () => {
        expect(serviceAccountMember("a@b.iam.gserviceaccount.com")).toBe("serviceAccount:a@b.iam.gserviceaccount.com");
    });

    test.each([
        ["roles/storage.objectAdmin", "storage-objectAdmin"],
        ["roles/storage.legacyBucketReader", "storage-legacyBucketReader"],
        ["roles/iam.serviceAccountTokenCreator", "iam-serviceAccountTokenCreator"],
        ["roles/iam.workloadIdentityUser", "iam-workloadIdentityUser"],
        ["roles/container.nodeServiceAccount", "container-nodeServiceAccount"],
        ["roles/a.b.c", "a-b-c"],
    ])("roleSlug(%s) = %s", (role, slug) => {
        expect(roleSlug(role)).toBe(slug);
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
