import { cidrContains, cidrsOverlap, isUsableSubnetAddress, parseCidr, parseIpv4 } from "../shared/cidr";
import { ConfigReader, parseCidrKey, requireProviderKey, requireRegion } from "./reader";
import { GCP_REGIONS, gcpZones } from "./regions";
import { ConfigKey } from "./schema";
import { GKE_RELEASE_CHANNELS, POSTGRES_VERSIONS } from "../contract/config";
import { gcsProjectPart, PROJECT_WORKER_MAX_GCP } from "../gcp/names";
import { requireDistinctProjectBuckets, requireGcsIsolationFits, requireIsolatedProjectLength } from "./flyte";
import type { FlyteConfig, GcpConfig } from "../contract/config";

const GCP_PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const GCP_REGION = /^[a-z]+-[a-z]+[0-9]+$/;
const MACHINE_TYPE = /^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$/;
const SQL_TIER = /^db-[a-z0-9-]*[a-z0-9]$/;

/** The keys that only `cloud: gcp` reads, including the provider's gcp:project and gcp:region. */
export function parseGcp(config: ConfigReader, flyte: FlyteConfig): GcpConfig {
    const project = requireProviderKey(
        config,
        "gcp:project",
        GCP_PROJECT_ID,
        "a GCP project id: 6 to 30 lowercase letters, digits or '-', starting with a letter",
    );
    const region = requireRegion(config, "gcp:region", "GCP", GCP_REGIONS, GCP_REGION, "europe-west1");
    requireIsolatedProjectLength(config, flyte, PROJECT_WORKER_MAX_GCP, "a Google service account (30 characters in all)");
    requireDistinctProjectBuckets(config, flyte, gcsProjectPart);
    requireGcsIsolationFits(config, flyte);

    const locationText = config.string("gkeLocation", "empty or a zone of gcp:region");
    const zones = gcpZones(region) ?? [];
    if (locationText !== "" && !zones.includes(locationText)) {
        config.fail("gkeLocation", locationText, `allowed: empty (regional cluster in ${region}) or one of its zones: ${zones.join(", ")}`);
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

