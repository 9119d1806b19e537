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
    readonly identity: FlyteWorkloadIdentity;
    readonly taskLogs: readonly TaskLogLink[];
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
}

export type FlyteStorage = GcsStorage;

/** How Kubernetes service accounts are tied to cloud identities (GKE Workload Identity, EKS IRSA). */
export interface FlyteWorkloadIdentity {
    /** The service-account annotation the cluster reads, e.g. `iam.gke.io/gcp-service-account`. */
    readonly annotationKey: string;
    /** Annotation value for the Flyte backend's service account. */
    readonly backend: pulumi.Output<string>;
    /** Annotation value for the `default` service account of every project-domain namespace. */
    readonly worker: pulumi.Output<string>;
}

/** A link from a task in the Flyte console to its logs. */
export interface TaskLogLink {
    readonly plugin: "stackdriver" | "cloudwatch" | "kubernetes";
    /** Flyte log template (https://docs.flyte.org/en/latest/user_guide/productionizing/configuring_logging_links_in_the_ui.html). */
    readonly templateUri: string;
}

/** How clients reach Flyte's HTTP (console, REST) and gRPC ports. */
export interface FlyteExposure {
    readonly serviceType: "LoadBalancer";
    /** Annotations that make the cloud's load balancer internal and place it. */
    readonly annotations: Readonly<Record<string, string>>;
    readonly loadBalancerIP?: pulumi.Output<string>;
    /** The address clients use. */
    readonly host: pulumi.Output<string>;
}

export interface KubernetesServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}

/** The Kubernetes service accounts Flyte will run as, which the platform binds to cloud identities. */
export interface FlyteWorkloads {
    readonly backend: readonly KubernetesServiceAccountRef[];
    readonly workers: readonly KubernetesServiceAccountRef[];
}
