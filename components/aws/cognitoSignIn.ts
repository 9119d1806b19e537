import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { OidcSignIn } from "../contract/platform";
import { COGNITO_DOMAIN_SUFFIX_LENGTH, cognitoDomainPrefix, cognitoDomainPrefixProblem, type HttpsEndpointNames } from "./names";

/** What flyteadmin asks Cognito for when a user signs in: an id token with the user's name and email. */
export const COGNITO_SCOPES = ["openid", "profile", "email"] as const;
/** The app client's name in the user pool. */
export const COGNITO_CLIENT_NAME = "flyte";

/**
 * The pool's issuer: Cognito serves `/.well-known/openid-configuration` under it
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-id-token.html).
 */
export function cognitoIssuerUrl(region: string, userPoolId: string): string {
    return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** The hosted sign-in pages of a prefix domain. */
export function cognitoHostedDomain(region: string, prefix: string): string {
    return `https://${prefix}.auth.${region}.amazoncognito.com`;
}

/**
 * Where the provider sends a user back after signing in: flyteadmin's `/callback` (registered in
 * flyteadmin/auth/handlers.go, resolved against the request's URL in flyteadmin/auth/auth_context.go, v1.16.8).
 */
export function flyteCallbackUrl(hostname: string): string {
    return `https://${hostname}/callback`;
}

/**
 * Where Cognito's own sign-out may send a user back: flyteadmin's `/logout`, which deletes Flyte's session cookies
 * (GetLogoutEndpointHandler in flyteadmin/auth/handlers.go, v1.16.8; flyteadmin never calls Cognito's sign-out itself).
 */
export function flyteLogoutUrl(hostname: string): string {
    return `https://${hostname}/logout`;
}

/**
 * Passwords of 14 characters or more of all four kinds; an invitation's temporary password lasts three days
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/managing-users-passwords.html).
 */
export const COGNITO_PASSWORD_POLICY = {
    minimumLength: 14,
    requireLowercase: true,
    requireUppercase: true,
    requireNumbers: true,
    requireSymbols: true,
    temporaryPasswordValidityDays: 3,
} as const;

export interface CognitoSignInArgs {
    /** Names from httpsEndpointNames: the user pool, and the start of a derived domain prefix. */
    readonly names: Pick<HttpsEndpointNames, "userPool" | "cognitoDomainBase">;
    /** The pool's AWS region (the provider's): it is part of the issuer URL and the hosted domain. */
    readonly region: string;
    /** Flyte's DNS name: the app client's callback and sign-out URLs are on it. */
    readonly hostname: string;
    /**
     * The hosted domain's prefix (`flyte:cognitoDomainPrefix`), unique in the region across AWS; empty: the
     * deployment's name and a random suffix of digits, kept in state.
     */
    readonly domainPrefix: string;
    /** A first user, invited by email with a temporary password Cognito generates and sends; empty: none. */
    readonly adminEmail: string;
    /** Cognito deletion protection and Pulumi `protect` on the user pool, which holds the users. */
    readonly deletionProtection: boolean;
    /** AWS tags on the user pool. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * A Cognito user pool for teams without an identity provider of their own: users are email addresses that an
 * administrator invites (nobody signs themselves up), strong passwords, optional TOTP MFA, a hosted sign-in domain,
 * and a confidential app client for flyteadmin (authorization code flow, openid/profile/email).
 */
export class CognitoSignIn extends pulumi.ComponentResource {
    readonly userPool: aws.cognito.UserPool;
    readonly domain: aws.cognito.UserPoolDomain;
    readonly client: aws.cognito.UserPoolClient;
    /** The first user, when an email is configured. */
    readonly admin?: aws.cognito.User;
    /** The hosted sign-in pages, `https://<prefix>.auth.<region>.amazoncognito.com`. */
    readonly hostedDomain: pulumi.Output<string>;
    /** The OpenID Connect provider Flyte signs users in with. */
    readonly signIn: OidcSignIn;

    constructor(name: string, args: CognitoSignInArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:CognitoSignIn", name, {}, opts);
        const child = { parent: this };
        const { names, region, hostname } = args;
        const protect = args.deletionProtection;
        if (args.domainPrefix) {
            const problem = cognitoDomainPrefixProblem(args.domainPrefix);
            if (problem) {
                throw new Error(`Cognito domain prefix "${args.domainPrefix}" ${problem}`);
            }
        }

        this.userPool = new aws.cognito.UserPool(
            `${name}-pool`,
            {
                name: names.userPool,
                // Users sign in with their email address, in any case.
                usernameAttributes: ["email"],
                usernameConfiguration: { caseSensitive: false },
                autoVerifiedAttributes: ["email"],
                // Only administrators create users: nobody can sign themselves up to a team's Flyte.
                adminCreateUserConfig: { allowAdminCreateUserOnly: true },
                passwordPolicy: { ...COGNITO_PASSWORD_POLICY },
                mfaConfiguration: "OPTIONAL",
                softwareTokenMfaConfiguration: { enabled: true },
                accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
                // A changed email address takes effect only once verified: it is the user's sign-in name.
                userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdates: ["email"] },
                deletionProtection: protect ? "ACTIVE" : "INACTIVE",
                tags: { ...args.tags },
            },
            { ...child, protect },
        );

        const prefix: pulumi.Output<string> = args.domainPrefix
            ? pulumi.output(args.domainPrefix)
            : new random.RandomString(
                  `${name}-domain-suffix`,
                  // Digits only: no reserved word (cognitoDomainPrefixProblem) can appear in the suffix.
                  { length: COGNITO_DOMAIN_SUFFIX_LENGTH, lower: false, upper: false, special: false, numeric: true },
                  child,
              ).result.apply((suffix) => cognitoDomainPrefix(names.cognitoDomainBase, suffix));
        this.domain = new aws.cognito.UserPoolDomain(
            `${name}-domain`,
            {
                domain: prefix,
                userPoolId: this.userPool.id,
                // The classic hosted UI: every feature plan has it (Lite has nothing else) and it needs no branding
                // style, unlike managed login (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-managed-login.html).
                managedLoginVersion: 1,
            },
            child,
        );
        this.hostedDomain = this.domain.domain.apply((d) => cognitoHostedDomain(region, d));

        this.client = new aws.cognito.UserPoolClient(
            `${name}-client`,
            {
                name: COGNITO_CLIENT_NAME,
                userPoolId: this.userPool.id,
                // Confidential: flyteadmin exchanges the code with the client secret.
                generateSecret: true,
                allowedOauthFlowsUserPoolClient: true,
                allowedOauthFlows: ["code"],
                allowedOauthScopes: [...COGNITO_SCOPES],
                callbackUrls: [flyteCallbackUrl(hostname)],
                logoutUrls: [flyteLogoutUrl(hostname)],
                supportedIdentityProviders: ["COGNITO"],
                explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                preventUserExistenceErrors: "ENABLED",
                enableTokenRevocation: true,
            },
            child,
        );

        if (args.adminEmail) {
            this.admin = new aws.cognito.User(
                `${name}-admin`,
                {
                    userPoolId: this.userPool.id,
                    username: args.adminEmail,
                    attributes: { email: args.adminEmail, email_verified: "true" },
                    // Cognito generates the temporary password and emails it: it never passes through the program.
                    desiredDeliveryMediums: ["EMAIL"],
                },
                child,
            );
        }

        this.signIn = {
            // Read from the domain, so that Flyte, which waits for its sign-in provider, also waits for the hosted pages.
            issuerUrl: this.domain.userPoolId.apply((poolId) => cognitoIssuerUrl(region, poolId)),
            clientId: this.client.id,
            clientSecret: pulumi.secret(this.client.clientSecret),
            scopes: [...COGNITO_SCOPES],
        };
        this.registerOutputs({ userPoolId: this.userPool.id, hostedDomain: this.hostedDomain });
    }
}
