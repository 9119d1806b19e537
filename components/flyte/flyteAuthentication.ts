import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { OidcSignIn } from "../contract/platform";
import {
    AuthSecretSpec,
    BCRYPT_SALT_CHARS,
    bcryptHash,
    bcryptSalt,
    ChartAuthentication,
    CI_CLIENT_ID,
    CLIENT_SECRET_LENGTH,
    ClientSecretSource,
    INTERNAL_CLIENT_ID,
    oidcRedirectUris,
} from "./authentication";
import { allOf } from "./chartInputs";

/**
 * The resources of Flyte's authentication (see authentication.ts): the generated clients' secrets and salts, kept
 * in state, and the Kubernetes Secrets the chart mounts the client secrets from.
 */

/** A client whose secret the program generates. */
export interface GeneratedClient {
    /** The client id. */
    readonly id: string;
    /** The secret: a Pulumi secret. */
    readonly secret: pulumi.Output<string>;
    /** Its bcrypt hash, not secret: what flyteadmin checks the secret against. */
    readonly secretHash: pulumi.Output<string>;
}

export interface FlyteAuthenticationArgs {
    /** The OpenID Connect provider people sign in with, from the platform. */
    readonly signIn: OidcSignIn;
    /** The DNS name Flyte is served on over HTTPS (HttpsExposure.hostname). */
    readonly hostname: string;
    /** Flyte's namespace (read from its Namespace object): the Secrets go there. */
    readonly namespace: pulumi.Input<string>;
    /** The Secrets the chart mounts the client secrets from, as the chart's spec declares them. */
    readonly secrets: readonly AuthSecretSpec[];
    /** Labels of the Secrets. */
    readonly labels: Readonly<Record<string, string>>;
    /** The Kubernetes provider of Flyte's cluster. */
    readonly provider: k8s.Provider;
}

/**
 * The generated clients (INTERNAL_CLIENT_ID and CI_CLIENT_ID: a secret and a bcrypt salt each, kept in state, and
 * the secret's hash) and the Secrets the chart mounts the client secrets from. The values builders take
 * `chartInputs`.
 */
export class FlyteAuthentication extends pulumi.ComponentResource {
    /** Flyte's own components' client. */
    readonly internalClient: GeneratedClient;
    /** CI's client. */
    readonly ciClient: GeneratedClient;
    /** The Secrets the chart mounts, by role. */
    readonly secrets: Readonly<Record<string, k8s.core.v1.Secret>>;
    /** The redirect URI(s) to register at the provider. */
    readonly oidcRedirectUris: pulumi.Output<string[]>;
    /** What the values builders take. */
    readonly chartInputs: pulumi.Output<ChartAuthentication>;
    /** The secrets Flyte reads from these Secrets (Pulumi secrets): part of the digest that restarts it when one changes. */
    readonly mountedSecrets: readonly pulumi.Output<string>[];

    constructor(name: string, args: FlyteAuthenticationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:FlyteAuthentication", name, {}, opts);
        this.internalClient = this.generatedClient(`${name}-internal-client`, INTERNAL_CLIENT_ID);
        this.ciClient = this.generatedClient(`${name}-ci-client`, CI_CLIENT_ID);

        const sources: Readonly<Record<ClientSecretSource, pulumi.Output<string>>> = {
            internalClientSecret: this.internalClient.secret,
            oidcClientSecret: pulumi.secret(args.signIn.clientSecret),
        };
        const secrets: Record<string, k8s.core.v1.Secret> = {};
        for (const spec of args.secrets) {
            if (secrets[spec.role] !== undefined) {
                throw new Error(`two authentication Secrets for ${spec.role}`);
            }
            secrets[spec.role] = new k8s.core.v1.Secret(
                `${name}-${spec.resourceSuffix}`,
                {
                    metadata: { name: spec.secretName, namespace: args.namespace, labels: { ...args.labels } },
                    type: "Opaque",
                    stringData: Object.fromEntries(Object.entries(spec.files).map(([file, source]) => [file, sources[source]])),
                },
                { parent: this, provider: args.provider },
            );
        }
        this.secrets = secrets;
        this.mountedSecrets = [sources.internalClientSecret, sources.oidcClientSecret];
        this.oidcRedirectUris = pulumi.output(oidcRedirectUris(args.hostname));
        const scopes = [...args.signIn.scopes];
        // The names are read from the Secrets, so that the release waits for them.
        const secretNames = pulumi.all(Object.fromEntries(Object.entries(secrets).map(([role, secret]) => [role, secret.metadata.name])));
        this.chartInputs = allOf({
            issuerUrl: args.signIn.issuerUrl,
            clientId: args.signIn.clientId,
            internalClientSecretHash: this.internalClient.secretHash,
            ciClientSecretHash: this.ciClient.secretHash,
            secrets: secretNames,
        }).apply(
            (r): ChartAuthentication => ({
                hostname: args.hostname,
                oidc: { issuerUrl: r.issuerUrl, clientId: r.clientId, scopes },
                internalClientSecretHash: r.internalClientSecretHash,
                ciClientSecretHash: r.ciClientSecretHash,
                secrets: r.secrets,
            }),
        );
        this.registerOutputs({ oidcRedirectUris: this.oidcRedirectUris });
    }

    /** The Secret of a role (AuthSecretSpec.role); fails naming the roles there are. */
    secret(role: string): k8s.core.v1.Secret {
        const secret = this.secrets[role] as k8s.core.v1.Secret | undefined;
        if (secret === undefined) {
            throw new Error(`no authentication Secret ${role}; there are: ${Object.keys(this.secrets).join(", ") || "none"}`);
        }
        return secret;
    }

    /** A client's secret and salt (kept in state) and the secret's hash. */
    private generatedClient(name: string, id: string): GeneratedClient {
        // Letters and digits only: nothing to escape in a mounted file, a curl config or a CI variable.
        const secret = new random.RandomPassword(`${name}-secret`, { length: CLIENT_SECRET_LENGTH, special: false }, { parent: this });
        const salt = new random.RandomString(
            `${name}-salt`,
            { length: BCRYPT_SALT_CHARS, upper: true, lower: true, numeric: true, special: true, overrideSpecial: "./" },
            { parent: this },
        );
        // The hash gives nothing away (see authentication.ts); unsecret so that the chart values stay readable in previews.
        const secretHash = pulumi.unsecret(allOf({ secret: secret.result, salt: salt.result }).apply((s) => bcryptHash(s.secret, bcryptSalt(s.salt))));
        return { id, secret: pulumi.secret(secret.result), secretHash };
    }
}
