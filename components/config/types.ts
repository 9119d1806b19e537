import type { Flavor, GkeReleaseChannel, PostgresVersion } from "./schema";
import type { ProjectDomainNamespace } from "../namespaces";

/** What the Flyte layer needs from config; the same on every cloud. */
export interface FlyteConfig {
    readonly flavor: Flavor;
    readonly projects: readonly string[];
    readonly domains: readonly string[];
    readonly namespaceTemplate: string;
    /** Namespace Flyte itself runs in. */
    readonly namespace: string;
    /** Every project × domain pair and its namespace, computed once from the template. */
    readonly projectNamespaces: readonly ProjectDomainNamespace[];
    readonly chartVersion: string;
    readonly chartRepository: string;
}

export interface ProtectionConfig {
    readonly deletionProtection: boolean;
    readonly forceDestroyBuckets: boolean;
}

export interface GkeConfig {
    /** A region (regional cluster) or a zone of the region (zonal cluster). */
    readonly location: string;
    readonly releaseChannel: GkeReleaseChannel;
    readonly machineType: string;
    readonly diskSizeGb: number;
    readonly minNodesPerZone: number;
    readonly maxNodesPerZone: number;
    readonly spotNodes: boolean;
    readonly authorizedNetworks: readonly string[];
}

export interface GcpNetworkConfig {
    readonly subnetCidr: string;
    readonly podsCidr: string;
    readonly servicesCidr: string;
    /** The reserved range for private services access, split into address and prefix length. */
    readonly privateServicesAddress: string;
    readonly privateServicesPrefixLength: number;
}

export interface CloudSqlConfig {
    readonly version: PostgresVersion;
    readonly tier: string;
    readonly diskSizeGb: number;
    readonly highAvailability: boolean;
    readonly backupRetentionDays: number;
}

export interface GcpLoadBalancerConfig {
    /** Empty: GCP picks a free address in the subnet. */
    readonly ip: string;
    readonly globalAccess: boolean;
}

export interface GcpConfig {
    readonly project: string;
    readonly region: string;
    readonly gke: GkeConfig;
    readonly network: GcpNetworkConfig;
    readonly database: CloudSqlConfig;
    readonly loadBalancer: GcpLoadBalancerConfig;
}

export interface StackConfig {
    readonly pulumiProject: string;
    readonly stack: string;
    readonly cloud: "gcp";
    readonly flyte: FlyteConfig;
    readonly protection: ProtectionConfig;
    readonly gcp: GcpConfig;
}
