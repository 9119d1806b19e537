import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * What a cloud (or local) platform hands to the cloud-agnostic Flyte layer. Each platform builds one of these
 * from its own resources; the Flyte release is computed from it alone.
 */
export interface FlytePlatform {
    /** Talks to the cluster Flyte is installed into. */
    readonly kubernetesProvider: k8s.Provider;
    /** The same cluster access for people and other stacks; a Pulumi secret. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly database: FlyteDatabase;
    readonly storage: FlyteStorage;
    /** Cloud identities for the backend and task pods; absent where there are none (local). */
    readonly identity?: FlyteWorkloadIdentity;
    readonly taskLogs: readonly TaskLogLink[];
    /** Plain environment variables for every task pod (nothing secret). */
    readonly taskEnvironment?: Readonly<Record<string, string>>;
    readonly exposure: FlyteExposure;
    /**
     * Resources Flyte relies on at start-up that are not among the release's inputs: identity grants, the node
     * pool that runs it, the NAT its image pulls go through. The release waits for these and nothing else.
     */
    readonly releaseDependencies: readonly pulumi.Resource[];
}

export interface FlyteDatabase {
    readonly host: pulumi.Output<string>;
    readonly port: number;
    readonly name: pulumi.Output<string>;
    readonly username: pulumi.Output<string>;
    /** A Pulumi secret. */
    readonly password: pulumi.Output<string>;
    /** libpq connection options Flyte passes through, e.g. `sslmode=require`. */
    readonly options: string;
}

export interface GcsStorage {
    readonly provider: "gcs";
    readonly project: string;
    readonly metadataBucket: pulumi.Output<string>;
    readonly userDataBucket: pulumi.Output<string>;
    /** With project isolation: each project's own data bucket. */
    readonly projectBuckets?: Readonly<Record<string, pulumi.Output<string>>>;
}

export interface S3Storage {
    readonly provider: "s3";
    readonly region: string;
    readonly metadataBucket: pulumi.Output<string>;
    readonly userDataBucket: pulumi.Output<string>;
    /** An S3-compatible endpoint as pods reach it (MinIO); absent for AWS S3. */
    readonly endpoint?: string;
    readonly disableSSL: boolean;
    /** Static access keys (MinIO), Pulumi secrets; absent when pods authenticate with their IAM identity. */
    readonly accessKey?: { readonly id: pulumi.Output<string>; readonly secret: pulumi.Output<string> };
    /** The endpoint signed URLs name, when clients outside the cluster reach the store elsewhere than pods do. */
    readonly signedUrlEndpoint?: string;
    /** With project isolation: each project's own data bucket. */
    readonly projectBuckets?: Readonly<Record<string, pulumi.Output<string>>>;
    /** With project isolation on MinIO: each project's own access key, for its task pods. */
    readonly projectAccessKeys?: Readonly<
        Record<string, { readonly id: pulumi.Output<string>; readonly secret: pulumi.Output<string> }>
    >;
}

export type FlyteStorage = GcsStorage | S3Storage;

/** How Kubernetes service accounts are tied to cloud identities (GKE Workload Identity, EKS IRSA). */
export interface FlyteWorkloadIdentity {
    /** The service-account annotation the cluster reads, e.g. `iam.gke.io/gcp-service-account`. */
    readonly annotationKey: string;
    /** The annotation value (a Google service account email, an IAM role ARN) of each identity request, by key. */
    readonly identities: Readonly<Record<string, pulumi.Output<string>>>;
    /**
     * With project isolation: project p's task identity is `prefix + p + suffix`, so that Flyte's cluster resource
     * templates can annotate the namespaces of any project, including ones it creates itself.
     */
    readonly projectWorkerPattern?: pulumi.Output<{ readonly prefix: string; readonly suffix: string }>;
}

/** A link from a task in the Flyte console to its logs. */
export interface TaskLogLink {
    readonly plugin: "stackdriver" | "cloudwatch" | "kubernetes";
    /** Flyte log template (https://docs.flyte.org/en/latest/user_guide/productionizing/configuring_logging_links_in_the_ui.html). */
    readonly templateUri: string;
}

/** How clients reach Flyte's HTTP (console, REST) and gRPC ports. */
export type FlyteExposure = LoadBalancerExposure | NodePortExposure;

/** A cloud load balancer in front of Flyte (internal on every cloud target). */
export interface LoadBalancerExposure {
    readonly kind: "loadBalancer";
    /** Annotations that make the cloud's load balancer internal and place it. */
    readonly annotations: Readonly<Record<string, string>>;
    readonly loadBalancerIP?: pulumi.Output<string>;
    /** The address clients use; absent when the cloud assigns one (read from the Service's status). */
    readonly host?: pulumi.Output<string>;
}

/** Fixed NodePorts, mapped to the workstation by kind, k3d or Docker Desktop. */
export interface NodePortExposure {
    readonly kind: "nodePort";
    readonly httpNodePort: number;
    readonly grpcNodePort: number;
    /** The address clients use, e.g. localhost. */
    readonly host: string;
}

export interface KubernetesServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}
