import { cidrContains, cidrsOverlap, isUsableSubnetAddress, parseIpv4 } from "../shared/cidr";
import { cidrList, ConfigReader, integerBounds, requireProviderKey, requireRegion } from "./reader";
import { GCP_REGIONS, gcpZones } from "./regions";
import { ConfigKey } from "./schema";
import { GCP_LIMITS, gcsProjectPart, PROJECT_WORKER_MAX_GCP } from "../gcp/names";
import { requireDistinctProjectBuckets, requireGcsIsolationFits, requireIsolatedProjectLength } from "./flyte";
import { parseGkeGpu } from "./gkeGpu";
import type { FlyteConfig, GcpConfig, HttpsConfig } from "../contract/config";

/** The keys that only `cloud: gcp` reads, including the provider's gcp:project and gcp:region. */
export function parseGcp(config: ConfigReader, flyte: FlyteConfig, https?: HttpsConfig): GcpConfig {
    const project = requireProviderKey(config, "gcp:project");
    const region = requireRegion(config, "gcp:region", GCP_REGIONS);
    requireIsolatedProjectLength(config, flyte, PROJECT_WORKER_MAX_GCP, `a Google service account (${GCP_LIMITS.serviceAccount} characters in all)`);
    requireDistinctProjectBuckets(config, flyte, gcsProjectPart);
    requireGcsIsolationFits(config, flyte);

    const locationText = config.string("gkeLocation");
    const zones = gcpZones(region) ?? [];
    if (locationText !== "" && !zones.includes(locationText)) {
        config.fail("gkeLocation", locationText, `allowed: empty (regional cluster in ${region}) or one of its zones: ${zones.join(", ")}`);
    }
    const nodesPerZone = integerBounds(config, "gkeMinNodesPerZone", "gkeMaxNodesPerZone");
    const authorizedNetworks = cidrList(config, "gkeAuthorizedNetworks");
    const gpuPool = parseGkeGpu(config);

    const subnet = config.cidr("subnetCidr");
    const pods = config.cidr("podsCidr");
    const services = config.cidr("servicesCidr");
    const privateServices = config.cidr("privateServicesCidr");
    const proxyOnly = config.cidr("proxyOnlySubnetCidr");
    const ranges: [ConfigKey, typeof subnet][] = [
        ["subnetCidr", subnet],
        ["podsCidr", pods],
        ["servicesCidr", services],
        ["privateServicesCidr", privateServices],
        // Created only for an internal HTTPS endpoint, so checked only then: other stacks may have a range there.
        ...(https?.access === "internal" ? [["proxyOnlySubnetCidr", proxyOnly] as [ConfigKey, typeof subnet]] : []),
    ];
    ranges.forEach(([key, range], i) => {
        for (const [otherKey, other] of ranges.slice(0, i)) {
            if (cidrsOverlap(range.cidr, other.cidr)) {
                config.fail(key, range.text, `must not overlap ${otherKey} (${other.text})`);
            }
        }
    });

    const loadBalancerIp = config.string("loadBalancerIp");
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
            releaseChannel: config.oneOf("gkeReleaseChannel"),
            machineType: config.string("gkeMachineType"),
            diskSizeGb: config.integer("gkeDiskSizeGb"),
            minNodesPerZone: nodesPerZone.lower,
            maxNodesPerZone: nodesPerZone.upper,
            spotNodes: config.boolean("gkeSpotNodes"),
            authorizedNetworks,
            ...(gpuPool === undefined ? {} : { gpuPool }),
        },
        network: {
            subnetCidr: subnet.text,
            podsCidr: pods.text,
            servicesCidr: services.text,
            privateServicesAddress: privateServices.text.split("/")[0],
            privateServicesPrefixLength: privateServices.cidr.prefixLength,
            proxyOnlySubnetCidr: proxyOnly.text,
        },
        database: {
            version: config.oneOf("databaseVersion"),
            tier: config.string("databaseTier"),
            diskSizeGb: config.integer("databaseDiskSizeGb", "gcp"),
            highAvailability: config.boolean("databaseHighAvailability"),
            backupRetentionDays: config.integer("databaseBackupRetentionDays", "gcp"),
        },
        loadBalancer: {
            ip: loadBalancerIp,
            globalAccess: config.boolean("loadBalancerGlobalAccess"),
        },
    };
}

