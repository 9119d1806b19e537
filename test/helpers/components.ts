import type { RecordedResource } from "../../lib/plan/monitor";
import { Plan, runProgram } from "../../lib/plan/runPlan";

/** Runs a few component declarations under the plan's mocks and returns what they registered. */
export function runComponents(program: () => Record<string, unknown>): Promise<Plan> {
    return runProgram({ project: "flyte", stack: "test", config: {}, program });
}

export function childrenOf(plan: Plan, parent: RecordedResource): RecordedResource[] {
    return plan.resources.filter((r) => r.parent === parent.urn);
}

export function component(plan: Plan, type: string): RecordedResource {
    const found = plan.resources.filter((r) => r.type === type);
    if (found.length !== 1) {
        throw new Error(`expected one component ${type}, found ${found.length}`);
    }
    return found[0];
}

export { at } from "./helm";
