/**
 * npm run plan -- --stack <name> [--stack-file <path>] [--json] [--out <file>]
 *
 * Runs the real program under Pulumi's mocks (no credentials, no Pulumi CLI) and prints every resource
 * `pulumi up` would register. The stack's config is validated first, as the program does before it declares
 * anything. What its StackReferences read comes from the project's other stack files, planned first as their first
 * deployment would go (lib/plan/references.ts). Exit codes: 0 planned, 1 invalid config or failed plan, 2 bad usage.
 */
import * as path from "path";
import { ConfigError, parseStackConfig } from "../components/config";
import { PlanCommandOptions, planCommand } from "../lib/plan/cli";
import { runAsScript } from "../lib/plan/command";
import { planWithReferences } from "../lib/plan/runPlan";

/** The plan command as `npm run plan` runs it, for this project's program (tests run it in-process). */
export const PLAN_COMMAND: PlanCommandOptions = {
    projectDir: path.resolve(__dirname, ".."),
    validateConfig: (config, context) => {
        parseStackConfig(config, context);
    },
    isUserError: (err) => err instanceof ConfigError,
    plan: (options) => planWithReferences(options),
};

if (require.main === module) {
    runAsScript((io) => planCommand(process.argv.slice(2), io, PLAN_COMMAND));
}
