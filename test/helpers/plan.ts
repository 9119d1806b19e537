import { spawnSync } from "child_process";
import * as path from "path";
import { type MockResult, mockResource } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import { Plan, runPlan } from "../../lib/plan/runPlan";

export const PROJECT_DIR = path.resolve(__dirname, "../..");

/**
 * Plans a stack in this process with the same mechanism as `npm run plan`. The Pulumi runtime is global, so a
 * test file plans one stack (jest gives each file its own module registry).
 */
export function planStack(stack: string, stackFile?: string): Promise<Plan> {
    return runPlan({ projectDir: PROJECT_DIR, stack, stackFile });
}

export interface CliResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** Runs `npm run plan -- <args>` as a user would (without npm's banner). */
export function runPlanCli(args: string[]): CliResult {
    const tsx = require.resolve("tsx/cli");
    const result = spawnSync(process.execPath, [tsx, path.join(PROJECT_DIR, "scripts/plan.ts"), ...args], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        timeout: 120000,
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export function ofType(plan: Plan, type: string): RecordedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

export function byName(plan: Plan, type: string, name: string): RecordedResource {
    const found = plan.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        throw new Error(`no ${type} named ${name} in the plan of ${plan.stack}`);
    }
    return found;
}

/** The single resource of a type. */
export function only(plan: Plan, type: string): RecordedResource {
    const found = ofType(plan, type);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} in the plan of ${plan.stack}, found ${found.length}`);
    }
    return found[0];
}

/** Resource by URN. */
export function byUrn(plan: Plan, urn: string): RecordedResource {
    const found = plan.resources.find((r) => r.urn === urn);
    if (!found) {
        throw new Error(`no resource ${urn}`);
    }
    return found;
}

/** Every resource `resource` waits on, directly or through others (dependencies and parents' dependencies excluded). */
export function transitiveDependencies(plan: Plan, resource: RecordedResource): Set<string> {
    const seen = new Set<string>();
    const stack = [...resource.dependencies];
    while (stack.length > 0) {
        const urn = stack.pop() as string;
        if (seen.has(urn)) {
            continue;
        }
        seen.add(urn);
        const dep = plan.resources.find((r) => r.urn === urn);
        if (dep) {
            stack.push(...dep.dependencies);
            // Waiting on a component means waiting on its children.
            if (!dep.custom) {
                stack.push(...plan.resources.filter((r) => r.parent === dep.urn).map((r) => r.urn));
            }
        }
    }
    return seen;
}

/**
 * What the plan's mocks answered when the resource was registered (its id and output state): ids, ARNs and
 * addresses other resources and the outputs refer to, computed from the recorded inputs without the program.
 */
export function mocked(resource: RecordedResource): MockResult {
    return mockResource(resource.type, resource.name, resource.inputs);
}

/** The resource of a type the mocks gave this id; fails listing the ids there are. */
export function byMockedId(plan: Plan, type: string, id: string): RecordedResource {
    const found = ofType(plan, type).filter((r) => mocked(r).id === id);
    if (found.length !== 1) {
        throw new Error(
            `expected one ${type} with id ${id}, found ${found.length}; ids: ${ofType(plan, type).map((r) => mocked(r).id).join(", ") || "none"}`,
        );
    }
    return found[0];
}
