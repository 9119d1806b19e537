/**
 * AWS Signature Version 4 in headers, for STS's GetCallerIdentity and S3's object calls, with node:crypto only.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac } from "node:crypto";
import { percentEncode } from "./transport.ts";

/** Keys to sign with: an access key pair, and with temporary credentials their session token. */
export interface AwsCredentials {
    /** The access key id (`AKIA…` long-lived, `ASIA…` temporary). */
    readonly accessKeyId: string;
    /** The secret access key. */
    readonly secretAccessKey: string;
    /** The session token of temporary credentials, sent as `x-amz-security-token`. */
    readonly sessionToken?: string;
}

/** What is signed: the request as it will be sent. */
export interface SignableRequest {
    /** The HTTP method. */
    readonly method: string;
    /** The full URL; its host (with a non-default port) is the `host` header fetch will send. */
    readonly url: string;
    /** Headers to send and sign besides those the signer adds (e.g. `content-type`); names in any case. */
    readonly headers?: Readonly<Record<string, string>>;
    /** The payload (empty when absent). */
    readonly body?: Uint8Array | string;
}

/** Who signs, for which service and region, and when. */
export interface SigningParameters {
    /** The service's signing name, `sts` or `s3`. */
    readonly service: string;
    /** The region signed for, e.g. `eu-central-1` (MinIO: its configured region, by default `us-east-1`). */
    readonly region: string;
    /** The keys. */
    readonly credentials: AwsCredentials;
    /** The signing time; now when absent. */
    readonly date?: Date;
}

/** The algorithm, in the string to sign and the Authorization header. */
const ALGORITHM = "AWS4-HMAC-SHA256";

/**
 * Signs a request: returns the headers to send with it — the caller's, `x-amz-date`, `x-amz-content-sha256` (the
 * payload's SHA-256, which S3 requires), `x-amz-security-token` with temporary credentials, and `authorization`.
 * `host` is signed but not returned: fetch sends it from the URL.
 */
export function signRequest(request: SignableRequest, parameters: SigningParameters): Record<string, string> {
    const url = new URL(request.url);
    const { credentials } = parameters;
    const amzDate = (parameters.date ?? new Date()).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}Z$/, "Z");
    const day = amzDate.slice(0, 8);
    const payloadHash = sha256Hex(request.body ?? "");

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) {
        headers[name.toLowerCase()] = value;
    }
    headers["x-amz-date"] = amzDate;
    headers["x-amz-content-sha256"] = payloadHash;
    if (credentials.sessionToken) {
        headers["x-amz-security-token"] = credentials.sessionToken;
    }
    const signed: Record<string, string> = { ...headers, host: url.host };
    const names = Object.keys(signed).sort();
    const signedHeaders = names.join(";");

    const canonicalRequest = [
        request.method.toUpperCase(),
        canonicalUri(url.pathname, parameters.service),
        canonicalQuery(url.searchParams),
        ...names.map((name) => `${name}:${canonicalHeaderValue(signed[name] ?? "")}`),
        "",
        signedHeaders,
        payloadHash,
    ].join("\n");
    const scope = `${day}/${parameters.region}/${parameters.service}/aws4_request`;
    const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonicalRequest)].join("\n");

    let key: Buffer = hmac(`AWS4${credentials.secretAccessKey}`, day);
    for (const part of [parameters.region, parameters.service, "aws4_request"]) {
        key = hmac(key, part);
    }
    const signature = hmac(key, stringToSign).toString("hex");

    headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return headers;
}

/**
 * The canonical URI. S3 signs the path as sent, each segment URI-encoded once (the caller encodes the key that
 * way) and not normalized; every other service signs the normalized path encoded a second time.
 */
export function canonicalUri(path: string, service: string): string {
    if (service === "s3") {
        return path || "/";
    }
    const segments: string[] = [];
    for (const segment of path.split("/")) {
        if (segment === "" || segment === ".") {
            continue;
        }
        if (segment === "..") {
            segments.pop();
        } else {
            segments.push(segment);
        }
    }
    const trailing = segments.length > 0 && path.endsWith("/") ? "/" : "";
    return percentEncode(`/${segments.join("/")}${trailing}`, true);
}

/** The canonical query string: each name and value encoded, sorted by name, then value. */
export function canonicalQuery(parameters: URLSearchParams): string {
    const pairs = [...parameters].map(([name, value]) => [percentEncode(name), percentEncode(value)] as const);
    pairs.sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB));
    return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

/** Header values are trimmed, and runs of spaces inside them become one. */
function canonicalHeaderValue(value: string): string {
    return value.replace(/[\r\n]/g, " ").replace(/[ \t]+/g, " ").trim();
}

/** Code-unit order, as AWS sorts (not the locale's). */
function compare(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(data: Uint8Array | string): string {
    return createHash("sha256").update(data).digest("hex");
}

function hmac(key: Uint8Array | string, data: string): Buffer {
    return createHmac("sha256", key).update(data, "utf8").digest();
}
