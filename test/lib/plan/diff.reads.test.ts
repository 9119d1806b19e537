/**
 * Reads in `npm run plan:diff`: a StackReference is compared by the stack it names, marked `(read)` because it
 * creates nothing; what it reads is not part of a plan document, so a referenced stack's outputs changing shows only
 * through what this stack makes of them.
 */
import { diffPlans, renderDiff } from "../../../lib/plan/diff";
import { doc, res } from "../../helpers/planDocFixtures";

const REF = "pulumi:pulumi:StackReference";
const SECRET = "kubernetes:core/v1:Secret";
const LABEL = { base: "main (0123456789ab)", head: "working tree" };

const gpu = res(REF, "gke-gpu", { name: "gke-gpu" }, { read: true });
const credentials = res(SECRET, "cluster-credentials", { metadata: { name: "cluster-credentials" }, stringData: "[secret]" });

test("an unchanged read is unchanged", () => {
    expect(diffPlans(doc([gpu, credentials]), doc([gpu, credentials])).summary).toEqual({ add: 0, remove: 0, update: 0, replace: 0, same: 2 });
});

test("a read added or removed (a data plane registered or dropped) is shown as such, marked as a read", () => {
    const batch = res(REF, "gke-batch", { name: "gke-batch" }, { read: true });
    const diff = diffPlans(doc([gpu, credentials]), doc([batch, credentials]));
    expect(diff.resources).toEqual([
        { urn: batch.urn, type: REF, name: "gke-batch", kind: "add", changes: [], replaceReasons: [], read: true },
        { urn: gpu.urn, type: REF, name: "gke-gpu", kind: "remove", changes: [], replaceReasons: [], read: true },
    ]);
    const text = renderDiff(diff, LABEL);
    expect(text).toContain(`+  ${REF}  gke-batch  (read)\n`);
    expect(text).toContain(`-  ${REF}  gke-gpu  (read)\n`);
    expect(text).toContain("1 to add, 1 to remove, 0 to update, 0 to replace, 1 unchanged.");
});

test("a read of another stack under the same resource name is read again: a replacement, as the engine's read-replacement", () => {
    const moved = res(REF, "gke-gpu", { name: "acme/flyte/gke-gpu" }, { read: true });
    const diff = diffPlans(doc([gpu]), doc([moved]));
    expect(diff.resources).toEqual([
        {
            urn: gpu.urn,
            type: REF,
            name: "gke-gpu",
            kind: "replace",
            changes: [{ path: "name", before: "gke-gpu", after: "acme/flyte/gke-gpu" }],
            replaceReasons: ["name"],
            read: true,
        },
    ]);
    expect(renderDiff(diff, LABEL)).toContain(`+- ${REF}  gke-gpu  (read)  (replace: name)\n`);
});

test("a resource that is not a read carries no read mark", () => {
    const diff = diffPlans(doc([credentials]), doc([]));
    expect(diff.resources[0]).not.toHaveProperty("read");
    expect(renderDiff(diff, LABEL)).toContain(`-  ${SECRET}  cluster-credentials\n`);
});
