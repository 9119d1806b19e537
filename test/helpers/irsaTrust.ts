import { isRecord } from "./json";
import { UnsupportedGrant } from "./unsupported";

/**
 * A strict evaluator of IRSA trust policies: whether STS lets a Kubernetes service account's token, presented to
 * AssumeRoleWithWebIdentity through an IAM OIDC provider, assume a role with this trust policy. The IAM policy
 * simulator cannot answer it (@cloud-copilot/iam-simulate ignores the `<issuer>:sub` and `:aud` keys and answers
 * ImplicitlyDenied even for the right subject), so the rules are written out here, only as far as IRSA trust policies
 * need them (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
 * - a statement applies when its Principal's `Federated` names the provider the token came through, its Action is
 *   `sts:AssumeRoleWithWebIdentity` and every condition holds (keys and operators AND together, a key's values OR);
 * - STS puts the token's claims in the request context as `<issuer host and path>:sub` and `:aud`
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif),
 *   so a condition on another issuer's key finds no key, and StringEquals on a missing key does not hold
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
 * - a Deny that applies wins, and without an Allow that applies the request is denied.
 * Anything else (another operator, a key other than sub and aud, NotAction, another kind of principal, a wildcard
 * action, a policy variable) throws UnsupportedGrant, so a test built on it fails instead of passing by ignoring it.
 */

export const ASSUME_ROLE_WITH_WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity";
/** The audience EKS's pod identity webhook asks the token for. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** A token presented to AssumeRoleWithWebIdentity. */
export interface WebIdentityRequest {
    /** The IAM OIDC provider the token is presented through (`arn:<partition>:iam::<account>:oidc-provider/<issuer>`). */
    readonly providerArn: string;
    /** The token's issuer without `https://` (`oidc.eks.<region>.amazonaws.com/id/<id>`). */
    readonly issuer: string;
    /** The token's subject, e.g. `system:serviceaccount:<namespace>:<name>`. */
    readonly sub: string;
    /** The token's audience. */
    readonly aud: string;
}

const STATEMENT_ELEMENTS = new Set(["Sid", "Effect", "Principal", "Action", "Condition"]);
/** An issuer as condition keys name it: a host, then path segments; no scheme, no wildcard, no policy variable. */
const ISSUER = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(\/[A-Za-z0-9._-]+)*$/;
const CLAIMS = new Set(["sub", "aud"]);

function strings(value: unknown, what: string): string[] {
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || !list.every((v): v is string => typeof v === "string")) {
        throw new UnsupportedGrant(`${what} is not a string or a non-empty list of strings: ${JSON.stringify(value)}`);
    }
    if (list.some((v) => v.includes("${"))) {
        throw new UnsupportedGrant(`${what} uses a policy variable: ${JSON.stringify(value)}`);
    }
    return list;
}

/** The request's context keys, lowercased as IAM compares key names (case-insensitively). */
function contextOf(request: WebIdentityRequest): ReadonlyMap<string, string> {
    if (!ISSUER.test(request.issuer)) {
        throw new Error(`the request's issuer ${request.issuer} is not a host and path without a scheme`);
    }
    if (!request.providerArn.endsWith(`:oidc-provider/${request.issuer}`)) {
        throw new Error(`the request's provider ${request.providerArn} is not the provider of issuer ${request.issuer}`);
    }
    return new Map([
        [`${request.issuer}:sub`.toLowerCase(), request.sub],
        [`${request.issuer}:aud`.toLowerCase(), request.aud],
    ]);
}

function conditionHolds(condition: unknown, context: ReadonlyMap<string, string>, where: string): boolean {
    if (condition === undefined) {
        return true;
    }
    if (!isRecord(condition)) {
        throw new UnsupportedGrant(`${where}: Condition is not an object`);
    }
    // Every operator and key is checked before any is evaluated: one that fails early must not hide one not understood.
    const clauses = Object.entries(condition).flatMap(([operator, keys]) => {
        if (operator !== "StringEquals") {
            throw new UnsupportedGrant(`${where}: condition operator ${operator} is not modelled (only StringEquals)`);
        }
        if (!isRecord(keys)) {
            throw new UnsupportedGrant(`${where}: ${operator} is not an object`);
        }
        return Object.entries(keys).map(([key, raw]) => {
            const separator = key.lastIndexOf(":");
            const issuer = key.slice(0, separator);
            const claim = key.slice(separator + 1);
            if (separator < 0 || !ISSUER.test(issuer) || !CLAIMS.has(claim)) {
                throw new UnsupportedGrant(`${where}: condition key ${key} is not <issuer>:sub or <issuer>:aud`);
            }
            return { key: key.toLowerCase(), values: strings(raw, `${where} ${operator} ${key}`) };
        });
    });
    return clauses.every(({ key, values }) => {
        const actual = context.get(key);
        return actual !== undefined && values.includes(actual);
    });
}

/** Whether the statement applies to the request; throws on anything it does not understand. */
function statementApplies(statement: unknown, request: WebIdentityRequest, context: ReadonlyMap<string, string>, where: string): boolean {
    if (!isRecord(statement)) {
        throw new UnsupportedGrant(`${where} is not an object`);
    }
    const unknown = Object.keys(statement).filter((element) => !STATEMENT_ELEMENTS.has(element));
    if (unknown.length > 0) {
        throw new UnsupportedGrant(`${where}: ${unknown.join(", ")} not modelled in a trust policy`);
    }
    const principal = statement.Principal;
    if (!isRecord(principal) || Object.keys(principal).join() !== "Federated") {
        throw new UnsupportedGrant(`${where}: Principal ${JSON.stringify(principal)} is not exactly a Federated principal`);
    }
    const federated = strings(principal.Federated, `${where} Principal.Federated`);
    if (federated.some((p) => /[*?]/.test(p))) {
        throw new UnsupportedGrant(`${where}: a wildcard federated principal is not modelled`);
    }
    const actions = strings(statement.Action, `${where} Action`);
    if (actions.some((a) => /[*?]/.test(a))) {
        throw new UnsupportedGrant(`${where}: a wildcard action is not modelled`);
    }
    // Condition first, so that it is checked whatever the principal and action.
    const holds = conditionHolds(statement.Condition, context, where);
    // Action names compare case-insensitively; ARNs exactly.
    return holds && federated.includes(request.providerArn) && actions.some((a) => a.toLowerCase() === ASSUME_ROLE_WITH_WEB_IDENTITY.toLowerCase());
}

/**
 * STS's decision on the token for a role with this trust policy (JSON text): allow with an applying Allow and no
 * applying Deny. Every statement is read, also after one applies, so none it does not understand goes unnoticed.
 */
export function irsaTrustDecision(trustPolicy: string, request: WebIdentityRequest): "allow" | "deny" {
    const context = contextOf(request);
    const document: unknown = JSON.parse(trustPolicy);
    if (!isRecord(document) || document.Version !== "2012-10-17") {
        throw new UnsupportedGrant(`the trust policy's Version is not 2012-10-17: ${trustPolicy.slice(0, 80)}`);
    }
    const unknown = Object.keys(document).filter((element) => element !== "Version" && element !== "Statement" && element !== "Id");
    if (unknown.length > 0) {
        throw new UnsupportedGrant(`the trust policy has ${unknown.join(", ")}`);
    }
    const statements = Array.isArray(document.Statement) ? (document.Statement as unknown[]) : [document.Statement];
    const applying = statements.flatMap((statement, i) => {
        const where = `trust statement ${i}`;
        const effect = isRecord(statement) ? statement.Effect : undefined;
        if (effect !== "Allow" && effect !== "Deny") {
            throw new UnsupportedGrant(`${where}: Effect ${JSON.stringify(effect)}`);
        }
        return statementApplies(statement, request, context, where) ? [effect] : [];
    });
    return applying.includes("Allow") && !applying.includes("Deny") ? "allow" : "deny";
}

/** Whether STS lets the token assume a role with this trust policy (irsaTrustDecision). */
export function irsaTrustAllows(trustPolicy: string, request: WebIdentityRequest): boolean {
    return irsaTrustDecision(trustPolicy, request) === "allow";
}

/** A service account's token from a cluster: the request STS gets from a pod that runs as it. */
export function serviceAccountToken(provider: { readonly oidcProviderArn: string; readonly issuer: string }, namespace: string, name: string): WebIdentityRequest {
    return { providerArn: provider.oidcProviderArn, issuer: provider.issuer, sub: `system:serviceaccount:${namespace}:${name}`, aud: STS_AUDIENCE };
}
