// The endpoint stage against a fake flyteadmin (a real gRPC server and its HTTP API) and a fake Kubernetes API, all
// on 127.0.0.1: the happy path, what it waits for, and every failure message, with no secret or token in any of them.
import * as fs from "node:fs";
import * as http from "node:http";
import * as http2 from "node:http2";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { EndpointStage } from "../../../verification/probe/config.ts";
import { PROBE_UPLOAD, runEndpointStage } from "../../../verification/probe/endpoint.ts";
import type { ProbeEnvironment } from "../../../verification/probe/environment.ts";
import { VerificationFailure } from "../../../verification/probe/failure.ts";
import { frameMessage } from "../../../verification/probe/grpc.ts";
import { closedPort, endpointEnvironment, startFakeFlyteadmin, startPlainHttp2Server, type FakeFlyteadmin } from "../../helpers/fakeFlyteadmin";
import { selfSignedCertificate, startFakeKubernetesApi, type FakeKubernetesApi, type KubernetesKnobs } from "../../helpers/fakeKubernetesApi";

// Characters that HTTP Basic needs form-urlencoded (RFC 6749 §2.3.1).
const SECRET = "ci secret/with+chars&=:";
const TOKEN = "access-token-8f3b2c1d9e";
const SA_TOKEN = "service-account-token-77aa";
const KEY = "iam.gke.io/gcp-service-account";
const GSA = "flyte-dev-worker@p.iam.gserviceaccount.com";
const NAMESPACE = "flytesnacks-development";
const BASIC = Buffer.from(`flyte-ci:${new URLSearchParams({ v: SECRET }).toString().slice(2)}`).toString("base64");
const SECRETS = [SECRET, SECRET.trim(), new URLSearchParams({ v: SECRET }).toString().slice(2), TOKEN, SA_TOKEN, BASIC];

let admin: FakeFlyteadmin;
let kube: FakeKubernetesApi;
let dir: string;
let secretFile: string;
let tokenFile: string;
const closers: (() => Promise<void>)[] = [];

function kubeKnobs(): KubernetesKnobs {
    return {
        token: SA_TOKEN,
        forbidden: [],
        namespaces: { [NAMESPACE]: { serviceAccounts: { default: { annotations: { [KEY]: GSA, other: "x" } } } } },
    };
}

beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "probe-endpoint-"));
    secretFile = path.join(dir, "client-secret");
    tokenFile = path.join(dir, "token");
    fs.writeFileSync(secretFile, `${SECRET}\n`);
    fs.writeFileSync(tokenFile, `${SA_TOKEN}\n`);
    admin = await startFakeFlyteadmin({ knobs: { client: { id: "flyte-ci", secret: SECRET, scopes: ["all"] }, token: TOKEN, projects: ["flytesnacks", "ml"] } });
    kube = await startFakeKubernetesApi(kubeKnobs());
});

afterEach(() => {
    admin.reset();
    kube.reset();
    Object.assign(kube.knobs, kubeKnobs(), { errorStatus: undefined });
});

afterAll(async () => {
    await Promise.all([admin.close(), kube.close(), ...closers.map((close) => close())]);
    fs.rmSync(dir, { recursive: true, force: true });
});

function config(overrides: Partial<EndpointStage> = {}): EndpointStage {
    return {
        stage: "endpoint",
        stack: "dev",
        // Short: what is waited for in these tests either comes within a few attempts or never.
        waitSeconds: 0.3,
        service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: admin.httpPort, grpcPort: admin.grpcPort },
        client: { clientId: "flyte-ci", secretFile, tokenPath: "/oauth2/token", scope: "all" },
        projects: ["flytesnacks", "ml"],
        taskNamespace: { name: NAMESPACE, serviceAccount: "default", annotation: { key: KEY, value: GSA } },
        signedUpload: { project: "flytesnacks", domain: "development" },
        ...overrides,
    };
}

/** Without authentication: no client, flyteadmin takes calls without a token. */
function withoutAuth(overrides: Partial<EndpointStage> = {}): EndpointStage {
    admin.knobs.token = undefined;
    admin.knobs.client = undefined;
    const { client: _client, ...rest } = config(overrides);
    return rest;
}

function environment(kubernetesApi: Partial<ProbeEnvironment["kubernetesApi"]> = {}): ProbeEnvironment {
    return endpointEnvironment({ url: kube.url, tokenFile, ...kubernetesApi }, path.join(dir, "termination-log"));
}

function expectNoSecrets(text: string): void {
    for (const secret of SECRETS) {
        expect(text).not.toContain(secret);
    }
}

async function run(stage: EndpointStage, env: ProbeEnvironment = environment()): Promise<{ lines: string[]; failure?: VerificationFailure }> {
    const lines: string[] = [];
    try {
        await runEndpointStage(stage, env, (line) => lines.push(line), { pauseMs: 20, requestTimeoutMs: 500 });
    } catch (error) {
        if (!(error instanceof VerificationFailure)) {
            throw error;
        }
        expectNoSecrets([...lines, error.message].join("\n"));
        expect(error.message).not.toContain("\n");
        return { lines, failure: error };
    }
    expectNoSecrets(lines.join("\n"));
    return { lines };
}

/** The stage's failure message (it must fail), with its check. */
async function failure(stage: EndpointStage, env?: ProbeEnvironment): Promise<{ check: string; message: string }> {
    const { failure } = await run(stage, env);
    if (failure === undefined) {
        throw new Error("the stage passed");
    }
    return { check: failure.check, message: failure.message };
}

const httpAt = (): string => `the Service flyte/flyte-binary-lb port ${admin.httpPort}`;
const grpcAt = (port = admin.grpcPort): string => `the Service flyte/flyte-binary-lb port ${port}`;

/** An HTTP server answering /healthcheck with 200 and dropping every other request (connection reset). */
async function healthOnlyServer(): Promise<number> {
    const server = http.createServer((request, response) => {
        if (request.url === "/healthcheck") {
            response.end();
        } else {
            request.socket.destroy();
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return (server.address() as AddressInfo).port;
}

/** A raw gRPC server answering each method with a response message of its own (or the health check's SERVING). */
async function rawGrpcServer(responses: Record<string, Uint8Array>): Promise<number> {
    const sessions = new Set<http2.ServerHttp2Session>();
    const server = http2.createServer();
    server.on("session", (session) => sessions.add(session));
    server.on("stream", (stream, headers) => {
        stream.on("error", () => undefined);
        stream.on("data", () => undefined);
        stream.on("end", () => {
            stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
            stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
            stream.end(frameMessage(responses[String(headers[":path"])] ?? Uint8Array.from([0x08, 0x01])));
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(async () => {
        sessions.forEach((session) => session.destroy());
        await new Promise<void>((resolve) => server.close(() => resolve()));
    });
    return (server.address() as AddressInfo).port;
}

describe("the endpoint stage passes", () => {
    test("with authentication and a cloud identity: every check, in order, one ok line each", async () => {
        const { lines, failure } = await run(config());
        expect(failure).toBeUndefined();
        expect(lines).toEqual([
            `ok: flyteadmin answers GET /healthcheck on ${httpAt()}`,
            "ok: flyteadmin issued a token to client flyte-ci (client credentials grant, scope all)",
            `ok: flyteadmin's gRPC health check on ${grpcAt()} reports SERVING (with the CI client's token)`,
            "ok: flyteadmin lists the projects flytesnacks, ml",
            "ok: flyteadmin's data proxy signs upload URLs for flytesnacks/development",
            `ok: the task namespace ${NAMESPACE} exists`,
            `ok: the service account ${NAMESPACE}/default carries ${KEY}: ${GSA}`,
        ]);
    });

    test("the token request: client credentials grant, the client in HTTP Basic, form-urlencoded first", async () => {
        await run(config());
        expect(admin.requests.token).toEqual([
            { authorization: `Basic ${BASIC}`, body: "grant_type=client_credentials&scope=all", contentType: "application/x-www-form-urlencoded" },
        ]);
    });

    test("every gRPC call carries the token and a deadline; ListProjects asks in pages", async () => {
        await run(config());
        expect(admin.requests.grpc).toEqual([
            { path: "/grpc.health.v1.Health/Check", authorization: `Bearer ${TOKEN}`, deadline: true },
            { path: "/flyteidl.service.AdminService/ListProjects", authorization: `Bearer ${TOKEN}`, deadline: true },
        ]);
        expect(admin.requests.listProjects).toEqual([{ limit: 100, token: "" }]);
    });

    test("the data proxy request: project, domain, a fixed name under a root, the content's MD5, an expiry", async () => {
        await run(config());
        const md5 = require("node:crypto").createHash("md5").update(PROBE_UPLOAD.content).digest("base64");
        expect(admin.requests.upload).toEqual([
            {
                authorization: `Bearer ${TOKEN}`,
                body: {
                    project: "flytesnacks",
                    domain: "development",
                    filename: "verification-probe.txt",
                    filename_root: "flyte-verification",
                    content_md5: md5,
                    expires_in: "300s",
                },
            },
        ]);
    });

    test("without authentication or a cloud identity: no token asked for or sent", async () => {
        const stage = withoutAuth({ taskNamespace: { name: NAMESPACE, serviceAccount: "default" } });
        const { lines, failure } = await run(stage);
        expect(failure).toBeUndefined();
        expect(lines).toEqual([
            `ok: flyteadmin answers GET /healthcheck on ${httpAt()}`,
            `ok: flyteadmin's gRPC health check on ${grpcAt()} reports SERVING`,
            "ok: flyteadmin lists the projects flytesnacks, ml",
            "ok: flyteadmin's data proxy signs upload URLs for flytesnacks/development",
            `ok: the task namespace ${NAMESPACE} exists`,
            `ok: the service account ${NAMESPACE}/default exists`,
        ]);
        expect(admin.requests.token).toEqual([]);
        expect(admin.requests.grpc.map((call) => call.authorization)).toEqual(["", ""]);
        expect(admin.requests.upload[0].authorization).toBe("");
    });

    test("it waits for flyteadmin to start and for the sync to create the namespace and annotate its service account", async () => {
        admin.knobs.unhealthyAnswers = 3;
        admin.knobs.unavailableAnswers = 2;
        kube.knobs.namespaces[NAMESPACE].appearsAfter = 2;
        kube.knobs.namespaces[NAMESPACE].serviceAccounts.default.appearsAfter = 1;
        kube.knobs.namespaces[NAMESPACE].serviceAccounts.default.annotatedAfter = 2;
        const { failure } = await run(config({ waitSeconds: 3 }));
        expect(failure).toBeUndefined();
        expect(admin.requests.health).toBe(4);
        expect(admin.requests.grpc.filter((call) => call.path.endsWith("/Check"))).toHaveLength(3);
        const accountPath = `/api/v1/namespaces/${NAMESPACE}/serviceaccounts/default`;
        expect(kube.reads.filter((read) => read === `/api/v1/namespaces/${NAMESPACE}`)).toHaveLength(3);
        expect(kube.reads.filter((read) => read === accountPath)).toHaveLength(4);
    });

    test("it follows ListProjects' pages", async () => {
        admin.knobs.projects = Array.from({ length: 230 }, (_, i) => `p${String(i).padStart(3, "0")}`);
        const { failure } = await run(config({ projects: ["p000", "p150", "p229"] }));
        expect(failure).toBeUndefined();
        expect(admin.requests.listProjects).toEqual([
            { limit: 100, token: "" },
            { limit: 100, token: "100" },
            { limit: 100, token: "200" },
        ]);
    });
});

describe("HTTP health", () => {
    test("nothing listens: refused until the wait ends", async () => {
        const port = await closedPort();
        const started = Date.now();
        const { check, message } = await failure(config({ service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: port, grpcPort: admin.grpcPort } }));
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        expect(Date.now() - started).toBeLessThan(2000);
        expect(check).toBe("http-health");
        expect(message).toBe(
            `stack dev: flyteadmin's HTTP health check GET /healthcheck on the Service flyte/flyte-binary-lb port ${port} got no answer for 0.3 s (connection refused): ` +
                "the Service flyte/flyte-binary-lb selects no ready flyteadmin pod, or its port does not lead to flyteadmin's HTTP port",
        );
    });

    test("something accepts connections but never answers: bounded by the request timeout", async () => {
        const silent = net.createServer(() => undefined);
        await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
        const sockets = new Set<net.Socket>();
        silent.on("connection", (socket) => sockets.add(socket));
        closers.push(async () => {
            sockets.forEach((socket) => socket.destroy());
            await new Promise<void>((resolve) => silent.close(() => resolve()));
        });
        const port = (silent.address() as AddressInfo).port;
        const { message } = await failure(config({ service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: port, grpcPort: admin.grpcPort } }));
        expect(message).toBe(
            `stack dev: flyteadmin's HTTP health check GET /healthcheck on the Service flyte/flyte-binary-lb port ${port} got no answer for 0.3 s (no answer within 0.5 s): ` +
                "nothing answers behind the Service flyte/flyte-binary-lb: a NetworkPolicy may drop the verification's traffic, or flyteadmin hangs",
        );
    });

    test("404: the port is not flyteadmin's HTTP port", async () => {
        admin.knobs.healthStatus = 404;
        expect(await failure(config())).toEqual({
            check: "http-health",
            message: `stack dev: GET /healthcheck on ${httpAt()} answered HTTP 404, expected 200: that port is not flyteadmin's HTTP port (flyteadmin serves /healthcheck there): check the Service's targetPort`,
        });
        expect(admin.requests.health).toBe(1);
    });

    test("5xx until the wait ends", async () => {
        admin.knobs.healthStatus = 503;
        const { message } = await failure(config());
        expect(message).toBe(`stack dev: GET /healthcheck on ${httpAt()} still answered HTTP 503 after 0.3 s, expected 200: flyteadmin is not healthy: see its pod's logs (database, config)`);
        expect(admin.requests.health).toBeGreaterThan(2);
    });

    test("another status", async () => {
        admin.knobs.healthStatus = 401;
        const { message } = await failure(config());
        expect(message).toBe(`stack dev: GET /healthcheck on ${httpAt()} answered HTTP 401, expected 200: that port does not lead to flyteadmin's HTTP server`);
    });
});

describe("the CI client's token", () => {
    const where = (): string => `flyteadmin's token endpoint /oauth2/token on ${httpAt()}`;

    test("the secret file is missing or empty", async () => {
        const missing = path.join(dir, "no-such-secret");
        const base = config();
        expect(await failure({ ...base, client: { ...base.client!, secretFile: missing } })).toEqual({
            check: "token",
            message: `stack dev: cannot read the CI client's secret from ${missing} (ENOENT): the verification Job must mount the CI client's Secret there`,
        });
        const empty = path.join(dir, "empty-secret");
        fs.writeFileSync(empty, " \n");
        expect((await failure({ ...base, client: { ...base.client!, secretFile: empty } })).message).toBe(
            `stack dev: the CI client's secret file ${empty} is empty: the CI client's Secret has no value`,
        );
    });

    test("a wrong secret: flyteadmin's hash and the Secret are out of step", async () => {
        admin.knobs.client = { id: "flyte-ci", secret: "another secret", scopes: ["all"] };
        expect(await failure(config())).toEqual({
            check: "token",
            message:
                `stack dev: ${where()} rejected client flyte-ci (HTTP 401 invalid_client): the CI client's secret does not match flyteadmin's hash of it: ` +
                "the Secret and the Flyte release are out of step: run pulumi up again",
        });
    });

    test("a scope the client may not ask for", async () => {
        admin.knobs.client = { id: "flyte-ci", secret: SECRET, scopes: ["offline"] };
        expect((await failure(config())).message).toBe(`stack dev: ${where()} refused scope all for client flyte-ci (HTTP 400 invalid_scope): flyteadmin's selfAuthServer does not grant the CI client that scope`);
    });

    test("a client not allowed the client credentials grant", async () => {
        admin.knobs.tokenError = { status: 400, error: "unauthorized_client", description: "The client is not authorized to request a token using this method." };
        expect((await failure(config())).message).toBe(
            `stack dev: ${where()} refused the client credentials grant for client flyte-ci (HTTP 400 unauthorized_client): flyteadmin's selfAuthServer must allow the CI client the client_credentials grant type`,
        );
    });

    test("no token endpoint: flyteadmin without authentication", async () => {
        admin.knobs.client = undefined;
        expect((await failure(config())).message).toBe(
            `stack dev: ${where()} answered HTTP 404: flyteadmin runs without authentication (useAuth off) while the stack expects it, or its token endpoint is not at /oauth2/token`,
        );
    });

    test("200 without an access_token", async () => {
        admin.knobs.tokenError = { status: 200, error: "", description: "" };
        expect((await failure(config())).message).toBe(`stack dev: ${where()} answered 200 without an access_token: /oauth2/token is not flyteadmin's token endpoint`);
    });

    test("another error is quoted, with the secret taken out should the server echo it", async () => {
        admin.knobs.tokenError = { status: 500, error: "server_error", description: `could not check secret ${SECRET} against the database` };
        expect((await failure(config())).message).toBe(
            `stack dev: ${where()} answered HTTP 500 server_error, expected 200 with an access_token: "could not check secret [redacted] against the database"`,
        );
    });

    test("the connection drops", async () => {
        const port = await healthOnlyServer();
        const { message } = await failure(config({ service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: port, grpcPort: admin.grpcPort } }));
        expect(message).toBe(
            `stack dev: flyteadmin's token endpoint /oauth2/token on the Service flyte/flyte-binary-lb port ${port} got no answer (the connection was closed): ` +
                "the connection to the Service flyte/flyte-binary-lb failed: its port may not lead to flyteadmin's HTTP port",
        );
    });
});

describe("gRPC health", () => {
    const wrongServer =
        "the gRPC port of the Service does not reach flyteadmin's gRPC server: its targetPort must be flyteadmin's gRPC port, " +
        "and anything in between must speak HTTP/2 (on GKE the Service port needs appProtocol: kubernetes.io/h2c)";
    const atPort = (port: number): EndpointStage["service"] => ({ namespace: "flyte", name: "flyte-binary-lb", httpPort: admin.httpPort, grpcPort: port });

    test("UNAUTHENTICATED with the CI client's token: its audience", async () => {
        admin.knobs.grpcStatus = { code: 16, details: "token parse error: invalid audience" };
        expect(await failure(config())).toEqual({
            check: "grpc-health",
            message:
                `stack dev: gRPC health check on ${grpcAt()} refused the CI client's token (16 UNAUTHENTICATED: "token parse error: invalid audience"): ` +
                "flyteadmin issued it but does not accept it: its audience is not among flyteadmin's allowed audiences (selfAuthServer / appAuth authorizedUris must include the URL clients use)",
        });
    });

    test("UNAUTHENTICATED without a client: the stack and the release disagree on authentication", async () => {
        const stage = withoutAuth();
        admin.knobs.token = "required";
        expect((await failure(stage)).message).toBe(
            `stack dev: gRPC health check on ${grpcAt()} answered 16 UNAUTHENTICATED: "token parse error: access token err: failed to validate token: invalid audience": ` +
                "flyteadmin requires authentication but the verification has no client: the stack's config and the Flyte release are out of step: run pulumi up again",
        );
    });

    test("UNIMPLEMENTED: a gRPC server that is not flyteadmin's", async () => {
        const other = await startFakeFlyteadmin({ health: false });
        closers.push(() => other.close());
        const { message } = await failure(withoutAuth({ service: atPort(other.grpcPort) }));
        expect(message).toMatch(new RegExp(`^stack dev: gRPC health check on ${grpcAt(other.grpcPort)} answered 12 UNIMPLEMENTED: ".*": `));
        expect(message.endsWith(wrongServer)).toBe(true);
    });

    test("HTTP 415 from something that is not gRPC", async () => {
        const plain = await startPlainHttp2Server(415);
        closers.push(() => plain.close());
        expect((await failure(withoutAuth({ service: atPort(plain.port) }))).message).toBe(
            `stack dev: gRPC health check on ${grpcAt(plain.port)} answered HTTP 415 (text/plain), not gRPC: ${wrongServer}`,
        );
    });

    test("the gRPC port leads to the HTTP/1 server", async () => {
        expect((await failure(withoutAuth({ service: atPort(admin.httpPort) }))).message).toBe(
            `stack dev: gRPC health check on ${grpcAt(admin.httpPort)} does not speak cleartext HTTP/2 (Protocol error): ${wrongServer}`,
        );
    });

    test("nothing listens: refused until the wait ends", async () => {
        const port = await closedPort();
        const { message } = await failure(withoutAuth({ service: atPort(port) }));
        expect(message).toBe(
            `stack dev: gRPC health check on ${grpcAt(port)} got no answer for 0.3 s (connection refused): ` +
                "the Service flyte/flyte-binary-lb selects no ready flyteadmin pod, or its port does not lead to flyteadmin's gRPC port",
        );
    });

    test("UNAVAILABLE until the wait ends", async () => {
        admin.knobs.unavailableAnswers = 1000;
        expect((await failure(config())).message).toBe(`stack dev: gRPC health check on ${grpcAt()} answered 14 UNAVAILABLE: "starting": see flyteadmin's logs`);
    });

    test("NOT_SERVING", async () => {
        admin.knobs.servingStatus = 2;
        expect((await failure(config())).message).toBe(
            `stack dev: gRPC health check on ${grpcAt()} reports NOT_SERVING (2), expected SERVING: flyteadmin's gRPC server is not serving: see its logs`,
        );
    });

    test("a malformed response", async () => {
        const port = await rawGrpcServer({ "/grpc.health.v1.Health/Check": Uint8Array.from([0x08]) });
        expect((await failure(withoutAuth({ service: atPort(port) }))).message).toBe(
            `stack dev: gRPC health check on ${grpcAt(port)} answered a malformed HealthCheckResponse (truncated varint): that port is not flyteadmin's gRPC server`,
        );
    });
});

describe("ListProjects", () => {
    test("a project flyteadmin does not list", async () => {
        admin.knobs.projects = ["flytesnacks", "other"];
        expect(await failure(config())).toEqual({
            check: "projects",
            message:
                `stack dev: flyteadmin does not list the project "ml" (it lists "flytesnacks", "other"): flyteadmin creates projects from its config when it starts ` +
                "(the release's seedProjects), so it has not restarted since they were added, or the project was archived",
        });
    });

    test("no project at all", async () => {
        admin.knobs.projects = [];
        expect((await failure(config())).message).toBe(
            `stack dev: flyteadmin does not list the projects "flytesnacks", "ml" (it lists no project at all): flyteadmin creates projects from its config when it starts ` +
                "(the release's seedProjects), so it has not restarted since they were added, or the project was archived",
        );
    });

    test("a gRPC error", async () => {
        admin.knobs.listProjectsStatus = { code: 7, details: "permission denied" };
        expect(await failure(config())).toEqual({
            check: "projects",
            message: `stack dev: ListProjects on ${grpcAt()} answered 7 PERMISSION_DENIED: "permission denied": see flyteadmin's logs`,
        });
    });

    test("a malformed response", async () => {
        const port = await rawGrpcServer({ "/flyteidl.service.AdminService/ListProjects": Uint8Array.from([0x0a, 0x05, 0x0a]) });
        const stage = withoutAuth({ service: { namespace: "flyte", name: "flyte-binary-lb", httpPort: admin.httpPort, grpcPort: port } });
        expect((await failure(stage)).message).toBe(
            `stack dev: ListProjects on ${grpcAt(port)} answered a malformed Projects message (truncated field): that port is not flyteadmin's gRPC server`,
        );
    });
});

describe("signed upload URL", () => {
    const what = (): string =>
        `flyteadmin's data proxy (POST /api/v1/dataproxy/artifact_urn on ${httpAt()}) could not create a signed upload URL for flytesnacks/development`;

    test("GCS: flyteadmin's Google service account may not sign as itself", async () => {
        admin.knobs.signingError =
            "googleapi: Error 403: Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not exist)., forbidden";
        expect(await failure(config())).toEqual({
            check: "signed-upload",
            message:
                `stack dev: ${what()} (HTTP 500: "failed to create a signed url. Error: googleapi: Error 403: Permission 'iam.serviceAccounts.signBlob' denied on resource (or it may not exist)., forbidden"): ` +
                "flyteadmin's Google service account cannot sign: it needs roles/iam.serviceAccountTokenCreator on itself (signBlob is denied)",
        });
    });

    test("S3: no credentials for flyteadmin's role", async () => {
        admin.knobs.signingError = "NoCredentialProviders: no valid providers in chain";
        expect((await failure(config())).message).toBe(
            `stack dev: ${what()} (HTTP 500: "failed to create a signed url. Error: NoCredentialProviders: no valid providers in chain"): ` +
                "flyteadmin has no AWS credentials for its role: check the IRSA annotation on flyteadmin's service account and the role's trust policy",
        );
    });

    test("flyteadmin cannot read the bucket", async () => {
        admin.knobs.uploadError = { status: 500, code: 13, message: "failed to check if file exists at location [gs://b/x], Error: 403 forbidden" };
        expect((await failure(config())).message).toBe(
            `stack dev: ${what()} (HTTP 500: "failed to check if file exists at location [gs://b/x], Error: 403 forbidden"): ` +
                "flyteadmin cannot read the metadata bucket: its identity needs read access to it (and the bucket must exist)",
        );
    });

    test("another error: the usual causes on either cloud", async () => {
        admin.knobs.signingError = "x".repeat(400);
        // Quoted briefly: 299 characters and an ellipsis.
        const quoted = `failed to create a signed url. Error: ${"x".repeat(400)}`.slice(0, 299);
        expect((await failure(config())).message).toBe(
            `stack dev: ${what()} (HTTP 500: "${quoted}…"): ` +
                "flyteadmin's identity usually cannot sign: on GCS its Google service account lacks roles/iam.serviceAccountTokenCreator on itself (signBlob is denied); " +
                "on S3 it has no credentials for its role",
        );
    });

    test("the HTTP API does not accept the token", async () => {
        admin.knobs.uploadError = { status: 401, code: 16, message: "token parse error" };
        expect((await failure(config())).message).toBe(`stack dev: ${what()} (HTTP 401: "token parse error"): flyteadmin's HTTP API did not accept the CI client's token`);
    });

    test("no such route", async () => {
        admin.knobs.noUploadRoute = true;
        expect((await failure(config())).message).toBe(
            `stack dev: ${what()} (HTTP 404: "404 page not found"): /api/v1/dataproxy/artifact_urn is not served there: the port is not flyteadmin's HTTP API`,
        );
    });

    test("200 without a signed_url", async () => {
        admin.knobs.emptySignedUrl = true;
        expect((await failure(config())).message).toBe(`stack dev: ${what()}: it answered 200 without a signed_url: that port is not flyteadmin's HTTP API`);
    });

    test("the connection drops", async () => {
        const httpPort = await healthOnlyServer();
        const stage = withoutAuth({ service: { namespace: "flyte", name: "flyte-binary-lb", httpPort, grpcPort: admin.grpcPort } });
        expect((await failure(stage)).message).toBe(
            `stack dev: flyteadmin's data proxy (POST /api/v1/dataproxy/artifact_urn on the Service flyte/flyte-binary-lb port ${httpPort}) could not create a signed upload URL for flytesnacks/development ` +
                "(the connection was closed): the connection to the Service flyte/flyte-binary-lb failed: its port may not lead to flyteadmin's HTTP port",
        );
    });
});

describe("the task namespace", () => {
    const account = `the service account ${NAMESPACE}/default`;

    test("the namespace never appears", async () => {
        kube.knobs.namespaces = {};
        expect(await failure(config())).toEqual({
            check: "task-namespace",
            message: `stack dev: the task namespace ${NAMESPACE} does not exist after 0.3 s: Flyte's cluster resource sync has not created it: check flyteadmin's logs for cluster_resources`,
        });
        expect(kube.reads.length).toBeGreaterThan(2);
    });

    test("its service account never appears", async () => {
        kube.knobs.namespaces[NAMESPACE].serviceAccounts = {};
        expect((await failure(config())).message).toBe(
            `stack dev: ${account} does not exist after 0.3 s: Kubernetes creates it with the namespace, and Flyte's cluster resource templates must not delete it: check flyteadmin's logs for cluster_resources`,
        );
    });

    test("the annotation never appears", async () => {
        kube.knobs.namespaces[NAMESPACE].serviceAccounts.default.annotations = {};
        expect((await failure(config())).message).toBe(
            `stack dev: ${account} has no annotation ${KEY} after 0.3 s, expected "${GSA}": Flyte's cluster resource sync has not annotated it: check the release's cluster resource templates and flyteadmin's logs for cluster_resources`,
        );
    });

    test("the annotation names another identity", async () => {
        kube.knobs.namespaces[NAMESPACE].serviceAccounts.default.annotations = { [KEY]: "123-compute@developer.gserviceaccount.com" };
        expect((await failure(config())).message).toBe(
            `stack dev: ${account} has ${KEY} "123-compute@developer.gserviceaccount.com", expected "${GSA}": the cluster resource templates give task pods another identity: ` +
                "the release and the stack are out of step (run pulumi up again), or the annotation was changed by hand",
        );
    });

    test("403: the verification's own RBAC is missing (not retried)", async () => {
        kube.knobs.forbidden = ["namespaces"];
        expect((await failure(config({ waitSeconds: 30 }))).message).toBe(
            `stack dev: the Kubernetes API refused GET /api/v1/namespaces/${NAMESPACE} (403 Forbidden: "namespaces "${NAMESPACE}" is forbidden: ` +
                `User "system:serviceaccount:flyte:flyte-verification" cannot get resource "namespaces" in API group "" in the namespace "${NAMESPACE}""): ` +
                `the verification's own RBAC is missing: its service account needs a ClusterRole with get on the namespace ${NAMESPACE} and on serviceaccounts named default`,
        );
        expect(kube.reads).toHaveLength(1);
    });

    test("403 on the service account alone", async () => {
        kube.knobs.forbidden = ["serviceaccounts"];
        expect((await failure(config({ waitSeconds: 30 }))).message).toBe(
            `stack dev: the Kubernetes API refused GET /api/v1/namespaces/${NAMESPACE}/serviceaccounts/default (403 Forbidden: "serviceaccounts "default" is forbidden: ` +
                `User "system:serviceaccount:flyte:flyte-verification" cannot get resource "serviceaccounts" in API group "" in the namespace "${NAMESPACE}""): ` +
                `the verification's own RBAC is missing: its service account needs a ClusterRole with get on the namespace ${NAMESPACE} and on serviceaccounts named default`,
        );
        expect(kube.reads).toHaveLength(2);
    });

    test("401: the token is not the pod's", async () => {
        kube.knobs.token = "another";
        expect((await failure(config())).message).toBe(
            `stack dev: the Kubernetes API did not accept the verification's service account token for GET /api/v1/namespaces/${NAMESPACE} (401 Unauthorized: "Unauthorized"): the pod must run with the token of the Job's own service account`,
        );
    });

    test("the token or the CA is not mounted", async () => {
        const missing = path.join(dir, "no-token");
        expect((await failure(config(), environment({ tokenFile: missing }))).message).toBe(
            `stack dev: the verification cannot read ${missing} (ENOENT): its pod needs its service account token and the cluster's CA mounted (automountServiceAccountToken must not be off)`,
        );
        const ca = path.join(dir, "no-ca.crt");
        expect((await failure(config(), environment({ url: "https://127.0.0.1:1", caFile: ca }))).message).toBe(
            `stack dev: the verification cannot read ${ca} (ENOENT): its pod needs its service account token and the cluster's CA mounted (automountServiceAccountToken must not be off)`,
        );
    });

    test("the API server's certificate is not the cluster CA's (not retried)", async () => {
        const secure = await startFakeKubernetesApi(kubeKnobs(), selfSignedCertificate(dir, "api"));
        closers.push(() => secure.close());
        const caFile = selfSignedCertificate(dir, "other-ca").certFile;
        expect((await failure(config({ waitSeconds: 30 }), environment({ url: secure.url, caFile }))).message).toBe(
            `stack dev: the Kubernetes API ${secure.url} presented a certificate the verification does not trust (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate): ` +
                `it checks it against the cluster's CA in ${caFile}, the pod's service account CA`,
        );
        expect(secure.reads).toEqual([]);
    });

    test("the API does not answer", async () => {
        const url = `http://127.0.0.1:${await closedPort()}`;
        expect((await failure(config(), environment({ url }))).message).toBe(
            `stack dev: the Kubernetes API ${url} did not answer GET /api/v1/namespaces/${NAMESPACE} (connection refused): a NetworkPolicy may block the verification's egress to the API server`,
        );
    });

    test("the API answers 500 until the wait ends", async () => {
        kube.knobs.errorStatus = 500;
        expect((await failure(config())).message).toBe(
            `stack dev: the Kubernetes API answered GET /api/v1/namespaces/${NAMESPACE} with HTTP 500: "Internal error occurred: etcdserver: request timed out" for 0.3 s, expected 200`,
        );
    });
});
