import * as bcrypt from "bcryptjs";
import {
    ADMIN_SCOPE,
    authorizedUris,
    authSecretName,
    BCRYPT_ALPHABET,
    BCRYPT_COST,
    bcryptHash,
    bcryptSalt,
    ChartAuthentication,
    CI_CLIENT_ID,
    ciClient,
    CLI_CLIENT_ID,
    cliClient,
    cliClientConfig,
    CORE_OIDC_SECRET_DIR,
    flyteBinaryAuthValues,
    flyteCoreAuthValues,
    INTERNAL_CLIENT_ID,
    internalClient,
    oidcRedirectUris,
    publicUrl,
    serviceUris,
    TOKEN_PATH,
} from "../../../components/flyte/authentication";

/**
 * The pure parts of Flyte's authentication: bcrypt salts from random characters and the hashes flyteadmin checks
 * client secrets against, flyteadmin's clients, the URIs it is reached at, and each chart's authentication values.
 */

const SALT_CHARS = "abcdefghijklmnopqrstuvWXYZ";
const SECRET = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789wxyz";

describe("bcryptSalt", () => {
    test("`$2a$<cost>$` and the first 22 characters, the last one as bcrypt writes it (its 4 low bits cleared)", () => {
        // v is index 49 of bcrypt's alphabet: 49 & 0x30 = 48, which is u.
        expect(bcryptSalt(SALT_CHARS)).toBe("$2a$10$abcdefghijklmnopqrstuu");
        expect(bcryptSalt(SALT_CHARS, 4)).toBe("$2a$04$abcdefghijklmnopqrstuu");
        expect(bcryptSalt(SALT_CHARS, 12)).toMatch(/^\$2a\$12\$/);
        expect(BCRYPT_COST).toBe(10);
    });

    test("the salt is the one bcrypt puts into the hash, for every possible last character", () => {
        for (const last of BCRYPT_ALPHABET) {
            const salt = bcryptSalt(`${"A".repeat(21)}${last}`, 4);
            expect(salt).toHaveLength(29);
            expect(bcrypt.getSalt(bcrypt.hashSync("x", salt))).toBe(salt);
        }
    });

    test.each([
        ["fewer than 22 characters", "abc", "a bcrypt salt needs 22 random characters, got 3"],
        ["characters outside bcrypt's alphabet", "abcdefghijklmnopqrst+=", 'a bcrypt salt is written in ./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789; "+=" are not'],
    ])("fails on %s", (_what, chars, message) => {
        expect(() => bcryptSalt(chars)).toThrow(message);
    });

    test.each([3, 32, 10.5])("fails on cost %s", (cost) => {
        expect(() => bcryptSalt(SALT_CHARS, cost)).toThrow(`bcrypt's cost must be an integer from 4 to 31, not ${cost}`);
    });
});

describe("bcryptHash", () => {
    const salt = bcryptSalt(SALT_CHARS, 4);

    test("the same secret and salt give the same hash: a second `pulumi up` changes nothing", () => {
        expect(bcryptHash(SECRET, salt)).toBe(bcryptHash(SECRET, salt));
        expect(bcryptHash(SECRET, salt).startsWith(salt)).toBe(true);
    });

    test("the hash verifies the secret and nothing else", () => {
        const hash = bcryptHash(SECRET, salt);
        expect(bcrypt.compareSync(SECRET, hash)).toBe(true);
        expect(bcrypt.compareSync(`${SECRET}x`, hash)).toBe(false);
        expect(hash).not.toContain(SECRET);
    });

    test("another salt, another hash", () => {
        expect(bcryptHash(SECRET, bcryptSalt(`Z${SALT_CHARS}`, 4))).not.toBe(bcryptHash(SECRET, salt));
    });

    test("an empty secret is refused", () => {
        expect(() => bcryptHash("", salt)).toThrow("refusing to hash an empty client secret");
    });
});

describe("flyteadmin's clients", () => {
    test("flytectl: public, authorization code (PKCE) to the workstation's callback, with refresh tokens", () => {
        expect(cliClient()).toEqual({
            id: CLI_CLIENT_ID,
            redirect_uris: ["http://localhost:53593/callback", "http://localhost:12345/callback"],
            grant_types: ["refresh_token", "authorization_code"],
            response_types: ["code", "token"],
            scopes: ["all", "offline", "access_token"],
            public: true,
        });
        expect(cliClient().redirect_uris).toContain(cliClientConfig().redirectUri);
        expect(cliClientConfig()).toEqual({ clientId: "flytectl", redirectUri: "http://localhost:53593/callback", scopes: ["all", "offline"] });
    });

    test("the internal client and CI: confidential, client credentials, with the API's scope, their own hash", () => {
        expect(internalClient("$2a$10$hashA")).toEqual({
            id: "flytepropeller",
            client_secret: "$2a$10$hashA",
            grant_types: ["refresh_token", "client_credentials"],
            response_types: ["token"],
            scopes: ["all", "offline", "access_token"],
        });
        expect(ciClient("$2a$10$hashB")).toEqual({
            id: "flyte-ci",
            client_secret: "$2a$10$hashB",
            grant_types: ["client_credentials"],
            response_types: ["token"],
            scopes: ["all", "offline"],
        });
        for (const client of [internalClient("h"), ciClient("h")]) {
            expect(client.scopes).toContain(ADMIN_SCOPE);
            expect(client.public).toBeUndefined();
        }
        // Every scope flytectl and Flyte's components ask for is one each client may have.
        for (const client of [cliClient(), internalClient("h"), ciClient("h")]) {
            expect(client.scopes).toEqual(expect.arrayContaining(cliClientConfig().scopes));
        }
        expect([INTERNAL_CLIENT_ID, CI_CLIENT_ID, CLI_CLIENT_ID]).toEqual(["flytepropeller", "flyte-ci", "flytectl"]);
    });
});

describe("addresses", () => {
    test("the public URL and the callback to register at the provider", () => {
        expect(publicUrl("flyte.ml.example.com")).toBe("https://flyte.ml.example.com");
        expect(oidcRedirectUris("flyte.ml.example.com")).toEqual(["https://flyte.ml.example.com/callback"]);
    });

    test("a Service's in-cluster names, and the authorized URIs: public URL first, then each Service's names", () => {
        const admin = { service: "flyteadmin", namespace: "orchestration", httpPort: 80 };
        expect(serviceUris(admin)).toEqual([
            "http://flyteadmin:80",
            "http://flyteadmin.orchestration:80",
            "http://flyteadmin.orchestration.svc:80",
            "http://flyteadmin.orchestration.svc.cluster.local:80",
        ]);
        expect(authorizedUris("flyte.ml.example.com", [admin])).toEqual(["https://flyte.ml.example.com", ...serviceUris(admin)]);
        expect(authorizedUris("f.example", [])).toEqual(["https://f.example"]);
    });
});

const AUTH: ChartAuthentication = {
    hostname: "flyte.ml.example.com",
    oidc: { issuerUrl: "https://idp.example.com/realms/ml", clientId: "flyte", scopes: ["openid", "email"] },
    internalClientSecretHash: "$2a$10$internalHash",
    ciClientSecretHash: "$2a$10$ciHash",
    secrets: { clientSecrets: "secrets-from-the-secret", adminClient: "admin-client-secret", oidcClient: "oidc-client-secret" },
};

test("authSecretName: a role's Secret, or a failure naming the roles there are", () => {
    expect(authSecretName(AUTH, "adminClient")).toBe("admin-client-secret");
    expect(() => authSecretName(AUTH, "nope")).toThrow("no authentication Secret nope; there are: clientSecrets, adminClient, oidcClient");
    expect(() => authSecretName({ ...AUTH, secrets: {} }, "nope")).toThrow("there are: none");
});

describe("flyteBinaryAuthValues", () => {
    const values = flyteBinaryAuthValues(AUTH, {
        admin: { service: "flyte-binary-http", namespace: "flyte", httpPort: 8088 },
        podHttpPort: 8088,
        clientSecretsSecret: "the-client-secrets",
    });

    test("configuration.auth: on, the provider, the internal client's hash, flytectl, the authorized URIs, the program's Secret", () => {
        expect(values.auth).toEqual({
            enabled: true,
            enableAuthServer: true,
            oidc: { baseUrl: "https://idp.example.com/realms/ml", clientId: "flyte" },
            internal: { clientId: "flytepropeller", clientSecretHash: "$2a$10$internalHash" },
            flyteClient: { clientId: "flytectl", redirectUri: "http://localhost:53593/callback", scopes: ["all", "offline"] },
            authorizedUris: [
                "https://flyte.ml.example.com",
                "http://flyte-binary-http:8088",
                "http://flyte-binary-http.flyte:8088",
                "http://flyte-binary-http.flyte.svc:8088",
                "http://flyte-binary-http.flyte.svc.cluster.local:8088",
            ],
            clientSecretsExternalSecretRef: "the-client-secrets",
        });
        // No secret in the values: the chart would render its own Secret from them.
        expect(JSON.stringify(values)).not.toMatch(/clientSecret"/);
    });

    test("inline: the pod's own token endpoint, the configured scopes, the CI client", () => {
        expect(values.inline).toEqual({
            admin: { tokenUrl: `http://localhost:8088${TOKEN_PATH}` },
            auth: {
                userAuth: { openId: { scopes: ["openid", "email"] } },
                appAuth: { selfAuthServer: { staticClients: { "flyte-ci": ciClient("$2a$10$ciHash") } } },
            },
        });
    });
});

describe("flyteCoreAuthValues", () => {
    const values = flyteCoreAuthValues(AUTH, {
        admin: { service: "flyteadmin", namespace: "orchestration", httpPort: 80 },
        internalClientSecret: "flyte-secret-auth",
        oidcClientSecret: "oidc-secret",
    });

    test("the admin clients' Secret, by name, without a secret for the chart to render", () => {
        expect(values.adminOauthClientCredentials).toEqual({ enabled: true, clientSecret: "", clientId: "flytepropeller", secretName: "flyte-secret-auth" });
    });

    test("flyteadmin: auth on, the authorized URIs, flytectl, every client with its hash, the provider with its secret's file", () => {
        expect(values.adminServer).toEqual({
            server: { security: { useAuth: true } },
            auth: {
                authorizedUris: ["https://flyte.ml.example.com", ...serviceUris({ service: "flyteadmin", namespace: "orchestration", httpPort: 80 })],
                appAuth: {
                    thirdPartyConfig: { flyteClient: cliClientConfig() },
                    selfAuthServer: {
                        staticClients: { flytectl: cliClient(), flytepropeller: internalClient("$2a$10$internalHash"), "flyte-ci": ciClient("$2a$10$ciHash") },
                    },
                },
                userAuth: {
                    openId: {
                        baseUrl: "https://idp.example.com/realms/ml",
                        clientId: "flyte",
                        scopes: ["openid", "email"],
                        clientSecretFile: `${CORE_OIDC_SECRET_DIR}/oidc_client_secret`,
                    },
                },
            },
        });
    });

    test("flyteadmin mounts the provider's secret read-only where clientSecretFile points", () => {
        expect(values.adminVolumes).toEqual({
            additionalVolumes: [{ name: "oidc-client", secret: { secretName: "oidc-secret" } }],
            additionalVolumeMounts: [{ name: "oidc-client", mountPath: "/etc/flyte/oidc-client", readOnly: true }],
        });
        const file = values.adminServer.auth.userAuth.openId.clientSecretFile;
        expect(file.startsWith(`${values.adminVolumes.additionalVolumeMounts[0].mountPath}/`)).toBe(true);
    });
});
