/**
 * Reads from the Kubernetes API as the pod's own service account: its token as a bearer token, the cluster's CA for
 * `https://` (https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/#without-using-a-proxy).
 * Only Node's built-in `node:http` and `node:https`; `http://` is for tests' fakes.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { ProbeEnvironment } from "./environment.ts";

/** What the API answered. */
export interface KubernetesResponse {
    /** The HTTP status. */
    readonly status: number;
    /** The body as JSON (an object or a `Status`), or undefined when it was not JSON. */
    readonly body: unknown;
}

/** A client of the Kubernetes API with the credentials read once. */
export interface KubernetesClient {
    /** The API's base URL, for messages. */
    readonly url: string;
    /**
     * `GET <url><path>`; rejects (with the socket error's `code`, or `TIMEOUT`) when nothing answers within
     * `timeoutMs`.
     */
    readonly get: (path: string, timeoutMs: number) => Promise<KubernetesResponse>;
}

/** Why the client's credentials could not be read: which file and the error. */
export class KubernetesCredentialsError extends Error {
    /** The file that could not be read. */
    readonly file: string;

    constructor(file: string, reason: string) {
        super(`cannot read ${file} (${reason})`);
        this.name = "KubernetesCredentialsError";
        this.file = file;
    }
}

function readCredential(file: string): string {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as { code?: unknown }).code;
        throw new KubernetesCredentialsError(file, typeof code === "string" ? code : String(error));
    }
    if (text.trim() === "") {
        throw new KubernetesCredentialsError(file, "empty");
    }
    return text;
}

/** A client with the pod's service account token and, for `https://`, the cluster's CA (throws KubernetesCredentialsError). */
export function kubernetesClient(api: ProbeEnvironment["kubernetesApi"]): KubernetesClient {
    const token = readCredential(api.tokenFile).trim();
    const base = new URL(api.url);
    const secure = base.protocol === "https:";
    const ca = secure && api.caFile !== undefined ? readCredential(api.caFile) : undefined;
    const prefix = api.url.replace(/\/+$/, "");

    const get = (path: string, timeoutMs: number): Promise<KubernetesResponse> =>
        new Promise<KubernetesResponse>((resolve, reject) => {
            const url = new URL(`${prefix}${path}`);
            const options: https.RequestOptions = {
                method: "GET",
                headers: { authorization: `Bearer ${token}`, accept: "application/json" },
                timeout: timeoutMs,
                ...(ca === undefined ? {} : { ca }),
            };
            const onResponse = (response: http.IncomingMessage): void => {
                const chunks: Buffer[] = [];
                response.on("data", (chunk: Buffer) => chunks.push(chunk));
                response.on("error", reject);
                response.on("end", () => {
                    clearTimeout(timer);
                    let body: unknown;
                    try {
                        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
                    } catch {
                        body = undefined;
                    }
                    resolve({ status: response.statusCode ?? 0, body });
                });
            };
            const request = secure ? https.request(url, options, onResponse) : http.request(url, options, onResponse);
            // `timeout` only bounds idleness; this bounds the whole request (connect, TLS, body).
            const timer = setTimeout(() => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "TIMEOUT" })), timeoutMs);
            request.on("timeout", () => request.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "TIMEOUT" })));
            request.on("error", (error) => {
                clearTimeout(timer);
                reject(error);
            });
            request.end();
        });
    return { url: api.url, get };
}
