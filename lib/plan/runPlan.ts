import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { RecordedResource, RecordingMonitor } from "./monitor";
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
}

export interface Plan {
    readonly stack: string;
    readonly project: string;
    /** Every resource the program registers, parents before children, siblings by URN. */
    readonly resources: RecordedResource[];
    /** Stack outputs, secrets as "[secret]". */
    readonly outputs: { [key: string]: Json };
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
    const monitor = run.monitor ?? new RecordingMonitor(run.project, run.stack);
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
    return {
        stack: run.stack,
        project: run.project,
        resources,
        outputs: (root && monitor.outputs.get(root.urn)) ?? {},
    };
}

/**
 * Plans a stack: its config read as the Pulumi CLI would, the real program (index.ts) run under mocks. One plan
 * per process.
 */
export async function runPlan(options: PlanOptions): Promise<Plan> {
    const projectDir = path.resolve(options.projectDir);
    const project = readProjectFile(projectDir);
    const { config, secretKeys } = readStackConfig(
        options.stackFile ? path.resolve(options.stackFile) : stackFilePath(projectDir, options.stack),
        project,
    );
    const programPath = path.resolve(projectDir, options.program ?? "index.ts");
    return runProgram({
        project: project.name,
        stack: options.stack,
        config,
        secretKeys,
        // Loaded synchronously once the mocks are in place, as the Pulumi engine loads a program.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        program: () => require(programPath),
    });
}
