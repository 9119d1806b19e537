/**
 * `npm run plan` for stacks that reference others: the shipped control plane and data planes, planned as a user
 * plans them (a process of its own, references resolved from the project's stack files) and as the shared test plans
 * are; and when a referenced stack fails to plan, one line naming that stack and who referenced it, exit 1, as for the
 * stack's own bad config.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ReferencedStackError, referencedStack, stackRoleOf } from "../../../lib/plan/references";
import { type PlanDocument, planDocument } from "../../../lib/plan/render";
import { readProjectFile, readStackConfig } from "../../../lib/plan/stackFile";
import { PROJECT_DIR, runPlanCommand, runPlanProcess } from "../../helpers/plan";
import { sharedPlan, shippedStacks } from "../../helpers/sharedPlans";

const VALID = ["config:", "  gcp:project: acme-cli", "  gcp:region: us-central1", "  flyte:cloud: gcp", ""].join("\n");

test("a referenced stack that fails to plan ends the plan with its one line", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-plan-"));
    const file = path.join(dir, "Pulumi.scratch.yaml");
    fs.writeFileSync(file, VALID);
    const message = "the stack gke-control (Pulumi.gke-control.yaml), the control plane of scratch, failed to plan: invalid config";
    const result = await runPlanCommand(["--stack", "scratch", "--stack-file", file], () => Promise.reject(new ReferencedStackError(message)));
    expect(result).toEqual({ status: 1, stdout: "", stderr: `error: ${message}\n` });
});

/** The shipped stacks that play a part across clusters (control plane, data plane), with what they reference. */
function shippedRoleStacks(): { stack: string; references: string[] }[] {
    const project = readProjectFile(PROJECT_DIR);
    return shippedStacks().flatMap((stack) => {
        const role = stackRoleOf(readStackConfig(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), project).config, project.name);
        const references = role.role === "controlPlane" ? role.dataPlanes.map((d) => d.stack) : role.controlPlaneStack ? [role.controlPlaneStack] : [];
        return role.role === "standalone" ? [] : [{ stack, references }];
    });
}

describe("the shipped control plane and data planes, as a user plans them", () => {
    const stacks = shippedRoleStacks();

    test("there are some", () => {
        expect(stacks.length).toBeGreaterThanOrEqual(2);
    });

    test.each(stacks)("$stack: `npm run plan` reads the stacks it references, as the shared plan does, and prints none of their secrets", async ({ stack, references }) => {
        const [result, shared] = await Promise.all([runPlanProcess(["--stack", stack, "--json"]), sharedPlan(stack)]);
        expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
        expect(result.stdout).toBe(`${JSON.stringify(planDocument(shared), null, 2)}\n`);
        const doc = JSON.parse(result.stdout) as PlanDocument;
        const reads = doc.resources.filter((r) => r.read);
        expect(reads.map((r) => r.type)).toEqual(reads.map(() => "pulumi:pulumi:StackReference"));
        expect(reads.map((r) => r.inputs.name).sort()).toEqual([...references].sort());
        expect(result.stdout).not.toMatch(/mocktoken|mockpw/);
        for (const [key, value] of Object.entries(referencedStack(shared).outputs)) {
            if (referencedStack(shared).secretOutputNames.includes(key)) {
                // As the JSON document would hold it: a string escaped, without its quotes.
                expect(result.stdout).not.toContain(typeof value === "string" ? JSON.stringify(value).slice(1, -1) : JSON.stringify(value));
            }
        }
    });
});
