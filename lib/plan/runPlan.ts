import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, RecordingMonitor, StackReferenceAnswers } from "./monitor";
import {
    NO_OUTPUTS,
    type ReferencedStack,
    referencedStack,
    type References,
    resolveReferences,
    shippedStackSource,
    type StackSource,
    stackRoleOf,
    withReferenceOutputs,
} from "./references";
import { readProjectFile, readStackConfig, stackFilePath } from "./stackFile";
import type { Json } from "./wire";

export interface PlanOptions {
    /** Directory holding Pulumi.yaml and the stack files. */
    readonly projectDir: string;
    readonly stack: string;
    /** A file in `Pulumi.<stack>.yaml` format; defaults to the stack's own file. */
    readonly stackFile?: string;
    /** The program to run, relative to projectDir; defaults to index.ts. */
    readonly program?: string;
    /**
     * What the program's StackReferences read, by the name it passes to `new pulumi.StackReference(name)`; a name
     * not here reads as a stack with no outputs (initialised, never deployed). runPlan reads none but these;
     * planWithReferences resolves them when they are not given.
     */
    readonly references?: References;
}

export interface Plan {
    readonly stack: string;
    readonly project: string;
    /** Every resource the program registers (and every stack it reads: `read`), parents before children, siblings by URN. */
    readonly resources: RecordedResource[];
    /** Stack outputs, secrets as "[secret]". */
    readonly outputs: { [key: string]: Json };
    /**
     * The outputs as a StackReference to this stack would read them, secrets in the clear, so that the plan can
     * stand for a referenced stack in another plan (see referencedStack). Never printed nor written by `npm run plan`:
     * a non-enumerable property, so JSON.stringify, spreads and copies of a plan leave it out. Set by runProgram.
     */
    readonly referenceOutputs?: ReferencedStack;
}

/** The plan failed the way `pulumi preview` would (not a config error: those are ConfigErrors). */
export class PlanError extends Error {}

/** Parents before children, siblings sorted by URN: the same plan prints the same way every time. */
function treeOrder(resources: Iterable<RecordedResource>): RecordedResource[] {
    const all = [...resources];
    const urns = new Set(all.map((r) => r.urn));
    const children = new Map<string, RecordedResource[]>();
    for (const r of all) {
        const key = urns.has(r.parent) ? r.parent : "";
        children.set(key, [...(children.get(key) ?? []), r]);
    }
    const ordered: RecordedResource[] = [];
    const visit = (parent: string) => {
        for (const child of (children.get(parent) ?? []).sort((a, b) => a.urn.localeCompare(b.urn))) {
            ordered.push(child);
            visit(child.urn);
        }
    };
    visit("");
    return ordered;
}

export interface ProgramRun {
    readonly project: string;
    readonly stack: string;
    /** Full keys to string values, as the CLI passes config. */
    readonly config: Readonly<Record<string, string>>;
    readonly secretKeys?: readonly string[];
    /** The program: declares resources and returns the stack outputs. */
    readonly program: () => unknown;
    /** Records the run; pass one to inspect what was registered even when the program fails. */
    readonly monitor?: RecordingMonitor;
    /** What StackReferences read, when no monitor is given (see PlanOptions.references); none by default. */
    readonly references?: References;
}

/** A StackReference answer from references: a name not among them reads as a stack with no outputs. */
function answersFrom(references: References): StackReferenceAnswers {
    return (name) => (Object.prototype.hasOwnProperty.call(references, name) ? references[name] : NO_OUTPUTS);
}

/**
 * The modules loaded before this process first ran a program: everything loaded since is the program's (its
 * files, the project's modules it imports), dropped from Node's cache before the next run so that the program runs
 * afresh. Modules under node_modules (the SDKs) stay loaded, as do those loaded before (the plan's own, the config
 * a command validates with): the same as in a process that runs one plan.
 */
let loadedBeforePrograms: ReadonlySet<string> | undefined;

function forgetProgramModules(): void {
    // Under jest, require.cache is not the module registry (jest isolates modules itself): nothing to drop.
    const cache = require.cache as NodeJS.Dict<NodeJS.Module> | undefined;
    if (cache === undefined) {
        return;
    }
    if (loadedBeforePrograms === undefined) {
        loadedBeforePrograms = new Set(Object.keys(cache));
        return;
    }
    for (const file of Object.keys(cache)) {
        if (!loadedBeforePrograms.has(file) && !file.includes(`${path.sep}node_modules${path.sep}`)) {
            delete cache[file];
        }
    }
}

/**
 * Runs a Pulumi program under mocks with a recording monitor standing in for the engine, and returns what it
 * registered. The Pulumi runtime is global state: runs must not overlap.
 */
export async function runProgram(run: ProgramRun): Promise<Plan> {
    // setMocks switches the runtime into mock mode; the recording monitor then replaces its monitor.
    await pulumi.runtime.setMocks(
        { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
        run.project,
        run.stack,
        false,
    );
    const monitor = run.monitor ?? new RecordingMonitor(run.project, run.stack, answersFrom(run.references ?? {}));
    pulumi.runtime.setMockOptions(monitor, run.project, run.stack, false);
    pulumi.runtime.setAllConfig({ ...run.config }, [...(run.secretKeys ?? [])]);

    // A resource that fails to register (an input whose apply throws, say) is reported by the SDK as an unhandled
    // rejection, which the CLI's language host turns into a failed run; resources waiting on it never register.
    // The first such failure ends the plan.
    let failed: (reason: unknown) => void = () => undefined;
    const firstAsyncFailure = new Promise<never>((_, reject) => {
        failed = reject;
    });
    const onRejection = (reason: unknown) => failed(reason);
    process.on("unhandledRejection", onRejection);
    let failure: { error: unknown } | undefined;
    const run_ = async () => {
        // The program's own failure is caught inside the stack, so the root stack's promises do not reject
        // unobserved; it is rethrown once the runtime has settled.
        await pulumi.runtime.runInPulumiStack(async () => {
            try {
                return await run.program();
            } catch (error) {
                failure = { error };
                return {};
            }
        });
        await pulumi.runtime.disconnect();
        // Node emits unhandled rejections after the current tick: keep listening until then.
        await new Promise((resolve) => setImmediate(resolve));
    };
    try {
        await Promise.race([run_(), firstAsyncFailure]);
    } catch (error) {
        failure = failure ?? { error: error instanceof Error ? error : new PlanError(String(error)) };
    } finally {
        process.off("unhandledRejection", onRejection);
    }
    if (failure) {
        throw failure.error;
    }
    if (pulumi.log.hasErrors()) {
        throw new PlanError("the program logged errors (see above)");
    }
    if (monitor.duplicateUrns.length > 0) {
        throw new PlanError(
            `duplicate resource URN${monitor.duplicateUrns.length > 1 ? "s" : ""}: ${[...new Set(monitor.duplicateUrns)].join(", ")}`,
        );
    }

    const resources = treeOrder(monitor.resources.values());
    const root = resources.find((r) => r.type === pulumi.runtime.rootPulumiStackTypeName);
    const plan: Plan = {
        stack: run.stack,
        project: run.project,
        resources,
        outputs: (root && monitor.outputs.get(root.urn)) ?? {},
    };
    return withReferenceOutputs(plan, root ? monitor.referencedStack(root.urn) : NO_OUTPUTS);
}

/**
 * Plans a stack: its config read as the Pulumi CLI would, the real program (index.ts) run under mocks, its
 * StackReferences reading `options.references` (none resolved: see planWithReferences). Plans in one process run one
 * after another, never at once; the program's modules are loaded afresh for each (see forgetProgramModules).
 */
export async function runPlan(options: PlanOptions): Promise<Plan> {
    const projectDir = path.resolve(options.projectDir);
    const project = readProjectFile(projectDir);
    const { config, secretKeys } = readStackConfig(
        options.stackFile ? path.resolve(options.stackFile) : stackFilePath(projectDir, options.stack),
        project,
    );
    const programPath = path.resolve(projectDir, options.program ?? "index.ts");
    forgetProgramModules();
    return runProgram({
        project: project.name,
        stack: options.stack,
        config,
        secretKeys,
        references: options.references ?? {},
        // Loaded synchronously once the mocks are in place, as the Pulumi engine loads a program.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        program: () => require(programPath),
    });
}

/** Plans a stack (its name and file) with references: runPlan, or a planner that answers from plans made before. */
export type StackPlanner = (source: StackSource, references: References) => Promise<Plan>;

/** The stack a plan's options name: its name and its stack file. */
export function stackSourceOf(options: PlanOptions): StackSource {
    const projectDir = path.resolve(options.projectDir);
    return {
        stack: options.stack,
        stackFile: options.stackFile ? path.resolve(options.stackFile) : stackFilePath(projectDir, options.stack),
    };
}

const CONSOLE_METHODS = ["log", "info", "warn", "error", "debug"] as const;

/**
 * Runs `work` with what it prints through the console (the Pulumi SDK's log without an engine: the program's
 * warnings) held back, and printed to stderr only if it fails, before its error is reported.
 */
async function quietly<T>(work: () => Promise<T>): Promise<T> {
    const held: string[] = [];
    // The global console, whose methods the SDK calls: replaced for the while, restored after.
    const sink = globalThis.console;
    const saved = CONSOLE_METHODS.map((method) => [method, sink[method]] as const);
    for (const method of CONSOLE_METHODS) {
        sink[method] = (...args: unknown[]) => {
            held.push(args.map((a) => (typeof a === "string" ? a : String(a))).join(" "));
        };
    }
    try {
        return await work();
    } catch (err) {
        for (const line of held) {
            process.stderr.write(`${line}\n`);
        }
        throw err;
    } finally {
        for (const [method, original] of saved) {
            sink[method] = original;
        }
    }
}

/**
 * The references of a stack as `npm run plan` resolves them (resolveReferences: the first deployment simulated,
 * referenced stacks from the project's stack files), each referenced stack planned by `plan` (by default runPlan in
 * this process, one after another). A standalone stack has none, and plans nothing else. What the referenced
 * stacks' programs print (a control plane's warning that its data planes have no outputs yet, in the deployment
 * simulated) is shown only when one fails.
 */
export function planReferences(options: PlanOptions, plan?: StackPlanner): Promise<References> {
    const projectDir = path.resolve(options.projectDir);
    const project = readProjectFile(projectDir);
    const planStack: StackPlanner =
        plan ?? ((source, references) => runPlan({ projectDir, stack: source.stack, stackFile: source.stackFile, program: options.program, references }));
    return resolveReferences(stackSourceOf(options), {
        roleOf: (source) => stackRoleOf(readStackConfig(source.stackFile, project).config, project.name),
        sourceOf: (name) => shippedStackSource(projectDir, name),
        plan: async (source, references) => referencedStack(await quietly(() => planStack(source, references))),
    });
}

/**
 * Plans a stack as `npm run plan` does: with `options.references` when given, else with the references
 * planReferences resolves (the referenced stacks planned first, by `plan`, default runPlan here). A standalone stack
 * plans exactly as runPlan plans it.
 */
export async function planWithReferences(options: PlanOptions, plan?: StackPlanner): Promise<Plan> {
    const references = options.references ?? (await planReferences(options, plan));
    return plan ? plan(stackSourceOf(options), references) : runPlan({ ...options, references });
}
