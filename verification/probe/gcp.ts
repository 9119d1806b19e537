/**
 * The Google identity of a task pod on GKE (Workload Identity's metadata server) and Cloud Storage's JSON API with
 * its access token.
 *
 * Metadata server: https://cloud.google.com/compute/docs/metadata/querying-metadata (every request carries
 * `Metadata-Flavor: Google`, else 403). Under Workload Identity, GKE's metadata server answers for the Google service
 * account named by the Kubernetes service account's `iam.gke.io/gcp-service-account` annotation, or for the
 * workload pool `<project>.svc.id.goog` without one; nodes without GKE_METADATA expose the node's own account
 * https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity,
 * https://cloud.google.com/kubernetes-engine/docs/troubleshooting/authentication (Workload Identity).
 */
import type { WorkloadStage } from "./config.ts";
import { VerificationFailure } from "./failure.ts";
import { type HttpAnswer, percentEncode, quote, send, type TransportOptions, Unreachable } from "./transport.ts";

/** The annotation on a Kubernetes service account that names its Google service account. */
export const GKE_ANNOTATION = "iam.gke.io/gcp-service-account";
/** The metadata server's path of the pod's service account. */
const SERVICE_ACCOUNT_PATH = "/computeMetadata/v1/instance/service-accounts/default";
const METADATA_HEADERS: Readonly<Record<string, string>> = { "Metadata-Flavor": "Google" };

/** The pod's Google identity. */
export interface GoogleIdentity {
    /** The Google service account's email. */
    readonly email: string;
    /** An OAuth access token for it; never printed. */
    readonly accessToken: string;
}

/**
 * Asks the metadata server who the pod is and for an access token, and names the broken link when the answer is
 * the nodes' account, the bare workload pool, another account, or a refusal. GKE's metadata server needs a few
 * seconds before it serves a new pod (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity,
 * limitations), so a wrong answer is asked again, a second apart, until `settleMs` have passed since the first.
 */
export async function verifyGkeIdentity(
    stage: WorkloadStage,
    check: { readonly email: string; readonly nodeEmail?: string },
    metadataUrl: string,
    transport: TransportOptions,
    settleMs = 0,
): Promise<GoogleIdentity> {
    const started = Date.now();
    for (;;) {
        try {
            return await askIdentity(stage, check, metadataUrl, transport);
        } catch (err) {
            if (!(err instanceof VerificationFailure) || Date.now() - started + SETTLE_PAUSE_MS > settleMs) {
                throw err;
            }
            await new Promise((resolve) => setTimeout(resolve, SETTLE_PAUSE_MS));
        }
    }
}

/** The pause between two tries while the metadata server settles. */
const SETTLE_PAUSE_MS = 1000;

async function askIdentity(
    stage: WorkloadStage,
    check: { readonly email: string; readonly nodeEmail?: string },
    metadataUrl: string,
    transport: TransportOptions,
): Promise<GoogleIdentity> {
    const prefix = `stack ${stage.stack}: `;
    const who = `${stage.namespace}/${stage.serviceAccount}`;
    const emailAnswer = await askMetadata(stage, metadataUrl, `${SERVICE_ACCOUNT_PATH}/email`, transport);
    if (emailAnswer.status !== 200) {
        throw new VerificationFailure(
            "identity",
            `${prefix}the GKE metadata server answered ${describeStatus(emailAnswer, [])} when task pods in ${stage.namespace} asked for their service account: Workload Identity is not serving this pod (is the node pool's workload metadata GKE_METADATA?)`,
        );
    }
    const email = quote(emailAnswer.body, [], 200);
    if (email !== check.email) {
        const seen = `${prefix}task pods in ${stage.namespace} run as ${email || "no account"}`;
        if (email === check.nodeEmail || /^\d+-compute@developer\.gserviceaccount\.com$/.test(email)) {
            throw new VerificationFailure(
                "identity",
                `${seen} (the nodes' account), not ${check.email}: the node pool lacks GKE_METADATA (workload metadata) or Workload Identity is off on the cluster`,
            );
        }
        if (email.endsWith(".svc.id.goog")) {
            throw new VerificationFailure(
                "identity",
                `${seen} (the workload pool, no Google service account), not ${check.email}: the service account ${who} lacks the annotation ${GKE_ANNOTATION}=${check.email}`,
            );
        }
        throw new VerificationFailure(
            "identity",
            `${seen}, not ${check.email}: the annotation ${GKE_ANNOTATION} on the service account ${who} names the wrong Google service account`,
        );
    }

    const tokenAnswer = await askMetadata(stage, metadataUrl, `${SERVICE_ACCOUNT_PATH}/token`, transport);
    const accessToken = tokenAnswer.status === 200 ? readAccessToken(tokenAnswer.body) : undefined;
    if (!accessToken) {
        const detail = tokenAnswer.status === 200 ? "an answer without access_token" : describeStatus(tokenAnswer, []);
        // A service account email's domain is `<project>.iam.gserviceaccount.com`.
        const project = /@([^.]+)\.iam\.gserviceaccount\.com$/.exec(check.email)?.[1] ?? "<project>";
        throw new VerificationFailure(
            "identity",
            `${prefix}the GKE metadata server refused an access token for ${check.email} to task pods in ${stage.namespace} (${detail}): ${check.email} does not let ${who} act as it: grant roles/iam.workloadIdentityUser on it to serviceAccount:${project}.svc.id.goog[${who}]`,
        );
    }
    return { email, accessToken };
}

/** `access_token` of the token endpoint's JSON (`{"access_token": …, "expires_in": …, "token_type": "Bearer"}`). */
function readAccessToken(body: Buffer): string | undefined {
    try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        const token = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).access_token : undefined;
        return typeof token === "string" && token ? token : undefined;
    } catch {
        return undefined;
    }
}

async function askMetadata(stage: WorkloadStage, metadataUrl: string, path: string, transport: TransportOptions): Promise<HttpAnswer> {
    try {
        return await send({ method: "GET", url: `${metadataUrl}${path}`, headers: METADATA_HEADERS }, transport);
    } catch (err) {
        if (err instanceof Unreachable) {
            throw new VerificationFailure(
                "identity",
                `stack ${stage.stack}: the GKE metadata server at ${metadataUrl} did not answer task pods in ${stage.namespace} (${err.reason}): Workload Identity's metadata server is not running on the node (node pool without GKE_METADATA), or a NetworkPolicy blocks the pods' egress to it`,
            );
        }
        throw err;
    }
}

/** An answer's status with a brief quote of its body (the token endpoint's refusals carry IAM's reason). */
function describeStatus(answer: HttpAnswer, secrets: readonly string[]): string {
    const text = quote(answer.body, secrets, 160);
    return text ? `${answer.status}: ${text}` : String(answer.status);
}

/** Cloud Storage's answer to an object call. */
export interface GcsAnswer {
    /** The HTTP status. */
    readonly status: number;
    /** The body (the object's bytes for a download). */
    readonly body: Buffer;
    /** `error.message` of a JSON error answer, else a brief quote of the body; empty on success. */
    readonly message: string;
}

/** Where and as whom the object calls go. */
export interface GcsTarget {
    /** The JSON API's base, e.g. `https://storage.googleapis.com`. */
    readonly url: string;
    /** The bearer token. */
    readonly accessToken: string;
    /** Per-request limits. */
    readonly transport: TransportOptions;
}

/**
 * Uploads an object in one request (simple upload).
 * https://cloud.google.com/storage/docs/json_api/v1/objects/insert, https://cloud.google.com/storage/docs/uploading-objects
 */
export function gcsUpload(target: GcsTarget, bucket: string, name: string, body: Uint8Array, contentType = "text/plain"): Promise<GcsAnswer> {
    return gcsCall(target, {
        method: "POST",
        url: `${target.url}/upload/storage/v1/b/${percentEncode(bucket)}/o?uploadType=media&name=${percentEncode(name)}`,
        headers: { "Content-Type": contentType },
        body,
    });
}

/** Downloads an object's bytes (`alt=media`). https://cloud.google.com/storage/docs/json_api/v1/objects/get */
export function gcsDownload(target: GcsTarget, bucket: string, name: string): Promise<GcsAnswer> {
    return gcsCall(target, { method: "GET", url: `${objectUrl(target, bucket, name)}?alt=media` });
}

/** Deletes an object (204 when done). https://cloud.google.com/storage/docs/json_api/v1/objects/delete */
export function gcsDelete(target: GcsTarget, bucket: string, name: string): Promise<GcsAnswer> {
    return gcsCall(target, { method: "DELETE", url: objectUrl(target, bucket, name) });
}

/** An object's resource URL: the name is one path segment, its `/` encoded as `%2F`. */
function objectUrl(target: GcsTarget, bucket: string, name: string): string {
    return `${target.url}/storage/v1/b/${percentEncode(bucket)}/o/${percentEncode(name)}`;
}

async function gcsCall(
    target: GcsTarget,
    request: { readonly method: string; readonly url: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: Uint8Array },
): Promise<GcsAnswer> {
    const answer = await send({ ...request, headers: { ...request.headers, Authorization: `Bearer ${target.accessToken}` } }, target.transport);
    const ok = answer.status >= 200 && answer.status < 300;
    return { status: answer.status, body: answer.body, message: ok ? "" : gcsErrorMessage(answer.body, [target.accessToken]) };
}

/** `error.message` of the JSON API's error answer (https://cloud.google.com/storage/docs/json_api/v1/status-codes). */
function gcsErrorMessage(body: Buffer, secrets: readonly string[]): string {
    try {
        const parsed: unknown = JSON.parse(body.toString("utf8"));
        const error = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>).error : undefined;
        const message = typeof error === "object" && error !== null ? (error as Record<string, unknown>).message : undefined;
        if (typeof message === "string") {
            // IAM's refusals name the account and the permission: long, and worth quoting whole.
            return quote(message, secrets, 300);
        }
    } catch {
        // not JSON: quoted below
    }
    return quote(body, secrets);
}
