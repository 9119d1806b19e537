/**
 * Fakes of GKE's metadata server and Cloud Storage's JSON API on 127.0.0.1, for the probe's workload stage: they
 * answer as the real ones do (paths, headers, status codes, JSON error shapes) for what the probe calls.
 */
import * as http from "http";
import type { AddressInfo } from "net";

/** A request a fake received. */
export interface ReceivedRequest {
    /** The method. */
    readonly method: string;
    /** The path and query as received (still encoded). */
    readonly url: string;
    /** The headers (lower-case names). */
    readonly headers: http.IncomingHttpHeaders;
}

/** A fake server that can be closed. */
interface Listening {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    /** Every request received, in order. */
    readonly requests: ReceivedRequest[];
    /** Stops listening and drops open connections. */
    close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => void;

async function listen(handler: Handler): Promise<Listening> {
    const requests: ReceivedRequest[] = [];
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
            handler(req, Buffer.concat(chunks), res);
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

/** `http://127.0.0.1:<port>` of a port nothing listens on (it was free a moment ago), for "did not answer". */
export async function closedUrl(): Promise<string> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return `http://127.0.0.1:${port}`;
}

function answer(res: http.ServerResponse, status: number, body: string | Buffer, contentType = "text/plain"): void {
    res.writeHead(status, { "content-type": contentType });
    res.end(body);
}

/** What the metadata server says about the pod. */
export interface MetadataState {
    /** The email it answers (the configured Google service account, the nodes' account, `<project>.svc.id.goog`, …). */
    email: string;
    /** The access token it hands out. */
    token: string;
    /** Refuse the token as GKE does when the Google service account does not admit the Kubernetes one. */
    refuseToken: boolean;
    /** Answer the next this many requests with 503 (transient). */
    failNext: number;
}

/** The fake metadata server. */
export interface FakeMetadataServer extends Listening {
    /** What it answers; change between tests. */
    readonly state: MetadataState;
}

/**
 * GKE's refusal of a token when IAM denies the Kubernetes service account the Google one (shape of the real text).
 */
export function tokenRefusalBody(email: string): string {
    return `Unable to generate access token; IAM returned 403 Forbidden: Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).\nThis error could be caused by a missing IAM policy binding on the target IAM service account.\nFor more information, refer to the Workload Identity documentation:\n\thttps://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity\n(${email})`;
}

/** Starts a fake GKE metadata server: `/computeMetadata/v1/instance/service-accounts/default/{email,token}`. */
export async function startFakeMetadataServer(initial: Partial<MetadataState> & Pick<MetadataState, "email" | "token">): Promise<FakeMetadataServer> {
    const state: MetadataState = { refuseToken: false, failNext: 0, ...initial };
    const server = await listen((req, _body, res) => {
        if (state.failNext > 0) {
            state.failNext--;
            answer(res, 503, "Service Unavailable");
            return;
        }
        // The real server refuses requests without the header (https://cloud.google.com/compute/docs/metadata/querying-metadata).
        if (req.headers["metadata-flavor"] !== "Google") {
            answer(res, 403, "Missing required header: Metadata-Flavor");
            return;
        }
        res.setHeader("Metadata-Flavor", "Google");
        const path = (req.url ?? "").split("?")[0];
        if (req.method !== "GET") {
            answer(res, 405, "Method Not Allowed");
        } else if (path === "/computeMetadata/v1/instance/service-accounts/default/email") {
            answer(res, 200, state.email);
        } else if (path === "/computeMetadata/v1/instance/service-accounts/default/token") {
            if (state.refuseToken) {
                answer(res, 403, tokenRefusalBody(state.email));
            } else {
                answer(res, 200, JSON.stringify({ access_token: state.token, expires_in: 3599, token_type: "Bearer" }), "application/json");
            }
        } else {
            answer(res, 404, "Not Found");
        }
    });
    return { ...server, state };
}

/** A verb the fake refuses on a prefix. */
export interface GcsDenial {
    /** The bucket. */
    readonly bucket: string;
    /** Object names starting with this are refused. */
    readonly prefix: string;
    /** The refused verb. */
    readonly verb: "write" | "read" | "delete";
}

/** What the fake Cloud Storage holds and refuses. */
export interface GcsState {
    /** The bearer token it accepts. */
    token: string;
    /** The email it names in refusals. */
    email: string;
    /** Buckets that exist. */
    buckets: Set<string>;
    /** Refusals, as IAM would answer them. */
    denials: GcsDenial[];
    /** Answer deletes with 204 but keep the object (to test the "still there" check). */
    ignoreDeletes: boolean;
    /** Answer downloads with other bytes than were uploaded. */
    corruptReads: boolean;
    /** Answer the next this many requests with 503 (transient). */
    failNext: number;
    /** Answer 503 to every request from the one with this number on (1 for the first since `requests` was emptied). */
    failFrom?: number;
}

/** The fake Cloud Storage JSON API. */
export interface FakeGcs extends Listening {
    /** What it accepts; change between tests. */
    readonly state: GcsState;
    /** The objects, by `<bucket>/<name>`. */
    readonly objects: Map<string, Buffer>;
}

const GCS_PERMISSION = { write: "storage.objects.create", read: "storage.objects.get", delete: "storage.objects.delete" } as const;

function gcsError(res: http.ServerResponse, status: number, message: string, reason: string): void {
    // https://cloud.google.com/storage/docs/json_api/v1/status-codes
    answer(res, status, JSON.stringify({ error: { code: status, message, errors: [{ message, domain: "global", reason }] } }), "application/json; charset=UTF-8");
}

/**
 * Starts a fake Cloud Storage JSON API: simple upload (`POST /upload/storage/v1/b/<bucket>/o?uploadType=media&name=`),
 * download (`GET /storage/v1/b/<bucket>/o/<name>?alt=media`) and delete. Object names in paths must be one encoded
 * segment (`/` as `%2F`), as the real API wants them.
 */
export async function startFakeGcs(initial: Pick<GcsState, "token" | "email"> & { readonly buckets: readonly string[] } & Partial<Omit<GcsState, "buckets">>): Promise<FakeGcs> {
    const state: GcsState = { denials: [], ignoreDeletes: false, corruptReads: false, failNext: 0, ...initial, buckets: new Set(initial.buckets) };
    const objects = new Map<string, Buffer>();
    const server: Listening = await listen((req, body, res) => {
        if (state.failNext > 0 || (state.failFrom !== undefined && server.requests.length >= state.failFrom)) {
            state.failNext = Math.max(0, state.failNext - 1);
            gcsError(res, 503, "Backend Error", "backendError");
            return;
        }
        if (req.headers.authorization !== `Bearer ${state.token}`) {
            gcsError(res, 401, "Invalid Credentials", "authError");
            return;
        }
        const url = new URL(req.url ?? "/", "http://fake");
        const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
        const object = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)$/.exec(url.pathname);
        let verb: "write" | "read" | "delete";
        let bucket: string;
        let name: string;
        if (upload && req.method === "POST" && url.searchParams.get("uploadType") === "media" && url.searchParams.get("name")) {
            verb = "write";
            bucket = decodeURIComponent(upload[1]);
            name = url.searchParams.get("name") ?? "";
        } else if (object && (req.method === "GET" || req.method === "DELETE")) {
            verb = req.method === "GET" ? "read" : "delete";
            bucket = decodeURIComponent(object[1]);
            name = decodeURIComponent(object[2]);
        } else {
            gcsError(res, 404, "Not Found", "notFound");
            return;
        }
        if (!state.buckets.has(bucket)) {
            gcsError(res, 404, "The specified bucket does not exist.", "notFound");
            return;
        }
        if (state.denials.some((d) => d.bucket === bucket && d.verb === verb && name.startsWith(d.prefix))) {
            const permission = GCS_PERMISSION[verb];
            gcsError(
                res,
                403,
                `${state.email} does not have ${permission} access to the Google Cloud Storage object. Permission '${permission}' denied on resource (or it may not exist).`,
                "forbidden",
            );
            return;
        }
        const id = `${bucket}/${name}`;
        if (verb === "write") {
            objects.set(id, body);
            answer(res, 200, JSON.stringify({ kind: "storage#object", bucket, name, size: String(body.length) }), "application/json");
            return;
        }
        const stored = objects.get(id);
        if (!stored) {
            gcsError(res, 404, `No such object: ${id}`, "notFound");
        } else if (verb === "read") {
            if (url.searchParams.get("alt") === "media") {
                answer(res, 200, state.corruptReads ? Buffer.from("something else") : stored, "application/octet-stream");
            } else {
                answer(res, 200, JSON.stringify({ kind: "storage#object", bucket, name, size: String(stored.length) }), "application/json");
            }
        } else {
            if (!state.ignoreDeletes) {
                objects.delete(id);
            }
            res.writeHead(204);
            res.end();
        }
    });
    return { ...server, state, objects };
}
