/**
 * A fake Kubernetes API on 127.0.0.1 (plain HTTP) for the verification probe: `GET /api/v1/namespaces/<name>` and
 * `GET /api/v1/namespaces/<name>/serviceaccounts/<name>`, answering as the API server does (objects, `Status` bodies
 * for 401, 403 and 404), with knobs for what is missing, what appears only after a number of reads, and refusals.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as path from "node:path";

/** A namespace the fake knows. */
export interface FakeNamespace {
    /** Reads of it answered 404 before it exists (Flyte's sync creating it). */
    appearsAfter?: number;
    /** Its service accounts by name. */
    serviceAccounts: Record<string, FakeServiceAccount>;
}

/** A service account the fake knows. */
export interface FakeServiceAccount {
    /** Reads of it answered 404 before it exists. */
    appearsAfter?: number;
    /** Its annotations. */
    annotations: Record<string, string>;
    /** Reads of it that show no annotations before they appear (the sync's next pass). */
    annotatedAfter?: number;
}

/** What the fake does; change between runs. */
export interface KubernetesKnobs {
    /** Namespaces by name. */
    namespaces: Record<string, FakeNamespace>;
    /** The bearer token it accepts (others: 401). */
    token: string;
    /** Resources whose reads are answered 403 Forbidden (the caller's RBAC is missing). */
    forbidden: ("namespaces" | "serviceaccounts")[];
    /** Answer every read with this status (e.g. 500, an API server in trouble). */
    errorStatus?: number;
}

/** A running fake. */
export interface FakeKubernetesApi {
    /** `http://127.0.0.1:<port>`, or `https://` with a certificate. */
    readonly url: string;
    /** The knobs. */
    readonly knobs: KubernetesKnobs;
    /** The paths read, in order. */
    readonly reads: string[];
    /** Forgets the reads (and the per-path counts). */
    reset(): void;
    /** Stops it. */
    close(): Promise<void>;
}

function status(response: http.ServerResponse, code: number, reason: string, message: string): void {
    response.writeHead(code, { "content-type": "application/json" });
    response.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
}

/**
 * A self-signed certificate for 127.0.0.1 (its own CA, as a cluster's API server has one), copied into `dir` from
 * test/fixtures/tls/: `api`, or for any other name a second one that does not sign the first. Made once with
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -days 36500 -addext subjectAltName=IP:127.0.0.1`
 * and kept, so that the tests need no openssl; their keys protect nothing but these loopback tests.
 */
export function selfSignedCertificate(dir: string, name = "api"): { readonly certFile: string; readonly cert: string; readonly key: string } {
    const fixture = path.join(__dirname, "..", "fixtures", "tls", name === "api" ? "api" : "other");
    const cert = fs.readFileSync(`${fixture}.crt`, "utf8");
    const certFile = path.join(dir, `${name}.crt`);
    fs.writeFileSync(certFile, cert);
    return { certFile, cert, key: fs.readFileSync(`${fixture}.key`, "utf8") };
}

/** Starts the fake on an ephemeral port of 127.0.0.1; over TLS with `tls`. */
export async function startFakeKubernetesApi(knobs: KubernetesKnobs, tls?: { readonly cert: string; readonly key: string }): Promise<FakeKubernetesApi> {
    const reads: string[] = [];
    const counts = new Map<string, number>();
    const handler = (request: http.IncomingMessage, response: http.ServerResponse): void => {
        const path = new URL(request.url ?? "/", "http://fake").pathname;
        reads.push(path);
        const count = (counts.get(path) ?? 0) + 1;
        counts.set(path, count);
        if (request.headers.authorization !== `Bearer ${knobs.token}`) {
            status(response, 401, "Unauthorized", "Unauthorized");
            return;
        }
        const match = /^\/api\/v1\/namespaces\/([^/]+)(?:\/serviceaccounts\/([^/]+))?$/.exec(path);
        if (request.method !== "GET" || match === null) {
            status(response, 404, "NotFound", "the server could not find the requested resource");
            return;
        }
        const [, namespaceName, accountName] = match;
        const subject = 'User "system:serviceaccount:flyte:flyte-verification"';
        const resource = accountName === undefined ? "namespaces" : "serviceaccounts";
        if (knobs.forbidden.includes(resource)) {
            const what = accountName === undefined ? `namespaces "${namespaceName}"` : `serviceaccounts "${accountName}"`;
            status(response, 403, "Forbidden", `${what} is forbidden: ${subject} cannot get resource "${resource}" in API group "" in the namespace "${namespaceName}"`);
            return;
        }
        if (knobs.errorStatus !== undefined) {
            status(response, knobs.errorStatus, "InternalError", "Internal error occurred: etcdserver: request timed out");
            return;
        }
        const namespace = knobs.namespaces[namespaceName];
        if (accountName === undefined) {
            if (namespace === undefined || count <= (namespace.appearsAfter ?? 0)) {
                status(response, 404, "NotFound", `namespaces "${namespaceName}" not found`);
                return;
            }
            response.writeHead(200, { "content-type": "application/json" });
            response.end(JSON.stringify({ kind: "Namespace", apiVersion: "v1", metadata: { name: namespaceName }, status: { phase: "Active" } }));
            return;
        }
        const account = namespace?.serviceAccounts[accountName];
        if (account === undefined || count <= (account.appearsAfter ?? 0)) {
            status(response, 404, "NotFound", `serviceaccounts "${accountName}" not found`);
            return;
        }
        const annotated = count > (account.appearsAfter ?? 0) + (account.annotatedAfter ?? 0);
        response.writeHead(200, { "content-type": "application/json" });
        response.end(
            JSON.stringify({
                kind: "ServiceAccount",
                apiVersion: "v1",
                metadata: { name: accountName, namespace: namespaceName, ...(annotated && Object.keys(account.annotations).length > 0 ? { annotations: account.annotations } : {}) },
            }),
        );
    };
    const server = tls === undefined ? http.createServer(handler) : https.createServer({ cert: tls.cert, key: tls.key }, handler);
    const port = await new Promise<number>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
    return {
        url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
        knobs,
        reads,
        reset(): void {
            reads.length = 0;
            counts.clear();
        },
        async close(): Promise<void> {
            server.closeAllConnections();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}
