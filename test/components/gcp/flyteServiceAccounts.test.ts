import * as gcp from "@pulumi/gcp";
import { FlyteServiceAccounts } from "../../../components/gcp/flyteServiceAccounts";
import { WorkloadIdentityBindings } from "../../../components/gcp/workloadIdentityBindings";
import { flyteWorkloads } from "../../../components/contract/identities";
import type { Plan } from "../../../lib/plan/runPlan";
import { gcpStackConfig } from "../../helpers/config";
import { runComponents } from "../../helpers/components";
import { byName, ofType } from "../../helpers/plan";

const BACKEND = "flyte-test-backend@acme-test.iam.gserviceaccount.com";
const WORKER = "flyte-test-worker@acme-test.iam.gserviceaccount.com";
let plan: Plan;

beforeAll(async () => {
    plan = await runComponents(() => {
        const iam = new gcp.projects.Service("iam", { service: "iam.googleapis.com" });
        const cluster = new gcp.container.Cluster("cluster", {
            location: "europe-west1",
            workloadIdentityConfig: { workloadPool: "acme-test.svc.id.goog" },
        });
        const workloads = flyteWorkloads(gcpStackConfig({ "flyte:flyteProjects": '["p1"]' }).flyte);
        const ids: Record<string, string> = { backend: "flyte-test-backend", worker: "flyte-test-worker" };
        const accounts = new FlyteServiceAccounts("ids", {
            project: "acme-test",
            accounts: workloads.identities.map((request) => ({ request, accountId: ids[request.key] })),
            buckets: { metadata: "meta-bucket", userData: "data-bucket", projects: {} },
            apis: { iam },
        });
        new WorkloadIdentityBindings("wi", {
            workloadPool: cluster.workloadIdentityConfig.apply((c) => c?.workloadPool ?? ""),
            bindings: [
                {
                    key: "backend",
                    serviceAccountId: accounts.accounts.backend.name,
                    kubernetesServiceAccounts: [{ namespace: "flyte", name: "flyte-binary" }],
                },
                {
                    key: "worker",
                    serviceAccountId: accounts.accounts.worker.name,
                    kubernetesServiceAccounts: [
                        { namespace: "p1-development", name: "default" },
                        { namespace: "p1-production", name: "default" },
                    ],
                },
            ],
        });
        return {};
    });
});

test("two Google service accounts: the backend and task pods", () => {
    const accounts = ofType(plan, "gcp:serviceaccount/account:Account");
    expect(accounts.map((a) => a.inputs.accountId).sort()).toEqual(["flyte-test-backend", "flyte-test-worker"]);
    for (const a of accounts) {
        expect(a.inputs.project).toBe("acme-test");
        expect(a.dependencies).toEqual([byName(plan, "gcp:projects/service:Service", "iam").urn]);
    }
});

test("storage roles are granted on Flyte's two buckets only, to exactly these two identities", () => {
    const grants = ofType(plan, "gcp:storage/bucketIAMMember:BucketIAMMember").map((g) => [
        g.inputs.bucket,
        g.inputs.role,
        g.inputs.member,
    ]);
    const expected: [string, string, string][] = [];
    for (const email of [BACKEND, WORKER]) {
        for (const bucket of ["meta-bucket", "data-bucket"]) {
            for (const role of ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"]) {
                expected.push([bucket, role, `serviceAccount:${email}`]);
            }
        }
    }
    expect(grants.sort()).toEqual(expected.sort());
    expect(ofType(plan, "gcp:projects/iAMMember:IAMMember")).toEqual([]);
    expect(ofType(plan, "gcp:projects/iAMBinding:IAMBinding")).toEqual([]);
});

test("the backend, and only the backend, may sign blobs as itself", () => {
    const members = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter(
        (m) => m.inputs.role === "roles/iam.serviceAccountTokenCreator",
    );
    expect(members).toHaveLength(1);
    expect(members[0].inputs).toMatchObject({
        serviceAccountId: `projects/acme-test/serviceAccounts/${BACKEND}`,
        member: `serviceAccount:${BACKEND}`,
    });
});

test("Workload Identity: one member binding per Kubernetes service account, on its own Google account", () => {
    const bindings = ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember")
        .filter((m) => m.inputs.role === "roles/iam.workloadIdentityUser")
        .map((m) => [m.inputs.serviceAccountId, m.inputs.member]);
    expect(bindings.sort()).toEqual(
        [
            [`projects/acme-test/serviceAccounts/${BACKEND}`, "serviceAccount:acme-test.svc.id.goog[flyte/flyte-binary]"],
            [`projects/acme-test/serviceAccounts/${WORKER}`, "serviceAccount:acme-test.svc.id.goog[p1-development/default]"],
            [`projects/acme-test/serviceAccounts/${WORKER}`, "serviceAccount:acme-test.svc.id.goog[p1-production/default]"],
        ].sort(),
    );
    // Authoritative bindings or policies would remove members this program does not know about.
    expect(ofType(plan, "gcp:serviceaccount/iAMBinding:IAMBinding")).toEqual([]);
    expect(ofType(plan, "gcp:serviceaccount/iAMPolicy:IAMPolicy")).toEqual([]);
});

test("Workload Identity bindings wait for the cluster that creates the pool", () => {
    const cluster = byName(plan, "gcp:container/cluster:Cluster", "cluster");
    for (const m of ofType(plan, "gcp:serviceaccount/iAMMember:IAMMember").filter((m) =>
        m.name.startsWith("wi-"),
    )) {
        expect(m.dependencies).toContain(cluster.urn);
    }
});
