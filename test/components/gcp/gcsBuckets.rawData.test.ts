import * as gcp from "@pulumi/gcp";
import { privateBucketArgs, RawDataBucket } from "../../../components/gcp/gcsBuckets";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { byName, ofType, only } from "../../helpers/plan";

/**
 * RawDataBucket: a data plane's own bucket for raw outputs, private like Flyte's others (privateBucketArgs), with the
 * stack's protection, and member bindings for the control plane's identities by email.
 */

function planBucket(deletionProtection: boolean, forceDestroy: boolean): Promise<Plan> {
    return runComponents(() => {
        const storage = new gcp.projects.Service("storage", { service: "storage.googleapis.com" });
        new RawDataBucket("raw", {
            project: "acme-test",
            location: "us-central1",
            bucketName: "flyte-gpu-1234abcd-userdata",
            deletionProtection,
            forceDestroy,
            labels: { app: "flyte" },
            grants: [
                { key: "worker", email: "w@acme-test.iam.gserviceaccount.com", roles: ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"] },
                { key: "flyteadmin", email: "a@acme-test.iam.gserviceaccount.com", roles: ["roles/storage.objectViewer"] },
            ],
            apis: { storage },
        });
        return {};
    });
}

test("privateBucketArgs: regional, uniform access, public access prevention, the stack's protection", () => {
    const settings = { project: "p", location: "europe-west1", forceDestroy: false, labels: { app: "flyte" } };
    expect(privateBucketArgs({ ...settings, deletionProtection: true })).toEqual({
        project: "p",
        location: "EUROPE-WEST1",
        storageClass: "STANDARD",
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        forceDestroy: false,
        deletionPolicy: "PREVENT",
        labels: { app: "flyte" },
    });
    expect(privateBucketArgs({ ...settings, deletionProtection: false }).deletionPolicy).toBe("DELETE");
});

describe("protected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planBucket(true, false);
    });

    test("one private, unversioned bucket, protected, waiting for the Storage API", () => {
        const bucket = only(plan, "gcp:storage/bucket:Bucket");
        expect(bucket.name).toBe("raw-rawdata");
        expect(bucket.inputs).toMatchObject({
            name: "flyte-gpu-1234abcd-userdata",
            location: "US-CENTRAL1",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: false },
            deletionPolicy: "PREVENT",
            forceDestroy: false,
        });
        expect(bucket.protect).toBe(true);
        expect(bucket.dependencies).toEqual([byName(plan, "gcp:projects/service:Service", "storage").urn]);
    });

    test("one member binding per identity and role, on this bucket, under the component", () => {
        const grants = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember");
        expect(grants.map((g) => [g.name, g.inputs.bucket, g.inputs.role, g.inputs.member]).sort()).toEqual([
            ["raw-worker-storage-objectAdmin", "flyte-gpu-1234abcd-userdata", "roles/storage.objectAdmin", "serviceAccount:w@acme-test.iam.gserviceaccount.com"],
            ["raw-worker-storage-legacyBucketReader", "flyte-gpu-1234abcd-userdata", "roles/storage.legacyBucketReader", "serviceAccount:w@acme-test.iam.gserviceaccount.com"],
            ["raw-flyteadmin-storage-objectViewer", "flyte-gpu-1234abcd-userdata", "roles/storage.objectViewer", "serviceAccount:a@acme-test.iam.gserviceaccount.com"],
        ].sort());
        const owner = component(plan, "flyte:gcp:RawDataBucket");
        expect(childrenOf(plan, owner).map((r) => r.name).sort()).toEqual([...grants.map((g) => g.name), "raw-rawdata"].sort());
        expect(ofType(plan, "gcp:storage/bucketIAMBinding:BucketIAMBinding")).toEqual([]);
        expect(ofType(plan, "gcp:storage/bucketIAMPolicy:BucketIAMPolicy")).toEqual([]);
    });
});

test("disposable: deleted with the stack, with its objects only where the stack says so", async () => {
    const bucket = only(await planBucket(false, true), "gcp:storage/bucket:Bucket");
    expect(bucket.inputs).toMatchObject({ deletionPolicy: "DELETE", forceDestroy: true });
    expect(bucket.protect).toBe(false);
});
