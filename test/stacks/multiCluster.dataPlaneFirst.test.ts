/**
 * A data plane deployed before its control plane (README "Order of the first deployment"): gke-gpu planned (in this
 * process) while gke-control has no outputs ends before anything is declared, with one line saying what to do.
 */
import { planStack } from "../helpers/plan";

test("gke-gpu without gke-control's outputs fails with one line naming the control plane and the order of deployment", async () => {
    const failure = await planStack("gke-gpu", undefined, { references: {} }).then(
        () => undefined,
        (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(
        "flyte:controlPlaneStack gke-control has no output controlPlane yet: run pulumi up on the control plane first (README: the order of first deployment)",
    );
});
