/**
 * npm run plan:diff -- --stack <name> --base <git ref> [--stack-file <path>] [--json] [--out <file>]
 *
 * The offline plan of the working tree against the offline plan at another git ref: resources added, removed,
 * changed and replaced, and the outputs that change. No credentials, no Pulumi CLI, so every pull request (forks
 * too) gets it. See lib/plan/diffCli.ts. Exit codes: 0 diffed (with or without changes), 1 a plan failed, 2 bad usage.
 */
import * as path from "path";
import { runAsScript } from "../lib/plan/command";
import { planDiffCommand } from "../lib/plan/diffCli";

if (require.main === module) {
    runAsScript((io) => planDiffCommand(process.argv.slice(2), io, { projectDir: path.resolve(__dirname, "..") }));
}
