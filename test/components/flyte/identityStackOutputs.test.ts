import * as pulumi from "@pulumi/pulumi";
import { flyteWorkloads, FlyteWorkloads } from "../../../components/contract/identities";
import { backendIdentityKey, identityStackOutputs, kubernetesIdentities } from "../../../components/flyte/identityStackOutputs";
import type { Plan } from "../../../lib/plan/runPlan";
import { runComponents } from "../../helpers/components";
import { localStackConfig, twoProjectFlyteConfig } from "../../helpers/config";

/** The stack outputs that name Flyte's identities (components/flyte/identityStackOutputs.ts), with and without isolation. */

describe("identity outputs", () => {
    test("backendIdentityKey: flyteadmin for core, the backend for binary", () => {
        expect(backendIdentityKey("core")).toBe("flyteadmin");
        expect(backendIdentityKey("binary")).toBe("backend");
    });

    test("kubernetesIdentities: each identity as its service accounts, namespace/name, comma-separated", () => {
        expect(kubernetesIdentities(flyteWorkloads(twoProjectFlyteConfig("binary", true)))).toEqual({
            backend: "team-flyte/flyte-binary",
            "worker-x": "team-x-d-dev/default,team-x-t-dev/default,team-x-p-dev/default",
            "worker-y": "team-y-d-dev/default,team-y-t-dev/default,team-y-p-dev/default",
        });
    });

    let plan: Plan;
    const isolatedCore = flyteWorkloads(twoProjectFlyteConfig("core", true));
    const sharedBinary = flyteWorkloads(twoProjectFlyteConfig("binary", false));
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
