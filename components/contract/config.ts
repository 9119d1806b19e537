import type { ProjectDomainNamespace } from "../shared/namespaces";
import type { MultiClusterConfig } from "./multiCluster";

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
    /** A second node pool with GPUs, for the tasks that request them; absent (`gkeGpuType` empty): none. */
    readonly gpuPool?: GkeGpuPoolConfig;
}

/** The GPU node pool: it scales from zero up to `maxNodesPerZone` nodes per zone as GPU tasks come and go. */
export interface GkeGpuPoolConfig {
    /** The GKE accelerator type, e.g. nvidia-l4. */
    readonly type: string;
    /** GPUs per node. */
    readonly count: number;
    /** A Compute Engine machine type that takes `count` GPUs of `type` (e.g. g2-standard-8 for one nvidia-l4). */
    readonly machineType: string;
    /** Autoscaler maximum nodes per zone; the minimum is zero. */
    readonly maxNodesPerZone: number;
}

export interface GcpNetworkConfig {
    readonly subnetCidr: string;
    readonly podsCidr: string;
    readonly servicesCidr: string;
    /** The reserved range for private services access, split into address and prefix length. */
    readonly privateServicesAddress: string;
    readonly privateServicesPrefixLength: number;
    /**
     * The region's proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) that an internal Gateway's Envoy proxies run
     * in; created only for an internal HTTPS endpoint.
     */
    readonly proxyOnlySubnetCidr: string;
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

/** Who may reach Flyte's HTTPS endpoint (`flyte:endpointAccess`). */
export const ENDPOINT_ACCESS = ["internal", "public"] as const;
export type EndpointAccess = (typeof ENDPOINT_ACCESS)[number];

/** How people and clients sign in to Flyte (`flyte:authentication`). */
export const AUTHENTICATION_MODES = ["none", "oidc", "cognito"] as const;
export type AuthenticationMode = (typeof AUTHENTICATION_MODES)[number];

/**
 * Flyte on its own DNS name over HTTPS, through the cloud's L7 load balancer with a managed certificate
 * (`flyte:dnsName`). Absent: the internal plaintext endpoint (an internal L4 load balancer on 8088/8089).
 */
export interface HttpsConfig {
    /** The name clients use, e.g. `flyte.ml.example.com`: the console is `https://<dnsName>/console`, gRPC `<dnsName>:443`. */
    readonly dnsName: string;
    /**
     * The zone the program writes the certificate's validation record and the name's address record to: a Cloud DNS
     * managed zone's name (GCP) or a Route 53 hosted zone id (AWS). Empty: the stack outputs the records to create.
     */
    readonly dnsZone: string;
    /** `internal`: reachable from the VPC and peered networks only; `public`: from the internet (never without sign-in). */
    readonly access: EndpointAccess;
}

/** Users sign in through an OpenID Connect provider of the team's own (Okta, Entra ID, Google, Keycloak, Auth0…). */
export interface OidcAuthenticationConfig {
    readonly mode: "oidc";
    /** The provider's issuer URL (`https://…`, where `/.well-known/openid-configuration` is served). */
    readonly issuerUrl: string;
    /** The client id registered at the provider for Flyte. */
    readonly clientId: string;
    /** The client's secret, from an encrypted config value: wrap it in pulumi.secret before use. */
    readonly clientSecret: string;
    /** Scopes flyteadmin asks the provider for when a user signs in, e.g. `openid`, `profile`, `email`. */
    readonly scopes: readonly string[];
}

/** AWS only: a Cognito user pool the program creates, with an app client and a hosted sign-in domain. */
export interface CognitoAuthenticationConfig {
    readonly mode: "cognito";
    /** The hosted domain's prefix (`<prefix>.auth.<region>.amazoncognito.com`); empty: derived, with a random suffix. */
    readonly domainPrefix: string;
    /** A first user to invite by email (Cognito sends a temporary password); empty: none. */
    readonly adminEmail: string;
}

/** Flyte's authentication: off (internal endpoints only), an external OIDC provider, or a Cognito user pool. */
export type AuthenticationConfig = { readonly mode: "none" } | OidcAuthenticationConfig | CognitoAuthenticationConfig;

/** How flyteadmin sends email (`flyte:notificationsEmailService`). */
export const EMAIL_SERVICES = ["ses", "sendgrid", "smtp"] as const;
export type EmailServiceName = (typeof EMAIL_SERVICES)[number];

/** An SMTP server flyteadmin sends through, with STARTTLS or TLS. */
export interface SmtpConfig {
    readonly server: string;
    readonly port: number;
    readonly username: string;
    /** From an encrypted config value: wrap it in pulumi.secret before use. */
    readonly password: string;
}

/** How the emails leave: Amazon SES (aws), SendGrid's API, or an SMTP server. */
export type EmailServiceConfig =
    | { readonly service: "ses" }
    | { readonly service: "sendgrid"; /** From an encrypted config value. */ readonly apiKey: string }
    | ({ readonly service: "smtp" } & SmtpConfig);

/** Email on workflow events (`notifications=[Email(...)]` on a launch plan), through the cloud's messaging. */
export interface NotificationsConfig {
    /** The From address, e.g. `flyte@ml.example.com`. */
    readonly sender: string;
    /** How the emails are sent. */
    readonly email: EmailServiceConfig;
}

/** Who may push task images keylessly: GitHub Actions workflows of one repository, optionally one ref or environment. */
export interface GithubPushConfig {
    /** `owner/repo`. */
    readonly repository: string;
    /** A full ref such as `refs/heads/main`; empty: any ref. */
    readonly ref: string;
    /** A GitHub environment such as `production`; empty: any (or none). */
    readonly environment: string;
}

/** A registry for task images (`flyte:registry`). */
export interface RegistryConfig {
    /** Tagged versions of each image kept; older ones are deleted. */
    readonly keepVersions: number;
    /** Days after which untagged images are deleted. */
    readonly untaggedDays: number;
    /** Keyless push from GitHub Actions; absent: nobody but the deployer pushes. */
    readonly githubPush?: GithubPushConfig;
}

/** `flyte:verification`: what the Jobs after each `pulumi up` check; auto is on for gcp and aws, off for local. */
export const VERIFICATION_MODES = ["auto", "on", "off"] as const;
export type VerificationMode = (typeof VERIFICATION_MODES)[number];

/** The verification after each `pulumi up` (`flyte:verification` on, or auto on gcp and aws). */
export interface VerificationConfig {
    /** The image the probe runs in: Node.js 24 or later, pinned by digest (`flyte:verificationImage`). */
    readonly image: string;
}

interface StackConfigBase {
    readonly pulumiProject: string;
    readonly stack: string;
    readonly flyte: FlyteConfig;
    readonly protection: ProtectionConfig;
    /** The HTTPS endpoint on a DNS name of the team's; absent: today's internal endpoint (always absent on local). */
    readonly https?: HttpsConfig;
    /** Flyte's sign-in; `{ mode: "none" }` without it (always on local). */
    readonly authentication: AuthenticationConfig;
    /** Email notifications; absent: off. */
    readonly notifications?: NotificationsConfig;
    /** Publish Flyte's execution events to a topic other teams subscribe to (gcp, aws). */
    readonly executionEvents: boolean;
    /** A registry for task images (gcp, aws); absent: none. */
    readonly registry?: RegistryConfig;
    /** The verification after each `pulumi up`; absent: off. */
    readonly verification?: VerificationConfig;
    /** A control plane or a data plane of a multi-cluster deployment (gcp); absent: standalone. */
    readonly multiCluster?: MultiClusterConfig;
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
