import { cidrContains, cidrsOverlap, isUsableSubnetAddress, parseCidr, parseIpv4 } from "../cidr";
import {
    DNS1123_LABEL_MAX,
    distinctNamespaces,
    isDns1123Label,
    isReservedNamespace,
    projectDomainNamespaces,
} from "../namespaces";
import { ConfigError } from "./errors";
import {
    CLOUDS,
    CONFIG_KEYS,
    ConfigKey,
    FLAVORS,
    GKE_RELEASE_CHANNELS,
    POSTGRES_VERSIONS,
    SUPPORTED_CLOUDS,
    SUPPORTED_FLAVORS,
} from "./schema";
import type { FlyteConfig, GcpConfig, StackConfig } from "./types";

/** Config as the Pulumi runtime hands it over: full keys (`ns:key`) to strings; lists arrive as JSON. */
export type RawConfig = Readonly<Record<string, string>>;

export interface ConfigContext {
    /** The Pulumi project name, which is also the config namespace of our keys. */
    readonly pulumiProject: string;
    readonly stack: string;
}

const DNS_LABEL_RULE = `lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${DNS1123_LABEL_MAX} characters (DNS-1123 label)`;
const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$/;
const SQL_TIER = /^db-[a-z0-9-]*[a-z0-9]$/;
const CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

/** Typed access to our namespace's keys, failing with a one-line ConfigError. */
class ConfigReader {
    constructor(
        private readonly raw: RawConfig,
        readonly namespace: string,
    ) {}

    fullKey(key: ConfigKey): string {
        return `${this.namespace}:${key}`;
    }

    fail(key: ConfigKey, value: unknown, allowed: string): never {
        throw new ConfigError(this.fullKey(key), value, allowed);
    }

    private value(key: ConfigKey): string | undefined {
        return this.raw[this.fullKey(key)];
    }

    string(key: ConfigKey, allowed: string): string {
        const spec = CONFIG_KEYS[key];
        const value = this.value(key) ?? ("default" in spec ? spec.default : undefined);
        if (typeof value !== "string") {
            return this.fail(key, value, `required; allowed: ${allowed}`);
        }
        return value;
    }

    oneOf<T extends string>(key: ConfigKey, allowed: readonly T[]): T {
        const value = this.string(key, allowed.join(", "));
        if (!(allowed as readonly string[]).includes(value)) {
            return this.fail(key, value, `allowed: ${allowed.join(", ")}`);
        }
        return value as T;
    }

    matching(key: ConfigKey, pattern: RegExp, allowed: string): string {
        const value = this.string(key, allowed);
        if (!pattern.test(value)) {
            return this.fail(key, value, `allowed: ${allowed}`);
        }
        return value;
    }

    integer(key: ConfigKey, min: number, max: number): number {
        const spec = CONFIG_KEYS[key];
        const text = this.value(key);
        const allowed = `a whole number from ${min} to ${max}`;
        if (text === undefined) {
            if (spec.type !== "integer") {
                throw new Error(`${key} is not an integer key`);
            }
            return spec.default;
        }
        const value = /^-?\d+$/.test(text) ? Number(text) : NaN;
        if (!Number.isSafeInteger(value) || value < min || value > max) {
            return this.fail(key, text, `allowed: ${allowed}`);
        }
        return value;
    }

    boolean(key: ConfigKey): boolean {
        const spec = CONFIG_KEYS[key];
        const text = this.value(key);
        if (text === undefined) {
            if (spec.type !== "boolean") {
                throw new Error(`${key} is not a boolean key`);
            }
            return spec.default;
        }
        if (text !== "true" && text !== "false") {
            return this.fail(key, text, "allowed: true, false");
        }
        return text === "true";
    }

    /** A YAML list of strings in the stack file (the runtime passes it as JSON). */
    list(key: ConfigKey, itemRule: string): string[] {
        const spec = CONFIG_KEYS[key];
        const text = this.value(key);
        if (text === undefined) {
            if (spec.type !== "array") {
                throw new Error(`${key} is not an array key`);
            }
            return [...spec.default];
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(text);
        } catch {
            parsed = undefined;
        }
        if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === "string")) {
            return this.fail(key, text, `allowed: a YAML list of strings, each ${itemRule}`);
        }
        return parsed;
    }

    unknownKeys(): string[] {
        const prefix = `${this.namespace}:`;
        return Object.keys(this.raw)
            .filter((k) => k.startsWith(prefix))
            .map((k) => k.slice(prefix.length))
            .filter((k) => !Object.prototype.hasOwnProperty.call(CONFIG_KEYS, k))
            .sort();
    }

    rawValue(fullKey: string): string | undefined {
        return this.raw[fullKey];
    }
}

function requireDnsLabels(config: ConfigReader, key: ConfigKey, values: readonly string[]): void {
    if (values.length === 0) {
        config.fail(key, values, `allowed: a non-empty list, each ${DNS_LABEL_RULE}`);
    }
    for (const value of values) {
        if (!isDns1123Label(value)) {
            config.fail(key, value, `allowed: ${DNS_LABEL_RULE}`);
        }
    }
    const duplicate = values.find((v, i) => values.indexOf(v) !== i);
    if (duplicate !== undefined) {
        config.fail(key, duplicate, "each entry may appear only once");
    }
}

function parseFlyte(config: ConfigReader): FlyteConfig {
    const flavor = config.oneOf("flavor", FLAVORS);
    if (!SUPPORTED_FLAVORS.includes(flavor)) {
        config.fail("flavor", flavor, `not supported yet; allowed: ${SUPPORTED_FLAVORS.join(", ")}`);
    }
    const projects = config.list("flyteProjects", "a Flyte project id");
    requireDnsLabels(config, "flyteProjects", projects);
    const domains = config.list("flyteDomains", "a Flyte domain id");
    requireDnsLabels(config, "flyteDomains", domains);

    const namespace = config.string("flyteNamespace", DNS_LABEL_RULE);
    if (!isDns1123Label(namespace) || isReservedNamespace(namespace)) {
        config.fail("flyteNamespace", namespace, `allowed: ${DNS_LABEL_RULE}, not default, kube-* or gke-*`);
    }

    const namespaceTemplate = config.string("namespaceTemplate", "a template using {{ project }} and {{ domain }}");
    const projectNamespaces = projectDomainNamespaces(projects, domains, namespaceTemplate);
    for (const pair of projectNamespaces) {
        const problem = !isDns1123Label(pair.namespace)
            ? `must yield ${DNS_LABEL_RULE}; placeholders are exactly {{ project }} and {{ domain }}`
            : isReservedNamespace(pair.namespace)
              ? "must not yield default, kube-* or gke-*"
              : pair.namespace === namespace
                ? `must not yield Flyte's own namespace (flyteNamespace = ${namespace})`
                : undefined;
        if (problem) {
            config.fail(
                "namespaceTemplate",
                namespaceTemplate,
                `project ${pair.project} × domain ${pair.domain} yields namespace "${pair.namespace}"; the template ${problem}`,
            );
        }
    }
    // Reject the mapping only if it silently merges different projects: a template without {{ domain }}
    // deliberately shares one namespace across domains, but two projects in one namespace would share identities.
    const byNamespace = new Map<string, string>();
    for (const pair of projectNamespaces) {
        const owner = byNamespace.get(pair.namespace);
        if (owner !== undefined && owner !== pair.project) {
            config.fail(
                "namespaceTemplate",
                namespaceTemplate,
                `projects ${owner} and ${pair.project} both map to namespace "${pair.namespace}"; include {{ project }} or use distinct project ids`,
            );
        }
        byNamespace.set(pair.namespace, pair.project);
    }
    if (distinctNamespaces(projectNamespaces).length === 0) {
        config.fail("namespaceTemplate", namespaceTemplate, "must yield at least one namespace");
    }

    const chartVersion = config.matching("chartVersion", CHART_VERSION, "a chart version such as v1.16.8");
    const chartRepository = config.string("chartRepository", "an https:// URL");
    let repositoryUrl: URL | undefined;
    try {
        repositoryUrl = new URL(chartRepository);
    } catch {
        repositoryUrl = undefined;
    }
    if (repositoryUrl?.protocol !== "https:") {
        config.fail("chartRepository", chartRepository, "allowed: an https:// URL of a Helm chart repository");
    }

    return { flavor, projects, domains, namespaceTemplate, namespace, projectNamespaces, chartVersion, chartRepository };
}

function requireProviderKey(config: ConfigReader, key: string, pattern: RegExp, allowed: string): string {
    const value = config.rawValue(key);
    if (value === undefined || !pattern.test(value)) {
        throw new ConfigError(key, value, `${value === undefined ? "required; " : ""}allowed: ${allowed}`);
    }
    return value;
}

function parseCidrKey(config: ConfigReader, key: ConfigKey, minPrefix: number, maxPrefix: number) {
    const text = config.string(key, "an IPv4 CIDR");
    const cidr = parseCidr(text);
    if (!cidr || cidr.prefixLength < minPrefix || cidr.prefixLength > maxPrefix) {
        config.fail(
            key,
            text,
            `allowed: an IPv4 CIDR a.b.c.d/n with n from ${minPrefix} to ${maxPrefix}, the address being the first of its range`,
        );
    }
    return { text, cidr };
}

function parseGcp(config: ConfigReader): GcpConfig {
    const project = requireProviderKey(
        config,
        "gcp:project",
        GCP_PROJECT_ID,
        "a GCP project id: 6 to 30 lowercase letters, digits or '-', starting with a letter",
    );
    const region = requireProviderKey(config, "gcp:region", GCP_REGION, "a GCP region such as europe-west1");

    const locationText = config.string("gkeLocation", "empty or a zone of gcp:region");
    const zonePattern = new RegExp(`^${region}-[a-z]$`);
    if (locationText !== "" && !zonePattern.test(locationText)) {
        config.fail("gkeLocation", locationText, `allowed: empty (regional cluster in ${region}) or a zone such as ${region}-b`);
    }
    const minNodesPerZone = config.integer("gkeMinNodesPerZone", 0, 100);
    const maxNodesPerZone = config.integer("gkeMaxNodesPerZone", 1, 1000);
    if (minNodesPerZone > maxNodesPerZone) {
        config.fail("gkeMinNodesPerZone", minNodesPerZone, `must not exceed gkeMaxNodesPerZone (${maxNodesPerZone})`);
    }
    const authorizedNetworks = config.list("gkeAuthorizedNetworks", "an IPv4 CIDR");
    for (const cidr of authorizedNetworks) {
        if (!parseCidr(cidr)) {
            config.fail("gkeAuthorizedNetworks", cidr, "allowed: IPv4 CIDRs a.b.c.d/n, the address being the first of its range");
        }
    }

    const subnet = parseCidrKey(config, "subnetCidr", 8, 29);
    const pods = parseCidrKey(config, "podsCidr", 8, 24);
    const services = parseCidrKey(config, "servicesCidr", 8, 27);
    const privateServices = parseCidrKey(config, "privateServicesCidr", 8, 24);
    const ranges: [ConfigKey, typeof subnet][] = [
        ["subnetCidr", subnet],
        ["podsCidr", pods],
        ["servicesCidr", services],
        ["privateServicesCidr", privateServices],
    ];
    ranges.forEach(([key, range], i) => {
        for (const [otherKey, other] of ranges.slice(0, i)) {
            if (cidrsOverlap(range.cidr, other.cidr)) {
                config.fail(key, range.text, `must not overlap ${otherKey} (${other.text})`);
            }
        }
    });

    const loadBalancerIp = config.string("loadBalancerIp", "empty or an IPv4 address in subnetCidr");
    if (loadBalancerIp !== "") {
        const address = parseIpv4(loadBalancerIp);
        if (address === undefined || !cidrContains(subnet.cidr, address) || !isUsableSubnetAddress(subnet.cidr, address)) {
            config.fail(
                "loadBalancerIp",
                loadBalancerIp,
                `allowed: empty, or a usable address of subnetCidr ${subnet.text} (not its first two or last two)`,
            );
        }
    }

    return {
        project,
        region,
        gke: {
            location: locationText === "" ? region : locationText,
            releaseChannel: config.oneOf("gkeReleaseChannel", GKE_RELEASE_CHANNELS),
            machineType: config.matching("gkeMachineType", MACHINE_TYPE, "a Compute Engine machine type such as e2-standard-4"),
            diskSizeGb: config.integer("gkeDiskSizeGb", 20, 2000),
            minNodesPerZone,
            maxNodesPerZone,
            spotNodes: config.boolean("gkeSpotNodes"),
            authorizedNetworks,
        },
        network: {
            subnetCidr: subnet.text,
            podsCidr: pods.text,
            servicesCidr: services.text,
            privateServicesAddress: privateServices.text.split("/")[0],
            privateServicesPrefixLength: privateServices.cidr.prefixLength,
        },
        database: {
            version: config.oneOf("databaseVersion", POSTGRES_VERSIONS),
            tier: config.matching("databaseTier", SQL_TIER, "a Cloud SQL tier such as db-custom-2-7680 or db-g1-small"),
            diskSizeGb: config.integer("databaseDiskSizeGb", 10, 65536),
            highAvailability: config.boolean("databaseHighAvailability"),
            backupRetentionDays: config.integer("databaseBackupRetentionDays", 1, 365),
        },
        loadBalancer: {
            ip: loadBalancerIp,
            globalAccess: config.boolean("loadBalancerGlobalAccess"),
        },
    };
}

/**
 * Parses and validates the whole stack config. Pure: it reads only `raw` and `context`, declares nothing, and
 * throws a ConfigError naming the first bad key, its value and what is allowed.
 */
export function parseStackConfig(raw: RawConfig, context: ConfigContext): StackConfig {
    const config = new ConfigReader(raw, context.pulumiProject);
    const unknown = config.unknownKeys();
    if (unknown.length > 0) {
        const key = unknown[0];
        throw new ConfigError(
            `${context.pulumiProject}:${key}`,
            raw[`${context.pulumiProject}:${key}`],
            `unknown key; known keys: ${Object.keys(CONFIG_KEYS).join(", ")}`,
        );
    }

    const cloud = config.oneOf("cloud", CLOUDS);
    if (!SUPPORTED_CLOUDS.includes(cloud)) {
        config.fail("cloud", cloud, `not supported yet; allowed: ${SUPPORTED_CLOUDS.join(", ")}`);
    }
    const flyte = parseFlyte(config);
    const protection = {
        deletionProtection: config.boolean("deletionProtection"),
        forceDestroyBuckets: config.boolean("forceDestroyBuckets"),
    };
    return {
        pulumiProject: context.pulumiProject,
        stack: context.stack,
        cloud: "gcp",
        flyte,
        protection,
        gcp: parseGcp(config),
    };
}
