/**
 * Fakes of AWS STS and S3 (or an S3-compatible store) on 127.0.0.1, for the probe's workload stage. Every signed
 * request is verified with the real signer, @smithy/signature-v4 (what the AWS SDK for JavaScript signs with): the
 * request received is signed again with the same method, path, query, signed headers and date, and the result must
 * equal the Authorization header received, else the fake answers SignatureDoesNotMatch as AWS does.
 */
import { createHash, randomBytes } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { ProbeEnvironment } from "../../verification/probe/environment";

/** A key the fakes know: long-lived (static) or issued by the fake STS. */
export interface KnownKey {
    /** The access key id. */
    readonly accessKeyId: string;
    /** The secret access key. */
    readonly secretAccessKey: string;
    /** The session token temporary credentials must send. */
    readonly sessionToken?: string;
    /** Who the key is, as GetCallerIdentity answers (`arn:aws:sts::…:assumed-role/…`, `arn:aws:iam::…:user/…`). */
    readonly arn: string;
}

/** The keys STS issues and S3 accepts, shared by the fakes of one test. */
export class Keyring {
    private readonly keys = new Map<string, KnownKey>();

    /** Makes a key known. */
    add(key: KnownKey): KnownKey {
        this.keys.set(key.accessKeyId, key);
        return key;
    }

    /** The key with this id, if known. */
    find(accessKeyId: string): KnownKey | undefined {
        return this.keys.get(accessKeyId);
    }

    /** Every key known (to check that none leaks into a message). */
    all(): KnownKey[] {
        return [...this.keys.values()];
    }
}

/** A request a fake received. */
export interface ReceivedRequest {
    /** The method. */
    readonly method: string;
    /** The path and query as received. */
    readonly url: string;
    /** The headers (lower-case names). */
    readonly headers: http.IncomingHttpHeaders;
    /** The body as text. */
    readonly body: string;
}

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) => Promise<void> | void;

/** A fake server that can be closed. */
interface Listening {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    /** Stops listening and drops open connections. */
    readonly close: () => Promise<void>;
}

async function listen(handler: Handler, requests: ReceivedRequest[]): Promise<Listening> {
    const server = http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8") });
            Promise.resolve(handler(req, body, res)).catch((err: unknown) => {
                res.writeHead(500);
                res.end(String(err));
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

function xmlEscape(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function sendXml(res: http.ServerResponse, status: number, xml: string): void {
    res.writeHead(status, { "content-type": "text/xml" });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
}

/** An error the signature check found, as AWS answers it. */
interface SignatureError {
    /** The HTTP status. */
    readonly status: number;
    /** The error code, e.g. `SignatureDoesNotMatch`. */
    readonly code: string;
    /** AWS's message for it. */
    readonly message: string;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * Checks a request's SigV4 Authorization header by signing the request again with @smithy/signature-v4. Returns
 * the key that signed it, or the error AWS would answer. S3 signs the path as sent (uriEscapePath off); other
 * services encode it again.
 */
export async function verifySignature(
    req: http.IncomingMessage,
    body: Buffer,
    expected: { readonly service: string; readonly region: string; readonly keyring: Keyring; readonly unknownKeyCode: string },
): Promise<{ readonly key: KnownKey } | { readonly error: SignatureError }> {
    const authorization = req.headers.authorization ?? "";
    const parsed = AUTHORIZATION.exec(authorization);
    if (!parsed) {
        return { error: { status: 403, code: authorization ? "IncompleteSignature" : "MissingAuthenticationToken", message: "Request is missing a valid Authentication Token" } };
    }
    const [, accessKeyId, , region, service, signedHeaderList] = parsed;
    const key = expected.keyring.find(accessKeyId);
    if (!key) {
        return { error: { status: 403, code: expected.unknownKeyCode, message: "The AWS Access Key Id you provided does not exist in our records." } };
    }
    if (region !== expected.region || service !== expected.service) {
        return { error: { status: 400, code: "AuthorizationHeaderMalformed", message: `the region '${region}' is wrong; expecting '${expected.region}'` } };
    }
    const amzDate = String(req.headers["x-amz-date"] ?? "");
    const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
    if (!dateMatch) {
        return { error: { status: 403, code: "AccessDenied", message: "AWS authentication requires a valid Date or x-amz-date header" } };
    }
    const signingDate = new Date(Date.UTC(+dateMatch[1], +dateMatch[2] - 1, +dateMatch[3], +dateMatch[4], +dateMatch[5], +dateMatch[6]));
    if (Math.abs(Date.now() - signingDate.getTime()) > 15 * 60 * 1000) {
        return { error: { status: 403, code: "RequestTimeTooSkewed", message: "The difference between the request time and the current time is too large." } };
    }
    const signedHeaders = signedHeaderList.split(";");
    if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) {
        return { error: { status: 403, code: "SignatureDoesNotMatch", message: "host and x-amz-date must be signed" } };
    }
    if (key.sessionToken !== undefined && req.headers["x-amz-security-token"] !== key.sessionToken) {
        return { error: { status: 400, code: "InvalidToken", message: "The provided token is malformed or otherwise invalid." } };
    }
    const contentHash = req.headers["x-amz-content-sha256"];
    if (contentHash !== undefined && contentHash !== createHash("sha256").update(body).digest("hex")) {
        return { error: { status: 400, code: "XAmzContentSHA256Mismatch", message: "The provided 'x-amz-content-sha256' header does not match what was computed." } };
    }

    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
        const value = req.headers[name];
        headers[name] = Array.isArray(value) ? value.join(",") : (value ?? "");
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
        const existing = query[name];
        query[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    const host = headers.host ?? "";
    const signer = new SignatureV4({
        service: expected.service,
        region: expected.region,
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken },
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: expected.service !== "s3",
    });
    const resigned = await signer.sign(
        {
            method: req.method ?? "GET",
            protocol: "http:",
            hostname: host.split(":")[0],
            // The path as received: S3 signs it as sent.
            path: (req.url ?? "/").split("?")[0],
            query,
            headers,
            body,
        },
        { signingDate },
    );
    if (resigned.headers.authorization !== authorization) {
        return {
            error: {
                status: 403,
                code: "SignatureDoesNotMatch",
                message: "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            },
        };
    }
    return { key };
}

/** What the fake STS accepts. */
export interface StsState {
    /** The region of its endpoint (signatures must be for it). */
    region: string;
    /** The web identity token it accepts (the projected token file's content); another is InvalidIdentityToken. */
    webIdentityToken: string;
    /** Roles whose trust policy admits the token's subject; another role is AccessDenied. */
    trustedRoles: string[];
    /** Refuse AssumeRoleWithWebIdentity with this error whatever the request. */
    assumeError?: { readonly status: number; readonly code: string; readonly message: string };
    /** Hand out a secret key in the answer that differs from the one it keeps (signatures then fail). */
    issueWrongSecret: boolean;
    /** Answer GetCallerIdentity with this ARN instead of the key's. */
    callerArn?: string;
    /** Answer the next this many requests with 503 (transient). */
    failNext: number;
}

/** The fake STS. */
export interface FakeSts extends Listening {
    /** What it accepts; change between tests. */
    readonly state: StsState;
    /** Every request received. */
    readonly requests: ReceivedRequest[];
    /** The keys it issued (and the static ones the test added). */
    readonly keyring: Keyring;
}

function stsError(res: http.ServerResponse, status: number, code: string, message: string): void {
    // https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html: the Query API's ErrorResponse.
    sendXml(
        res,
        status,
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${randomBytes(8).toString("hex")}</RequestId></ErrorResponse>`,
    );
}

/**
 * Starts a fake STS (Query API, POST form): AssumeRoleWithWebIdentity (unsigned) issues temporary credentials into
 * the keyring; GetCallerIdentity (signed, verified) answers the ARN of the key that signed.
 */
export async function startFakeSts(initial: Pick<StsState, "region" | "webIdentityToken" | "trustedRoles"> & Partial<StsState>, keyring = new Keyring()): Promise<FakeSts> {
    const state: StsState = { failNext: 0, issueWrongSecret: false, ...initial };
    const requests: ReceivedRequest[] = [];
    const server = await listen(async (req, body, res) => {
        if (state.failNext > 0) {
            state.failNext--;
            stsError(res, 503, "ServiceUnavailable", "Service is unavailable");
            return;
        }
        const form = new URLSearchParams(body.toString("utf8"));
        if (req.method !== "POST" || form.get("Version") !== "2011-06-15") {
            stsError(res, 400, "InvalidAction", "Could not find operation");
            return;
        }
        const action = form.get("Action");
        if (action === "AssumeRoleWithWebIdentity") {
            if (state.assumeError) {
                stsError(res, state.assumeError.status, state.assumeError.code, state.assumeError.message);
                return;
            }
            const roleArn = form.get("RoleArn") ?? "";
            const session = form.get("RoleSessionName") ?? "";
            if (form.get("WebIdentityToken") !== state.webIdentityToken) {
                stsError(res, 400, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://oidc.eks.eu-central-1.amazonaws.com/id/FAKE");
                return;
            }
            const role = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(roleArn);
            if (!role || !state.trustedRoles.includes(roleArn)) {
                stsError(res, 403, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
                return;
            }
            const key = keyring.add({
                accessKeyId: `ASIA${randomBytes(8).toString("hex").toUpperCase()}`,
                secretAccessKey: randomBytes(30).toString("base64"),
                sessionToken: `IQoJb3JpZ2luX2Vj${randomBytes(48).toString("base64")}`,
                arn: `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/${session}`,
            });
            sendXml(
                res,
                200,
                `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:fake:default</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>${xmlEscape(key.arn)}</Arn>
      <AssumedRoleId>AROAFAKE:${xmlEscape(session)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>${xmlEscape(key.sessionToken ?? "")}</SessionToken>
      <SecretAccessKey>${xmlEscape(state.issueWrongSecret ? `${key.secretAccessKey}x` : key.secretAccessKey)}</SecretAccessKey>
      <Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration>
      <AccessKeyId>${key.accessKeyId}</AccessKeyId>
    </Credentials>
    <Provider>arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/FAKE</Provider>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>${randomBytes(8).toString("hex")}</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>`,
            );
            return;
        }
        if (action === "GetCallerIdentity") {
            const verified = await verifySignature(req, body, { service: "sts", region: state.region, keyring, unknownKeyCode: "InvalidClientTokenId" });
            if ("error" in verified) {
                stsError(res, verified.error.status, verified.error.code, verified.error.message);
                return;
            }
            const account = /:(\d{12}):/.exec(verified.key.arn)?.[1] ?? "";
            sendXml(
                res,
                200,
                `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>${xmlEscape(state.callerArn ?? verified.key.arn)}</Arn>
    <UserId>AROAFAKE:session</UserId>
    <Account>${account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>${randomBytes(8).toString("hex")}</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>`,
            );
            return;
        }
        stsError(res, 400, "InvalidAction", `Could not find operation ${action ?? ""}`);
    }, requests);
    return { ...server, state, requests, keyring };
}

/** A verb the fake S3 refuses on a prefix. */
export interface S3Denial {
    /** The bucket. */
    readonly bucket: string;
    /** Keys starting with this are refused. */
    readonly prefix: string;
    /** The refused verb. */
    readonly verb: "write" | "read" | "delete";
}

/** What the fake S3 holds and refuses. */
export interface S3State {
    /** The region signatures must be for. */
    region: string;
    /** Buckets that exist. */
    buckets: Set<string>;
    /** Refusals, as a policy would answer them (AccessDenied). */
    denials: S3Denial[];
    /**
     * Whether callers may list the bucket: without, S3 answers a missing key with 403 AccessDenied instead of
     * 404 NoSuchKey (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html).
     */
    listBucket: boolean;
    /** Answer deletes with 204 but keep the object. */
    ignoreDeletes: boolean;
    /** Answer every request (after its signature is verified) with this error. */
    forceError?: { readonly status: number; readonly code: string; readonly message: string };
    /** Answer the next this many requests with 503 SlowDown-like errors (transient). */
    failNext: number;
}

/** The fake S3. */
export interface FakeS3 {
    /** The path-style endpoint: `http://127.0.0.1:<port>` (`/<bucket>/<key>`). */
    readonly url: string;
    /** A virtual-hosted bucket's base URL: a listener of its own, where paths are `/<key>`. */
    bucketUrl(bucket: string): string;
    /** What it accepts; change between tests. */
    readonly state: S3State;
    /** The objects, by `<bucket>/<key>`. */
    readonly objects: Map<string, Buffer>;
    /** Every request received, on any listener. */
    readonly requests: ReceivedRequest[];
    /** Stops every listener. */
    close(): Promise<void>;
}

function s3Error(res: http.ServerResponse, status: number, code: string, message: string, extra = ""): void {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
    sendXml(res, status, `<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>${randomBytes(8).toString("hex")}</RequestId><HostId>fake</HostId></Error>`);
}

/**
 * Starts a fake S3: path style on its main listener, virtual-hosted style on one listener per name in
 * `virtualBuckets` (a loopback port stands in for `<bucket>.s3.<region>.amazonaws.com`). PutObject, GetObject and
 * DeleteObject, each signature verified.
 */
export async function startFakeS3(
    initial: Pick<S3State, "region"> & { readonly buckets: readonly string[]; readonly virtualBuckets?: readonly string[] } & Partial<Omit<S3State, "buckets">>,
    keyring: Keyring,
): Promise<FakeS3> {
    const state: S3State = { denials: [], listBucket: true, ignoreDeletes: false, failNext: 0, ...initial, buckets: new Set(initial.buckets) };
    const objects = new Map<string, Buffer>();
    const requests: ReceivedRequest[] = [];

    const handle = async (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, virtualBucket: string | undefined): Promise<void> => {
        if (state.failNext > 0) {
            state.failNext--;
            s3Error(res, 503, "SlowDown", "Please reduce your request rate.");
            return;
        }
        const verified = await verifySignature(req, body, { service: "s3", region: state.region, keyring, unknownKeyCode: "InvalidAccessKeyId" });
        if ("error" in verified) {
            s3Error(res, verified.error.status, verified.error.code, verified.error.message);
            return;
        }
        if (state.forceError) {
            s3Error(res, state.forceError.status, state.forceError.code, state.forceError.message);
            return;
        }
        const path = new URL(req.url ?? "/", "http://fake").pathname;
        const segments = path.slice(1).split("/").map((segment) => decodeURIComponent(segment));
        const bucket = virtualBucket ?? segments.shift() ?? "";
        const key = segments.join("/");
        if (!state.buckets.has(bucket)) {
            s3Error(res, 404, "NoSuchBucket", "The specified bucket does not exist", `<BucketName>${xmlEscape(bucket)}</BucketName>`);
            return;
        }
        const verb = req.method === "PUT" ? "write" : req.method === "GET" ? "read" : req.method === "DELETE" ? "delete" : undefined;
        if (!verb || !key) {
            s3Error(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
            return;
        }
        if (state.denials.some((d) => d.bucket === bucket && d.verb === verb && key.startsWith(d.prefix))) {
            s3Error(res, 403, "AccessDenied", "Access Denied");
            return;
        }
        const id = `${bucket}/${key}`;
        if (verb === "write") {
            objects.set(id, body);
            res.writeHead(200, { etag: `"${createHash("md5").update(body).digest("hex")}"` });
            res.end();
        } else if (verb === "read") {
            const stored = objects.get(id);
            if (stored) {
                res.writeHead(200, { "content-type": "text/plain" });
                res.end(stored);
            } else if (state.listBucket) {
                s3Error(res, 404, "NoSuchKey", "The specified key does not exist.", `<Key>${xmlEscape(key)}</Key>`);
            } else {
                s3Error(res, 403, "AccessDenied", "Access Denied");
            }
        } else {
            if (!state.ignoreDeletes) {
                objects.delete(id);
            }
            res.writeHead(204);
            res.end();
        }
    };

    const main = await listen((req, body, res) => handle(req, body, res, undefined), requests);
    const virtual = new Map<string, Listening>();
    for (const bucket of initial.virtualBuckets ?? []) {
        virtual.set(bucket, await listen((req, body, res) => handle(req, body, res, bucket), requests));
    }
    return {
        url: main.url,
        bucketUrl: (bucket) => {
            const listener = virtual.get(bucket);
            if (!listener) {
                throw new Error(`the fake S3 has no virtual-hosted listener for ${bucket}`);
            }
            return listener.url;
        },
        state,
        objects,
        requests,
        close: async () => {
            await Promise.all([main.close(), ...[...virtual.values()].map((listener) => listener.close())]);
        },
    };
}

/**
 * A ProbeEnvironment whose cloud addresses are fakes (either cloud's: GKE's metadata server and Cloud Storage, STS
 * and S3); what a part leaves out points at a closed port, so that a call to it fails as unreachable.
 */
export function fakeEnvironment(parts: {
    readonly gcpMetadataUrl?: string;
    readonly gcsUrl?: string;
    readonly stsUrl?: string;
    readonly s3BucketUrl?: (bucket: string, region: string) => string;
    readonly variables?: Readonly<Record<string, string | undefined>>;
}): ProbeEnvironment {
    // A privileged port nothing listens on, and not one fetch refuses to dial (https://fetch.spec.whatwg.org/#bad-port).
    const nowhere = "http://127.0.0.1:47";
    return {
        serviceAddress: () => ({ host: "127.0.0.1", port: 9 }),
        kubernetesApi: { url: nowhere, tokenFile: "/nonexistent/token" },
        gcpMetadataUrl: parts.gcpMetadataUrl ?? nowhere,
        gcsUrl: parts.gcsUrl ?? nowhere,
        stsUrl: () => parts.stsUrl ?? nowhere,
        s3BucketUrl: parts.s3BucketUrl ?? ((bucket) => `${nowhere}/${bucket}`),
        variables: parts.variables ?? {},
        terminationMessageFile: "/dev/null",
    };
}
