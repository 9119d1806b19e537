import * as fs from "fs";
import * as path from "path";
import { type ReferencedStack, withReferenceOutputs } from "../../lib/plan/references";
import type { Plan } from "../../lib/plan/runPlan";
import { runTypeScript } from "../../lib/plan/typescriptProcess";
import { RUN_DIR_ENV } from "../setup/globalSetup";

/**
 * The plans of the shipped stacks (`Pulumi.<stack>.yaml` as it is), made once per test run and shared by every
 * test file that reads them. The first file to ask for one starts a process that plans them all, the asked-for
 * stack first (test/setup/planStacks.ts: the Pulumi runtime is global, and a jest worker runs many files); every
 * file then waits for the plan it needs to be written. Plans live in the run's scratch folder that jest's
 * globalSetup makes. Each stack is planned as `npm run plan` plans it, with the references it resolves (a control
 * plane with its data planes registered); a plan read here has its referenceOutputs, kept in a file of their own
 * (`<stack>.references.json`) so that the plan's JSON holds no secret.
 */

const PROJECT_DIR = path.resolve(__dirname, "..", "..");
const POLL_MS = 50;
const TIMEOUT_MS = 180000;

const loaded = new Map<string, Promise<Plan>>();

function runDir(): string {
    const dir = process.env[RUN_DIR_ENV];
    if (!dir) {
        throw new Error(`${RUN_DIR_ENV} is not set: run the tests with jest (npm test), whose globalSetup makes it`);
    }
    return dir;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The stacks that have a file in the project (`Pulumi.<stack>.yaml`). */
export function shippedStacks(): string[] {
    return fs
        .readdirSync(PROJECT_DIR)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

async function planAll(dir: string, first: string): Promise<void> {
    const stacks = [first, ...shippedStacks().filter((s) => s !== first)];
    const result = await runTypeScript(PROJECT_DIR, "test/setup/planStacks.ts", [dir, ...stacks]);
    // A process that died before writing a stack's plan or error would leave its waiters waiting. (Once the run is
    // over, its folder is gone and nobody waits.)
    for (const stack of stacks) {
        if (fs.existsSync(dir) && !fs.existsSync(path.join(dir, `${stack}.json`)) && !fs.existsSync(path.join(dir, `${stack}.error`))) {
            fs.writeFileSync(path.join(dir, `${stack}.error`), result.stderr.trim() || `the planning process exited with ${result.status}`);
        }
    }
}

async function planOnce(stack: string): Promise<Plan> {
    if (!shippedStacks().includes(stack)) {
        throw new Error(`${stack} is not a shipped stack (no Pulumi.${stack}.yaml)`);
    }
    const dir = path.join(runDir(), "plans");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${stack}.json`);
    const failure = path.join(dir, `${stack}.error`);
    let owner = false;
    try {
        fs.mkdirSync(path.join(dir, "planning.lock"));
        owner = true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
            throw err;
        }
    }
    // Not awaited: this file's stack is planned first, and its waiters need not wait for the others.
    const planning = owner ? planAll(dir, stack) : Promise.resolve();
    const deadline = Date.now() + TIMEOUT_MS;
    while (!fs.existsSync(file)) {
        if (fs.existsSync(failure)) {
            throw new Error(`planning stack ${stack} failed: ${fs.readFileSync(failure, "utf8")}`);
        }
        if (Date.now() > deadline) {
            throw new Error(`no plan of stack ${stack} after ${TIMEOUT_MS / 1000} s (${dir})`);
        }
        await sleep(POLL_MS);
    }
    void planning.catch(() => undefined);
    const plan = JSON.parse(fs.readFileSync(file, "utf8")) as Plan;
    const references = JSON.parse(fs.readFileSync(path.join(dir, `${stack}.references.json`), "utf8")) as ReferencedStack;
    return withReferenceOutputs(plan, references);
}

/** The plan of a shipped stack, shared across the run. Callers must not modify it. */
export function sharedPlan(stack: string): Promise<Plan> {
    let plan = loaded.get(stack);
    if (plan === undefined) {
        plan = planOnce(stack);
        loaded.set(stack, plan);
    }
    return plan;
}

/**
 * Loads the shared plans of `stacks` before the tests of the calling file (a `beforeAll` there), with what `prepare`
 * computes from each once (by default the plan itself), and returns the reader of those results by stack.
 */
export function beforeAllPlans<S extends string, T = Plan>(stacks: readonly S[], prepare?: (plan: Plan, stack: S) => T): (stack: S) => T {
    const prepared = new Map<S, T>();
    beforeAll(async () => {
        for (const [stack, plan] of await Promise.all(stacks.map(async (s) => [s, await sharedPlan(s)] as const))) {
            prepared.set(stack, prepare ? prepare(plan, stack) : (plan as T));
        }
    }, 300000);
    return (stack) => {
        if (!prepared.has(stack)) {
            throw new Error(`${stack} was not planned`);
        }
        return prepared.get(stack) as T;
    };
}
