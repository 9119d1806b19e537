/**
 * The configuration contract: every key this program reads from its own namespace, with its type, default and
 * description. `Pulumi.yaml`'s `config:` block and the README's reference are checked against this table by the
 * tests, so the three cannot drift apart.
 */
import { CLOUDS, type Cloud, type Flavor } from "../contract/config";

export type ConfigKeyType = "string" | "integer" | "boolean" | "array";

interface KeySpecBase {
    /** One sentence for `Pulumi.yaml` and the README. */
    readonly description: string;
    /** The targets (flyte:cloud) that read the key; a stack for any other target must not set it. */
    readonly targets: readonly Cloud[];
    /**
     * The key may hold a secret (`pulumi config set --secret`, declared `secret: true` in Pulumi.yaml). Only such keys
     * accept encrypted values; the offline plan, which cannot decrypt them, reads a placeholder instead.
     */
    readonly secret?: true;
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

/** The targets this version deploys; the others are recognised and rejected with a clear message. */
export const SUPPORTED_CLOUDS: readonly Cloud[] = ["gcp", "aws", "local"];

const ALL_TARGETS: readonly Cloud[] = CLOUDS;
const GCP: readonly Cloud[] = ["gcp"];
const AWS: readonly Cloud[] = ["aws"];
const LOCAL: readonly Cloud[] = ["local"];
/** The database and bucket keys Cloud SQL and GCS (gcp) and RDS and S3 (aws) both read. */
const GCP_AND_AWS: readonly Cloud[] = ["gcp", "aws"];

export const SUPPORTED_FLAVORS: readonly Flavor[] = ["binary", "core"];



/** Keys in the project's namespace (`<project>:<key>`). */
export const CONFIG_KEYS = {
    cloud: {
        type: "string",
        targets: ALL_TARGETS,
        default: "local",
        description:
            "Where Flyte runs: local (an existing kind/k3d/Docker Desktop cluster, in-cluster Postgres and MinIO), gcp (GKE, Cloud SQL, GCS) or aws (EKS, RDS, S3).",
    },
    flavor: {
        type: "string",
        targets: ALL_TARGETS,
        default: "binary",
        description:
            "Which Flyte chart to deploy: binary (flyte-binary, one Deployment) or core (flyte-core: admin, propeller, datacatalog, scheduler and console as separate services, each with its own identity).",
    },
    flyteProjects: {
        type: "array",
        targets: ALL_TARGETS,
        default: ["flytesnacks"],
        description: "Flyte projects seeded at start-up; each gets one namespace per domain.",
    },
    flyteDomains: {
        type: "array",
        targets: ALL_TARGETS,
        default: ["development", "staging", "production"],
        description:
            'Flyte domains: an id (also the name the console shows), or "id:Display name", e.g. "dev:Development" — only with a namespaceTemplate without {{ domain }}, since Flyte 1.x names namespaces after the display name when it syncs them.',
    },
    projectIsolation: {
        type: "boolean",
        targets: ALL_TARGETS,
        default: false,
        description:
            "Give each Flyte project's task pods their own cloud identity, bound to that project's namespaces only, and their own data location, so one project cannot read another's data.",
    },
    projectSetupImage: {
        type: "string",
        targets: ALL_TARGETS,
        default: "docker.io/curlimages/curl:8.11.1",
        description:
            "With projectIsolation: an image with curl, run as a Job after each change to point each project's raw outputs at its own bucket.",
    },
    namespaceTemplate: {
        type: "string",
        targets: ALL_TARGETS,
        default: "{{ project }}-{{ domain }}",
        description:
            "Kubernetes namespace of each project-domain pair; placeholders {{ project }} and {{ domain }}.",
    },
    flyteNamespace: {
        type: "string",
        targets: ALL_TARGETS,
        default: "flyte",
        description: "Namespace Flyte itself runs in.",
    },
    chartVersion: {
        type: "string",
        targets: ALL_TARGETS,
        default: "v1.16.8",
        description: "Version of the Flyte Helm chart (and of the Flyte images it pins).",
    },
    chartRepository: {
        type: "string",
        targets: ALL_TARGETS,
        default: "https://flyteorg.github.io/flyte",
        description: "Helm repository the chart is pulled from (https); point it at a mirror if needed.",
    },
    coreReplicas: {
        type: "integer",
        targets: ALL_TARGETS,
        default: 1,
        description: "flavor core: replicas of flyteadmin, flyteconsole, datacatalog and the endpoint proxy (1 to 10).",
    },
    coreProxyImage: {
        type: "string",
        targets: ALL_TARGETS,
        default: "docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine",
        description:
            "flavor core: nginx image of the proxy that serves the console and flyteadmin's API on one HTTP port and flyteadmin's gRPC on another.",
    },
    deletionProtection: {
        type: "boolean",
        targets: ALL_TARGETS,
        default: true,
        description:
            "Deletion protection on the cluster and the database, and Pulumi protect on the database and buckets (on local: the volumes).",
    },
    forceDestroyBuckets: {
        type: "boolean",
        targets: GCP_AND_AWS,
        default: false,
        description: "Allow destroying buckets that still hold objects (dev stacks only).",
    },
    gkeLocation: {
        type: "string",
        targets: GCP,
        default: "",
        description:
            "Empty: a regional GKE cluster in gcp:region. A zone of gcp:region (e.g. europe-west1-b): a zonal cluster.",
    },
    gkeReleaseChannel: {
        type: "string",
        targets: GCP,
        default: "REGULAR",
        description: "GKE release channel: RAPID, REGULAR or STABLE.",
    },
    gkeMachineType: {
        type: "string",
        targets: GCP,
        default: "e2-standard-4",
        description: "Machine type of the Flyte node pool.",
    },
    gkeDiskSizeGb: {
        type: "integer",
        targets: GCP,
        default: 100,
        description: "Boot disk size of each node, in GB (20 to 2000).",
    },
    gkeMinNodesPerZone: {
        type: "integer",
        targets: GCP,
        default: 1,
        description: "Autoscaler minimum nodes per zone.",
    },
    gkeMaxNodesPerZone: {
        type: "integer",
        targets: GCP,
        default: 3,
        description: "Autoscaler maximum nodes per zone.",
    },
    gkeSpotNodes: {
        type: "boolean",
        targets: GCP,
        default: false,
        description: "Use Spot VMs for the node pool (cheaper, preemptible; for dev stacks).",
    },
    gkeAuthorizedNetworks: {
        type: "array",
        targets: GCP,
        default: [],
        description:
            "CIDRs allowed to reach the control plane's public IP endpoint. Empty: no public IP endpoint; " +
            "pulumi and kubectl use the IAM-authenticated DNS endpoint.",
    },
    subnetCidr: {
        type: "string",
        targets: GCP,
        default: "10.0.0.0/20",
        description: "Primary range of the cluster subnet (nodes and the internal load balancer).",
    },
    podsCidr: {
        type: "string",
        targets: GCP,
        default: "10.16.0.0/14",
        description: "Secondary range for Pods (VPC-native cluster).",
    },
    servicesCidr: {
        type: "string",
        targets: GCP,
        default: "10.20.0.0/20",
        description: "Secondary range for Services.",
    },
    privateServicesCidr: {
        type: "string",
        targets: GCP,
        default: "10.32.0.0/16",
        description: "Range reserved for private services access (Cloud SQL's private IP); a /24 or larger.",
    },
    databaseVersion: {
        type: "string",
        targets: GCP,
        default: "POSTGRES_16",
        description: "Cloud SQL Postgres major version.",
    },
    databaseTier: {
        type: "string",
        targets: GCP,
        default: "db-custom-2-7680",
        description: "Cloud SQL machine tier (Enterprise edition), e.g. db-custom-2-7680 or db-g1-small.",
    },
    databaseDiskSizeGb: {
        type: "integer",
        targets: GCP_AND_AWS,
        default: 20,
        description: "Initial database disk size in GB (Cloud SQL or RDS); it grows automatically.",
    },
    databaseHighAvailability: {
        type: "boolean",
        targets: GCP_AND_AWS,
        default: true,
        description: "A database with automatic failover: regional Cloud SQL (gcp) or Multi-AZ RDS (aws).",
    },
    databaseBackupRetentionDays: {
        type: "integer",
        targets: GCP_AND_AWS,
        default: 14,
        description:
            "Days of automated backups: Cloud SQL keeps this many daily backups (1 to 365) with point-in-time recovery over min(7, this) days; RDS keeps backups and point-in-time recovery for this many days (1 to 35).",
    },
    loadBalancerIp: {
        type: "string",
        targets: GCP,
        default: "",
        description: "Internal IP for Flyte's load balancer, inside subnetCidr. Empty: one is reserved for you.",
    },
    loadBalancerGlobalAccess: {
        type: "boolean",
        targets: GCP,
        default: false,
        description: "Let clients in other regions of the VPC reach the internal load balancer.",
    },
    awsVpcCidr: {
        type: "string",
        targets: AWS,
        default: "10.0.0.0/16",
        description: "cloud aws: the VPC's range (/16 to /20), split into a private and a public subnet per zone.",
    },
    awsAvailabilityZones: {
        type: "integer",
        targets: AWS,
        default: 3,
        description: "cloud aws: how many availability zones the VPC, nodes and database span (2 to 6).",
    },
    awsNatGatewayPerZone: {
        type: "boolean",
        targets: AWS,
        default: true,
        description: "cloud aws: one NAT gateway per zone (survives a zone outage) rather than one in total.",
    },
    eksVersion: {
        type: "string",
        targets: AWS,
        default: "1.34",
        description: "cloud aws: Kubernetes version of the EKS cluster (standard support only).",
    },
    eksInstanceTypes: {
        type: "array",
        targets: AWS,
        default: ["m6i.xlarge"],
        description: "cloud aws: EC2 instance types of the managed node group.",
    },
    eksMinNodes: {
        type: "integer",
        targets: AWS,
        default: 2,
        description: "cloud aws: minimum nodes of the node group.",
    },
    eksMaxNodes: {
        type: "integer",
        targets: AWS,
        default: 6,
        description: "cloud aws: maximum nodes of the node group.",
    },
    eksSpotNodes: {
        type: "boolean",
        targets: AWS,
        default: false,
        description: "cloud aws: Spot capacity for the node group (cheaper, interruptible; for dev stacks).",
    },
    eksNodeDiskSizeGb: {
        type: "integer",
        targets: AWS,
        default: 100,
        description: "cloud aws: encrypted gp3 root volume of each node, in GB (20 to 2000).",
    },
    eksPublicAccessCidrs: {
        type: "array",
        targets: AWS,
        default: [],
        description:
            "cloud aws: CIDRs allowed to reach the EKS API over the internet (still IAM-authenticated). Empty: private endpoint only; run pulumi from inside the VPC.",
    },
    eksAdminPrincipals: {
        type: "array",
        targets: AWS,
        default: [],
        description:
            "cloud aws: IAM role or user ARNs that administer the cluster through access entries. Empty: the identity running pulumi up.",
    },
    eksContainerInsights: {
        type: "boolean",
        targets: AWS,
        default: true,
        description: "cloud aws: ship container logs to CloudWatch (Container Insights add-on) so task log links work.",
    },
    rdsEngineVersion: {
        type: "string",
        targets: AWS,
        default: "16",
        description: "cloud aws: RDS for PostgreSQL engine version, major (16) or major.minor (16.4).",
    },
    rdsInstanceClass: {
        type: "string",
        targets: AWS,
        default: "db.m6g.large",
        description: "cloud aws: RDS instance class, e.g. db.m6g.large or db.t4g.medium.",
    },
    rdsMaxAllocatedStorageGb: {
        type: "integer",
        targets: AWS,
        default: 200,
        description: "cloud aws: ceiling for RDS storage autoscaling, in GB.",
    },
    localKubeconfig: {
        type: "string",
        targets: LOCAL,
        default: "",
        description: "cloud local: path of the kubeconfig to deploy with. Empty: $KUBECONFIG, else ~/.kube/config.",
    },
    localKubeContext: {
        type: "string",
        targets: LOCAL,
        default: "",
        description: "cloud local: kubeconfig context to deploy into. Empty: the current context.",
    },
    localHttpNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30080,
        description: "cloud local: NodePort for Flyte's HTTP API and console (30000 to 32767).",
    },
    localGrpcNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30081,
        description: "cloud local: NodePort for Flyte's gRPC API (flytectl, pyflyte).",
    },
    localMinioNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30002,
        description: "cloud local: NodePort for MinIO's S3 API; pyflyte uploads code to it through signed URLs.",
    },
    localMinioConsoleNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30084,
        description: "cloud local: NodePort for the MinIO console.",
    },
    localDashboard: {
        type: "boolean",
        targets: LOCAL,
        default: false,
        description: "cloud local: install the Kubernetes dashboard (official chart) and link task logs to it.",
    },
    localDashboardNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30088,
        description: "cloud local: NodePort for the Kubernetes dashboard, when localDashboard is on.",
    },
    localStorageClass: {
        type: "string",
        targets: LOCAL,
        default: "",
        description: "cloud local: StorageClass of the Postgres and MinIO volumes. Empty: the cluster's default.",
    },
    localPostgresImage: {
        type: "string",
        targets: LOCAL,
        default: "docker.io/library/postgres:16.6-alpine",
        description: "cloud local: Postgres image (the official one).",
    },
    localPostgresVolumeGi: {
        type: "integer",
        targets: LOCAL,
        default: 5,
        description: "cloud local: size of the Postgres volume in GiB.",
    },
    localMinioImage: {
        type: "string",
        targets: LOCAL,
        default: "quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z",
        description: "cloud local: MinIO server image.",
    },
    localMinioClientImage: {
        type: "string",
        targets: LOCAL,
        default: "quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z",
        description: "cloud local: MinIO client image, used once to create the buckets.",
    },
    localMinioVolumeGi: {
        type: "integer",
        targets: LOCAL,
        default: 20,
        description: "cloud local: size of the MinIO volume in GiB.",
    },
} as const satisfies Record<string, KeySpec>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/**
 * The provider namespaces whose keys belong to one target: every `gcp:` key (ours or the provider's) configures
 * cloud gcp, every `aws:` key cloud aws.
 */
export const PROVIDER_NAMESPACES = { gcp: "gcp", aws: "aws" } as const satisfies Record<string, Cloud>;
export type ProviderNamespace = keyof typeof PROVIDER_NAMESPACES;

/** Provider keys this program reads (owned by the provider's namespace, so not declared in Pulumi.yaml). */
export const PROVIDER_KEYS = {
    "gcp:project": "GCP project id that receives every resource (required for cloud gcp).",
    "gcp:region": "GCP region, e.g. europe-west1 (required for cloud gcp).",
    "aws:region": "AWS region, e.g. eu-central-1 (required for cloud aws).",
} as const;

/** Reserved NodePort range of a default Kubernetes API server. */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
