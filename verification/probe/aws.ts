/**
 * The AWS identity of a task pod: IRSA's web identity exchanged at STS for the role's temporary credentials, checked
 * with GetCallerIdentity; or the namespace's static keys. Also the XML error answers STS and S3 share.
 *
 * IRSA: the EKS pod identity webhook gives pods of an annotated service account `AWS_ROLE_ARN` and
 * `AWS_WEB_IDENTITY_TOKEN_FILE` (a projected token with audience `sts.amazonaws.com`)
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-configuration.html,
 * https://docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html.
 */
import { readFile } from "node:fs/promises";
import type { WorkloadStage } from "./config.ts";
import type { ProbeEnvironment } from "./environment.ts";
import { VerificationFailure } from "./failure.ts";
import { type AwsCredentials, signRequest } from "./sigv4.ts";
import { type HttpAnswer, quote, send, type TransportOptions, Unreachable } from "./transport.ts";

/** STS's Query API version. https://docs.aws.amazon.com/STS/latest/APIReference/welcome.html */
export const STS_API_VERSION = "2011-06-15";
/** The annotation on a service account that makes the webhook inject the role. */
export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
/** The Secret task pods get static store keys from (components/flyte/commonValues.ts TASK_STORAGE_SECRET). */
export const STATIC_KEYS_SECRET = "flyte-storage-credentials";

/** An AWS identity the storage checks sign with. */
export interface AwsIdentity {
    /** Who it is, for messages: the role's ARN, or `the namespace's static key`. */
    readonly label: string;
    /** The partition for resource ARNs in messages (`aws`, `aws-cn`, `aws-us-gov`). */
    readonly partition: string;
    /** The keys; never printed. */
    readonly credentials: AwsCredentials;
    /** True for static keys (the fixes differ). */
    readonly static: boolean;
}

/** An AWS error answer (STS's `<ErrorResponse><Error>` or S3's `<Error>`). */
export interface AwsError {
    /** e.g. `AccessDenied`, `NoSuchBucket`, `InvalidIdentityToken`. */
    readonly code: string;
    /** The service's message (may be empty). */
    readonly message: string;
}

/** The text of the first `<name>…</name>` element in an XML document, entities decoded; undefined when absent. */
export function xmlText(xml: string, name: string): string | undefined {
    const match = new RegExp(`<${name}(?:\\s[^>]*)?>([^<]*)</${name}>`).exec(xml);
    return match?.[1] === undefined ? undefined : decodeEntities(match[1]);
}

function decodeEntities(text: string): string {
    return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, entity: string) => {
        switch (entity) {
            case "amp":
                return "&";
            case "lt":
                return "<";
            case "gt":
                return ">";
            case "quot":
                return '"';
            case "apos":
                return "'";
            default:
                return String.fromCodePoint(entity.startsWith("#x") ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
        }
    });
}

/** The code and message of an AWS XML error answer; undefined when the body is not one. */
export function awsError(body: Buffer): AwsError | undefined {
    const xml = body.toString("utf8");
    const code = xmlText(xml, "Code");
    return code === undefined ? undefined : { code, message: xmlText(xml, "Message") ?? "" };
}

/** `Code: message` of an answer that failed, or its status and a brief quote of the body. */
export function describeAwsAnswer(answer: HttpAnswer, secrets: readonly string[]): string {
    const error = awsError(answer.body);
    if (error) {
        return quote(error.message ? `${error.code}: ${error.message}` : error.code, secrets);
    }
    const text = quote(answer.body, secrets);
    return text ? `HTTP ${answer.status}: ${text}` : `HTTP ${answer.status}`;
}

/** A role ARN's parts: `arn:<partition>:iam::<account>:role/<path/><name>`. */
export function parseRoleArn(arn: string): { readonly partition: string; readonly account: string; readonly name: string } | undefined {
    const match = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:[^/]+\/)*([^/]+)$/.exec(arn);
    return match ? { partition: match[1], account: match[2], name: match[3] } : undefined;
}

/**
 * The role's temporary credentials through IRSA: the variables the webhook injects, the token file, STS's
 * AssumeRoleWithWebIdentity, then GetCallerIdentity signed with the result to prove STS knows them as the role.
 */
export async function verifyIrsaIdentity(
    stage: WorkloadStage,
    check: { readonly roleArn: string; readonly region: string },
    env: ProbeEnvironment,
    transport: TransportOptions,
): Promise<AwsIdentity> {
    const prefix = `stack ${stage.stack}: `;
    const who = `${stage.namespace}/${stage.serviceAccount}`;
    const role = parseRoleArn(check.roleArn);
    if (!role) {
        throw new VerificationFailure("config", `${prefix}the workload stage expects the IAM role "${check.roleArn}", which is not a role ARN: a bug in the verification config`);
    }
    const roleArn = env.variables.AWS_ROLE_ARN;
    const tokenFile = env.variables.AWS_WEB_IDENTITY_TOKEN_FILE;
    if (!roleArn || !tokenFile) {
        const missing = [!roleArn ? "AWS_ROLE_ARN" : "", !tokenFile ? "AWS_WEB_IDENTITY_TOKEN_FILE" : ""].filter(Boolean).join(" and ");
        throw new VerificationFailure(
            "identity",
            `${prefix}task pods in ${stage.namespace} get no IAM role (${missing} not set): the service account ${who} lacks the annotation ${IRSA_ANNOTATION}=${check.roleArn}, or the EKS pod identity webhook did not mutate the pod`,
        );
    }
    if (roleArn !== check.roleArn) {
        throw new VerificationFailure(
            "identity",
            `${prefix}task pods in ${stage.namespace} get the IAM role ${roleArn}, not ${check.roleArn}: the annotation ${IRSA_ANNOTATION} on the service account ${who} names the wrong role`,
        );
    }
    let token: string;
    try {
        token = (await readFile(tokenFile, "utf8")).trim();
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
        throw new VerificationFailure(
            "identity",
            `${prefix}task pods in ${stage.namespace} cannot read their web identity token ${tokenFile} (${code}): the EKS pod identity webhook's projected token volume is missing from the pod`,
        );
    }
    if (!token) {
        throw new VerificationFailure("identity", `${prefix}the web identity token ${tokenFile} of task pods in ${stage.namespace} is empty`);
    }

    const stsUrl = env.stsUrl(check.region);
    const sessionName = `flyte-verification-${Date.now()}`;
    const assumeForm = new URLSearchParams({
        Action: "AssumeRoleWithWebIdentity",
        Version: STS_API_VERSION,
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        WebIdentityToken: token,
    }).toString();
    // Unsigned: the web identity token is the proof.
    // https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
    const assumed = await callSts(stage, stsUrl, "AssumeRoleWithWebIdentity", { method: "POST", url: stsUrl, headers: formHeaders, body: assumeForm }, transport, [token]);
    if (assumed.status !== 200) {
        const error = awsError(assumed.body);
        const detail = describeAwsAnswer(assumed, [token]);
        const subject = `system:serviceaccount:${stage.namespace}:${stage.serviceAccount}`;
        const refused = `${prefix}STS refused AssumeRoleWithWebIdentity of ${roleArn} to task pods in ${stage.namespace} (${detail})`;
        if (error?.code === "AccessDenied") {
            throw new VerificationFailure(
                "identity",
                `${refused}: the role's trust policy does not admit ${subject} through this cluster's OIDC provider (its Federated principal, or the :sub / :aud conditions)`,
            );
        }
        if (error?.code === "InvalidIdentityToken") {
            throw new VerificationFailure(
                "identity",
                `${refused}: this cluster's OIDC provider is not registered in IAM, or its thumbprint or audience (sts.amazonaws.com) is wrong`,
            );
        }
        throw new VerificationFailure("identity", refused);
    }
    const assumedXml = assumed.body.toString("utf8");
    const accessKeyId = xmlText(assumedXml, "AccessKeyId");
    const secretAccessKey = xmlText(assumedXml, "SecretAccessKey");
    const sessionToken = xmlText(assumedXml, "SessionToken");
    if (!accessKeyId || !secretAccessKey || !sessionToken) {
        throw new VerificationFailure("identity", `${prefix}STS answered AssumeRoleWithWebIdentity of ${roleArn} without credentials`);
    }
    const credentials: AwsCredentials = { accessKeyId, secretAccessKey, sessionToken };
    const secrets = [token, secretAccessKey, sessionToken];

    // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
    const callerForm = new URLSearchParams({ Action: "GetCallerIdentity", Version: STS_API_VERSION }).toString();
    const callerRequest = { method: "POST", url: stsUrl, headers: formHeaders, body: callerForm };
    const signed = signRequest(callerRequest, { service: "sts", region: check.region, credentials });
    const caller = await callSts(stage, stsUrl, "GetCallerIdentity", { ...callerRequest, headers: signed }, transport, secrets);
    if (caller.status !== 200) {
        const error = awsError(caller.body);
        const hint = error?.code === "SignatureDoesNotMatch" ? ": the request's signature was refused (the pod's clock is wrong, or the credentials are)" : "";
        throw new VerificationFailure(
            "identity",
            `${prefix}STS refused GetCallerIdentity with the credentials of ${roleArn} (${describeAwsAnswer(caller, secrets)})${hint}`,
        );
    }
    const callerArn = xmlText(caller.body.toString("utf8"), "Arn") ?? "";
    // An assumed role's ARN names the role without its path: arn:aws:sts::<account>:assumed-role/<name>/<session>.
    const expected = `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;
    if (callerArn !== expected) {
        throw new VerificationFailure(
            "identity",
            `${prefix}STS knows the credentials task pods in ${stage.namespace} got for ${roleArn} as ${callerArn || "nobody"}, not ${expected}`,
        );
    }
    return { label: roleArn, partition: role.partition, credentials, static: false };
}

/**
 * The namespace's static keys (MinIO), as task pods get them from its flyte-storage-credentials Secret, and for an
 * S3-compatible store the endpoint flytekit sends them to.
 */
export function staticKeysIdentity(stage: WorkloadStage, env: ProbeEnvironment): AwsIdentity {
    const accessKeyId = env.variables.FLYTE_AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.variables.FLYTE_AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
        const missing = [!accessKeyId ? "FLYTE_AWS_ACCESS_KEY_ID" : "", !secretAccessKey ? "FLYTE_AWS_SECRET_ACCESS_KEY" : ""].filter(Boolean).join(" and ");
        throw new VerificationFailure(
            "identity",
            `stack ${stage.stack}: task pods in ${stage.namespace} get no store keys (${missing} not set): the Secret ${STATIC_KEYS_SECRET} in ${stage.namespace} is missing or lacks them (Flyte's cluster resource sync creates it; task pods get it through default-env-from-secrets)`,
        );
    }
    // flytekit sends task pods' S3 calls to FLYTE_AWS_ENDPOINT; without it they would go to AWS, not the store.
    const store = stage.store;
    if (store.kind === "s3-compatible") {
        const endpoint = env.variables.FLYTE_AWS_ENDPOINT;
        const normalize = (url: string): string => url.trim().replace(/\/+$/, "");
        if (!endpoint || normalize(endpoint) !== normalize(store.endpoint)) {
            throw new VerificationFailure(
                "identity",
                `stack ${stage.stack}: task pods in ${stage.namespace} would send their objects to ${endpoint ? endpoint : "AWS S3 (FLYTE_AWS_ENDPOINT not set)"}, not the store at ${store.endpoint}: FLYTE_AWS_ENDPOINT in the Secret ${STATIC_KEYS_SECRET} in ${stage.namespace} is ${endpoint ? "wrong" : "missing"}`,
            );
        }
    }
    return { label: "the namespace's static key", partition: "aws", credentials: { accessKeyId, secretAccessKey }, static: true };
}

const formHeaders: Readonly<Record<string, string>> = { "content-type": "application/x-www-form-urlencoded; charset=utf-8" };

/** One STS call; no answer at all becomes the message that the pod cannot reach STS. */
async function callSts(
    stage: WorkloadStage,
    stsUrl: string,
    action: string,
    request: { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly body: string },
    transport: TransportOptions,
    secrets: readonly string[],
): Promise<HttpAnswer> {
    try {
        return await send(request, transport);
    } catch (err) {
        if (err instanceof Unreachable) {
            throw new VerificationFailure(
                "identity",
                `stack ${stage.stack}: STS at ${stsUrl} did not answer ${action} from task pods in ${stage.namespace} (${quote(err.reason, secrets)}): the pods have no route to STS (no NAT gateway or sts VPC endpoint, or a NetworkPolicy blocks egress)`,
            );
        }
        throw err;
    }
}
