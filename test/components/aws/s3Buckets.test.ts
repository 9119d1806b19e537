import { RawDataBucket, S3Buckets } from "../../../components/aws/s3Buckets";
import { tlsOnlyBucketPolicy } from "../../../components/aws/iam";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { byName, ofType } from "../../helpers/plan";

const METADATA = "flyte-test-123456789012-eu-central-1-metadata";
const USERDATA = "flyte-test-123456789012-eu-central-1-userdata";

function planBuckets(deletionProtection: boolean, forceDestroy: boolean): Promise<Plan> {
    return runComponents(() => {
        const buckets = new S3Buckets("b", {
            metadataBucketName: METADATA,
            projectBucketNames: {},
            userDataBucketName: USERDATA,
            deletionProtection,
            forceDestroy,
            tags: { app: "flyte" },
        });
        return { metadata: buckets.metadata.bucket, userData: buckets.userData.bucket, metadataArn: buckets.metadata.arn };
    });
}

const BUCKET = "aws:s3/bucket:Bucket";
const PER_BUCKET = [
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPolicy:BucketPolicy",
] as const;
const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

/** The one resource of a type attached to a bucket (as its child). */
function settingOf(plan: Plan, bucket: RecordedResource, type: string): RecordedResource {
    const found = ofType(plan, type).filter((r) => r.parent === bucket.urn);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} under ${bucket.name}, found ${found.length}`);
    }
    return found[0];
}

describe("protected buckets", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planBuckets(true, false);
    });
    const metadata = () => byName(plan, BUCKET, "b-metadata");
    const userData = () => byName(plan, BUCKET, "b-userdata");
    const both = () =>
        [
            [metadata(), METADATA],
            [userData(), USERDATA],
        ] as const;

    test("the component owns exactly the two buckets, named as given", () => {
        expect(childrenOf(plan, component(plan, "flyte:aws:S3Buckets")).map((r) => r.name).sort()).toEqual([
            "b-metadata",
            "b-userdata",
        ]);
        expect(metadata().inputs.bucket).toBe(METADATA);
        expect(userData().inputs.bucket).toBe(USERDATA);
        expect(plan.outputs).toMatchObject({ metadata: METADATA, userData: USERDATA, metadataArn: `arn:aws:s3:::${METADATA}` });
    });

    test("every form of public access is blocked on both", () => {
        for (const [bucket, name] of both()) {
            expect(settingOf(plan, bucket, PER_BUCKET[0]).inputs).toEqual({
                bucket: name,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            });
        }
    });

    test("ACLs are disabled: the bucket owner owns every object", () => {
        for (const [bucket, name] of both()) {
            expect(settingOf(plan, bucket, PER_BUCKET[1]).inputs).toEqual({
                bucket: name,
                rule: { objectOwnership: "BucketOwnerEnforced" },
            });
        }
    });

    test("server-side encryption with S3-managed keys by default", () => {
        for (const [bucket, name] of both()) {
            const sse = settingOf(plan, bucket, PER_BUCKET[2]).inputs;
            expect(sse.bucket).toBe(name);
            expect(sse.rules).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
        }
    });

    test("a bucket policy that denies every request without TLS, on the bucket and its objects", () => {
        for (const [bucket, name] of both()) {
            const policy = settingOf(plan, bucket, PER_BUCKET[3]).inputs;
            expect(policy.bucket).toBe(name);
            // The document itself: tlsOnlyBucketPolicy's tests (test/components/aws/iam.test.ts).
            expect(policy.policy).toBe(tlsOnlyBucketPolicy(`arn:aws:s3:::${name}`));
        }
    });

    test("metadata is versioned and old versions expire after versioning is on; user data is neither", () => {
        const versioning = settingOf(plan, metadata(), VERSIONING);
        expect(versioning.inputs).toEqual({ bucket: METADATA, versioningConfiguration: { status: "Enabled" } });
        const lifecycle = settingOf(plan, metadata(), LIFECYCLE);
        expect(lifecycle.inputs).toEqual({
            bucket: METADATA,
            rules: [
                {
                    id: "expire-old-versions",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: 30 },
                },
            ],
        });
        expect(lifecycle.dependencies).toContain(versioning.urn);
        expect(ofType(plan, VERSIONING)).toHaveLength(1);
        expect(ofType(plan, LIFECYCLE)).toHaveLength(1);
    });

    test("each bucket has exactly its settings and nothing else", () => {
        expect(childrenOf(plan, metadata()).map((r) => r.type).sort()).toEqual([...PER_BUCKET, VERSIONING, LIFECYCLE].sort());
        expect(childrenOf(plan, userData()).map((r) => r.type).sort()).toEqual([...PER_BUCKET].sort());
    });

    test("cannot be destroyed: no force-destroy, Pulumi protect", () => {
        for (const [bucket] of both()) {
            expect(bucket.inputs.forceDestroy).toBe(false);
            expect(bucket.protect).toBe(true);
            expect(bucket.inputs.tags).toEqual({ app: "flyte" });
        }
    });
});

describe("disposable buckets", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planBuckets(false, true);
    });

    test("can be force-destroyed and are not protected, only because the stack says so", () => {
        for (const name of ["b-metadata", "b-userdata"]) {
            const bucket = byName(plan, BUCKET, name);
            expect(bucket.inputs.forceDestroy).toBe(true);
            expect(bucket.protect).toBe(false);
        }
    });

    test("are just as private and TLS-only", () => {
        expect(ofType(plan, PER_BUCKET[0]).map((r) => r.inputs.restrictPublicBuckets)).toEqual([true, true]);
        expect(ofType(plan, PER_BUCKET[3])).toHaveLength(2);
        expect(ofType(plan, VERSIONING)).toHaveLength(1);
    });
});

describe("protected but force-destroyable (the flags are independent)", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planBuckets(true, true);
    });

    test("protect and forceDestroy each follow their own argument", () => {
        for (const name of ["b-metadata", "b-userdata"]) {
            const bucket = byName(plan, BUCKET, name);
            expect(bucket.inputs.forceDestroy).toBe(true);
            expect(bucket.protect).toBe(true);
        }
    });
});

describe("a data plane's own raw-data bucket (RawDataBucket)", () => {
    const RAW = "flyte-batch-123456789012-eu-central-1-userdata";

    /** A RawDataBucket beside S3Buckets with the same flags, to compare it with the user-data bucket. */
    function planRaw(deletionProtection: boolean, forceDestroy: boolean): Promise<Plan> {
        return runComponents(() => {
            new S3Buckets("b", { metadataBucketName: METADATA, projectBucketNames: {}, userDataBucketName: USERDATA, deletionProtection, forceDestroy, tags: { app: "flyte" } });
            const raw = new RawDataBucket("dp", { bucketName: RAW, deletionProtection, forceDestroy, tags: { app: "flyte", stack: "batch" } });
            return { bucket: raw.bucket.bucket, arn: raw.bucket.arn };
        });
    }

    /** A setting's inputs with the bucket's name taken out, to compare two buckets' settings. */
    const settingInputs = (plan: Plan, bucket: RecordedResource, type: string) => {
        const { bucket: name, policy, ...rest } = settingOf(plan, bucket, type).inputs;
        return { ...rest, ...(policy === undefined ? {} : { policy: String(policy).split(String(name)).join("<bucket>") }) };
    };

    let plan: Plan;
    beforeAll(async () => {
        plan = await planRaw(true, false);
    });
    const raw = () => byName(plan, BUCKET, "dp-rawdata");

    test("one bucket, named as given, the component's only child", () => {
        expect(childrenOf(plan, component(plan, "flyte:aws:RawDataBucket")).map((r) => `${r.type} ${r.name}`)).toEqual([`${BUCKET} dp-rawdata`]);
        expect(raw().inputs).toEqual({ bucket: RAW, forceDestroy: false, tags: { app: "flyte", stack: "batch" } });
        expect(plan.outputs).toEqual({ bucket: RAW, arn: `arn:aws:s3:::${RAW}` });
    });

    test("private as the user-data bucket: the same public access block, ownership, encryption and TLS-only policy, on itself", () => {
        const userData = byName(plan, BUCKET, "b-userdata");
        for (const type of PER_BUCKET) {
            expect([type, settingInputs(plan, raw(), type)]).toEqual([type, settingInputs(plan, userData, type)]);
            expect(settingOf(plan, raw(), type).inputs.bucket).toBe(RAW);
        }
        expect(settingOf(plan, raw(), PER_BUCKET[3]).inputs.policy).toBe(tlsOnlyBucketPolicy(`arn:aws:s3:::${RAW}`));
        expect(settingOf(plan, raw(), PER_BUCKET[0]).inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    });

    test("unversioned, as the user-data bucket: exactly the four settings", () => {
        expect(childrenOf(plan, raw()).map((r) => r.type).sort()).toEqual([...PER_BUCKET].sort());
        expect(ofType(plan, VERSIONING).filter((v) => v.inputs.bucket === RAW)).toEqual([]);
        expect(ofType(plan, LIFECYCLE).filter((v) => v.inputs.bucket === RAW)).toEqual([]);
    });

    test("protected when the stack says so", () => {
        expect(raw().protect).toBe(true);
    });

    test.each([
        [false, true],
        [true, true],
        [false, false],
    ])("deletionProtection %s, forceDestroyBuckets %s: protect and forceDestroy follow", async (deletionProtection, forceDestroy) => {
        const other = await planRaw(deletionProtection, forceDestroy);
        const bucket = byName(other, BUCKET, "dp-rawdata");
        expect([bucket.protect, bucket.inputs.forceDestroy]).toEqual([deletionProtection, forceDestroy]);
    });
});
