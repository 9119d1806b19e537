import * as path from "path";
import { planDocument, renderTree } from "./render";
import { CommandError, CommandIo, parseStackCommandArgs, writeResult } from "./command";
import { ReferencedStackError } from "./references";
import type { Plan, PlanOptions } from "./runPlan";
import { readProjectFile, readStackConfig, secretNotes, StackFileError, stackFilePath, stackNameError } from "./stackFile";

export interface PlanCommandOptions {
    /** Directory holding Pulumi.yaml, the stack files and the program. */
    readonly projectDir: string;
    /**
     * Validates the stack's config (full keys to strings, as the program reads it) before anything is planned,
     * throwing an error whose message is one line; the program validates again when it runs.
     */
    readonly validateConfig?: (
        config: Readonly<Record<string, string>>,
        context: { pulumiProject: string; stack: string; secretKeys: readonly string[] },
    ) => void;
    /** Errors whose message is already one line for the user (config errors); others are reported as a failed plan. */
    readonly isUserError?: (err: unknown) => boolean;
    /**
     * Plans a stack: planWithReferences (the stacks it references first, then the program, one after another in
     * this process).
     */
    readonly plan: (options: PlanOptions) => Promise<Plan>;
}

export const PLAN_USAGE = "usage: npm run plan -- --stack <name> [--stack-file <path>] [--json] [--out <file>]";

/**
 * `npm run plan`: plans a stack under mocks and prints every resource `pulumi up` would register, as a tree or
 * (--json) as a PlanDocument. Exit codes: 0 planned, 1 invalid config or failed plan, 2 bad usage.
 */
export async function planCommand(argv: readonly string[], io: CommandIo, options: PlanCommandOptions): Promise<number> {
    const args = parseStackCommandArgs(argv, PLAN_USAGE, io);
    if (typeof args === "number") {
        return args;
    }
    if (!args.stack) {
        io.stderr(`--stack is required\n${PLAN_USAGE}\n`);
        return 2;
    }
    const stack = args.stack;
    const nameProblem = stackNameError(stack);
    if (nameProblem !== undefined) {
        io.stderr(`error: ${nameProblem}\n`);
        return 2;
    }
    try {
        const projectDir = path.resolve(options.projectDir);
        const stackFile = args.stackFile ? path.resolve(args.stackFile) : undefined;
        const project = readProjectFile(projectDir);
        const stackConfig = readStackConfig(stackFile ?? stackFilePath(projectDir, stack), project);
        options.validateConfig?.(stackConfig.config, { pulumiProject: project.name, stack, secretKeys: stackConfig.secretKeys });
        for (const note of secretNotes(stackConfig)) {
            io.stderr(`${note}\n`);
        }
        const plan = await options.plan({ projectDir, stack, stackFile });
        const text = args.json ? `${JSON.stringify(planDocument(plan), null, 2)}\n` : renderTree(plan);
        writeResult(text, args.out, io);
        return 0;
    } catch (err) {
        if (err instanceof StackFileError || err instanceof CommandError || err instanceof ReferencedStackError || options.isUserError?.(err)) {
            io.stderr(`error: ${(err as Error).message}\n`);
        } else {
            io.stderr(`error: plan failed: ${err instanceof Error ? err.message : String(err)}\n`);
        }
        return 1;
    }
}
