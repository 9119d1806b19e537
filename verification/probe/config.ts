/**
 * What the verification probe checks, as the Pulumi program writes it (components/flyte/verification.ts) into the
 * pod's `VERIFY_CONFIG` environment variable as JSON. Two stages run as two Jobs after the Flyte release:
 *
 * - `endpoint`, in Flyte's namespace: Flyte's HTTP health and gRPC API through the Service the load balancer uses,
 *   a signed upload URL from flyteadmin's data proxy, and the task namespace the second stage runs in (it exists,
 *   its service account carries the cloud identity);
 * - `workload`, in that project-domain namespace as its task service account: the cloud identity a task pod gets,
 *   and a probe object written, read and deleted in each data location the project's tasks use.
 *
 * The probe runs on Node's own TypeScript type stripping (https://nodejs.org/api/typescript.html#type-stripping):
 * every file here uses only erasable syntax (Node rejects anything else; test/verification/probe/run.test.ts strips every file with amaro, Node's own stripper) and only Node's built-in modules, and
 * imports its siblings with their `.ts` extension. Nothing here imports the rest of the program.
 */

export type ProbeConfig = EndpointStage | WorkloadStage;

/** Flyte's endpoint, and the task namespace the workload stage will run in. */
export interface EndpointStage {
    /** Tells the stages apart. */
    readonly stage: "endpoint";
    /** The stack, for messages (`stack dev: …`). */
    readonly stack: string;
    /**
     * Seconds the probe keeps retrying what comes up on its own (flyteadmin answering, the task namespace and its
     * annotated service account, which Flyte's cluster resource sync creates within a minute) before it reports.
     */
    readonly waitSeconds: number;
    /** Flyte's endpoint Service, the one the load balancer (or the NodePorts) sends clients to. */
    readonly service: {
        /** Its namespace (Flyte's). */
        readonly namespace: string;
        /** Its name, e.g. `flyte-binary-lb`. */
        readonly name: string;
        /** The Service port of Flyte's HTTP API and console (plain HTTP inside the cluster). */
        readonly httpPort: number;
        /** The Service port of Flyte's gRPC API (cleartext HTTP/2 inside the cluster). */
        readonly grpcPort: number;
    };
    /**
     * With authentication: flyteadmin's token endpoint is called with the client credentials grant as this client
     * (the CI client), and every call carries the token. Absent: Flyte without authentication.
     */
    readonly client?: {
        /** The client id, e.g. `flyte-ci`. */
        readonly clientId: string;
        /** The file (mounted from a Secret) with the client's secret. */
        readonly secretFile: string;
        /** The path of flyteadmin's token endpoint on its HTTP port, e.g. `/oauth2/token`. */
        readonly tokenPath: string;
        /** The scope asked for, e.g. `all`. */
        readonly scope: string;
    };
    /** Projects flyteadmin must list (the stack's flyte:projects). */
    readonly projects: readonly string[];
    /** The project-domain namespace the workload stage runs in. */
    readonly taskNamespace: {
        /** The namespace, e.g. `flytesnacks-development`. */
        readonly name: string;
        /** The task pods' service account in it, `default`. */
        readonly serviceAccount: string;
        /** The annotation that gives it a cloud identity (GKE Workload Identity, IRSA); absent: none (local). */
        readonly annotation?: {
            /** e.g. `iam.gke.io/gcp-service-account`. */
            readonly key: string;
            /** The identity, e.g. a Google service account's email or an IAM role's ARN. */
            readonly value: string;
        };
    };
    /** Ask flyteadmin's data proxy for a signed upload URL in this project and domain (what `pyflyte register` does). */
    readonly signedUpload: {
        /** A project flyteadmin lists. */
        readonly project: string;
        /** One of its domains. */
        readonly domain: string;
    };
}

/** What a task pod of one project-domain namespace can do. */
export interface WorkloadStage {
    /** Tells the stages apart. */
    readonly stage: "workload";
    /** The stack, for messages. */
    readonly stack: string;
    /** The namespace the probe runs in (a project-domain namespace). */
    readonly namespace: string;
    /** The service account it runs as: the task pods' (`default`). */
    readonly serviceAccount: string;
    /** The cloud identity a task pod there must have. */
    readonly identity: WorkloadIdentityCheck;
    /** The object store and how it is reached. */
    readonly store: ObjectStore;
    /** Where a task of this project writes: each gets a probe object written, read back and deleted. */
    readonly locations: readonly DataLocation[];
}

export type WorkloadIdentityCheck =
    /** GKE Workload Identity: the metadata server answers for this Google service account. */
    | {
          readonly kind: "gke";
          /** The Google service account task pods must run as. */
          readonly email: string;
          /** The nodes' Google service account: a pod that gets it has no Workload Identity at all. */
          readonly nodeEmail?: string;
      }
    /** EKS IRSA: the pod gets a web identity token for this role, and STS accepts it. */
    | {
          readonly kind: "irsa";
          /** The IAM role task pods must assume. */
          readonly roleArn: string;
          /** The region of STS's regional endpoint (the cluster's). */
          readonly region: string;
      }
    /** No cloud identity: static keys for the store, from the environment (`FLYTE_AWS_ACCESS_KEY_ID`, …). */
    | { readonly kind: "static-keys" };

export type ObjectStore =
    /** Google Cloud Storage's JSON API, with the metadata server's access token. */
    | { readonly kind: "gcs" }
    /** AWS S3 in a region, signed with the role's temporary credentials. */
    | {
          readonly kind: "s3";
          /** The buckets' region. */
          readonly region: string;
      }
    /** An S3-compatible store at an endpoint of its own (MinIO), path-style, signed with static keys. */
    | {
          readonly kind: "s3-compatible";
          /** e.g. `http://minio.flyte-deps.svc.cluster.local:9000`. */
          readonly endpoint: string;
          /** The region it signs for, e.g. `us-east-1`. */
          readonly region: string;
      };

/** A place task pods of the verified namespace write to. */
export interface DataLocation {
    /** What it is, for messages, e.g. `raw outputs of project flytesnacks`. */
    readonly purpose: string;
    /** The bucket. */
    readonly bucket: string;
    /**
     * The key prefix the probe object goes under, without a leading `/`: a folder such as `data/`, or the start of a
     * key such as `metadata/propeller/<project>-<domain>-`, which is where project isolation lets the project write.
     */
    readonly prefix: string;
}

/** The environment variable the program puts the config in. */
export const CONFIG_VARIABLE = "VERIFY_CONFIG";
