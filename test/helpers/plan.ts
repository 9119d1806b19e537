import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import type { CommandIo } from "../../lib/plan/command";
import { type MockResult, mockResource } from "../../lib/plan/mocks";
import type { RecordedResource } from "../../lib/plan/monitor";
import { type References, stackRoleOf } from "../../lib/plan/references";
import type { Plan, PlanOptions } from "../../lib/plan/runPlan";
import { readProjectFile, readStackConfig } from "../../lib/plan/stackFile";
import { ProcessResult, runTypeScript } from "../../lib/plan/typescriptProcess";
import { sharedPlan } from "./sharedPlans";

// The Pulumi SDK (about a second per test file under jest) is loaded only by the helpers that run the program,
// so that test files reading the shared plans do without it.
type RunPlanModule = typeof import("../../lib/plan/runPlan");
type PlanCliModule = typeof import("../../lib/plan/cli");
type PlanScriptModule = typeof import("../../scripts/plan");

export const PROJECT_DIR = path.resolve(__dirname, "../..");

export interface PlanStackOptions {
    /**
     * What the program's StackReferences read, by the name it passes (a name not here reads as a stack with no
     * outputs). Given, nothing is resolved; else the references are resolved as `npm run plan` resolves them.
     */
    readonly references?: References;
}

/**
 * The references `npm run plan` resolves for a stack file (lib/plan/references.ts): none for a standalone stack;
 * else the referenced stacks are planned in a process of their own (test/setup/planStacks.ts), as this process can
 * run the program only once.
 */
export async function resolvedReferences(stack: string, stackFile: string): Promise<References> {
    const project = readProjectFile(PROJECT_DIR);
    if (stackRoleOf(readStackConfig(stackFile, project).config, project.name).role === "standalone") {
        return {};
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flyte-references-"));
    try {
        const out = path.join(dir, "references.json");
        const result = await runTypeScript(PROJECT_DIR, "test/setup/planStacks.ts", ["--references", out, "--stack-file", path.resolve(stackFile), stack]);
        if (result.status !== 0) {
            throw new Error(`resolving the references of ${stack} failed: ${result.stderr.trim() || `exit ${result.status}`}`);
        }
        return JSON.parse(fs.readFileSync(out, "utf8")) as References;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Plans a stack with the same mechanism as `npm run plan`. A shipped stack (no `stackFile`, no `references`) comes
 * from the plans shared across the run; another file, or a shipped stack with references given, is planned in this
 * process, and since the Pulumi runtime is global, a test file plans at most one such stack (jest gives each file
 * its own module registry).
 */
export async function planStack(stack: string, stackFile?: string, options: PlanStackOptions = {}): Promise<Plan> {
    if (stackFile === undefined && options.references === undefined) {
        return sharedPlan(stack);
    }
    const file = stackFile ?? path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    const references = options.references ?? (await resolvedReferences(stack, file));
    const { runPlan } = require("../../lib/plan/runPlan") as RunPlanModule;
    return runPlan({ projectDir: PROJECT_DIR, stack, stackFile: file, references });
}

/** What planStackAfresh plans a shipped stack with. */
export interface FreshPlanOptions {
    /** What the program's StackReferences read, by the name it passes; none given: every stack it reads has no outputs. */
    readonly references?: References;
    /** Config set over the stack file's: full keys (`flyte:awsVpcCidr`) to values as the CLI passes them (strings). */
    readonly config?: Readonly<Record<string, string>>;
}

/**
 * Plans a shipped stack in this process with the given references and config, the program (index.ts and what it
 * imports) loaded afresh in a module registry of its own (jest.isolateModules), so that a test file may plan any number
 * of variants one after another, where planStack plans at most one. For what only two stacks together tell, such as a
 * data plane against an edited control plane output. Modules the program requires later, from its async code (a
 * cloud's components), come from the file's registry: they hold no state of their own (the Pulumi runtime's is
 * global). Runs must not overlap.
 */
export async function planStackAfresh(stack: string, options: FreshPlanOptions = {}): Promise<Plan> {
    const { runProgram } = require("../../lib/plan/runPlan") as RunPlanModule;
    const project = readProjectFile(PROJECT_DIR);
    const { config, secretKeys } = readStackConfig(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), project);
    const program = path.join(PROJECT_DIR, "index.ts");
    // Each fresh copy of the Pulumi SDK adds a process "exit" listener (its leak detector,
    // @pulumi/pulumi/runtime/debuggable.js), which would pass Node's warning limit after a few runs.
    const maxListeners = process.getMaxListeners();
    process.setMaxListeners(0);
    try {
        return await runProgram({
            project: project.name,
            stack,
            config: { ...config, ...options.config },
            secretKeys,
            references: options.references ?? {},
            program: () => {
                let exports: unknown;
                jest.isolateModules(() => {
                    exports = require(program);
                });
                return exports;
            },
        });
    } finally {
        process.setMaxListeners(maxListeners);
    }
}

export type CliResult = ProcessResult;

/** What a command printed, collected. */
export function collectingIo(): CommandIo & { readonly out: () => string; readonly err: () => string } {
    let stdout = "";
    let stderr = "";
    return {
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        out: () => stdout,
        err: () => stderr,
    };
}

/**
 * `npm run plan -- <args>` in this process, as scripts/plan.ts runs it (config validated first). Shipped stacks
 * are read from the shared plans; any other stack file is planned here, at most one per test file (or pass `plan`).
 */
export async function runPlanCommand(
    args: string[],
    plan: (options: PlanOptions) => Promise<Plan> = (options) => planStack(options.stack, options.stackFile, { references: options.references }),
): Promise<CliResult> {
    const io = collectingIo();
    const { planCommand } = require("../../lib/plan/cli") as PlanCliModule;
    const { PLAN_COMMAND } = require("../../scripts/plan") as PlanScriptModule;
    const status = await planCommand(args, io, { ...PLAN_COMMAND, plan });
    return { status, stdout: io.out(), stderr: io.err() };
}

/** `npm run plan -- <args>` as a user runs it: a process of its own (slow: for the end-to-end tests). */
export function runPlanProcess(args: string[]): Promise<CliResult> {
    return runTypeScript(PROJECT_DIR, "scripts/plan.ts", args);
}

/** A shipped stack's config as its file `Pulumi.<stack>.yaml` says, read without the program. */
export function stackFileConfig(stack: string): Record<string, unknown> {
    const doc: unknown = parse(fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8"));
    if (typeof doc !== "object" || doc === null || !("config" in doc) || typeof doc.config !== "object" || doc.config === null) {
        throw new Error(`Pulumi.${stack}.yaml has no config`);
    }
    return doc.config as Record<string, unknown>;
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

/** A stack output that must be a string (a secret reads "[secret]"). */
export function stringOutput(plan: Plan, key: string): string {
    const value = plan.outputs[key];
    if (typeof value !== "string") {
        throw new Error(`stack output ${key} is ${JSON.stringify(value)}, expected a string`);
    }
    return value;
}

/** Resources of a type whose parent is a component of the given type. */
export function under(plan: Plan, type: string, componentType: string): RecordedResource[] {
    return ofType(plan, type).filter((r) => r.parent !== "" && byUrn(plan, r.parent).type === componentType);
}

/** The one resource of a type under a component of the given type. */
export function onlyUnder(plan: Plan, type: string, componentType: string): RecordedResource {
    const found = under(plan, type, componentType);
    if (found.length !== 1) {
        throw new Error(`expected one ${type} under ${componentType}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    }
    return found[0];
}

/** A stack output that is a map (identities by key, workers and data locations by project), its values as strings. */
export function mapOutput(plan: Plan, key: string): Record<string, string> {
    const value = plan.outputs[key];
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new Error(`output ${key} is not a map: ${JSON.stringify(value)}`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
