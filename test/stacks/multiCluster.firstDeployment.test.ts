/**
 * The first `pulumi up` of a multi-cluster deployment (README "Order of the first deployment"): the control plane
 * gke-control before any of its data planes has outputs. It plans (in this process, its stack references reading
 * stacks that were never deployed), warns once per data plane, and declares what it can without them; what it then
 * publishes for the data planes is what it publishes once they are registered (gke-control's shared plan), so the
 * data planes deployed in between need no second `pulumi up`. What every cloud's first deployment must do:
 * firstControlPlaneSuite (test/helpers/multiClusterFirstDeployment.ts); here, GKE's own.
 */
import type { Plan } from "../../lib/plan/runPlan";
import { stringAt } from "../helpers/json";
import { beforeAllFirstControlPlane, firstControlPlaneSuite, releaseValuesOf } from "../helpers/multiClusterFirstDeployment";
import { beforeAllPlans } from "../helpers/sharedPlans";
import { readStackSettings } from "../helpers/stackSettings";

const STACK = "gke-control";
const DATA_PLANES = readStackSettings(STACK)
    .strings("dataPlanes")
    .map((entry) => {
        const [name, stack] = entry.split("=");
        return { name, stack };
    });
const registered = beforeAllPlans([STACK]);
const { first, warnings } = beforeAllFirstControlPlane(STACK);

firstControlPlaneSuite({ dataPlanes: DATA_PLANES, first, warnings, registered: () => registered(STACK) });

test("registering the data planes restarts flyteadmin and the cluster resource sync: their secrets checksum changes", () => {
    const checksums = (plan: Plan) =>
        ["flyteadmin", "cluster_resource_manager"].map((c) => stringAt(releaseValuesOf(plan), c, "podAnnotations", "checksum/pulumi-secrets"));
    const [adminFirst, syncFirst] = checksums(first());
    const [adminRegistered, syncRegistered] = checksums(registered(STACK));
    expect(syncFirst).toBe(adminFirst);
    expect(syncRegistered).toBe(adminRegistered);
    expect(adminRegistered).not.toBe(adminFirst);
});
