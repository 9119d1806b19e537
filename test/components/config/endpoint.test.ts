/**
 * The HTTPS endpoint and sign-in keys (components/config/endpoint.ts): valid combinations parse to what the
 * platforms build from; every invalid one fails in one line naming the key, its value and what is allowed.
 */
import { isDnsName } from "../../../components/config/endpoint";
import { awsStackConfig, configError, expectOneLine, gcpStackConfig, localStackConfig, rawAwsConfig, rawGcpConfig } from "../../helpers/config";

const HTTPS = { "flyte:dnsName": "flyte.ml.example.com" } as const;
const OIDC = {
    "flyte:authentication": "oidc",
    "flyte:oidcIssuerUrl": "https://example.okta.com/oauth2/default",
    "flyte:oidcClientId": "0oa1flyte",
    "flyte:oidcClientSecret": "s3cr3t",
} as const;

describe("isDnsName", () => {
    test.each(["flyte.ml.example.com", "a.io", "x-1.example.org"])("%s is a DNS name", (name) => {
        expect(isDnsName(name)).toBe(true);
    });
    test.each(["flyte", "Flyte.example.com", "-a.example.com", "a..example.com", "flyte.example.com.", "10.0.0.1", `${"a".repeat(64)}.com`, `${"a.".repeat(127)}com`])(
        "%s is not",
        (name) => {
            expect(isDnsName(name)).toBe(false);
        },
    );
});

describe("without dnsName", () => {
    test("gcp and aws keep the internal endpoint without sign-in", () => {
        for (const config of [gcpStackConfig(), awsStackConfig()]) {
            expect(config.https).toBeUndefined();
            expect(config.authentication).toEqual({ mode: "none" });
        }
    });

    test("local has neither", () => {
        const config = localStackConfig();
        expect(config.https).toBeUndefined();
        expect(config.authentication).toEqual({ mode: "none" });
    });

    test.each([
        ["flyte:dnsZone", "my-zone"],
        ["flyte:endpointAccess", "public"],
        ["flyte:authentication", "oidc"],
    ])("%s alone is refused", (key, value) => {
        const err = configError(rawGcpConfig({ [key]: value }));
        expectOneLine(err, key);
        expect(err.message).toContain("only with dnsName set");
    });

    test("keys at their Pulumi.yaml defaults count as not set (Pulumi passes the project's defaults along)", () => {
        const defaults = { "flyte:dnsZone": "", "flyte:endpointAccess": "internal", "flyte:authentication": "none", "flyte:oidcIssuerUrl": "", "flyte:oidcScopes": '["openid","profile","email"]' };
        expect(gcpStackConfig(defaults).https).toBeUndefined();
        expect(awsStackConfig({ ...HTTPS, ...defaults, "flyte:authentication": "cognito" }).authentication.mode).toBe("cognito");
    });

    test("dnsName on local is a key of another target", () => {
        const err = configError({ "flyte:cloud": "local", ...HTTPS });
        expect(err.message).toContain("flyte:dnsName");
    });
});

describe("with dnsName", () => {
    test("internal without a zone or sign-in by default", () => {
        expect(gcpStackConfig(HTTPS).https).toEqual({ dnsName: "flyte.ml.example.com", dnsZone: "", access: "internal" });
        expect(gcpStackConfig(HTTPS).authentication).toEqual({ mode: "none" });
    });

    test("gcp: a Cloud DNS managed zone by name; aws: a Route 53 hosted zone id", () => {
        expect(gcpStackConfig({ ...HTTPS, "flyte:dnsZone": "ml-example-com" }).https?.dnsZone).toBe("ml-example-com");
        expect(awsStackConfig({ ...HTTPS, "flyte:dnsZone": "Z0123456789ABCDEFGHIJ" }).https?.dnsZone).toBe("Z0123456789ABCDEFGHIJ");
    });

    test.each([
        ["gcp", "Z0123456789ABCDEFGHIJ", "Cloud DNS managed zone"],
        ["gcp", "ml.example.com", "Cloud DNS managed zone"],
        ["aws", "ml-example-com", "Route 53 hosted zone id"],
        ["aws", "/hostedzone/Z0123", "Route 53 hosted zone id"],
    ])("%s refuses dnsZone %s", (cloud, zone, allowed) => {
        const raw = (cloud === "gcp" ? rawGcpConfig : rawAwsConfig)({ ...HTTPS, "flyte:dnsZone": zone });
        const err = configError(raw);
        expectOneLine(err, "flyte:dnsZone");
        expect(err.message).toContain(allowed);
    });

    test.each(["flyte", "https://flyte.example.com", "Flyte.Example.com", "flyte.example.com."])("refuses dnsName %s", (name) => {
        const err = configError(rawGcpConfig({ "flyte:dnsName": name }));
        expectOneLine(err, "flyte:dnsName");
        expect(err.message).toContain("a DNS name such as flyte.ml.example.com");
    });

    test("public without authentication is refused in one line", () => {
        for (const raw of [rawGcpConfig({ ...HTTPS, "flyte:endpointAccess": "public" }), rawAwsConfig({ ...HTTPS, "flyte:endpointAccess": "public" })]) {
            const err = configError(raw);
            expectOneLine(err, "flyte:endpointAccess");
            expect(err.message).toContain("only with authentication oidc or cognito");
        }
    });

    test("an unknown endpointAccess names the values", () => {
        const err = configError(rawGcpConfig({ ...HTTPS, "flyte:endpointAccess": "external" }));
        expectOneLine(err, "flyte:endpointAccess");
        expect(err.message).toContain("internal");
        expect(err.message).toContain("public");
    });
});

describe("authentication oidc", () => {
    test("parses the provider, with the default scopes", () => {
        const config = gcpStackConfig({ ...HTTPS, ...OIDC, "flyte:endpointAccess": "public" });
        expect(config.https?.access).toBe("public");
        expect(config.authentication).toEqual({
            mode: "oidc",
            issuerUrl: "https://example.okta.com/oauth2/default",
            clientId: "0oa1flyte",
            clientSecret: "s3cr3t",
            scopes: ["openid", "profile", "email"],
        });
    });

    test("scopes of your own, openid among them", () => {
        const config = awsStackConfig({ ...HTTPS, ...OIDC, "flyte:oidcScopes": JSON.stringify(["openid", "offline_access", "api://flyte/all"]) });
        expect(config.authentication).toMatchObject({ scopes: ["openid", "offline_access", "api://flyte/all"] });
    });

    test.each([
        ["flyte:oidcIssuerUrl", "http://example.okta.com", "https://"],
        ["flyte:oidcIssuerUrl", "https://idp.example.com/?tenant=a", "https://"],
        ["flyte:oidcIssuerUrl", "not a url", "https://"],
        ["flyte:oidcIssuerUrl", undefined, "required with authentication oidc"],
        ["flyte:oidcClientId", undefined, "required with authentication oidc"],
        ["flyte:oidcClientId", "has space", "printable characters"],
        ["flyte:oidcClientSecret", undefined, "required with authentication oidc"],
        ["flyte:oidcScopes", JSON.stringify(["profile", "email"]), "must include openid"],
        ["flyte:oidcScopes", JSON.stringify(["openid", "bad scope"]), "a scope name"],
    ])("%s = %s is refused", (key, value, allowed) => {
        const err = configError(rawGcpConfig({ ...HTTPS, ...OIDC, [key]: value }));
        expectOneLine(err, key);
        expect(err.message).toContain(allowed);
    });

    test("the client secret is never shown", () => {
        const err = configError(rawGcpConfig({ ...HTTPS, ...OIDC, "flyte:authentication": "none" }));
        expect(err.key).toBe("flyte:oidcIssuerUrl");
        const secretErr = configError(rawGcpConfig({ ...HTTPS, "flyte:oidcClientSecret": "s3cr3t-value" }));
        expect(secretErr.key).toBe("flyte:oidcClientSecret");
        expect(secretErr.message).not.toContain("s3cr3t-value");
    });

    test("provider keys without authentication oidc are refused", () => {
        const err = configError(rawAwsConfig({ ...HTTPS, "flyte:authentication": "cognito", "flyte:oidcClientId": "abc" }));
        expectOneLine(err, "flyte:oidcClientId");
        expect(err.message).toContain("only with authentication oidc");
    });
});

describe("authentication cognito", () => {
    test("aws: a user pool with a derived domain and no first user by default", () => {
        expect(awsStackConfig({ ...HTTPS, "flyte:authentication": "cognito" }).authentication).toEqual({ mode: "cognito", domainPrefix: "", adminEmail: "" });
    });

    test("aws: a domain prefix and a first user of your own", () => {
        const config = awsStackConfig({
            ...HTTPS,
            "flyte:endpointAccess": "public",
            "flyte:authentication": "cognito",
            "flyte:cognitoDomainPrefix": "acme-flyte",
            "flyte:cognitoAdminEmail": "ml-platform@example.com",
        });
        expect(config.authentication).toEqual({ mode: "cognito", domainPrefix: "acme-flyte", adminEmail: "ml-platform@example.com" });
    });

    test("gcp refuses it in one line", () => {
        const err = configError(rawGcpConfig({ ...HTTPS, "flyte:authentication": "cognito" }));
        expectOneLine(err, "flyte:authentication");
        expect(err.message).toContain("allowed on gcp: none or oidc");
    });

    test.each([
        ["flyte:cognitoDomainPrefix", "my-cognito-flyte", "without aws, amazon or cognito"],
        ["flyte:cognitoDomainPrefix", "Acme", "lowercase letters"],
        ["flyte:cognitoDomainPrefix", "acme-", "lowercase letters"],
        ["flyte:cognitoAdminEmail", "not-an-email", "an email address"],
    ])("%s = %s is refused", (key, value, allowed) => {
        const err = configError(rawAwsConfig({ ...HTTPS, "flyte:authentication": "cognito", [key]: value }));
        expectOneLine(err, key);
        expect(err.message).toContain(allowed);
    });

    test("cognito keys without authentication cognito are refused", () => {
        const err = configError(rawAwsConfig({ ...HTTPS, ...OIDC, "flyte:cognitoAdminEmail": "a@example.com" }));
        expectOneLine(err, "flyte:cognitoAdminEmail");
        expect(err.message).toContain("only with authentication cognito");
    });
});

describe("gcp: the proxy-only subnet of an internal endpoint", () => {
    test("defaults to a /23 apart from the other ranges", () => {
        expect(gcpStackConfig(HTTPS).gcp.network.proxyOnlySubnetCidr).toBe("10.24.0.0/23");
    });

    test("must not overlap the others when it is created", () => {
        const err = configError(rawGcpConfig({ ...HTTPS, "flyte:proxyOnlySubnetCidr": "10.0.0.0/23" }));
        expectOneLine(err, "flyte:proxyOnlySubnetCidr");
        expect(err.message).toContain("must not overlap subnetCidr");
    });

    test("is not checked where it is not created (no https, or a public endpoint)", () => {
        expect(() => gcpStackConfig({ "flyte:proxyOnlySubnetCidr": "10.0.0.0/23" })).not.toThrow();
        expect(() => gcpStackConfig({ ...HTTPS, ...OIDC, "flyte:endpointAccess": "public", "flyte:proxyOnlySubnetCidr": "10.0.0.0/23" })).not.toThrow();
    });
});
