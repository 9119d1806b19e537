import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    COGNITO_PASSWORD_POLICY,
    COGNITO_SCOPES,
    cognitoHostedDomain,
    cognitoIssuerUrl,
    CognitoSignIn,
    flyteCallbackUrl,
    flyteLogoutUrl,
} from "../../../components/aws/cognitoSignIn";
import { cognitoDomainPrefixProblem, httpsEndpointNames } from "../../../components/aws/names";
import { mockRandomDigits, mockResource } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { ofType, only } from "../../helpers/plan";

const HOST = "flyte.ml.example.com";
const REGION = "eu-central-1";
const NAMES = httpsEndpointNames({ pulumiProject: "flyte", stack: "test" });
const T = {
    pool: "aws:cognito/userPool:UserPool",
    domain: "aws:cognito/userPoolDomain:UserPoolDomain",
    client: "aws:cognito/userPoolClient:UserPoolClient",
    user: "aws:cognito/user:User",
    random: "random:index/randomString:RandomString",
} as const;
const POOL_ID = mockResource(T.pool, "cognito-pool", { name: NAMES.userPool }).id;
const CLIENT = mockResource(T.client, "cognito-client", { name: "flyte" });

interface Options {
    readonly domainPrefix: string;
    readonly adminEmail: string;
    readonly deletionProtection: boolean;
}

function planCognito(o: Options): Promise<Plan> {
    return runComponents(() => {
        const cognito = new CognitoSignIn("cognito", {
            names: NAMES,
            region: REGION,
            hostname: HOST,
            domainPrefix: o.domainPrefix,
            adminEmail: o.adminEmail,
            deletionProtection: o.deletionProtection,
            tags: { app: "flyte" },
        });
        const s = cognito.signIn;
        // Stands in for what Flyte builds from the issuer: it must wait for what the issuer comes from.
        new aws.ssm.Parameter("issuer-reader", { type: "String", value: s.issuerUrl });
        return {
            issuerUrl: s.issuerUrl,
            clientId: s.clientId,
            clientSecret: s.clientSecret,
            clientSecretIsSecret: pulumi.output(pulumi.isSecret(s.clientSecret)),
            scopes: [...s.scopes],
            hostedDomain: cognito.hostedDomain,
        };
    });
}

describe("pure builders", () => {
    test("the issuer, the hosted domain and Flyte's redirect URLs", () => {
        expect(cognitoIssuerUrl(REGION, "eu-central-1_AbC123xyz")).toBe("https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_AbC123xyz");
        expect(cognitoHostedDomain(REGION, "flyte-dev-12345678")).toBe("https://flyte-dev-12345678.auth.eu-central-1.amazoncognito.com");
        expect(flyteCallbackUrl(HOST)).toBe("https://flyte.ml.example.com/callback");
        expect(flyteLogoutUrl(HOST)).toBe("https://flyte.ml.example.com/logout");
    });

    test("passwords: 14 characters or more, all four kinds", () => {
        expect(COGNITO_PASSWORD_POLICY).toEqual({
            minimumLength: 14,
            requireLowercase: true,
            requireUppercase: true,
            requireNumbers: true,
            requireSymbols: true,
            temporaryPasswordValidityDays: 3,
        });
    });
});

describe("a derived domain, a first admin, protected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCognito({ domainPrefix: "", adminEmail: "admin@example.com", deletionProtection: true });
    });

    test("the pool: email as user name, admin-created users only, strong passwords, optional TOTP MFA", () => {
        expect(only(plan, T.pool).inputs).toMatchObject({
            name: "flyte-test-flyte-users",
            usernameAttributes: ["email"],
            usernameConfiguration: { caseSensitive: false },
            autoVerifiedAttributes: ["email"],
            adminCreateUserConfig: { allowAdminCreateUserOnly: true },
            passwordPolicy: COGNITO_PASSWORD_POLICY,
            mfaConfiguration: "OPTIONAL",
            softwareTokenMfaConfiguration: { enabled: true },
            accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
            userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
            tags: { app: "flyte" },
        });
        // No self-service sign-up anywhere, and no email-less accounts.
        expect(only(plan, T.pool).inputs.aliasAttributes).toBeUndefined();
    });

    test("deletion protection and Pulumi protect on the pool", () => {
        expect(only(plan, T.pool).inputs.deletionProtection).toBe("ACTIVE");
        expect(only(plan, T.pool).protect).toBe(true);
    });

    test("the domain prefix is the deployment's name and a random suffix of eight digits, on the classic hosted UI", () => {
        expect(only(plan, T.random).inputs).toMatchObject({ length: 8, lower: false, upper: false, special: false, numeric: true });
        const domain = only(plan, T.domain).inputs;
        expect(domain).toMatchObject({ userPoolId: POOL_ID, managedLoginVersion: 1, domain: `flyte-test-${mockRandomDigits("cognito-domain-suffix", 8)}` });
        expect(plan.outputs.hostedDomain).toBe(`https://${String(domain.domain)}.auth.${REGION}.amazoncognito.com`);
        // With the digits real Cognito gets, the prefix is one Cognito accepts.
        expect(cognitoDomainPrefixProblem(String(domain.domain))).toBeUndefined();
    });

    test("the app client: confidential, code flow, openid/profile/email, Flyte's callback and logout, Cognito users only", () => {
        expect(only(plan, T.client).inputs).toMatchObject({
            name: "flyte",
            userPoolId: POOL_ID,
            generateSecret: true,
            allowedOauthFlowsUserPoolClient: true,
            allowedOauthFlows: ["code"],
            allowedOauthScopes: ["openid", "profile", "email"],
            callbackUrls: [`https://${HOST}/callback`],
            logoutUrls: [`https://${HOST}/logout`],
            supportedIdentityProviders: ["COGNITO"],
            preventUserExistenceErrors: "ENABLED",
            enableTokenRevocation: true,
        });
        expect(only(plan, T.client).inputs.explicitAuthFlows).not.toContain("ALLOW_USER_PASSWORD_AUTH");
    });

    test("the first admin is invited by email; the program never sees a password", () => {
        expect(only(plan, T.user).inputs).toEqual({
            userPoolId: POOL_ID,
            username: "admin@example.com",
            attributes: { email: "admin@example.com", email_verified: "true" },
            desiredDeliveryMediums: ["EMAIL"],
        });
    });

    test("sign-in: the pool's issuer, the client's id, its secret as a Pulumi secret, the client's scopes", () => {
        expect(plan.outputs).toMatchObject({
            issuerUrl: `https://cognito-idp.${REGION}.amazonaws.com/${POOL_ID}`,
            clientId: CLIENT.id,
            clientSecret: "[secret]",
            clientSecretIsSecret: true,
            scopes: [...COGNITO_SCOPES],
        });
        expect(JSON.stringify(plan)).not.toContain(String(CLIENT.state.clientSecret));
    });

    test("the issuer is read from the domain, so what Flyte builds from it waits for the hosted sign-in pages", () => {
        const reader = only(plan, "aws:ssm/parameter:Parameter");
        expect(reader.propertyDependencies.value).toEqual([only(plan, T.domain).urn]);
        expect(childrenOf(plan, component(plan, "flyte:aws:CognitoSignIn")).map((c) => c.type).sort()).toEqual(
            [T.pool, T.domain, T.client, T.user, T.random].sort(),
        );
    });
});

describe("a configured domain prefix, no admin, unprotected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCognito({ domainPrefix: "acme-flyte", adminEmail: "", deletionProtection: false });
    });

    test("the prefix as configured; no random suffix", () => {
        expect(only(plan, T.domain).inputs.domain).toBe("acme-flyte");
        expect(ofType(plan, T.random)).toEqual([]);
        expect(plan.outputs.hostedDomain).toBe(`https://acme-flyte.auth.${REGION}.amazoncognito.com`);
    });

    test("no user is created", () => {
        expect(ofType(plan, T.user)).toEqual([]);
    });

    test("the pool can be deleted", () => {
        expect(only(plan, T.pool).inputs.deletionProtection).toBe("INACTIVE");
        expect(only(plan, T.pool).protect).toBe(false);
    });
});

test.each([["my-aws-flyte"], ["-flyte"], ["Flyte"]])("a domain prefix Cognito refuses (%s) is refused before anything is declared", async (prefix) => {
    await expect(planCognito({ domainPrefix: prefix, adminEmail: "", deletionProtection: false })).rejects.toThrow(/Cognito domain prefix/);
});
