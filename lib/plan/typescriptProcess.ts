import { spawn } from "child_process";
import * as path from "path";
import { pathToFileURL } from "url";

export interface ProcessResult {
    readonly status: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** The loader `npm run plan` and the other scripts run with (tsx without Node's source maps, see the file). */
export const TYPESCRIPT_LOADER = path.join(__dirname, "typescriptLoader.mjs");

/**
 * Runs a TypeScript file of `projectDir` in a new Node process, compiled on the fly by tsx through this checkout's
 * loader. `node --import` rather than the tsx CLI: the CLI starts a second Node process of its own.
 */
export function runTypeScript(
    projectDir: string,
    script: string,
    args: readonly string[],
    options: { readonly cwd?: string; readonly env?: NodeJS.ProcessEnv; readonly signal?: AbortSignal } = {},
): Promise<ProcessResult> {
    const loader = pathToFileURL(TYPESCRIPT_LOADER).href;
    return new Promise((resolve) => {
        const child = spawn(process.execPath, ["--import", loader, path.resolve(projectDir, script), ...args], {
            cwd: options.cwd ?? projectDir,
            env: options.env ?? process.env,
            stdio: ["ignore", "pipe", "pipe"],
            signal: options.signal,
        });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        // An abort kills the process; its "error" comes before "close", which then resolves with what it printed.
        child.on("error", (err) => stderr.push(Buffer.from(err.message)));
        child.on("close", (status) =>
            resolve({ status, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
        );
    });
}
