import * as pulumi from "@pulumi/pulumi";
import { eksOidcOfLength, iamPolicySize, ROLE_POLICY_MAX, TRUST_POLICY_MAX, trustPolicySize } from "../../../components/config/aws";
import { AWS_REGIONS } from "../../../components/config/regions";
import { irsaTrustPolicy } from "../../../components/aws/iam";
import { ConfigError } from "../../../components/config/errors";
import { checkEncryptedKeys, checkKnownKeys, isDefaultValue } from "../../../components/config/keys";
import { ConfigContext, parseStackConfig, RawConfig } from "../../../components/config/parse";
import { ConfigReader } from "../../../components/config/reader";
import { OFFLINE_SECRET_PLACEHOLDER } from "../../../components/shared/offlinePlan";
import { Cloud, CLOUDS } from "../../../components/contract/config";
import { CONFIG_KEYS, ConfigKey, KeySpec } from "../../../components/config/schema";
import type { AwsStackConfig, GcpStackConfig, LocalStackConfig } from "../../../components/contract/config";
import { shortHash } from "../../../components/shared/names";
import { s3PolicyFor } from "../../../components/contract/s3Access";
import { rawAwsConfig, rawGcpConfig } from "../../helpers/config";

/**
 * parseStackConfig against config exactly as the Pulumi runtime hands it over: full keys to strings, lists as
 * JSON, booleans "true"/"false", integers as decimal strings.
 */

const CONTEXT = { pulumiProject: "flyte", stack: "dev" } as const;

type LocalKey = Extract<ConfigKey, `local${string}`>;
/** Keys only cloud aws reads; their defaults are checked with the aws configs. */
type AwsKey = Extract<ConfigKey, `aws${string}` | `eks${string}` | `rds${string}`>;

/**
 * A minimal valid config with keys set, or removed when the value is undefined. With flyte:cloud set to another
 * target than gcp the gcp keys are left out, since a stack for another target must not set them.
 */
function raw(overrides: Readonly<Record<string, string | undefined>> = {}): RawConfig {
    const cloud = overrides["flyte:cloud"];
    const gcp = cloud === undefined || cloud === "gcp" ? { "gcp:project": "acme-flyte-dev" } : { "gcp:project": undefined, "gcp:region": undefined };
    return rawGcpConfig({ ...gcp, ...overrides });
}

function parse(overrides: Readonly<Record<string, string | undefined>> = {}): GcpStackConfig {
    const config = parseStackConfig(raw(overrides), CONTEXT);
    if (config.cloud !== "gcp") {
        throw new Error(`expected cloud gcp, got ${config.cloud}`);
    }
    return config;
}

/** The error parseStackConfig throws, or a failure when it does not throw. */
function parseError(config: RawConfig, context: ConfigContext = CONTEXT): unknown {
    try {
        parseStackConfig(config, context);
    } catch (err) {
        return err;
    }
    throw new Error(`expected parseStackConfig to throw for ${JSON.stringify(config)}`);
}

function configError(config: RawConfig, context?: ConfigContext): ConfigError {
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
const DEFAULTS = {
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
};

describe("a minimal valid config", () => {
    const config = parse();

    test("parses with the context and the provider keys", () => {
        expect(config.pulumiProject).toBe("flyte");
        expect(config.stack).toBe("dev");
        expect(config.cloud).toBe("gcp");
        expect(config.gcp.project).toBe("acme-flyte-dev");
        expect(config.gcp.region).toBe("europe-west1");
    });

    test("gets the documented defaults (as literals)", () => {
        expect(config).toEqual({
            ...DEFAULTS,
            cloud: "gcp",
            gcp: {
                project: "acme-flyte-dev",
                region: "europe-west1",
                gke: {
                    location: "europe-west1",
                    releaseChannel: "REGULAR",
                    machineType: "e2-standard-4",
                    diskSizeGb: 100,
                    minNodesPerZone: 1,
                    maxNodesPerZone: 3,
                    spotNodes: false,
                    authorizedNetworks: [],
                },
                network: {
                    subnetCidr: "10.0.0.0/20",
                    podsCidr: "10.16.0.0/14",
                    servicesCidr: "10.20.0.0/20",
                    privateServicesAddress: "10.32.0.0",
                    privateServicesPrefixLength: 16,
                },
                database: {
                    version: "POSTGRES_16",
                    tier: "db-custom-2-7680",
                    diskSizeGb: 20,
                    highAvailability: true,
                    backupRetentionDays: 14,
                },
                loadBalancer: { ip: "", globalAccess: false },
            },
        });
    });

    // Where each key's parsed value lives; the Record type makes the table list every key with a plain default.
    const parsedValue: Record<Exclude<ConfigKey, "cloud" | "gkeLocation" | LocalKey | AwsKey>, (c: GcpStackConfig) => unknown> = {
        flavor: (c) => c.flyte.flavor,
        flyteProjects: (c) => c.flyte.projects,
        flyteDomains: (c) => c.flyte.domains,
        projectIsolation: (c) => c.flyte.projectIsolation,
        projectSetupImage: (c) => c.flyte.projectSetupImage,
        coreReplicas: (c) => c.flyte.core.replicas,
        coreProxyImage: (c) => c.flyte.core.proxyImage,
        namespaceTemplate: (c) => c.flyte.namespaceTemplate,
        flyteNamespace: (c) => c.flyte.namespace,
        chartVersion: (c) => c.flyte.chartVersion,
        chartRepository: (c) => c.flyte.chartRepository,
        deletionProtection: (c) => c.protection.deletionProtection,
        forceDestroyBuckets: (c) => c.protection.forceDestroyBuckets,
        gkeReleaseChannel: (c) => c.gcp.gke.releaseChannel,
        gkeMachineType: (c) => c.gcp.gke.machineType,
        gkeDiskSizeGb: (c) => c.gcp.gke.diskSizeGb,
        gkeMinNodesPerZone: (c) => c.gcp.gke.minNodesPerZone,
        gkeMaxNodesPerZone: (c) => c.gcp.gke.maxNodesPerZone,
        gkeSpotNodes: (c) => c.gcp.gke.spotNodes,
        gkeAuthorizedNetworks: (c) => c.gcp.gke.authorizedNetworks,
        subnetCidr: (c) => c.gcp.network.subnetCidr,
        podsCidr: (c) => c.gcp.network.podsCidr,
        servicesCidr: (c) => c.gcp.network.servicesCidr,
        privateServicesCidr: (c) =>
            `${c.gcp.network.privateServicesAddress}/${c.gcp.network.privateServicesPrefixLength}`,
        databaseVersion: (c) => c.gcp.database.version,
        databaseTier: (c) => c.gcp.database.tier,
        databaseDiskSizeGb: (c) => c.gcp.database.diskSizeGb,
        databaseHighAvailability: (c) => c.gcp.database.highAvailability,
        databaseBackupRetentionDays: (c) => c.gcp.database.backupRetentionDays,
        loadBalancerIp: (c) => c.gcp.loadBalancer.ip,
        loadBalancerGlobalAccess: (c) => c.gcp.loadBalancer.globalAccess,
    };

    test.each(Object.keys(parsedValue) as Exclude<ConfigKey, "cloud" | "gkeLocation" | LocalKey | AwsKey>[])(
        "%s defaults to CONFIG_KEYS' default",
        (key) => {
            expect(parsedValue[key](config)).toEqual(CONFIG_KEYS[key].default);
        },
    );

    test("the table above covers every key of CONFIG_KEYS but cloud, gkeLocation (derived) and the local and aws ones", () => {
        expect(Object.keys(parsedValue).sort()).toEqual(
            Object.keys(CONFIG_KEYS)
                .filter((k) => k !== "cloud" && k !== "gkeLocation" && !/^(local|aws|eks|rds)/.test(k))
                .sort(),
        );
    });

    test("cloud defaults to local and gkeLocation to empty (a regional cluster)", () => {
        expect(CONFIG_KEYS.cloud.default).toBe("local");
        expect(CONFIG_KEYS.gkeLocation.default).toBe("");
        expect(config.gcp.gke.location).toBe(config.gcp.region);
    });
});

describe("values and derived fields of a valid config", () => {
    test("gke.location falls back to gcp:region", () => {
        expect(parse({ "gcp:region": "us-central1" }).gcp.gke.location).toBe("us-central1");
        expect(parse({ "flyte:gkeLocation": "" }).gcp.gke.location).toBe("europe-west1");
    });

    test("a zone of gcp:region makes a zonal cluster", () => {
        const config = parse({ "flyte:gkeLocation": "europe-west1-b" });
        expect(config.gcp.gke.location).toBe("europe-west1-b");
        expect(config.gcp.region).toBe("europe-west1");
        expect(parse({ "gcp:region": "us-east4", "flyte:gkeLocation": "us-east4-c" }).gcp.gke.location).toBe(
            "us-east4-c",
        );
    });

    test("privateServicesCidr is split into address and prefix length", () => {
        const network = parse({ "flyte:privateServicesCidr": "192.168.16.0/20" }).gcp.network;
        expect(network.privateServicesAddress).toBe("192.168.16.0");
        expect(network.privateServicesPrefixLength).toBe(20);
        const smallest = parse({ "flyte:privateServicesCidr": "10.64.1.0/24" }).gcp.network;
        expect(smallest.privateServicesAddress).toBe("10.64.1.0");
        expect(smallest.privateServicesPrefixLength).toBe(24);
    });

    test("strings as the runtime passes them become lists, booleans and numbers", () => {
        const config = parse({
            "flyte:flyteProjects": '["flytesnacks","analytics"]',
            "flyte:flyteDomains": '["dev","prod"]',
            "flyte:gkeAuthorizedNetworks": '["203.0.113.0/24","198.51.100.7/32"]',
            "flyte:gkeSpotNodes": "true",
            "flyte:deletionProtection": "false",
            "flyte:forceDestroyBuckets": "true",
            "flyte:databaseHighAvailability": "false",
            "flyte:loadBalancerGlobalAccess": "true",
            "flyte:gkeDiskSizeGb": "20",
            "flyte:gkeMinNodesPerZone": "0",
            "flyte:gkeMaxNodesPerZone": "1000",
            "flyte:databaseDiskSizeGb": "65536",
            "flyte:databaseBackupRetentionDays": "365",
            "flyte:gkeReleaseChannel": "STABLE",
            "flyte:databaseVersion": "POSTGRES_17",
            "flyte:databaseTier": "db-g1-small",
            "flyte:gkeMachineType": "n2d-highmem-16",
            "flyte:chartVersion": "1.16.8-rc.1",
        });
        expect(config.flyte.projects).toEqual(["flytesnacks", "analytics"]);
        expect(config.flyte.domains).toEqual(["dev", "prod"]);
        expect(config.flyte.projectNamespaces.map((p) => p.namespace)).toEqual([
            "flytesnacks-dev",
            "flytesnacks-prod",
            "analytics-dev",
            "analytics-prod",
        ]);
        expect(config.gcp.gke.authorizedNetworks).toEqual(["203.0.113.0/24", "198.51.100.7/32"]);
        expect(config.gcp.gke.spotNodes).toBe(true);
        expect(config.protection).toEqual({ deletionProtection: false, forceDestroyBuckets: true });
        expect(config.gcp.database.highAvailability).toBe(false);
        expect(config.gcp.loadBalancer.globalAccess).toBe(true);
        expect(config.gcp.gke.diskSizeGb).toBe(20);
        expect(config.gcp.gke.minNodesPerZone).toBe(0);
        expect(config.gcp.gke.maxNodesPerZone).toBe(1000);
        expect(config.gcp.database.diskSizeGb).toBe(65536);
        expect(config.gcp.database.backupRetentionDays).toBe(365);
        expect(config.gcp.gke.releaseChannel).toBe("STABLE");
        expect(config.gcp.database.version).toBe("POSTGRES_17");
        expect(config.gcp.database.tier).toBe("db-g1-small");
        expect(config.gcp.gke.machineType).toBe("n2d-highmem-16");
        expect(config.flyte.chartVersion).toBe("1.16.8-rc.1");
    });

    test("integer boundaries are inclusive", () => {
        expect(parse({ "flyte:gkeDiskSizeGb": "2000" }).gcp.gke.diskSizeGb).toBe(2000);
        expect(parse({ "flyte:databaseBackupRetentionDays": "1" }).gcp.database.backupRetentionDays).toBe(1);
        expect(
            parse({ "flyte:gkeMinNodesPerZone": "3", "flyte:gkeMaxNodesPerZone": "3" }).gcp.gke.minNodesPerZone,
        ).toBe(3);
    });

    test("loadBalancerIp accepts the first and last usable addresses of subnetCidr", () => {
        expect(parse({ "flyte:loadBalancerIp": "10.0.0.2" }).gcp.loadBalancer.ip).toBe("10.0.0.2");
        expect(parse({ "flyte:loadBalancerIp": "10.0.15.253" }).gcp.loadBalancer.ip).toBe("10.0.15.253");
        expect(
            parse({ "flyte:subnetCidr": "172.16.0.0/24", "flyte:loadBalancerIp": "172.16.0.100" }).gcp.loadBalancer.ip,
        ).toBe("172.16.0.100");
    });

    test("a template without {{ domain }} shares one namespace per project across domains", () => {
        const config = parse({
            "flyte:flyteProjects": '["alpha","beta"]',
            "flyte:namespaceTemplate": "team-{{ project }}",
        });
        expect(config.flyte.projectNamespaces).toHaveLength(6);
        expect([...new Set(config.flyte.projectNamespaces.map((p) => p.namespace))]).toEqual([
            "team-alpha",
            "team-beta",
        ]);
    });

    test("{{ org }} in the template renders empty, as in open-source Flyte", () => {
        const config = parse({ "flyte:namespaceTemplate": "{{ org }}{{ project }}-{{ domain }}" });
        expect(config.flyte.projectNamespaces[0].namespace).toBe("flytesnacks-development");
    });

    test("keys of namespaces we do not read are not ours to reject, nor are the gcp provider's own keys on gcp", () => {
        const config = parse({ "gcp:zone": "europe-west1-b", "kubernetes:context": "x", "random:seed": "1" });
        expect(config.gcp.project).toBe("acme-flyte-dev");
        // aws:region on a gcp stack is another target's key (see "keys of another target").
        expect(configError(raw({ "aws:region": "eu-west-1" })).key).toBe("flyte:cloud");
    });

    test("our keys live in the namespace of the Pulumi project the context names", () => {
        const config = parseStackConfig(
            { "myflyte:cloud": "gcp", "myflyte:gkeSpotNodes": "true", "gcp:project": "acme-x1", "gcp:region": "asia-south1" },
            { pulumiProject: "myflyte", stack: "staging" },
        );
        expect(config.pulumiProject).toBe("myflyte");
        expect(config.stack).toBe("staging");
        expect(config.cloud === "gcp" && config.gcp.gke.spotNodes).toBe(true);

        // flyte:* keys belong to another project: ignored (not even checked for typos), so cloud takes its default.
        const other = { "flyte:cloud": "gcp", "flyte:gkeSpotNodes": "yes", "flyte:notAKey": "x" };
        expect(parseStackConfig(other, { pulumiProject: "myflyte", stack: "staging" }).cloud).toBe("local");
    });
});

interface InvalidCase {
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
const NAMESPACE_60 = "n".repeat(60);
/** What every cloud aws row sets; the row's own keys follow. */
const AWS = { "flyte:cloud": "aws", "aws:region": "eu-central-1" } as const;

const INVALID: readonly InvalidCase[] = [
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

describe("an invalid config fails with a one-line ConfigError naming key, value and what is allowed", () => {
    test("the table has at least 35 cases and distinct names", () => {
        expect(INVALID.length).toBeGreaterThanOrEqual(35);
        expect(new Set(INVALID.map((c) => c.name)).size).toBe(INVALID.length);
    });

    test.each(INVALID.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = parseError(raw(c.overrides));
        expect(err).toBeInstanceOf(ConfigError);
        if (!(err instanceof ConfigError)) {
            return;
        }
        expect(pulumi.RunError.isInstance(err)).toBe(true);
        expect(err.name).toBe("ConfigError");
        expect(err.key).toBe(c.key);
        expect(err.message).not.toContain("\n");
        expect(err.message.startsWith(`invalid config ${c.key} = `)).toBe(true);
        expect(err.message).toContain(c.key);
        expect(err.message).toContain(c.shown);
        expect(err.message).toContain(c.allowed);
    });
});

describe("ConfigError", () => {
    test("is a RunError, so the CLI prints the message without a stack trace", () => {
        const err = new ConfigError("flyte:x", "v", "allowed: w");
        expect(pulumi.RunError.isInstance(err)).toBe(true);
        expect(err).toBeInstanceOf(Error);
        expect(err.message).toBe('invalid config flyte:x = "v": allowed: w');
        expect(err.key).toBe("flyte:x");
        expect(err.value).toBe("v");
        expect(err.allowed).toBe("allowed: w");
    });

    test("keeps the message on one line even when the allowed text or the value has line breaks", () => {
        const err = new ConfigError("flyte:x", "a\nb", "allowed:\n  one\n  two");
        expect(err.message).toBe('invalid config flyte:x = "a\\nb": allowed: one two');
    });

    test("cuts a very long value", () => {
        const err = new ConfigError("flyte:x", "y".repeat(500), "allowed: short");
        expect(err.message).toContain(`"${"y".repeat(119)}…`);
        expect(err.message.length).toBeLessThan(200);
    });

    test("parse errors are ConfigErrors, never plain errors", () => {
        const err = parseError(raw({ "flyte:cloud": "gcp", "flyte:gkeDiskSizeGb": "-1" }));
        expect(err).toBeInstanceOf(ConfigError);
    });

    test("of several unknown keys the first in sort order is reported", () => {
        const err = configError(raw({ "flyte:zzz": "1", "flyte:aaa": "2" }));
        expect(err.key).toBe("flyte:aaa");
        expect(err.message).toContain('"2"');
    });
});

describe("domains with display names", () => {
    /** A template without {{ domain }}: each project's domains share one namespace, and display names are allowed. */
    const PER_PROJECT = { "flyte:namespaceTemplate": "team-{{ project }}" } as const;

    test('"id:Name" entries give the console a name; plain entries use the id', () => {
        const config = parse({ ...PER_PROJECT, "flyte:flyteDomains": JSON.stringify(["d-dev:Development", "t-dev:Test env", "p-dev"]) });
        expect(config.flyte.domains).toEqual(["d-dev", "t-dev", "p-dev"]);
        expect(config.flyte.domainNames).toEqual({ "d-dev": "Development", "t-dev": "Test env", "p-dev": "p-dev" });
        expect(config.flyte.projectNamespaces.map((p) => `${p.domain} ${p.namespace}`)).toEqual([
            "d-dev team-flytesnacks",
            "t-dev team-flytesnacks",
            "p-dev team-flytesnacks",
        ]);
    });

    test("with {{ domain }} in the template, plain ids are fine and so is a name equal to its id", () => {
        const config = parse({ "flyte:flyteDomains": JSON.stringify(["d-dev", "t-dev:t-dev", "p-dev"]) });
        expect(config.flyte.domainNames).toEqual({ "d-dev": "d-dev", "t-dev": "t-dev", "p-dev": "p-dev" });
        expect(config.flyte.projectNamespaces.map((p) => p.namespace)).toEqual(["flytesnacks-d-dev", "flytesnacks-t-dev", "flytesnacks-p-dev"]);
    });

    // Flyte 1.x's cluster resource sync renders the template with the domain's display name while executions use its
    // id (flyteadmin/pkg/clusterresource/controller.go): the two must agree wherever the template names the domain.
    test.each([
        ["the default template", undefined, ["d-dev:Development"], "d-dev:Development"],
        ["the platform's template", "103020-flytepoc-{{ project }}-{{ domain }}", ["d-dev:Development", "t-dev:Test", "p-dev:Production"], "d-dev:Development"],
        ["a template naming only the domain, one project", "work-{{ domain }}", ["dev", "prod:Production"], "prod:Production"],
        ["a display name that differs from its id only in case", undefined, ["dev:DEV"], "dev:DEV"],
    ])("with %s a display name other than the id is rejected, naming the first such entry", (_what, template, entries, first) => {
        const err = configError(raw({ "flyte:namespaceTemplate": template, "flyte:flyteDomains": JSON.stringify(entries) }));
        expect(err.key).toBe("flyte:flyteDomains");
        expect(err.message).toBe(
            `invalid config flyte:flyteDomains = ${JSON.stringify(first)}: a display name other than the id only with a namespaceTemplate without {{ domain }}: Flyte 1.x would sync namespaces named after the display name`,
        );
        expect(err.message).not.toContain("\n");
    });

    test.each([["team-{{ project }}"], ["{{ project }}"], ["shared-work"]])("a template without {{ domain }} (%s) allows display names", (template) => {
        // A template without {{ project }} maps every project to one namespace: one project only.
        const config = parse({ "flyte:namespaceTemplate": template, "flyte:flyteDomains": JSON.stringify(["dev:Development", "prod:Production"]) });
        expect(config.flyte.domainNames).toEqual({ dev: "Development", prod: "Production" });
        expect(new Set(config.flyte.projectNamespaces.map((p) => p.namespace)).size).toBe(1);
    });

    test.each([["d-dev:"], ["d-dev:<script>"], [`d-dev:${"x".repeat(65)}`]])("rejects the display name in %j", (entry) => {
        const err = configError(raw({ "flyte:flyteDomains": JSON.stringify([entry]) }));
        expect(err.key).toBe("flyte:flyteDomains");
        expect(err.message).toContain("the name after ':'");
    });
});

describe("projectIsolation", () => {
    test("accepts projects whose data prefixes cannot nest", () => {
        expect(parse({ "flyte:projectIsolation": "true", "flyte:flyteProjects": '["x","y","xy"]' }).flyte.projectIsolation).toBe(true);
    });

    test("rejects projects whose metadata prefixes nest, naming both", () => {
        const err = configError(
            raw({
                "flyte:projectIsolation": "true",
                "flyte:flyteProjects": '["a","a-b"]',
                "flyte:flyteDomains": '["b","dev"]',
            }),
        );
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toContain('project a-b (domain b) shares the data prefix "a-b-" of project a');
    });

    test("the same projects are fine without isolation", () => {
        expect(() => parse({ "flyte:flyteProjects": '["a","a-b"]', "flyte:flyteDomains": '["b","dev"]' })).not.toThrow();
    });
});

describe("cloud local", () => {
    test.each([
        "localhost:5001/postgres:16",
        "registry.example.com:5000/library/postgres:16.6-alpine",
        "ghcr.io/org/team/minio@sha256:" + "a".repeat(64),
        "postgres",
    ])("accepts the image reference %s", (image) => {
        expect(() => parseStackConfig({ "flyte:cloud": "local", "flyte:localPostgresImage": image }, CONTEXT)).not.toThrow();
    });

    function parseLocal(config: RawConfig): LocalStackConfig {
        const parsed = parseStackConfig(config, CONTEXT);
        if (parsed.cloud !== "local") {
            throw new Error(`expected cloud local, got ${parsed.cloud}`);
        }
        return parsed;
    }
    const minimal = parseLocal({ "flyte:cloud": "local" });

    test("a config with only flyte:cloud local parses, without any gcp key, with every local default (as literals)", () => {
        expect(minimal).toEqual({
            ...DEFAULTS,
            cloud: "local",
            local: {
                kubeconfig: "",
                context: "",
                namespace: "flyte-deps",
                nodePorts: { http: 30080, grpc: 30081, minio: 30002, minioConsole: 30084, dashboard: 30088 },
                storageClass: "",
                postgres: { image: "docker.io/library/postgres:16.6-alpine", volumeGi: 5 },
                minio: {
                    image: "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
                    clientImage: "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z",
                    volumeGi: 20,
                },
                dashboard: false,
            },
        });
        expect("gcp" in minimal).toBe(false);
    });

    // Where each local key's parsed value lives; the Record type makes the table list every local key.
    const parsedLocal: Record<LocalKey, (c: LocalStackConfig) => unknown> = {
        localKubeconfig: (c) => c.local.kubeconfig,
        localKubeContext: (c) => c.local.context,
        localHttpNodePort: (c) => c.local.nodePorts.http,
        localGrpcNodePort: (c) => c.local.nodePorts.grpc,
        localMinioNodePort: (c) => c.local.nodePorts.minio,
        localMinioConsoleNodePort: (c) => c.local.nodePorts.minioConsole,
        localDashboard: (c) => c.local.dashboard,
        localDashboardNodePort: (c) => c.local.nodePorts.dashboard,
        localStorageClass: (c) => c.local.storageClass,
        localPostgresImage: (c) => c.local.postgres.image,
        localPostgresVolumeGi: (c) => c.local.postgres.volumeGi,
        localMinioImage: (c) => c.local.minio.image,
        localMinioClientImage: (c) => c.local.minio.clientImage,
        localMinioVolumeGi: (c) => c.local.minio.volumeGi,
    };

    test.each(Object.keys(parsedLocal) as LocalKey[])("%s defaults to CONFIG_KEYS' default", (key) => {
        expect(parsedLocal[key](minimal)).toEqual(CONFIG_KEYS[key].default);
    });

    test("the table above covers every key of CONFIG_KEYS starting with local", () => {
        expect(Object.keys(parsedLocal).sort()).toEqual(Object.keys(CONFIG_KEYS).filter((k) => k.startsWith("local")).sort());
    });

    test("every local key is set from config", () => {
        const config = parseLocal({
            "flyte:cloud": "local",
            "flyte:localKubeconfig": "/home/me/.kube/kind.yaml",
            "flyte:localKubeContext": "kind-flyte",
            "flyte:localHttpNodePort": "30000",
            "flyte:localGrpcNodePort": "32767",
            "flyte:localMinioNodePort": "31000",
            "flyte:localMinioConsoleNodePort": "31001",
            "flyte:localDashboard": "true",
            "flyte:localDashboardNodePort": "31002",
            "flyte:localStorageClass": "local-path.example.com",
            "flyte:localPostgresImage": "postgres:16",
            "flyte:localPostgresVolumeGi": "1000",
            "flyte:localMinioImage": `quay.io/minio/minio@sha256:${"0a".repeat(32)}`,
            "flyte:localMinioClientImage": `mirror.example.com/minio/mc:RELEASE.2024-11-21T17-21-54Z@sha256:${"f".repeat(64)}`,
            "flyte:localMinioVolumeGi": "1",
        });
        expect(config.local).toEqual({
            kubeconfig: "/home/me/.kube/kind.yaml",
            context: "kind-flyte",
            namespace: "flyte-deps",
            nodePorts: { http: 30000, grpc: 32767, minio: 31000, minioConsole: 31001, dashboard: 31002 },
            storageClass: "local-path.example.com",
            postgres: { image: "postgres:16", volumeGi: 1000 },
            minio: {
                image: `quay.io/minio/minio@sha256:${"0a".repeat(32)}`,
                clientImage: `mirror.example.com/minio/mc:RELEASE.2024-11-21T17-21-54Z@sha256:${"f".repeat(64)}`,
                volumeGi: 1,
            },
            dashboard: true,
        });
    });

    test("local.namespace is <flyteNamespace>-deps", () => {
        expect(parseLocal({ "flyte:cloud": "local", "flyte:flyteNamespace": "flyte-system" }).local.namespace).toBe(
            "flyte-system-deps",
        );
        // 58 characters plus -deps is exactly 63: still a DNS-1123 label.
        const longest = "n".repeat(58);
        expect(parseLocal({ "flyte:cloud": "local", "flyte:flyteNamespace": longest }).local.namespace).toBe(`${longest}-deps`);
    });

    test("a 60-character flyteNamespace is valid on gcp, where there is no -deps namespace", () => {
        expect(parse({ "flyte:flyteNamespace": NAMESPACE_60 }).flyte.namespace).toBe(NAMESPACE_60);
    });

    test("without a cloud key at all the target is local", () => {
        expect(parseStackConfig({}, CONTEXT).cloud).toBe("local");
        expect(parseStackConfig({}, CONTEXT)).toEqual(minimal);
        // A stack that sets gcp keys but forgets flyte:cloud is not planned as local: it is rejected.
        expect(configError(rawGcpConfig({ "flyte:cloud": undefined })).message).toBe(
            'invalid config flyte:cloud = "local" (the default): gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        );
    });

    test("a dashboard NodePort clashing with another port is valid while the dashboard is off", () => {
        const withHttp = parseLocal({ "flyte:cloud": "local", "flyte:localDashboardNodePort": "30080" });
        expect(withHttp.local.dashboard).toBe(false);
        expect(withHttp.local.nodePorts).toEqual({ http: 30080, grpc: 30081, minio: 30002, minioConsole: 30084, dashboard: 30080 });
        const withConsole = parseLocal({
            "flyte:cloud": "local",
            "flyte:localDashboard": "false",
            "flyte:localMinioConsoleNodePort": "30088",
        });
        expect(withConsole.local.nodePorts.minioConsole).toBe(30088);
        expect(withConsole.local.nodePorts.dashboard).toBe(30088);
        // The same config with the dashboard on is rejected.
        const err = configError({
            "flyte:cloud": "local",
            "flyte:localDashboard": "true",
            "flyte:localMinioConsoleNodePort": "30088",
        });
        expect(err.key).toBe("flyte:localDashboardNodePort");
    });

    test("the other ports must differ whether the dashboard is on or off", () => {
        for (const dashboard of ["true", "false"]) {
            const err = configError({
                "flyte:cloud": "local",
                "flyte:localDashboard": dashboard,
                "flyte:localMinioConsoleNodePort": "30002",
            });
            expect(err.key).toBe("flyte:localMinioConsoleNodePort");
            expect(err.message).toContain("must differ from localMinioNodePort (30002)");
        }
    });

    test("empty kubeconfig, context and StorageClass mean the defaults", () => {
        const config = parseLocal({
            "flyte:cloud": "local",
            "flyte:localKubeconfig": "",
            "flyte:localKubeContext": "",
            "flyte:localStorageClass": "",
        });
        expect(config.local).toMatchObject({ kubeconfig: "", context: "", storageClass: "" });
    });
});

describe("cloud aws", () => {
    function parseAws(config: RawConfig): AwsStackConfig {
        const parsed = parseStackConfig(config, CONTEXT);
        if (parsed.cloud !== "aws") {
            throw new Error(`expected cloud aws, got ${parsed.cloud}`);
        }
        return parsed;
    }
    const minimal = parseAws({ "flyte:cloud": "aws", "aws:region": "eu-central-1" });

    test("a config with only flyte:cloud aws and aws:region parses, without any gcp key, with every aws default (as literals)", () => {
        expect(minimal).toEqual({
            ...DEFAULTS,
            cloud: "aws",
            aws: {
                region: "eu-central-1",
                network: { vpcCidr: "10.0.0.0/16", availabilityZones: 3, natGatewayPerZone: true },
                eks: {
                    version: "1.34",
                    instanceTypes: ["m6i.xlarge"],
                    minNodes: 2,
                    maxNodes: 6,
                    spotNodes: false,
                    nodeDiskSizeGb: 100,
                    publicAccessCidrs: [],
                    adminPrincipals: [],
                    containerInsights: true,
                },
                database: {
                    engineVersion: "16",
                    instanceClass: "db.m6g.large",
                    allocatedStorageGb: 20,
                    maxAllocatedStorageGb: 200,
                    multiAz: true,
                    backupRetentionDays: 14,
                },
            },
        });
        expect("gcp" in minimal).toBe(false);
        expect("local" in minimal).toBe(false);
    });

    test("the gcp keys of another target are rejected", () => {
        expect(parseAws(rawAwsConfig())).toEqual(minimal);
        expect(configError(rawGcpConfig(AWS)).message).toBe(
            'invalid config flyte:cloud = "aws": gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        );
    });

    // Where each aws key's parsed value lives; the Record type makes the table list every aws key.
    const parsedAws: Record<AwsKey, (c: AwsStackConfig) => unknown> = {
        awsVpcCidr: (c) => c.aws.network.vpcCidr,
        awsAvailabilityZones: (c) => c.aws.network.availabilityZones,
        awsNatGatewayPerZone: (c) => c.aws.network.natGatewayPerZone,
        eksVersion: (c) => c.aws.eks.version,
        eksInstanceTypes: (c) => c.aws.eks.instanceTypes,
        eksMinNodes: (c) => c.aws.eks.minNodes,
        eksMaxNodes: (c) => c.aws.eks.maxNodes,
        eksSpotNodes: (c) => c.aws.eks.spotNodes,
        eksNodeDiskSizeGb: (c) => c.aws.eks.nodeDiskSizeGb,
        eksPublicAccessCidrs: (c) => c.aws.eks.publicAccessCidrs,
        eksAdminPrincipals: (c) => c.aws.eks.adminPrincipals,
        eksContainerInsights: (c) => c.aws.eks.containerInsights,
        rdsEngineVersion: (c) => c.aws.database.engineVersion,
        rdsInstanceClass: (c) => c.aws.database.instanceClass,
        rdsMaxAllocatedStorageGb: (c) => c.aws.database.maxAllocatedStorageGb,
    };

    test.each(Object.keys(parsedAws) as AwsKey[])("%s defaults to CONFIG_KEYS' default", (key) => {
        expect(parsedAws[key](minimal)).toEqual(CONFIG_KEYS[key].default);
    });

    test("the table above covers every key of CONFIG_KEYS starting with aws, eks or rds", () => {
        expect(Object.keys(parsedAws).sort()).toEqual(Object.keys(CONFIG_KEYS).filter((k) => /^(aws|eks|rds)/.test(k)).sort());
        expect(Object.keys(parsedAws)).toHaveLength(15);
    });

    // The database keys gcp and aws share.
    const parsedShared = {
        databaseHighAvailability: (c: AwsStackConfig) => c.aws.database.multiAz,
        databaseBackupRetentionDays: (c: AwsStackConfig) => c.aws.database.backupRetentionDays,
        databaseDiskSizeGb: (c: AwsStackConfig) => c.aws.database.allocatedStorageGb,
    } as const;

    test.each(Object.keys(parsedShared) as (keyof typeof parsedShared)[])("shared %s defaults to CONFIG_KEYS' default", (key) => {
        expect(parsedShared[key](minimal)).toEqual(CONFIG_KEYS[key].default);
    });

    test("the shared database keys set multiAz, backupRetentionDays and allocatedStorageGb", () => {
        const config = parseAws(
            rawAwsConfig({
                "flyte:databaseHighAvailability": "false",
                "flyte:databaseBackupRetentionDays": "35",
                "flyte:databaseDiskSizeGb": "200",
            }),
        );
        expect(config.aws.database).toEqual({
            engineVersion: "16",
            instanceClass: "db.m6g.large",
            allocatedStorageGb: 200,
            maxAllocatedStorageGb: 200,
            multiAz: false,
            backupRetentionDays: 35,
        });
        expect(parseAws(rawAwsConfig({ "flyte:databaseBackupRetentionDays": "1" })).aws.database.backupRetentionDays).toBe(1);
    });

    test("every aws key is set from config", () => {
        const config = parseAws(
            rawAwsConfig({
                "aws:region": "ap-southeast-2",
                "flyte:awsVpcCidr": "172.20.0.0/20",
                "flyte:awsAvailabilityZones": "2",
                "flyte:awsNatGatewayPerZone": "false",
                "flyte:eksVersion": "1.33",
                "flyte:eksInstanceTypes": '["m7i.2xlarge","m6a.2xlarge"]',
                "flyte:eksMinNodes": "1",
                "flyte:eksMaxNodes": "450",
                "flyte:eksSpotNodes": "true",
                "flyte:eksNodeDiskSizeGb": "2000",
                "flyte:eksPublicAccessCidrs": '["203.0.113.0/24","198.51.100.7/32"]',
                "flyte:eksAdminPrincipals": '["arn:aws:iam::123456789012:role/platform-admins"]',
                "flyte:eksContainerInsights": "false",
                "flyte:rdsEngineVersion": "17.2",
                "flyte:rdsInstanceClass": "db.t4g.medium",
                "flyte:rdsMaxAllocatedStorageGb": "65536",
                "flyte:databaseDiskSizeGb": "20",
            }),
        );
        expect(config.aws).toEqual({
            region: "ap-southeast-2",
            network: { vpcCidr: "172.20.0.0/20", availabilityZones: 2, natGatewayPerZone: false },
            eks: {
                version: "1.33",
                instanceTypes: ["m7i.2xlarge", "m6a.2xlarge"],
                minNodes: 1,
                maxNodes: 450,
                spotNodes: true,
                nodeDiskSizeGb: 2000,
                publicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
                adminPrincipals: ["arn:aws:iam::123456789012:role/platform-admins"],
                containerInsights: false,
            },
            database: {
                engineVersion: "17.2",
                instanceClass: "db.t4g.medium",
                allocatedStorageGb: 20,
                maxAllocatedStorageGb: 65536,
                multiAz: true,
                backupRetentionDays: 14,
            },
        });
    });

    test("integer boundaries are inclusive", () => {
        expect(parseAws(rawAwsConfig({ "flyte:awsAvailabilityZones": "6" })).aws.network.availabilityZones).toBe(6);
        expect(parseAws(rawAwsConfig({ "flyte:eksNodeDiskSizeGb": "20" })).aws.eks.nodeDiskSizeGb).toBe(20);
        expect(parseAws(rawAwsConfig({ "flyte:eksMinNodes": "4", "flyte:eksMaxNodes": "4" })).aws.eks.minNodes).toBe(4);
        expect(
            parseAws(rawAwsConfig({ "flyte:databaseDiskSizeGb": "100", "flyte:rdsMaxAllocatedStorageGb": "100" })).aws.database
                .maxAllocatedStorageGb,
        ).toBe(100);
        expect(parseAws(rawAwsConfig({ "flyte:awsVpcCidr": "10.0.0.0/16" })).aws.network.vpcCidr).toBe("10.0.0.0/16");
        expect(parseAws(rawAwsConfig({ "flyte:awsVpcCidr": "10.8.16.0/20" })).aws.network.vpcCidr).toBe("10.8.16.0/20");
    });

    test("eksAdminPrincipals accepts a role with a path and a user", () => {
        const principals = [
            "arn:aws:iam::123456789012:role/team/admins",
            "arn:aws:iam::123456789012:user/alice",
            "arn:aws:iam::210987654321:user/ops/bob@example.com",
        ];
        expect(
            parseAws(rawAwsConfig({ "flyte:eksAdminPrincipals": JSON.stringify(principals) })).aws.eks.adminPrincipals,
        ).toEqual(principals);
    });

    test.each(["us-gov-west-1", "us-gov-east-1", "cn-north-1", "us-east-1", "ap-southeast-5", "il-central-1"])(
        "aws:region %s is a region",
        (region) => {
            expect(parseAws(rawAwsConfig({ "aws:region": region })).aws.region).toBe(region);
        },
    );

    test("GovCloud: us-gov-west-1 with a GovCloud administrator", () => {
        const config = parseAws(
            rawAwsConfig({
                "aws:region": "us-gov-west-1",
                "flyte:eksAdminPrincipals": '["arn:aws-us-gov:iam::123456789012:role/admins"]',
            }),
        );
        expect(config.aws.region).toBe("us-gov-west-1");
        expect(config.aws.eks.adminPrincipals).toEqual(["arn:aws-us-gov:iam::123456789012:role/admins"]);
    });

    // The message names the closest region where one is near (a zone names its own region).
    test.each([
        ["eu-central-1a", "; did you mean eu-central-1?"],
        ["eu-central", "; did you mean eu-central-1 or eu-central-2?"],
        ["eu_central_1", "; did you mean eu-central-1?"],
        ["eucentral1", "; did you mean eu-central-1?"],
        [" eu-central-1", "; did you mean eu-central-1?"],
        ["", ""],
    ])("aws:region %j is not a region", (region, suggestion) => {
        const err = configError(rawAwsConfig({ "aws:region": region }));
        expect(err.key).toBe("aws:region");
        expect(err.message).toBe(`invalid config aws:region = ${JSON.stringify(region)}: allowed: an AWS region such as eu-central-1${suggestion}`);
    });

    test("the RDS limits on the shared database keys do not apply to gcp", () => {
        expect(parse({ "flyte:databaseBackupRetentionDays": "36" }).gcp.database.backupRetentionDays).toBe(36);
        expect(parse({ "flyte:databaseDiskSizeGb": "10" }).gcp.database.diskSizeGb).toBe(10);
        expect(configError(rawAwsConfig({ "flyte:databaseBackupRetentionDays": "36" })).message).toBe(
            'invalid config flyte:databaseBackupRetentionDays = "36": allowed: a whole number from 1 to 35',
        );
        expect(configError(rawAwsConfig({ "flyte:databaseDiskSizeGb": "10" })).message).toBe(
            'invalid config flyte:databaseDiskSizeGb = "10": allowed: a whole number from 20 to 65536',
        );
    });

    test("the aws keys are rejected on gcp or local, where nothing reads them, before their values are checked", () => {
        expect(configError(raw({ "flyte:eksVersion": "v1.34", "flyte:awsVpcCidr": "not-a-cidr" })).message).toBe(
            'invalid config flyte:cloud = "gcp": flyte:awsVpcCidr, flyte:eksVersion belong to cloud aws; set flyte:cloud: aws or remove them',
        );
        expect(configError({ "flyte:cloud": "local", "flyte:rdsInstanceClass": "m6g.large" }).message).toBe(
            'invalid config flyte:cloud = "local" (the default): flyte:rdsInstanceClass belongs to cloud aws; set flyte:cloud: aws or remove it',
        );
        // At their defaults (as Pulumi.yaml hands them to every stack) they are accepted.
        expect(parse({ "flyte:eksVersion": "1.34", "flyte:awsVpcCidr": "10.0.0.0/16" }).cloud).toBe("gcp");
    });

    test("some aws messages in full", () => {
        expect(configError(rawAwsConfig({ "flyte:eksMinNodes": "7" })).message).toBe(
            "invalid config flyte:eksMinNodes = 7: must not exceed eksMaxNodes (6)",
        );
        expect(
            configError(rawAwsConfig({ "flyte:eksAdminPrincipals": '["arn:aws:sts::123456789012:assumed-role/x/y"]' })).message,
        ).toBe(
            'invalid config flyte:eksAdminPrincipals = "arn:aws:sts::123456789012:assumed-role/x/y": allowed: IAM role or user ARNs such as arn:aws:iam::123456789012:role/platform-admins (not assumed-role sessions)',
        );
        expect(configError(rawAwsConfig({ "flyte:databaseDiskSizeGb": "300" })).message).toBe(
            "invalid config flyte:rdsMaxAllocatedStorageGb = 200: must be at least databaseDiskSizeGb (300)",
        );
    });
});

// ---- flyte-core and project isolation keys ----

const PROJECT_22 = "p".repeat(22);
const PROJECT_23 = "p".repeat(23);
const PROJECT_33 = "q".repeat(33);
const PROJECT_34 = "q".repeat(34);
const PROJECT_52 = "r".repeat(52);
const PROJECT_53 = "r".repeat(53);
/** A 53-character project still yields valid namespaces with a one-letter domain (53 + "-d"). */
const LOCAL_SHORT_DOMAIN = { "flyte:cloud": "local", "flyte:flyteDomains": '["d"]' } as const;
const ISOLATION_ON = { "flyte:projectIsolation": "true" } as const;

const INVALID_CORE_AND_ISOLATION: readonly InvalidCase[] = [
    { name: "coreReplicas 0", overrides: { "flyte:coreReplicas": "0" }, key: "flyte:coreReplicas", shown: '"0"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas 11", overrides: { "flyte:coreReplicas": "11" }, key: "flyte:coreReplicas", shown: '"11"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas not a number", overrides: { "flyte:coreReplicas": "x" }, key: "flyte:coreReplicas", shown: '"x"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas fractional", overrides: { "flyte:coreReplicas": "1.5" }, key: "flyte:coreReplicas", shown: '"1.5"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreReplicas negative, with flavor core", overrides: { "flyte:flavor": "core", "flyte:coreReplicas": "-1" }, key: "flyte:coreReplicas", shown: '"-1"', allowed: "allowed: a whole number from 1 to 10" },
    { name: "coreProxyImage with a space", overrides: { "flyte:coreProxyImage": "nginxinc/nginx-unprivileged 1.27" }, key: "flyte:coreProxyImage", shown: '"nginxinc/nginx-unprivileged 1.27"', allowed: "allowed: an image reference such as docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine" },
    { name: "coreProxyImage with an uppercase path", overrides: { "flyte:coreProxyImage": "docker.io/NGINX/nginx:1.27" }, key: "flyte:coreProxyImage", shown: '"docker.io/NGINX/nginx:1.27"', allowed: "allowed: an image reference such as" },
    { name: "coreProxyImage empty", overrides: { "flyte:coreProxyImage": "" }, key: "flyte:coreProxyImage", shown: '""', allowed: "allowed: an image reference such as" },
    { name: "projectSetupImage with an empty tag", overrides: { "flyte:projectSetupImage": "curlimages/curl:" }, key: "flyte:projectSetupImage", shown: '"curlimages/curl:"', allowed: "allowed: an image reference such as docker.io/curlimages/curl:8.11.1" },
    { name: "projectSetupImage with a short digest", overrides: { "flyte:projectSetupImage": "curlimages/curl@sha256:abc" }, key: "flyte:projectSetupImage", shown: '"curlimages/curl@sha256:abc"', allowed: "allowed: an image reference such as docker.io/curlimages/curl:8.11.1" },
    { name: "projectSetupImage a URL", overrides: { "flyte:projectSetupImage": "https://docker.io/curlimages/curl:8.11.1" }, key: "flyte:projectSetupImage", shown: '"https://docker.io/curlimages/curl:8.11.1"', allowed: "allowed: an image reference" },
    { name: "projectIsolation not a boolean", overrides: { "flyte:projectIsolation": "yes" }, key: "flyte:projectIsolation", shown: '"yes"', allowed: "allowed: true, false" },
    { name: "gcp: a 23-character project with projectIsolation", overrides: { ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(["x", PROJECT_23]) }, key: "flyte:flyteProjects", shown: `"${PROJECT_23}"`, allowed: "with projectIsolation, project ids name a Google service account (30 characters in all): at most 22 characters" },
    { name: "aws: a 34-character project with projectIsolation", overrides: { ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_34]) }, key: "flyte:flyteProjects", shown: `"${PROJECT_34}"`, allowed: "with projectIsolation, project ids name an IAM role (64 characters in all): at most 33 characters" },
    { name: "local: a 53-character project with projectIsolation", overrides: { ...LOCAL_SHORT_DOMAIN, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_53]) }, key: "flyte:flyteProjects", shown: `"${PROJECT_53}"`, allowed: "with projectIsolation, project ids name a MinIO bucket (flyte-data-<project>, 63 characters in all): at most 52 characters" },
    { name: "projectIsolation with nested data prefixes across domains", overrides: { ...ISOLATION_ON, "flyte:flyteProjects": '["team","team-a"]', "flyte:flyteDomains": '["a","dev"]' }, key: "flyte:flyteProjects", shown: '"team-a"', allowed: 'project team-a (domain a) shares the data prefix "team-a-" of project team' },
];

describe("flyte-core and projectIsolation keys: invalid values fail with a one-line ConfigError naming the key", () => {
    test("the table has distinct names, none shared with the main table", () => {
        const names = INVALID_CORE_AND_ISOLATION.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        expect(names.filter((n) => INVALID.some((c) => c.name === n))).toEqual([]);
    });

    test.each(INVALID_CORE_AND_ISOLATION.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = parseError(raw(c.overrides));
        expect(err).toBeInstanceOf(ConfigError);
        if (!(err instanceof ConfigError)) {
            return;
        }
        expect(pulumi.RunError.isInstance(err)).toBe(true);
        expect(err.key).toBe(c.key);
        expect(err.message).not.toContain("\n");
        expect(err.message.startsWith(`invalid config ${c.key} = `)).toBe(true);
        expect(err.message).toContain(c.shown);
        expect(err.message).toContain(c.allowed);
    });
});

describe("flyte-core and projectIsolation keys: valid values", () => {
    test("coreReplicas 1 and 10 and the image keys are read as given", () => {
        const low = parse({ "flyte:coreReplicas": "1", "flyte:coreProxyImage": "localhost:5001/nginx:1.27", "flyte:projectSetupImage": "curlimages/curl" });
        expect(low.flyte.core).toEqual({ replicas: 1, proxyImage: "localhost:5001/nginx:1.27" });
        expect(low.flyte.projectSetupImage).toBe("curlimages/curl");
        expect(parse({ "flyte:coreReplicas": "10" }).flyte.core.replicas).toBe(10);
        const digest = `registry.example.com/curl@sha256:${"a".repeat(64)}`;
        expect(parse({ "flyte:projectSetupImage": digest }).flyte.projectSetupImage).toBe(digest);
    });

    test("the longest project ids that fit are accepted with projectIsolation on each cloud", () => {
        expect(parse({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_22]) }).flyte.projects).toEqual([PROJECT_22]);
        expect(parseStackConfig(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_33]) }), CONTEXT).flyte.projects).toEqual([PROJECT_33]);
        expect(
            parseStackConfig(raw({ ...LOCAL_SHORT_DOMAIN, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_52]) }), CONTEXT).flyte.projects,
        ).toEqual([PROJECT_52]);
    });

    test("the same too-long ids are fine without projectIsolation, where no identity or bucket is named after them", () => {
        expect(parse({ "flyte:flyteProjects": JSON.stringify(["x", PROJECT_23]) }).flyte.projectIsolation).toBe(false);
        expect(parseStackConfig(raw({ ...AWS, "flyte:flyteProjects": JSON.stringify([PROJECT_34]) }), CONTEXT).cloud).toBe("aws");
        expect(parseStackConfig(raw({ ...LOCAL_SHORT_DOMAIN, "flyte:flyteProjects": JSON.stringify([PROJECT_53]) }), CONTEXT).cloud).toBe("local");
        // And explicitly off is the same as unset.
        expect(parse({ "flyte:projectIsolation": "false", "flyte:flyteProjects": JSON.stringify([PROJECT_23]) }).flyte.projects).toEqual([PROJECT_23]);
    });

    test("the GCP length message in full", () => {
        const gcp = configError(raw({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify([PROJECT_23]) }));
        expect(gcp.message).toBe(
            `invalid config flyte:flyteProjects = "${PROJECT_23}": with projectIsolation, project ids name a Google service account (30 characters in all): at most 22 characters`,
        );
    });
});

describe("cloud aws: the task roles' trust policies with projectIsolation", () => {
    const ELEVEN = JSON.stringify(Array.from({ length: 11 }, (_, i) => `project-${String(i).padStart(2, "0")}`));
    const FORTY_DOMAINS = JSON.stringify(Array.from({ length: 40 }, (_, i) => `domain-${String(i).padStart(2, "0")}`));

    test("projects that overflow one shared role fit when each project has its own", () => {
        expect(() => parseStackConfig(raw({ ...AWS, "flyte:flyteProjects": ELEVEN }), CONTEXT)).toThrow(ConfigError);
        const config = parseStackConfig(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": ELEVEN }), CONTEXT);
        expect(config.flyte.projects).toHaveLength(11);
    });

    test("one project with more domains than its role can trust fails, naming that project", () => {
        const err = configError(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": '["ok","big"]', "flyte:flyteDomains": FORTY_DOMAINS }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.startsWith('invalid config flyte:flyteProjects = "ok": ')).toBe(true);
        expect(err.message).toContain("trusts each of its 40 project-domain namespaces by name and IAM caps its trust policy at 2048 characters");
        expect(err.message).not.toContain("\n");
        // projectIsolation is already on: the advice is what is left to change.
        expect(err.message.endsWith(": use fewer domains or shorter names")).toBe(true);
        expect(err.message).not.toContain("or projectIsolation");
    });

    test("without projectIsolation the same overflow suggests it", () => {
        const err = configError(raw({ ...AWS, "flyte:flyteProjects": ELEVEN }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.endsWith(": use fewer projects or domains, shorter names, or projectIsolation")).toBe(true);
    });
});

describe("cloud aws: how many projects Flyte's own roles can name with projectIsolation", () => {
    /** n project ids, none nesting in another's data prefixes. */
    const projects = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(2, "0")}`);
    const aws = (n: number, isolation: boolean) =>
        raw({ ...AWS, "flyte:projectIsolation": String(isolation), "flyte:flyteProjects": JSON.stringify(projects(n)) });
    /** A stack name long enough that every bucket name is cut to S3's 63 characters. */
    const LONG_STACK = { ...CONTEXT, stack: "a-very-long-stack-name-that-fills-the-bucket-names" };
    /** Project ids of 33 characters, the longest a per-project IAM role allows. */
    const longProjects = (n: number) => Array.from({ length: n }, (_, i) => `${String(i).padStart(3, "0")}${"q".repeat(30)}`);
    const longest = (n: number, region: string) =>
        raw({ ...AWS, "aws:region": region, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(longProjects(n)) });

    test("the cap follows from IAM's 10240 characters for a role's inline policies, measured without white space", () => {
        expect(ROLE_POLICY_MAX).toBe(10240);
        expect(TRUST_POLICY_MAX).toBe(2048);
        expect(iamPolicySize('{ "Version": "2012-10-17",\n\t"Statement": [] }')).toBe('{"Version":"2012-10-17","Statement":[]}'.length);
    });

    test("79 isolated projects are accepted, each with its own role (flyte/dev in eu-central-1: bucket names of 44 characters)", () => {
        const config = parseStackConfig(aws(79, true), CONTEXT);
        expect(config.cloud).toBe("aws");
        expect(config.flyte.projects).toHaveLength(79);
    });

    test("80 isolated projects fail with a one-line ConfigError on flyteProjects, saying how many of them fit", () => {
        const err = configError(aws(80, true));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.startsWith('invalid config flyte:flyteProjects = ["p00","p01"')).toBe(true);
        expect(err.message).toContain(
            "with cloud aws and projectIsolation, Flyte's own roles list every project's bucket and IAM caps a role's policies at 10240 characters: at most 79 projects",
        );
        expect(err.message).not.toContain("\n");
    });

    test.each([
        ["us-gov-west-1", 54],
        ["cn-northwest-1", 57],
        ["eu-central-1", 59],
    ])("with the longest bucket names, in %s at most %i projects fit (the policy is measured, not estimated)", (region, cap) => {
        expect(parseStackConfig(longest(cap, region), LONG_STACK).flyte.projects).toHaveLength(cap);
        const err = configError(longest(cap + 1, region), LONG_STACK);
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message.endsWith(`: at most ${cap} projects`)).toBe(true);
    });

    test("the cap is AWS's: 80 isolated projects are fine on GCP", () => {
        expect(parse({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(projects(80)) }).flyte.projects).toHaveLength(80);
    });

    test("without projectIsolation the shared task role's trust policy is the limit, as before", () => {
        // Three default domains: ten short projects fit the trust policy, 58 do not.
        expect(parseStackConfig(aws(10, false), CONTEXT).flyte.projects).toHaveLength(10);
        for (const n of [58, 59]) {
            const err = configError(aws(n, false));
            expect(err.key).toBe("flyte:flyteProjects");
            expect(err.message).toContain(`trusts each of its ${n * 3} project-domain namespaces by name and IAM caps its trust policy at 2048 characters`);
            expect(err.message).toContain("or projectIsolation");
            expect(err.message).not.toContain("at most");
        }
    });

    test.each([
        ["aws", "eu-central-1", 59],
        ["aws-cn", "cn-northwest-1", 57],
        ["aws-us-gov", "us-gov-west-1", 54],
    ])(
        "the cap in the %s partition is what fits one role policy with bucket names of 63 characters, counted independently",
        (partition, region, cap) => {
            const arn = (i: number) => `arn:${partition}:s3:::${String(i).padStart(3, "0")}${"b".repeat(60)}`;
            const policy = (n: number) =>
                s3PolicyFor(
                    { kind: "shared", metadata: true, userData: true },
                    { metadata: arn(900), userData: arn(901), projects: Object.fromEntries(projects(n).map((p, i) => [p, arn(i)])) },
                ) ?? "";
            expect(policy(cap).replace(/\s/g, "").length).toBeLessThanOrEqual(ROLE_POLICY_MAX);
            expect(policy(cap + 1).replace(/\s/g, "").length).toBeGreaterThan(ROLE_POLICY_MAX);
            for (const i of projects(cap).keys()) {
                expect(policy(cap)).toContain(`"${arn(i)}/*"`);
            }
            expect(eksOidcOfLength(region).oidcProviderArn.startsWith(`arn:${partition}:iam::`)).toBe(true);
        },
    );
});

describe("cloud aws: each project's own role with projectIsolation", () => {
    const domains = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => `d${String(i).padStart(2, "0")}`));
    const LONG_STACK = { ...CONTEXT, stack: "a-very-long-stack-name-that-fills-the-bucket-names" };
    const config = (n: number) =>
        raw({ ...AWS, "aws:region": "us-gov-west-1", ...ISOLATION_ON, "flyte:flyteProjects": '["p"]', "flyte:flyteDomains": domains(n) });

    test("lists two prefixes per domain: with long bucket names, 35 domains overflow its policy before its trust policy", () => {
        expect(parseStackConfig(config(34), LONG_STACK).flyte.domains).toHaveLength(34);
        const err = configError(config(35), LONG_STACK);
        expect(err.key).toBe("flyte:flyteDomains");
        expect(err.message.startsWith('invalid config flyte:flyteDomains = ["d00","d01"')).toBe(true);
        expect(err.message).not.toContain("\n");
        expect(err.message).toContain(
            "with cloud aws and projectIsolation, each project's role lists its two prefixes per domain in the metadata bucket and IAM caps a role's policies at 10240 characters: use fewer domains or shorter names",
        );
        // With the short names of stack dev the same domains fit: the policy is measured with this stack's bucket names.
        expect(parseStackConfig(config(35), CONTEXT).flyte.domains).toHaveLength(35);
    });
});

describe("cloud aws: IAM documents measured as the program writes them", () => {
    test("the EKS OIDC issuer and provider, as long as real ones in each partition", () => {
        expect(eksOidcOfLength("eu-central-1").issuerUrl).toMatch(/^https:\/\/oidc\.eks\.eu-central-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
        expect(eksOidcOfLength("cn-north-1").issuerUrl).toMatch(/^https:\/\/oidc\.eks\.cn-north-1\.amazonaws\.com\.cn\/id\/[0-9A-F]{32}$/);
        const govCloud = eksOidcOfLength("us-gov-west-1");
        expect(govCloud.oidcProviderArn).toBe(`arn:aws-us-gov:iam::${"0".repeat(12)}:oidc-provider/${govCloud.issuerUrl.replace("https://", "")}`);
    });

    test("a trust policy's size is that of the document irsaTrustPolicy writes, for the longest issuer when the region is not given", () => {
        const serviceAccounts = ["a-development", "a-staging"].map((namespace) => ({ namespace, name: "default" }));
        const size = (region: string) => iamPolicySize(irsaTrustPolicy({ ...eksOidcOfLength(region), serviceAccounts }));
        expect(trustPolicySize(serviceAccounts, "eu-central-1")).toBe(size("eu-central-1"));
        const sizes = AWS_REGIONS.map(size);
        expect(trustPolicySize(serviceAccounts)).toBe(Math.max(...sizes));
        expect(Math.min(...sizes)).toBeLessThan(Math.max(...sizes));
    });
});

describe("projectIsolation: every project gets a data bucket of its own", () => {
    test("GCP: a project spelled like another's rewritten google id is rejected", () => {
        const twin = `ggl-ml-${shortHash("google-ml", 4)}`;
        const err = configError(raw({ ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(["google-ml", twin]) }));
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toBe(
            `invalid config flyte:flyteProjects = "${twin}": with projectIsolation, projects google-ml and ${twin} would get the same data bucket; rename one of them`,
        );
        // Without isolation there are no project buckets, so nothing collides.
        expect(parse({ "flyte:flyteProjects": JSON.stringify(["google-ml", twin]) }).flyte.projects).toEqual(["google-ml", twin]);
    });

    test("AWS: a project spelled like another's rewritten reserved-suffix id is rejected", () => {
        const twin = `x-s3alias-${shortHash("x-s3alias", 4)}`;
        const config = raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": JSON.stringify(["x-s3alias", twin]) });
        const err = configError(config);
        expect(err.key).toBe("flyte:flyteProjects");
        expect(err.message).toContain(`projects x-s3alias and ${twin} would get the same data bucket`);
    });

    test("distinct ids whose parts differ are accepted on both clouds", () => {
        const projects = JSON.stringify(["google-ml", "ggl-ml", "x-s3alias", "x"]);
        expect(parse({ ...ISOLATION_ON, "flyte:flyteProjects": projects }).flyte.projects).toHaveLength(4);
        expect(parseStackConfig(raw({ ...AWS, ...ISOLATION_ON, "flyte:flyteProjects": projects }), CONTEXT).flyte.projects).toHaveLength(4);
    });
});

// ---- whole-config checks: keys of another target, unknown keys, encrypted values, chart versions ----

/** One line, at most 200 characters, opening with the culprit key. */
function expectOneLine(err: ConfigError, key: string): void {
    expect(err.key).toBe(key);
    expect(err.message).not.toContain("\n");
    expect(err.message.length).toBeLessThanOrEqual(200);
    expect(err.message.startsWith(`invalid config ${key} = `)).toBe(true);
}

/** The smallest valid config of each target. */
const MINIMAL: Readonly<Record<Cloud, Readonly<Record<string, string>>>> = {
    gcp: { "flyte:cloud": "gcp", "gcp:project": "acme-flyte-dev", "gcp:region": "europe-west1" },
    aws: { "flyte:cloud": "aws", "aws:region": "eu-central-1" },
    local: { "flyte:cloud": "local" },
};

/** A key's default as the CLI passes Pulumi.yaml's `default:` (lists as JSON), and a value that differs from it. */
function asRuntimeValue(spec: KeySpec): string {
    return spec.type === "array" ? JSON.stringify(spec.default) : String(spec.default);
}
function otherValue(spec: KeySpec): string {
    switch (spec.type) {
        case "string":
            return `${spec.default ?? ""}x`;
        case "integer":
            return String(spec.default + 1);
        case "boolean":
            return String(!spec.default);
        case "array":
            return JSON.stringify([...spec.default, "x"]);
    }
}

const KEYS = Object.entries(CONFIG_KEYS) as [ConfigKey, KeySpec][];

describe("keys of another target than flyte:cloud are rejected before anything else", () => {
    interface ForeignCase {
        readonly name: string;
        readonly config: Readonly<Record<string, string>>;
        readonly message: string;
    }
    const CASES: readonly ForeignCase[] = [
        {
            name: "gcp keys without flyte:cloud (the local default)",
            config: { "gcp:project": "acme-flyte-dev", "gcp:region": "europe-west1" },
            message: 'invalid config flyte:cloud = "local" (the default): gcp:project, gcp:region belong to cloud gcp; set flyte:cloud: gcp or remove them',
        },
        {
            name: "gcp keys with flyte:cloud local",
            config: { ...MINIMAL.local, "gcp:project": "acme-flyte-dev" },
            message: 'invalid config flyte:cloud = "local" (the default): gcp:project belongs to cloud gcp; set flyte:cloud: gcp or remove it',
        },
        {
            name: "a gcp-only flyte key without flyte:cloud",
            config: { "flyte:gkeMachineType": "e2-standard-8" },
            message: 'invalid config flyte:cloud = "local" (the default): flyte:gkeMachineType belongs to cloud gcp; set flyte:cloud: gcp or remove it',
        },
        {
            name: "aws:region on gcp",
            config: { ...MINIMAL.gcp, "aws:region": "eu-central-1" },
            message: 'invalid config flyte:cloud = "gcp": aws:region belongs to cloud aws; set flyte:cloud: aws or remove it',
        },
        {
            name: "gcp keys and a gke key on aws, provider keys listed first",
            config: { ...MINIMAL.aws, "gcp:project": "acme-x1", "gcp:region": "europe-west1", "flyte:gkeSpotNodes": "true" },
            message: 'invalid config flyte:cloud = "aws": gcp:project, gcp:region, flyte:gkeSpotNodes belong to cloud gcp; set flyte:cloud: gcp or remove them',
        },
        {
            name: "eksInstanceTypes on gcp",
            config: { ...MINIMAL.gcp, "flyte:eksInstanceTypes": '["m5.large"]' },
            message: 'invalid config flyte:cloud = "gcp": flyte:eksInstanceTypes belongs to cloud aws; set flyte:cloud: aws or remove it',
        },
        {
            name: "localKubeContext on aws",
            config: { ...MINIMAL.aws, "flyte:localKubeContext": "kind-flyte" },
            message: 'invalid config flyte:cloud = "aws": flyte:localKubeContext belongs to cloud local; set flyte:cloud: local or remove it',
        },
        {
            name: "subnetCidr (gcp only: aws has awsVpcCidr) on aws",
            config: { ...MINIMAL.aws, "flyte:subnetCidr": "10.1.0.0/20" },
            message: 'invalid config flyte:cloud = "aws": flyte:subnetCidr belongs to cloud gcp; set flyte:cloud: gcp or remove it',
        },
        {
            name: "a database key gcp and aws share, on local",
            config: { ...MINIMAL.local, "flyte:databaseHighAvailability": "false" },
            message: 'invalid config flyte:cloud = "local" (the default): flyte:databaseHighAvailability belongs to cloud gcp or aws; set flyte:cloud to gcp or aws, or remove it',
        },
        {
            name: "forceDestroyBuckets on local (no cloud buckets there)",
            config: { ...MINIMAL.local, "flyte:forceDestroyBuckets": "true" },
            message: 'invalid config flyte:cloud = "local" (the default): flyte:forceDestroyBuckets belongs to cloud gcp or aws; set flyte:cloud to gcp or aws, or remove it',
        },
        {
            name: "a gcp key and a shared key on local: gcp is the target both allow",
            config: { ...MINIMAL.local, "gcp:project": "acme-x1", "flyte:databaseDiskSizeGb": "50" },
            message: 'invalid config flyte:cloud = "local" (the default): gcp:project belongs to cloud gcp, flyte:databaseDiskSizeGb to cloud gcp or aws; set flyte:cloud: gcp or remove them',
        },
        {
            name: "keys of two other clouds on local",
            config: { ...MINIMAL.local, "gcp:project": "acme-x1", "aws:region": "eu-central-1" },
            message: 'invalid config flyte:cloud = "local" (the default): aws:region belongs to cloud aws, gcp:project to cloud gcp; remove the keys of the other clouds',
        },
    ];

    test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = configError(c.config);
        expectOneLine(err, "flyte:cloud");
        expect(err.message).toBe(c.message);
    });

    test("every key of every other target at once still fits one line of at most 200 characters", () => {
        for (const cloud of CLOUDS) {
            const config: Record<string, string> = { ...MINIMAL[cloud], "gcp:project": "acme-x1", "gcp:region": "europe-west1", "aws:region": "eu-central-1" };
            for (const [key, spec] of KEYS.filter(([, spec]) => !spec.targets.includes(cloud))) {
                config[`flyte:${key}`] = otherValue(spec);
            }
            delete config[cloud === "gcp" ? "aws:region" : "gcp:project"];
            const err = configError(config);
            expectOneLine(err, "flyte:cloud");
            expect(err.message).toMatch(/ and \d+ more|\d+ more to other clouds/);
        }
    });

    // Each key of another target, set to a value other than its default: rejected, naming the key and its targets.
    const FOREIGN = CLOUDS.flatMap((cloud) =>
        KEYS.filter(([, spec]) => !spec.targets.includes(cloud)).map(([key, spec]) => [cloud, key, spec] as const),
    );
    test.each(FOREIGN)("on %s, flyte:%s set is rejected", (cloud, key, spec) => {
        const err = configError({ ...MINIMAL[cloud], [`flyte:${key}`]: otherValue(spec) });
        expectOneLine(err, "flyte:cloud");
        expect(err.message).toContain(`flyte:${key} belongs to cloud ${spec.targets.join(" or ")}`);
    });

    // The CLI passes Pulumi.yaml's defaults as config, so every key reaches every stack at its default: accepted.
    test.each(CLOUDS)("on %s, every key at its default (as the CLI passes Pulumi.yaml's defaults) is accepted", (cloud) => {
        const defaults = Object.fromEntries(KEYS.map(([key, spec]) => [`flyte:${key}`, asRuntimeValue(spec)]));
        const config = parseStackConfig({ ...defaults, ...MINIMAL[cloud] }, CONTEXT);
        expect(config.cloud).toBe(cloud);
        expect(config).toEqual(parseStackConfig(MINIMAL[cloud], CONTEXT));
    });

    test("a default in another spelling is still the default; anything else is not", () => {
        expect(isDefaultValue(CONFIG_KEYS.eksInstanceTypes, '[ "m6i.xlarge" ]')).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.eksInstanceTypes, '["m6i.xlarge","m5.xlarge"]')).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.eksInstanceTypes, "m6i.xlarge")).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.gkeAuthorizedNetworks, "[]")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeDiskSizeGb, "100")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeDiskSizeGb, "0100")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeDiskSizeGb, "100.0")).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.gkeSpotNodes, "false")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeSpotNodes, "False")).toBe(false);
        expect(isDefaultValue(CONFIG_KEYS.gkeLocation, "")).toBe(true);
        expect(isDefaultValue(CONFIG_KEYS.gkeLocation, " ")).toBe(false);
    });

    test("keys two targets read are accepted on both", () => {
        for (const key of ["databaseHighAvailability", "forceDestroyBuckets"] as const) {
            expect(parseStackConfig({ ...MINIMAL.gcp, [`flyte:${key}`]: "false" }, CONTEXT).cloud).toBe("gcp");
            expect(parseStackConfig({ ...MINIMAL.aws, [`flyte:${key}`]: "false" }, CONTEXT).cloud).toBe("aws");
        }
    });

    // The schema's targets are exactly the keys each target's parser reads: a key read by two targets lists both.
    test.each(CLOUDS)("the keys the %s parser reads are exactly those whose targets include it", (cloud) => {
        const read = new Set<string>();
        const recording = new Proxy<Record<string, string>>(
            { ...MINIMAL[cloud] },
            {
                get(target, property, receiver) {
                    if (typeof property === "string" && property.startsWith("flyte:")) {
                        read.add(property.slice("flyte:".length));
                    }
                    return Reflect.get(target, property, receiver) as unknown;
                },
            },
        );
        parseStackConfig(recording, CONTEXT);
        const declared = KEYS.filter(([, spec]) => spec.targets.includes(cloud)).map(([key]) => key);
        expect([...read].sort()).toEqual(declared.sort());
    });
});

describe("unknown keys are rejected first, with the closest known key", () => {
    interface UnknownCase {
        readonly name: string;
        readonly config: Readonly<Record<string, string>>;
        readonly key: string;
        readonly hint: string;
    }
    const CASES: readonly UnknownCase[] = [
        { name: "a typo in our namespace", config: { ...MINIMAL.gcp, "flyte:gkeMachinType": "e2-standard-8" }, key: "flyte:gkeMachinType", hint: "did you mean flyte:gkeMachineType?" },
        { name: "wrong case", config: { ...MINIMAL.gcp, "flyte:gkemachinetype": "e2-standard-8" }, key: "flyte:gkemachinetype", hint: "did you mean flyte:gkeMachineType?" },
        { name: "two letters swapped", config: { ...MINIMAL.aws, "flyte:eksMinNdoes": "1" }, key: "flyte:eksMinNdoes", hint: "did you mean flyte:eksMinNodes?" },
        { name: "a typo of a gcp provider key, reported rather than the missing key", config: { "flyte:cloud": "gcp", "gcp:projet": "acme-flyte-dev", "gcp:region": "europe-west1" }, key: "gcp:projet", hint: "did you mean gcp:project?" },
        { name: "a typo of gcp:region", config: { ...MINIMAL.gcp, "gcp:regoin": "europe-west1" }, key: "gcp:regoin", hint: "did you mean gcp:region?" },
        { name: "a typo of aws:region, reported rather than the missing key", config: { "flyte:cloud": "aws", "aws:regoin": "eu-central-1" }, key: "aws:regoin", hint: "did you mean aws:region?" },
        { name: "a typo of a key only the aws provider reads", config: { ...MINIMAL.aws, "aws:profle": "dev" }, key: "aws:profle", hint: "did you mean aws:profile?" },
        { name: "aws:assumeRole (the provider reads assumeRoles)", config: { ...MINIMAL.aws, "aws:assumeRole": '{"roleArn":"arn:aws:iam::123456789012:role/x"}' }, key: "aws:assumeRole", hint: "did you mean aws:assumeRoles?" },
        { name: "a typo of a key only the gcp provider reads", config: { ...MINIMAL.gcp, "gcp:impersonateServiceAcount": "x@y.iam.gserviceaccount.com" }, key: "gcp:impersonateServiceAcount", hint: "did you mean gcp:impersonateServiceAccount?" },
        { name: "a provider key in our namespace", config: { ...MINIMAL.gcp, "flyte:project": "acme-flyte-dev" }, key: "flyte:project", hint: "did you mean gcp:project?" },
        { name: "region in our namespace: either provider's", config: { ...MINIMAL.gcp, "flyte:region": "europe-west1" }, key: "flyte:region", hint: "did you mean gcp:region or aws:region?" },
        { name: "our key in the gcp namespace", config: { ...MINIMAL.gcp, "gcp:gkeMachineType": "e2-standard-8" }, key: "gcp:gkeMachineType", hint: "did you mean flyte:gkeMachineType?" },
        { name: "a gcp typo on a local stack: the typo, not the target, is reported", config: { "gcp:projet": "acme-flyte-dev" }, key: "gcp:projet", hint: "did you mean gcp:project?" },
        { name: "nothing close in our namespace", config: { ...MINIMAL.local, "flyte:somethingElse": "x" }, key: "flyte:somethingElse", hint: "the keys of this program are declared in Pulumi.yaml" },
        { name: "nothing close in the gcp namespace", config: { ...MINIMAL.gcp, "gcp:whatever": "x" }, key: "gcp:whatever", hint: "neither this program nor the gcp provider (@pulumi/gcp 9.37.0) reads it" },
        { name: "nothing close in the aws namespace", config: { ...MINIMAL.aws, "aws:whatever": "x" }, key: "aws:whatever", hint: "neither this program nor the aws provider (@pulumi/aws 7.48.0) reads it" },
    ];

    test.each(CASES.map((c) => [c.name, c] as const))("%s", (_name, c) => {
        const err = configError(c.config);
        expectOneLine(err, c.key);
        expect(err.message).toBe(`invalid config ${c.key} = ${JSON.stringify(c.config[c.key])}: unknown key; ${c.hint}`);
    });

    test("the message never lists every key", () => {
        const err = configError({ ...MINIMAL.local, "flyte:zzz": "1" });
        expect(err.message).not.toContain("flyteProjects");
        expect(err.message).not.toContain(",");
    });

    test("the providers' own keys are accepted on their target", () => {
        const gcp = { ...MINIMAL.gcp, "gcp:zone": "europe-west1-b", "gcp:impersonateServiceAccount": "deployer@acme-flyte-dev.iam.gserviceaccount.com", "gcp:defaultLabels": '{"team":"ml"}' };
        expect(parseStackConfig(gcp, CONTEXT).cloud).toBe("gcp");
        const aws = { ...MINIMAL.aws, "aws:profile": "dev", "aws:defaultTags": '{"tags":{"team":"ml"}}', "aws:assumeRoles": "[]", "aws:skipCredentialsValidation": "true" };
        expect(parseStackConfig(aws, CONTEXT).cloud).toBe("aws");
    });

    test("an encrypted unknown key's value is not shown", () => {
        const err = configError({ ...MINIMAL.local, "flyte:apiTokn": "decrypted-value" }, { ...CONTEXT, secretKeys: ["flyte:apiTokn"] });
        expect(err.message).toBe("invalid config flyte:apiTokn = (encrypted): unknown key; the keys of this program are declared in Pulumi.yaml");
    });

    test("checkKnownKeys takes the schema it checks against", () => {
        expect(() => checkKnownKeys({ "t:apiToken": "x" }, "t", [], TEST_SCHEMA)).not.toThrow();
        expect(() => checkKnownKeys({ "t:apiTokn": "x" }, "t", [], TEST_SCHEMA)).toThrow("unknown key; did you mean t:apiToken?");
    });
});

/** A test-only schema with a key that may hold a secret, as CONFIG_KEYS has none yet. */
const TEST_SCHEMA = {
    apiToken: { type: "string", targets: ["local"], secret: true, description: "A token (secret).", default: "", pattern: /^tok-[a-z0-9]+$/, allows: "a token tok-…" },
    endpoint: { type: "string", targets: ["local"], description: "A URL.", default: "", allows: "a URL" },
} as const satisfies Record<string, KeySpec>;

describe("encrypted values (pulumi config set --secret)", () => {
    const NOT_SECRET: readonly (readonly [string, Record<string, string>])[] = [
        ["flyte:gkeMachineType", MINIMAL.gcp],
        ["flyte:cloud", MINIMAL.gcp],
        ["flyte:flyteProjects", MINIMAL.local],
        ["flyte:databaseBackupRetentionDays", MINIMAL.aws],
        ["gcp:project", MINIMAL.gcp],
        ["gcp:region", MINIMAL.gcp],
        ["aws:region", MINIMAL.aws],
    ];

    test.each(NOT_SECRET)("%s is not a secret key: set it in plain text", (key, base) => {
        for (const value of [OFFLINE_SECRET_PLACEHOLDER, "plain-after-decryption"]) {
            const err = configError({ ...base, [key]: value }, { ...CONTEXT, secretKeys: [key] });
            expectOneLine(err, key);
            expect(err.message).toBe(`invalid config ${key} = (encrypted): not a secret key: set it in plain text with \`pulumi config set ${key} <value>\` (without --secret)`);
        }
    });

    test("the providers' secret keys and other namespaces' keys may be encrypted", () => {
        const secretKeys = ["gcp:credentials", "gcp:accessToken", "kubernetes:kubeconfig"];
        const raw = { ...MINIMAL.gcp, ...Object.fromEntries(secretKeys.map((k) => [k, OFFLINE_SECRET_PLACEHOLDER])) };
        expect(parseStackConfig(raw, { ...CONTEXT, secretKeys }).cloud).toBe("gcp");
        const aws = { ...MINIMAL.aws, "aws:accessKey": OFFLINE_SECRET_PLACEHOLDER, "aws:secretKey": OFFLINE_SECRET_PLACEHOLDER };
        expect(parseStackConfig(aws, { ...CONTEXT, secretKeys: ["aws:accessKey", "aws:secretKey"] }).cloud).toBe("aws");
    });

    test("a key declared secret accepts an encrypted value; any other key of the schema does not", () => {
        expect(() => checkEncryptedKeys(["t:apiToken"], "t", TEST_SCHEMA)).not.toThrow();
        expect(() => checkEncryptedKeys(["t:endpoint"], "t", TEST_SCHEMA)).toThrow(
            "invalid config t:endpoint = (encrypted): not a secret key: set it in plain text with `pulumi config set t:endpoint <value>` (without --secret)",
        );
    });

    test("offline, a secret key's encrypted value is the placeholder, passed on unchecked", () => {
        const reader = new ConfigReader({ "t:apiToken": OFFLINE_SECRET_PLACEHOLDER }, "t", TEST_SCHEMA, ["t:apiToken"]);
        expect(reader.secret("apiToken")).toBe(OFFLINE_SECRET_PLACEHOLDER);
    });

    test("in a real run the decrypted value is checked, and never shown", () => {
        const ok = new ConfigReader({ "t:apiToken": "tok-abc123" }, "t", TEST_SCHEMA, ["t:apiToken"]);
        expect(ok.secret("apiToken")).toBe("tok-abc123");
        for (const secretKeys of [["t:apiToken"], []]) {
            const bad = new ConfigReader({ "t:apiToken": "hunter2" }, "t", TEST_SCHEMA, secretKeys);
            let err: unknown;
            try {
                bad.secret("apiToken");
            } catch (e) {
                err = e;
            }
            expect(err).toBeInstanceOf(ConfigError);
            expect((err as ConfigError).message).toBe("invalid config t:apiToken = (secret): allowed: a token tok-…");
        }
        // The placeholder is only passed on for a value that is encrypted.
        const plain = new ConfigReader({ "t:apiToken": OFFLINE_SECRET_PLACEHOLDER }, "t", TEST_SCHEMA);
        expect(() => plain.secret("apiToken")).toThrow(ConfigError);
    });

    test("reading a key not declared secret as a secret is a programming error", () => {
        const reader = new ConfigReader({ "t:endpoint": "x" }, "t", TEST_SCHEMA);
        expect(() => reader.secret("endpoint")).toThrow("endpoint is not declared secret");
    });

    test("reading a secret key as plain text is a programming error: its value could end up in a message", () => {
        const reader = new ConfigReader({ "t:apiToken": "hunter2" }, "t", TEST_SCHEMA);
        expect(() => reader.string("apiToken")).toThrow("apiToken is declared secret: read it with secret()");
        expect(reader.string("endpoint")).toBe("");
    });

    test("no key of the contract holds secrets yet", () => {
        expect(KEYS.filter(([, spec]) => spec.secret === true)).toEqual([]);
    });
});

describe("flyte:chartVersion: a pinned Flyte 1 chart", () => {
    const FLYTE_1 = "allowed: a Flyte 1 chart version v1.<minor>.<patch>";
    test.each([
        ["v2.0.1", `${FLYTE_1} (v2.x is Flyte 2, whose values this program does not produce)`],
        ["2.0.0", `${FLYTE_1} (v2.x is Flyte 2, whose values this program does not produce)`],
        ["v2.1.0-rc.1", `${FLYTE_1} (v2.x is Flyte 2, whose values this program does not produce)`],
        ["v3.0.0", FLYTE_1],
        ["v0.9.1", FLYTE_1],
        ["latest", `${FLYTE_1}, pinned (not latest or a range)`],
        [">=1.0", `${FLYTE_1}, pinned (not latest or a range)`],
        ["^1.16", `${FLYTE_1}, pinned (not latest or a range)`],
        ["~1.16.8", `${FLYTE_1}, pinned (not latest or a range)`],
        ["1.x", `${FLYTE_1}, pinned (not latest or a range)`],
        ["v1.16", `${FLYTE_1}, pinned (not latest or a range)`],
        ["", `${FLYTE_1}, pinned (not latest or a range)`],
        ["v1.16.8 ", `${FLYTE_1}, pinned (not latest or a range)`],
    ])("%j is rejected", (version, allowed) => {
        const err = configError({ ...MINIMAL.local, "flyte:chartVersion": version });
        expectOneLine(err, "flyte:chartVersion");
        expect(err.message).toBe(`invalid config flyte:chartVersion = ${JSON.stringify(version)}: ${allowed}`);
    });

    test.each(["v1.16.8", "1.16.8", "v1.0.0", "v1.17.0-rc.1", "v1.16.10"])("%s is accepted", (version) => {
        expect(parseStackConfig({ ...MINIMAL.local, "flyte:chartVersion": version }, CONTEXT).flyte.chartVersion).toBe(version);
    });
});
