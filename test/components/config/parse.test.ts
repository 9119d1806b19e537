import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../../components/config/errors";
import { parseStackConfig } from "../../../components/config/parse";
import { CONFIG_KEYS, ConfigKey } from "../../../components/config/schema";
import type { GcpStackConfig } from "../../../components/contract/config";
import { AwsKey, configError, DEFAULTS, ENDPOINT_KEYS, EndpointKey, INVALID, LocalKey, MESSAGING_KEYS, MessagingKey, parse, parseError, raw, REGISTRY_KEYS, RegistryKey, VERIFICATION_DEFAULT, VERIFICATION_KEYS, VerificationKey, MULTI_CLUSTER_KEYS, MultiClusterKey } from "../../helpers/config";

/**
 * parseStackConfig (components/config/parse.ts) against config exactly as the Pulumi runtime hands it over: full keys
 * to strings, lists as JSON, booleans "true"/"false", integers as decimal strings. What one part of the config
 * checks is tested beside that part's source: local.test.ts, aws.test.ts, flyte.test.ts (domains, flyte-core keys,
 * projectIsolation, chartVersion), keys.test.ts (keys of another target, unknown keys), reader.test.ts (encrypted
 * values), errors.test.ts; the shared fixtures are in test/helpers/config.ts. The gcp target (components/config/gcp.ts)
 * is tested here, as the fixtures' default target.
 */

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
            // On by default on the clouds.
            verification: VERIFICATION_DEFAULT,
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
                    proxyOnlySubnetCidr: "10.24.0.0/23",
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

    const withGpu = parse({ "flyte:gkeGpuType": "nvidia-l4" });
    // Where each key's parsed value lives; the Record type makes the table list every key with a plain default.
    const parsedValue: Record<Exclude<ConfigKey, "cloud" | "gkeLocation" | LocalKey | AwsKey | EndpointKey | MessagingKey | RegistryKey | VerificationKey | MultiClusterKey>, (c: GcpStackConfig) => unknown> = {
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
        // No GPU pool by default; the others are its defaults once gkeGpuType is set (test/components/config/gkeGpu.test.ts).
        gkeGpuType: (c) => c.gcp.gke.gpuPool?.type ?? "",
        gkeGpuCount: () => withGpu.gcp.gke.gpuPool?.count,
        gkeGpuMachineType: () => withGpu.gcp.gke.gpuPool?.machineType,
        gkeGpuMaxNodesPerZone: () => withGpu.gcp.gke.gpuPool?.maxNodesPerZone,
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
        proxyOnlySubnetCidr: (c) => c.gcp.network.proxyOnlySubnetCidr,
    };

    test.each(Object.keys(parsedValue) as Exclude<ConfigKey, "cloud" | "gkeLocation" | LocalKey | AwsKey | EndpointKey | MessagingKey | RegistryKey | VerificationKey | MultiClusterKey>[])(
        "%s defaults to CONFIG_KEYS' default",
        (key) => {
            expect(parsedValue[key](config)).toEqual(CONFIG_KEYS[key].default);
        },
    );

    test("the table above covers every key of CONFIG_KEYS but cloud, gkeLocation (derived), the local and aws ones, the HTTPS endpoint, messaging, registry, verification and multi-cluster ones", () => {
        expect(Object.keys(parsedValue).sort()).toEqual(
            Object.keys(CONFIG_KEYS)
                .filter((k) => k !== "cloud" && k !== "gkeLocation" && !/^(local|aws|eks|rds)/.test(k) && !([...ENDPOINT_KEYS, ...MESSAGING_KEYS, ...REGISTRY_KEYS, ...VERIFICATION_KEYS, ...MULTI_CLUSTER_KEYS] as readonly string[]).includes(k))
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
