/**
 * The configuration contract: every key this program reads from its own namespace, with its type, default and
 * description. `Pulumi.yaml`'s `config:` block and the README's reference are checked against this table by the
 * tests, so the three cannot drift apart.
 */

export type ConfigKeyType = "string" | "integer" | "boolean" | "array";

interface KeySpecBase {
    /** One sentence for `Pulumi.yaml` and the README. */
    readonly description: string;
}

export interface StringKeySpec extends KeySpecBase {
    readonly type: "string";
    readonly default?: string;
}

export interface IntegerKeySpec extends KeySpecBase {
    readonly type: "integer";
    readonly default: number;
}

export interface BooleanKeySpec extends KeySpecBase {
    readonly type: "boolean";
    readonly default: boolean;
}

export interface ArrayKeySpec extends KeySpecBase {
    readonly type: "array";
    readonly default: readonly string[];
}

export type KeySpec = StringKeySpec | IntegerKeySpec | BooleanKeySpec | ArrayKeySpec;

export const CLOUDS = ["gcp", "aws", "local"] as const;
export type Cloud = (typeof CLOUDS)[number];
/** The targets this version deploys; the others are recognised and rejected with a clear message. */
export const SUPPORTED_CLOUDS: readonly Cloud[] = ["gcp", "aws", "local"];

export const FLAVORS = ["binary", "core"] as const;
export type Flavor = (typeof FLAVORS)[number];
export const SUPPORTED_FLAVORS: readonly Flavor[] = ["binary", "core"];

export const GKE_RELEASE_CHANNELS = ["RAPID", "REGULAR", "STABLE"] as const;
export type GkeReleaseChannel = (typeof GKE_RELEASE_CHANNELS)[number];

export const POSTGRES_VERSIONS = ["POSTGRES_14", "POSTGRES_15", "POSTGRES_16", "POSTGRES_17"] as const;
export type PostgresVersion = (typeof POSTGRES_VERSIONS)[number];

/** Keys in the project's namespace (`<project>:<key>`). */
export const CONFIG_KEYS = {
    cloud: {
        type: "string",
        default: "local",
        description:
            "Where Flyte runs: local (an existing kind/k3d/Docker Desktop cluster, in-cluster Postgres and MinIO), gcp (GKE, Cloud SQL, GCS) or aws (EKS, RDS, S3).",
    },
    flavor: {
        type: "string",
        default: "binary",
        description:
            "Which Flyte chart to deploy: binary (flyte-binary, one Deployment) or core (flyte-core: admin, propeller, datacatalog, scheduler and console as separate services, each with its own identity).",
    },
    flyteProjects: {
        type: "array",
        default: ["flytesnacks"],
        description: "Flyte projects seeded at start-up; each gets one namespace per domain.",
    },
    flyteDomains: {
        type: "array",
        default: ["development", "staging", "production"],
        description:
            'Flyte domains: an id (also the name the console shows), or "id:Display name", e.g. "dev:Development" — only with a namespaceTemplate without {{ domain }}, since Flyte 1.x names namespaces after the display name when it syncs them.',
    },
    projectIsolation: {
        type: "boolean",
        default: false,
        description:
            "Give each Flyte project's task pods their own cloud identity, bound to that project's namespaces only, and their own data location, so one project cannot read another's data.",
    },
    projectSetupImage: {
        type: "string",
        default: "docker.io/curlimages/curl:8.11.1",
        description:
            "With projectIsolation: an image with curl, run as a Job after each change to point each project's raw outputs at its own bucket.",
    },
    namespaceTemplate: {
        type: "string",
        default: "{{ project }}-{{ domain }}",
        description:
            "Kubernetes namespace of each project-domain pair; placeholders {{ project }} and {{ domain }}.",
    },
    flyteNamespace: {
        type: "string",
        default: "flyte",
        description: "Namespace Flyte itself runs in.",
    },
    chartVersion: {
        type: "string",
        default: "v1.16.8",
        description: "Version of the Flyte Helm chart (and of the Flyte images it pins).",
    },
    chartRepository: {
        type: "string",
        default: "https://flyteorg.github.io/flyte",
        description: "Helm repository the chart is pulled from (https); point it at a mirror if needed.",
    },
    coreReplicas: {
        type: "integer",
        default: 1,
        description: "flavor core: replicas of flyteadmin, flyteconsole, datacatalog and the endpoint proxy (1 to 10).",
    },
    coreProxyImage: {
        type: "string",
        default: "docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine",
        description:
            "flavor core: nginx image of the proxy that serves the console and flyteadmin's API on one HTTP port and flyteadmin's gRPC on another.",
    },
    deletionProtection: {
        type: "boolean",
        default: true,
        description:
            "Deletion protection on the cluster and the database, and Pulumi protect on the database and buckets (on local: the volumes).",
    },
    forceDestroyBuckets: {
        type: "boolean",
        default: false,
        description: "Allow destroying buckets that still hold objects (dev stacks only).",
    },
    gkeLocation: {
        type: "string",
        default: "",
        description:
            "Empty: a regional GKE cluster in gcp:region. A zone of gcp:region (e.g. europe-west1-b): a zonal cluster.",
    },
    gkeReleaseChannel: {
        type: "string",
        default: "REGULAR",
        description: "GKE release channel: RAPID, REGULAR or STABLE.",
    },
    gkeMachineType: {
        type: "string",
        default: "e2-standard-4",
        description: "Machine type of the Flyte node pool.",
    },
    gkeDiskSizeGb: {
        type: "integer",
        default: 100,
        description: "Boot disk size of each node, in GB (20 to 2000).",
    },
    gkeMinNodesPerZone: {
        type: "integer",
        default: 1,
        description: "Autoscaler minimum nodes per zone.",
    },
    gkeMaxNodesPerZone: {
        type: "integer",
        default: 3,
        description: "Autoscaler maximum nodes per zone.",
    },
    gkeSpotNodes: {
        type: "boolean",
        default: false,
        description: "Use Spot VMs for the node pool (cheaper, preemptible; for dev stacks).",
    },
    gkeAuthorizedNetworks: {
        type: "array",
        default: [],
        description:
            "CIDRs allowed to reach the control plane's public IP endpoint. Empty: no public IP endpoint; " +
            "pulumi and kubectl use the IAM-authenticated DNS endpoint.",
    },
    subnetCidr: {
        type: "string",
        default: "10.0.0.0/20",
        description: "Primary range of the cluster subnet (nodes and the internal load balancer).",
    },
    podsCidr: {
        type: "string",
        default: "10.16.0.0/14",
        description: "Secondary range for Pods (VPC-native cluster).",
    },
    servicesCidr: {
        type: "string",
        default: "10.20.0.0/20",
        description: "Secondary range for Services.",
    },
    privateServicesCidr: {
        type: "string",
        default: "10.32.0.0/16",
        description: "Range reserved for private services access (Cloud SQL's private IP); a /24 or larger.",
    },
    databaseVersion: {
        type: "string",
        default: "POSTGRES_16",
        description: "Cloud SQL Postgres major version.",
    },
    databaseTier: {
        type: "string",
        default: "db-custom-2-7680",
        description: "Cloud SQL machine tier (Enterprise edition), e.g. db-custom-2-7680 or db-g1-small.",
    },
    databaseDiskSizeGb: {
        type: "integer",
        default: 20,
        description: "Initial database disk size in GB (Cloud SQL or RDS); it grows automatically.",
    },
    databaseHighAvailability: {
        type: "boolean",
        default: true,
        description: "A database with automatic failover: regional Cloud SQL (gcp) or Multi-AZ RDS (aws).",
    },
    databaseBackupRetentionDays: {
        type: "integer",
        default: 14,
        description:
            "Days of automated backups: Cloud SQL keeps this many daily backups (1 to 365) with point-in-time recovery over min(7, this) days; RDS keeps backups and point-in-time recovery for this many days (1 to 35).",
    },
    loadBalancerIp: {
        type: "string",
        default: "",
        description: "Internal IP for Flyte's load balancer, inside subnetCidr. Empty: one is reserved for you.",
    },
    loadBalancerGlobalAccess: {
        type: "boolean",
        default: false,
        description: "Let clients in other regions of the VPC reach the internal load balancer.",
    },
    awsVpcCidr: {
        type: "string",
        default: "10.0.0.0/16",
        description: "cloud aws: the VPC's range (/16 to /20), split into a private and a public subnet per zone.",
    },
    awsAvailabilityZones: {
        type: "integer",
        default: 3,
        description: "cloud aws: how many availability zones the VPC, nodes and database span (2 to 6).",
    },
    awsNatGatewayPerZone: {
        type: "boolean",
        default: true,
        description: "cloud aws: one NAT gateway per zone (survives a zone outage) rather than one in total.",
    },
    eksVersion: {
        type: "string",
        default: "1.34",
        description: "cloud aws: Kubernetes version of the EKS cluster (standard support only).",
    },
    eksInstanceTypes: {
        type: "array",
        default: ["m6i.xlarge"],
        description: "cloud aws: EC2 instance types of the managed node group.",
    },
    eksMinNodes: {
        type: "integer",
        default: 2,
        description: "cloud aws: minimum nodes of the node group.",
    },
    eksMaxNodes: {
        type: "integer",
        default: 6,
        description: "cloud aws: maximum nodes of the node group.",
    },
    eksSpotNodes: {
        type: "boolean",
        default: false,
        description: "cloud aws: Spot capacity for the node group (cheaper, interruptible; for dev stacks).",
    },
    eksNodeDiskSizeGb: {
        type: "integer",
        default: 100,
        description: "cloud aws: encrypted gp3 root volume of each node, in GB (20 to 2000).",
    },
    eksPublicAccessCidrs: {
        type: "array",
        default: [],
        description:
            "cloud aws: CIDRs allowed to reach the EKS API over the internet (still IAM-authenticated). Empty: private endpoint only; run pulumi from inside the VPC.",
    },
    eksAdminPrincipals: {
        type: "array",
        default: [],
        description:
            "cloud aws: IAM role or user ARNs that administer the cluster through access entries. Empty: the identity running pulumi up.",
    },
    eksContainerInsights: {
        type: "boolean",
        default: true,
        description: "cloud aws: ship container logs to CloudWatch (Container Insights add-on) so task log links work.",
    },
    rdsEngineVersion: {
        type: "string",
        default: "16",
        description: "cloud aws: RDS for PostgreSQL engine version, major (16) or major.minor (16.4).",
    },
    rdsInstanceClass: {
        type: "string",
        default: "db.m6g.large",
        description: "cloud aws: RDS instance class, e.g. db.m6g.large or db.t4g.medium.",
    },
    rdsMaxAllocatedStorageGb: {
        type: "integer",
        default: 200,
        description: "cloud aws: ceiling for RDS storage autoscaling, in GB.",
    },
    localKubeconfig: {
        type: "string",
        default: "",
        description: "cloud local: path of the kubeconfig to deploy with. Empty: $KUBECONFIG, else ~/.kube/config.",
    },
    localKubeContext: {
        type: "string",
        default: "",
        description: "cloud local: kubeconfig context to deploy into. Empty: the current context.",
    },
    localHttpNodePort: {
        type: "integer",
        default: 30080,
        description: "cloud local: NodePort for Flyte's HTTP API and console (30000 to 32767).",
    },
    localGrpcNodePort: {
        type: "integer",
        default: 30081,
        description: "cloud local: NodePort for Flyte's gRPC API (flytectl, pyflyte).",
    },
    localMinioNodePort: {
        type: "integer",
        default: 30002,
        description: "cloud local: NodePort for MinIO's S3 API; pyflyte uploads code to it through signed URLs.",
    },
    localMinioConsoleNodePort: {
        type: "integer",
        default: 30084,
        description: "cloud local: NodePort for the MinIO console.",
    },
    localDashboard: {
        type: "boolean",
        default: false,
        description: "cloud local: install the Kubernetes dashboard (official chart) and link task logs to it.",
    },
    localDashboardNodePort: {
        type: "integer",
        default: 30088,
        description: "cloud local: NodePort for the Kubernetes dashboard, when localDashboard is on.",
    },
    localStorageClass: {
        type: "string",
        default: "",
        description: "cloud local: StorageClass of the Postgres and MinIO volumes. Empty: the cluster's default.",
    },
    localPostgresImage: {
        type: "string",
        default: "docker.io/library/postgres:16.6-alpine",
        description: "cloud local: Postgres image (the official one).",
    },
    localPostgresVolumeGi: {
        type: "integer",
        default: 5,
        description: "cloud local: size of the Postgres volume in GiB.",
    },
    localMinioImage: {
        type: "string",
        default: "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
        description: "cloud local: MinIO server image.",
    },
    localMinioClientImage: {
        type: "string",
        default: "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z",
        description: "cloud local: MinIO client image, used once to create the buckets.",
    },
    localMinioVolumeGi: {
        type: "integer",
        default: 20,
        description: "cloud local: size of the MinIO volume in GiB.",
    },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** Provider keys this program reads (owned by the provider's namespace, so not declared in Pulumi.yaml). */
export const PROVIDER_KEYS = {
    "gcp:project": "GCP project id that receives every resource (required for cloud gcp).",
    "gcp:region": "GCP region, e.g. europe-west1 (required for cloud gcp).",
    "aws:region": "AWS region, e.g. eu-central-1 (required for cloud aws).",
} as const;

/** Reserved NodePort range of a default Kubernetes API server. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
