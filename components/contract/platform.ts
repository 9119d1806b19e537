import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AuthenticationConfig, HttpsConfig, NotificationsConfig, ProtectionConfig, RegistryConfig, StackConfig } from "./config";
import type { FlyteWorkloads } from "./identities";
import type { ControlPlaneNetwork, DataPlaneOutput } from "./multiCluster";
import type { PlatformOutputs } from "./outputs";

/**
 * What a cloud (or local) platform hands to the cloud-agnostic Flyte layer. Each platform builds one of these
 * from its own resources; the Flyte release is computed from it alone.
 */
export interface FlytePlatform {
    /** Talks to the cluster Flyte is installed into. */
    readonly kubernetesProvider: k8s.Provider;
    /** The same cluster access for people and other stacks; a Pulumi secret. */
    readonly kubeconfig: pulumi.Output<string>;
    /** The cluster's name (GKE, EKS, or the local context's), for people and the stack outputs. */
    readonly clusterName: pulumi.Output<string>;
    /** The PostgreSQL database flyteadmin and datacatalog share. */
    readonly database: FlyteDatabase;
    /** The object store: GCS, AWS S3, or an S3-compatible store with static keys (MinIO). */
    readonly storage: FlyteStorage;
    /** Cloud identities for the backend and task pods; absent where there are none (local). */
    readonly identity?: FlyteWorkloadIdentity;
    /** Links from a task in the console to its logs (Cloud Logging, CloudWatch, the dashboard); may be empty. */
    readonly taskLogs: readonly TaskLogLink[];
    /** Plain environment variables for every task pod (nothing secret). */
    readonly taskEnvironment?: Readonly<Record<string, string>>;
    /** How clients reach Flyte's two ports: an internal load balancer, or NodePorts on the workstation. */
    readonly exposure: FlyteExposure;
    /**
     * Resources Flyte relies on at start-up that are not among the release's inputs: identity grants, the node
     * pool that runs it, the NAT its image pulls go through. The release waits for these and nothing else.
     */
    readonly releaseDependencies: readonly pulumi.Resource[];
    /**
     * What makes each identity usable, by identity request key: its grants on buckets and topics, its Workload
     * Identity binding or its role's policies; what checks an identity at work (the verification's task pod) waits
     * for these. Empty where identities need nothing besides (local).
     */
    readonly identityGrants: Readonly<Record<string, readonly pulumi.Resource[]>>;
    /**
     * The OpenID Connect provider users sign in through (the team's own, or one the platform created, e.g. a Cognito
     * user pool); absent: Flyte without authentication.
     */
    readonly signIn?: OidcSignIn;
    /** Where flyteadmin sends notifications and execution events; absent or empty: neither. */
    readonly messaging?: FlyteMessaging;
    /** Stack outputs that exist on this target only (local: MinIO's console and credentials, the dashboard). */
    readonly extraOutputs?: PlatformOutputs;
    /** On a multi-cluster control plane: what its data planes join (network, client ranges, internal load balancer). */
    readonly controlPlane?: ControlPlaneNetwork;
}

/** Which deployment this is: every platform derives its resource names, labels and tags from it. */
export interface DeploymentId {
    /** The Pulumi project's name (`name` in Pulumi.yaml), e.g. `flyte`. */
    readonly pulumiProject: string;
    /** The stack's name, e.g. `dev`: two stacks of one project get different names for everything they create. */
    readonly stack: string;
}

/**
 * What every platform is built from, whatever its target: its part of the stack's config and the rest the stack
 * decides once. Each platform derives its names, labels and tags from these itself.
 */
export interface FlytePlatformArgs<TConfig> {
    /** The target's own config section (`StackConfig.gcp`, `.aws` or `.local`), already validated. */
    readonly config: TConfig;
    /**
     * Whether stateful resources (cluster, database, buckets, volumes) refuse deletion, and whether buckets that
     * still hold objects may be destroyed. Shared by every target so that one config key means the same everywhere.
     */
    readonly protection: ProtectionConfig;
    /** The Pulumi project and stack: resource names, labels and tags follow from them, unique per deployment. */
    readonly deployment: DeploymentId;
    /**
     * The identities Flyte asks for and what each may touch: the platform gives each one a cloud identity (a Google
     * service account, an IAM role) or, locally, storage credentials of its own.
     */
    readonly workloads: FlyteWorkloads;
    /**
     * Flyte on its own DNS name over HTTPS: the platform builds the certificate, the L7 load balancer and the DNS
     * records, and exposes Flyte as `HttpsExposure`. Absent: the internal plaintext endpoint, as before.
     */
    readonly https?: HttpsConfig;
    /**
     * How users sign in: the platform hands the Flyte layer the OIDC provider (`FlytePlatform.signIn`), passing an
     * external one through or creating one (AWS: a Cognito user pool). Never other than `none` without `https`.
     */
    readonly authentication: AuthenticationConfig;
    /**
     * Email notifications: the platform creates the messaging flyteadmin publishes and consumes them through (AWS:
     * SNS and SQS, GCP: Pub/Sub, local: in process), grants flyteadmin exactly that, and hands the Flyte layer
     * `FlytePlatform.messaging.notifications`. Absent: off.
     */
    readonly notifications?: NotificationsConfig;
    /** Publish execution events to a topic of the platform's (`FlytePlatform.messaging.events`); gcp and aws only. */
    readonly executionEvents: boolean;
    /**
     * A registry for task images that the cluster's nodes pull from, with keyless push for one GitHub repository;
     * gcp and aws only. The platform states its address and CI identity in `extraOutputs`. Absent: none.
     */
    readonly registry?: RegistryConfig;
    /**
     * This stack is a multi-cluster control plane (`flyte:clusterRole controlPlane`, gcp and aws): the platform also
     * states what its data planes join (`FlytePlatform.controlPlane`: its network as published, the ranges that may
     * reach datacatalog before any data plane is registered, the annotations of an internal load balancer they reach).
     * On AWS the task roles also trust each registered data plane's OIDC provider and may use its raw-data bucket
     * (identity policies; on GCP the data plane grants on what it owns). Absent: a standalone stack.
     */
    readonly controlPlane?: {
        /** The data planes that have published their outputs, in config order. */
        readonly dataPlanes: readonly DataPlaneOutput[];
    };
}

/**
 * What every platform is built from besides its own config section, from the stack's config; a control plane's also
 * from the data planes it has read (none given: none registered yet).
 */
export function commonPlatformArgs(
    config: StackConfig,
    workloads: FlyteWorkloads,
    dataPlanes: readonly DataPlaneOutput[] = [],
): Omit<FlytePlatformArgs<unknown>, "config"> {
    return {
        protection: config.protection,
        deployment: { pulumiProject: config.pulumiProject, stack: config.stack },
        workloads,
        https: config.https,
        authentication: config.authentication,
        notifications: config.notifications,
        executionEvents: config.executionEvents,
        registry: config.registry,
        ...(config.multiCluster?.role === "controlPlane" && { controlPlane: { dataPlanes: [...dataPlanes] } }),
    };
}

/** A PostgreSQL database for Flyte, as pods in the cluster reach it. */
export interface FlyteDatabase {
    /** Host name or IP address (Cloud SQL's private IP, the RDS endpoint, the in-cluster Service). */
    readonly host: pulumi.Output<string>;
    /** TCP port (5432). */
    readonly port: number;
    /** The database's name. */
    readonly name: pulumi.Output<string>;
    /** The role Flyte logs in as. */
    readonly username: pulumi.Output<string>;
    /** A Pulumi secret. */
    readonly password: pulumi.Output<string>;
    /** libpq connection options Flyte passes through, e.g. `sslmode=require`. */
    readonly options: string;
}

/**
 * Where Flyte keeps its data, as one of three kinds of object store that cannot be mistaken for one another: each
 * carries exactly what its kind needs (a GCP project; an AWS region; an endpoint and static keys), so a store with
 * keys but no endpoint, or with project isolation but no project keys, does not type-check.
 */
export type FlyteStorage = GcsStorage | AwsS3Storage | S3CompatibleStorage;

/** The two buckets every store has, by name. */
interface FlyteBuckets {
    /**
     * Flyte's metadata bucket (execution metadata, uploaded code), by name. Shared by every project; with project
     * isolation each project may touch only its own prefixes in it (`projectMetadataPrefixes`).
     */
    readonly metadataBucket: pulumi.Output<string>;
    /** The bucket raw task outputs go to by default, by name. Without project isolation every project writes here. */
    readonly userDataBucket: pulumi.Output<string>;
}

/** One isolated project's own data bucket. */
export interface ProjectBucket {
    /** The bucket's name; the project's raw outputs go under `<bucket>/data` (components/flyte/projectDataLocations.ts). */
    readonly bucket: pulumi.Output<string>;
}

/** Google Cloud Storage, reached with each pod's Google service account (Workload Identity): no keys anywhere. */
export interface GcsStorage extends FlyteBuckets {
    /** Tells this kind of store apart. */
    readonly provider: "gcs";
    /** The GCP project id the buckets belong to (Flyte's `storage.gcs.projectId`). */
    readonly project: string;
    /**
     * With project isolation: each isolated project's own bucket, by project id; empty otherwise. A project missing
     * here fails the plan (ProjectDataLocations) rather than write into the shared bucket.
     */
    readonly projects: Readonly<Record<string, ProjectBucket>>;
}

/** AWS S3, reached with each pod's IAM role (IRSA): no keys, no custom endpoint, always TLS. */
export interface AwsS3Storage extends FlyteBuckets {
    /** Tells this kind of store apart. */
    readonly provider: "s3";
    /** The buckets' AWS region, e.g. `eu-central-1`: the S3 client signs for it and presigns URLs with it. */
    readonly region: string;
    /** With project isolation: each isolated project's own bucket, by project id; empty otherwise. */
    readonly projects: Readonly<Record<string, ProjectBucket>>;
}

/** An S3 access key pair, both Pulumi secrets: they never appear in chart values, only in Kubernetes Secrets. */
export interface S3AccessKey {
    /** The access key id (`AWS_ACCESS_KEY_ID`). */
    readonly id: pulumi.Output<string>;
    /** The secret access key (`AWS_SECRET_ACCESS_KEY`). */
    readonly secret: pulumi.Output<string>;
}

/** One isolated project's own bucket on a store with static keys, and the key that reaches only that bucket. */
export interface KeyedProjectBucket extends ProjectBucket {
    /** The project's own key: its task pods get it instead of Flyte's, which reaches every bucket. */
    readonly accessKey: S3AccessKey;
}

/**
 * An S3-compatible object store reached with static access keys at an endpoint of its own (MinIO in the cluster).
 * Pods have no cloud identity here, so Flyte and its task pods get keys, from Secrets this program creates.
 */
export interface S3CompatibleStorage extends FlyteBuckets {
    /** Tells this kind of store apart. */
    readonly provider: "s3-compatible";
    /** The region the S3 client signs for; MinIO accepts its configured one (default `us-east-1`). */
    readonly region: string;
    /** The S3 API as pods reach it, e.g. `http://minio.flyte-deps.svc.cluster.local:9000`. */
    readonly endpoint: string;
    /** Plain HTTP to the endpoint (true for an in-cluster MinIO without certificates). */
    readonly disableSSL: boolean;
    /** Flyte's own key: reaches the metadata, user-data and every project bucket. */
    readonly accessKey: S3AccessKey;
    /**
     * The endpoint written into signed URLs, where clients outside the cluster reach the store elsewhere than pods
     * do (a NodePort on the workstation, e.g. `http://localhost:30002`); absent: the pods' endpoint.
     */
    readonly signedUrlEndpoint?: string;
    /**
     * With project isolation: each isolated project's bucket and its own key, by project id; empty otherwise. A
     * bucket always comes with its key, so an isolated project's task pods never fall back to Flyte's key.
     */
    readonly projects: Readonly<Record<string, KeyedProjectBucket>>;
}

/** How Kubernetes service accounts are tied to cloud identities (GKE Workload Identity, EKS IRSA). */
export interface FlyteWorkloadIdentity {
    /** The service-account annotation the cluster reads, e.g. `iam.gke.io/gcp-service-account`. */
    readonly annotationKey: string;
    /** The annotation value (a Google service account email, an IAM role ARN) of each identity request, by key. */
    readonly identities: Readonly<Record<string, pulumi.Output<string>>>;
    /**
     * The identity pods get without a binding of their own (GKE: the nodes' Google service account): a task pod that
     * runs as it tells the verification that Workload Identity is not in effect on its node. Absent where none.
     */
    readonly nodeIdentity?: pulumi.Output<string>;
    /**
     * With project isolation: project p's task identity is `prefix + p + suffix`, so that Flyte's cluster resource
     * templates can annotate the namespaces of any project, including ones it creates itself.
     */
    readonly projectWorkerPattern?: pulumi.Output<{
        /** What comes before the project id, e.g. `flyte-prod-worker-` or `arn:aws:iam::<account>:role/<prefix>`. */
        readonly prefix: string;
        /** What comes after it, e.g. `@<project>.iam.gserviceaccount.com`; empty for IAM roles. */
        readonly suffix: string;
    }>;
}

/** A link from a task in the Flyte console to its logs. */
export interface TaskLogLink {
    /** Flyte's logging plugin the link is for (Cloud Logging, CloudWatch, the Kubernetes dashboard). */
    readonly plugin: "stackdriver" | "cloudwatch" | "kubernetes";
    /** Flyte log template (https://docs.flyte.org/en/latest/user_guide/productionizing/configuring_logging_links_in_the_ui.html). */
    readonly templateUri: string;
}

/** How clients reach Flyte's HTTP (console, REST) and gRPC ports. */
export type FlyteExposure = LoadBalancerExposure | NodePortExposure | HttpsExposure;

/** Flyte's endpoint Service as the Flyte layer declared it, for a platform to route its load balancer to. */
export interface EndpointServiceRef {
    /** The Service's namespace (Flyte's), read from the Service so that what uses it waits for it. */
    readonly namespace: pulumi.Output<string>;
    /** The Service's name. */
    readonly name: pulumi.Output<string>;
    /** The port serving the console, the REST API and `/healthcheck` over HTTP/1.1 (8088). */
    readonly httpPort: number;
    /** The port serving gRPC over cleartext HTTP/2 (h2c) (8089). */
    readonly grpcPort: number;
}

/**
 * Flyte on its own DNS name over HTTPS: the cloud's L7 load balancer terminates TLS with a managed certificate and
 * carries the console, the REST API and gRPC on port 443 of the same name, gRPC paths to the gRPC port.
 */
export interface HttpsExposure {
    /** Tells this kind of exposure apart. */
    readonly kind: "https";
    /** The DNS name clients use, e.g. `flyte.ml.example.com`. */
    readonly hostname: string;
    /**
     * How the load balancer reaches the Service: `ClusterIP` (GKE's container-native load balancing to the pods), or
     * `NodePort` with fixed ports (an ALB's instance targets).
     */
    readonly service: { readonly type: "ClusterIP" } | { readonly type: "NodePort"; readonly httpNodePort: number; readonly grpcNodePort: number };
    /** The gRPC port's `appProtocol`, where the load balancer reads the backend protocol from it (GKE: `kubernetes.io/h2c`). */
    readonly grpcAppProtocol?: string;
    /** Annotations of the Service. */
    readonly serviceAnnotations: Readonly<Record<string, string>>;
    /**
     * Points the load balancer at the Service once it is declared (GKE: the HTTPRoutes and health-check policies)
     * and returns what it created, declared with `opts` (the Flyte component as parent, the cluster's provider); a
     * platform whose load balancer needs nothing more returns none.
     */
    readonly attach: (service: EndpointServiceRef, opts: pulumi.CustomResourceOptions) => readonly pulumi.Resource[];
    /**
     * DNS records a person must create because the program has no zone to write them to (the certificate's
     * validation record, the name's address); empty when the program writes them.
     */
    readonly dnsRecordsToCreate: pulumi.Output<readonly DnsRecord[]>;
}

/** A DNS record, as a person would create it at their DNS provider. */
export interface DnsRecord {
    /** Fully qualified name, with a trailing dot, e.g. `flyte.ml.example.com.`. */
    readonly name: string;
    /** `A`, `CNAME`, … */
    readonly type: string;
    /** The record's values. */
    readonly values: readonly string[];
    /** What it is for: `address of the Flyte endpoint`, `certificate validation`. */
    readonly purpose: string;
}

/**
 * The OpenID Connect provider users sign in through. flyteadmin is the relying party for people signing in to the
 * console, and its own OAuth2 authorization server for flytectl, pyflyte (PKCE), flytepropeller and CI (client
 * credentials), which never talk to the provider.
 */
export interface OidcSignIn {
    /** The issuer URL (flyteadmin's `userAuth.openId.baseUrl`). */
    readonly issuerUrl: pulumi.Output<string>;
    /** The client id registered for Flyte at the provider. */
    readonly clientId: pulumi.Output<string>;
    /** The client's secret: a Pulumi secret, only ever written to a Kubernetes Secret. */
    readonly clientSecret: pulumi.Output<string>;
    /** Scopes flyteadmin requests when a user signs in. */
    readonly scopes: readonly string[];
}

/** A cloud load balancer in front of Flyte (internal on every cloud target). */
export interface LoadBalancerExposure {
    /** Tells this kind of exposure apart. */
    readonly kind: "loadBalancer";
    /** Annotations that make the cloud's load balancer internal and place it. */
    readonly annotations: Readonly<Record<string, string>>;
    /** A reserved internal address for the load balancer (GKE); absent: the cloud picks one. */
    readonly loadBalancerIP?: pulumi.Output<string>;
    /** The address clients use; absent when the cloud assigns one (read from the Service's status). */
    readonly host?: pulumi.Output<string>;
}

/** Fixed NodePorts, mapped to the workstation by kind, k3d or Docker Desktop. */
export interface NodePortExposure {
    /** Tells this kind of exposure apart. */
    readonly kind: "nodePort";
    /** The NodePort of Flyte's HTTP port (30000-32767, mapped to the workstation by the cluster's config). */
    readonly httpNodePort: number;
    /** The NodePort of Flyte's gRPC port. */
    readonly grpcNodePort: number;
    /** The address clients use, e.g. localhost. */
    readonly host: string;
}

/** A Kubernetes service account, by namespace and name. */
export interface KubernetesServiceAccountRef {
    /** Its namespace. */
    readonly namespace: string;
    /** Its name. */
    readonly name: string;
}

/** flyteadmin's messaging: the notification queue and email, and the execution events topic. */
export interface FlyteMessaging {
    /** Email notifications; absent: off. */
    readonly notifications?: FlyteNotifications;
    /** Execution events for other teams; absent: off. */
    readonly events?: FlyteEventsTopic;
}

/**
 * Where flyteadmin publishes a launch plan's notifications and from where it consumes them to send the emails
 * (flyteadmin's `notifications.type`): an SNS topic with an SQS queue subscribed (aws), a Pub/Sub topic and
 * subscription (gcp), or an in-process channel (sandbox, local).
 */
export type NotificationChannel =
    | {
          readonly type: "aws";
          /** The region of the topic and queue (and of SES). */
          readonly region: string;
          /** The SNS topic's ARN, which flyteadmin publishes to. */
          readonly topicArn: pulumi.Output<string>;
          /** The SQS queue's name, which flyteadmin consumes. */
          readonly queueName: pulumi.Output<string>;
          /** The AWS account that owns the queue. */
          readonly accountId: pulumi.Output<string>;
      }
    | {
          readonly type: "gcp";
          /** The project of the topic and subscription. */
          readonly project: string;
          /** The Pub/Sub topic's short name, which flyteadmin publishes to. */
          readonly topic: pulumi.Output<string>;
          /** The subscription's short name, which flyteadmin consumes. */
          readonly subscription: pulumi.Output<string>;
      }
    | { readonly type: "sandbox" };

/** How flyteadmin sends the emails; credentials as Pulumi secrets, only ever written to Kubernetes Secrets. */
export type EmailDelivery =
    | { readonly service: "ses" }
    | { readonly service: "sendgrid"; readonly apiKey: pulumi.Output<string> }
    | {
          readonly service: "smtp";
          readonly server: string;
          readonly port: number;
          readonly username: string;
          readonly password: pulumi.Output<string>;
      };

/** Email notifications, as the Flyte layer configures flyteadmin for them. */
export interface FlyteNotifications {
    /** The queue flyteadmin publishes to and consumes. */
    readonly channel: NotificationChannel;
    /** The From address. */
    readonly sender: string;
    /** How the emails leave. */
    readonly email: EmailDelivery;
}

/** The topic flyteadmin publishes execution events to (flyteadmin's `externalEvents`). */
export type FlyteEventsTopic =
    | {
          readonly type: "aws";
          /** The topic's region. */
          readonly region: string;
          /** The SNS topic's ARN. */
          readonly topicArn: pulumi.Output<string>;
      }
    | {
          readonly type: "gcp";
          /** The topic's project. */
          readonly project: string;
          /** The Pub/Sub topic's short name. */
          readonly topic: pulumi.Output<string>;
      };
