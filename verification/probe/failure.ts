/**
 * A check that failed, with the one line the probe reports: which link is broken and the likely fix. The probe
 * writes it to the container's termination message, which the Kubernetes provider shows when the Job fails, so it
 * is what `pulumi up` prints.
 */
export class VerificationFailure extends Error {
    /** The check that failed, e.g. `grpc`, `identity`, `storage`. */
    readonly check: string;

    constructor(check: string, message: string) {
        super(message);
        this.name = "VerificationFailure";
        this.check = check;
    }
}

/** One line, as the termination message and the logs show it: no newlines, at most `max` characters. */
export function oneLine(message: string, max = 1000): string {
    const flat = message.replace(/\s*\n\s*/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A Node error's code (`ECONNREFUSED`, `ENOTFOUND`, …), or `ERROR` when it has none. */
export function errorCode(error: unknown): string {
    const code = (error as { code?: unknown } | null)?.code;
    return typeof code === "string" ? code : "ERROR";
}

/** An error's message, or the value itself as text. */
export function errorText(error: unknown): string {
    // Not `instanceof Error`: Node's own errors come from another realm under test runners.
    const message = (error as { message?: unknown } | null)?.message;
    return typeof message === "string" ? message : String(error);
}
