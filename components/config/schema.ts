/**
 * The configuration contract: every key this program reads, each in one entry holding its type, default, what it
 * allows (bounds, pattern, values or prefix lengths), the targets that read it, whether it may hold a secret, and
 * its description. Validation (components/config/*.ts) reads what a key allows from here, and `npm run config:sync`
 * writes `Pulumi.yaml`'s `config:` block and the README's tables from here (test/contracts/config.test.ts checks
 * both), so none of it is written twice.
 */
import {
    type AuthenticationMode,
    CLOUDS,
    type EmailServiceName,
    type Cloud,
    type EndpointAccess,
    type VerificationMode,
    type Flavor,
    GKE_RELEASE_CHANNELS,
    POSTGRES_VERSIONS,
} from "../contract/config";
import { DNS1123_LABEL_MAX } from "../shared/namespaces";
import { type ClusterRole, CONTROL_PLANE_CLUSTER } from "../contract/multiCluster";

/** Whole numbers from `min` to `max`, both included. */
export interface Range {
    readonly min: number;
    readonly max: number;
}

interface KeySpecBase {
    /**
     * One sentence for `Pulumi.yaml` and the README. `{range}` (or `{range:<target>}`), `{values}` and `{prefix}`
     * stand for what the entry allows, written out by describeKey, so that no bound is written twice.
     */
    readonly description: string;
    /** The targets (flyte:cloud) that read the key; a stack for any other target must not set it. */
    readonly targets: readonly Cloud[];
    /**
     * The key may hold a secret (`pulumi config set --secret`, declared `secret: true` in Pulumi.yaml). Only such keys
     * accept encrypted values; the offline plan, which cannot decrypt them, reads a placeholder instead.
     */
    readonly secret?: true;
}

/** A string whose parser checks it (a template, a URL, an address in a subnet), or that must match `pattern`. */
export interface TextKeySpec extends KeySpecBase {
    readonly type: "string";
    /** Without a default the key is required. */
    readonly default?: string;
    /** What the key allows, in words: the end of its error messages (`allowed: …`). */
    readonly allows: string;
    /** Every value must match it; without one, the key's parser checks the value. */
    readonly pattern?: RegExp;
}

/** A string that is one of a few values. */
export interface EnumKeySpec extends KeySpecBase {
    readonly type: "string";
    readonly default: string;
    /** The values in the order messages list them, each with what it means ("" where the name says it all). */
    readonly values: Readonly<Record<string, string>>;
}

/** An IPv4 range `a.b.c.d/n`. */
export interface CidrKeySpec extends KeySpecBase {
    readonly type: "string";
    readonly default: string;
    /** The prefix lengths `n` allowed: the smallest is the largest range. */
    readonly prefixLength: Range;
}

export type StringKeySpec = TextKeySpec | EnumKeySpec | CidrKeySpec;

export interface IntegerKeySpec extends KeySpecBase {
    readonly type: "integer";
    readonly default: number;
    /** The values allowed, the same on every target or each target's own (Cloud SQL and RDS differ). */
    readonly range: Range | Readonly<Partial<Record<Cloud, Range>>>;
}

export interface BooleanKeySpec extends KeySpecBase {
    readonly type: "boolean";
    readonly default: boolean;
}

export interface ArrayKeySpec extends KeySpecBase {
    readonly type: "array";
    readonly default: readonly string[];
    /** What each item is, in words (`a YAML list of strings, each …`); the key's parser checks the items. */
    readonly items: string;
}

export type KeySpec = StringKeySpec | IntegerKeySpec | BooleanKeySpec | ArrayKeySpec;

const ALL_TARGETS: readonly Cloud[] = CLOUDS;
const GCP: readonly Cloud[] = ["gcp"];
const AWS: readonly Cloud[] = ["aws"];
const LOCAL: readonly Cloud[] = ["local"];
/** The keys both clouds read: the database (Cloud SQL, RDS), buckets (GCS, S3), endpoint, messaging, registry and multi-cluster ones. */
const GCP_AND_AWS: readonly Cloud[] = ["gcp", "aws"];

/** Reserved NodePort range of a default Kubernetes API server (`--service-node-port-range`). */
const NODE_PORT_RANGE: Range = { min: 30000, max: 32767 };

/** The longest DNS name, without the root's trailing dot (RFC 1035 2.3.4). */
export const DNS_NAME_MAX = 253;

export const DNS_LABEL_RULE = `lowercase letters, digits and '-', starting and ending with a letter or digit, at most ${DNS1123_LABEL_MAX} characters (DNS-1123 label)`;

/**
 * An image reference as Docker parses it: an optional registry (with a port, e.g. a kind registry on
 * localhost:5001), a lowercase path, and a tag and/or a digest.
 */
const IMAGE_REFERENCE =
    /^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** An image key: a reference such as its default. */
function image(reference: string): { readonly default: string; readonly pattern: RegExp; readonly allows: string } {
    return { default: reference, pattern: IMAGE_REFERENCE, allows: `an image reference such as ${reference}` };
}

/**
 * node:24-alpine, pinned by the digest of its image index (as public Dockerfiles pin it, e.g. docker.io/library/node);
 * Node.js 24 runs TypeScript with type stripping (https://nodejs.org/api/typescript.html#type-stripping). To move it:
 * `docker buildx imagetools inspect node:24-alpine`.
 */
export const VERIFICATION_IMAGE = "docker.io/library/node:24-alpine@sha256:a0b9bf06e4e6193cf7a0f58816cc935ff8c2a908f81e6f1a95432d679c54fbfd";

/** An image reference (IMAGE_REFERENCE) that ends with a digest: what runs cannot change under the same name. */
const DIGEST_PINNED_IMAGE = new RegExp(`^(?=.*@sha256:[a-f0-9]{64}$)${IMAGE_REFERENCE.source.slice(1)}`);

/** Values whose names say it all. */
function plainValues<const V extends string>(values: readonly V[]): Readonly<Record<V, "">> {
    return Object.fromEntries(values.map((value) => [value, ""])) as Record<V, "">;
}

/** Keys in the project's namespace (`<project>:<key>`). */
export const CONFIG_KEYS = {
    cloud: {
        type: "string",
        targets: ALL_TARGETS,
        default: "local",
        values: {
            gcp: "GKE, Cloud SQL, GCS",
            aws: "EKS, RDS, S3",
            local: "an existing kind/k3d/Docker Desktop cluster, in-cluster Postgres and MinIO",
        } satisfies Record<Cloud, string>,
        description: "Where Flyte runs: {values}.",
    },
    flavor: {
        type: "string",
        targets: ALL_TARGETS,
        default: "binary",
        values: {
            binary: "flyte-binary, one Deployment",
            core: "flyte-core: admin, propeller, datacatalog, scheduler and console as separate services, each with its own identity",
        } satisfies Record<Flavor, string>,
        description: "Which Flyte chart to deploy: {values}.",
    },
    flyteProjects: {
        type: "array",
        targets: ALL_TARGETS,
        default: ["flytesnacks"],
        items: "a Flyte project id",
        description: "Flyte projects seeded at start-up; each gets one namespace per domain.",
    },
    flyteDomains: {
        type: "array",
        targets: ALL_TARGETS,
        default: ["development", "staging", "production"],
        items: 'a Flyte domain id, or "id:Display name"',
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
        ...image("docker.io/curlimages/curl:8.11.1"),
        description:
            "With projectIsolation: an image with curl, run as a Job after each change to point each project's raw outputs at its own bucket.",
    },
    namespaceTemplate: {
        type: "string",
        targets: ALL_TARGETS,
        default: "{{ project }}-{{ domain }}",
        allows: "a template using {{ project }} and {{ domain }}",
        description:
            "Kubernetes namespace of each project-domain pair; placeholders {{ project }} and {{ domain }}.",
    },
    flyteNamespace: {
        type: "string",
        targets: ALL_TARGETS,
        default: "flyte",
        allows: `${DNS_LABEL_RULE}, not default, kube-* or gke-*`,
        description: "Namespace Flyte itself runs in.",
    },
    chartVersion: {
        type: "string",
        targets: ALL_TARGETS,
        default: "v1.16.8",
        allows: "a Flyte 1 chart version v1.<minor>.<patch>",
        description: "Version of the Flyte Helm chart (and of the Flyte images it pins).",
    },
    chartRepository: {
        type: "string",
        targets: ALL_TARGETS,
        default: "https://flyteorg.github.io/flyte",
        allows: "an https:// URL of a Helm chart repository",
        description: "Helm repository the chart is pulled from (https); point it at a mirror if needed.",
    },
    coreReplicas: {
        type: "integer",
        targets: ALL_TARGETS,
        default: 1,
        range: { min: 1, max: 10 },
        description: "flavor core: replicas of flyteadmin, flyteconsole, datacatalog and the endpoint proxy ({range}).",
    },
    coreProxyImage: {
        type: "string",
        targets: ALL_TARGETS,
        ...image("docker.io/nginxinc/nginx-unprivileged:1.27.3-alpine"),
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
    dnsName: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        allows: `empty, or a DNS name such as flyte.ml.example.com (two or more DNS-1123 labels, ${DNS_NAME_MAX} characters in all)`,
        description:
            "Flyte's own DNS name. Set: the console, REST API and gRPC are served over HTTPS on port 443 of it through the cloud's L7 load balancer (GKE Gateway, an ALB) with a managed certificate. Empty: the internal plaintext load balancer on ports 8088 and 8089.",
    },
    dnsZone: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        allows: "empty, a Cloud DNS managed zone's name (gcp: lowercase letters, digits and '-', at most 63 characters) or a Route 53 hosted zone id (aws: Z followed by capital letters and digits)",
        description:
            "With dnsName: the zone the program writes the certificate's validation record and the name's address record to, a Cloud DNS managed zone's name (gcp) or a Route 53 hosted zone id (aws). Empty: nothing is written and the dnsRecordsToCreate output lists the records to create.",
    },
    endpointAccess: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "internal",
        values: {
            internal: "reachable from the VPC and peered networks only",
            public: "reachable from the internet, only with authentication",
        } satisfies Record<EndpointAccess, string>,
        description: "With dnsName: who reaches the HTTPS endpoint: {values}.",
    },
    authentication: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "none",
        values: {
            none: "no sign-in; only with endpointAccess internal",
            oidc: "users sign in through your OpenID Connect provider (oidcIssuerUrl, oidcClientId, oidcClientSecret)",
            cognito: "aws only: a Cognito user pool the program creates",
        } satisfies Record<AuthenticationMode, string>,
        description:
            "With dnsName: how people and clients sign in to Flyte: {values}. flyteadmin issues tokens to flytectl, pyflyte, flytepropeller and CI itself.",
    },
    oidcIssuerUrl: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        allows: "an https:// issuer URL without query or fragment, e.g. https://example.okta.com/oauth2/default",
        description:
            "authentication oidc: the provider's issuer URL, where /.well-known/openid-configuration is served (Okta, Entra ID https://login.microsoftonline.com/<tenant>/v2.0, Google https://accounts.google.com, Keycloak https://<host>/realms/<realm>).",
    },
    oidcClientId: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        pattern: /^[!-~]{0,255}$/,
        allows: "the client id registered at the provider, 1 to 255 printable characters without spaces",
        description: "authentication oidc: the client id registered for Flyte at the provider.",
    },
    oidcClientSecret: {
        type: "string",
        targets: GCP_AND_AWS,
        secret: true,
        default: "",
        pattern: /^[!-~]{0,1024}$/,
        allows: "the client's secret, set with pulumi config set --secret",
        description:
            "authentication oidc: the client's secret (pulumi config set --secret); only ever written to a Kubernetes Secret.",
    },
    oidcScopes: {
        type: "array",
        targets: GCP_AND_AWS,
        default: ["openid", "profile", "email"],
        items: "a scope name (letters, digits and . _ : / -), openid among them",
        description: "authentication oidc: the scopes flyteadmin requests when a user signs in; openid is required.",
    },
    cognitoDomainPrefix: {
        type: "string",
        targets: AWS,
        default: "",
        allows: "empty, or 1 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit, without aws, amazon or cognito",
        description:
            "authentication cognito: the prefix of the hosted sign-in domain <prefix>.auth.<region>.amazoncognito.com; empty: derived from the stack with a random suffix.",
    },
    cognitoAdminEmail: {
        type: "string",
        targets: AWS,
        default: "",
        pattern: /^$|^[^\s@]+@[^\s@]+\.[^\s@]+$/,
        allows: "empty, or an email address",
        description: "authentication cognito: a first user invited by email (Cognito sends a temporary password); empty: none.",
    },
    gkeLocation: {
        type: "string",
        targets: GCP,
        default: "",
        allows: "empty or a zone of gcp:region",
        description:
            "Empty: a regional GKE cluster in gcp:region. A zone of gcp:region (e.g. europe-west1-b): a zonal cluster.",
    },
    gkeReleaseChannel: {
        type: "string",
        targets: GCP,
        default: "REGULAR",
        values: plainValues(GKE_RELEASE_CHANNELS),
        description: "GKE release channel: {values}.",
    },
    gkeMachineType: {
        type: "string",
        targets: GCP,
        default: "e2-standard-4",
        pattern: /^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$/,
        allows: "a Compute Engine machine type such as e2-standard-4",
        description: "Machine type of the Flyte node pool.",
    },
    gkeDiskSizeGb: {
        type: "integer",
        targets: GCP,
        default: 100,
        range: { min: 20, max: 2000 },
        description: "Boot disk size of each node, in GB ({range}).",
    },
    gkeMinNodesPerZone: {
        type: "integer",
        targets: GCP,
        default: 1,
        range: { min: 0, max: 100 },
        description: "Autoscaler minimum nodes per zone ({range}), at most gkeMaxNodesPerZone.",
    },
    gkeMaxNodesPerZone: {
        type: "integer",
        targets: GCP,
        default: 3,
        range: { min: 1, max: 1000 },
        description: "Autoscaler maximum nodes per zone ({range}).",
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
        items: "an IPv4 CIDR",
        description:
            "CIDRs allowed to reach the control plane's public IP endpoint. Empty: no public IP endpoint; " +
            "pulumi and kubectl use the IAM-authenticated DNS endpoint.",
    },
    gkeGpuType: {
        type: "string",
        targets: GCP,
        default: "",
        pattern: /^$|^nvidia-[a-z0-9]+(?:-[a-z0-9]+)*$/,
        allows: "empty, or a GKE accelerator type such as nvidia-l4, nvidia-tesla-t4, nvidia-tesla-a100, nvidia-a100-80gb or nvidia-h100-80gb",
        description:
            "Empty: no GPU nodes. An accelerator type (e.g. nvidia-l4, offered in the cluster's zones): a second node pool of " +
            "gkeGpuMachineType nodes with gkeGpuCount of these GPUs each and GKE's driver, scaling from zero; only pods that " +
            "request nvidia.com/gpu (a Flyte task's Resources(gpu=1)) run there.",
    },
    gkeGpuCount: {
        type: "integer",
        targets: GCP,
        default: 1,
        range: { min: 1, max: 8 },
        description: "With gkeGpuType: GPUs per node ({range}), as many as gkeGpuMachineType takes.",
    },
    gkeGpuMachineType: {
        type: "string",
        targets: GCP,
        default: "g2-standard-8",
        pattern: /^[a-z][a-z0-9]*-[a-z0-9-]*[a-z0-9]$/,
        allows: "a Compute Engine machine type such as g2-standard-8 that takes gkeGpuCount GPUs of gkeGpuType",
        description:
            "With gkeGpuType: machine type of the GPU nodes; it must take gkeGpuCount GPUs of that type (G2 for nvidia-l4, N1 " +
            "for nvidia-tesla-t4, A2 for A100, A3 for H100: https://cloud.google.com/compute/docs/gpus).",
    },
    gkeGpuMaxNodesPerZone: {
        type: "integer",
        targets: GCP,
        default: 2,
        range: { min: 1, max: 100 },
        description: "With gkeGpuType: autoscaler maximum GPU nodes per zone ({range}); the minimum is zero.",
    },
    subnetCidr: {
        type: "string",
        targets: GCP,
        default: "10.0.0.0/20",
        prefixLength: { min: 8, max: 29 },
        description: "Primary range of the cluster subnet (nodes and the internal load balancer), {prefix}.",
    },
    podsCidr: {
        type: "string",
        targets: GCP,
        default: "10.16.0.0/14",
        prefixLength: { min: 8, max: 24 },
        description: "Secondary range for Pods (VPC-native cluster), {prefix}.",
    },
    servicesCidr: {
        type: "string",
        targets: GCP,
        default: "10.20.0.0/20",
        prefixLength: { min: 8, max: 27 },
        description: "Secondary range for Services, {prefix}.",
    },
    privateServicesCidr: {
        type: "string",
        targets: GCP,
        default: "10.32.0.0/16",
        prefixLength: { min: 8, max: 24 },
        description: "Range reserved for private services access (Cloud SQL's private IP), {prefix}.",
    },
    notifications: {
        type: "boolean",
        targets: ALL_TARGETS,
        default: false,
        description:
            "Email notifications of workflow executions (notifications=[Email(...)] on a launch plan), through the cloud's messaging: SNS, SQS and SES on aws, Pub/Sub on gcp, in process on local.",
    },
    notificationsSender: {
        type: "string",
        targets: ALL_TARGETS,
        default: "",
        pattern: /^$|^[^\s@<>"]+@[a-z0-9.-]+\.[a-z]{2,}$/,
        allows: "an email address such as flyte@ml.example.com",
        description: "With notifications: the From address of Flyte's emails (on aws with ses, an SES identity is created for it).",
    },
    notificationsEmailService: {
        type: "string",
        targets: ALL_TARGETS,
        default: "ses",
        values: {
            ses: "Amazon SES, aws only",
            sendgrid: "SendGrid's API with sendgridApiKey",
            smtp: "an SMTP server: smtpServer, smtpPort, smtpUsername, smtpPassword",
        } satisfies Record<EmailServiceName, string>,
        description: "With notifications: how Flyte's emails are sent: {values}.",
    },
    sendgridApiKey: {
        type: "string",
        targets: GCP_AND_AWS,
        secret: true,
        default: "",
        pattern: /^[!-~]{0,512}$/,
        allows: "a SendGrid API key, set with pulumi config set --secret",
        description: "notificationsEmailService sendgrid: the API key (pulumi config set --secret); only ever written to a Kubernetes Secret.",
    },
    smtpServer: {
        type: "string",
        targets: ALL_TARGETS,
        default: "",
        pattern: /^$|^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
        allows: "a host name such as smtp.example.com",
        description: "notificationsEmailService smtp: the SMTP server's host name.",
    },
    smtpPort: {
        type: "integer",
        targets: ALL_TARGETS,
        default: 587,
        range: { min: 1, max: 65535 },
        description: "notificationsEmailService smtp: the SMTP server's port ({range}); flyteadmin upgrades with STARTTLS (587, 25), it cannot speak TLS from the first byte (465).",
    },
    smtpUsername: {
        type: "string",
        targets: ALL_TARGETS,
        default: "",
        pattern: /^[!-~]{0,256}$/,
        allows: "a user name without spaces",
        description: "notificationsEmailService smtp: the user flyteadmin authenticates as.",
    },
    smtpPassword: {
        type: "string",
        targets: ALL_TARGETS,
        secret: true,
        default: "",
        pattern: /^[!-~]{0,512}$/,
        allows: "the SMTP user's password, set with pulumi config set --secret",
        description: "notificationsEmailService smtp: the user's password (pulumi config set --secret); only ever written to a Kubernetes Secret.",
    },
    executionEvents: {
        type: "boolean",
        targets: GCP_AND_AWS,
        default: false,
        description:
            "Publish Flyte's execution events (workflow, node and task phase changes) to a topic other teams subscribe to: SNS on aws, Pub/Sub on gcp; the executionEventsTopic output names it.",
    },
    registry: {
        type: "boolean",
        targets: GCP_AND_AWS,
        default: false,
        description:
            "A registry for task images in the stack's region that the cluster's nodes pull from: an Artifact Registry Docker repository (gcp) or an ECR repository with immutable tags and scan on push (aws); the registryUrl output names it.",
    },
    registryKeepVersions: {
        type: "integer",
        targets: GCP_AND_AWS,
        default: 20,
        range: { min: 1, max: 1000 },
        description:
            "With registry: how many of the most recent versions of each image are always kept ({range}); beyond them, aws expires older tagged images, gcp deletes older versions only once untagged (a registered task's tag keeps working).",
    },
    registryUntaggedDays: {
        type: "integer",
        targets: GCP_AND_AWS,
        default: 7,
        range: { min: 1, max: 365 },
        description: "With registry: days after which untagged images are deleted ({range}).",
    },
    ciGithubRepository: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        pattern: /^$|^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/,
        allows: "empty, or a GitHub repository owner/repo",
        description:
            "With registry: the GitHub repository whose Actions workflows may push task images, keylessly (Workload Identity Federation on gcp, an IAM OIDC role on aws); the ciPushIdentity output is what they authenticate as.",
    },
    ciGithubRef: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        pattern: /^$|^refs\/(heads|tags)\/[A-Za-z0-9._/-]{1,200}$/,
        allows: "empty, or a full ref such as refs/heads/main",
        description: "With ciGithubRepository: only workflows running on this ref may push; empty: any ref.",
    },
    ciGithubEnvironment: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        pattern: /^$|^[A-Za-z0-9._ -]{1,255}$/,
        allows: "empty, or a GitHub environment name",
        description: "With ciGithubRepository: only jobs of this GitHub environment may push; empty: any.",
    },
    verification: {
        type: "string",
        targets: ALL_TARGETS,
        default: "auto",
        values: {
            auto: "on for gcp and aws, off for local",
            on: "",
            off: "",
        } satisfies Record<VerificationMode, string>,
        description:
            "Verify the deployment after each pulumi up that changes it: two Jobs check Flyte's endpoint (HTTP health, gRPC ListProjects, a signed upload URL) and a task pod's cloud identity and storage, and fail the update with one line naming what is miswired: {values}.",
    },
    verificationImage: {
        type: "string",
        targets: ALL_TARGETS,
        default: VERIFICATION_IMAGE,
        pattern: DIGEST_PINNED_IMAGE,
        allows: `an image reference pinned by digest (…@sha256:<64 hex digits>) with Node.js 24 or later, such as ${VERIFICATION_IMAGE}`,
        description:
            "With verification: the image the checks run in; they are TypeScript run by Node.js 24's own type stripping, with nothing else installed.",
    },
    clusterRole: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "standalone",
        values: {
            standalone: "Flyte in this stack's cluster alone",
            controlPlane: "flyteadmin, the console, datacatalog and the scheduler, sending executions to the data planes in dataPlanes",
            dataPlane: "a cluster running flytepropeller for the control plane in controlPlaneStack",
        } satisfies Record<ClusterRole, string>,
        description:
            "Flyte across clusters, each cluster its own stack joined by stack references (flavor core; every stack in one GCP project, or one AWS account and region): {values}.",
    },
    dataPlanes: {
        type: "array",
        targets: GCP_AND_AWS,
        default: [],
        items: `"<name>=<stack>": the data plane's cluster name and execution cluster label (${DNS_LABEL_RULE}, not ${CONTROL_PLANE_CLUSTER}) and its stack as a stack reference names it ([<org>/][<project>/]<stack>)`,
        description:
            "clusterRole controlPlane: the data planes executions go to; a data plane without outputs yet is skipped with a warning until its first pulumi up.",
    },
    controlPlanePropeller: {
        type: "boolean",
        targets: GCP_AND_AWS,
        default: false,
        description: `clusterRole controlPlane: run flytepropeller in the control plane's own cluster too, as cluster and execution cluster label ${CONTROL_PLANE_CLUSTER}.`,
    },
    defaultExecutionCluster: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        allows: `empty, a data plane's name from dataPlanes, or ${CONTROL_PLANE_CLUSTER} with controlPlanePropeller`,
        description:
            "clusterRole controlPlane: where executions without a route run (flyteadmin's defaultExecutionLabel); empty: the first data plane.",
    },
    executionRoutes: {
        type: "array",
        targets: GCP_AND_AWS,
        default: [],
        items: `"<project>=<cluster>" or "<project>/<domain>=<cluster>", with a configured project and domain and a data plane's name (or ${CONTROL_PLANE_CLUSTER} with controlPlanePropeller)`,
        description:
            "clusterRole controlPlane: which cluster runs a project's (or one project-domain's) executions, set as flyteadmin's execution cluster label by a Job after each change; project-domain routes win over project ones.",
    },
    controlPlaneStack: {
        type: "string",
        targets: GCP_AND_AWS,
        default: "",
        pattern: /^$|^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/,
        allows: "a stack as a stack reference names it: [<org>/][<project>/]<stack>",
        description: "clusterRole dataPlane (required there): the control plane's stack, whose outputs this data plane reads.",
    },
    dataPlaneRawBucket: {
        type: "boolean",
        targets: GCP_AND_AWS,
        default: false,
        description:
            "clusterRole dataPlane: a bucket of its own for the raw task outputs of executions here (not with the control plane's projectIsolation); false: the control plane's user-data bucket.",
    },
    dataPlaneTokenGeneration: {
        type: "integer",
        targets: GCP_AND_AWS,
        default: 1,
        range: { min: 1, max: 1000000 },
        description:
            "clusterRole dataPlane: raise it to rotate the token the control plane's flyteadmin uses here, then run pulumi up on the control plane; the previous token stays valid until the next raise ({range}).",
    },
    awsTrustPolicyMaxLength: {
        type: "integer",
        targets: AWS,
        default: 2048,
        range: { min: 2048, max: 8192 },
        description:
            "cloud aws, clusterRole controlPlane: the account's IAM quota \"Role trust policy length\" (L-C07B4B0D, 2048 by default and raised on request: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), which caps how many data planes each task role can trust, since it trusts each one's cluster: set it ({range}) once the quota is raised.",
    },
    proxyOnlySubnetCidr: {
        type: "string",
        targets: GCP,
        default: "10.24.0.0/23",
        prefixLength: { min: 8, max: 26 },
        description:
            "With dnsName and endpointAccess internal: the region's proxy-only subnet, where the internal Gateway's proxies run, {prefix}.",
    },
    databaseVersion: {
        type: "string",
        targets: GCP,
        default: "POSTGRES_16",
        values: plainValues(POSTGRES_VERSIONS),
        description: "Cloud SQL Postgres major version: {values}.",
    },
    databaseTier: {
        type: "string",
        targets: GCP,
        default: "db-custom-2-7680",
        pattern: /^db-[a-z0-9-]*[a-z0-9]$/,
        allows: "a Cloud SQL tier such as db-custom-2-7680 or db-g1-small",
        description: "Cloud SQL machine tier (Enterprise edition), e.g. db-custom-2-7680 or db-g1-small.",
    },
    databaseDiskSizeGb: {
        type: "integer",
        targets: GCP_AND_AWS,
        default: 20,
        range: { gcp: { min: 10, max: 65536 }, aws: { min: 20, max: 65536 } },
        description: "Initial database disk size in GB (Cloud SQL: {range:gcp}, RDS: {range:aws}); it grows automatically.",
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
        range: { gcp: { min: 1, max: 365 }, aws: { min: 1, max: 35 } },
        description:
            "Days of automated backups: Cloud SQL keeps this many daily backups ({range:gcp}) with point-in-time recovery over min(7, this) days; RDS keeps backups and point-in-time recovery for this many days ({range:aws}).",
    },
    loadBalancerIp: {
        type: "string",
        targets: GCP,
        default: "",
        allows: "empty or an IPv4 address in subnetCidr",
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
        prefixLength: { min: 16, max: 20 },
        description:
            "cloud aws: the VPC's range ({prefix}), split into a private and a public subnet per zone. On a data plane (required there): the block it adds to its control plane's VPC, outside the VPC's other blocks.",
    },
    awsAvailabilityZones: {
        type: "integer",
        targets: AWS,
        default: 3,
        range: { min: 2, max: 6 },
        description: "cloud aws: how many availability zones the VPC, nodes and database span ({range}).",
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
        pattern: /^1\.\d{2}$/,
        allows: "a Kubernetes minor version such as 1.34",
        description: "cloud aws: Kubernetes version of the EKS cluster (standard support only).",
    },
    eksInstanceTypes: {
        type: "array",
        targets: AWS,
        default: ["m6i.xlarge"],
        items: "an EC2 instance type such as m6i.xlarge",
        description: "cloud aws: EC2 instance types of the managed node group.",
    },
    eksMinNodes: {
        type: "integer",
        targets: AWS,
        default: 2,
        range: { min: 1, max: 450 },
        description: "cloud aws: minimum nodes of the node group ({range}), at most eksMaxNodes.",
    },
    eksMaxNodes: {
        type: "integer",
        targets: AWS,
        default: 6,
        range: { min: 1, max: 450 },
        description: "cloud aws: maximum nodes of the node group ({range}).",
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
        range: { min: 20, max: 2000 },
        description: "cloud aws: encrypted gp3 root volume of each node, in GB ({range}).",
    },
    eksPublicAccessCidrs: {
        type: "array",
        targets: AWS,
        default: [],
        items: "an IPv4 CIDR",
        description:
            "cloud aws: CIDRs allowed to reach the EKS API over the internet (still IAM-authenticated). Empty: private endpoint only; run pulumi from inside the VPC.",
    },
    eksAdminPrincipals: {
        type: "array",
        targets: AWS,
        default: [],
        items: "an IAM role or user ARN",
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
        pattern: /^\d{2}(\.\d{1,2})?$/,
        allows: "a PostgreSQL version such as 16 or 16.4",
        description: "cloud aws: RDS for PostgreSQL engine version, major (16) or major.minor (16.4).",
    },
    rdsInstanceClass: {
        type: "string",
        targets: AWS,
        default: "db.m6g.large",
        pattern: /^db\.[a-z0-9-]+\.[a-z0-9]+$/,
        allows: "an RDS instance class such as db.m6g.large",
        description: "cloud aws: RDS instance class, e.g. db.m6g.large or db.t4g.medium.",
    },
    rdsMaxAllocatedStorageGb: {
        type: "integer",
        targets: AWS,
        default: 200,
        range: { min: 20, max: 65536 },
        description: "cloud aws: ceiling for RDS storage autoscaling, in GB ({range}), at least databaseDiskSizeGb.",
    },
    localKubeconfig: {
        type: "string",
        targets: LOCAL,
        default: "",
        // No white space at either end, no line break.
        pattern: /^(?:\S(?:[^\n]*\S)?)?$/,
        allows: "empty, or the path of a kubeconfig file",
        description: "cloud local: path of the kubeconfig to deploy with. Empty: $KUBECONFIG, else ~/.kube/config.",
    },
    localKubeContext: {
        type: "string",
        targets: LOCAL,
        default: "",
        pattern: /^\S*$/,
        allows: "empty, or a kubeconfig context name (no spaces)",
        description: "cloud local: kubeconfig context to deploy into. Empty: the current context.",
    },
    localHttpNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30080,
        range: NODE_PORT_RANGE,
        description: "cloud local: NodePort for Flyte's HTTP API and console ({range}).",
    },
    localGrpcNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30081,
        range: NODE_PORT_RANGE,
        description: "cloud local: NodePort for Flyte's gRPC API (flytectl, pyflyte; {range}).",
    },
    localMinioNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30002,
        range: NODE_PORT_RANGE,
        description: "cloud local: NodePort for MinIO's S3 API ({range}); pyflyte uploads code to it through signed URLs.",
    },
    localMinioConsoleNodePort: {
        type: "integer",
        targets: LOCAL,
        default: 30084,
        range: NODE_PORT_RANGE,
        description: "cloud local: NodePort for the MinIO console ({range}).",
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
        range: NODE_PORT_RANGE,
        description: "cloud local: NodePort for the Kubernetes dashboard ({range}), when localDashboard is on.",
    },
    localStorageClass: {
        type: "string",
        targets: LOCAL,
        default: "",
        // A DNS-1123 subdomain of at most 253 characters, as StorageClass names are.
        pattern: /^(?:(?=.{1,253}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*)?$/,
        allows: "empty, or a StorageClass name (DNS-1123 subdomain)",
        description: "cloud local: StorageClass of the Postgres and MinIO volumes. Empty: the cluster's default.",
    },
    localPostgresImage: {
        type: "string",
        targets: LOCAL,
        ...image("docker.io/library/postgres:16.6-alpine"),
        description: "cloud local: Postgres image (the official one).",
    },
    localPostgresVolumeGi: {
        type: "integer",
        targets: LOCAL,
        default: 5,
        range: { min: 1, max: 1000 },
        description: "cloud local: size of the Postgres volume in GiB ({range}).",
    },
    localMinioImage: {
        type: "string",
        targets: LOCAL,
        ...image("quay.io/minio/minio:RELEASE.2024-12-18T13-15-44Z"),
        description: "cloud local: MinIO server image.",
    },
    localMinioClientImage: {
        type: "string",
        targets: LOCAL,
        ...image("quay.io/minio/mc:RELEASE.2024-11-21T17-21-54Z"),
        description: "cloud local: MinIO client image, used once to create the buckets.",
    },
    localMinioVolumeGi: {
        type: "integer",
        targets: LOCAL,
        default: 20,
        range: { min: 1, max: 10000 },
        description: "cloud local: size of the MinIO volume in GiB ({range}).",
    },
} as const satisfies Record<string, KeySpec>;

export type ConfigSchema = typeof CONFIG_KEYS;
export type ConfigKey = keyof ConfigSchema;

/**
 * The provider namespaces whose keys belong to one target: every `gcp:` key (ours or the provider's) configures
 * cloud gcp, every `aws:` key cloud aws.
 */
export const PROVIDER_NAMESPACES = { gcp: "gcp", aws: "aws" } as const satisfies Record<string, Cloud>;
export type ProviderNamespace = keyof typeof PROVIDER_NAMESPACES;

/** A provider key this program reads: required on its provider's target. */
export interface ProviderKeySpec {
    /** One sentence for the README; `{example}` stands for the example. */
    readonly description: string;
    readonly pattern: RegExp;
    /** What the key allows, in words (`allowed: …`); `{example}` stands for the example. */
    readonly allows: string;
    /** A valid value, for the docs and messages. */
    readonly example?: string;
}

/** Provider keys this program reads (owned by the provider's namespace, so not declared in Pulumi.yaml). */
export const PROVIDER_KEYS = {
    "gcp:project": {
        pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/,
        allows: "a GCP project id: 6 to 30 lowercase letters, digits or '-', starting with a letter",
        description: "GCP project id that receives every resource (required for cloud gcp).",
    },
    "gcp:region": {
        pattern: /^[a-z]+-[a-z]+[0-9]+$/,
        allows: "a GCP region such as {example}",
        example: "europe-west1",
        description: "GCP region, e.g. {example} (required for cloud gcp).",
    },
    "aws:region": {
        pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
        allows: "an AWS region such as {example}",
        example: "eu-central-1",
        description: "AWS region, e.g. {example} (required for cloud aws).",
    },
} as const satisfies Record<string, ProviderKeySpec>;

export type ProviderKey = keyof typeof PROVIDER_KEYS;

// ---- What an entry allows, in words, for messages and docs ----

/** `a, b or c`. */
function inWords(items: readonly string[]): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** The range of an integer key, on `target` where the targets differ. */
export function rangeOf(key: string, spec: IntegerKeySpec, target?: Cloud): Range {
    const range = "min" in spec.range ? spec.range : target === undefined ? undefined : spec.range[target];
    if (range === undefined) {
        throw new Error(`${key} has a range per target, and none for ${target ?? "no target"}`);
    }
    return range;
}

/** `1 to 10`. */
export function rangeText(range: Range): string {
    return `${range.min} to ${range.max}`;
}

/** The values of an enum key, in order. */
export function valuesOf(spec: EnumKeySpec): string[] {
    return Object.keys(spec.values);
}

function placeholders(text: string, value: (name: string, argument: string | undefined) => string | undefined, what: string): string {
    return text.replace(/\{(\w+)(?::(\w+))?\}/g, (token: string, name: string, argument: string | undefined) => {
        const replacement = value(name, argument);
        if (replacement === undefined) {
            throw new Error(`${what}: ${token} does not apply`);
        }
        return replacement;
    });
}

/** A key's description with its placeholders written out: `{range}` as `1 to 10`, `{values}`, `{prefix}` as `/8 to /24`. */
export function describeKey(key: string, spec: KeySpec): string {
    return placeholders(
        spec.description,
        (name, argument) => {
            if (name === "range" && spec.type === "integer") {
                return rangeText(rangeOf(key, spec, argument as Cloud | undefined));
            }
            if (name === "values" && "values" in spec) {
                return inWords(Object.entries(spec.values).map(([value, meaning]) => (meaning === "" ? value : `${value} (${meaning})`)));
            }
            if (name === "prefix" && "prefixLength" in spec) {
                return `/${spec.prefixLength.min} to /${spec.prefixLength.max}`;
            }
            return undefined;
        },
        key,
    );
}

/** A provider key's description or allowed values with the example written out. */
export function describeProviderKey(key: ProviderKey, text: "description" | "allows"): string {
    const spec: ProviderKeySpec = PROVIDER_KEYS[key];
    return placeholders(spec[text], (name) => (name === "example" ? spec.example : undefined), key);
}
