import type { RecordedResource } from "../../lib/plan/monitor";
import type { Plan } from "../../lib/plan/runPlan";
import type { Json } from "../../lib/plan/wire";
import {
    gcsAllows,
    gcsConditionAdmits,
    IAM_MAX_LOGICAL_OPERATORS,
    iamGlob,
    iamRoleAllows,
    minioUserAllows,
    parseMinioScript,
    parseStartsWithDisjunction,
    s3Decision,
    UnsupportedGrant,
} from "../helpers/storageAccess";
import { s3ProjectPolicy } from "../../components/contract/s3Access";
import { checkIamCondition, conditionPrefixes, evaluateIamCondition, gcsRequestAttributes } from "../helpers/celConditions";
import { checkPolicyVocabulary, iamRoleSimulatedAllows, simulateS3, SIMULATED_ACCOUNT } from "../helpers/iamSimulator";

/**
 * The access evaluator the isolation tests rely on, on hand-made plans: it must say yes only when a grant covers
 * the request, and refuse (throw) on every grant form it does not understand, so that the isolation tests cannot
 * pass by overlooking a grant.
 */

function resource(type: string, name: string, inputs: { [key: string]: Json }): RecordedResource {
    return {
        urn: `urn:pulumi:t::flyte::${type}::${name}`,
        type,
        name,
        parent: "",
        custom: true,
        dependencies: [],
        propertyDependencies: {},
        inputs,
        protect: false,
        provider: "",
        ignoreChanges: [],
        deleteBeforeReplace: false,
        retainOnDelete: false,
    };
}

function planOf(...resources: RecordedResource[]): Plan {
    return { stack: "t", project: "flyte", resources, outputs: {} };
}

const SA = "serviceAccount:w@p.iam.gserviceaccount.com";
const bucket = (name: string, ubla = true) =>
    resource("gcp:storage/bucket:Bucket", name, { name, uniformBucketLevelAccess: ubla });
const member = (name: string, bucketName: string, role: string, condition?: Json) =>
    resource("gcp:storage/bucketIAMMember:BucketIAMMember", name, {
        bucket: bucketName,
        role,
        member: SA,
        ...(condition === undefined ? {} : { condition }),
    });
const startsWith = (...prefixes: string[]) => ({
    title: "own objects",
    expression: prefixes.map((p) => `resource.name.startsWith(${JSON.stringify(p)})`).join(" || "),
});

describe("GCS conditions", () => {
    test("parses a disjunction of startsWith on resource.name, with escaped quotes and backslashes", () => {
        expect(parseStartsWithDisjunction('resource.name.startsWith("a/b") || resource.name.startsWith("c\\"d\\\\e")')).toEqual([
            "a/b",
            'c"d\\e',
        ]);
        expect(parseStartsWithDisjunction('  resource.name.startsWith("x")  ')).toEqual(["x"]);
    });

    test.each([
        ['resource.name.endsWith("x")'],
        ['resource.name.startsWith("a") && resource.name.startsWith("b")'],
        ['!resource.name.startsWith("a")'],
        ['(resource.name.startsWith("a"))'],
        ['resource.name.startsWith("a") ||'],
        ['resource.name.startsWith("a", "b")'],
        ["resource.name.startsWith('a')"],
        ['resource.name.startsWith("a\\x41")'],
        ['resource.type == "storage.googleapis.com/Object"'],
        ['resource.name.startsWith("a") || request.time < timestamp("2030-01-01T00:00:00Z")'],
        [""],
    ])("refuses %s", (expression) => {
        expect(() => parseStartsWithDisjunction(expression)).toThrow(UnsupportedGrant);
    });

    test("a condition admits exactly the names under one of its prefixes", () => {
        const condition = startsWith("projects/_/buckets/b/objects/p/", "projects/_/buckets/b/objects/q-");
        expect(gcsConditionAdmits(condition, "projects/_/buckets/b/objects/p/1")).toBe(true);
        expect(gcsConditionAdmits(condition, "projects/_/buckets/b/objects/q-1")).toBe(true);
        expect(gcsConditionAdmits(condition, "projects/_/buckets/b/objects/p")).toBe(false);
        expect(gcsConditionAdmits(condition, "projects/_/buckets/b")).toBe(false);
        expect(gcsConditionAdmits(undefined, "anything")).toBe(true);
        expect(() => gcsConditionAdmits({ expression: condition.expression }, "x")).toThrow("condition title");
    });

    test("refuses a condition with more logical operators than IAM allows (12), which IAM would not store", () => {
        const prefixes = (n: number) => Array.from({ length: n }, (_, i) => `projects/_/buckets/b/objects/p${i}/`);
        expect(IAM_MAX_LOGICAL_OPERATORS).toBe(12);
        expect(gcsConditionAdmits(startsWith(...prefixes(13)), "projects/_/buckets/b/objects/p12/o")).toBe(true);
        expect(() => gcsConditionAdmits(startsWith(...prefixes(14)), "projects/_/buckets/b/objects/p0/o")).toThrow(UnsupportedGrant);
        expect(() => gcsConditionAdmits(startsWith(...prefixes(14)), "projects/_/buckets/b/objects/p0/o")).toThrow(
            'IAM allows at most 12 logical operators in a condition, "own objects" has 13',
        );
    });
});

describe("GCS grants", () => {
    const plan = planOf(
        bucket("meta"),
        bucket("own"),
        bucket("other"),
        member("own-admin", "own", "roles/storage.objectAdmin"),
        member("own-reader", "own", "roles/storage.legacyBucketReader"),
        member("meta-admin", "meta", "roles/storage.objectAdmin", startsWith("projects/_/buckets/meta/objects/p/")),
    );

    test("objectAdmin gives get, put, delete and, granted without a condition, list", () => {
        for (const action of ["get", "put", "delete"] as const) {
            expect(gcsAllows(plan, SA, { action, bucket: "own", key: "k" })).toBe(true);
        }
        expect(gcsAllows(plan, SA, { action: "list", bucket: "own", prefix: "" })).toBe(true);
        const withoutReader = planOf(bucket("own"), member("own-admin", "own", "roles/storage.objectAdmin"));
        // objectAdmin has storage.objects.list, but unconditional: it lists. Only a condition on object names stops it.
        expect(gcsAllows(withoutReader, SA, { action: "list", bucket: "own", prefix: "" })).toBe(true);
    });

    test("a conditional grant covers only its objects and no listing", () => {
        expect(gcsAllows(plan, SA, { action: "get", bucket: "meta", key: "p/1" })).toBe(true);
        expect(gcsAllows(plan, SA, { action: "get", bucket: "meta", key: "q/1" })).toBe(false);
        expect(gcsAllows(plan, SA, { action: "list", bucket: "meta", prefix: "p/" })).toBe(false);
    });

    test("nothing on a bucket without grants, nothing for another member", () => {
        expect(gcsAllows(plan, SA, { action: "get", bucket: "other", key: "k" })).toBe(false);
        expect(gcsAllows(plan, "serviceAccount:z@p.iam.gserviceaccount.com", { action: "get", bucket: "own", key: "k" })).toBe(false);
    });

    test("legacyBucketReader lists but does not read objects", () => {
        const reader = planOf(bucket("own"), member("r", "own", "roles/storage.legacyBucketReader"));
        expect(gcsAllows(reader, SA, { action: "list", bucket: "own", prefix: "" })).toBe(true);
        expect(gcsAllows(reader, SA, { action: "get", bucket: "own", key: "k" })).toBe(false);
    });

    test.each([
        ["an unknown role", planOf(bucket("own"), member("m", "own", "roles/storage.admin"))],
        ["an IAM binding on a bucket", planOf(bucket("own"), resource("gcp:storage/bucketIAMBinding:BucketIAMBinding", "b", { bucket: "own" }))],
        ["a bucket ACL", planOf(bucket("own"), resource("gcp:storage/bucketACL:BucketACL", "a", { bucket: "own" }))],
        ["a project-wide grant to the member", planOf(bucket("own"), resource("gcp:projects/iAMMember:IAMMember", "p", { member: SA, role: "roles/viewer" }))],
        ["a bucket with ACLs", planOf(bucket("own", false), member("m", "own", "roles/storage.objectAdmin"))],
        ["an unparseable condition", planOf(bucket("own"), member("m", "own", "roles/storage.objectAdmin", { title: "t", expression: "true" }))],
    ])("throws on %s", (_what, odd) => {
        expect(() => gcsAllows(odd, SA, { action: "get", bucket: "own", key: "k" })).toThrow(UnsupportedGrant);
    });
});

const doc = (...statements: Json[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (action: Json, res: Json, condition?: Json): Json => ({
    Effect: "Allow",
    Action: action,
    Resource: res,
    ...(condition === undefined ? {} : { Condition: condition }),
});

describe("S3 policy documents", () => {
    test("IAM globs: * spans slashes, ? one character, actions ignore case", () => {
        expect(iamGlob("arn:aws:s3:::b/p/*", "arn:aws:s3:::b/p/a/b/c")).toBe(true);
        expect(iamGlob("arn:aws:s3:::b/p/*", "arn:aws:s3:::b/q/a")).toBe(false);
        expect(iamGlob("arn:aws:s3:::b?", "arn:aws:s3:::bx")).toBe(true);
        expect(iamGlob("arn:aws:s3:::b.c", "arn:aws:s3:::bxc")).toBe(false);
        expect(iamGlob("s3:get*", "s3:GetObject", true)).toBe(true);
        expect(iamGlob("arn:aws:s3:::B/*", "arn:aws:s3:::b/x")).toBe(false);
        expect(() => iamGlob("arn:aws:s3:::b/${aws:username}/*", "arn:aws:s3:::b/x/y")).toThrow(UnsupportedGrant);
    });

    test("object actions need the object ARN; listing needs the bucket ARN and a matching s3:prefix", () => {
        const policy = [
            {
                where: "p",
                document: doc(
                    allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/own/*"),
                    allow("s3:ListBucket", "arn:aws:s3:::b", { StringLike: { "s3:prefix": ["own/*"] } }),
                ),
            },
        ];
        expect(s3Decision(policy, { action: "get", bucket: "b", key: "own/1" })).toBe("allow");
        expect(s3Decision(policy, { action: "delete", bucket: "b", key: "own/1" })).toBe("none");
        expect(s3Decision(policy, { action: "get", bucket: "b", key: "other/1" })).toBe("none");
        expect(s3Decision(policy, { action: "list", bucket: "b", prefix: "own/" })).toBe("allow");
        expect(s3Decision(policy, { action: "list", bucket: "b", prefix: "" })).toBe("none");
        expect(s3Decision(policy, { action: "list", bucket: "b", prefix: "other/" })).toBe("none");
    });

    test("wildcard actions and resources allow; an explicit Deny wins", () => {
        const everything = [{ where: "p", document: doc(allow("s3:*", "*")) }];
        expect(s3Decision(everything, { action: "put", bucket: "any", key: "k" })).toBe("allow");
        const denied = [
            ...everything,
            { where: "d", document: doc({ Effect: "Deny", Action: "s3:PutObject", Resource: "arn:aws:s3:::any/*" }) },
        ];
        expect(s3Decision(denied, { action: "put", bucket: "any", key: "k" })).toBe("deny");
        expect(s3Decision(denied, { action: "get", bucket: "any", key: "k" })).toBe("allow");
    });

    test("the TLS-only bucket policy does not deny TLS requests", () => {
        const tls = [
            {
                where: "bucket",
                document: doc({
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                }),
            },
        ];
        expect(s3Decision(tls, { action: "get", bucket: "b", key: "k" }, "resource")).toBe("none");
    });

    test.each([
        ["NotAction", { Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "*" }],
        ["NotResource", { Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::x/*" }],
        ["an unknown condition operator", allow("s3:GetObject", "*", { StringLikeIfExists: { "s3:prefix": "a*" } })],
        ["an unknown condition key", allow("s3:GetObject", "*", { StringEquals: { "aws:PrincipalTag/team": "a" } })],
        ["a Principal in an identity policy", { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" }],
        ["an odd Effect", { Effect: "Maybe", Action: "s3:GetObject", Resource: "*" }],
    ])("throws on %s", (_what, statement) => {
        expect(() => s3Decision([{ where: "p", document: doc(statement) }], { action: "get", bucket: "b", key: "k" })).toThrow(
            UnsupportedGrant,
        );
    });

    test("throws on a document of another version", () => {
        const old = JSON.stringify({ Version: "2008-10-17", Statement: [allow("s3:*", "*")] });
        expect(() => s3Decision([{ where: "p", document: old }], { action: "get", bucket: "b", key: "k" })).toThrow(UnsupportedGrant);
    });
});

describe("IAM roles in a plan", () => {
    const role = resource("aws:iam/role:Role", "r", { name: "tasks-x" });
    const rolePolicy = (name: string, policy: string) => resource("aws:iam/rolePolicy:RolePolicy", name, { role: "tasks-x", policy });

    test("a role may do what its inline policies allow, and nothing another role's policy allows", () => {
        const plan = planOf(
            role,
            resource("aws:iam/role:Role", "o", { name: "tasks-y" }),
            rolePolicy("p", doc(allow("s3:GetObject", "arn:aws:s3:::b/x/*"))),
            resource("aws:iam/rolePolicy:RolePolicy", "q", { role: "tasks-y", policy: doc(allow("s3:*", "*")) }),
        );
        expect(iamRoleAllows(plan, "tasks-x", { action: "get", bucket: "b", key: "x/1" })).toBe(true);
        expect(iamRoleAllows(plan, "tasks-x", { action: "get", bucket: "b", key: "y/1" })).toBe(false);
        expect(iamRoleAllows(plan, "tasks-y", { action: "get", bucket: "b", key: "y/1" })).toBe(true);
    });

    test("throws on managed policies and on bucket policies that grant", () => {
        const attached = planOf(
            role,
            resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "tasks-x", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
        );
        expect(() => iamRoleAllows(attached, "tasks-x", { action: "get", bucket: "b", key: "k" })).toThrow(UnsupportedGrant);
        const granting = planOf(
            role,
            resource("aws:s3/bucketPolicy:BucketPolicy", "bp", { bucket: "b", policy: doc({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) }),
        );
        expect(() => iamRoleAllows(granting, "tasks-x", { action: "get", bucket: "b", key: "k" })).toThrow(UnsupportedGrant);
    });
});

describe("MinIO scripts", () => {
    const script = [
        "set -eu",
        "cat > /tmp/p-x.json <<'POLICY'",
        doc(allow("s3:GetObject", "arn:aws:s3:::data-x/*")),
        "POLICY",
        "mc admin policy create local p-x /tmp/p-x.json",
        'mc admin user add local "$KEY_X" "$SECRET_X"',
        'mc admin policy attach local p-x --user "$KEY_X" || mc admin user info local "$KEY_X" | grep -q p-x',
        "",
    ].join("\n");

    test("users get the policies attached to their key's variable, and nothing else", () => {
        const parsed = parseMinioScript(script);
        expect(parsed.userPolicies).toEqual({ KEY_X: ["p-x"] });
        expect(minioUserAllows(parsed, "KEY_X", { action: "get", bucket: "data-x", key: "k" })).toBe(true);
        expect(minioUserAllows(parsed, "KEY_X", { action: "get", bucket: "data-y", key: "k" })).toBe(false);
        expect(minioUserAllows(parsed, "KEY_Y", { action: "get", bucket: "data-x", key: "k" })).toBe(false);
    });

    test.each([
        ["a built-in policy", 'mc admin policy attach local readwrite --user "$KEY_X"'],
        ["anonymous access", "mc anonymous set download local/data-x"],
        ["a group", 'mc admin group add local g "$KEY_X"'],
        ["a policy from an unknown file", "mc admin policy create local q /tmp/q.json"],
        ["another policy command", 'mc admin policy detach local p-x --user "$KEY_X"'],
    ])("throws on %s", (_what, line) => {
        expect(() => parseMinioScript(`${script}${line}\n`)).toThrow(UnsupportedGrant);
    });
});

describe("GCS conditions, evaluated by a CEL engine", () => {
    const LIST_TERM = (prefix: string) => `api.getAttribute("storage.googleapis.com/objectListPrefix", "").startsWith(${JSON.stringify(prefix)})`;
    const OBJECT_TERM = (name: string) => `resource.name.startsWith(${JSON.stringify(name)})`;
    const object = (key: string) => gcsRequestAttributes({ action: "get", bucket: "b", key });
    const list = (prefix: string) => gcsRequestAttributes({ action: "list", bucket: "b", prefix });

    test("what IAM sees: objects by name, listing as the bucket with the request's prefix as objectListPrefix", () => {
        expect(object("p/1")).toEqual({ name: "projects/_/buckets/b/objects/p/1", type: "storage.googleapis.com/Object", api: {} });
        expect(list("p/")).toEqual({
            name: "projects/_/buckets/b",
            type: "storage.googleapis.com/Bucket",
            api: { "storage.googleapis.com/objectListPrefix": "p/" },
        });
        expect(list("")).toEqual({ name: "projects/_/buckets/b", type: "storage.googleapis.com/Bucket", api: {} });
    });

    test("a listing term admits list requests whose prefix starts with it, and nothing else", () => {
        const expression = LIST_TERM("p/");
        expect(evaluateIamCondition(expression, list("p/"))).toBe(true);
        expect(evaluateIamCondition(expression, list("p/x/"))).toBe(true);
        expect(evaluateIamCondition(expression, list("p"))).toBe(false);
        expect(evaluateIamCondition(expression, list(""))).toBe(false);
        expect(evaluateIamCondition(expression, object("p/1"))).toBe(false);
    });

    test("an object-name term admits no listing, however the prefix is chosen", () => {
        const expression = OBJECT_TERM("projects/_/buckets/b/objects/p/");
        expect(evaluateIamCondition(expression, object("p/1"))).toBe(true);
        for (const prefix of ["", "p/", "projects/_/buckets/b/objects/p/"]) {
            expect(evaluateIamCondition(expression, list(prefix))).toBe(false);
        }
    });

    test("resource.type, &&, ! and parentheses are evaluated as CEL does, and counted as IAM counts them", () => {
        const expression = `resource.type == "storage.googleapis.com/Object" && !(${OBJECT_TERM("projects/_/buckets/b/objects/q/")}) || ${LIST_TERM("p/")}`;
        expect(checkIamCondition(expression)).toBe(3);
        expect(evaluateIamCondition(expression, object("p/1"))).toBe(true);
        expect(evaluateIamCondition(expression, object("q/1"))).toBe(false);
        expect(evaluateIamCondition(expression, list("q/"))).toBe(false);
        expect(evaluateIamCondition(expression, list("p/"))).toBe(true);
    });

    test("conditionPrefixes reads the program's form, in order, and nothing else", () => {
        const expression = [OBJECT_TERM("projects/_/buckets/b/objects/a/"), LIST_TERM("a/"), OBJECT_TERM("projects/_/buckets/b/objects/c-")].join(" || ");
        expect(conditionPrefixes(expression, "b")).toEqual({ objects: ["a/", "c-"], listings: ["a/"] });
        expect(() => conditionPrefixes(expression, "other")).toThrow(UnsupportedGrant);
        expect(() => conditionPrefixes(`${OBJECT_TERM("projects/_/buckets/b/objects/a/")} && ${LIST_TERM("a/")}`, "b")).toThrow(UnsupportedGrant);
    });

    test.each([
        ["a constant", "true"],
        ["a regular expression", 'resource.name.matches("projects/_/buckets/b/objects/.*")'],
        ["extract", 'resource.name.extract("projects/_/buckets/b/objects/{name}") == "x"'],
        ["another attribute", 'request.time < timestamp("2030-01-01T00:00:00Z")'],
        ["another API attribute", 'api.getAttribute("iam.googleapis.com/modifiedGrantsByRole", "").startsWith("x")'],
        ["a non-literal argument", "resource.name.startsWith(resource.type)"],
        ["a test on a literal", '"x".startsWith("x")'],
        ["indexing", 'resource["name"].startsWith("x")'],
        ["size", "resource.name.size() > 3"],
        ["a macro", 'has(resource.name) && resource.name.startsWith("x")'],
        ["a syntax error", 'resource.name.startsWith("x") ||'],
    ])("refuses %s", (_what, expression) => {
        expect(() => checkIamCondition(expression)).toThrow(UnsupportedGrant);
        expect(() => evaluateIamCondition(expression, object("x"))).toThrow(UnsupportedGrant);
    });

    test("a grant whose condition also lists lets its member list within the prefix, and only there", () => {
        const plan = planOf(
            bucket("meta"),
            member("meta-admin", "meta", "roles/storage.objectAdmin", {
                title: "own objects",
                expression: `${OBJECT_TERM("projects/_/buckets/meta/objects/p/")} || ${LIST_TERM("p/")}`,
            }),
        );
        expect(gcsAllows(plan, SA, { action: "list", bucket: "meta", prefix: "p/" })).toBe(true);
        expect(gcsAllows(plan, SA, { action: "list", bucket: "meta", prefix: "p/deeper/" })).toBe(true);
        expect(gcsAllows(plan, SA, { action: "list", bucket: "meta", prefix: "" })).toBe(false);
        expect(gcsAllows(plan, SA, { action: "list", bucket: "meta", prefix: "q/" })).toBe(false);
        expect(gcsAllows(plan, SA, { action: "get", bucket: "meta", key: "p/1" })).toBe(true);
        expect(gcsAllows(plan, SA, { action: "get", bucket: "meta", key: "q/1" })).toBe(false);
    });

    test("the operator limit counts every term, listing ones too", () => {
        const terms = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? OBJECT_TERM(`projects/_/buckets/b/objects/p${i}/`) : LIST_TERM(`p${i}/`)));
        expect(gcsConditionAdmits({ title: "own objects", expression: terms(13).join(" || ") }, object("p0/o"))).toBe(true);
        expect(() => gcsConditionAdmits({ title: "own objects", expression: terms(14).join(" || ") }, object("p0/o"))).toThrow(
            'IAM allows at most 12 logical operators in a condition, "own objects" has 13',
        );
    });
});

describe("S3 decisions from the IAM policy simulator", () => {
    const ROLE = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/tasks-x`;
    const project = {
        document: s3ProjectPolicy({ projectBucketArn: "arn:aws:s3:::data-x", metadataBucketArn: "arn:aws:s3:::meta", metadataPrefixes: ["m/x-", "u/x/"] }),
        where: "project policy",
    };
    const tls = {
        where: "bucket policy",
        document: doc({
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::meta", "arn:aws:s3:::meta/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
    };

    test("a project policy: objects and listings under its prefixes, its bucket whole, nothing else", async () => {
        const decide = (request: Parameters<typeof simulateS3>[3]) => simulateS3(ROLE, [project], request.bucket === "meta" ? tls : undefined, request);
        expect(await decide({ action: "put", bucket: "meta", key: "m/x-1/o" })).toBe("Allowed");
        expect(await decide({ action: "list", bucket: "meta", prefix: "m/x-1/" })).toBe("Allowed");
        expect(await decide({ action: "list", bucket: "meta", prefix: "u/x/" })).toBe("Allowed");
        expect(await decide({ action: "list", bucket: "meta", prefix: "" })).toBe("ImplicitlyDenied");
        expect(await decide({ action: "list", bucket: "meta", prefix: "m/" })).toBe("ImplicitlyDenied");
        expect(await decide({ action: "get", bucket: "meta", key: "m/y-1/o" })).toBe("ImplicitlyDenied");
        expect(await decide({ action: "delete", bucket: "data-x", key: "any" })).toBe("Allowed");
        expect(await decide({ action: "list", bucket: "data-x", prefix: "" })).toBe("Allowed");
        expect(await decide({ action: "get", bucket: "data-y", key: "any" })).toBe("ImplicitlyDenied");
    });

    test("the hand-written evaluator agrees with the simulator on the project policy", async () => {
        const requests: Parameters<typeof simulateS3>[3][] = [];
        for (const bucket of ["meta", "data-x", "data-y"]) {
            for (const key of ["m/x-1/o", "m/x-", "m/y-1/o", "u/x/a", "u/xy/a", "other"]) {
                for (const action of ["get", "put", "delete"] as const) {
                    requests.push({ action, bucket, key });
                }
            }
            for (const prefix of ["", "m/", "m/x-", "m/x-1/", "m/x", "u/x/", "u/x", "u/y/"]) {
                requests.push({ action: "list", bucket, prefix });
            }
        }
        const disagreements: string[] = [];
        for (const request of requests) {
            const simulated = (await simulateS3(ROLE, [project], undefined, request)) === "Allowed";
            const handWritten = s3Decision([project], request) === "allow";
            if (simulated !== handWritten) {
                disagreements.push(`${JSON.stringify(request)}: simulator ${simulated}, hand-written ${handWritten}`);
            }
        }
        expect(disagreements).toEqual([]);
    });

    test("an explicit Deny wins", async () => {
        const deny = { where: "deny", document: doc({ Effect: "Deny", Action: "s3:PutObject", Resource: "arn:aws:s3:::meta/m/*" }) };
        expect(await simulateS3(ROLE, [project, deny], undefined, { action: "put", bucket: "meta", key: "m/x-1/o" })).toBe("ExplicitlyDenied");
        expect(await simulateS3(ROLE, [project, deny], undefined, { action: "get", bucket: "meta", key: "m/x-1/o" })).toBe("Allowed");
    });

    test.each([
        ["a misspelt action", allow("s3:GetObjekt", "arn:aws:s3:::b/*")],
        ["a wildcard that matches no action", allow("s3:Fetch*", "arn:aws:s3:::b/*")],
        ["an unknown condition key", allow("s3:ListBucket", "arn:aws:s3:::b", { StringLike: { "s3:prefx": "a*" } })],
        ["an unknown global condition key", allow("s3:GetObject", "arn:aws:s3:::b/*", { Bool: { "aws:SecureTransprt": "true" } })],
    ])("refuses a policy with %s, which would grant nothing and pass as a denial", async (_what, statement) => {
        await expect(checkPolicyVocabulary({ where: "p", document: doc(statement) })).rejects.toThrow(UnsupportedGrant);
    });

    test("accepts wildcards that match real actions", async () => {
        await expect(checkPolicyVocabulary({ where: "p", document: doc(allow("s3:Get*", "arn:aws:s3:::b/*")) })).resolves.toBeUndefined();
    });

    test("a role in a plan: its inline policies and the bucket's policy, simulated; attachments still refused", async () => {
        const role = resource("aws:iam/role:Role", "r", { name: "tasks-x" });
        const plan = planOf(
            role,
            resource("aws:iam/rolePolicy:RolePolicy", "p", { role: "tasks-x", policy: project.document }),
            resource("aws:s3/bucketPolicy:BucketPolicy", "bp", { bucket: "meta", policy: tls.document }),
        );
        expect(await iamRoleSimulatedAllows(plan, "tasks-x", { action: "list", bucket: "meta", prefix: "u/x/" })).toBe(true);
        expect(await iamRoleSimulatedAllows(plan, "tasks-x", { action: "list", bucket: "meta", prefix: "u/" })).toBe(false);
        const attached = planOf(
            role,
            resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "a", { role: "tasks-x", policyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }),
        );
        await expect(iamRoleSimulatedAllows(attached, "tasks-x", { action: "get", bucket: "b", key: "k" })).rejects.toThrow(UnsupportedGrant);
    });
});
