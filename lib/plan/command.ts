import * as fs from "fs";
import { parseArgs } from "util";

/** Where a command writes; the scripts pass process.stdout/stderr, tests collect the text. */
export interface CommandIo {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
}

/** A command's own error: printed as `error: <message>` in one line, exit code 1. */
export class CommandError extends Error {}

/** Runs a command as a script: its output, then the exit once stdout and stderr are flushed (a pipe takes a large plan in several writes). */
export function runAsScript(command: (io: CommandIo) => Promise<number>): void {
    const io: CommandIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };
    const exit = (code: number) => process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
    command(io).then(exit, (err: unknown) => {
        process.stderr.write(`error: ${String(err)}\n`);
        exit(1);
    });
}

/** The options of the plan commands (`npm run plan`, `npm run plan:diff`). */
export interface StackCommandArgs {
    readonly stack?: string;
    readonly stackFile?: string;
    readonly base?: string;
    readonly json: boolean;
    readonly out?: string;
}

/** The options a stack command may take besides `--stack` and `--help`. */
export type StackCommandOption = "stack-file" | "base" | "json" | "out";
/** What `npm run plan` takes; `npm run plan:diff` takes `--base` too, `npm run verify` none of them. */
export const PLAN_OPTIONS: readonly StackCommandOption[] = ["stack-file", "json", "out"];

/**
 * Parses a stack command's options (strict: no unknown option, no positional argument, none of the stack options
 * but those it `accepts`): the options, or the exit code once it has answered --help (0) or a usage error (2).
 */
export function parseStackCommandArgs(
    argv: readonly string[],
    usage: string,
    io: CommandIo,
    accepts: readonly StackCommandOption[] = PLAN_OPTIONS,
): StackCommandArgs | number {
    let values: { stack?: string; "stack-file"?: string; base?: string; json?: boolean; out?: string; help?: boolean };
    try {
        values = parseArgs({
            args: [...argv],
            options: {
                stack: { type: "string" },
                "stack-file": { type: "string" },
                base: { type: "string" },
                json: { type: "boolean", default: false },
                out: { type: "string" },
                help: { type: "boolean", short: "h", default: false },
            },
            strict: true,
            allowPositionals: false,
        }).values;
        const given = (option: StackCommandOption) => (option === "json" ? values.json === true : values[option] !== undefined);
        const refused = (["stack-file", "base", "json", "out"] as const).find((option) => given(option) && !accepts.includes(option));
        if (refused !== undefined) {
            throw new Error(`Unknown option '--${refused}'`);
        }
    } catch (err) {
        io.stderr(`${(err as Error).message}\n${usage}\n`);
        return 2;
    }
    if (values.help) {
        io.stdout(`${usage}\n`);
        return 0;
    }
    return { stack: values.stack, stackFile: values["stack-file"], base: values.base, json: values.json === true, out: values.out };
}

/** A command's result: into the --out file, or on stdout. */
export function writeResult(text: string, out: string | undefined, io: CommandIo): void {
    if (out) {
        fs.writeFileSync(out, text);
    } else {
        io.stdout(text);
    }
}
