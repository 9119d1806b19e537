import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { TaskLogLink } from "./platform";

/**
 * Flyte across clusters (the deployment guide's third style): one control-plane stack (flyteadmin, the console,
 * datacatalog, the scheduler, the cluster resource sync) and any number of data-plane stacks (a cluster with
 * flytepropeller), each its own Pulumi stack, joined through StackReference. What each side publishes for the other
 * is typed here, once; the stack outputs `controlPlane`/`controlPlaneClientSecret` and `dataPlane`/`dataPlaneToken`
 * carry it. Pure types and names.
 */

/** `flyte:clusterRole`. */
export const CLUSTER_ROLES = ["standalone", "controlPlane", "dataPlane"] as const;
export type ClusterRole = (typeof CLUSTER_ROLES)[number];

/**
 * The execution cluster label and cluster id of the control plane's own cluster, where it runs flytepropeller too
 * (`flyte:controlPlanePropeller`).
 */
export const CONTROL_PLANE_CLUSTER = "control-plane";

/** One data plane the control plane sends executions to (`flyte:dataPlanes`, `<name>=<stack>`). */
export interface DataPlaneRef {
    /** The cluster's id in flyteadmin and its execution cluster label: a DNS label. */
    readonly name: string;
    /** The data plane's stack as StackReference names it (`<org>/<project>/<stack>`, or shorter). */
    readonly stack: string;
}

/** Where a project's (or one project-domain's) executions run (`flyte:executionRoutes`). */
export interface ExecutionRoute {
    readonly project: string;
    /** Absent: every domain of the project. */
    readonly domain?: string;
    /** A data plane's name, or CONTROL_PLANE_CLUSTER where the control plane runs flytepropeller. */
    readonly cluster: string;
}

/** The control-plane role's config. */
export interface ControlPlaneConfig {
    readonly role: "controlPlane";
    /** The data planes, in config order; their names are distinct. */
    readonly dataPlanes: readonly DataPlaneRef[];
    /** flytepropeller also runs in the control plane's own cluster (cluster and label CONTROL_PLANE_CLUSTER). */
    readonly propeller: boolean;
    /** The execution cluster label of executions without a route: a data plane's name or CONTROL_PLANE_CLUSTER. */
    readonly defaultCluster: string;
    /** Routes by project or project-domain; validated against the projects, domains and clusters. */
    readonly routes: readonly ExecutionRoute[];
}

/** The data-plane role's config. */
export interface DataPlaneConfig {
    readonly role: "dataPlane";
    /** The control plane's stack as StackReference names it. */
    readonly controlPlaneStack: string;
    /** A raw-data bucket of the data plane's own; false: the control plane's user-data bucket. */
    readonly rawDataBucket: boolean;
    /**
     * Which generation of the token flyteadmin uses here: raising it makes a new token (the previous one stays valid
     * until the next raise, so the control plane keeps working until its own `pulumi up`).
     */
    readonly tokenGeneration: number;
}

/** `StackConfig.multiCluster`: absent for a standalone stack. */
export type MultiClusterConfig = ControlPlaneConfig | DataPlaneConfig;

// ---- What the control plane publishes (stack outputs `controlPlane` and `controlPlaneClientSecret`) ----

/** A gRPC endpoint as Flyte's clients are configured with it. */
export interface GrpcEndpoint {
    /** `host:port`. */
    readonly endpoint: string;
    /** Plaintext (h2c): an internal load balancer. False: TLS (Flyte's HTTPS name). */
    readonly insecure: boolean;
}

/** The clouds a multi-cluster deployment may be on; every stack of one deployment is on the same one. */
export const MULTI_CLUSTER_CLOUDS = ["gcp", "aws"] as const;
export type MultiClusterCloud = (typeof MULTI_CLUSTER_CLOUDS)[number];

/** A GCP control plane's network, as its data planes join it. */
export interface GcpControlPlaneNetworkOutput {
    readonly cloud: "gcp";
    /** The project, which every stack of a multi-cluster deployment shares (Workload Identity's one pool). */
    readonly gcpProject: string;
    /** The VPC network (self link) data planes put their subnets in. */
    readonly network: string;
    /** The control plane's node subnet and pod ranges: data planes let these reach their API servers. */
    readonly clientRanges: readonly string[];
    /** Every range the control plane uses in the network (subnet, pods, services, private services…): a data plane's must not overlap them. */
    readonly networkRanges: readonly string[];
}

/** An AWS control plane's network, as its data planes join it. */
export interface AwsControlPlaneNetworkOutput {
    readonly cloud: "aws";
    /** The account, which every stack of a multi-cluster deployment shares (only the VPC's owner adds CIDR blocks to it). */
    readonly awsAccountId: string;
    /** The VPC data planes associate a CIDR block of their own with. */
    readonly vpcId: string;
    /** The VPC's primary IPv4 CIDR: it decides which blocks the VPC accepts beside it. */
    readonly vpcCidr: string;
    /** The VPC's internet gateway (one per VPC): a data plane's public subnets route to it. */
    readonly internetGatewayId: string;
    /**
     * The EKS cluster security group, on the control plane's nodes (and so its pods): data planes admit it to their
     * API servers' private endpoints.
     */
    readonly clusterSecurityGroupId: string;
    /** The VPC's primary CIDR: where the control plane's calls to the data planes' API servers come from. */
    readonly clientRanges: readonly string[];
    /** The VPC's primary CIDR and the cluster's service range: a data plane's block must not overlap them. */
    readonly networkRanges: readonly string[];
}

/** What every control plane publishes of its network. */
export interface ControlPlaneNetworkBase {
    /** The control plane's region. */
    readonly region: string;
    /**
     * flyteadmin's endpoint answers clients in every region of the network (an HTTPS name, or an internal load
     * balancer with global access); false: only in `region`, so a data plane elsewhere is refused.
     */
    readonly adminGlobalAccess: boolean;
}

/** What a control plane's platform publishes of its network: the region, and the cloud's own way in. */
export type ControlPlaneNetworkOutput = ControlPlaneNetworkBase & (GcpControlPlaneNetworkOutput | AwsControlPlaneNetworkOutput);

/** A GCP control plane's `controlPlane` output. */
export type GcpControlPlaneOutput = ControlPlaneNetworkBase & GcpControlPlaneNetworkOutput & ControlPlaneFlyteOutput;
/** An AWS control plane's `controlPlane` output. */
export type AwsControlPlaneOutput = ControlPlaneNetworkBase & AwsControlPlaneNetworkOutput & ControlPlaneFlyteOutput;
/** The control plane's side of the join, as a plain (non-secret) stack output. */
export type ControlPlaneOutput = GcpControlPlaneOutput | AwsControlPlaneOutput;

/** What a control plane publishes of Flyte, on every cloud. */
export interface ControlPlaneFlyteOutput {
    /** Flyte's namespace on the control plane (and, by convention, on every data plane). */
    readonly flyteNamespace: string;
    /** flyteadmin's gRPC API as data-plane pods reach it. */
    readonly admin: GrpcEndpoint;
    /**
     * datacatalog's gRPC API as data-plane pods reach it: an internal load balancer the control plane creates from its
     * first `pulumi up` on, admitting its own ranges until data planes are registered and then only theirs.
     */
    readonly datacatalog: GrpcEndpoint;
    /** Where every cluster writes execution metadata (flyteadmin reads it). */
    readonly metadataBucket: string;
    /** Raw task outputs of data planes without a bucket of their own. */
    readonly userDataBucket: string;
    /** With project isolation: each project's own bucket, by project (its raw outputs, wherever it runs). */
    readonly projectBuckets: Readonly<Record<string, string>>;
    /** Each project has its own bucket and identity (its data locations set by the control plane). */
    readonly projectIsolation: boolean;
    /** Cloud identities the data planes grant on what they own (GCP: service account emails). */
    readonly identities: {
        /** flyteadmin's: signs URLs for (and so must read) every raw-data bucket. */
        readonly flyteadmin: string;
        /** Task pods' (shared worker), absent with project isolation. */
        readonly worker?: string;
        /** With project isolation: each project's task identity. */
        readonly projectWorkers: Readonly<Record<string, string>>;
    };
    /** With sign-in: the client id flytepropeller uses (its secret: `controlPlaneClientSecret`). */
    readonly propellerClientId?: string;
    /**
     * Flyte's projects, domains (ids and display names) and namespace template: the control plane's cluster resource
     * sync creates the namespaces in every cluster, and each data plane's flytepropeller watches them.
     */
    readonly projects: readonly string[];
    readonly domains: readonly string[];
    readonly domainNames: Readonly<Record<string, string>>;
    readonly namespaceTemplate: string;
    /** The flyte-core chart's version and repository: flytepropeller runs the control plane's Flyte version. */
    readonly chartVersion: string;
    readonly chartRepository: string;
}

// ---- What a data plane publishes (stack outputs `dataPlane` and `dataPlaneToken`) ----

/** What a data plane's platform publishes of its cloud. */
export type DataPlaneCloudOutput =
    | { readonly cloud: "gcp" }
    | {
          readonly cloud: "aws";
          /** The cluster's IAM OIDC provider: the control plane's task roles trust it (IRSA). */
          readonly oidcProviderArn: string;
          /** Its issuer without the scheme (`oidc.eks.<region>.amazonaws.com/id/<id>`): the trust conditions' key. */
          readonly oidcIssuer: string;
      };

/** What every data plane publishes. */
export interface DataPlaneJoinOutput {
    /** The Kubernetes API server as the control plane's pods reach it (`https://<private address>`). */
    readonly apiEndpoint: string;
    /** The API server's CA certificate, PEM. */
    readonly caCertificate: string;
    /** The service account flyteadmin acts as there (`<namespace>/<name>`). */
    readonly adminServiceAccount: string;
    /** The token's generation (`flyte:dataPlaneTokenGeneration`). */
    readonly tokenGeneration: number;
    /**
     * The data plane's pod range (GCP: the pods' secondary range; AWS: its VPC block, from which the VPC CNI gives pods
     * their addresses): what may reach the control plane's datacatalog.
     */
    readonly podRange: string;
    /** Its own raw-data bucket; absent: the control plane's user-data bucket. */
    readonly rawDataBucket?: string;
}

/** The data plane's side of the join, as a plain (non-secret) stack output. */
export type DataPlaneOutput = DataPlaneCloudOutput & DataPlaneJoinOutput;

/** A data plane as the control plane resolved it from its stack reference. */
export interface ResolvedDataPlane {
    readonly ref: DataPlaneRef;
    readonly output: DataPlaneOutput;
    /** The token (a Pulumi secret). */
    readonly token: pulumi.Output<string>;
}

/** The control plane as a data plane resolved it. */
export interface ResolvedControlPlane {
    readonly stack: string;
    readonly output: ControlPlaneOutput;
    /** With sign-in: flytepropeller's client secret (a Pulumi secret). */
    readonly clientSecret?: pulumi.Output<string>;
}

/** What a control-plane platform adds for its data planes (`FlytePlatform.controlPlane`). */
export interface ControlPlaneNetwork {
    /** What the control plane publishes of its network (region, cloud, the way in), in the `controlPlane` output. */
    readonly published: pulumi.Output<ControlPlaneNetworkOutput>;
    /**
     * Where the control plane's own calls come from (GCP: node subnet and pods; AWS: the VPC's primary CIDR): who may
     * reach datacatalog's load balancer while no data plane is registered.
     */
    readonly clientRanges: readonly string[];
    /**
     * Annotations of an internal TCP load balancer the data planes reach (datacatalog's Service for the data planes):
     * GKE's with global access, AWS's internal NLB.
     */
    readonly internalServiceAnnotations: Readonly<Record<string, string>>;
}

/**
 * What a data-plane platform hands the Flyte layer: the cluster flytepropeller runs in, propeller's cloud identity and
 * where raw data goes. Everything else (database, endpoint, task identities) is the control plane's.
 */
export interface FlyteDataPlanePlatform {
    readonly kubernetesProvider: k8s.Provider;
    /** A Pulumi secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    /** The API server as the control plane's pods reach it (`https://<private address>`). */
    readonly apiEndpoint: pulumi.Output<string>;
    /** The pod range (published for the control plane's datacatalog firewalling). */
    readonly podRange: string;
    /** What the data plane publishes of its cloud (AWS: the OIDC provider the control plane's task roles trust). */
    readonly published: pulumi.Output<DataPlaneCloudOutput>;
    /** Plain environment variables for task pods here (`default-env-vars`); absent: none. */
    readonly taskEnvironment?: Readonly<Record<string, string>>;
    /** flytepropeller's cloud identity: the service-account annotation and its value. */
    readonly propellerIdentity: { readonly annotationKey: string; readonly value: pulumi.Output<string> };
    /** The bucket raw task outputs go to: the data plane's own, or the control plane's user-data bucket. */
    readonly rawDataBucket: pulumi.Output<string>;
    /** True when `rawDataBucket` is the data plane's own. */
    readonly ownRawDataBucket: boolean;
    /** Links from a task in the console to its logs (Cloud Logging or CloudWatch of this cluster). */
    readonly taskLogs: readonly TaskLogLink[];
    /** What flytepropeller needs before it starts (node pool, NAT, its identity's grants and binding). */
    readonly releaseDependencies: readonly pulumi.Resource[];
}

// ---- A data plane's checks against its control plane (each cloud's dataPlaneChecks.ts) ----

/** One thing wrong with a data plane for its control plane, said the way a config error is: the key, its value, what is allowed. */
export interface DataPlaneProblem {
    /** The full config key, e.g. `flyte:podsCidr` or `gcp:project`. */
    readonly key: string;
    /** The key's value in this stack. */
    readonly value: string | boolean;
    /** What is allowed instead, and why. */
    readonly allowed: string;
    /** One line: `invalid config <key> = <value>: <allowed>`. */
    readonly message: string;
}

/** A DataPlaneProblem with its one-line message. */
export function dataPlaneProblem(key: string, value: string | boolean, allowed: string): DataPlaneProblem {
    return { key, value, allowed, message: `invalid config ${key} = ${JSON.stringify(value)}: ${allowed}` };
}

/**
 * What is wrong with a data plane's raw data and task identities on every cloud: a bucket of its own next to the
 * control plane's project isolation (each project's raw data goes to that project's bucket), and a control plane output
 * that names no task identity.
 */
export function dataPlaneStorageProblems(controlPlane: ControlPlaneFlyteOutput, stack: string, rawDataBucket: boolean): DataPlaneProblem[] {
    const problems: DataPlaneProblem[] = [];
    if (rawDataBucket && controlPlane.projectIsolation) {
        problems.push(
            dataPlaneProblem(
                "flyte:dataPlaneRawBucket",
                true,
                `false: the control plane (stack ${stack}) has project isolation, so each project's raw data goes to that project's own bucket`,
            ),
        );
    }
    if (!controlPlane.projectIsolation && controlPlane.identities.worker === undefined) {
        problems.push(dataPlaneProblem("flyte:controlPlaneStack", stack, "a control plane that names its task pods' identity (identities.worker)"));
    }
    return problems;
}
