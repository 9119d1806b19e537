import { irsaTrustAllows, irsaTrustDecision, serviceAccountToken, STS_AUDIENCE, WebIdentityRequest } from "./irsaTrust";
import { UnsupportedGrant } from "./unsupported";

/** The IRSA trust evaluator (test/helpers/irsaTrust.ts) on hand-written trust policies: what it allows, and what it refuses to judge. */

const A = "oidc.eks.eu-central-1.amazonaws.com/id/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
const B = "oidc.eks.eu-central-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
const provider = (issuer: string) => ({ oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${issuer}`, issuer });
const SUB = "system:serviceaccount:ml-dev:default";

/** A statement trusting `subjects` of `issuer`'s tokens through `federated`. */
function statement(federated: string, issuer: string, subjects: string | string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        Effect: "Allow",
        Principal: { Federated: federated },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${issuer}:aud`]: STS_AUDIENCE, [`${issuer}:sub`]: subjects } },
        ...extra,
    };
}

const policy = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const fromA = serviceAccountToken(provider(A), "ml-dev", "default");
const fromB = serviceAccountToken(provider(B), "ml-dev", "default");

describe("decisions", () => {
    const trustA = policy(statement(provider(A).oidcProviderArn, A, [SUB, "system:serviceaccount:ml-prod:default"]));

    test("a token of a trusted subject, through the named provider, for the STS audience: allowed", () => {
        expect(irsaTrustDecision(trustA, fromA)).toBe("allow");
        expect(irsaTrustAllows(trustA, serviceAccountToken(provider(A), "ml-prod", "default"))).toBe(true);
        // A single statement object rather than a list.
        expect(irsaTrustAllows(JSON.stringify({ Version: "2012-10-17", Statement: statement(provider(A).oidcProviderArn, A, SUB) }), fromA)).toBe(true);
    });

    test("another subject, another audience or another cluster's token: denied", () => {
        expect(irsaTrustAllows(trustA, serviceAccountToken(provider(A), "ml-dev", "flytepropeller"))).toBe(false);
        expect(irsaTrustAllows(trustA, serviceAccountToken(provider(A), "ml-staging", "default"))).toBe(false);
        expect(irsaTrustAllows(trustA, { ...fromA, aud: "other" })).toBe(false);
        expect(irsaTrustAllows(trustA, fromB)).toBe(false);
        // Subjects compare exactly: case matters, no prefix match.
        expect(irsaTrustAllows(trustA, { ...fromA, sub: SUB.toUpperCase() })).toBe(false);
        expect(irsaTrustAllows(trustA, { ...fromA, sub: `${SUB}x` })).toBe(false);
    });

    test("one statement per cluster: each admits its own cluster's tokens", () => {
        const both = policy(statement(provider(A).oidcProviderArn, A, SUB), statement(provider(B).oidcProviderArn, B, SUB));
        expect(irsaTrustAllows(both, fromA)).toBe(true);
        expect(irsaTrustAllows(both, fromB)).toBe(true);
    });

    test("a statement whose conditions name another issuer's keys admits nothing: the keys are not in the request", () => {
        const crossWired = policy(statement(provider(A).oidcProviderArn, B, SUB), statement(provider(B).oidcProviderArn, A, SUB));
        expect(irsaTrustAllows(crossWired, fromA)).toBe(false);
        expect(irsaTrustAllows(crossWired, fromB)).toBe(false);
        // One key of each issuer: the other issuer's key is missing, so the statement does not apply either.
        const mixed = policy({
            ...statement(provider(A).oidcProviderArn, A, SUB),
            Condition: { StringEquals: { [`${A}:aud`]: STS_AUDIENCE, [`${B}:sub`]: SUB } },
        });
        expect(irsaTrustAllows(mixed, fromA)).toBe(false);
    });

    test("condition key names compare case-insensitively, as IAM's do", () => {
        expect(irsaTrustAllows(policy(statement(provider(A).oidcProviderArn, A.toLowerCase(), SUB)), fromA)).toBe(true);
    });

    test("no condition: any token through the provider (as IAM would); a missing audience condition likewise admits any audience", () => {
        const open = policy({ Effect: "Allow", Principal: { Federated: provider(A).oidcProviderArn }, Action: "sts:AssumeRoleWithWebIdentity" });
        expect(irsaTrustAllows(open, { ...fromA, sub: "system:serviceaccount:x:y", aud: "z" })).toBe(true);
        const subOnly = policy({ ...statement(provider(A).oidcProviderArn, A, SUB), Condition: { StringEquals: { [`${A}:sub`]: SUB } } });
        expect(irsaTrustAllows(subOnly, { ...fromA, aud: "anything" })).toBe(true);
    });

    test("another action does not admit the token; an applying Deny wins over an Allow", () => {
        expect(irsaTrustAllows(policy(statement(provider(A).oidcProviderArn, A, SUB, { Action: "sts:AssumeRole" })), fromA)).toBe(false);
        const denied = policy(statement(provider(A).oidcProviderArn, A, SUB), statement(provider(A).oidcProviderArn, A, SUB, { Effect: "Deny" }));
        expect(irsaTrustDecision(denied, fromA)).toBe("deny");
        // A Deny for another subject leaves the Allow standing.
        const otherDenied = policy(statement(provider(A).oidcProviderArn, A, SUB), statement(provider(A).oidcProviderArn, A, "system:serviceaccount:x:y", { Effect: "Deny" }));
        expect(irsaTrustDecision(otherDenied, fromA)).toBe("allow");
    });

    test("no statement applies: denied by default", () => {
        expect(irsaTrustDecision(policy(), fromA)).toBe("deny");
    });
});

describe("what it refuses to judge", () => {
    const allowA = statement(provider(A).oidcProviderArn, A, SUB);

    test.each<[string, unknown]>([
        ["StringLike", { ...allowA, Condition: { StringLike: { [`${A}:sub`]: "system:serviceaccount:ml-*:default" } } }],
        ["StringEqualsIfExists", { ...allowA, Condition: { StringEqualsIfExists: { [`${A}:sub`]: SUB } } }],
        ["ForAnyValue:StringEquals", { ...allowA, Condition: { "ForAnyValue:StringEquals": { [`${A}:aud`]: STS_AUDIENCE } } }],
        ["a global condition key", { ...allowA, Condition: { StringEquals: { [`${A}:sub`]: SUB, "aws:SourceAccount": "123456789012" } } }],
        ["another claim", { ...allowA, Condition: { StringEquals: { [`${A}:amr`]: "x" } } }],
        ["an issuer with its scheme", { ...allowA, Condition: { StringEquals: { [`https://${A}:sub`]: SUB } } }],
        ["a policy variable", { ...allowA, Condition: { StringEquals: { [`${A}:sub`]: "system:serviceaccount:${aws:username}:default" } } }],
        ["NotAction", { ...allowA, NotAction: "sts:AssumeRole" }],
        ["a Resource", { ...allowA, Resource: "*" }],
        ["an AWS principal", { ...allowA, Principal: { AWS: "arn:aws:iam::123456789012:root" } }],
        ["a wildcard principal", { ...allowA, Principal: "*" }],
        ["a wildcard action", { ...allowA, Action: "sts:*" }],
        ["an empty subject list", { ...allowA, Condition: { StringEquals: { [`${A}:sub`]: [] } } }],
        ["no Effect", { Principal: allowA.Principal, Action: allowA.Action }],
    ])("%s", (_what, bad) => {
        // Alone, and after a statement that already admits the token: it is read all the same.
        expect(() => irsaTrustDecision(policy(bad), fromA)).toThrow(UnsupportedGrant);
        expect(() => irsaTrustDecision(policy(allowA, bad), fromA)).toThrow(UnsupportedGrant);
    });

    test("another policy version, or a request whose provider is not its issuer's", () => {
        expect(() => irsaTrustDecision(JSON.stringify({ Version: "2008-10-17", Statement: [allowA] }), fromA)).toThrow(UnsupportedGrant);
        const crossed: WebIdentityRequest = { ...fromA, providerArn: provider(B).oidcProviderArn };
        expect(() => irsaTrustDecision(policy(allowA), crossed)).toThrow("is not the provider of issuer");
        expect(() => irsaTrustDecision(policy(allowA), { ...fromA, issuer: `https://${A}` })).toThrow("without a scheme");
    });
});
