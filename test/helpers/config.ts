import { ConfigError } from "../../components/config/errors";
import { ConfigContext, parseStackConfig, RawConfig } from "../../components/config/parse";
import { CONFIG_KEYS, ConfigKey, KeySpec } from "../../components/config/schema";
import type { AwsStackConfig, Cloud, FlyteConfig, GcpStackConfig, LocalStackConfig, StackConfig } from "../../components/contract/config";

/** `base` with keys set, or removed where the override is undefined. */
function withOverrides(base: Record<string, string>, overrides: Record<string, string | undefined>): RawConfig {
    const result: Record<string, string> = { ...base };
    for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) {
            delete result[key];
        } else {
            result[key] = value;
        }
    }
    return result;
}

/** A valid GCP config as the runtime would pass it; override or remove keys per test. */
export function rawGcpConfig(overrides: Record<string, string | undefined> = {}): RawConfig {
    return withOverrides({ "gcp:project": "acme-test", "gcp:region": "europe-west1", "flyte:cloud": "gcp" }, overrides);
}

/** A valid AWS config as the runtime would pass it: cloud aws and aws:region are all it needs. */
export function rawAwsConfig(overrides: Record<string, string | undefined> = {}): RawConfig {
    return withOverrides({ "aws:region": "eu-central-1", "flyte:cloud": "aws" }, overrides);
}

export function stackConfig(raw: RawConfig, stack = "test"): StackConfig {
    return parseStackConfig(raw, { pulumiProject: "flyte", stack });
}

export function gcpStackConfig(overrides: Record<string, string | undefined> = {}, stack = "test"): GcpStackConfig {
    const config = stackConfig(rawGcpConfig(overrides), stack);
    if (config.cloud !== "gcp") {
        throw new Error(`expected a gcp config, got ${config.cloud}`);
    }
    return config;
}

/** A valid local config: no keys are required. */
export function localStackConfig(overrides: Record<string, string> = {}, stack = "test"): LocalStackConfig {
    const config = stackConfig({ "flyte:cloud": "local", ...overrides }, stack);
    if (config.cloud !== "local") {
        throw new Error(`expected a local config, got ${config.cloud}`);
    }
    return config;
}

/** A valid AWS config (eu-central-1, every other key at its default unless overridden). */
export function awsStackConfig(overrides: Record<string, string | undefined> = {}, stack = "test"): AwsStackConfig {
    const config = stackConfig(rawAwsConfig(overrides), stack);
    if (config.cloud !== "aws") {
        throw new Error(`expected an aws config, got ${config.cloud}`);
    }
    return config;
}

/** The domains of twoProjectFlyteConfig. */
export const TWO_PROJECT_DOMAINS = ["d-dev", "t-dev", "p-dev"];

/**
 * A GCP stack's Flyte config with two projects, x and y, in three domains (TWO_PROJECT_DOMAINS), their namespaces
 * team-<project>-<domain> and Flyte in team-flyte: the identity and isolation tests' config, on either chart.
 */
export function twoProjectFlyteConfig(flavor: "binary" | "core", isolation: boolean, overrides: Record<string, string> = {}): FlyteConfig {
    return gcpStackConfig({
        "flyte:flavor": flavor,
        "flyte:projectIsolation": String(isolation),
        "flyte:flyteProjects": '["x","y"]',
        "flyte:flyteDomains": JSON.stringify(TWO_PROJECT_DOMAINS),
        "flyte:namespaceTemplate": "team-{{ project }}-{{ domain }}",
        "flyte:flyteNamespace": "team-flyte",
        ...overrides,
    }).flyte;
}

// The fixtures of the config tests (test/components/config/*.test.ts): parseStackConfig on config exactly as the
// Pulumi runtime hands it over (full keys to strings, lists as JSON, booleans "true"/"false", integers as decimal
// strings), in the context of project flyte, stack dev.

/** The context the config tests parse in. */
export const CONTEXT = { pulumiProject: "flyte", stack: "dev" } as const;

/** Keys only cloud local reads; their defaults are checked with the local configs. */
export type LocalKey = Extract<ConfigKey, `local${string}`>;
/** Keys only cloud aws reads; their defaults are checked with the aws configs. */
/** The HTTPS endpoint and sign-in keys: they take effect only with dnsName set (test/components/config/endpoint.test.ts). */
export const ENDPOINT_KEYS = [
    "dnsName",
    "dnsZone",
    "endpointAccess",
    "authentication",
    "oidcIssuerUrl",
    "oidcClientId",
    "oidcClientSecret",
    "oidcScopes",
    "cognitoDomainPrefix",
    "cognitoAdminEmail",
] as const satisfies readonly ConfigKey[];
export type EndpointKey = (typeof ENDPOINT_KEYS)[number];
/** The notification and execution event keys: they take effect only with notifications on (test/components/config/notifications.test.ts). */
export const MESSAGING_KEYS = [
    "notifications",
    "notificationsSender",
    "notificationsEmailService",
    "sendgridApiKey",
    "smtpServer",
    "smtpPort",
    "smtpUsername",
    "smtpPassword",
    "executionEvents",
] as const satisfies readonly ConfigKey[];
export type MessagingKey = (typeof MESSAGING_KEYS)[number];
/** The task image registry keys: they take effect only with registry on (test/components/config/registry.test.ts). */
export const REGISTRY_KEYS = ["registry", "registryKeepVersions", "registryUntaggedDays", "ciGithubRepository", "ciGithubRef", "ciGithubEnvironment"] as const satisfies readonly ConfigKey[];
export type RegistryKey = (typeof REGISTRY_KEYS)[number];
/** The verification keys: on by default on the clouds only (test/components/config/verification.test.ts). */
export const VERIFICATION_KEYS = ["verification", "verificationImage"] as const satisfies readonly ConfigKey[];
export type VerificationKey = (typeof VERIFICATION_KEYS)[number];
/** What verification parses to where it is on by default (gcp, aws). */
export const VERIFICATION_DEFAULT = { image: "docker.io/library/node:24-alpine@sha256:a0b9bf06e4e6193cf7a0f58816cc935ff8c2a908f81e6f1a95432d679c54fbfd" };
/** The multi-cluster keys: they take effect only with a clusterRole (test/components/config/multiCluster.test.ts). */
export const MULTI_CLUSTER_KEYS = [
    "clusterRole",
    "dataPlanes",
    "controlPlanePropeller",
    "defaultExecutionCluster",
    "executionRoutes",
    "controlPlaneStack",
    "dataPlaneRawBucket",
    "dataPlaneTokenGeneration",
    "awsTrustPolicyMaxLength",
] as const satisfies readonly ConfigKey[];
export type MultiClusterKey = (typeof MULTI_CLUSTER_KEYS)[number];
/** The keys of cloud aws's own part of the config (the multi-cluster ones aside). */
export type AwsKey = Exclude<Extract<ConfigKey, `aws${string}` | `eks${string}` | `rds${string}`>, MultiClusterKey>;

/**
 * A minimal valid config with keys set, or removed when the value is undefined. With flyte:cloud set to another
 * target than gcp the gcp keys are left out, since a stack for another target must not set them.
 */
export function raw(overrides: Readonly<Record<string, string | undefined>> = {}): RawConfig {
    const cloud = overrides["flyte:cloud"];
    const gcp = cloud === undefined || cloud === "gcp" ? { "gcp:project": "acme-flyte-dev" } : { "gcp:project": undefined, "gcp:region": undefined };
    return rawGcpConfig({ ...gcp, ...overrides });
}

/** raw(overrides) parsed in CONTEXT: a gcp stack's config. */
export function parse(overrides: Readonly<Record<string, string | undefined>> = {}): GcpStackConfig {
    const config = parseStackConfig(raw(overrides), CONTEXT);
    if (config.cloud !== "gcp") {
        throw new Error(`expected cloud gcp, got ${config.cloud}`);
    }
    return config;
}

/** The error parseStackConfig throws, or a failure when it does not throw. */
export function parseError(config: RawConfig, context: ConfigContext = CONTEXT): unknown {
    try {
        parseStackConfig(config, context);
    } catch (err) {
        return err;
    }
    throw new Error(`expected parseStackConfig to throw for ${JSON.stringify(config)}`);
}

/** The ConfigError parseStackConfig throws, or a failure when it throws none or another error. */
export function configError(config: RawConfig, context?: ConfigContext): ConfigError {
    const err = parseError(config, context);
    if (!(err instanceof ConfigError)) {
        throw new Error(`expected a ConfigError, got ${String(err)}`);
    }
    return err;
}

/**
 * What a config has for every target when no key but the required ones is set: the context, Flyte's documented
 * defaults and the protection defaults, as literals. Each target's defaults test adds its own section.
 */
export const DEFAULTS = {
    pulumiProject: "flyte",
    stack: "dev",
    flyte: {
        flavor: "binary",
        projects: ["flytesnacks"],
        domains: ["development", "staging", "production"],
        namespaceTemplate: "{{ project }}-{{ domain }}",
        namespace: "flyte",
        projectNamespaces: [
            { project: "flytesnacks", domain: "development", namespace: "flytesnacks-development" },
            { project: "flytesnacks", domain: "staging", namespace: "flytesnacks-staging" },
            { project: "flytesnacks", domain: "production", namespace: "flytesnacks-production" },
        ],
        chartVersion: "v1.16.8",
        chartRepository: "https://flyteorg.github.io/flyte",
        domainNames: { development: "development", staging: "staging", production: "production" },
        projectIsolation: false,
        projectSetupImage: "docker.io/curlimages/curl:8.11.1",
        core: { replicas: 1, proxyImage: "docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine" },
    },
    protection: { deletionProtection: true, forceDestroyBuckets: false },
    authentication: { mode: "none" },
    executionEvents: false,
};

/** A row of an invalid-config table: a config that parseStackConfig must reject, and how. */
export interface InvalidCase {
    readonly name: string;
    readonly overrides: Readonly<Record<string, string | undefined>>;
    /** The full key the error must name. */
    readonly key: string;
    /** How the offending value must appear in the message. */
    readonly shown: string;
    /** A distinctive fragment of what the message says is allowed. */
    readonly allowed: string;
}

const LONG_ID = "a".repeat(64);
const PROJECT_60 = "p".repeat(60);
const DNS_RULE = "lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters";
/** A valid flyteNamespace, but with cloud local its "-deps" namespace has 65 characters. */
export const NAMESPACE_60 = "n".repeat(60);
/** What every cloud aws row sets; the row's own keys follow. */
export const AWS = { "flyte:cloud": "aws", "aws:region": "eu-central-1" } as const;

/** Invalid configs of every kind (test/components/config/parse.test.ts runs them; other tables keep their names distinct). */
export const INVALID: readonly InvalidCase[] = [
    // cloud and flavor
    { name: "unknown cloud", overrides: { "flyte:cloud": "azure" }, key: "flyte:cloud", shown: '"azure"', allowed: "allowed: gcp, aws, local" },
    { name: "cloud aws without aws:region", overrides: { "flyte:cloud": "aws" }, key: "aws:region", shown: "(not set)", allowed: "required; allowed: an AWS region such as eu-central-1" },
    { name: "flavor unknown", overrides: { "flyte:flavor": "sandbox" }, key: "flyte:flavor", shown: '"sandbox"', allowed: "binary, core" },
    { name: "unknown flavor", overrides: { "flyte:flavor": "sandbox" }, key: "flyte:flavor", shown: '"sandbox"', allowed: "allowed: binary, core" },
    // unknown key
    { name: "unknown key named like an Object method", overrides: { "flyte:toString": "x" }, key: "flyte:toString", shown: '"x"', allowed: "unknown key; the keys of this program are declared in Pulumi.yaml" },
    { name: "unknown key constructor", overrides: { "flyte:constructor": "x" }, key: "flyte:constructor", shown: '"x"', allowed: "unknown key; the keys of this program are declared in Pulumi.yaml" },
    { name: "integer with spaces", overrides: { "flyte:gkeMaxNodesPerZone": " 5 " }, key: "flyte:gkeMaxNodesPerZone", shown: '" 5 "', allowed: "a whole number from 1 to 1000" },
    { name: "unknown key (typo)", overrides: { "flyte:flyteProject": "flytesnacks" }, key: "flyte:flyteProject", shown: '"flytesnacks"', allowed: "unknown key; did you mean flyte:flyteProjects?" },
    // flyteProjects
    { name: "flyteProjects not a list", overrides: { "flyte:flyteProjects": "{}" }, key: "flyte:flyteProjects", shown: '"{}"', allowed: "allowed: a YAML list of strings, each a Flyte project id" },
    { name: "flyteProjects a plain string", overrides: { "flyte:flyteProjects": "flytesnacks" }, key: "flyte:flyteProjects", shown: '"flytesnacks"', allowed: "allowed: a YAML list of strings, each a Flyte project id" },
    { name: "flyteProjects a list of numbers", overrides: { "flyte:flyteProjects": "[1,2]" }, key: "flyte:flyteProjects", shown: '"[1,2]"', allowed: "allowed: a YAML list of strings, each a Flyte project id" },
    { name: "flyteProjects empty", overrides: { "flyte:flyteProjects": "[]" }, key: "flyte:flyteProjects", shown: "[]", allowed: "allowed: a non-empty list, each " + DNS_RULE },
    { name: "flyteProjects id with uppercase", overrides: { "flyte:flyteProjects": '["flytesnacks","Analytics"]' }, key: "flyte:flyteProjects", shown: '"Analytics"', allowed: "allowed: " + DNS_RULE },
    { name: "flyteProjects id with underscore", overrides: { "flyte:flyteProjects": '["flyte_snacks"]' }, key: "flyte:flyteProjects", shown: '"flyte_snacks"', allowed: "allowed: " + DNS_RULE },
    { name: "flyteProjects id longer than 63", overrides: { "flyte:flyteProjects": JSON.stringify([LONG_ID]) }, key: "flyte:flyteProjects", shown: `"${LONG_ID}"`, allowed: "at most 63 characters (DNS-1123 label)" },
    { name: "flyteProjects duplicate", overrides: { "flyte:flyteProjects": '["a1","b2","a1"]' }, key: "flyte:flyteProjects", shown: '"a1"', allowed: "each entry may appear only once" },
    // flyteDomains
    { name: "flyteDomains not a list", overrides: { "flyte:flyteDomains": '{"dev":1}' }, key: "flyte:flyteDomains", shown: '"{\\"dev\\":1}"', allowed: "allowed: a YAML list of strings, each a Flyte domain id" },
    { name: "flyteDomains a plain string", overrides: { "flyte:flyteDomains": "development" }, key: "flyte:flyteDomains", shown: '"development"', allowed: "allowed: a YAML list of strings, each a Flyte domain id" },
    { name: "flyteDomains a list of numbers", overrides: { "flyte:flyteDomains": "[1]" }, key: "flyte:flyteDomains", shown: '"[1]"', allowed: "allowed: a YAML list of strings, each a Flyte domain id" },
    { name: "flyteDomains empty", overrides: { "flyte:flyteDomains": "[]" }, key: "flyte:flyteDomains", shown: "[]", allowed: "allowed: a non-empty list, each " + DNS_RULE },
    { name: "flyteDomains id with uppercase", overrides: { "flyte:flyteDomains": '["Development"]' }, key: "flyte:flyteDomains", shown: '"Development"', allowed: "allowed: " + DNS_RULE },
    { name: "flyteDomains id with underscore", overrides: { "flyte:flyteDomains": '["dev_1"]' }, key: "flyte:flyteDomains", shown: '"dev_1"', allowed: "allowed: " + DNS_RULE },
    { name: "flyteDomains id longer than 63", overrides: { "flyte:flyteDomains": JSON.stringify(["dev", LONG_ID]) }, key: "flyte:flyteDomains", shown: `"${LONG_ID}"`, allowed: "at most 63 characters (DNS-1123 label)" },
    { name: "flyteDomains duplicate", overrides: { "flyte:flyteDomains": '["dev","dev"]' }, key: "flyte:flyteDomains", shown: '"dev"', allowed: "each entry may appear only once" },
    { name: "flyteDomains display name with {{ domain }} in the template", overrides: { "flyte:flyteDomains": '["dev:Development"]' }, key: "flyte:flyteDomains", shown: '"dev:Development"', allowed: "a display name other than the id only with a namespaceTemplate without {{ domain }}" },
    // flyteNamespace
    { name: "flyteNamespace invalid", overrides: { "flyte:flyteNamespace": "Flyte_NS" }, key: "flyte:flyteNamespace", shown: '"Flyte_NS"', allowed: "not default, kube-* or gke-*" },
    { name: "flyteNamespace default", overrides: { "flyte:flyteNamespace": "default" }, key: "flyte:flyteNamespace", shown: '"default"', allowed: "not default, kube-* or gke-*" },
    { name: "flyteNamespace kube-system", overrides: { "flyte:flyteNamespace": "kube-system" }, key: "flyte:flyteNamespace", shown: '"kube-system"', allowed: "not default, kube-* or gke-*" },
    { name: "flyteNamespace gke-managed-system", overrides: { "flyte:flyteNamespace": "gke-managed-system" }, key: "flyte:flyteNamespace", shown: '"gke-managed-system"', allowed: "not default, kube-* or gke-*" },
    // namespaceTemplate
    { name: "namespaceTemplate without spaces in the placeholders", overrides: { "flyte:namespaceTemplate": "{{project}}-{{domain}}" }, key: "flyte:namespaceTemplate", shown: '"{{project}}-{{domain}}"', allowed: "placeholders are exactly {{ project }} and {{ domain }}" },
    { name: "namespaceTemplate with an uppercase prefix", overrides: { "flyte:namespaceTemplate": "Team-{{ project }}-{{ domain }}" }, key: "flyte:namespaceTemplate", shown: '"Team-{{ project }}-{{ domain }}"', allowed: 'yields namespace "Team-flytesnacks-development"; the template must yield lowercase letters' },
    { name: "namespaceTemplate longer than 63 for a long project", overrides: { "flyte:flyteProjects": JSON.stringify([PROJECT_60]) }, key: "flyte:namespaceTemplate", shown: '"{{ project }}-{{ domain }}"', allowed: `yields namespace "${PROJECT_60}-development"; the template must yield` },
    { name: "namespaceTemplate colliding with flyteNamespace", overrides: { "flyte:namespaceTemplate": "flyte-{{ domain }}", "flyte:flyteNamespace": "flyte-staging" }, key: "flyte:namespaceTemplate", shown: '"flyte-{{ domain }}"', allowed: "must not yield Flyte's own namespace (flyteNamespace = flyte-staging)" },
    { name: "namespaceTemplate mapping two projects to one namespace", overrides: { "flyte:namespaceTemplate": "{{ domain }}", "flyte:flyteProjects": '["alpha","beta"]' }, key: "flyte:namespaceTemplate", shown: '"{{ domain }}"', allowed: 'projects alpha and beta both map to namespace "development"' },
    { name: "namespaceTemplate yielding a reserved namespace", overrides: { "flyte:namespaceTemplate": "kube-{{ project }}-{{ domain }}" }, key: "flyte:namespaceTemplate", shown: '"kube-{{ project }}-{{ domain }}"', allowed: "must not yield default, kube-* or gke-*" },
    // chart
    { name: "chartVersion latest", overrides: { "flyte:chartVersion": "latest" }, key: "flyte:chartVersion", shown: '"latest"', allowed: "allowed: a Flyte 1 chart version v1.<minor>.<patch>, pinned (not latest or a range)" },
    { name: "chartRepository over http", overrides: { "flyte:chartRepository": "http://flyteorg.github.io/flyte" }, key: "flyte:chartRepository", shown: '"http://flyteorg.github.io/flyte"', allowed: "allowed: an https:// URL of a Helm chart repository" },
    { name: "chartRepository not a URL", overrides: { "flyte:chartRepository": "not a url" }, key: "flyte:chartRepository", shown: '"not a url"', allowed: "allowed: an https:// URL of a Helm chart repository" },
    // provider keys
    { name: "missing gcp:project", overrides: { "gcp:project": undefined }, key: "gcp:project", shown: "(not set)", allowed: "required; allowed: a GCP project id: 6 to 30 lowercase letters" },
    { name: "gcp:project with uppercase and underscore", overrides: { "gcp:project": "My_Project" }, key: "gcp:project", shown: '"My_Project"', allowed: "allowed: a GCP project id: 6 to 30 lowercase letters, digits or '-', starting with a letter" },
    { name: "gcp:project too short", overrides: { "gcp:project": "abc" }, key: "gcp:project", shown: '"abc"', allowed: "allowed: a GCP project id: 6 to 30" },
    { name: "missing gcp:region", overrides: { "gcp:region": undefined }, key: "gcp:region", shown: "(not set)", allowed: "required; allowed: a GCP region such as europe-west1" },
    { name: "gcp:region malformed", overrides: { "gcp:region": "Europe West 1" }, key: "gcp:region", shown: '"Europe West 1"', allowed: "allowed: a GCP region such as europe-west1" },
    { name: "gcp:region a zone", overrides: { "gcp:region": "europe-west1-b" }, key: "gcp:region", shown: '"europe-west1-b"', allowed: "allowed: a GCP region such as europe-west1" },
    // GKE
    { name: "gkeLocation in another region", overrides: { "flyte:gkeLocation": "us-central1-a" }, key: "flyte:gkeLocation", shown: '"us-central1-a"', allowed: "allowed: empty (regional cluster in europe-west1) or one of its zones: europe-west1-b, europe-west1-c, europe-west1-d" },
    { name: "gkeReleaseChannel beta", overrides: { "flyte:gkeReleaseChannel": "beta" }, key: "flyte:gkeReleaseChannel", shown: '"beta"', allowed: "allowed: RAPID, REGULAR, STABLE" },
    { name: "gkeMachineType empty", overrides: { "flyte:gkeMachineType": "" }, key: "flyte:gkeMachineType", shown: '""', allowed: "allowed: a Compute Engine machine type such as e2-standard-4" },
    { name: "gkeDiskSizeGb below 20", overrides: { "flyte:gkeDiskSizeGb": "10" }, key: "flyte:gkeDiskSizeGb", shown: '"10"', allowed: "allowed: a whole number from 20 to 2000" },
    { name: "gkeDiskSizeGb not a number", overrides: { "flyte:gkeDiskSizeGb": "abc" }, key: "flyte:gkeDiskSizeGb", shown: '"abc"', allowed: "allowed: a whole number from 20 to 2000" },
    { name: "gkeDiskSizeGb fractional", overrides: { "flyte:gkeDiskSizeGb": "1.5" }, key: "flyte:gkeDiskSizeGb", shown: '"1.5"', allowed: "allowed: a whole number from 20 to 2000" },
    { name: "gkeDiskSizeGb above 2000", overrides: { "flyte:gkeDiskSizeGb": "2001" }, key: "flyte:gkeDiskSizeGb", shown: '"2001"', allowed: "allowed: a whole number from 20 to 2000" },
    { name: "min nodes greater than max", overrides: { "flyte:gkeMinNodesPerZone": "5", "flyte:gkeMaxNodesPerZone": "3" }, key: "flyte:gkeMinNodesPerZone", shown: "= 5:", allowed: "must not exceed gkeMaxNodesPerZone (3)" },
    { name: "gkeMaxNodesPerZone zero", overrides: { "flyte:gkeMaxNodesPerZone": "0" }, key: "flyte:gkeMaxNodesPerZone", shown: '"0"', allowed: "allowed: a whole number from 1 to 1000" },
    { name: "gkeSpotNodes not a boolean", overrides: { "flyte:gkeSpotNodes": "1" }, key: "flyte:gkeSpotNodes", shown: '"1"', allowed: "allowed: true, false" },
    { name: "gkeAuthorizedNetworks with a bad CIDR", overrides: { "flyte:gkeAuthorizedNetworks": '["203.0.113.0/24","300.1.2.0/24"]' }, key: "flyte:gkeAuthorizedNetworks", shown: '"300.1.2.0/24"', allowed: "allowed: IPv4 CIDRs a.b.c.d/n, the address being the first of its range" },
    { name: "gkeAuthorizedNetworks with an address that is not the first of its range", overrides: { "flyte:gkeAuthorizedNetworks": '["10.0.0.1/24"]' }, key: "flyte:gkeAuthorizedNetworks", shown: '"10.0.0.1/24"', allowed: "the address being the first of its range" },
    { name: "gkeAuthorizedNetworks a plain string", overrides: { "flyte:gkeAuthorizedNetworks": "10.0.0.0/8" }, key: "flyte:gkeAuthorizedNetworks", shown: '"10.0.0.0/8"', allowed: "allowed: a YAML list of strings, each an IPv4 CIDR" },
    // network
    { name: "subnetCidr without a prefix length", overrides: { "flyte:subnetCidr": "10.0.0.0" }, key: "flyte:subnetCidr", shown: '"10.0.0.0"', allowed: "allowed: an IPv4 CIDR a.b.c.d/n with n from 8 to 29, the address being the first of its range" },
    { name: "subnetCidr too small", overrides: { "flyte:subnetCidr": "10.0.0.0/30" }, key: "flyte:subnetCidr", shown: '"10.0.0.0/30"', allowed: "with n from 8 to 29" },
    { name: "podsCidr overlapping subnetCidr", overrides: { "flyte:podsCidr": "10.0.0.0/14" }, key: "flyte:podsCidr", shown: '"10.0.0.0/14"', allowed: "must not overlap subnetCidr (10.0.0.0/20)" },
    { name: "servicesCidr overlapping podsCidr", overrides: { "flyte:servicesCidr": "10.19.0.0/20" }, key: "flyte:servicesCidr", shown: '"10.19.0.0/20"', allowed: "must not overlap podsCidr (10.16.0.0/14)" },
    { name: "privateServicesCidr /28 (too small)", overrides: { "flyte:privateServicesCidr": "10.32.0.0/28" }, key: "flyte:privateServicesCidr", shown: '"10.32.0.0/28"', allowed: "with n from 8 to 24" },
    // database
    { name: "databaseVersion POSTGRES_9_6", overrides: { "flyte:databaseVersion": "POSTGRES_9_6" }, key: "flyte:databaseVersion", shown: '"POSTGRES_9_6"', allowed: "allowed: POSTGRES_14, POSTGRES_15, POSTGRES_16, POSTGRES_17" },
    { name: "databaseTier a Compute Engine machine type", overrides: { "flyte:databaseTier": "n1-standard-1" }, key: "flyte:databaseTier", shown: '"n1-standard-1"', allowed: "allowed: a Cloud SQL tier such as db-custom-2-7680 or db-g1-small" },
    { name: "databaseBackupRetentionDays 0", overrides: { "flyte:databaseBackupRetentionDays": "0" }, key: "flyte:databaseBackupRetentionDays", shown: '"0"', allowed: "allowed: a whole number from 1 to 365" },
    { name: "databaseBackupRetentionDays 400", overrides: { "flyte:databaseBackupRetentionDays": "400" }, key: "flyte:databaseBackupRetentionDays", shown: '"400"', allowed: "allowed: a whole number from 1 to 365" },
    { name: "databaseDiskSizeGb below 10", overrides: { "flyte:databaseDiskSizeGb": "9" }, key: "flyte:databaseDiskSizeGb", shown: '"9"', allowed: "allowed: a whole number from 10 to 65536" },
    { name: "databaseHighAvailability capitalised", overrides: { "flyte:databaseHighAvailability": "True" }, key: "flyte:databaseHighAvailability", shown: '"True"', allowed: "allowed: true, false" },
    // protection
    { name: "deletionProtection yes", overrides: { "flyte:deletionProtection": "yes" }, key: "flyte:deletionProtection", shown: '"yes"', allowed: "allowed: true, false" },
    { name: "forceDestroyBuckets empty", overrides: { "flyte:forceDestroyBuckets": "" }, key: "flyte:forceDestroyBuckets", shown: '""', allowed: "allowed: true, false" },
    // load balancer
    { name: "loadBalancerIp outside subnetCidr", overrides: { "flyte:loadBalancerIp": "10.1.0.5" }, key: "flyte:loadBalancerIp", shown: '"10.1.0.5"', allowed: "allowed: empty, or a usable address of subnetCidr 10.0.0.0/20 (not its first two or last two)" },
    { name: "loadBalancerIp the subnet's first address", overrides: { "flyte:loadBalancerIp": "10.0.0.0" }, key: "flyte:loadBalancerIp", shown: '"10.0.0.0"', allowed: "a usable address of subnetCidr 10.0.0.0/20" },
    { name: "loadBalancerIp the subnet's gateway address", overrides: { "flyte:loadBalancerIp": "10.0.0.1" }, key: "flyte:loadBalancerIp", shown: '"10.0.0.1"', allowed: "a usable address of subnetCidr 10.0.0.0/20" },
    { name: "loadBalancerIp the subnet's second-to-last address", overrides: { "flyte:loadBalancerIp": "10.0.15.254" }, key: "flyte:loadBalancerIp", shown: '"10.0.15.254"', allowed: "(not its first two or last two)" },
    { name: "loadBalancerIp not an IP", overrides: { "flyte:loadBalancerIp": "flyte.internal" }, key: "flyte:loadBalancerIp", shown: '"flyte.internal"', allowed: "allowed: empty, or a usable address of subnetCidr" },
    // cloud local: NodePorts
    { name: "local: localHttpNodePort below the NodePort range", overrides: { "flyte:cloud": "local", "flyte:localHttpNodePort": "29999" }, key: "flyte:localHttpNodePort", shown: '"29999"', allowed: "allowed: a whole number from 30000 to 32767" },
    { name: "local: localGrpcNodePort above the NodePort range", overrides: { "flyte:cloud": "local", "flyte:localGrpcNodePort": "32768" }, key: "flyte:localGrpcNodePort", shown: '"32768"', allowed: "allowed: a whole number from 30000 to 32767" },
    { name: "local: localMinioNodePort not a number", overrides: { "flyte:cloud": "local", "flyte:localMinioNodePort": "abc" }, key: "flyte:localMinioNodePort", shown: '"abc"', allowed: "allowed: a whole number from 30000 to 32767" },
    { name: "local: localMinioConsoleNodePort a service port", overrides: { "flyte:cloud": "local", "flyte:localMinioConsoleNodePort": "9001" }, key: "flyte:localMinioConsoleNodePort", shown: '"9001"', allowed: "allowed: a whole number from 30000 to 32767" },
    { name: "local: localDashboardNodePort out of range even with the dashboard off", overrides: { "flyte:cloud": "local", "flyte:localDashboardNodePort": "443" }, key: "flyte:localDashboardNodePort", shown: '"443"', allowed: "allowed: a whole number from 30000 to 32767" },
    { name: "local: gRPC NodePort equal to the HTTP one", overrides: { "flyte:cloud": "local", "flyte:localGrpcNodePort": "30080" }, key: "flyte:localGrpcNodePort", shown: "= 30080:", allowed: "must differ from localHttpNodePort (30080); each service needs its own NodePort" },
    { name: "local: MinIO NodePort equal to the gRPC one", overrides: { "flyte:cloud": "local", "flyte:localGrpcNodePort": "31000", "flyte:localMinioNodePort": "31000" }, key: "flyte:localMinioNodePort", shown: "= 31000:", allowed: "must differ from localGrpcNodePort (31000)" },
    { name: "local: dashboard NodePort equal to the HTTP one with the dashboard on", overrides: { "flyte:cloud": "local", "flyte:localDashboard": "true", "flyte:localDashboardNodePort": "30080" }, key: "flyte:localDashboardNodePort", shown: "= 30080:", allowed: "must differ from localHttpNodePort (30080)" },
    { name: "local: dashboard NodePort equal to the MinIO console's with the dashboard on", overrides: { "flyte:cloud": "local", "flyte:localDashboard": "true", "flyte:localMinioConsoleNodePort": "30088" }, key: "flyte:localDashboardNodePort", shown: "= 30088:", allowed: "must differ from localMinioConsoleNodePort (30088)" },
    { name: "local: localDashboard not a boolean", overrides: { "flyte:cloud": "local", "flyte:localDashboard": "yes" }, key: "flyte:localDashboard", shown: '"yes"', allowed: "allowed: true, false" },
    // cloud local: images
    { name: "local: localPostgresImage with a space", overrides: { "flyte:cloud": "local", "flyte:localPostgresImage": "docker.io/library/postgres:16 alpine" }, key: "flyte:localPostgresImage", shown: '"docker.io/library/postgres:16 alpine"', allowed: "allowed: an image reference such as docker.io/library/postgres:16.6-alpine" },
    { name: "local: localMinioImage with an uppercase registry", overrides: { "flyte:cloud": "local", "flyte:localMinioImage": "Quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z" }, key: "flyte:localMinioImage", shown: '"Quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z"', allowed: "allowed: an image reference such as quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z" },
    { name: "local: localMinioClientImage empty", overrides: { "flyte:cloud": "local", "flyte:localMinioClientImage": "" }, key: "flyte:localMinioClientImage", shown: '""', allowed: "allowed: an image reference such as quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z" },
    { name: "local: localPostgresImage with a short digest", overrides: { "flyte:cloud": "local", "flyte:localPostgresImage": "postgres@sha256:abc" }, key: "flyte:localPostgresImage", shown: '"postgres@sha256:abc"', allowed: "allowed: an image reference" },
    // cloud local: storage, kubeconfig, context
    { name: "local: localStorageClass with uppercase and underscore", overrides: { "flyte:cloud": "local", "flyte:localStorageClass": "Fast_SSD" }, key: "flyte:localStorageClass", shown: '"Fast_SSD"', allowed: "allowed: empty, or a StorageClass name (DNS-1123 subdomain)" },
    { name: "local: localKubeContext with a space", overrides: { "flyte:cloud": "local", "flyte:localKubeContext": "kind flyte" }, key: "flyte:localKubeContext", shown: '"kind flyte"', allowed: "allowed: empty, or a kubeconfig context name (no spaces)" },
    { name: "local: localKubeconfig with a trailing space", overrides: { "flyte:cloud": "local", "flyte:localKubeconfig": "/home/me/.kube/config " }, key: "flyte:localKubeconfig", shown: '"/home/me/.kube/config "', allowed: "allowed: empty, or the path of a kubeconfig file" },
    { name: "local: localKubeconfig with a line break", overrides: { "flyte:cloud": "local", "flyte:localKubeconfig": "/a\n/b" }, key: "flyte:localKubeconfig", shown: '"/a\\n/b"', allowed: "allowed: empty, or the path of a kubeconfig file" },
    // cloud local: the dependencies' namespace
    { name: "local: flyteNamespace of 60 characters (its -deps namespace has 65)", overrides: { "flyte:cloud": "local", "flyte:flyteNamespace": NAMESPACE_60 }, key: "flyte:flyteNamespace", shown: `"${NAMESPACE_60}"`, allowed: `with cloud local, "${NAMESPACE_60}-deps" holds Postgres and MinIO, so it must be a valid namespace (${DNS_RULE} (DNS-1123 label)) and not a project-domain namespace` },
    { name: "local: flyteNamespace whose -deps namespace is a project-domain namespace", overrides: { "flyte:cloud": "local", "flyte:flyteNamespace": "a", "flyte:flyteProjects": '["a"]', "flyte:flyteDomains": '["deps"]' }, key: "flyte:flyteNamespace", shown: '"a"', allowed: 'with cloud local, "a-deps" holds Postgres and MinIO' },
    { name: "local: a template that maps a project onto flyte-deps", overrides: { "flyte:cloud": "local", "flyte:namespaceTemplate": "{{ project }}", "flyte:flyteProjects": '["flyte-deps"]' }, key: "flyte:flyteNamespace", shown: '"flyte"', allowed: "and not a project-domain namespace" },
    // cloud local: volumes
    { name: "local: localPostgresVolumeGi 0", overrides: { "flyte:cloud": "local", "flyte:localPostgresVolumeGi": "0" }, key: "flyte:localPostgresVolumeGi", shown: '"0"', allowed: "allowed: a whole number from 1 to 1000" },
    { name: "local: localMinioVolumeGi 0", overrides: { "flyte:cloud": "local", "flyte:localMinioVolumeGi": "0" }, key: "flyte:localMinioVolumeGi", shown: '"0"', allowed: "allowed: a whole number from 1 to 10000" },
    { name: "local: localMinioVolumeGi with a unit", overrides: { "flyte:cloud": "local", "flyte:localMinioVolumeGi": "20Gi" }, key: "flyte:localMinioVolumeGi", shown: '"20Gi"', allowed: "allowed: a whole number from 1 to 10000" },
    // cloud aws (raw() leaves the gcp keys out, as a stack for another target must)
    { name: "aws: an admin principal ARN ending in a slash", overrides: { ...AWS, "flyte:eksAdminPrincipals": '["arn:aws:iam::123456789012:role/a/"]' }, key: "flyte:eksAdminPrincipals", shown: '"arn:aws:iam::123456789012:role/a/"', allowed: "allowed: IAM role or user ARNs" },
    { name: "aws: more project-domain namespaces than the worker role's trust policy can name", overrides: { ...AWS, "flyte:flyteProjects": JSON.stringify(Array.from({ length: 11 }, (_, i) => `project-${String(i).padStart(2, "0")}`)) }, key: "flyte:flyteProjects", shown: '["project-00"', allowed: "IAM caps its trust policy at 2048 characters" },
    { name: "aws: aws:region in uppercase", overrides: { ...AWS, "aws:region": "EU-central-1" }, key: "aws:region", shown: '"EU-central-1"', allowed: "allowed: an AWS region such as eu-central-1" },
    { name: "aws: aws:region not a region", overrides: { ...AWS, "aws:region": "europe" }, key: "aws:region", shown: '"europe"', allowed: "allowed: an AWS region such as eu-central-1" },
    { name: "aws: awsVpcCidr /24 (too small)", overrides: { ...AWS, "flyte:awsVpcCidr": "10.0.0.0/24" }, key: "flyte:awsVpcCidr", shown: '"10.0.0.0/24"', allowed: "allowed: an IPv4 CIDR a.b.c.d/n with n from 16 to 20, the address being the first of its range" },
    { name: "aws: awsVpcCidr /12 (larger than a VPC may be)", overrides: { ...AWS, "flyte:awsVpcCidr": "10.0.0.0/12" }, key: "flyte:awsVpcCidr", shown: '"10.0.0.0/12"', allowed: "with n from 16 to 20" },
    { name: "aws: awsVpcCidr not a CIDR", overrides: { ...AWS, "flyte:awsVpcCidr": "not-a-cidr" }, key: "flyte:awsVpcCidr", shown: '"not-a-cidr"', allowed: "allowed: an IPv4 CIDR a.b.c.d/n with n from 16 to 20" },
    { name: "aws: awsAvailabilityZones 1", overrides: { ...AWS, "flyte:awsAvailabilityZones": "1" }, key: "flyte:awsAvailabilityZones", shown: '"1"', allowed: "allowed: a whole number from 2 to 6" },
    { name: "aws: awsAvailabilityZones 7", overrides: { ...AWS, "flyte:awsAvailabilityZones": "7" }, key: "flyte:awsAvailabilityZones", shown: '"7"', allowed: "allowed: a whole number from 2 to 6" },
    { name: "aws: eksVersion 1.3", overrides: { ...AWS, "flyte:eksVersion": "1.3" }, key: "flyte:eksVersion", shown: '"1.3"', allowed: "allowed: a Kubernetes minor version such as 1.34" },
    { name: "aws: eksVersion with a v", overrides: { ...AWS, "flyte:eksVersion": "v1.34" }, key: "flyte:eksVersion", shown: '"v1.34"', allowed: "allowed: a Kubernetes minor version such as 1.34" },
    { name: "aws: eksInstanceTypes empty", overrides: { ...AWS, "flyte:eksInstanceTypes": "[]" }, key: "flyte:eksInstanceTypes", shown: "= []:", allowed: "allowed: a non-empty list of EC2 instance types such as m6i.xlarge" },
    { name: "aws: eksInstanceTypes a family without a size", overrides: { ...AWS, "flyte:eksInstanceTypes": '["m6i.xlarge","m6i"]' }, key: "flyte:eksInstanceTypes", shown: '= "m6i":', allowed: "allowed: EC2 instance types such as m6i.xlarge" },
    { name: "aws: eksInstanceTypes a plain string", overrides: { ...AWS, "flyte:eksInstanceTypes": "m6i.xlarge" }, key: "flyte:eksInstanceTypes", shown: '"m6i.xlarge"', allowed: "allowed: a YAML list of strings, each an EC2 instance type such as m6i.xlarge" },
    { name: "aws: eksMinNodes greater than eksMaxNodes", overrides: { ...AWS, "flyte:eksMinNodes": "5", "flyte:eksMaxNodes": "3" }, key: "flyte:eksMinNodes", shown: "= 5:", allowed: "must not exceed eksMaxNodes (3)" },
    { name: "aws: eksPublicAccessCidrs with a bad CIDR", overrides: { ...AWS, "flyte:eksPublicAccessCidrs": '["203.0.113.0/24","203.0.113.7/24"]' }, key: "flyte:eksPublicAccessCidrs", shown: '"203.0.113.7/24"', allowed: "allowed: IPv4 CIDRs a.b.c.d/n, the address being the first of its range" },
    { name: "aws: eksAdminPrincipals an assumed-role session", overrides: { ...AWS, "flyte:eksAdminPrincipals": '["arn:aws:sts::123456789012:assumed-role/x/y"]' }, key: "flyte:eksAdminPrincipals", shown: '"arn:aws:sts::123456789012:assumed-role/x/y"', allowed: "allowed: IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins (not assumed-role sessions)" },
    { name: "aws: eksAdminPrincipals garbage", overrides: { ...AWS, "flyte:eksAdminPrincipals": '["platform admins"]' }, key: "flyte:eksAdminPrincipals", shown: '"platform admins"', allowed: "allowed: IAM role or user ARNs" },
    { name: "aws: rdsEngineVersion with a patch level", overrides: { ...AWS, "flyte:rdsEngineVersion": "16.4.1" }, key: "flyte:rdsEngineVersion", shown: '"16.4.1"', allowed: "allowed: a PostgreSQL version such as 16 or 16.4" },
    { name: "aws: rdsEngineVersion latest", overrides: { ...AWS, "flyte:rdsEngineVersion": "latest" }, key: "flyte:rdsEngineVersion", shown: '"latest"', allowed: "allowed: a PostgreSQL version such as 16 or 16.4" },
    { name: "aws: rdsInstanceClass without db.", overrides: { ...AWS, "flyte:rdsInstanceClass": "m6g.large" }, key: "flyte:rdsInstanceClass", shown: '"m6g.large"', allowed: "allowed: an RDS instance class such as db.m6g.large" },
    { name: "aws: rdsMaxAllocatedStorageGb below databaseDiskSizeGb", overrides: { ...AWS, "flyte:databaseDiskSizeGb": "100", "flyte:rdsMaxAllocatedStorageGb": "50" }, key: "flyte:rdsMaxAllocatedStorageGb", shown: "= 50:", allowed: "must be at least databaseDiskSizeGb (100)" },
    { name: "aws: databaseDiskSizeGb 10 (RDS needs 20)", overrides: { ...AWS, "flyte:databaseDiskSizeGb": "10" }, key: "flyte:databaseDiskSizeGb", shown: '"10"', allowed: "allowed: a whole number from 20 to 65536" },
    { name: "aws: databaseBackupRetentionDays 36 (RDS keeps at most 35)", overrides: { ...AWS, "flyte:databaseBackupRetentionDays": "36" }, key: "flyte:databaseBackupRetentionDays", shown: '"36"', allowed: "allowed: a whole number from 1 to 35" },
    { name: "aws: eksNodeDiskSizeGb 10", overrides: { ...AWS, "flyte:eksNodeDiskSizeGb": "10" }, key: "flyte:eksNodeDiskSizeGb", shown: '"10"', allowed: "allowed: a whole number from 20 to 2000" },
];

/** With projectIsolation on. */
export const ISOLATION_ON = { "flyte:projectIsolation": "true" } as const;

/** One line, at most 200 characters, opening with the culprit key. */
export function expectOneLine(err: ConfigError, key: string): void {
    expect(err.key).toBe(key);
    expect(err.message).not.toContain("\n");
    expect(err.message.length).toBeLessThanOrEqual(200);
    expect(err.message.startsWith(`invalid config ${key} = `)).toBe(true);
}

/** The smallest valid config of each target. */
export const MINIMAL: Readonly<Record<Cloud, Readonly<Record<string, string>>>> = {
    gcp: { "flyte:cloud": "gcp", "gcp:project": "acme-flyte-dev", "gcp:region": "europe-west1" },
    aws: { "flyte:cloud": "aws", "aws:region": "eu-central-1" },
    local: { "flyte:cloud": "local" },
};

/** Every key of CONFIG_KEYS with its entry. */
export const KEYS = Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][];

/** A test-only schema with a key that may hold a secret, as CONFIG_KEYS has none yet. */
export const TEST_SCHEMA = {
    apiToken: { type: "string", targets: ["local"], secret: true, description: "A token (secret).", default: "", pattern: /^tok-[a-z0-9]+$/, allows: "a token tok-…" },
    endpoint: { type: "string", targets: ["local"], description: "A URL.", default: "", allows: "a URL" },
} as const satisfies Record<string, KeySpec>;
