/**
 * The probe's entry: reads the stage's config from `VERIFY_CONFIG`, runs the stage, prints one `ok: …` line per
 * check and a final `verified: …` line. On failure it prints the one-line message to stderr and writes it to the
 * container's termination message file, which Kubernetes shows in the Job's pod status (and so `pulumi up` shows):
 * https://kubernetes.io/docs/tasks/debug/debug-application/determine-reason-pod-failure/
 */
import * as fs from "node:fs";
import { CONFIG_VARIABLE, type ProbeConfig } from "./config.ts";
import { runEndpointStage, type EndpointOptions } from "./endpoint.ts";
import { podEnvironment, type ProbeEnvironment } from "./environment.ts";
import { VerificationFailure, oneLine } from "./failure.ts";
import { runWorkloadStage } from "./workload.ts";

/** What tests change in how main runs. */
export interface MainOptions {
    /** Where the failure line goes besides the termination message file (default: stderr). */
    readonly error?: (line: string) => void;
    /** The endpoint stage's pacing (default: its own). */
    readonly endpoint?: EndpointOptions;
}

/**
 * Runs the stage `variables[VERIFY_CONFIG]` describes; resolves to the process's exit code (0 verified, 1 failed) and
 * never rejects.
 */
export async function main(
    variables: Readonly<Record<string, string | undefined>>,
    env: ProbeEnvironment = podEnvironment(variables),
    log: (line: string) => void = (line) => {
        process.stdout.write(`${line}\n`);
    },
    options: MainOptions = {},
): Promise<number> {
    const error =
        options.error ??
        ((line: string): void => {
            process.stderr.write(`${line}\n`);
        });
    const fail = (message: string): number => {
        const line = oneLine(message);
        error(line);
        try {
            fs.writeFileSync(env.terminationMessageFile, line);
        } catch {
            // stderr has it; Kubernetes then falls back to the log's tail only with FallbackToLogsOnError.
        }
        return 1;
    };

    const read = readConfig(variables[CONFIG_VARIABLE]);
    if (typeof read === "string") {
        return fail(read);
    }
    const config = read;
    try {
        if (config.stage === "endpoint") {
            await runEndpointStage(config, env, log, options.endpoint);
            log(`verified: stack ${config.stack}: flyteadmin behind the Service ${config.service.namespace}/${config.service.name} and the task namespace ${config.taskNamespace.name}`);
        } else {
            await runWorkloadStage(config, env, log);
            log(`verified: stack ${config.stack}: task pods in ${config.namespace} as ${config.serviceAccount}: their identity and ${config.locations.length} data location${config.locations.length === 1 ? "" : "s"}`);
        }
        return 0;
    } catch (thrown) {
        if (thrown instanceof VerificationFailure) {
            return fail(thrown.message);
        }
        // Not `instanceof Error`: Node's own errors come from another realm under test runners.
        const message = (thrown as { message?: unknown } | null)?.message;
        const text = typeof message === "string" ? message : String(thrown);
        return fail(`stack ${config.stack}: the verification probe failed unexpectedly: ${text}`);
    }
}

/** The config, or the one line that says why there is none. Only the stage and stack are checked: the program writes the rest. */
function readConfig(raw: string | undefined): ProbeConfig | string {
    const fix = "the verification Job is not what the Pulumi program writes: run pulumi up again";
    if (raw === undefined || raw.trim() === "") {
        return `the verification probe has no config: ${CONFIG_VARIABLE} is not set: ${fix}`;
    }
    let value: unknown;
    try {
        value = JSON.parse(raw);
    } catch (error) {
        return `the verification probe's config ${CONFIG_VARIABLE} is not JSON (${(error as Error).message}): ${fix}`;
    }
    const record = value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    if (record === undefined || typeof record.stack !== "string" || record.stack === "") {
        return `the verification probe's config ${CONFIG_VARIABLE} is not an object with a stack: ${fix}`;
    }
    if (record.stage !== "endpoint" && record.stage !== "workload") {
        return `stack ${record.stack}: the verification probe's config has stage ${JSON.stringify(record.stage) ?? "undefined"}, expected "endpoint" or "workload": ${fix}`;
    }
    return value as ProbeConfig;
}
