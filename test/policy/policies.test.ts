/**
 * The policy pack (policy/policies.ts), one policy at a time, on resources built by hand: for each policy what it
 * must reject, what it must let through, and the edges in between. policy/index.ts is never imported (its
 * PolicyPack constructor starts a gRPC server).
 */
import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import * as pack from "../../policy/policies";
import {
    databaseNotPublic,
    DEFAULT_PROTECTED_STACKS,
    deletionProtectionInProd,
    FORBIDDEN_PROJECT_ROLES,
    gkeWorkloadIdentity,
    jobBounded,
    noBroadProjectRoles,
    noPublicLoadBalancerWithoutAuth,
    podSpecPath,
    policies,
    rdsEncrypted,
    REQUIRED_RESOURCES,
    s3Encrypted,
    s3PublicAccessBlocked,
    storageNotPublic,
    workloadReadOnlyRoot,
    workloadResources,
    workloadRestricted,
} from "../../policy/policies";
import {
    attachedBy,
    engineConfig,
    isStackPolicy,
    packViolations,
    policyResource,
    resourceArgs,
    resourceViolations,
    stackReports,
    stackViolations,
    urnOf,
} from "../helpers/policy";

/** The engine's own proxy over resource properties during a preview, and its placeholders for values not known yet. */
const engine = jest.requireActual<{
    unknownCheckingProxy: <T extends object>(props: T) => T;
    unknownStringValue: string;
    unknownArrayValue: string;
}>("@pulumi/policy/proxy");

/**
 * What a resource policy reports for a resource whose properties are behind the engine's preview proxy (a validation
 * that reads a value not known yet throws, and the engine then skips it for the resource with a warning).
 */
async function violationsInPreview(policy: ResourceValidationPolicy, type: string, props: Record<string, unknown>, name = "thing"): Promise<string[]> {
    const args = resourceArgs(type, props, { name });
    const validate = policy.validateResource;
    if (validate === undefined || Array.isArray(validate)) {
        throw new Error(`${policy.name} has not one validateResource`);
    }
    const messages: string[] = [];
    await validate({ ...args, props: engine.unknownCheckingProxy(args.props) }, (message: string) => {
        messages.push(message);
    });
    return messages;
}

const T = {
    gcsBucket: "gcp:storage/bucket:Bucket",
    gcsBucketIamMember: "gcp:storage/bucketIAMMember:BucketIAMMember",
    gcsBucketIamBinding: "gcp:storage/bucketIAMBinding:BucketIAMBinding",
    gcsBucketIamPolicy: "gcp:storage/bucketIAMPolicy:BucketIAMPolicy",
    gcsBucketAcl: "gcp:storage/bucketACL:BucketACL",
    gcsBucketAccessControl: "gcp:storage/bucketAccessControl:BucketAccessControl",
    gcsObjectAccessControl: "gcp:storage/objectAccessControl:ObjectAccessControl",
    gcsDefaultObjectAccessControl: "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl",
    s3Bucket: "aws:s3/bucket:Bucket",
    s3BucketV2: "aws:s3/bucketV2:BucketV2",
    s3BucketAcl: "aws:s3/bucketAcl:BucketAcl",
    s3BucketAclV2: "aws:s3/bucketAclV2:BucketAclV2",
    s3BucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    s3PublicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    s3Encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    s3EncryptionV2: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    cloudSql: "gcp:sql/databaseInstance:DatabaseInstance",
    rdsInstance: "aws:rds/instance:Instance",
    rdsCluster: "aws:rds/cluster:Cluster",
    rdsClusterInstance: "aws:rds/clusterInstance:ClusterInstance",
    gkeCluster: "gcp:container/cluster:Cluster",
    gkeNodePool: "gcp:container/nodePool:NodePool",
    eksCluster: "aws:eks/cluster:Cluster",
    service: "kubernetes:core/v1:Service",
    release: "kubernetes:helm.sh/v3:Release",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    ingressV1beta1: "kubernetes:networking.k8s.io/v1beta1:Ingress",
    network: "gcp:compute/network:Network",
} as const;

// ---- The pack as a whole ----

describe("the pack", () => {
    const exported = Object.values(pack).filter(
        (value): value is ResourceValidationPolicy | StackValidationPolicy =>
            typeof value === "object" && value !== null && "enforcementLevel" in value && "name" in value,
    );

    test("every exported policy is in `policies`, and only those", () => {
        expect(exported.length).toBeGreaterThanOrEqual(13);
        expect(new Set(policies)).toEqual(new Set(exported));
    });

    /** Advisory, because what it asks depends on the image, which the pack cannot see. Every other policy is mandatory. */
    const ADVISORY = ["workload-read-only-root"];

    test.each(policies.map((p) => [p.name, p] as const))("%s has a name, a description, a validation and its enforcement level", (_, policy) => {
        expect(policy.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(policy.description.trim().length).toBeGreaterThan(20);
        expect(policy.enforcementLevel).toBe(ADVISORY.includes(policy.name) ? "advisory" : "mandatory");
        const validation = isStackPolicy(policy) ? policy.validateStack : policy.validateResource;
        expect(validation).toBeDefined();
    });

    test("policy names are unique", () => {
        const names = policies.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
    });

    test("an empty stack violates nothing", async () => {
        await expect(packViolations(policies, [])).resolves.toEqual([]);
    });

    test("resources none of the policies is about violate nothing, in production either", async () => {
        const resources = [
            policyResource(T.network, { name: "vpc" }, { name: "vpc", stack: "prod" }),
            policyResource("kubernetes:core/v1:Namespace", { metadata: { name: "flyte" } }, { name: "ns", stack: "prod" }),
        ];
        await expect(packViolations(policies, resources)).resolves.toEqual([]);
    });
});

// ---- storage-not-public ----

describe("storage-not-public", () => {
    const check = (type: string, props: Record<string, unknown>, name = "thing") =>
        resourceViolations(storageNotPublic, type, props, { name });

    describe("GCS buckets", () => {
        test("public access prevention enforced and uniform access pass", async () => {
            await expect(check(T.gcsBucket, { publicAccessPrevention: "enforced", uniformBucketLevelAccess: true })).resolves.toEqual([]);
        });

        test.each([
            ["missing", {}],
            ["inherited", { publicAccessPrevention: "inherited" }],
            ["unspecified", { publicAccessPrevention: "unspecified" }],
        ])("public access prevention %s is a violation", async (_, prevention) => {
            const messages = await check(T.gcsBucket, { ...prevention, uniformBucketLevelAccess: true }, "data");
            expect(messages).toEqual([expect.stringMatching(/GCS bucket data must set publicAccessPrevention: "enforced"/)]);
        });

        test.each([
            ["missing", {}],
            ["false", { uniformBucketLevelAccess: false }],
        ])("uniform bucket-level access %s is a violation", async (_, uniform) => {
            const messages = await check(T.gcsBucket, { publicAccessPrevention: "enforced", ...uniform }, "data");
            expect(messages).toEqual([expect.stringMatching(/data must use uniform bucket-level access/)]);
        });

        test("a bucket with neither reports both", async () => {
            await expect(check(T.gcsBucket, {})).resolves.toHaveLength(2);
        });
    });

    describe("GCS bucket IAM", () => {
        test.each(["allUsers", "allAuthenticatedUsers"])("a BucketIAMMember granting %s is a violation", async (member) => {
            const messages = await check(T.gcsBucketIamMember, { bucket: "b", role: "roles/storage.objectViewer", member }, "grant");
            expect(messages).toEqual([`grant grants roles/storage.objectViewer on a bucket to ${member}.`]);
        });

        test("a BucketIAMMember granting a service account passes, whatever the role", async () => {
            for (const role of ["roles/storage.objectAdmin", "roles/storage.admin"]) {
                await expect(
                    check(T.gcsBucketIamMember, { bucket: "b", role, member: "serviceAccount:flyte@p.iam.gserviceaccount.com" }),
                ).resolves.toEqual([]);
            }
        });

        test("a BucketIAMBinding reports each public member", async () => {
            const messages = await check(T.gcsBucketIamBinding, {
                bucket: "b",
                role: "roles/storage.objectViewer",
                members: ["serviceAccount:a@p.iam.gserviceaccount.com", "allUsers", "allAuthenticatedUsers"],
            });
            expect(messages).toEqual([expect.stringContaining("to allUsers"), expect.stringContaining("to allAuthenticatedUsers")]);
        });

        test("a BucketIAMBinding of named members passes", async () => {
            await expect(
                check(T.gcsBucketIamBinding, { bucket: "b", role: "roles/storage.objectViewer", members: ["group:data@acme.com"] }),
            ).resolves.toEqual([]);
        });

        test.each([
            [T.gcsBucketIamMember, { bucket: "b", role: "roles/storage.objectViewer", member: engine.unknownStringValue }],
            [T.gcsBucketIamBinding, { bucket: "b", role: "roles/storage.objectViewer", members: engine.unknownArrayValue }],
            [T.gcsBucketIamPolicy, { bucket: "b", policyData: engine.unknownStringValue }],
        ])("%s with members not known yet in a preview passes, and does not stop the policy", async (type, props) => {
            await expect(violationsInPreview(storageNotPublic, type, props)).resolves.toEqual([]);
        });

        test("a public member is still found in a preview when the bucket is not known yet", async () => {
            const props = { bucket: engine.unknownStringValue, role: "roles/storage.objectViewer", member: "allUsers" };
            await expect(violationsInPreview(storageNotPublic, T.gcsBucketIamMember, props, "grant")).resolves.toEqual([
                "grant grants roles/storage.objectViewer on a bucket to allUsers.",
            ]);
        });

        test("a member whose value is not known yet (preview) passes", async () => {
            await expect(check(T.gcsBucketIamMember, { bucket: "b", role: "roles/storage.objectViewer" })).resolves.toEqual([]);
        });

        test("a BucketIAMPolicy reports each public member of each binding in its policyData", async () => {
            const policyData = JSON.stringify({
                bindings: [
                    { role: "roles/storage.objectViewer", members: ["serviceAccount:a@p.iam.gserviceaccount.com", "allUsers"] },
                    { role: "roles/storage.legacyBucketReader", members: ["allAuthenticatedUsers"] },
                ],
            });
            await expect(check(T.gcsBucketIamPolicy, { bucket: "b", policyData }, "policy")).resolves.toEqual([
                "policy grants roles/storage.objectViewer on a bucket to allUsers.",
                "policy grants roles/storage.legacyBucketReader on a bucket to allAuthenticatedUsers.",
            ]);
        });

        test("a BucketIAMPolicy given as an object rather than a JSON string is read too", async () => {
            const policyData = { bindings: [{ role: "roles/storage.objectViewer", members: ["allUsers"] }] };
            await expect(check(T.gcsBucketIamPolicy, { bucket: "b", policyData }, "policy")).resolves.toEqual([
                "policy grants roles/storage.objectViewer on a bucket to allUsers.",
            ]);
        });

        test("a BucketIAMPolicy of named members, or one not known yet (or not JSON), passes", async () => {
            const policyData = JSON.stringify({
                bindings: [{ role: "roles/storage.objectAdmin", members: ["serviceAccount:a@p.iam.gserviceaccount.com", "group:data@acme.com"] }],
            });
            await expect(check(T.gcsBucketIamPolicy, { bucket: "b", policyData })).resolves.toEqual([]);
            await expect(check(T.gcsBucketIamPolicy, { bucket: "b" })).resolves.toEqual([]);
            await expect(check(T.gcsBucketIamPolicy, { bucket: "b", policyData: "{not json" })).resolves.toEqual([]);
        });
    });

    describe("GCS bucket ACLs", () => {
        test.each(["READER:allUsers", "WRITER:allAuthenticatedUsers"])("role entity %s is a violation", async (entity) => {
            const messages = await check(T.gcsBucketAcl, { bucket: "b", roleEntities: ["OWNER:project-owners-123", entity] }, "acl");
            expect(messages).toEqual([`acl gives ${entity} access to a bucket.`]);
        });

        test.each(["publicRead", "publicReadWrite"])("predefined ACL %s is a violation", async (predefinedAcl) => {
            await expect(check(T.gcsBucketAcl, { bucket: "b", predefinedAcl })).resolves.toEqual([expect.stringContaining(predefinedAcl)]);
        });

        test("private ACLs pass", async () => {
            await expect(check(T.gcsBucketAcl, { bucket: "b", predefinedAcl: "projectPrivate" })).resolves.toEqual([]);
            await expect(
                check(T.gcsBucketAcl, { bucket: "b", roleEntities: ["OWNER:project-owners-123", "READER:user-someone@acme.com"] }),
            ).resolves.toEqual([]);
        });
    });

    describe("GCS access-control entries (one entity each)", () => {
        const TYPES = [T.gcsBucketAccessControl, T.gcsObjectAccessControl, T.gcsDefaultObjectAccessControl];
        const target = (type: string) => (type === T.gcsObjectAccessControl ? { bucket: "b", object: "o" } : { bucket: "b" });

        test.each(TYPES.flatMap((type) => ["allUsers", "allAuthenticatedUsers"].map((entity) => [type, entity] as const)))(
            "%s for %s is a violation",
            async (type, entity) => {
                await expect(check(type, { ...target(type), role: "READER", entity }, "acl")).resolves.toEqual([`acl gives ${entity} access.`]);
            },
        );

        test.each(TYPES)("%s for a user, a group, the project or an entity not known yet passes", async (type) => {
            for (const entity of ["user-someone@acme.com", "group-data@acme.com", "project-owners-123", "domain-acme.com"]) {
                await expect(check(type, { ...target(type), role: "OWNER", entity })).resolves.toEqual([]);
            }
            await expect(check(type, { ...target(type), role: "READER" })).resolves.toEqual([]);
        });

        test("only the exact public entity counts, not one that merely mentions it", async () => {
            // The ACL's entity is the whole value; "user-allUsers@acme.com" is a person.
            await expect(check(T.gcsBucketAccessControl, { bucket: "b", role: "READER", entity: "user-allUsers@acme.com" })).resolves.toEqual([]);
        });
    });

    describe("S3 bucket ACLs", () => {
        test.each([T.s3Bucket, T.s3BucketV2])("%s with a public ACL is a violation", async (type) => {
            for (const acl of ["public-read", "public-read-write", "authenticated-read"]) {
                await expect(check(type, { acl }, "data")).resolves.toEqual([`S3 bucket data has the public ACL ${acl}.`]);
            }
        });

        test.each([T.s3Bucket, T.s3BucketV2])("%s private or without an ACL passes", async (type) => {
            await expect(check(type, { acl: "private" })).resolves.toEqual([]);
            await expect(check(type, {})).resolves.toEqual([]);
        });

        test.each([T.s3BucketAcl, T.s3BucketAclV2])("%s applying a public ACL is a violation, a private one passes", async (type) => {
            await expect(check(type, { bucket: "b", acl: "public-read" }, "acl")).resolves.toEqual(["acl applies the public ACL public-read."]);
            await expect(check(type, { bucket: "b", acl: "private" })).resolves.toEqual([]);
        });
    });

    describe("S3 grants", () => {
        const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
        const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
        const LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery";
        const owner = { id: "0123456789abcdef", type: "CanonicalUser", permissions: ["FULL_CONTROL"] };

        test.each([
            [T.s3Bucket, ALL_USERS],
            [T.s3Bucket, AUTHENTICATED_USERS],
            [T.s3BucketV2, ALL_USERS],
            [T.s3BucketV2, AUTHENTICATED_USERS],
        ])("%s with an inline grant to %s is a violation", async (type, uri) => {
            const grants = [owner, { type: "Group", uri, permissions: ["READ"] }];
            await expect(check(type, { grants }, "data")).resolves.toEqual([`S3 bucket data grants access to ${uri}.`]);
        });

        test.each([T.s3Bucket, T.s3BucketV2])("%s with inline grants to its owner and to log delivery passes", async (type) => {
            await expect(check(type, { grants: [owner, { type: "Group", uri: LOG_DELIVERY, permissions: ["WRITE"] }] })).resolves.toEqual([]);
        });

        test.each([
            [T.s3BucketAcl, ALL_USERS],
            [T.s3BucketAcl, AUTHENTICATED_USERS],
            [T.s3BucketAclV2, ALL_USERS],
            [T.s3BucketAclV2, AUTHENTICATED_USERS],
        ])("%s whose access control policy grants %s is a violation", async (type, uri) => {
            const accessControlPolicy = {
                owner: { id: owner.id },
                grants: [
                    { grantee: { type: "CanonicalUser", id: owner.id }, permission: "FULL_CONTROL" },
                    { grantee: { type: "Group", uri }, permission: "READ" },
                ],
            };
            await expect(check(type, { bucket: "b", accessControlPolicy }, "acl")).resolves.toEqual([`acl grants access to ${uri}.`]);
        });

        test.each([T.s3BucketAcl, T.s3BucketAclV2])("%s granting its owner and log delivery passes", async (type) => {
            const accessControlPolicy = {
                owner: { id: owner.id },
                grants: [
                    { grantee: { type: "CanonicalUser", id: owner.id }, permission: "FULL_CONTROL" },
                    { grantee: { type: "Group", uri: LOG_DELIVERY }, permission: "WRITE" },
                ],
            };
            await expect(check(type, { bucket: "b", accessControlPolicy })).resolves.toEqual([]);
        });

        test("a public canned ACL and a public grant on the same BucketAclV2 are both reported", async () => {
            const accessControlPolicy = { owner: { id: owner.id }, grants: [{ grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" }] };
            await expect(check(T.s3BucketAclV2, { bucket: "b", acl: "public-read", accessControlPolicy }, "acl")).resolves.toEqual([
                "acl applies the public ACL public-read.",
                `acl grants access to ${ALL_USERS}.`,
            ]);
        });
    });

    describe("S3 bucket policies", () => {
        const policy = (...statements: unknown[]) => ({ bucket: "b", policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) });
        const read = { Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };

        test.each([
            ["Principal *", { Principal: "*" }],
            ["Principal {AWS: *}", { Principal: { AWS: "*" } }],
            ["Principal {AWS: [arn, *]}", { Principal: { AWS: ["arn:aws:iam::123456789012:root", "*"] } }],
        ])("Allow to %s without a condition is a violation", async (_, principal) => {
            const messages = await check(T.s3BucketPolicy, policy({ Effect: "Allow", ...principal, ...read }), "policy");
            expect(messages).toEqual(['policy allows anyone ("Principal": "*") without a condition.']);
        });

        test("one public statement among private ones is enough", async () => {
            const doc = policy(
                { Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/flyte" }, ...read },
                { Effect: "Allow", Principal: "*", ...read },
            );
            await expect(check(T.s3BucketPolicy, doc)).resolves.toHaveLength(1);
        });

        test("the policy given as an object rather than a JSON string is read too", async () => {
            const props = { bucket: "b", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", ...read }] } };
            await expect(check(T.s3BucketPolicy, props)).resolves.toHaveLength(1);
        });

        test("the TLS-only Deny for everyone the program attaches passes", async () => {
            const tlsOnly = {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            };
            await expect(check(T.s3BucketPolicy, policy(tlsOnly))).resolves.toEqual([]);
            // Deny without a condition is no grant either.
            await expect(check(T.s3BucketPolicy, policy({ ...tlsOnly, Condition: undefined }))).resolves.toEqual([]);
        });

        test("Allow to everyone narrowed by a condition passes", async () => {
            const narrowed = { Effect: "Allow", Principal: "*", ...read, Condition: { StringEquals: { "aws:SourceVpce": "vpce-1234" } } };
            await expect(check(T.s3BucketPolicy, policy(narrowed))).resolves.toEqual([]);
        });

        test("Allow to a named principal passes", async () => {
            await expect(
                check(T.s3BucketPolicy, policy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/flyte" }, ...read })),
            ).resolves.toEqual([]);
        });

        test("a policy not known yet in a preview (built from ARNs being created) reports nothing, and does not stop the policy", async () => {
            await expect(violationsInPreview(storageNotPublic, T.s3BucketPolicy, { bucket: engine.unknownStringValue, policy: engine.unknownStringValue })).resolves.toEqual([]);
            await expect(violationsInPreview(storageNotPublic, T.s3Bucket, { policy: engine.unknownStringValue })).resolves.toEqual([]);
            // A policy object with a principal or condition not known yet: no "*", and a condition.
            const statement = (extra: object) => ({ bucket: "b", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", ...read, ...extra }] } });
            await expect(violationsInPreview(storageNotPublic, T.s3BucketPolicy, statement({ Principal: { AWS: engine.unknownStringValue } }))).resolves.toEqual([]);
            await expect(violationsInPreview(storageNotPublic, T.s3BucketPolicy, statement({ Principal: "*", Condition: engine.unknownStringValue }))).resolves.toEqual([]);
            await expect(violationsInPreview(storageNotPublic, T.s3BucketPolicy, statement({ Principal: "*", Resource: engine.unknownStringValue }))).resolves.toHaveLength(1);
        });

        test("a policy that is not known yet (or not JSON) reports nothing", async () => {
            await expect(check(T.s3BucketPolicy, { bucket: "b" })).resolves.toEqual([]);
            await expect(check(T.s3BucketPolicy, { bucket: "b", policy: "{not json" })).resolves.toEqual([]);
        });

        test("a Statement given as a single object (valid IAM JSON) is read", async () => {
            const single = (statement: object) => ({ bucket: "b", policy: JSON.stringify({ Version: "2012-10-17", Statement: statement }) });
            await expect(check(T.s3BucketPolicy, single({ Effect: "Allow", Principal: "*", ...read }), "policy")).resolves.toEqual([
                'policy allows anyone ("Principal": "*") without a condition.',
            ]);
            await expect(check(T.s3BucketPolicy, single({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/flyte" }, ...read }))).resolves.toEqual([]);
        });

        test("a document without a Statement reports nothing", async () => {
            await expect(check(T.s3BucketPolicy, { bucket: "b", policy: JSON.stringify({ Version: "2012-10-17" }) })).resolves.toEqual([]);
        });

        test("an empty Condition does not narrow an Allow to everyone", async () => {
            await expect(check(T.s3BucketPolicy, policy({ Effect: "Allow", Principal: "*", ...read, Condition: {} }))).resolves.toHaveLength(1);
        });

        describe.each([T.s3Bucket, T.s3BucketV2])("a %s's inline policy", (type) => {
            const inline = (statement: object) => ({ policy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) });

            test("allowing everyone without a condition is a violation naming the bucket", async () => {
                await expect(check(type, inline({ Effect: "Allow", Principal: "*", ...read }), "data")).resolves.toEqual([
                    'S3 bucket data has a policy that allows anyone ("Principal": "*") without a condition.',
                ]);
                await expect(check(type, inline({ Effect: "Allow", Principal: { AWS: ["*"] }, ...read }))).resolves.toHaveLength(1);
            });

            test("a single-object Statement, or an empty Condition, is no way around it", async () => {
                const single = { policy: JSON.stringify({ Statement: { Effect: "Allow", Principal: "*", ...read } }) };
                await expect(check(type, single)).resolves.toHaveLength(1);
                await expect(check(type, inline({ Effect: "Allow", Principal: "*", ...read, Condition: {} }))).resolves.toHaveLength(1);
            });

            test("a condition, a Deny, a named principal or no policy passes", async () => {
                const vpce = { StringEquals: { "aws:SourceVpce": "vpce-1234" } };
                await expect(check(type, inline({ Effect: "Allow", Principal: "*", ...read, Condition: vpce }))).resolves.toEqual([]);
                await expect(check(type, inline({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*" }))).resolves.toEqual([]);
                await expect(
                    check(type, inline({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:role/flyte" }, ...read })),
                ).resolves.toEqual([]);
                await expect(check(type, { bucket: "b" })).resolves.toEqual([]);
            });
        });
    });

    describe("S3 public access blocks", () => {
        const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        const all = Object.fromEntries(FLAGS.map((f) => [f, true]));

        test("all four flags on passes", async () => {
            await expect(check(T.s3PublicAccessBlock, { bucket: "b", ...all })).resolves.toEqual([]);
        });

        test.each(FLAGS)("%s false is a violation naming it", async (flag) => {
            const messages = await check(T.s3PublicAccessBlock, { bucket: "b", ...all, [flag]: false }, "pab");
            expect(messages).toEqual([`pab must set ${flag}: true.`]);
        });

        test("a missing flag is a violation (the provider defaults them to false)", async () => {
            await expect(check(T.s3PublicAccessBlock, { bucket: "b", blockPublicAcls: true })).resolves.toHaveLength(3);
        });
    });

    test("other resources are not its concern", async () => {
        await expect(check(T.cloudSql, { settings: {} })).resolves.toEqual([]);
        await expect(check(T.rdsInstance, { publiclyAccessible: true })).resolves.toEqual([]);
    });
});

// ---- s3-public-access-blocked ----

describe("s3-public-access-blocked", () => {
    const complete = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
    const bucket = (name = "data", type: string = T.s3Bucket) => policyResource(type, { bucket: `flyte-${name}` }, { name });
    // The attachments below that are linked by an edge carry no `bucket` name (as in a preview, where
    // `bucket: bucket.id` is not known yet), so each test shows the one link it is about.

    test.each([T.s3Bucket, T.s3BucketV2])("a %s without a block is a violation naming the bucket", async (type) => {
        const data = bucket("data", type);
        await expect(stackReports(s3PublicAccessBlocked, [data])).resolves.toEqual([
            { message: "S3 bucket data has no public access block that blocks everything.", urn: data.urn },
        ]);
    });

    test.each([T.s3Bucket, T.s3BucketV2])("%s with a complete block attached by its bucket property passes", async (type) => {
        const data = bucket("data", type);
        const block = policyResource(T.s3PublicAccessBlock, { ...complete }, attachedBy("bucket", data));
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toEqual([]);
    });

    test("a complete block that is the bucket's child passes", async () => {
        const data = bucket();
        const block = policyResource(T.s3PublicAccessBlock, { ...complete }, { name: "data", parent: data });
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toEqual([]);
    });

    test.each([T.s3Bucket, T.s3BucketV2])("%s with a complete block naming it literally (no output dependency) passes", async (type) => {
        const data = bucket("data", type);
        const block = policyResource(T.s3PublicAccessBlock, { bucket: "flyte-data", ...complete }, { name: "data-pab" });
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toEqual([]);
    });

    test("a complete block naming another bucket literally does not count", async () => {
        const data = bucket();
        const block = policyResource(T.s3PublicAccessBlock, { bucket: "flyte-data-archive", ...complete }, { name: "data-pab" });
        await expect(stackReports(s3PublicAccessBlocked, [data, block])).resolves.toEqual([
            { message: "S3 bucket data has no public access block that blocks everything.", urn: data.urn },
        ]);
    });

    test("a bucket whose name is not known (bucketPrefix) is not matched by a block whose bucket is not known either", async () => {
        const data = policyResource(T.s3Bucket, { bucketPrefix: "flyte-" }, { name: "data" });
        const block = policyResource(T.s3PublicAccessBlock, { ...complete }, { name: "other-pab" });
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toHaveLength(1);
    });

    test.each(Object.keys(complete))("an attached block with %s off is a violation", async (flag) => {
        const data = bucket();
        const block = policyResource(T.s3PublicAccessBlock, { ...complete, [flag]: false }, attachedBy("bucket", data));
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toHaveLength(1);
    });

    test.each(Object.keys(complete))("a block naming the bucket literally with %s off is a violation", async (flag) => {
        const data = bucket();
        const block = policyResource(T.s3PublicAccessBlock, { bucket: "flyte-data", ...complete, [flag]: false }, { name: "data-pab" });
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toHaveLength(1);
    });

    test("a block attached to another bucket does not count", async () => {
        const metadata = bucket("metadata");
        const userdata = bucket("userdata");
        const block = policyResource(T.s3PublicAccessBlock, { bucket: "flyte-metadata", ...complete }, attachedBy("bucket", metadata));
        await expect(stackReports(s3PublicAccessBlocked, [metadata, userdata, block])).resolves.toEqual([
            { message: expect.stringContaining("userdata"), urn: userdata.urn },
        ]);
    });

    test("a block that merely depends on the bucket (not through its bucket property) does not count", async () => {
        const data = bucket();
        const block = policyResource(T.s3PublicAccessBlock, { bucket: "flyte-other", ...complete }, {
            name: "data",
            dependencies: [data],
            propertyDependencies: { bucket: [] },
        });
        await expect(stackViolations(s3PublicAccessBlocked, [data, block])).resolves.toHaveLength(1);
    });

    test("a stack without S3 buckets passes", async () => {
        await expect(stackViolations(s3PublicAccessBlocked, [policyResource(T.gcsBucket, {})])).resolves.toEqual([]);
    });
});

// ---- database-not-public ----

describe("database-not-public", () => {
    const check = (type: string, props: Record<string, unknown>) => resourceViolations(databaseNotPublic, type, props, { name: "db" });

    test.each([
        ["no settings", {}],
        ["no ipConfiguration", { settings: { tier: "db-custom-1-3840" } }],
        ["ipv4Enabled missing (Cloud SQL's default is on)", { settings: { ipConfiguration: { privateNetwork: "vpc" } } }],
        ["ipv4Enabled true", { settings: { ipConfiguration: { ipv4Enabled: true, privateNetwork: "vpc" } } }],
    ])("Cloud SQL with %s is a violation", async (_, props) => {
        await expect(check(T.cloudSql, props)).resolves.toEqual([
            "Cloud SQL instance db must set settings.ipConfiguration.ipv4Enabled: false (private IP only).",
        ]);
    });

    test("Cloud SQL with ipv4Enabled false passes", async () => {
        await expect(check(T.cloudSql, { settings: { ipConfiguration: { ipv4Enabled: false, privateNetwork: "vpc" } } })).resolves.toEqual([]);
    });

    test.each([T.rdsInstance, T.rdsClusterInstance])("%s publiclyAccessible true is a violation; false or unset passes", async (type) => {
        await expect(check(type, { publiclyAccessible: true })).resolves.toEqual(["RDS db must not be publiclyAccessible."]);
        await expect(check(type, { publiclyAccessible: false })).resolves.toEqual([]);
        await expect(check(type, {})).resolves.toEqual([]);
    });

    test("an Aurora cluster (which has no publiclyAccessible input: its instances do) is not judged on it", async () => {
        await expect(check(T.rdsCluster, { engine: "aurora-postgresql", storageEncrypted: true })).resolves.toEqual([]);
        await expect(check(T.rdsCluster, { publiclyAccessible: true })).resolves.toEqual([]);
    });

    test("the cluster and its public instance: only the instance is reported", async () => {
        const cluster = policyResource(T.rdsCluster, { engine: "aurora-postgresql", storageEncrypted: true }, { name: "aurora" });
        const instance = policyResource(T.rdsClusterInstance, { clusterIdentifier: "aurora", publiclyAccessible: true }, { name: "aurora-1", parent: cluster });
        await expect(packViolations([databaseNotPublic], [cluster, instance])).resolves.toEqual([
            { policy: "database-not-public", message: "RDS aurora-1 must not be publiclyAccessible.", urn: instance.urn },
        ]);
    });
});

// ---- gke-workload-identity ----

describe("gke-workload-identity", () => {
    const check = (type: string, props: Record<string, unknown>) => resourceViolations(gkeWorkloadIdentity, type, props, { name: "gke" });
    const wi = { workloadIdentityConfig: { workloadPool: "acme.svc.id.goog" } };
    const gkeMetadata = { workloadMetadataConfig: { mode: "GKE_METADATA" } };

    test("a cluster with a workload pool and no node settings passes", async () => {
        await expect(check(T.gkeCluster, { ...wi, removeDefaultNodePool: true })).resolves.toEqual([]);
    });

    test.each([
        ["no workloadIdentityConfig", {}],
        ["an empty workloadIdentityConfig", { workloadIdentityConfig: {} }],
        ["an empty workload pool", { workloadIdentityConfig: { workloadPool: "" } }],
    ])("a cluster with %s is a violation", async (_, props) => {
        await expect(check(T.gkeCluster, props)).resolves.toEqual([
            "GKE cluster gke must enable Workload Identity (workloadIdentityConfig.workloadPool).",
        ]);
    });

    test.each([
        ["GCE_METADATA", { workloadMetadataConfig: { mode: "GCE_METADATA" } }],
        ["MODE_UNSPECIFIED", { workloadMetadataConfig: { mode: "MODE_UNSPECIFIED" } }],
        ["no workloadMetadataConfig", { machineType: "e2-standard-4" }],
    ])("a cluster's default pool nodeConfig with %s is a violation", async (_, nodeConfig) => {
        await expect(check(T.gkeCluster, { ...wi, nodeConfig })).resolves.toEqual([
            "GKE cluster gke: nodeConfig.workloadMetadataConfig.mode must be GKE_METADATA.",
        ]);
    });

    test("a cluster's nodeConfig with GKE_METADATA passes", async () => {
        await expect(check(T.gkeCluster, { ...wi, nodeConfig: gkeMetadata })).resolves.toEqual([]);
    });

    test("inline node pools: each one without GKE_METADATA is a violation", async () => {
        const nodePools = [{ nodeConfig: gkeMetadata }, { nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } }, { name: "bare" }];
        await expect(check(T.gkeCluster, { ...wi, nodePools })).resolves.toEqual([
            "GKE cluster gke: nodePools[1] must use workloadMetadataConfig.mode GKE_METADATA.",
            "GKE cluster gke: nodePools[2] must use workloadMetadataConfig.mode GKE_METADATA.",
        ]);
    });

    test("a cluster without Workload Identity and with a bad node pool reports both", async () => {
        await expect(check(T.gkeCluster, { nodePools: [{}] })).resolves.toHaveLength(2);
    });

    test("a node pool with GKE_METADATA passes", async () => {
        await expect(check(T.gkeNodePool, { cluster: "c", nodeConfig: { machineType: "e2-standard-4", ...gkeMetadata } })).resolves.toEqual([]);
    });

    test.each([
        ["without nodeConfig", { cluster: "c" }],
        ["with nodeConfig but no metadata mode", { cluster: "c", nodeConfig: { machineType: "e2-standard-4" } }],
        ["with GCE_METADATA", { cluster: "c", nodeConfig: { workloadMetadataConfig: { mode: "GCE_METADATA" } } }],
    ])("a node pool %s is a violation", async (_, props) => {
        await expect(check(T.gkeNodePool, props)).resolves.toEqual([
            "GKE node pool gke must set nodeConfig.workloadMetadataConfig.mode: GKE_METADATA.",
        ]);
    });

    test("an EKS cluster is not its concern", async () => {
        await expect(check(T.eksCluster, {})).resolves.toEqual([]);
    });
});

// ---- no-broad-project-roles ----

describe("no-broad-project-roles", () => {
    const check = (type: string, props: Record<string, unknown>) => resourceViolations(noBroadProjectRoles, type, props, { name: "grant" });
    const SCOPES = ["projects", "folder", "organizations"] as const;
    const scopeProps = { projects: { project: "acme" }, folder: { folder: "folders/1" }, organizations: { orgId: "1" } };

    test("the forbidden roles are owner, editor and storage.admin", () => {
        expect([...FORBIDDEN_PROJECT_ROLES].sort()).toEqual(["roles/editor", "roles/owner", "roles/storage.admin"]);
    });

    const grants = SCOPES.flatMap((scope) =>
        FORBIDDEN_PROJECT_ROLES.flatMap((role) => [
            [`gcp:${scope}/iAMMember:IAMMember`, scope, role, { ...scopeProps[scope], role, member: "user:a@acme.com" }] as const,
            [`gcp:${scope}/iAMBinding:IAMBinding`, scope, role, { ...scopeProps[scope], role, members: ["user:a@acme.com"] }] as const,
        ]),
    );
    test.each(grants)("%s with %s-wide %s is a violation", async (type, scope, role, props) => {
        await expect(check(type, props)).resolves.toEqual([`grant grants ${role} on the whole ${scope}.`]);
    });

    test.each(SCOPES)("narrow roles on the %s pass", async (scope) => {
        for (const role of ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/storage.objectViewer"]) {
            await expect(check(`gcp:${scope}/iAMMember:IAMMember`, { ...scopeProps[scope], role, member: "user:a@acme.com" })).resolves.toEqual([]);
            await expect(check(`gcp:${scope}/iAMBinding:IAMBinding`, { ...scopeProps[scope], role, members: [] })).resolves.toEqual([]);
        }
    });

    test.each(SCOPES)("an IAMPolicy on the %s reports each forbidden binding in its policyData", async (scope) => {
        const policyData = JSON.stringify({
            bindings: [
                { role: "roles/viewer", members: ["user:a@acme.com"] },
                { role: "roles/owner", members: ["user:a@acme.com"] },
                { role: "roles/storage.admin", members: ["serviceAccount:x@acme.iam.gserviceaccount.com"] },
            ],
        });
        await expect(check(`gcp:${scope}/iAMPolicy:IAMPolicy`, { ...scopeProps[scope], policyData })).resolves.toEqual([
            `grant grants roles/owner on the whole ${scope}.`,
            `grant grants roles/storage.admin on the whole ${scope}.`,
        ]);
    });

    test("an IAMPolicy of narrow roles, or one not known yet, passes", async () => {
        const policyData = JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["user:a@acme.com"] }] });
        await expect(check("gcp:projects/iAMPolicy:IAMPolicy", { project: "acme", policyData })).resolves.toEqual([]);
        await expect(check("gcp:projects/iAMPolicy:IAMPolicy", { project: "acme" })).resolves.toEqual([]);
    });

    test("a role, member or policy not known yet in a preview passes, and does not stop the policy", async () => {
        const u = engine.unknownStringValue;
        await expect(violationsInPreview(noBroadProjectRoles, "gcp:projects/iAMMember:IAMMember", { project: "acme", role: u, member: u })).resolves.toEqual([]);
        await expect(violationsInPreview(noBroadProjectRoles, "gcp:projects/iAMBinding:IAMBinding", { project: "acme", role: "roles/viewer", members: engine.unknownArrayValue })).resolves.toEqual([]);
        await expect(violationsInPreview(noBroadProjectRoles, "gcp:projects/iAMPolicy:IAMPolicy", { project: "acme", policyData: u })).resolves.toEqual([]);
        // A forbidden role is still found when the member is not known yet.
        await expect(violationsInPreview(noBroadProjectRoles, "gcp:projects/iAMMember:IAMMember", { project: "acme", role: "roles/owner", member: u }, "grant")).resolves.toEqual([
            "grant grants roles/owner on the whole projects.",
        ]);
    });

    test("bucket-level storage.admin is not this policy's concern", async () => {
        const member = { bucket: "b", role: "roles/storage.admin", member: "serviceAccount:x@acme.iam.gserviceaccount.com" };
        await expect(check(T.gcsBucketIamMember, member)).resolves.toEqual([]);
        await expect(check(T.gcsBucketIamBinding, { ...member, members: [member.member] })).resolves.toEqual([]);
    });

    test("granting roles/owner on a service account is not project-wide", async () => {
        await expect(
            check("gcp:serviceaccount/iAMMember:IAMMember", { serviceAccountId: "sa", role: "roles/owner", member: "user:a@acme.com" }),
        ).resolves.toEqual([]);
    });
});

// ---- deletion-protection-in-prod ----

describe("deletion-protection-in-prod", () => {
    interface Case {
        readonly stack?: string;
        readonly protect?: boolean;
        readonly config?: object;
    }
    const check = (type: string, props: Record<string, unknown>, c: Case = {}) =>
        resourceViolations(deletionProtectionInProd, type, props, { name: "res", stack: c.stack ?? "prod", protect: c.protect, config: c.config ?? {} });
    const PROVIDER = "res in stack prod must set deletionProtection: true.";
    const PROTECT = "res in stack prod must be created with Pulumi's protect option.";

    test("its schema's default is the production stacks it falls back on", () => {
        expect(engineConfig(deletionProtectionInProd)).toEqual({ stacks: DEFAULT_PROTECTED_STACKS });
        expect(DEFAULT_PROTECTED_STACKS).toEqual(["prod"]);
    });

    describe.each([T.cloudSql, T.rdsInstance, T.rdsCluster])("%s in prod", (type) => {
        test("with deletionProtection and protect passes", async () => {
            await expect(check(type, { deletionProtection: true }, { protect: true })).resolves.toEqual([]);
        });

        test("without deletionProtection, or with it false, is a violation", async () => {
            await expect(check(type, {}, { protect: true })).resolves.toEqual([PROVIDER]);
            await expect(check(type, { deletionProtection: false }, { protect: true })).resolves.toEqual([PROVIDER]);
        });

        test("without protect is a violation", async () => {
            await expect(check(type, { deletionProtection: true })).resolves.toEqual([PROTECT]);
        });

        test("with neither reports both", async () => {
            await expect(check(type, {})).resolves.toEqual([PROVIDER, PROTECT]);
        });
    });

    describe("clusters in prod", () => {
        test("a GKE cluster is protected unless deletionProtection is false (the provider defaults it to true)", async () => {
            await expect(check(T.gkeCluster, {})).resolves.toEqual([]);
            await expect(check(T.gkeCluster, { deletionProtection: true })).resolves.toEqual([]);
            await expect(check(T.gkeCluster, { deletionProtection: false })).resolves.toEqual([PROVIDER]);
        });

        test("an EKS cluster needs deletionProtection set (the provider defaults it to false)", async () => {
            await expect(check(T.eksCluster, {})).resolves.toEqual([PROVIDER]);
            await expect(check(T.eksCluster, { deletionProtection: false })).resolves.toEqual([PROVIDER]);
            await expect(check(T.eksCluster, { deletionProtection: true })).resolves.toEqual([]);
        });

        test("clusters need no Pulumi protect", async () => {
            await expect(check(T.gkeCluster, {}, { protect: false })).resolves.toEqual([]);
        });
    });

    describe.each([
        [T.gcsBucket, "GCS"],
        [T.s3Bucket, "S3"],
        [T.s3BucketV2, "S3"],
    ])("%s in prod", (type, cloud) => {
        test("protected, without forceDestroy, passes", async () => {
            await expect(check(type, {}, { protect: true })).resolves.toEqual([]);
            await expect(check(type, { forceDestroy: false }, { protect: true })).resolves.toEqual([]);
        });

        test("without protect is a violation", async () => {
            await expect(check(type, { forceDestroy: false })).resolves.toEqual([PROTECT]);
        });

        test("with forceDestroy is a violation, even protected", async () => {
            await expect(check(type, { forceDestroy: true }, { protect: true })).resolves.toEqual([
                `${cloud} bucket res in stack prod must not set forceDestroy.`,
            ]);
        });

        test("neither protected nor safe from forceDestroy reports both", async () => {
            await expect(check(type, { forceDestroy: true })).resolves.toHaveLength(2);
        });
    });

    test("the same unprotected resources in a dev stack pass", async () => {
        for (const type of [T.cloudSql, T.rdsInstance, T.rdsCluster, T.eksCluster, T.gcsBucket, T.s3Bucket, T.s3BucketV2]) {
            await expect(check(type, { deletionProtection: false, forceDestroy: true }, { stack: "dev" })).resolves.toEqual([]);
        }
        await expect(check(T.gkeCluster, { deletionProtection: false }, { stack: "dev" })).resolves.toEqual([]);
    });

    test("the stack comes from the URN, whatever the parent chain in its type part", async () => {
        const urn = `urn:pulumi:prod::flyte::flyte:gcp:GcpPlatform$flyte:gcp:CloudSqlPostgres$${T.cloudSql}::res`;
        await expect(resourceViolations(deletionProtectionInProd, T.cloudSql, {}, { name: "res", urn })).resolves.toEqual([PROVIDER, PROTECT]);
        const devUrn = urn.replace("urn:pulumi:prod::", "urn:pulumi:dev::");
        await expect(resourceViolations(deletionProtectionInProd, T.cloudSql, {}, { name: "res", urn: devUrn })).resolves.toEqual([]);
    });

    test("a stack merely named like prod is not prod", async () => {
        for (const stack of ["prod-eu", "preprod", "Prod"]) {
            await expect(check(T.cloudSql, {}, { stack })).resolves.toEqual([]);
        }
    });

    test("the schema default (the engine's config) and an empty config agree", async () => {
        await expect(check(T.cloudSql, {}, { config: engineConfig(deletionProtectionInProd) })).resolves.toEqual([PROVIDER, PROTECT]);
        await expect(check(T.cloudSql, {}, { config: {} })).resolves.toEqual([PROVIDER, PROTECT]);
    });

    test('a custom `stacks: ["production"]` protects production and no longer prod', async () => {
        const config = { stacks: ["production"] };
        await expect(check(T.cloudSql, {}, { stack: "production", config })).resolves.toEqual([
            "res in stack production must set deletionProtection: true.",
            "res in stack production must be created with Pulumi's protect option.",
        ]);
        await expect(check(T.cloudSql, {}, { stack: "prod", config })).resolves.toEqual([]);
    });

    test("an empty `stacks` turns the policy off", async () => {
        await expect(check(T.cloudSql, {}, { config: { stacks: [] } })).resolves.toEqual([]);
    });

    test("other resources in prod are not its concern", async () => {
        await expect(check(T.network, {})).resolves.toEqual([]);
        await expect(check(T.gkeNodePool, {})).resolves.toEqual([]);
        await expect(check("gcp:sql/database:Database", {})).resolves.toEqual([]);
    });
});

// ---- rds-encrypted ----

describe("rds-encrypted", () => {
    test.each([T.rdsInstance, T.rdsCluster])("%s: storageEncrypted true passes, false or unset is a violation", async (type) => {
        const check = (props: Record<string, unknown>) => resourceViolations(rdsEncrypted, type, props, { name: "db" });
        await expect(check({ storageEncrypted: true })).resolves.toEqual([]);
        await expect(check({ storageEncrypted: false })).resolves.toEqual(["RDS db must set storageEncrypted: true."]);
        await expect(check({})).resolves.toEqual(["RDS db must set storageEncrypted: true."]);
    });

    test("Cloud SQL (always encrypted) is not its concern", async () => {
        await expect(resourceViolations(rdsEncrypted, T.cloudSql, {})).resolves.toEqual([]);
    });
});

// ---- s3-encrypted ----

describe("s3-encrypted", () => {
    const bucket = (name = "data", props: Record<string, unknown> = {}, type: string = T.s3Bucket) =>
        policyResource(type, { bucket: `flyte-${name}`, ...props }, { name });
    /** A configuration; `bucket` is not known (as in a preview) unless it names a bucket literally. */
    const sse = (sseAlgorithm: string | undefined, type: string = T.s3Encryption, bucketName?: string) => ({
        type,
        props: {
            ...(bucketName === undefined ? {} : { bucket: bucketName }),
            rules: [{ applyServerSideEncryptionByDefault: sseAlgorithm === undefined ? {} : { sseAlgorithm } }],
        },
    });
    const attachedSse = (target: PolicyResource, sseAlgorithm: string | undefined, type?: string) => {
        const config = sse(sseAlgorithm, type);
        return policyResource(config.type, config.props, attachedBy("bucket", target));
    };

    test("a bucket without any encryption configuration is a violation naming it", async () => {
        const data = bucket();
        await expect(stackReports(s3Encrypted, [data])).resolves.toEqual([
            { message: "S3 bucket data has no server-side encryption configuration.", urn: data.urn },
        ]);
    });

    test.each(["AES256", "aws:kms", "aws:kms:dsse"])("an attached configuration with %s passes", async (algorithm) => {
        const data = bucket();
        await expect(stackViolations(s3Encrypted, [data, attachedSse(data, algorithm)])).resolves.toEqual([]);
    });

    test("the V2 configuration type counts, and a BucketV2 is checked too", async () => {
        const data = bucket("data", {}, T.s3BucketV2);
        await expect(stackViolations(s3Encrypted, [data])).resolves.toHaveLength(1);
        await expect(stackViolations(s3Encrypted, [data, attachedSse(data, "AES256", T.s3EncryptionV2)])).resolves.toEqual([]);
    });

    test("a configuration that is the bucket's child passes", async () => {
        const data = bucket();
        const config = sse("aws:kms");
        await expect(stackViolations(s3Encrypted, [data, policyResource(config.type, config.props, { name: "data", parent: data })])).resolves.toEqual([]);
    });

    test.each([T.s3Encryption, T.s3EncryptionV2])("a %s naming the bucket literally (no output dependency) passes", async (type) => {
        const data = bucket();
        const config = sse("aws:kms", type, "flyte-data");
        await expect(stackViolations(s3Encrypted, [data, policyResource(config.type, config.props, { name: "data-sse" })])).resolves.toEqual([]);
    });

    test("a configuration naming another bucket literally does not count, nor does a bad one naming this bucket", async () => {
        const data = bucket();
        const other = sse("AES256", T.s3Encryption, "flyte-data-archive");
        await expect(stackReports(s3Encrypted, [data, policyResource(other.type, other.props, { name: "archive-sse" })])).resolves.toEqual([
            { message: "S3 bucket data has no server-side encryption configuration.", urn: data.urn },
        ]);
        const bad = sse("ROT13", T.s3Encryption, "flyte-data");
        await expect(stackViolations(s3Encrypted, [data, policyResource(bad.type, bad.props, { name: "data-sse" })])).resolves.toHaveLength(1);
    });

    test("a bucket whose name is not known is not matched by a configuration whose bucket is not known either", async () => {
        const data = policyResource(T.s3Bucket, { bucketPrefix: "flyte-" }, { name: "data" });
        const config = sse("AES256");
        await expect(stackViolations(s3Encrypted, [data, policyResource(config.type, config.props, { name: "other-sse" })])).resolves.toHaveLength(1);
    });

    test.each([
        ["an unknown algorithm", "ROT13"],
        ["no algorithm", undefined],
    ])("an attached configuration with %s is a violation", async (_, algorithm) => {
        const data = bucket();
        await expect(stackViolations(s3Encrypted, [data, attachedSse(data, algorithm)])).resolves.toHaveLength(1);
    });

    test("an attached configuration without rules is a violation", async () => {
        const data = bucket();
        const empty = policyResource(T.s3Encryption, { rules: [] }, attachedBy("bucket", data));
        await expect(stackViolations(s3Encrypted, [data, empty])).resolves.toHaveLength(1);
    });

    test("a configuration attached to another bucket does not count", async () => {
        const metadata = bucket("metadata");
        const userdata = bucket("userdata");
        await expect(stackReports(s3Encrypted, [metadata, userdata, attachedSse(metadata, "AES256")])).resolves.toEqual([
            { message: expect.stringContaining("userdata"), urn: userdata.urn },
        ]);
    });

    test("inline serverSideEncryptionConfiguration with a known algorithm passes, an unknown one does not", async () => {
        const inline = (sseAlgorithm: string) => ({ serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm } } } });
        await expect(stackViolations(s3Encrypted, [bucket("data", inline("aws:kms"))])).resolves.toEqual([]);
        await expect(stackViolations(s3Encrypted, [bucket("data", inline("AES256"), T.s3BucketV2)])).resolves.toEqual([]);
        await expect(stackViolations(s3Encrypted, [bucket("data", inline("none"))])).resolves.toHaveLength(1);
    });
});

// ---- no-public-load-balancer-without-auth ----

describe("no-public-load-balancer-without-auth", () => {
    /** The namespace the Flyte releases below are installed in, and the resources put in unless told otherwise. */
    const NS = "flyte";
    const check = (resources: readonly PolicyResource[]) => stackViolations(noPublicLoadBalancerWithoutAuth, resources);
    const reports = (resources: readonly PolicyResource[]) => stackReports(noPublicLoadBalancerWithoutAuth, resources);
    const metadata = (name: string, annotations: Record<string, string>, namespace: string | undefined) => ({
        name,
        ...(namespace === undefined ? {} : { namespace }),
        annotations,
    });
    /** A Service; `namespace: null` leaves metadata.namespace out (the provider's default namespace). */
    const service = (name: string, type: string | undefined, annotations: Record<string, string> = {}, namespace: string | null = NS) =>
        policyResource(T.service, { metadata: metadata(name, annotations, namespace ?? undefined), spec: type === undefined ? {} : { type } }, { name });
    interface ReleaseOptions {
        readonly chart?: string;
        /** The release's namespace; undefined leaves it to the provider's default. */
        readonly namespace?: string;
    }
    const release = (name: string, chart: string, values: Record<string, unknown>, namespace: string | undefined) =>
        policyResource(T.release, { chart, ...(namespace === undefined ? {} : { namespace }), values }, { name });
    const binary = (name: string, values: Record<string, unknown>, options: ReleaseOptions = {}) =>
        release(name, options.chart ?? "flyte-binary", values, "namespace" in options ? options.namespace : NS);
    const core = (name: string, values: Record<string, unknown>, options: ReleaseOptions = {}) =>
        release(name, options.chart ?? "flyte-core", values, "namespace" in options ? options.namespace : NS);
    const binaryAuth = { configuration: { auth: { enabled: true } } };
    const coreAuth = { configmap: { adminServer: { server: { security: { useAuth: true } } } } };
    /** flyte-core creates an Ingress unless told not to. */
    const coreNoIngress = { common: { ingress: { enabled: false } } };
    const LB_MESSAGE = (name: string) =>
        `Service ${name} is an internet-facing LoadBalancer without Flyte's authentication: make it internal or turn authentication on.`;
    const RELEASE_MESSAGE = (name: string, exposure: string) => `Release ${name} asks its chart for ${exposure} while Flyte's authentication is off.`;

    describe("LoadBalancer Services", () => {
        test("an internet-facing LoadBalancer with no Flyte release is a violation naming the Service", async () => {
            const lb = service("flyte-lb", "LoadBalancer");
            await expect(reports([lb])).resolves.toEqual([{ message: LB_MESSAGE("flyte-lb"), urn: lb.urn }]);
        });

        test("an internet-facing LoadBalancer next to a Flyte release without auth is a violation", async () => {
            const lb = service("lb", "LoadBalancer");
            await expect(reports([lb, binary("flyte", {})])).resolves.toEqual([{ message: LB_MESSAGE("lb"), urn: lb.urn }]);
            await expect(reports([lb, core("flyte", coreNoIngress)])).resolves.toEqual([{ message: LB_MESSAGE("lb"), urn: lb.urn }]);
        });

        test.each([
            ["networking.gke.io/load-balancer-type", "Internal"],
            ["networking.gke.io/load-balancer-type", "internal"],
            ["cloud.google.com/load-balancer-type", "Internal"],
            ["service.beta.kubernetes.io/aws-load-balancer-internal", "true"],
            ["service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"],
            ["service.beta.kubernetes.io/azure-load-balancer-internal", "true"],
        ])("an internal LoadBalancer (%s: %s) passes", async (key, value) => {
            await expect(check([service("lb", "LoadBalancer", { [key]: value }), binary("flyte", {})])).resolves.toEqual([]);
            // In any namespace, and with no Flyte release at all.
            await expect(check([service("lb", "LoadBalancer", { [key]: value }, "storage")])).resolves.toEqual([]);
        });

        test.each([
            ["networking.gke.io/load-balancer-type", "External"],
            ["service.beta.kubernetes.io/aws-load-balancer-internal", "false"],
            ["service.beta.kubernetes.io/aws-load-balancer-scheme", "internet-facing"],
            ["service.beta.kubernetes.io/aws-load-balancer-type", "nlb"],
        ])("an annotation that does not make it internal (%s: %s) is still a violation", async (key, value) => {
            await expect(check([service("lb", "LoadBalancer", { [key]: value })])).resolves.toHaveLength(1);
        });

        test.each(["ClusterIP", "NodePort", undefined])("a Service of type %s passes", async (type) => {
            await expect(check([service("svc", type), binary("flyte", {})])).resolves.toEqual([]);
            await expect(check([service("svc", type, {}, "storage")])).resolves.toEqual([]);
        });

        test("each internet-facing Service is reported", async () => {
            const resources = [
                service("a", "LoadBalancer"),
                service("b", "LoadBalancer", {}, "storage"),
                service("c", "LoadBalancer", { "networking.gke.io/load-balancer-type": "Internal" }),
            ];
            const found = await reports(resources);
            expect(found.map((r) => r.urn)).toEqual([urnOf(T.service, "a"), urnOf(T.service, "b")]);
        });
    });

    describe("the exemption for an authenticated Flyte release", () => {
        test("an internet-facing LoadBalancer in the namespace of a flyte-binary release with auth passes", async () => {
            await expect(check([service("lb", "LoadBalancer"), binary("flyte", binaryAuth)])).resolves.toEqual([]);
        });

        test("an internet-facing LoadBalancer in the namespace of a flyte-core release with auth passes", async () => {
            // With auth on, the chart's default Ingress is no violation either.
            await expect(check([service("lb", "LoadBalancer"), core("flyte", coreAuth)])).resolves.toEqual([]);
        });

        test("Flyte's auth does not make an internet-facing Service in another namespace safe", async () => {
            const minio = policyResource(
                T.service,
                { metadata: { name: "minio", namespace: "storage" }, spec: { type: "LoadBalancer", selector: { app: "minio" } } },
                { name: "minio" },
            );
            await expect(reports([binary("flyte", binaryAuth), minio])).resolves.toEqual([{ message: LB_MESSAGE("minio"), urn: minio.urn }]);
            await expect(reports([core("flyte", coreAuth), minio])).resolves.toEqual([{ message: LB_MESSAGE("minio"), urn: minio.urn }]);
        });

        test("only the authenticated release's own namespace is exempt, next to it as well as in a separate one", async () => {
            const inside = service("flyte-lb", "LoadBalancer");
            const outside = service("grafana", "LoadBalancer", {}, "monitoring");
            await expect(reports([binary("flyte", binaryAuth), inside, outside])).resolves.toEqual([{ message: LB_MESSAGE("grafana"), urn: outside.urn }]);
        });

        test("the namespace must be the same, not merely alike", async () => {
            for (const namespace of ["flyte-system", "Flyte", "flyte-dev", "fly"]) {
                await expect(check([binary("flyte", binaryAuth), service("lb", "LoadBalancer", {}, namespace)])).resolves.toHaveLength(1);
            }
        });

        test("a Service without a namespace is not exempt", async () => {
            await expect(check([binary("flyte", binaryAuth), service("lb", "LoadBalancer", {}, null)])).resolves.toHaveLength(1);
        });

        test("an authenticated release without a namespace exempts nothing, not even a Service without one", async () => {
            const unplaced = binary("flyte", binaryAuth, { namespace: undefined });
            await expect(check([unplaced, service("lb", "LoadBalancer")])).resolves.toHaveLength(1);
            await expect(check([unplaced, service("lb", "LoadBalancer", {}, null)])).resolves.toHaveLength(1);
        });

        test("the chart may be named with its repository or as a path", async () => {
            for (const chart of ["flyteorg/flyte-binary", "oci://ghcr.io/flyteorg/charts/flyte-binary", "./charts/flyte-binary"]) {
                await expect(check([service("lb", "LoadBalancer"), binary("flyte", binaryAuth, { chart })])).resolves.toEqual([]);
            }
            await expect(check([service("lb", "LoadBalancer"), core("flyte", coreAuth, { chart: "flyteorg/flyte-core" })])).resolves.toEqual([]);
        });

        test("each release's auth covers its own namespace only", async () => {
            const lbA = service("lb-a", "LoadBalancer", {}, "flyte-a");
            const lbB = service("lb-b", "LoadBalancer", {}, "flyte-b");
            const authA = binary("flyte-a", binaryAuth, { namespace: "flyte-a" });
            await expect(reports([lbA, lbB, authA, binary("flyte-b", {}, { namespace: "flyte-b" })])).resolves.toEqual([
                { message: LB_MESSAGE("lb-b"), urn: lbB.urn },
            ]);
            await expect(reports([lbA, lbB, authA, core("flyte-b", coreNoIngress, { namespace: "flyte-b" })])).resolves.toEqual([
                { message: LB_MESSAGE("lb-b"), urn: lbB.urn },
            ]);
            await expect(check([lbA, lbB, authA, core("flyte-b", coreAuth, { namespace: "flyte-b" })])).resolves.toEqual([]);
        });

        test("a release without auth in the same namespace as one with auth takes nothing away from it", async () => {
            // The namespace is exempt because of the authenticated release; the other one is judged on its own values.
            await expect(check([service("lb", "LoadBalancer"), binary("flyte", binaryAuth), binary("flyte-2", {})])).resolves.toEqual([]);
        });

        test("auth on the other chart's key does not count", async () => {
            // flyte-binary's switch in a flyte-core release (and the reverse) turns nothing on.
            await expect(check([service("lb", "LoadBalancer"), core("flyte", { ...binaryAuth, ...coreNoIngress })])).resolves.toHaveLength(1);
            await expect(check([service("lb", "LoadBalancer"), binary("flyte", coreAuth)])).resolves.toHaveLength(1);
        });

        test("auth must be the boolean true", async () => {
            const stringly = { configuration: { auth: { enabled: "true" } } };
            await expect(check([service("lb", "LoadBalancer"), binary("flyte", stringly)])).resolves.toHaveLength(1);
            const coreStringly = { configmap: { adminServer: { server: { security: { useAuth: "true" } } } }, ...coreNoIngress };
            await expect(check([service("lb", "LoadBalancer"), core("flyte", coreStringly)])).resolves.toHaveLength(1);
        });

        test("a release of another chart in the namespace does not count as Flyte authenticating", async () => {
            const nginx = policyResource(T.release, { chart: "ingress-nginx", namespace: NS, values: binaryAuth }, { name: "nginx" });
            await expect(check([service("lb", "LoadBalancer"), nginx])).resolves.toHaveLength(1);
        });
    });

    describe("what a Flyte release without auth asks its chart for", () => {
        test("flyte-binary asking for a LoadBalancer is a violation naming the release", async () => {
            const flyte = binary("flyte", { service: { type: "LoadBalancer" } });
            await expect(reports([flyte])).resolves.toEqual([{ message: RELEASE_MESSAGE("flyte", "a LoadBalancer Service"), urn: flyte.urn }]);
        });

        test("flyte-binary asking for an Ingress (ingress.create) is a violation naming the release", async () => {
            const flyte = binary("flyte", { ingress: { create: true, ingressClassName: "nginx" } });
            await expect(reports([flyte])).resolves.toEqual([{ message: RELEASE_MESSAGE("flyte", "an Ingress"), urn: flyte.urn }]);
        });

        test("flyte-binary asking for both reports both", async () => {
            await expect(check([binary("flyte", { service: { type: "LoadBalancer" }, ingress: { create: true } })])).resolves.toEqual([
                RELEASE_MESSAGE("flyte", "a LoadBalancer Service"),
                RELEASE_MESSAGE("flyte", "an Ingress"),
            ]);
        });

        test("flyte-binary with ClusterIP or NodePort and no Ingress (its defaults, or said so) passes", async () => {
            await expect(check([binary("flyte", {})])).resolves.toEqual([]);
            await expect(check([binary("flyte", { service: { type: "ClusterIP" }, ingress: { create: false } })])).resolves.toEqual([]);
            await expect(check([binary("flyte", { service: { type: "NodePort" } })])).resolves.toEqual([]);
        });

        test.each(["flyteadmin", "flyteconsole", "datacatalog", "webhook"])(
            "flyte-core asking for a LoadBalancer %s is a violation naming the release and the component",
            async (component) => {
                const flyte = core("flyte", { ...coreNoIngress, [component]: { service: { type: "LoadBalancer" } } });
                await expect(reports([flyte])).resolves.toEqual([
                    { message: RELEASE_MESSAGE("flyte", `a LoadBalancer Service for ${component}`), urn: flyte.urn },
                ]);
            },
        );

        test.each([
            ["no values at all", {}],
            ["no ingress settings", { common: { databaseSecret: { name: "db" } } }],
            ["ingress settings without enabled", { common: { ingress: { ingressClassName: "gce" } } }],
            ["enabled: true", { common: { ingress: { enabled: true } } }],
            // Helm's `if` takes any non-empty string as true.
            ['enabled: "false" (a string)', { common: { ingress: { enabled: "false" } } }],
        ])("flyte-core with %s gets the chart's Ingress: a violation", async (_, values) => {
            const flyte = core("flyte", values);
            await expect(reports([flyte])).resolves.toEqual([{ message: RELEASE_MESSAGE("flyte", "an Ingress"), urn: flyte.urn }]);
        });

        test("flyte-core with common.ingress.enabled false and ClusterIP services passes", async () => {
            await expect(check([core("flyte", coreNoIngress)])).resolves.toEqual([]);
            await expect(
                check([core("flyte", { ...coreNoIngress, flyteadmin: { service: { type: "ClusterIP" } }, datacatalog: { service: { type: "NodePort" } } })]),
            ).resolves.toEqual([]);
        });

        test("flyte-core asking for several exposures reports each, in order", async () => {
            const flyte = core("flyte", { flyteadmin: { service: { type: "LoadBalancer" } }, datacatalog: { service: { type: "LoadBalancer" } } });
            await expect(check([flyte])).resolves.toEqual([
                RELEASE_MESSAGE("flyte", "a LoadBalancer Service for flyteadmin"),
                RELEASE_MESSAGE("flyte", "a LoadBalancer Service for datacatalog"),
                RELEASE_MESSAGE("flyte", "an Ingress"),
            ]);
        });

        test("a Flyte release asking for a LoadBalancer or an Ingress with auth on passes", async () => {
            await expect(check([binary("flyte", { ...binaryAuth, service: { type: "LoadBalancer" }, ingress: { create: true } })])).resolves.toEqual([]);
            const everything = Object.fromEntries(["flyteadmin", "flyteconsole", "datacatalog", "webhook"].map((c) => [c, { service: { type: "LoadBalancer" } }]));
            await expect(check([core("flyte", { ...coreAuth, ...everything })])).resolves.toEqual([]);
        });

        test("a release's exposure is judged whatever its namespace, even with no namespace", async () => {
            await expect(check([binary("flyte", { ingress: { create: true } }, { namespace: undefined })])).resolves.toHaveLength(1);
            await expect(check([core("flyte", {}, { namespace: "elsewhere" })])).resolves.toHaveLength(1);
        });

        test("a release of another chart is not judged on Flyte's values", async () => {
            const other = policyResource(T.release, { chart: "ingress-nginx", namespace: NS, values: { service: { type: "LoadBalancer" }, ingress: { create: true } } }, { name: "nginx" });
            await expect(check([other])).resolves.toEqual([]);
        });
    });

    describe("Ingress resources", () => {
        interface IngressOptions {
            readonly className?: string;
            readonly annotations?: Record<string, string>;
            readonly namespace?: string | undefined;
            readonly type?: string;
        }
        const ingress = (name: string, options: IngressOptions = {}) =>
            policyResource(
                options.type ?? T.ingress,
                {
                    metadata: metadata(name, options.annotations ?? {}, "namespace" in options ? options.namespace : NS),
                    spec: {
                        ...(options.className === undefined ? {} : { ingressClassName: options.className }),
                        rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "flyte", port: { number: 80 } } } }] } }],
                    },
                },
                { name },
            );
        const INGRESS_MESSAGE = (name: string) => `Ingress ${name} faces the internet without Flyte's authentication: make it internal.`;
        const CLASS = "kubernetes.io/ingress.class";
        const SCHEME = "alb.ingress.kubernetes.io/scheme";

        const internetFacing: [string, IngressOptions][] = [
            ["no class (GKE's default controller makes an external load balancer)", {}],
            ["ingressClassName gce", { className: "gce" }],
            ["the class annotation gce", { annotations: { [CLASS]: "gce" } }],
            ["ingressClassName alb with scheme internet-facing", { className: "alb", annotations: { [SCHEME]: "internet-facing" } }],
            ["the class annotation alb with scheme internet-facing", { annotations: { [CLASS]: "alb", [SCHEME]: "internet-facing" } }],
            ["no class with scheme internet-facing", { annotations: { [SCHEME]: "internet-facing" } }],
        ];
        test.each(
            [T.ingress, T.ingressV1beta1].flatMap((type) => internetFacing.map(([what, options]) => [type, what, { ...options, type }] as const)),
        )("a %s with %s is a violation naming it", async (_, __, options) => {
            const web = ingress("web", options);
            await expect(reports([web])).resolves.toEqual([{ message: INGRESS_MESSAGE("web"), urn: web.urn }]);
        });

        const notInternetFacing: [string, IngressOptions][] = [
            ["ingressClassName gce-internal", { className: "gce-internal" }],
            ["the class annotation gce-internal", { annotations: { [CLASS]: "gce-internal" } }],
            ["ingressClassName alb without a scheme (the AWS controller's default is internal)", { className: "alb" }],
            ["ingressClassName alb with scheme internal", { className: "alb", annotations: { [SCHEME]: "internal" } }],
            ["the class annotation alb with scheme internal", { annotations: { [CLASS]: "alb", [SCHEME]: "internal" } }],
            ["no class with scheme internal", { annotations: { [SCHEME]: "internal" } }],
            ["ingressClassName nginx (its own Service is what is checked)", { className: "nginx" }],
            ["the class annotation nginx", { annotations: { [CLASS]: "nginx" } }],
            ["ingressClassName traefik", { className: "traefik" }],
            ["ingressClassName nginx and an ALB scheme the controller ignores", { className: "nginx", annotations: { [SCHEME]: "internet-facing" } }],
            ["ingressClassName nginx over the class annotation gce", { className: "nginx", annotations: { [CLASS]: "gce" } }],
        ];
        test.each(
            [T.ingress, T.ingressV1beta1].flatMap((type) => notInternetFacing.map(([what, options]) => [type, what, { ...options, type }] as const)),
        )("a %s with %s passes", async (_, __, options) => {
            await expect(check([ingress("web", options)])).resolves.toEqual([]);
        });

        test("an internet-facing Ingress in the namespace of an authenticated Flyte release passes", async () => {
            await expect(check([ingress("web"), binary("flyte", binaryAuth)])).resolves.toEqual([]);
            await expect(check([ingress("web", { className: "gce" }), core("flyte", coreAuth)])).resolves.toEqual([]);
        });

        test("an internet-facing Ingress in another namespace, or without one, is reported despite Flyte's auth", async () => {
            const elsewhere = ingress("grafana", { namespace: "monitoring" });
            const unplaced = ingress("web", { namespace: undefined });
            await expect(reports([binary("flyte", binaryAuth), ingress("flyte-web"), elsewhere, unplaced])).resolves.toEqual([
                { message: INGRESS_MESSAGE("grafana"), urn: elsewhere.urn },
                { message: INGRESS_MESSAGE("web"), urn: unplaced.urn },
            ]);
        });

        test("an internet-facing Ingress next to a Flyte release without auth is a violation", async () => {
            await expect(check([ingress("web"), binary("flyte", {})])).resolves.toEqual([INGRESS_MESSAGE("web")]);
            await expect(check([ingress("web"), core("flyte", coreNoIngress)])).resolves.toEqual([INGRESS_MESSAGE("web")]);
        });

        test("Services, then Ingresses, then releases: everything is reported once", async () => {
            const lb = service("lb", "LoadBalancer");
            const web = ingress("web");
            const flyte = core("flyte", {});
            await expect(reports([flyte, web, lb])).resolves.toEqual([
                { message: LB_MESSAGE("lb"), urn: lb.urn },
                { message: INGRESS_MESSAGE("web"), urn: web.urn },
                { message: RELEASE_MESSAGE("flyte", "an Ingress"), urn: flyte.urn },
            ]);
        });
    });
});

// ---- Exposures found while writing these tests, now covered. ----

describe("no-public-load-balancer-without-auth: less common exposures of the Flyte charts", () => {
    const flyte = (chart: string, values: Record<string, unknown>) =>
        policyResource(T.release, { chart, namespace: "flyte", values }, { name: "flyte" });

    test("no-public-load-balancer-without-auth: flyte-binary's `ingress.create: \"true\"` (Helm's `if` takes it as true) is an Ingress", async () => {
        await expect(stackViolations(noPublicLoadBalancerWithoutAuth, [flyte("flyte-binary", { ingress: { create: "true" } })])).resolves.toHaveLength(1);
    });

    test("no-public-load-balancer-without-auth: a flyte-core LoadBalancer flytescheduler Service is an exposure", async () => {
        const values = { common: { ingress: { enabled: false } }, flytescheduler: { service: { enabled: true, type: "LoadBalancer" } } };
        await expect(stackViolations(noPublicLoadBalancerWithoutAuth, [flyte("flyte-core", values)])).resolves.toHaveLength(1);
    });

    test("no-public-load-balancer-without-auth: disabled flytescheduler and flyteconnector Services are not exposures", async () => {
        const values = {
            common: { ingress: { enabled: false } },
            flytescheduler: { service: { enabled: false, type: "LoadBalancer" } },
            flyteconnector: { enabled: false, service: { type: "LoadBalancer" } },
        };
        await expect(stackViolations(noPublicLoadBalancerWithoutAuth, [flyte("flyte-core", values)])).resolves.toEqual([]);
        await expect(stackViolations(noPublicLoadBalancerWithoutAuth, [flyte("flyte-binary", { ingress: { create: "" } })])).resolves.toEqual([]);
    });

    test("no-public-load-balancer-without-auth: the flyteconnector subchart's LoadBalancer Service is an exposure", async () => {
        const values = { flyteconnector: { enabled: true, service: { type: "LoadBalancer" } } };
        await expect(stackViolations(noPublicLoadBalancerWithoutAuth, [flyte("flyte-binary", values)])).resolves.toHaveLength(1);
    });
});

// ---- Workloads: workload-restricted, workload-resources, job-bounded, workload-read-only-root ----

describe("workload policies", () => {
    const W = {
        pod: "kubernetes:core/v1:Pod",
        deployment: "kubernetes:apps/v1:Deployment",
        statefulSet: "kubernetes:apps/v1:StatefulSet",
        daemonSet: "kubernetes:apps/v1:DaemonSet",
        replicaSet: "kubernetes:apps/v1:ReplicaSet",
        oldDeployment: "kubernetes:extensions/v1beta1:Deployment",
        betaDeployment: "kubernetes:apps/v1beta2:Deployment",
        replicationController: "kubernetes:core/v1:ReplicationController",
        job: "kubernetes:batch/v1:Job",
        cronJob: "kubernetes:batch/v1:CronJob",
        betaCronJob: "kubernetes:batch/v1beta1:CronJob",
    } as const;

    /** A container that every workload policy accepts. */
    const good = (name = "app"): Record<string, unknown> => ({
        name,
        image: "example/app:1",
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "64Mi" } },
    });
    const goodPod = (containers: unknown[] = [good()], extra: Record<string, unknown> = {}) => ({
        securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        containers,
        ...extra,
    });
    /** The props of a workload of `type` around a pod spec. */
    const workload = (type: string, pod: Record<string, unknown>, jobSpec: Record<string, unknown> = { activeDeadlineSeconds: 300, backoffLimit: 1 }) => {
        const path = podSpecPath(type);
        if (path === undefined) {
            throw new Error(`${type} is not a workload`);
        }
        if (path.length === 1) {
            return { spec: pod };
        }
        const template = { template: { spec: pod } };
        if (type === W.job) {
            return { spec: { ...jobSpec, ...template } };
        }
        if (type.endsWith(":CronJob")) {
            return { spec: { schedule: "@daily", jobTemplate: { spec: { ...jobSpec, ...template } } } };
        }
        return { spec: { selector: {}, ...template } };
    };
    /** The pod with one container changed (securityContext, resources merged shallowly). */
    const withContainer = (change: (c: Record<string, unknown>) => Record<string, unknown>) => goodPod([change(good())]);
    const restricted = (type: string, pod: Record<string, unknown>, name = "w") => resourceViolations(workloadRestricted, type, workload(type, pod), { name });
    const resources = (type: string, pod: Record<string, unknown>, name = "w") => resourceViolations(workloadResources, type, workload(type, pod), { name });

    test("podSpecPath knows every workload type and version, and nothing else", () => {
        for (const type of Object.values(W)) {
            expect([type, podSpecPath(type) !== undefined]).toEqual([type, true]);
        }
        for (const type of ["kubernetes:core/v1:Service", "kubernetes:apps/v1:DeploymentPatch", "kubernetes:batch/v1:JobPatch", "kubernetes:helm.sh/v3:Release", "gcp:container/cluster:Cluster"]) {
            expect([type, podSpecPath(type)]).toEqual([type, undefined]);
        }
    });

    describe("workload-restricted", () => {
        test.each(Object.values(W))("a restricted %s passes every workload policy", async (type) => {
            const props = workload(type, goodPod([good("a")], { initContainers: [good("init")] }));
            for (const policy of [workloadRestricted, workloadResources, jobBounded, workloadReadOnlyRoot]) {
                await expect(resourceViolations(policy, type, props)).resolves.toEqual([]);
            }
        });

        test.each([
            ["runAsNonRoot missing", goodPod([good()], { securityContext: { seccompProfile: { type: "RuntimeDefault" } } }), /w, container app: runAsNonRoot must be true/],
            ["runAsNonRoot false in the container over true in the pod", withContainer((c) => ({ ...c, securityContext: { ...(c.securityContext as object), runAsNonRoot: false } })), /runAsNonRoot must be true/],
            ["runAsUser 0 in the container", withContainer((c) => ({ ...c, securityContext: { ...(c.securityContext as object), runAsUser: 0 } })), /runAsUser must not be 0/],
            ["allowPrivilegeEscalation missing", withContainer((c) => ({ ...c, securityContext: { capabilities: { drop: ["ALL"] } } })), /allowPrivilegeEscalation must be false/],
            ["allowPrivilegeEscalation true", withContainer((c) => ({ ...c, securityContext: { ...(c.securityContext as object), allowPrivilegeEscalation: true } })), /allowPrivilegeEscalation must be false/],
            ["capabilities not dropped", withContainer((c) => ({ ...c, securityContext: { allowPrivilegeEscalation: false } })), /capabilities.drop must include ALL/],
            ["only some capabilities dropped", withContainer((c) => ({ ...c, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["NET_RAW"] } } })), /capabilities.drop must include ALL/],
            ["a capability added back", withContainer((c) => ({ ...c, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } } })), /must not add the capability SYS_ADMIN/],
            ["privileged", withContainer((c) => ({ ...c, securityContext: { ...(c.securityContext as object), privileged: true } })), /must not be privileged/],
            ["no seccomp profile", goodPod([good()], { securityContext: { runAsNonRoot: true } }), /seccompProfile.type must be RuntimeDefault or Localhost .* not unset/],
            ["an Unconfined seccomp profile in the container", withContainer((c) => ({ ...c, securityContext: { ...(c.securityContext as object), seccompProfile: { type: "Unconfined" } } })), /not Unconfined/],
            ["the host's network", goodPod([good()], { hostNetwork: true }), /the pod must not set hostNetwork/],
            ["the host's process namespace", goodPod([good()], { hostPID: true }), /must not set hostPID/],
        ] as const)("%s is a violation", async (_, pod, message) => {
            const messages = await restricted(W.deployment, pod);
            expect(messages).toEqual([expect.stringMatching(message)]);
            expect(messages[0]).toMatch(/^Deployment w/);
        });

        test("settings may come from the container instead of the pod, and NET_BIND_SERVICE may be added back", async () => {
            const container = {
                ...good(),
                securityContext: {
                    runAsNonRoot: true,
                    runAsUser: 1000,
                    seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] },
                },
            };
            await expect(restricted(W.pod, { containers: [container] })).resolves.toEqual([]);
        });

        test("init containers and ephemeral containers are checked like containers, each named", async () => {
            // The pod's runAsNonRoot and seccomp profile cover them; the container-only settings are missing.
            const bad = { name: "setup", securityContext: {} };
            const messages = await restricted(W.job, goodPod([good()], { initContainers: [bad], ephemeralContainers: [{ ...bad, name: "debug" }] }), "migrate");
            const problems = ["securityContext.allowPrivilegeEscalation must be false.", "securityContext.capabilities.drop must include ALL."];
            expect(messages).toEqual([
                ...problems.map((p) => `Job migrate, init container setup: ${p}`),
                ...problems.map((p) => `Job migrate, ephemeral container debug: ${p}`),
            ]);
        });

        test("a CronJob's pod template is the one checked", async () => {
            const messages = await restricted(W.cronJob, goodPod([{ ...good(), securityContext: {} }]));
            expect(messages.length).toBe(2);
            expect(messages.every((m) => m.startsWith("CronJob w, container app: "))).toBe(true);
        });

        test("a workload whose pod spec is not known yet, and other resources, are not its concern", async () => {
            await expect(resourceViolations(workloadRestricted, W.deployment, { spec: {} })).resolves.toEqual([]);
            await expect(resourceViolations(workloadRestricted, "kubernetes:core/v1:Service", { spec: { containers: [{}] } })).resolves.toEqual([]);
        });
    });

    describe("workload-resources", () => {
        test.each(REQUIRED_RESOURCES.map((key) => [key]))("a container without %s is a violation naming what is missing", async (key) => {
            const [section, resource] = key.split(".");
            const pod = withContainer((c) => {
                const current = c.resources as Record<string, Record<string, string>>;
                const { [resource]: _removed, ...rest } = current[section];
                return { ...c, resources: { ...current, [section]: rest } };
            });
            await expect(resources(W.statefulSet, pod)).resolves.toEqual([`StatefulSet w, container app: resources must set ${key}.`]);
        });

        test("no resources at all names all three; a CPU limit is not required", async () => {
            await expect(resources(W.daemonSet, withContainer((c) => ({ ...c, resources: undefined })))).resolves.toEqual([
                "DaemonSet w, container app: resources must set requests.cpu, requests.memory, limits.memory.",
            ]);
            await expect(resources(W.daemonSet, withContainer((c) => ({ ...c, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } } })))).resolves.toEqual([]);
        });

        test("init containers need them too", async () => {
            const pod = goodPod([good()], { initContainers: [{ name: "wait-for-db" }] });
            await expect(resources(W.deployment, pod)).resolves.toEqual([expect.stringMatching(/^Deployment w, init container wait-for-db: /)]);
        });
    });

    describe("job-bounded", () => {
        const job = (spec: Record<string, unknown>, type: string = W.job) =>
            resourceViolations(jobBounded, type, workload(type, goodPod(), spec), { name: "setup" });

        test.each([W.job, W.cronJob, W.betaCronJob])("a %s with a deadline and a retry limit passes, 0 retries included", async (type) => {
            await expect(job({ activeDeadlineSeconds: 300, backoffLimit: 0 }, type)).resolves.toEqual([]);
        });

        test.each([
            ["no deadline", { backoffLimit: 1 }, "Job setup: activeDeadlineSeconds must be a positive number of seconds, not unset."],
            ["a zero deadline", { activeDeadlineSeconds: 0, backoffLimit: 1 }, "Job setup: activeDeadlineSeconds must be a positive number of seconds, not 0."],
            ["a deadline that is not a number", { activeDeadlineSeconds: "300", backoffLimit: 1 }, "Job setup: activeDeadlineSeconds must be a positive number of seconds, not 300."],
            ["no retry limit (the API's default of 6 is not a decision)", { activeDeadlineSeconds: 300 }, "Job setup: backoffLimit must be set (0 or more retries), not unset."],
            ["a negative retry limit", { activeDeadlineSeconds: 300, backoffLimit: -1 }, "Job setup: backoffLimit must be set (0 or more retries), not -1."],
        ] as const)("%s is a violation", async (_, spec, message) => {
            await expect(job(spec)).resolves.toEqual([message]);
        });

        test("a CronJob's Job template is the one checked", async () => {
            await expect(job({}, W.cronJob)).resolves.toEqual([
                expect.stringMatching(/^CronJob setup: activeDeadlineSeconds/),
                expect.stringMatching(/^CronJob setup: backoffLimit/),
            ]);
        });

        test("other workloads need no deadline", async () => {
            await expect(resourceViolations(jobBounded, W.deployment, workload(W.deployment, goodPod()))).resolves.toEqual([]);
        });
    });

    describe("workload-read-only-root (advisory)", () => {
        test("a container whose root filesystem is writable is reported, naming it", async () => {
            const pod = withContainer((c) => ({ ...c, securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }));
            await expect(resourceViolations(workloadReadOnlyRoot, W.deployment, workload(W.deployment, pod), { name: "minio" })).resolves.toEqual([
                "Deployment minio, container app: securityContext.readOnlyRootFilesystem should be true.",
            ]);
        });
    });
});
