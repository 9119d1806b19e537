/**
 * npm run verify -- --stack <name>
 *
 * Runs the verification Jobs of an already deployed stack again (a fresh copy of each, in order), without a
 * `pulumi up`: for checking a change made by hand. Needs the pulumi CLI logged in to the stack's backend, kubectl,
 * and the credential plugin the stack's kubeconfig runs. See lib/verify/verifyStack.ts. Exit codes: 0 verified,
 * 1 a check failed, 2 bad usage or a setup problem, 130 interrupted.
 */
import * as path from "path";
import { runAsScript } from "../lib/plan/command";
import { processRunner, verifyCommand } from "../lib/verify/cli";

if (require.main === module) {
    // Ctrl-C stops the run at its next step, which deletes the running copy and the kubeconfig file; a second one ends it at once.
    const interrupt = new AbortController();
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => interrupt.abort());
    }
    runAsScript((io) =>
        verifyCommand(process.argv.slice(2), io, { projectDir: path.resolve(__dirname, ".."), run: processRunner, signal: interrupt.signal }),
    );
}
