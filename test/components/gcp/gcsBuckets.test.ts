import * as gcp from "@pulumi/gcp";
import { GcsBuckets } from "../../../components/gcp/gcsBuckets";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { byName } from "../../helpers/plan";

function planBuckets(deletionProtection: boolean, forceDestroy: boolean): Promise<Plan> {
    return runComponents(() => {
        const storage = new gcp.projects.Service("storage", { service: "storage.googleapis.com" });
        const buckets = new GcsBuckets("b", {
            project: "acme-test",
            location: "europe-west1",
            metadataBucketName: "flyte-test-1234-metadata",
            projectBucketNames: {},
            userDataBucketName: "flyte-test-1234-userdata",
            deletionProtection,
            forceDestroy,
            labels: { app: "flyte" },
            apis: { storage },
        });
        return { metadata: buckets.metadata.name, userData: buckets.userData.name };
    });
}

describe("protected buckets", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planBuckets(true, false);
    });
    const metadata = () => byName(plan, "gcp:storage/bucket:Bucket", "b-metadata");
    const userData = () => byName(plan, "gcp:storage/bucket:Bucket", "b-userdata");

    test("the component owns exactly the two buckets", () => {
        expect(childrenOf(plan, component(plan, "flyte:gcp:GcsBuckets")).map((r) => r.name).sort()).toEqual([
            "b-metadata",
            "b-userdata",
        ]);
    });

    test("both are private: uniform access, public access prevention enforced, regional", () => {
        for (const bucket of [metadata(), userData()]) {
            expect(bucket.inputs).toMatchObject({
                project: "acme-test",
                location: "EUROPE-WEST1",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
            });
        }
        expect(metadata().inputs.name).toBe("flyte-test-1234-metadata");
        expect(userData().inputs.name).toBe("flyte-test-1234-userdata");
    });

    test("metadata is versioned and old versions expire; user data is not versioned", () => {
        expect(metadata().inputs.versioning).toEqual({ enabled: true });
        expect(metadata().inputs.lifecycleRules).toEqual([
            { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
        ]);
        expect(userData().inputs.versioning).toEqual({ enabled: false });
    });

    test("cannot be destroyed: no force-destroy, provider deletion policy PREVENT, Pulumi protect", () => {
        for (const bucket of [metadata(), userData()]) {
            expect(bucket.inputs.forceDestroy).toBe(false);
            expect(bucket.inputs.deletionPolicy).toBe("PREVENT");
            expect(bucket.protect).toBe(true);
        }
    });

    test("waits for the Storage API", () => {
        expect(metadata().dependencies).toEqual([byName(plan, "gcp:projects/service:Service", "storage").urn]);
    });
});

describe("disposable buckets", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planBuckets(false, true);
    });

    test("can be force-destroyed only because the stack says so", () => {
        for (const name of ["b-metadata", "b-userdata"]) {
            const bucket = byName(plan, "gcp:storage/bucket:Bucket", name);
            expect(bucket.inputs.forceDestroy).toBe(true);
            expect(bucket.inputs.deletionPolicy).toBe("DELETE");
            expect(bucket.protect).toBe(false);
            expect(bucket.inputs.publicAccessPrevention).toBe("enforced");
        }
    });
});
