import { spawn } from "child_process";
import { type CommandIo, parseStackCommandArgs } from "../plan/command";
import { type CommandRunner, MissingCommandError, type RunResult, verifyStack, type VerifyStackOptions } from "./verifyStack";

export const VERIFY_USAGE = "usage: npm run verify -- --stack <name>";

/** What `npm run verify` runs with besides its arguments: verifyStack's options but the stack and the output. */
export type VerifyCommandOptions = Omit<VerifyStackOptions, "stack" | "io">;

/**
 * Runs a command as a child process with this process's environment (the kubeconfig's credential plugin reads it):
 * stdin is `input`, or nothing, so that no command waits for a terminal. A missing executable rejects with
 * MissingCommandError.
 */
export const processRunner: CommandRunner = (command, args, options) =>
    new Promise<RunResult>((resolve, reject) => {
        const child = spawn(command, [...args], { cwd: options.cwd, stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
        child.on("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" ? new MissingCommandError(command) : err));
        child.on("close", (code) => resolve({ code, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }));
        if (child.stdin) {
            // A command that exits before reading all of its input closes the pipe: its exit code tells what happened.
            child.stdin.on("error", () => undefined);
            child.stdin.end(options.input);
        }
    });

/**
 * `npm run verify -- --stack <name>`: runs the deployed stack's verification Jobs again (see verifyStack). Exit
 * codes: 0 verified, 1 a check failed, 2 bad usage or a setup problem, 130 interrupted.
 */
export async function verifyCommand(argv: readonly string[], io: CommandIo, options: VerifyCommandOptions): Promise<number> {
    const args = parseStackCommandArgs(argv, VERIFY_USAGE, io, []);
    if (typeof args === "number") {
        return args;
    }
    if (!args.stack) {
        io.stderr(`--stack is required\n${VERIFY_USAGE}\n`);
        return 2;
    }
    return verifyStack({ ...options, stack: args.stack, io });
}
