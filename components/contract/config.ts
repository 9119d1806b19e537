import type { ProjectDomainNamespace } from "../shared/namespaces";

/** Where Flyte runs (`flyte:cloud`). */
export const CLOUDS = ["gcp", "aws", "local"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Which Flyte chart (`flyte:flavor`). */
export const FLAVORS = ["binary", "core"] as const;
export type Flavor = (typeof FLAVORS)[number];

export const GKE_RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;
export type GkeReleaseChannel = (typeof GKE_RELEASE_CHANNELS)[number];

export const POSTGRES_VERSIONS = ["POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17"] as const;
export type PostgresVersion = (typeof POSTGRES_VERSIONS)[number];

/** What the Flyte layer needs from config; the same on every cloud. */
export interface FlyteConfig {
    readonly flavor: Flavor;
    readonly projects: readonly string[];
    /** Domain ids. */
    readonly domains: readonly string[];
    /** What the console shows for each domain id (the id itself unless configured). */
    readonly domainNames: Readonly<Record<string, string>>;
    readonly namespaceTemplate: string;
    /** Namespace Flyte itself runs in. */
    readonly namespace: string;
    /** Every project × domain pair and its namespace, computed once from the template. */
    readonly projectNamespaces: readonly ProjectDomainNamespace[];
    readonly chartVersion: string;
    readonly chartRepository: string;
    /** Each project's task pods get their own identity and data location. */
    readonly projectIsolation: boolean;
    /** With project isolation: the image (with curl) that sets each project's data location in flyteadmin. */
    readonly projectSetupImage: string;
    /** flavor core only. */
    readonly core: {
        /** Replicas of flyteadmin, flyteconsole, datacatalog and the endpoint proxy. */
        readonly replicas: number;
        /** nginx image of the endpoint proxy. */
        readonly proxyImage: string;
    };
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

export interface LocalNodePorts {
    readonly http: number;
    readonly grpc: number;
    readonly minio: number;
    readonly minioConsole: number;
    readonly dashboard: number;
}

export interface LocalConfig {
    /** Kubeconfig path; empty for the default loading rules ($KUBECONFIG, ~/.kube/config). */
    readonly kubeconfig: string;
    /** Context; empty for the current one. */
    readonly context: string;
    /** Namespace of Postgres, MinIO and the bucket job: `<flyteNamespace>-deps`. */
    readonly namespace: string;
    readonly nodePorts: LocalNodePorts;
    /** Empty for the cluster's default StorageClass. */
    readonly storageClass: string;
    readonly postgres: { readonly image: string; readonly volumeGi: number };
    readonly minio: { readonly image: string; readonly clientImage: string; readonly volumeGi: number };
    readonly dashboard: boolean;
}

export interface AwsConfig {
    readonly region: string;
    readonly network: {
        readonly vpcCidr: string;
        readonly availabilityZones: number;
        readonly natGatewayPerZone: boolean;
    };
    readonly eks: {
        readonly version: string;
        readonly instanceTypes: readonly string[];
        readonly minNodes: number;
        readonly maxNodes: number;
        readonly spotNodes: boolean;
        readonly nodeDiskSizeGb: number;
        readonly publicAccessCidrs: readonly string[];
        /** Empty: the identity running pulumi up. */
        readonly adminPrincipals: readonly string[];
        readonly containerInsights: boolean;
    };
    readonly database: {
        readonly engineVersion: string;
        readonly instanceClass: string;
        readonly allocatedStorageGb: number;
        readonly maxAllocatedStorageGb: number;
        readonly multiAz: boolean;
        readonly backupRetentionDays: number;
    };
}

interface StackConfigBase {
    readonly pulumiProject: string;
    readonly stack: string;
    readonly flyte: FlyteConfig;
    readonly protection: ProtectionConfig;
}

export interface GcpStackConfig extends StackConfigBase {
    readonly cloud: "gcp";
    readonly gcp: GcpConfig;
}

export interface LocalStackConfig extends StackConfigBase {
    readonly cloud: "local";
    readonly local: LocalConfig;
}

export interface AwsStackConfig extends StackConfigBase {
    readonly cloud: "aws";
    readonly aws: AwsConfig;
}

export type StackConfig = GcpStackConfig | AwsStackConfig | LocalStackConfig;
