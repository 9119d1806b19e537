import { isDns1123Label } from "../shared/namespaces";
import { ConfigReader } from "./reader";
import { CONFIG_KEYS, ConfigKey, DNS_NAME_MAX } from "./schema";
import type { AuthenticationConfig, Cloud, HttpsConfig } from "../contract/config";

/** A Cloud DNS managed zone's name (https://cloud.google.com/dns/docs/reference/rest/v1/managedZones: name). */
const CLOUD_DNS_ZONE = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** A Route 53 hosted zone id as the API returns it, without the `/hostedzone/` prefix. */
const ROUTE53_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/**
 * A Cognito hosted domain prefix: lowercase letters, digits and hyphens, not starting or ending with a hyphen, and
 * without reserved words (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-assign-domain-prefix.html).
 */
const COGNITO_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const COGNITO_RESERVED = ["aws", "amazon", "cognito"];
/** An OAuth 2.0 scope token (RFC 6749 3.3 allows more; this is what providers actually use). */
const SCOPE = /^[A-Za-z0-9._:/-]{1,128}$/;

/** Keys that mean something only with dnsName set. */
const HTTPS_ONLY_KEYS = ["dnsZone", "endpointAccess", "authentication"] as const satisfies readonly ConfigKey[];
/** Keys that mean something only with authentication oidc. */
const OIDC_KEYS = ["oidcIssuerUrl", "oidcClientId", "oidcClientSecret", "oidcScopes"] as const satisfies readonly ConfigKey[];
/** Keys that mean something only with authentication cognito. */
const COGNITO_KEYS = ["cognitoDomainPrefix", "cognitoAdminEmail"] as const satisfies readonly ConfigKey[];

/** A fully qualified DNS name of at least two labels, each a DNS-1123 label, without a trailing dot. */
export function isDnsName(name: string): boolean {
    const labels = name.split(".");
    return name.length <= DNS_NAME_MAX && labels.length >= 2 && labels.every(isDns1123Label) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

/** The HTTPS endpoint (`dnsName`, `dnsZone`, `endpointAccess`); undefined without dnsName, and then none of the keys may be set. */
export function parseHttps(config: ConfigReader, cloud: Cloud): HttpsConfig | undefined {
    if (!CONFIG_KEYS.dnsName.targets.includes(cloud)) {
        return undefined;
    }
    const dnsName = config.string("dnsName");
    if (dnsName === "") {
        config.refuseSetKeys(HTTPS_ONLY_KEYS, "dnsName set (Flyte on its own name over HTTPS)");
        return undefined;
    }
    if (!isDnsName(dnsName)) {
        config.refuse("dnsName", dnsName);
    }
    const dnsZone = config.string("dnsZone");
    if (dnsZone !== "" && !(cloud === "gcp" ? CLOUD_DNS_ZONE : ROUTE53_ZONE_ID).test(dnsZone)) {
        config.fail(
            "dnsZone",
            dnsZone,
            cloud === "gcp"
                ? "allowed: empty or a Cloud DNS managed zone's name (lowercase letters, digits and '-', starting with a letter, at most 63 characters)"
                : "allowed: empty or a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ",
        );
    }
    return { dnsName, dnsZone, access: config.oneOf("endpointAccess") };
}

/**
 * How users sign in (`authentication` and its provider's keys). Sign-in needs the HTTPS endpoint (the provider
 * redirects browsers to it), and a public endpoint needs sign-in.
 */
export function parseAuthentication(config: ConfigReader, cloud: Cloud, https: HttpsConfig | undefined): AuthenticationConfig {
    if (!CONFIG_KEYS.authentication.targets.includes(cloud)) {
        return { mode: "none" };
    }
    const mode = https === undefined ? "none" : config.oneOf("authentication");
    if (https?.access === "public" && mode === "none") {
        config.fail("endpointAccess", "public", "only with authentication oidc or cognito (aws): a public Flyte must ask who is calling");
    }
    if (mode !== "oidc") {
        config.refuseSetKeys(OIDC_KEYS, "authentication oidc");
    }
    if (mode !== "cognito" && CONFIG_KEYS.cognitoDomainPrefix.targets.includes(cloud)) {
        config.refuseSetKeys(COGNITO_KEYS, "authentication cognito");
    }
    switch (mode) {
        case "none":
            return { mode };
        case "oidc":
            return parseOidc(config);
        case "cognito":
            if (cloud !== "aws") {
                return config.fail("authentication", mode, "allowed on gcp: none or oidc (cognito is an AWS service)");
            }
            return parseCognito(config);
    }
}

function parseOidc(config: ConfigReader): AuthenticationConfig {
    const issuerUrl = config.string("oidcIssuerUrl");
    let url: URL | undefined;
    try {
        url = new URL(issuerUrl);
    } catch {
        url = undefined;
    }
    if (url === undefined || url.protocol !== "https:" || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
        config.fail("oidcIssuerUrl", issuerUrl, `${issuerUrl === "" ? "required with authentication oidc; " : ""}allowed: ${CONFIG_KEYS.oidcIssuerUrl.allows}`);
    }
    const clientId = config.string("oidcClientId");
    if (clientId === "") {
        config.fail("oidcClientId", clientId, `required with authentication oidc; allowed: ${CONFIG_KEYS.oidcClientId.allows}`);
    }
    const clientSecret = config.secret("oidcClientSecret");
    if (clientSecret === "") {
        config.fail("oidcClientSecret", "", "required with authentication oidc; set it with pulumi config set --secret");
    }
    const scopes = config.list("oidcScopes");
    const invalid = scopes.find((scope) => !SCOPE.test(scope));
    if (invalid !== undefined) {
        config.fail("oidcScopes", invalid, `allowed: ${CONFIG_KEYS.oidcScopes.items}`);
    }
    if (!scopes.includes("openid")) {
        config.fail("oidcScopes", scopes, "must include openid: flyteadmin signs users in with OpenID Connect");
    }
    return { mode: "oidc", issuerUrl, clientId, clientSecret, scopes: [...new Set(scopes)] };
}

function parseCognito(config: ConfigReader): AuthenticationConfig {
    const domainPrefix = config.string("cognitoDomainPrefix");
    if (domainPrefix !== "" && (!COGNITO_PREFIX.test(domainPrefix) || COGNITO_RESERVED.some((word) => domainPrefix.includes(word)))) {
        config.refuse("cognitoDomainPrefix", domainPrefix);
    }
    return { mode: "cognito", domainPrefix, adminEmail: config.string("cognitoAdminEmail") };
}
