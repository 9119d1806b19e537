/**
 * HTTP for the workload stage's clients (GKE's metadata server, Cloud Storage, STS, S3): one request with a timeout
 * per attempt, bounded retries of what is transient (no answer, 5xx, 429; never another 4xx), and brief quotes of
 * an answer for messages, with every secret the caller names taken out.
 */

/** A request as the clients build it. */
export interface HttpRequest {
    /** `GET`, `POST`, `PUT`, `DELETE`. */
    readonly method: string;
    /** The full URL, query included. */
    readonly url: string;
    /** Headers to send (fetch adds `host` and `content-length` itself). */
    readonly headers?: Readonly<Record<string, string>>;
    /** The body, if any. */
    readonly body?: Uint8Array | string;
}

/** An answer, read to its end. */
export interface HttpAnswer {
    /** The HTTP status. */
    readonly status: number;
    /** The body's bytes. */
    readonly body: Buffer;
}

/** How long a request may take and how often it is tried. */
export interface TransportOptions {
    /** Milliseconds one attempt may take, answer body included. */
    readonly timeoutMs: number;
    /** Attempts in all (at least 1). */
    readonly attempts: number;
    /** Milliseconds before the second attempt; doubled before each further one. */
    readonly backoffMs: number;
}

/** In a pod: 10 s per attempt, 4 attempts 0.5, 1 and 2 s apart. */
export const DEFAULT_TRANSPORT: TransportOptions = { timeoutMs: 10_000, attempts: 4, backoffMs: 500 };

/** No answer at all after every attempt: connection refused or reset, a name that does not resolve, a timeout. */
export class Unreachable extends Error {
    /** What went wrong on the last attempt, e.g. `connect ECONNREFUSED 10.0.0.1:80`, `no answer within 10 s`. */
    readonly reason: string;

    constructor(url: string, reason: string) {
        super(`${url}: ${reason}`);
        this.name = "Unreachable";
        this.reason = reason;
    }
}

/** Statuses worth another attempt: throttling and the server's own errors. */
export function isTransient(status: number): boolean {
    return status === 429 || status >= 500;
}

/**
 * Sends a request; tries again (bounded by `options.attempts`) when there is no answer or a transient one. Returns
 * the last answer, whatever its status; throws Unreachable when no attempt got one. Redirects are not followed: a
 * signed request must not go elsewhere, and S3 answers a wrong region with one.
 */
export async function send(request: HttpRequest, options: TransportOptions = DEFAULT_TRANSPORT): Promise<HttpAnswer> {
    const attempts = Math.max(1, Math.floor(options.attempts));
    let lastReason = "";
    for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) {
            await pause(options.backoffMs * 2 ** (attempt - 2));
        }
        try {
            const response = await fetch(request.url, {
                method: request.method,
                headers: request.headers,
                body: request.body,
                redirect: "manual",
                signal: AbortSignal.timeout(options.timeoutMs),
            });
            const body = Buffer.from(await response.arrayBuffer());
            if (isTransient(response.status) && attempt < attempts) {
                continue;
            }
            return { status: response.status, body };
        } catch (err) {
            lastReason = describeFailure(err, options.timeoutMs);
        }
    }
    throw new Unreachable(request.url, lastReason);
}

/**
 * Why fetch got no answer, in a few words (undici puts the socket's error in `cause`). Read structurally, not with
 * instanceof: fetch's errors may come from another realm than this module's Error.
 */
function describeFailure(err: unknown, timeoutMs: number): string {
    const error = asError(err);
    if (error?.name === "TimeoutError" || error?.name === "AbortError") {
        return `no answer within ${timeoutMs / 1000} s`;
    }
    const cause = asError(error?.cause);
    return cause?.message || error?.message || String(err);
}

function asError(value: unknown): { readonly name?: unknown; readonly message?: string; readonly cause?: unknown } | undefined {
    if (typeof value !== "object" || value === null) {
        return undefined;
    }
    const { name, message, cause } = value as { name?: unknown; message?: unknown; cause?: unknown };
    return { name, message: typeof message === "string" ? message : undefined, cause };
}

function pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Text for a message: one line, at most `max` characters, with each of `secrets` replaced by `[redacted]` (before
 * shortening, so that no part of one survives a cut).
 */
export function quote(text: string | Buffer, secrets: readonly string[] = [], max = 200): string {
    const flat = redact(typeof text === "string" ? text : text.toString("utf8"), secrets).replace(/\s+/g, " ").trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** `text` with every occurrence of each secret (of 4 characters or more) replaced by `[redacted]`. */
export function redact(text: string, secrets: readonly string[]): string {
    let result = text;
    for (const secret of secrets) {
        if (secret.length >= 4) {
            result = result.split(secret).join("[redacted]");
        }
    }
    return result;
}

/**
 * RFC 3986 percent-encoding as AWS's Signature Version 4 and Cloud Storage's object names want it: every byte of the
 * UTF-8 form except the unreserved `A-Z a-z 0-9 - . _ ~` as `%XY` (upper-case hex); `/` kept only with `keepSlash`.
 * (encodeURIComponent leaves `!'()*` alone, which SigV4 does not.)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
export function percentEncode(text: string, keepSlash = false): string {
    let encoded = "";
    for (const byte of Buffer.from(text, "utf8")) {
        const char = String.fromCharCode(byte);
        if (/[A-Za-z0-9\-._~]/.test(char) || (keepSlash && char === "/")) {
            encoded += char;
        } else {
            encoded += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
        }
    }
    return encoded;
}
