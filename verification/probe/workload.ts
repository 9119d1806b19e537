/**
 * The workload stage: runs in a project-domain namespace as its task service account (what a Flyte task pod runs
 * as), checks the cloud identity the pod gets, then writes, reads back and deletes a probe object in each data
 * location the project's tasks use. The first broken link ends the stage with one VerificationFailure.
 */
import { randomBytes } from "node:crypto";
import { type AwsIdentity, STATIC_KEYS_SECRET, staticKeysIdentity, verifyIrsaIdentity } from "./aws.ts";
import type { DataLocation, ObjectStore, WorkloadStage } from "./config.ts";
import type { ProbeEnvironment } from "./environment.ts";
import { VerificationFailure } from "./failure.ts";
import { gcsDelete, gcsDownload, type GcsTarget, gcsUpload, type GoogleIdentity, verifyGkeIdentity } from "./gcp.ts";
import { bucketUrl, deleteObject, getObject, putObject, type S3Target } from "./s3.ts";
import { DEFAULT_TRANSPORT, quote, type TransportOptions, Unreachable } from "./transport.ts";

/** Knobs for tests; a pod runs with the defaults. */
export interface WorkloadOptions {
    /** Per-request timeout and retries (defaults: DEFAULT_TRANSPORT). */
    readonly transport?: Partial<TransportOptions>;
    /** The random part of a probe object's name (default: 16 random hex digits from crypto.randomBytes). */
    readonly probeId?: () => string;
    /** Milliseconds a wrong answer of GKE's metadata server is asked again while it settles on a new pod (default 10 s). */
    readonly identitySettleMs?: number;
}

/** How long GKE's metadata server may take to serve a new pod before its answers count. */
const DEFAULT_IDENTITY_SETTLE_MS = 10_000;

/** Where probe objects go under a location's prefix. */
export const PROBE_FOLDER = "flyte-verification/";

/** Runs the workload stage; logs one `ok: …` line per check passed, throws VerificationFailure on the first failure. */
export async function runWorkloadStage(config: WorkloadStage, env: ProbeEnvironment, log: (line: string) => void, options: WorkloadOptions = {}): Promise<void> {
    const transport: TransportOptions = { ...DEFAULT_TRANSPORT, ...options.transport };
    const store = await connect(config, env, transport, options.identitySettleMs ?? DEFAULT_IDENTITY_SETTLE_MS, log);
    const probeId = options.probeId ?? (() => randomBytes(8).toString("hex"));
    for (const location of config.locations) {
        await probeLocation(config, store, location, probeId(), log);
    }
}

/** The answer to one object call, whichever the store. */
interface ObjectAnswer {
    /** The HTTP status. */
    readonly status: number;
    /** The body. */
    readonly body: Buffer;
    /** S3's error code; empty for Cloud Storage and on success. */
    readonly code: string;
    /** The store's error message; empty on success. */
    readonly message: string;
}

/** A call's outcome: an answer, or none at all. */
type Outcome = { readonly answer: ObjectAnswer } | { readonly unreachable: string };

type Verb = "write" | "read" | "delete";

/** The store as the identity reaches it, with what its messages need. */
interface StoreAccess {
    /** `gs` or `s3`, for object URLs in messages. */
    readonly scheme: "gs" | "s3";
    /** The store for messages: `Cloud Storage`, `S3`, `the S3-compatible store at <endpoint>`. */
    readonly name: string;
    /** Who calls it: an email, a role ARN, `the namespace's static key`. */
    readonly identity: string;
    /** The likely fix when the store does not answer. */
    readonly unreachableFix: string;
    /** The likely fix when it refuses `verb` on a location. */
    readonly deniedFix: (verb: Verb, location: DataLocation) => string;
    /** Whether an answer to reading a deleted object means it is gone. */
    readonly isGone: (answer: ObjectAnswer) => boolean;
    /** The object calls. */
    readonly call: (verb: Verb, bucket: string, key: string, body?: Uint8Array) => Promise<ObjectAnswer>;
}

/** Checks the identity, then builds the store's access with it. */
async function connect(
    config: WorkloadStage,
    env: ProbeEnvironment,
    transport: TransportOptions,
    settleMs: number,
    log: (line: string) => void,
): Promise<StoreAccess> {
    const identity = config.identity;
    let google: GoogleIdentity | undefined;
    let aws: AwsIdentity | undefined;
    if (identity.kind === "gke") {
        google = await verifyGkeIdentity(config, identity, env.gcpMetadataUrl, transport, settleMs);
        log(`ok: task pods in ${config.namespace} run as ${google.email} and get an access token from the GKE metadata server`);
    } else if (identity.kind === "irsa") {
        aws = await verifyIrsaIdentity(config, identity, env, transport);
        log(`ok: task pods in ${config.namespace} assume ${aws.label} through IRSA, and STS knows them as that role`);
    } else {
        aws = staticKeysIdentity(config, env);
        log(`ok: task pods in ${config.namespace} have the store keys of the Secret ${STATIC_KEYS_SECRET}`);
    }

    const store = config.store;
    if (store.kind === "gcs") {
        if (!google) {
            throw mismatchedConfig(config, store);
        }
        return gcsAccess(env, google, transport);
    }
    if (!aws) {
        throw mismatchedConfig(config, store);
    }
    return s3Access(store, env, aws, transport);
}

function mismatchedConfig(config: WorkloadStage, store: ObjectStore): VerificationFailure {
    return new VerificationFailure(
        "config",
        `stack ${config.stack}: the workload stage checks a ${store.kind} store with a ${config.identity.kind} identity, which cannot reach it: a bug in the verification config`,
    );
}

const GCS_PERMISSIONS: Readonly<Record<Verb, string>> = { write: "storage.objects.create", read: "storage.objects.get", delete: "storage.objects.delete" };
const S3_ACTIONS: Readonly<Record<Verb, string>> = { write: "s3:PutObject", read: "s3:GetObject", delete: "s3:DeleteObject" };

function gcsAccess(env: ProbeEnvironment, google: GoogleIdentity, transport: TransportOptions): StoreAccess {
    const target: GcsTarget = { url: env.gcsUrl, accessToken: google.accessToken, transport };
    return {
        scheme: "gs",
        name: "Cloud Storage",
        identity: google.email,
        unreachableFix: "the pods have no route to Cloud Storage (Private Google Access off on the nodes' subnet, or a firewall or NetworkPolicy blocks egress)",
        deniedFix: (verb, location) =>
            `${google.email} lacks ${GCS_PERMISSIONS[verb]} on the bucket ${location.bucket}` +
            (location.prefix ? `, or (with project isolation) its IAM condition does not cover the prefix ${location.prefix}` : ""),
        isGone: (answer) => answer.status === 404,
        call: async (verb, bucket, key, body) => {
            const answer =
                verb === "write"
                    ? await gcsUpload(target, bucket, key, body ?? new Uint8Array())
                    : verb === "read"
                      ? await gcsDownload(target, bucket, key)
                      : await gcsDelete(target, bucket, key);
            return { ...answer, code: "" };
        },
    };
}

function s3Access(store: Exclude<ObjectStore, { readonly kind: "gcs" }>, env: ProbeEnvironment, aws: AwsIdentity, transport: TransportOptions): StoreAccess {
    const compatible = store.kind === "s3-compatible";
    const partition = compatible ? "aws" : aws.partition;
    return {
        scheme: "s3",
        name: compatible ? `the S3-compatible store at ${store.endpoint}` : "S3",
        identity: aws.label,
        unreachableFix: compatible
            ? "the store is down, or a NetworkPolicy blocks the pods' egress to it"
            : "the pods have no route to S3 (no NAT gateway or S3 gateway endpoint, or a NetworkPolicy blocks egress)",
        deniedFix: (verb, location) => {
            const resource = `arn:${partition}:s3:::${location.bucket}/${location.prefix}*`;
            if (compatible) {
                return `the key's policy in the store (MinIO: the user's policy) lacks ${S3_ACTIONS[verb]} on ${resource}`;
            }
            const policy = aws.static ? "the key's IAM policy" : "the role's policy";
            return `${policy} lacks ${S3_ACTIONS[verb]} on ${resource}, or a bucket policy or the bucket's KMS key denies it`;
        },
        // Without s3:ListBucket, S3 answers a missing key with 403 AccessDenied rather than 404 NoSuchKey; here the
        // same key was just read, so a refusal means it is gone. https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
        isGone: (answer) => answer.status === 404 || answer.code === "NoSuchKey" || answer.code === "AccessDenied",
        call: (verb, bucket, key, body) => {
            const target: S3Target = { bucketUrl: bucketUrl(store, bucket, env), region: store.region, credentials: aws.credentials, transport };
            return verb === "write" ? putObject(target, key, body ?? new Uint8Array()) : verb === "read" ? getObject(target, key) : deleteObject(target, key);
        },
    };
}

/** Write, read back, delete, and read again expecting nothing; the object is deleted whenever it was written. */
async function probeLocation(config: WorkloadStage, store: StoreAccess, location: DataLocation, id: string, log: (line: string) => void): Promise<void> {
    const key = `${location.prefix}${PROBE_FOLDER}${id}.txt`;
    const probeUrl = `${store.scheme}://${location.bucket}/${key}`;
    const content = Buffer.from(`flyte verification probe ${id}, written by the stack ${config.stack}'s workload stage\n`, "utf8");
    const attempt = async (verb: Verb, body?: Uint8Array): Promise<Outcome> => {
        try {
            return { answer: await store.call(verb, location.bucket, key, body) };
        } catch (err) {
            if (err instanceof Unreachable) {
                return { unreachable: err.reason };
            }
            throw err;
        }
    };

    const written = await attempt("write", content);
    if (!succeeded(written)) {
        throw refusal(config, store, location, "write", written, "");
    }
    const read = await attempt("read");
    const removed = await attempt("delete");
    const leftBehind = succeeded(removed) ? "" : `; the probe object ${probeUrl} is left behind (its delete failed too: ${detail(removed)})`;
    if (!succeeded(read)) {
        throw refusal(config, store, location, "read", read, leftBehind);
    }
    if (!read.answer.body.equals(content)) {
        throw new VerificationFailure(
            "storage",
            `stack ${config.stack}: the probe object read back from ${probeUrl} (${location.purpose}) is not what ${store.identity} wrote (${read.answer.body.length} bytes instead of ${content.length}): something between the pods and ${store.name} alters objects${leftBehind}`,
        );
    }
    if (!succeeded(removed)) {
        throw refusal(config, store, location, "delete", removed, "");
    }
    const after = await attempt("read");
    if ("answer" in after && store.isGone(after.answer)) {
        log(`ok: ${store.identity} wrote, read back and deleted ${probeUrl} (${location.purpose})`);
        return;
    }
    if (succeeded(after)) {
        throw new VerificationFailure(
            "storage",
            `stack ${config.stack}: the probe object ${probeUrl} (${location.purpose}) can still be read after ${store.identity} deleted it (the delete answered ${removed.answer.status}): ${store.name} keeps deleted objects (a retention policy or object lock?); remove it by hand`,
        );
    }
    throw new VerificationFailure(
        "storage",
        `stack ${config.stack}: reading the deleted probe object ${probeUrl} (${location.purpose}) answered ${detail(after)} instead of "not found"`,
    );
}

function succeeded(outcome: Outcome): outcome is { readonly answer: ObjectAnswer } {
    return "answer" in outcome && outcome.answer.status >= 200 && outcome.answer.status < 300;
}

/** `403 AccessDenied: Access Denied`, `no answer within 10 s` (a message's final period dropped: it goes in parentheses). */
function detail(outcome: Outcome): string {
    if (!("answer" in outcome)) {
        return outcome.unreachable;
    }
    const { status, code } = outcome.answer;
    const message = outcome.answer.message.replace(/\.$/, "");
    return `${status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`;
}

/** The message for a call that failed: which location, which identity, which verb, and the likely fix. */
function refusal(config: WorkloadStage, store: StoreAccess, location: DataLocation, verb: Verb, outcome: Outcome, suffix: string): VerificationFailure {
    const prefix = `stack ${config.stack}: `;
    const where = `${store.scheme}://${location.bucket}/${location.prefix} (${location.purpose})`;
    const seen = quote(detail(outcome), [], 320);
    if (!("answer" in outcome)) {
        return new VerificationFailure(
            "storage",
            `${prefix}${store.name} did not answer when ${store.identity} tried to ${verb} in ${where} (${seen}): ${store.unreachableFix}${suffix}`,
        );
    }
    const { status, code } = outcome.answer;
    let message: string;
    if (code === "NoSuchBucket" || (store.scheme === "gs" && verb === "write" && status === 404)) {
        message = `${prefix}the bucket ${location.bucket} of ${location.purpose} does not exist (a ${verb} in ${store.scheme}://${location.bucket}/${location.prefix} answered ${seen}): create it, or correct the bucket the stack gives Flyte`;
    } else if (code === "AccessDenied" || (code === "" && status === 403)) {
        message = `${prefix}${store.identity} may not ${verb} objects in ${where} (${store.name} answered ${seen}): ${store.deniedFix(verb, location)}`;
    } else if (code === "SignatureDoesNotMatch") {
        message = `${prefix}${store.name} refused the signature of ${store.identity} on a ${verb} in ${where} (${seen}): the secret key does not belong to the access key, or the pod's clock is wrong`;
    } else if (code === "RequestTimeTooSkewed") {
        message = `${prefix}${store.name} refused a ${verb} in ${where} by ${store.identity} (${seen}): the pod's clock is more than 15 minutes off (fix the nodes' time sync)`;
    } else if (code === "InvalidAccessKeyId") {
        message = `${prefix}${store.name} does not know the access key of ${store.identity}, refusing a ${verb} in ${where} (${seen}): the key in the Secret ${STATIC_KEYS_SECRET} is stale (rotated, or its user removed from the store)`;
    } else {
        message = `${prefix}a ${verb} by ${store.identity} in ${where} failed (${store.name} answered ${seen})`;
    }
    return new VerificationFailure("storage", `${message}${suffix}`);
}
