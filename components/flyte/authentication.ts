import * as bcrypt from "bcryptjs";

/**
 * Flyte's authentication, for either chart, once the platform hands over an OpenID Connect provider
 * (`FlytePlatform.signIn`) and Flyte is served over HTTPS on its own name. flyteadmin then plays two parts
 * (flyteadmin/auth at v1.16.8):
 *
 * - the relying party of the provider: people sign in to the console through it (`userAuth.openId`), and the
 *   provider sends them back to `https://<name>/callback` (OIDC_CALLBACK_PATH), the redirect URI to register there;
 * - its own OAuth2 authorization server (`appAuth.selfAuthServer`), issuing tokens to flytectl and pyflyte (public
 *   client `flytectl`, authorization code with PKCE), to Flyte's own components (INTERNAL_CLIENT_ID, client
 *   credentials) and to CI (CI_CLIENT_ID, client credentials). The generated clients' secrets are kept in state
 *   (@pulumi/random) and flyteadmin is given their bcrypt hashes, computed here with a salt kept in state too, so
 *   that a second `pulumi up` changes nothing.
 *
 * Which token flyteadmin accepts where (auth/handler_utils.go GetPublicURL, authzserver/token.go, token.go): the
 * audience of a token it issues is the authorized URI that matches the host the token was requested on, and the
 * audience it expects is the one that matches the host it is called on; a host no authorized URI names stands for
 * the first one. The public URL therefore comes first (what a client outside the cluster sees) and each in-cluster
 * address of flyteadmin follows, so that a component discovering the token endpoint in the cluster
 * (`GetOAuth2Metadata` on its admin endpoint) gets an in-cluster one, and the token it gets there is accepted there.
 *
 * Secrets: the provider's client secret and the generated ones are written only to Kubernetes Secrets this module
 * creates (and held as Pulumi secrets); the charts mount those Secrets by name. The bcrypt hashes go into chart
 * values: a hash is what a server keeps to check a secret, and it does not give the secret away (each secret is
 * 40 random letters and digits).
 */

/** The client Flyte's own components (flytepropeller, flytescheduler, the project data Job) call flyteadmin as. */
export const INTERNAL_CLIENT_ID = "flytepropeller";
/** The confidential client for CI pipelines (registering workflows with a client secret). */
export const CI_CLIENT_ID = "flyte-ci";
/** The public client flytectl and pyflyte sign in as (PKCE), which flyteadmin tells them about (`thirdPartyConfig`). */
export const CLI_CLIENT_ID = "flytectl";
/** Where flytectl and pyflyte listen for the authorization code on the workstation (Flyte's defaults). */
export const CLI_REDIRECT_URIS: readonly string[] = ["http://localhost:53593/callback", "http://localhost:12345/callback"];
/** The scope every call of flyteadmin's API needs (auth/interceptor.go BlanketAuthorization). */
export const ADMIN_SCOPE = "all";
/** What flytectl, pyflyte and Flyte's components ask for: the API, and refresh tokens where the grant has them. */
export const CLIENT_SCOPES: readonly string[] = [ADMIN_SCOPE, "offline"];
/** flyteadmin's OAuth2 token endpoint (auth/authzserver/metadata.go). */
export const TOKEN_PATH = "/oauth2/token";
/** Where the provider sends people back after signing in (auth/handlers.go, auth/auth_context.go). */
export const OIDC_CALLBACK_PATH = "/callback";
/** The file (Secret key) Flyte's admin clients read their secret from: `admin.clientSecretLocation`'s default file. */
export const CLIENT_SECRET_FILE = "client_secret";
/** The file (Secret key) flyteadmin reads the provider's client secret from (`userAuth.openId.clientSecretName`'s default). */
export const OIDC_CLIENT_SECRET_FILE = "oidc_client_secret";
/** Length of every generated client secret: letters and digits only, within bcrypt's 72 bytes. */
export const CLIENT_SECRET_LENGTH = 40;

// ---- bcrypt ----

/** bcrypt's base64 alphabet (not RFC 4648's). */
export const BCRYPT_ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Characters of a bcrypt salt: 16 bytes in bcrypt's base64. */
export const BCRYPT_SALT_CHARS = 22;
/** bcrypt's cost (2^10 rounds, the usual default): flyteadmin checks a client's secret once per token it issues. */
export const BCRYPT_COST = 10;

/**
 * A bcrypt salt (`$2a$<cost>$` and 22 characters) from random characters of BCRYPT_ALPHABET (the first 22 of
 * them). 22 characters carry 132 bits, of which bcrypt uses 128: the last character's 4 low bits are cleared, as
 * bcrypt itself writes it, so that the hash starts with exactly this salt.
 */
export function bcryptSalt(randomChars: string, cost = BCRYPT_COST): string {
    if (!Number.isInteger(cost) || cost < 4 || cost > 31) {
        throw new Error(`bcrypt's cost must be an integer from 4 to 31, not ${cost}`);
    }
    if (randomChars.length < BCRYPT_SALT_CHARS) {
        throw new Error(`a bcrypt salt needs ${BCRYPT_SALT_CHARS} random characters, got ${randomChars.length}`);
    }
    const chars = randomChars.slice(0, BCRYPT_SALT_CHARS);
    const outside = [...new Set(chars.split("").filter((c) => !BCRYPT_ALPHABET.includes(c)))];
    if (outside.length > 0) {
        throw new Error(`a bcrypt salt is written in ${BCRYPT_ALPHABET}; ${JSON.stringify(outside.join(""))} are not`);
    }
    const last = BCRYPT_ALPHABET[BCRYPT_ALPHABET.indexOf(chars[BCRYPT_SALT_CHARS - 1]) & 0x30];
    return `$2a$${String(cost).padStart(2, "0")}$${chars.slice(0, -1)}${last}`;
}

/** The bcrypt hash of `secret` with `salt` (bcryptSalt): the same inputs give the same hash. */
export function bcryptHash(secret: string, salt: string): string {
    if (secret.length === 0) {
        throw new Error("refusing to hash an empty client secret");
    }
    return bcrypt.hashSync(secret, salt);
}

// ---- flyteadmin's clients ----

/** A client of flyteadmin's authorization server, as its config declares one (fosite's DefaultClient). */
export interface StaticClient {
    /** The client id. */
    readonly id: string;
    /** bcrypt hash of the client's secret; absent for a public client. */
    readonly client_secret?: string;
    /** Where an authorization code may be sent (authorization code grant only). */
    readonly redirect_uris?: readonly string[];
    /** OAuth2 grants the client may use. */
    readonly grant_types: readonly string[];
    /** OAuth2 response types it may ask for. */
    readonly response_types: readonly string[];
    /** Scopes it may ask for. */
    readonly scopes: readonly string[];
    /** A public client (no secret; PKCE). */
    readonly public?: boolean;
}

/** flytectl and pyflyte: a public client, authorization code with PKCE to the workstation, with refresh tokens. */
export function cliClient(): StaticClient {
    return {
        id: CLI_CLIENT_ID,
        redirect_uris: [...CLI_REDIRECT_URIS],
        grant_types: ["refresh_token", "authorization_code"],
        response_types: ["code", "token"],
        scopes: [...CLIENT_SCOPES, "access_token"],
        public: true,
    };
}

/** Flyte's own components: client credentials with the generated secret's hash (as the charts declare it). */
export function internalClient(secretHash: string): StaticClient {
    return {
        id: INTERNAL_CLIENT_ID,
        client_secret: secretHash,
        grant_types: ["refresh_token", "client_credentials"],
        response_types: ["token"],
        scopes: [...CLIENT_SCOPES, "access_token"],
    };
}

/** CI: client credentials only, with its own generated secret's hash. */
export function ciClient(secretHash: string): StaticClient {
    return {
        id: CI_CLIENT_ID,
        client_secret: secretHash,
        grant_types: ["client_credentials"],
        response_types: ["token"],
        scopes: [...CLIENT_SCOPES],
    };
}

/** What flytectl and pyflyte are told to sign in as (`appAuth.thirdPartyConfig.flyteClient`). */
export function cliClientConfig(): { clientId: string; redirectUri: string; scopes: string[] } {
    return { clientId: CLI_CLIENT_ID, redirectUri: CLI_REDIRECT_URIS[0], scopes: [...CLIENT_SCOPES] };
}

// ---- Addresses ----

/** What people and clients outside the cluster reach Flyte at. */
export function publicUrl(hostname: string): string {
    return `https://${hostname}`;
}

/** The redirect URI(s) to register for Flyte's client at the OpenID Connect provider. */
export function oidcRedirectUris(hostname: string): string[] {
    return [`${publicUrl(hostname)}${OIDC_CALLBACK_PATH}`];
}

/** A Service serving flyteadmin's HTTP API in the cluster. */
export interface AdminService {
    /** The Service's name. */
    readonly service: string;
    /** Its namespace. */
    readonly namespace: string;
    /** Its HTTP port (flyteadmin's gRPC port on the same Service matches by host name). */
    readonly httpPort: number;
}

/** The names a Service answers to in the cluster (`svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`), as URLs. */
export function serviceUris(admin: AdminService): string[] {
    const names = [admin.service, `${admin.service}.${admin.namespace}`, `${admin.service}.${admin.namespace}.svc`, `${admin.service}.${admin.namespace}.svc.cluster.local`];
    return names.map((host) => `http://${host}:${admin.httpPort}`);
}

/** flyteadmin's `authorizedUris`: the public URL first (see the top of this file), then its in-cluster addresses. */
export function authorizedUris(hostname: string, inCluster: readonly AdminService[]): string[] {
    return [publicUrl(hostname), ...inCluster.flatMap(serviceUris)];
}

// ---- What the values builders are given ----

/** Which generated or given secret a key of a Secret holds. */
export type ClientSecretSource = "internalClientSecret" | "oidcClientSecret";

/** A Secret with client secrets that a chart mounts by name, as the chart's spec declares it. */
export interface AuthSecretSpec {
    /** What the values builder calls it (a key of ChartAuthentication.secrets). */
    readonly role: string;
    /** Pulumi name of the Secret: `<component name>-<resourceSuffix>`. */
    readonly resourceSuffix: string;
    /** Its Kubernetes name. */
    readonly secretName: string;
    /** Its keys (the files the chart mounts) and which secret each holds. */
    readonly files: Readonly<Record<string, ClientSecretSource>>;
}

/** Authentication as both charts' values builders take it, resolved. */
export interface ChartAuthentication {
    /** The DNS name Flyte is served on over HTTPS. */
    readonly hostname: string;
    /** The provider people sign in with. */
    readonly oidc: {
        /** The issuer URL (`userAuth.openId.baseUrl`). */
        readonly issuerUrl: string;
        /** Flyte's client id at the provider. */
        readonly clientId: string;
        /** Scopes flyteadmin asks for when someone signs in. */
        readonly scopes: readonly string[];
    };
    /** bcrypt hash of INTERNAL_CLIENT_ID's secret. */
    readonly internalClientSecretHash: string;
    /** bcrypt hash of CI_CLIENT_ID's secret. */
    readonly ciClientSecretHash: string;
    /** The Secrets created for the chart (AuthSecretSpec), their names by role, read from the Secrets. */
    readonly secrets: Readonly<Record<string, string>>;
}

/** The name of the Secret of a role; fails naming the roles there are. */
export function authSecretName(authentication: ChartAuthentication, role: string): string {
    const name = authentication.secrets[role];
    if (name === undefined) {
        throw new Error(`no authentication Secret ${role}; there are: ${Object.keys(authentication.secrets).join(", ") || "none"}`);
    }
    return name;
}

// ---- flyte-binary ----

/**
 * flyte-binary's `configuration.auth` (charts/flyte-binary/values.yaml, templates/configmap.yaml `004-auth.yaml`,
 * config-secret.yaml `014-auth-secrets.yaml`, deployment.yaml's `auth` volume at v1.16.8). The chart's own
 * client Secret (`auth-client-secret.yaml`, fed from `oidc.clientSecret` and `internal.clientSecret`) is left out:
 * `clientSecretsExternalSecretRef` names the Secret this program creates, with the keys CLIENT_SECRET_FILE and
 * OIDC_CLIENT_SECRET_FILE, which the chart mounts at /etc/secrets next to flyteadmin's generated keys. The
 * internal client's hash goes to the chart's config Secret (`014-auth-secrets.yaml`).
 */
export interface BinaryAuthValues {
    readonly enabled: true;
    /** flyteadmin's own authorization server (the chart declares flytectl, flyte-cli and flytepropeller in it). */
    readonly enableAuthServer: true;
    /** The provider (`userAuth.openId`); its secret comes from the Secret `clientSecretsExternalSecretRef` names. */
    readonly oidc: { readonly baseUrl: string; readonly clientId: string };
    /** INTERNAL_CLIENT_ID and its secret's hash; the secret itself is in the external Secret. */
    readonly internal: { readonly clientId: string; readonly clientSecretHash: string };
    /** `appAuth.thirdPartyConfig.flyteClient`: what flytectl and pyflyte sign in as. */
    readonly flyteClient: { readonly clientId: string; readonly redirectUri: string; readonly scopes: readonly string[] };
    /** Listed before the chart's own (the release's Service names, which no Service of this chart has). */
    readonly authorizedUris: readonly string[];
    /** The Secret with CLIENT_SECRET_FILE and OIDC_CLIENT_SECRET_FILE. */
    readonly clientSecretsExternalSecretRef: string;
}

/** What flyte-binary's inline config (`configuration.inline`, merged after the chart's files) adds for authentication. */
export interface BinaryInlineAuth {
    /**
     * The components in the pod call flyteadmin on localhost (the chart's `admin.endpoint: localhost:8089`): their
     * token endpoint too, rather than the public URL flyteadmin would name for a host it has no authorized URI
     * for. Tokens issued there carry the public URL's audience, which is what flyteadmin expects on localhost.
     */
    readonly admin: { readonly tokenUrl: string };
    readonly auth: {
        /** The chart writes `profile` and `openid`; these are the configured ones. */
        readonly userAuth: { readonly openId: { readonly scopes: readonly string[] } };
        /** The CI client, next to the chart's three. */
        readonly appAuth: { readonly selfAuthServer: { readonly staticClients: Readonly<Record<string, StaticClient>> } };
    };
}

export function flyteBinaryAuthValues(
    authentication: ChartAuthentication,
    chart: {
        /** The chart's HTTP Service, as pods in the cluster reach flyteadmin. */
        readonly admin: AdminService;
        /** The port flyteadmin serves HTTP on inside the pod. */
        readonly podHttpPort: number;
        /** The Secret with CLIENT_SECRET_FILE and OIDC_CLIENT_SECRET_FILE. */
        readonly clientSecretsSecret: string;
    },
): { readonly auth: BinaryAuthValues; readonly inline: BinaryInlineAuth } {
    return {
        auth: {
            enabled: true,
            enableAuthServer: true,
            oidc: { baseUrl: authentication.oidc.issuerUrl, clientId: authentication.oidc.clientId },
            internal: { clientId: INTERNAL_CLIENT_ID, clientSecretHash: authentication.internalClientSecretHash },
            flyteClient: cliClientConfig(),
            authorizedUris: authorizedUris(authentication.hostname, [chart.admin]),
            clientSecretsExternalSecretRef: chart.clientSecretsSecret,
        },
        inline: {
            admin: { tokenUrl: `http://localhost:${chart.podHttpPort}${TOKEN_PATH}` },
            auth: {
                userAuth: { openId: { scopes: [...authentication.oidc.scopes] } },
                appAuth: { selfAuthServer: { staticClients: { [CI_CLIENT_ID]: ciClient(authentication.ciClientSecretHash) } } },
            },
        },
    };
}

// ---- flyte-core ----

/**
 * Where flyteadmin reads the provider's client secret in flyte-core: the chart mounts its own `flyte-admin-secrets`
 * at /etc/secrets, fed from values (`flyteadmin.secrets`) and filled by its init container, so the Secret this
 * program creates is mounted beside it and named by `userAuth.openId.clientSecretFile`, which flyteadmin reads as
 * it is (auth/auth_context.go GetOAuth2ClientConfig, v1.16.8).
 */
export const CORE_OIDC_SECRET_DIR = "/etc/flyte/oidc-client";
const CORE_OIDC_VOLUME = "oidc-client";

/** What flyte-core's values get for authentication (charts/flyte-core/values.yaml at v1.16.8). */
export interface CoreAuthValues {
    /**
     * `secrets.adminOauthClientCredentials`: flytepropeller, flytescheduler (and a standalone cluster resource
     * sync) mount the Secret `secretName` at /etc/secrets and call flyteadmin as `clientId`. No `clientSecret`:
     * the chart would render the Secret from it; this program creates it.
     */
    readonly adminOauthClientCredentials: {
        readonly enabled: true;
        readonly clientSecret: "";
        readonly clientId: string;
        readonly secretName: string;
    };
    /** `configmap.adminServer`: flyteadmin's server and auth config (rendered into flyte-admin-base-config). */
    readonly adminServer: {
        readonly server: { readonly security: { readonly useAuth: true } };
        readonly auth: {
            readonly authorizedUris: readonly string[];
            readonly appAuth: {
                readonly thirdPartyConfig: { readonly flyteClient: { readonly clientId: string; readonly redirectUri: string; readonly scopes: readonly string[] } };
                readonly selfAuthServer: { readonly staticClients: Readonly<Record<string, StaticClient>> };
            };
            readonly userAuth: {
                readonly openId: {
                    readonly baseUrl: string;
                    readonly clientId: string;
                    readonly scopes: readonly string[];
                    readonly clientSecretFile: string;
                };
            };
        };
    };
    /** flyteadmin's extra volume and mount: the provider's client secret at CORE_OIDC_SECRET_DIR. */
    readonly adminVolumes: {
        readonly additionalVolumes: readonly { readonly name: string; readonly secret: { readonly secretName: string } }[];
        readonly additionalVolumeMounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly: true }[];
    };
}

export function flyteCoreAuthValues(
    authentication: ChartAuthentication,
    chart: {
        /** flyteadmin's Service, as Flyte's components reach it (`configmap.admin.admin.endpoint`: `flyteadmin:81`). */
        readonly admin: AdminService;
        /**
         * The Secret with CLIENT_SECRET_FILE. flytescheduler's template mounts `flyte-secret-auth` whatever
         * `secretName` says (templates/flytescheduler/deployment.yaml), so that is its name.
         */
        readonly internalClientSecret: string;
        /** The Secret with OIDC_CLIENT_SECRET_FILE. */
        readonly oidcClientSecret: string;
    },
): CoreAuthValues {
    return {
        adminOauthClientCredentials: { enabled: true, clientSecret: "", clientId: INTERNAL_CLIENT_ID, secretName: chart.internalClientSecret },
        adminServer: {
            server: { security: { useAuth: true } },
            auth: {
                authorizedUris: authorizedUris(authentication.hostname, [chart.admin]),
                appAuth: {
                    thirdPartyConfig: { flyteClient: cliClientConfig() },
                    // Merged over flyteadmin's built-in clients (auth/config/config.go), whose flytepropeller has a
                    // well-known secret: this one's hash replaces it.
                    selfAuthServer: {
                        staticClients: {
                            [CLI_CLIENT_ID]: cliClient(),
                            [INTERNAL_CLIENT_ID]: internalClient(authentication.internalClientSecretHash),
                            [CI_CLIENT_ID]: ciClient(authentication.ciClientSecretHash),
                        },
                    },
                },
                userAuth: {
                    openId: {
                        baseUrl: authentication.oidc.issuerUrl,
                        clientId: authentication.oidc.clientId,
                        scopes: [...authentication.oidc.scopes],
                        clientSecretFile: `${CORE_OIDC_SECRET_DIR}/${OIDC_CLIENT_SECRET_FILE}`,
                    },
                },
            },
        },
        adminVolumes: {
            additionalVolumes: [{ name: CORE_OIDC_VOLUME, secret: { secretName: chart.oidcClientSecret } }],
            additionalVolumeMounts: [{ name: CORE_OIDC_VOLUME, mountPath: CORE_OIDC_SECRET_DIR, readOnly: true }],
        },
    };
}
