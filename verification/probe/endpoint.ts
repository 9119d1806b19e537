/**
 * The endpoint stage: Flyte as its clients reach it, through the Service the load balancer uses, and the task
 * namespace the workload stage will run in. Each check logs one `ok: …` line or throws one VerificationFailure:
 *
 * 1. flyteadmin's HTTP health (`GET /healthcheck`), waited for while Flyte starts;
 * 2. with authentication, a token for the CI client (client credentials grant);
 * 3. gRPC health (`grpc.health.v1.Health/Check`) on the gRPC port, with the token;
 * 4. `AdminService/ListProjects` lists every configured project;
 * 5. the data proxy signs an upload URL (nothing is uploaded);
 * 6. the task namespace and its service account (with the cloud identity's annotation), waited for while Flyte's
 *    cluster resource sync creates them.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import type { EndpointStage } from "./config.ts";
import type { ProbeEnvironment } from "./environment.ts";
import { errorCode, errorText, VerificationFailure } from "./failure.ts";
import {
    decodeMessage,
    encodeMessage,
    lengthDelimited,
    statusName,
    stringField,
    stringValue,
    unaryCall,
    varintField,
    varintValue,
    type UnaryOutcome,
} from "./grpc.ts";
import { KubernetesCredentialsError, kubernetesClient, type KubernetesClient, type KubernetesResponse } from "./kubernetes.ts";

/** How the stage paces itself; tests shorten both. */
export interface EndpointOptions {
    /** Milliseconds between two attempts of a wait (default 2000). */
    readonly pauseMs?: number;
    /** Milliseconds one request may take (default 5000); the data proxy gets three times as long. */
    readonly requestTimeoutMs?: number;
}

/** flyteadmin's HTTP health handler (flyteadmin/pkg/server/service.go, `mux.HandleFunc("/healthcheck", …)`). */
export const HEALTHCHECK_PATH = "/healthcheck";
/** gRPC's health service (https://github.com/grpc/grpc/blob/master/doc/health-checking.md); flyteadmin registers it. */
export const HEALTH_CHECK_METHOD = "/grpc.health.v1.Health/Check";
/** flyteidl/protos/flyteidl/service/admin.proto: `rpc ListProjects (ProjectListRequest) returns (Projects)`. */
export const LIST_PROJECTS_METHOD = "/flyteidl.service.AdminService/ListProjects";
/** The grpc-gateway route of DataProxyService.CreateUploadLocation (flyteidl/protos/flyteidl/service/dataproxy.proto). */
export const UPLOAD_LOCATION_PATH = "/api/v1/dataproxy/artifact_urn";
/** The object the signed URL is for (never uploaded): `<project>/<domain>/<root>/<name>` under the upload prefix. */
export const PROBE_UPLOAD = { filenameRoot: "flyte-verification", filename: "verification-probe.txt", content: "flyte verification probe\n" };

/** Projects asked for per ListProjects page; flyteadmin returns a next-page token when a page is full. */
const PROJECTS_PAGE = 100;
/** Pages followed at most (a runaway token must not loop). */
const PROJECTS_MAX_PAGES = 50;
/** The longest quote of a server's error in a message. */
const QUOTE_MAX = 300;

/** Runs the endpoint stage; throws VerificationFailure with the first broken link. */
export async function runEndpointStage(
    config: EndpointStage,
    env: ProbeEnvironment,
    log: (line: string) => void,
    options: EndpointOptions = {},
): Promise<void> {
    const stage = new Stage(config, env, log, options);
    await stage.httpHealth();
    const token = config.client === undefined ? undefined : await stage.clientToken(config.client);
    await stage.grpcHealth(token);
    await stage.projects(token);
    await stage.signedUpload(token);
    await stage.taskNamespace();
}

/** What one attempt of a wait saw, and whether that ends the wait (success, or a failure that waiting cannot mend). */
interface Step<S> {
    /** Stop waiting. */
    readonly stop: boolean;
    /** What the attempt saw. */
    readonly seen: S;
}

/** An HTTP exchange with flyteadmin: its status and body, or why nothing answered. */
type HttpOutcome =
    | { readonly kind: "response"; readonly status: number; readonly body: string }
    | { readonly kind: "unreachable"; readonly code: string; readonly reason: string };

class Stage {
    private readonly config: EndpointStage;
    private readonly env: ProbeEnvironment;
    private readonly log: (line: string) => void;
    private readonly pauseMs: number;
    private readonly requestTimeoutMs: number;
    /** Values no message may contain: the client secret and the token, once known. */
    private readonly secrets: string[] = [];
    private readonly http: { readonly host: string; readonly port: number };
    private readonly grpc: { readonly host: string; readonly port: number };

    constructor(config: EndpointStage, env: ProbeEnvironment, log: (line: string) => void, options: EndpointOptions) {
        this.config = config;
        this.env = env;
        this.log = log;
        this.pauseMs = options.pauseMs ?? 2000;
        this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
        this.http = env.serviceAddress(config.service, config.service.httpPort);
        this.grpc = env.serviceAddress(config.service, config.service.grpcPort);
    }

    /** `the Service flyte/flyte-binary-lb port 8088`. */
    private servicePort(port: number): string {
        return `the Service ${this.config.service.namespace}/${this.config.service.name} port ${port}`;
    }

    private fail(check: string, message: string): VerificationFailure {
        let text = `stack ${this.config.stack}: ${message}`;
        for (const secret of this.secrets) {
            if (secret !== "") {
                text = text.split(secret).join("[redacted]");
            }
        }
        return new VerificationFailure(check, text);
    }

    /**
     * Repeats `attempt` until it is done or `waitSeconds` have passed (one budget for the whole wait), pausing between
     * attempts; each attempt gets the request timeout, cut to what is left of the budget (but at least a second).
     */
    private async waitFor<S>(attempt: (timeoutMs: number) => Promise<Step<S>>): Promise<S> {
        const deadline = Date.now() + this.config.waitSeconds * 1000;
        for (;;) {
            const left = deadline - Date.now();
            const step = await attempt(Math.max(Math.min(this.requestTimeoutMs, left), Math.min(this.requestTimeoutMs, 1000)));
            if (step.stop || Date.now() + this.pauseMs >= deadline) {
                return step.seen;
            }
            await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
        }
    }

    private async httpCall(path: string, init: { method: string; headers?: Record<string, string>; body?: string }, timeoutMs: number): Promise<HttpOutcome> {
        const host = this.http.host.includes(":") ? `[${this.http.host}]` : this.http.host;
        const signal = AbortSignal.timeout(timeoutMs);
        try {
            const response = await fetch(`http://${host}:${this.http.port}${path}`, { ...init, redirect: "manual", signal });
            return { kind: "response", status: response.status, body: await response.text() };
        } catch (error) {
            return { kind: "unreachable", ...connectionFailure(error, timeoutMs) };
        }
    }

    /** 1. `GET /healthcheck` answers 200, waited for. */
    async httpHealth(): Promise<void> {
        const where = this.servicePort(this.config.service.httpPort);
        const seen = await this.waitFor<HttpOutcome>(async (timeoutMs) => {
            const outcome = await this.httpCall(HEALTHCHECK_PATH, { method: "GET" }, timeoutMs);
            // Keep trying while nothing answers or something in front of flyteadmin says it is not ready yet.
            return { stop: outcome.kind === "response" && outcome.status < 500, seen: outcome };
        });
        if (seen.kind === "response" && seen.status === 200) {
            this.log(`ok: flyteadmin answers GET ${HEALTHCHECK_PATH} on ${where}`);
            return;
        }
        const check = "http-health";
        const wait = `${this.config.waitSeconds} s`;
        if (seen.kind === "unreachable") {
            throw this.fail(check, `flyteadmin's HTTP health check GET ${HEALTHCHECK_PATH} on ${where} got no answer for ${wait} (${seen.reason}): ${unreachableCause(seen.code, this.config.service, "HTTP")}`);
        }
        if (seen.status === 404) {
            throw this.fail(check, `GET ${HEALTHCHECK_PATH} on ${where} answered HTTP 404, expected 200: that port is not flyteadmin's HTTP port (flyteadmin serves ${HEALTHCHECK_PATH} there): check the Service's targetPort`);
        }
        if (seen.status >= 500) {
            throw this.fail(check, `GET ${HEALTHCHECK_PATH} on ${where} still answered HTTP ${seen.status} after ${wait}, expected 200: flyteadmin is not healthy: see its pod's logs (database, config)`);
        }
        throw this.fail(check, `GET ${HEALTHCHECK_PATH} on ${where} answered HTTP ${seen.status}, expected 200: that port does not lead to flyteadmin's HTTP server`);
    }

    /** 2. A token for the CI client, with the client credentials grant (RFC 6749 §4.4). */
    async clientToken(client: NonNullable<EndpointStage["client"]>): Promise<string> {
        const check = "token";
        let secret: string;
        try {
            secret = fs.readFileSync(client.secretFile, "utf8").trim();
        } catch (error) {
            throw this.fail(check, `cannot read the CI client's secret from ${client.secretFile} (${errorCode(error)}): the verification Job must mount the CI client's Secret there`);
        }
        if (secret === "") {
            throw this.fail(check, `the CI client's secret file ${client.secretFile} is empty: the CI client's Secret has no value`);
        }
        this.secrets.push(secret, formEncode(secret));
        // RFC 6749 §2.3.1: the client id and secret are form-urlencoded, then sent with HTTP Basic.
        const basic = Buffer.from(`${formEncode(client.clientId)}:${formEncode(secret)}`).toString("base64");
        this.secrets.push(basic);
        const body = new URLSearchParams({ grant_type: "client_credentials", scope: client.scope }).toString();
        const where = `flyteadmin's token endpoint ${client.tokenPath} on ${this.servicePort(this.config.service.httpPort)}`;
        const outcome = await this.httpCall(
            client.tokenPath,
            { method: "POST", headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body },
            this.requestTimeoutMs,
        );
        if (outcome.kind === "unreachable") {
            throw this.fail(check, `${where} got no answer (${outcome.reason}): ${unreachableCause(outcome.code, this.config.service, "HTTP")}`);
        }
        const json = parseJson(outcome.body);
        const field = (name: string): string => {
            const value = json !== null && typeof json === "object" ? (json as Record<string, unknown>)[name] : undefined;
            return typeof value === "string" ? value : "";
        };
        if (outcome.status === 200) {
            const token = field("access_token");
            if (token === "") {
                throw this.fail(check, `${where} answered 200 without an access_token: ${client.tokenPath} is not flyteadmin's token endpoint`);
            }
            this.secrets.push(token);
            this.log(`ok: flyteadmin issued a token to client ${client.clientId} (client credentials grant, scope ${client.scope})`);
            return token;
        }
        const error = field("error");
        const seen = `HTTP ${outcome.status}${error === "" ? "" : ` ${error}`}`;
        if (outcome.status === 401 || error === "invalid_client") {
            throw this.fail(check, `${where} rejected client ${client.clientId} (${seen}): the CI client's secret does not match flyteadmin's hash of it: the Secret and the Flyte release are out of step: run pulumi up again`);
        }
        if (outcome.status === 404) {
            throw this.fail(check, `${where} answered HTTP 404: flyteadmin runs without authentication (useAuth off) while the stack expects it, or its token endpoint is not at ${client.tokenPath}`);
        }
        if (error === "invalid_scope") {
            throw this.fail(check, `${where} refused scope ${client.scope} for client ${client.clientId} (${seen}): flyteadmin's selfAuthServer does not grant the CI client that scope`);
        }
        if (error === "unauthorized_client" || error === "unsupported_grant_type") {
            throw this.fail(check, `${where} refused the client credentials grant for client ${client.clientId} (${seen}): flyteadmin's selfAuthServer must allow the CI client the client_credentials grant type`);
        }
        throw this.fail(check, `${where} answered ${seen}, expected 200 with an access_token: ${quote(field("error_description") || outcome.body)}`);
    }

    private grpcCall(path: string, request: Uint8Array, token: string | undefined, timeoutMs: number): Promise<UnaryOutcome> {
        return unaryCall({
            host: this.grpc.host,
            port: this.grpc.port,
            path,
            request,
            timeoutMs,
            ...(token === undefined ? {} : { metadata: { authorization: `Bearer ${token}` } }),
        });
    }

    /** What a gRPC call that did not succeed means, for checks 3 and 4. */
    private grpcFailure(check: string, method: string, outcome: UnaryOutcome, token: string | undefined, waited: boolean): VerificationFailure {
        const where = `${method} on ${this.servicePort(this.config.service.grpcPort)}`;
        const wrongServer =
            `the gRPC port of the Service does not reach flyteadmin's gRPC server: its targetPort must be flyteadmin's gRPC port, ` +
            `and anything in between must speak HTTP/2 (on GKE the Service port needs appProtocol: kubernetes.io/h2c)`;
        if (outcome.kind === "unreachable") {
            if (outcome.code.startsWith("ERR_HTTP2") || outcome.code.startsWith("RST_STREAM")) {
                return this.fail(check, `${where} does not speak cleartext HTTP/2 (${outcome.reason}): ${wrongServer}`);
            }
            const time = waited ? ` for ${this.config.waitSeconds} s` : "";
            return this.fail(check, `${where} got no answer${time} (${CONNECTION_ERRORS[outcome.code] ?? outcome.reason}): ${unreachableCause(outcome.code, this.config.service, "gRPC")}`);
        }
        if (outcome.kind === "not-grpc") {
            const type = outcome.contentType === "" ? "no content-type" : outcome.contentType;
            return this.fail(check, `${where} answered HTTP ${outcome.httpStatus} (${type}), not gRPC: ${wrongServer}`);
        }
        const seen = `${statusName(outcome.code)}${outcome.details === "" ? "" : `: ${quote(outcome.details)}`}`;
        if (outcome.code === 16) {
            return token === undefined
                ? this.fail(check, `${where} answered ${seen}: flyteadmin requires authentication but the verification has no client: the stack's config and the Flyte release are out of step: run pulumi up again`)
                : this.fail(check, `${where} refused the CI client's token (${seen}): flyteadmin issued it but does not accept it: its audience is not among flyteadmin's allowed audiences (selfAuthServer / appAuth authorizedUris must include the URL clients use)`);
        }
        if (outcome.code === 12) {
            return this.fail(check, `${where} answered ${seen}: ${wrongServer}`);
        }
        return this.fail(check, `${where} answered ${seen}: see flyteadmin's logs`);
    }

    /** 3. `grpc.health.v1.Health/Check` with `service: ""` answers SERVING, waited for. */
    async grpcHealth(token: string | undefined): Promise<void> {
        // HealthCheckRequest { string service = 1; } with service "" is the empty message.
        const request = encodeMessage(stringField(1, ""));
        const outcome = await this.waitFor<UnaryOutcome>(async (timeoutMs) => {
            const outcome = await this.grpcCall(HEALTH_CHECK_METHOD, request, token, timeoutMs);
            // Keep trying while nothing answers, or flyteadmin (or a proxy in front) is not ready yet.
            const retry =
                (outcome.kind === "unreachable" && !outcome.code.startsWith("ERR_HTTP2") && !outcome.code.startsWith("RST_STREAM")) ||
                (outcome.kind === "status" && (outcome.code === 14 || outcome.code === 4)) ||
                (outcome.kind === "not-grpc" && outcome.httpStatus >= 502 && outcome.httpStatus <= 504);
            return { stop: !retry, seen: outcome };
        });
        const check = "grpc-health";
        if (outcome.kind !== "status" || outcome.code !== 0 || outcome.response === undefined) {
            throw this.grpcFailure(check, "gRPC health check", outcome, token, true);
        }
        // HealthCheckResponse { ServingStatus status = 1; } with SERVING = 1.
        let status: number;
        try {
            status = varintValue(decodeMessage(outcome.response), 1);
        } catch (error) {
            throw this.fail(check, `gRPC health check on ${this.servicePort(this.config.service.grpcPort)} answered a malformed HealthCheckResponse (${errorText(error)}): that port is not flyteadmin's gRPC server`);
        }
        if (status !== 1) {
            const name = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"][status] ?? "UNKNOWN";
            throw this.fail(check, `gRPC health check on ${this.servicePort(this.config.service.grpcPort)} reports ${name} (${status}), expected SERVING: flyteadmin's gRPC server is not serving: see its logs`);
        }
        this.log(`ok: flyteadmin's gRPC health check on ${this.servicePort(this.config.service.grpcPort)} reports SERVING${token === undefined ? "" : " (with the CI client's token)"}`);
    }

    /** 4. `AdminService/ListProjects` lists every configured project. */
    async projects(token: string | undefined): Promise<void> {
        const check = "projects";
        const listed: string[] = [];
        let pageToken = "";
        for (let page = 0; page < PROJECTS_MAX_PAGES; page++) {
            // ProjectListRequest { uint32 limit = 1; string token = 2; … } (flyteidl/admin/project.proto). A limit of 0
            // means no limit in flyteadmin's repository, but its next-page token logic assumes a limit: ask in pages.
            const request = encodeMessage([...varintField(1, PROJECTS_PAGE), ...stringField(2, pageToken)]);
            const outcome = await this.grpcCall(LIST_PROJECTS_METHOD, request, token, this.requestTimeoutMs);
            if (outcome.kind !== "status" || outcome.code !== 0 || outcome.response === undefined) {
                throw this.grpcFailure(check, "ListProjects", outcome, token, false);
            }
            // Projects { repeated Project projects = 1; string token = 2; }, Project { string id = 1; … }.
            let fields;
            try {
                fields = decodeMessage(outcome.response);
                for (const project of lengthDelimited(fields, 1)) {
                    listed.push(stringValue(decodeMessage(project), 1));
                }
            } catch (error) {
                throw this.fail(check, `ListProjects on ${this.servicePort(this.config.service.grpcPort)} answered a malformed Projects message (${errorText(error)}): that port is not flyteadmin's gRPC server`);
            }
            pageToken = stringValue(fields, 2);
            if (pageToken === "") {
                break;
            }
        }
        const missing = this.config.projects.filter((project) => !listed.includes(project));
        if (missing.length > 0) {
            const names = missing.map((project) => `"${project}"`).join(", ");
            const lists = listed.length === 0 ? "no project at all" : listed.map((project) => `"${project}"`).join(", ");
            throw this.fail(
                check,
                `flyteadmin does not list the project${missing.length === 1 ? "" : "s"} ${names} (it lists ${lists}): flyteadmin creates projects from its config when it starts ` +
                    `(the release's seedProjects), so it has not restarted since they were added, or the project was archived`,
            );
        }
        this.log(`ok: flyteadmin lists the project${this.config.projects.length === 1 ? "" : "s"} ${this.config.projects.join(", ")}`);
    }

    /** 5. The data proxy creates a signed upload URL (nothing is uploaded: the object would stay behind). */
    async signedUpload(token: string | undefined): Promise<void> {
        const check = "signed-upload";
        const { project, domain } = this.config.signedUpload;
        const md5 = createHash("md5").update(PROBE_UPLOAD.content).digest("base64");
        // CreateUploadLocationRequest as grpc-gateway's JSON (proto field names; bytes in base64, a Duration as "<n>s").
        // flyteadmin/dataproxy/service.go needs project, domain and content_md5 or filename_root; with filename and
        // filename_root it first checks that no other object is at that path.
        const body = JSON.stringify({
            project,
            domain,
            filename: PROBE_UPLOAD.filename,
            filename_root: PROBE_UPLOAD.filenameRoot,
            content_md5: md5,
            expires_in: "300s",
        });
        const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
        if (token !== undefined) {
            headers.authorization = `Bearer ${token}`;
        }
        // flyteadmin asks the store (and, on GCS, the IAM API to sign) before it answers.
        const outcome = await this.httpCall(UPLOAD_LOCATION_PATH, { method: "POST", headers, body }, this.requestTimeoutMs * 3);
        const what = `flyteadmin's data proxy (POST ${UPLOAD_LOCATION_PATH} on ${this.servicePort(this.config.service.httpPort)}) could not create a signed upload URL for ${project}/${domain}`;
        if (outcome.kind === "unreachable") {
            throw this.fail(check, `${what} (${outcome.reason}): ${unreachableCause(outcome.code, this.config.service, "HTTP")}`);
        }
        const json = parseJson(outcome.body);
        const record = json !== null && typeof json === "object" ? (json as Record<string, unknown>) : {};
        if (outcome.status === 200) {
            const url = record.signed_url ?? record.signedUrl;
            if (typeof url !== "string" || url === "") {
                throw this.fail(check, `${what}: it answered 200 without a signed_url: that port is not flyteadmin's HTTP API`);
            }
            this.log(`ok: flyteadmin's data proxy signs upload URLs for ${project}/${domain}`);
            return;
        }
        const error = typeof record.message === "string" ? record.message : outcome.body;
        const seen = `HTTP ${outcome.status}: ${quote(error)}`;
        if (outcome.status === 401) {
            throw this.fail(check, `${what} (${seen}): flyteadmin's HTTP API did not accept the CI client's token`);
        }
        if (outcome.status === 404 && typeof record.message !== "string") {
            throw this.fail(check, `${what} (${seen}): ${UPLOAD_LOCATION_PATH} is not served there: the port is not flyteadmin's HTTP API`);
        }
        throw this.fail(check, `${what} (${seen}): ${signingCause(error)}`);
    }

    /** 6. The task namespace exists, and its service account with the cloud identity's annotation; both waited for. */
    async taskNamespace(): Promise<void> {
        const check = "task-namespace";
        const { name, serviceAccount, annotation } = this.config.taskNamespace;
        let client: KubernetesClient;
        try {
            client = kubernetesClient(this.env.kubernetesApi);
        } catch (error) {
            const reason = error instanceof KubernetesCredentialsError ? error.message : errorText(error);
            throw this.fail(check, `the verification ${reason}: its pod needs its service account token and the cluster's CA mounted (automountServiceAccountToken must not be off)`);
        }
        const get = async (path: string, timeoutMs: number): Promise<ApiSeen> => {
            try {
                return { kind: "response", response: await client.get(path, timeoutMs) };
            } catch (error) {
                return { kind: "unreachable", ...connectionFailure(error, timeoutMs) };
            }
        };
        /** The failure of a read that found no object (for a 404, `missing`), after the wait. */
        const failure = (path: string, seen: ApiSeen, missing: string): VerificationFailure => {
            if (seen.kind === "unreachable" && untrusted(seen)) {
                return this.fail(
                    check,
                    `the Kubernetes API ${client.url} presented a certificate the verification does not trust (${seen.reason}): ` +
                        `it checks it against the cluster's CA in ${this.env.kubernetesApi.caFile ?? "(no CA file)"}, the pod's service account CA`,
                );
            }
            if (seen.kind === "unreachable") {
                return this.fail(check, `the Kubernetes API ${client.url} did not answer GET ${path} (${seen.reason}): a NetworkPolicy may block the verification's egress to the API server`);
            }
            const status = seen.response.status;
            const detail = statusMessage(seen.response.body);
            if (status === 401) {
                return this.fail(check, `the Kubernetes API did not accept the verification's service account token for GET ${path} (401 Unauthorized${detail}): the pod must run with the token of the Job's own service account`);
            }
            if (status === 403) {
                return this.fail(
                    check,
                    `the Kubernetes API refused GET ${path} (403 Forbidden${detail}): the verification's own RBAC is missing: its service account needs a ClusterRole with get on the namespace ${name} and on serviceaccounts named ${serviceAccount}`,
                );
            }
            if (status === 404) {
                return this.fail(check, missing);
            }
            return this.fail(check, `the Kubernetes API answered GET ${path} with HTTP ${status}${detail} for ${this.config.waitSeconds} s, expected 200`);
        };
        // 401, 403 and an untrusted certificate do not mend by waiting; a missing object (404), a server error or no
        // answer may.
        const settled = (seen: ApiSeen): boolean =>
            untrusted(seen) || (seen.kind === "response" && (seen.response.status === 200 || seen.response.status === 401 || seen.response.status === 403));

        const namespacePath = `/api/v1/namespaces/${encodeURIComponent(name)}`;
        const namespace = await this.waitFor<ApiSeen>(async (timeoutMs) => {
            const seen = await get(namespacePath, timeoutMs);
            return { stop: settled(seen), seen };
        });
        if (namespace.kind !== "response" || namespace.response.status !== 200) {
            throw failure(
                namespacePath,
                namespace,
                `the task namespace ${name} does not exist after ${this.config.waitSeconds} s: Flyte's cluster resource sync has not created it: check flyteadmin's logs for cluster_resources`,
            );
        }
        this.log(`ok: the task namespace ${name} exists`);

        const account = `the service account ${name}/${serviceAccount}`;
        const accountPath = `${namespacePath}/serviceaccounts/${encodeURIComponent(serviceAccount)}`;
        const found = await this.waitFor<ApiSeen>(async (timeoutMs) => {
            const seen = await get(accountPath, timeoutMs);
            // The annotation comes with the sync's next pass (every minute): wait for the expected value too.
            const annotated = annotation === undefined || annotationValue(seen, annotation.key) === annotation.value;
            return { stop: settled(seen) && (seen.kind !== "response" || seen.response.status !== 200 || annotated), seen };
        });
        if (found.kind !== "response" || found.response.status !== 200) {
            throw failure(
                accountPath,
                found,
                `${account} does not exist after ${this.config.waitSeconds} s: Kubernetes creates it with the namespace, and Flyte's cluster resource templates must not delete it: check flyteadmin's logs for cluster_resources`,
            );
        }
        if (annotation === undefined) {
            this.log(`ok: ${account} exists`);
            return;
        }
        const value = annotationValue(found, annotation.key);
        if (value === undefined) {
            throw this.fail(
                check,
                `${account} has no annotation ${annotation.key} after ${this.config.waitSeconds} s, expected "${annotation.value}": Flyte's cluster resource sync has not annotated it: check the release's cluster resource templates and flyteadmin's logs for cluster_resources`,
            );
        }
        if (value !== annotation.value) {
            throw this.fail(
                check,
                `${account} has ${annotation.key} "${value}", expected "${annotation.value}": the cluster resource templates give task pods another identity: the release and the stack are out of step (run pulumi up again), or the annotation was changed by hand`,
            );
        }
        this.log(`ok: ${account} carries ${annotation.key}: ${annotation.value}`);
    }
}

/** What one read of the Kubernetes API saw. */
type ApiSeen =
    | { readonly kind: "response"; readonly response: KubernetesResponse }
    | { readonly kind: "unreachable"; readonly code: string; readonly reason: string };

/** A TLS failure: the API server's certificate does not verify against the CA (Node's TLS error codes). */
function untrusted(seen: ApiSeen): boolean {
    return seen.kind === "unreachable" && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(seen.code);
}

/** The annotation's value in a ServiceAccount the API returned, undefined when it has none. */
function annotationValue(seen: ApiSeen, key: string): string | undefined {
    if (seen.kind !== "response") {
        return undefined;
    }
    const metadata = (seen.response.body as { metadata?: { annotations?: Record<string, unknown> } } | undefined)?.metadata;
    const value = metadata?.annotations?.[key];
    return typeof value === "string" ? value : undefined;
}

/** `: <message>` of a Kubernetes `Status` body, or "". */
function statusMessage(body: unknown): string {
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === "string" && message !== "" ? `: ${quote(message)}` : "";
}

/** What flyteadmin's signing error usually means (it reports the store's error as it got it). */
function signingCause(error: string): string {
    if (/signBlob|serviceAccountTokenCreator|iam\.serviceAccounts|SignBytes|credentials\.sign/i.test(error)) {
        return "flyteadmin's Google service account cannot sign: it needs roles/iam.serviceAccountTokenCreator on itself (signBlob is denied)";
    }
    if (/NoCredentialProviders|no valid providers|WebIdentity|AssumeRole|credential/i.test(error)) {
        return "flyteadmin has no AWS credentials for its role: check the IRSA annotation on flyteadmin's service account and the role's trust policy";
    }
    if (/failed to check if file exists/i.test(error)) {
        return "flyteadmin cannot read the metadata bucket: its identity needs read access to it (and the bucket must exist)";
    }
    return (
        "flyteadmin's identity usually cannot sign: on GCS its Google service account lacks roles/iam.serviceAccountTokenCreator on itself (signBlob is denied); " +
        "on S3 it has no credentials for its role"
    );
}

/** Why a Service port gives no answer, by the socket error's code. */
function unreachableCause(code: string, service: EndpointStage["service"], what: string): string {
    const name = `${service.namespace}/${service.name}`;
    if (code === "ECONNREFUSED") {
        return `the Service ${name} selects no ready flyteadmin pod, or its port does not lead to flyteadmin's ${what} port`;
    }
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
        return `the Service ${name} does not exist (its name does not resolve)`;
    }
    if (code === "TIMEOUT") {
        return `nothing answers behind the Service ${name}: a NetworkPolicy may drop the verification's traffic, or flyteadmin hangs`;
    }
    return `the connection to the Service ${name} failed: its port may not lead to flyteadmin's ${what} port`;
}

/** The code and a readable reason of a failed request (fetch wraps the socket error in `cause`). */
function connectionFailure(error: unknown, timeoutMs: number): { code: string; reason: string } {
    const name = (error as { name?: unknown } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
        return { code: "TIMEOUT", reason: `no answer within ${timeoutMs / 1000} s` };
    }
    const cause = (error as { cause?: unknown } | null)?.cause;
    const code = errorCode(cause ?? error);
    return { code, reason: code === "TIMEOUT" ? `no answer within ${timeoutMs / 1000} s` : (CONNECTION_ERRORS[code] ?? `${code}: ${errorText(cause ?? error)}`) };
}

/** Socket errors in words (undici, fetch's client, reports a closed connection as UND_ERR_SOCKET). */
const CONNECTION_ERRORS: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "the name does not resolve",
    EAI_AGAIN: "the name does not resolve",
    ECONNRESET: "the connection was reset",
    UND_ERR_SOCKET: "the connection was closed",
    EHOSTUNREACH: "no route to the host",
};

function parseJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return undefined;
    }
}

/** A server's text, quoted on one line and cut short. */
function quote(text: string): string {
    const flat = text.replace(/\s+/g, " ").trim();
    return `"${flat.length > QUOTE_MAX ? `${flat.slice(0, QUOTE_MAX - 1)}…` : flat}"`;
}

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks for the client id and secret in HTTP Basic. */
function formEncode(value: string): string {
    return new URLSearchParams({ v: value }).toString().slice(2);
}
