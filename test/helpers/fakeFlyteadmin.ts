/**
 * A fake flyteadmin on 127.0.0.1 for the verification probe's endpoint stage: a real @grpc/grpc-js server (cleartext
 * HTTP/2) with `grpc.health.v1.Health/Check` and `flyteidl.service.AdminService/ListProjects` from hand-written
 * service definitions (google-protobuf's BinaryReader/BinaryWriter for the fields used), and a node:http server with
 * `/healthcheck`, the token endpoint and the data proxy's `CreateUploadLocation` route, as flyteadmin serves them
 * (flyteadmin/pkg/server/service.go; flyteidl/protos/flyteidl/service/dataproxy.proto, admin.proto at v1.16.8).
 * Every failure the probe reports has a knob; knobs may be changed between runs.
 */
import * as grpc from "@grpc/grpc-js";
import { BinaryReader, BinaryWriter } from "google-protobuf";
import * as http from "node:http";
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ProbeEnvironment } from "../../verification/probe/environment.ts";

/** What the fake does; change fields between runs. */
export interface FlyteadminKnobs {
    /** Answers of `/healthcheck` that are 503 before it answers 200. */
    unhealthyAnswers: number;
    /** A status `/healthcheck` always answers instead (e.g. 404). */
    healthStatus?: number;
    /** The client the token endpoint knows; absent: the token endpoint answers 404 (no authentication). */
    client?: { id: string; secret: string; scopes: string[] };
    /** The token endpoint's path. */
    tokenPath: string;
    /** The token it issues; gRPC and the data proxy require it as `authorization: Bearer <token>` when set. */
    token?: string;
    /** The token endpoint refuses the grant with this OAuth2 error (e.g. `unauthorized_client`). */
    tokenError?: { status: number; error: string; description: string };
    /** Every gRPC call answers this status instead. */
    grpcStatus?: { code: number; details: string };
    /** The health service's ServingStatus (1 SERVING, 2 NOT_SERVING). */
    servingStatus: number;
    /** Health checks that answer UNAVAILABLE before the service answers. */
    unavailableAnswers: number;
    /** The projects ListProjects lists. */
    projects: string[];
    /** ListProjects answers this status instead. */
    listProjectsStatus?: { code: number; details: string };
    /** The data proxy fails to sign with this error text (answered as flyteadmin does: 500, code 13). */
    signingError?: string;
    /** The data proxy answers this grpc-gateway error instead (HTTP status, gRPC code, message). */
    uploadError?: { status: number; code: number; message: string };
    /** The data proxy's route is missing (Go's 404 page). */
    noUploadRoute?: boolean;
    /** The data proxy answers 200 without a signed_url. */
    emptySignedUrl?: boolean;
}

/** What the fake saw. */
export interface FlyteadminRequests {
    /** `/healthcheck` requests. */
    health: number;
    /** Token requests: the Authorization header and the form body. */
    token: { authorization: string; body: string; contentType: string }[];
    /** gRPC calls: the method path and the `authorization` metadata ("" when absent). */
    grpc: { path: string; authorization: string; deadline: boolean }[];
    /** ListProjects requests: limit and token. */
    listProjects: { limit: number; token: string }[];
    /** Data proxy requests: the JSON body and the Authorization header. */
    upload: { body: Record<string, unknown>; authorization: string }[];
}

/** A running fake. */
export interface FakeFlyteadmin {
    /** The HTTP port (healthcheck, token, data proxy). */
    readonly httpPort: number;
    /** The gRPC port (cleartext HTTP/2). */
    readonly grpcPort: number;
    /** The knobs, changeable. */
    readonly knobs: FlyteadminKnobs;
    /** What it saw. */
    readonly requests: FlyteadminRequests;
    /** Forgets what it saw and restores the knobs given at start. */
    reset(): void;
    /** Stops both servers. */
    close(): Promise<void>;
}

/** Options fixed at start. */
export interface FakeFlyteadminOptions {
    /** Knobs to start with (the rest default: healthy, no authentication, project flytesnacks). */
    readonly knobs?: Partial<FlyteadminKnobs>;
    /** Register the health service (false: Check answers UNIMPLEMENTED, as a gRPC server without it does). */
    readonly health?: boolean;
}

function defaultKnobs(): FlyteadminKnobs {
    return { unhealthyAnswers: 0, tokenPath: "/oauth2/token", servingStatus: 1, unavailableAnswers: 0, projects: ["flytesnacks"] };
}

interface ListRequest {
    limit: number;
    token: string;
}

/** HealthCheckRequest (an object: grpc-js takes a falsy request for none at all). */
function decodeHealthRequest(bytes: Buffer): { service: string } {
    const reader = new BinaryReader(bytes);
    const request = { service: "" };
    while (reader.nextField()) {
        if (reader.getFieldNumber() === 1) {
            request.service = reader.readString();
        } else {
            reader.skipField();
        }
    }
    return request;
}

function encodeHealthResponse(status: number): Buffer {
    const writer = new BinaryWriter();
    writer.writeEnum(1, status);
    return Buffer.from(writer.getResultBuffer());
}

function decodeListRequest(bytes: Buffer): ListRequest {
    const reader = new BinaryReader(bytes);
    const request: ListRequest = { limit: 0, token: "" };
    while (reader.nextField()) {
        const field = reader.getFieldNumber();
        if (field === 1) {
            request.limit = reader.readUint32();
        } else if (field === 2) {
            request.token = reader.readString();
        } else {
            reader.skipField();
        }
    }
    return request;
}

function encodeProjects(projects: readonly string[], token: string): Buffer {
    const writer = new BinaryWriter();
    for (const id of projects) {
        writer.writeMessage(1, id, (value: string, inner: BinaryWriter) => {
            inner.writeString(1, value);
            inner.writeString(2, `${value} project`);
            // domains (3): one, to have a nested repeated message on the wire the probe skips.
            inner.writeMessage(3, "development", (domain: string, nested: BinaryWriter) => {
                nested.writeString(1, domain);
                nested.writeString(2, domain);
            });
        });
    }
    if (token !== "") {
        writer.writeString(2, token);
    }
    return Buffer.from(writer.getResultBuffer());
}

function method<Req, Res>(path: string, decode: (bytes: Buffer) => Req, encode: (value: Res) => Buffer): grpc.MethodDefinition<Req, Res> {
    return {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: () => {
            throw new Error("the fake only serves");
        },
        requestDeserialize: decode,
        responseSerialize: encode,
        responseDeserialize: () => {
            throw new Error("the fake only serves");
        },
    };
}

function listen(server: http.Server | http2.Http2Server): Promise<number> {
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
    });
}

function readBody(request: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        request.on("error", reject);
    });
}

/** application/x-www-form-urlencoded decoding, as Go's url.QueryUnescape does it for HTTP Basic (RFC 6749 §2.3.1). */
function formDecode(value: string): string {
    return decodeURIComponent(value.replace(/\+/g, " "));
}

/** Starts the fake on two ephemeral ports of 127.0.0.1. */
export async function startFakeFlyteadmin(options: FakeFlyteadminOptions = {}): Promise<FakeFlyteadmin> {
    const initial = { ...defaultKnobs(), ...options.knobs };
    const knobs: FlyteadminKnobs = { ...initial };
    const requests: FlyteadminRequests = { health: 0, token: [], grpc: [], listProjects: [], upload: [] };
    let healthChecks = 0;

    /** The status a gRPC call ends with before its handler runs, as flyteadmin's auth interceptor would. */
    const refuse = (call: grpc.ServerUnaryCall<unknown, unknown>, path: string): grpc.ServiceError | null => {
        const authorization = String(call.metadata.get("authorization")[0] ?? "");
        requests.grpc.push({ path, authorization, deadline: call.getDeadline() !== Infinity });
        const status = (code: number, details: string): grpc.ServiceError =>
            Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() });
        if (knobs.grpcStatus !== undefined) {
            return status(knobs.grpcStatus.code, knobs.grpcStatus.details);
        }
        if (knobs.token !== undefined && authorization !== `Bearer ${knobs.token}`) {
            return status(grpc.status.UNAUTHENTICATED, "token parse error: access token err: failed to validate token: invalid audience");
        }
        return null;
    };

    const server = new grpc.Server();
    if (options.health !== false) {
        const path = "/grpc.health.v1.Health/Check";
        server.addService(
            { Check: method<{ service: string }, number>(path, decodeHealthRequest, encodeHealthResponse) },
            {
                Check: (call: grpc.ServerUnaryCall<{ service: string }, number>, callback: grpc.sendUnaryData<number>) => {
                    const refused = refuse(call, path);
                    if (refused !== null) {
                        callback(refused);
                    } else if (healthChecks++ < knobs.unavailableAnswers) {
                        callback(Object.assign(new Error("starting"), { code: grpc.status.UNAVAILABLE, details: "starting", metadata: new grpc.Metadata() }));
                    } else if (call.request.service !== "") {
                        callback(Object.assign(new Error("unknown service"), { code: grpc.status.NOT_FOUND, details: "unknown service", metadata: new grpc.Metadata() }));
                    } else {
                        callback(null, knobs.servingStatus);
                    }
                },
            },
        );
    }
    const listPath = "/flyteidl.service.AdminService/ListProjects";
    server.addService(
        { ListProjects: method<ListRequest, Buffer>(listPath, decodeListRequest, (value) => value) },
        {
            ListProjects: (call: grpc.ServerUnaryCall<ListRequest, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
                const refused = refuse(call, listPath);
                if (refused !== null) {
                    callback(refused);
                    return;
                }
                requests.listProjects.push({ ...call.request });
                if (knobs.listProjectsStatus !== undefined) {
                    const { code, details } = knobs.listProjectsStatus;
                    callback(Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() }));
                    return;
                }
                // As flyteadmin pages (flyteadmin/pkg/manager/impl/project_manager.go): the token is the next offset, set
                // when a page is full; limit 0 is no limit.
                const offset = call.request.token === "" ? 0 : Number(call.request.token);
                const limit = call.request.limit;
                const page = limit === 0 ? knobs.projects.slice(offset) : knobs.projects.slice(offset, offset + limit);
                callback(null, encodeProjects(page, page.length === limit ? String(offset + page.length) : ""));
            },
        },
    );
    const grpcPort = await new Promise<number>((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => (error === null ? resolve(port) : reject(error)));
    });

    const json = (response: http.ServerResponse, status: number, body: unknown): void => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(body));
    };
    const httpServer = http.createServer((request, response) => {
        void (async () => {
            const url = new URL(request.url ?? "/", "http://fake");
            const body = await readBody(request);
            if (request.method === "GET" && url.pathname === "/healthcheck") {
                requests.health++;
                const status = knobs.healthStatus ?? (requests.health <= knobs.unhealthyAnswers ? 503 : 200);
                response.writeHead(status);
                response.end();
                return;
            }
            if (request.method === "POST" && url.pathname === knobs.tokenPath && knobs.client !== undefined) {
                const authorization = request.headers.authorization ?? "";
                requests.token.push({ authorization, body, contentType: request.headers["content-type"] ?? "" });
                const basic = /^Basic (.+)$/.exec(authorization);
                const decoded = basic === null ? "" : Buffer.from(basic[1], "base64").toString("utf8");
                const colon = decoded.indexOf(":");
                const id = colon < 0 ? "" : formDecode(decoded.slice(0, colon));
                const secret = colon < 0 ? "" : formDecode(decoded.slice(colon + 1));
                if (id !== knobs.client.id || secret !== knobs.client.secret) {
                    // fosite's answer to a client that fails authentication (RFC 6749 §5.2).
                    json(response, 401, {
                        error: "invalid_client",
                        error_description: "Client authentication failed (e.g., unknown client, no client authentication included, or unsupported authentication method). crypto/bcrypt: hashedPassword is not the hash of the given password",
                    });
                    return;
                }
                if (knobs.tokenError !== undefined) {
                    json(response, knobs.tokenError.status, { error: knobs.tokenError.error, error_description: knobs.tokenError.description });
                    return;
                }
                const form = new URLSearchParams(body);
                if (form.get("grant_type") !== "client_credentials") {
                    json(response, 400, { error: "unsupported_grant_type", error_description: "The authorization grant type is not supported by the authorization server." });
                    return;
                }
                const scope = form.get("scope") ?? "";
                if (!knobs.client.scopes.includes(scope)) {
                    json(response, 400, { error: "invalid_scope", error_description: `The requested scope is invalid, unknown, or malformed. The OAuth 2.0 Client is not allowed to request scope '${scope}'.` });
                    return;
                }
                json(response, 200, { access_token: knobs.token ?? "fake-token", token_type: "bearer", expires_in: 3599, scope });
                return;
            }
            if (request.method === "POST" && url.pathname === "/api/v1/dataproxy/artifact_urn" && knobs.noUploadRoute !== true) {
                const authorization = request.headers.authorization ?? "";
                let parsed: Record<string, unknown> = {};
                try {
                    parsed = JSON.parse(body) as Record<string, unknown>;
                } catch {
                    json(response, 400, { code: 3, message: "invalid character in JSON", details: [] });
                    return;
                }
                requests.upload.push({ body: parsed, authorization });
                // grpc-gateway's error body: {code, message, details} with the gRPC status mapped to HTTP.
                if (knobs.token !== undefined && authorization !== `Bearer ${knobs.token}`) {
                    json(response, 401, { code: 16, message: "token parse error: access token err: failed to validate token", details: [] });
                    return;
                }
                if (!parsed.project || !parsed.domain) {
                    json(response, 400, { code: 3, message: "project and domain are required parameters", details: [] });
                    return;
                }
                if (!parsed.filename_root && !parsed.content_md5) {
                    json(response, 400, { code: 3, message: "content_md5 or filename_root is a required parameter", details: [] });
                    return;
                }
                if (knobs.uploadError !== undefined) {
                    json(response, knobs.uploadError.status, { code: knobs.uploadError.code, message: knobs.uploadError.message, details: [] });
                    return;
                }
                if (knobs.signingError !== undefined) {
                    json(response, 500, { code: 13, message: `failed to create a signed url. Error: ${knobs.signingError}`, details: [] });
                    return;
                }
                const path = `${String(parsed.project)}/${String(parsed.domain)}/${String(parsed.filename_root)}/${String(parsed.filename)}`;
                json(response, 200, {
                    signed_url: knobs.emptySignedUrl ? "" : `https://storage.googleapis.com/fake-bucket/uploads/${path}?X-Goog-Signature=abc`,
                    native_url: `gs://fake-bucket/uploads/${path}`,
                    expires_at: "2030-01-01T00:00:00Z",
                    headers: {},
                });
                return;
            }
            // Go's ServeMux and grpc-gateway answer an unknown path like this.
            response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
            response.end("404 page not found\n");
        })();
    });
    const httpPort = await listen(httpServer);

    return {
        httpPort,
        grpcPort,
        knobs,
        requests,
        reset(): void {
            for (const key of Object.keys(knobs) as (keyof FlyteadminKnobs)[]) {
                delete knobs[key];
            }
            Object.assign(knobs, initial);
            requests.health = 0;
            requests.token.length = 0;
            requests.grpc.length = 0;
            requests.listProjects.length = 0;
            requests.upload.length = 0;
            healthChecks = 0;
        },
        async close(): Promise<void> {
            server.forceShutdown();
            httpServer.closeAllConnections();
            await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        },
    };
}

/** A cleartext HTTP/2 server that is not gRPC: answers every request with `status` and text (a proxy, a web server). */
export async function startPlainHttp2Server(status: number): Promise<{ readonly port: number; close(): Promise<void> }> {
    const sessions = new Set<http2.ServerHttp2Session>();
    const server = http2.createServer();
    server.on("session", (session) => {
        sessions.add(session);
        session.on("close", () => sessions.delete(session));
    });
    server.on("stream", (stream) => {
        stream.respond({ ":status": status, "content-type": "text/plain" });
        stream.end("not grpc\n");
    });
    const port = await listen(server);
    return {
        port,
        async close(): Promise<void> {
            for (const session of sessions) {
                session.destroy();
            }
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
export async function closedPort(): Promise<number> {
    const server = http.createServer();
    const port = await listen(server);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

/**
 * A ProbeEnvironment for the endpoint stage on loopback: every Service resolves to `host` (127.0.0.1) on the port the
 * config names, the Kubernetes API is `kubernetesUrl` with `tokenFile`; the workload stage's addresses lead nowhere.
 */
export function endpointEnvironment(kubernetesApi: ProbeEnvironment["kubernetesApi"], terminationMessageFile: string, host = "127.0.0.1"): ProbeEnvironment {
    const nowhere = "http://127.0.0.1:1";
    return {
        serviceAddress: (_service, port) => ({ host, port }),
        kubernetesApi,
        gcpMetadataUrl: nowhere,
        gcsUrl: nowhere,
        stsUrl: () => nowhere,
        s3BucketUrl: () => nowhere,
        variables: {},
        terminationMessageFile,
    };
}
