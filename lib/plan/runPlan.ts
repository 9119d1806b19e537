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

/**
 * Runs the real program under Pulumi's mocks, with the stack's config, and returns every resource it would
 * register. One plan per process: the Pulumi runtime is global state.
 */
export async function runPlan(options: PlanOptions): Promise<Plan> {
    const projectDir = path.resolve(options.projectDir);
    const project = readProjectFile(projectDir);
    const { config, secretKeys } = readStackConfig(
        options.stackFile ? path.resolve(options.stackFile) : stackFilePath(projectDir, options.stack),
        project,
    );

    // setMocks switches the runtime into mock mode; the recording monitor then replaces its monitor.
    await pulumi.runtime.setMocks(
        { newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs },
        project.name,
        options.stack,
        false,
    );
    const monitor = new RecordingMonitor(project.name, options.stack);
    pulumi.runtime.setMockOptions(monitor, project.name, options.stack, false);
    pulumi.runtime.setAllConfig(config, secretKeys);

    const asyncFailures: unknown[] = [];
    const onRejection = (reason: unknown) => asyncFailures.push(reason);
    process.on("unhandledRejection", onRejection);
    const programPath = path.resolve(projectDir, options.program ?? "index.ts");
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        await pulumi.runtime.runInPulumiStack(async () => require(programPath));
        await pulumi.runtime.disconnect();
    } finally {
        process.off("unhandledRejection", onRejection);
    }

    if (asyncFailures.length > 0) {
        const first = asyncFailures[0];
        throw first instanceof Error ? first : new PlanError(String(first));
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
        stack: options.stack,
        project: project.name,
        resources,
        outputs: (root && monitor.outputs.get(root.urn)) ?? {},
    };
}
