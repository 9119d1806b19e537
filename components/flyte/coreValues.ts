import { stringify } from "yaml";
import type { FlyteConfig } from "../contract/config";
import type { CustomData, WorkerAnnotation } from "./clusterResources";
import { clusterResourceCustomData, clusterResourceTemplates } from "./clusterResources";
import type { ChartStorage, DatabaseInput, S3AccessKeyInput } from "./commonValues";
import { DB_PASSWORD_SECRET_KEY, escapeForHelmTpl, SECRETS_CHECKSUM_ANNOTATION, TASK_STORAGE_SECRET, tplDefaultEnvVars } from "./commonValues";
import type { TaskLogLink } from "../contract/platform";
import { INLINE_DATA_LIMIT_MB, remoteDataValues as remoteData, type RemoteDataValues } from "./remoteData";
import { FlyteCoreComponent, METADATA_PREFIX } from "../contract/identities";
import { authSecretName, ChartAuthentication, CoreAuthValues, flyteCoreAuthValues } from "./authentication";
import type { AdminExternalEventsConfig, AdminNotificationsConfig, ChartMessaging, ChartNotifications } from "./messaging";
import { emailCredentialsVolume, externalEventsConfig, notificationsConfig, tplEscaped } from "./messaging";
import { clusterCredentialsVolume, type FlyteadminClusters } from "./multiCluster";

/**
 * The flyte-core chart's contract, as this program uses it, and the pure function that computes its values.
 * Chart: https://github.com/flyteorg/flyte/tree/v1.16.8/charts/flyte-core
 */

export const FLYTE_CORE_CHART = "flyte-core";
export const FLYTE_CORE_RELEASE = "flyte-core";
/** The Secret (created by this program) with the database password; the chart mounts it at /etc/db. */
export const CORE_DB_PASSWORD_SECRET = "flyte-core-db-password";
const CORE_DB_PASSWORD_MOUNT = "/etc/db";
/**
 * With access-key storage (MinIO): a Secret with Flyte's whole storage section, keys included, which the chart
 * mounts next to its config files in place of its own storage.yaml (`storage.secretName`).
 */
export const CORE_STORAGE_SECRET = "flyte-core-storage";
export const CORE_STORAGE_FILE = "storage.yaml";

/** The chart's Services (fixed names): flyteadmin's HTTP and gRPC ports, and the console's. */
export const FLYTEADMIN_SERVICE = "flyteadmin";
export const FLYTEADMIN_HTTP_PORT = 80;
export const FLYTEADMIN_GRPC_PORT = 81;
export const FLYTECONSOLE_SERVICE = "flyteconsole";
export const FLYTECONSOLE_HTTP_PORT = 80;

/**
 * With sign-in: the Secret (created by this program) with the internal client's secret, which flytepropeller and
 * flytescheduler mount at /etc/secrets. flytescheduler's template names it so whatever the values say.
 */
export const CORE_ADMIN_CLIENT_SECRET = "flyte-secret-auth";
/** Its role among the authentication Secrets (AuthSecretSpec.role). */
export const CORE_ADMIN_CLIENT_ROLE = "adminClient";
/** With sign-in: the Secret (created by this program) with the OIDC provider's client secret, for flyteadmin only. */
export const CORE_OIDC_CLIENT_SECRET = "flyte-core-oidc-client";
/** Its role among the authentication Secrets. */
export const CORE_OIDC_CLIENT_ROLE = "oidcClient";

/**
 * With notifications through SendGrid or an SMTP server with a login: the Secret (created by this program) with the
 * API key or the password, which only flyteadmin mounts (messaging.ts).
 */
export const CORE_EMAIL_CREDENTIALS_SECRET = "flyte-core-email-credentials";

// ---- Typed subset of the chart's values that this program sets ----

/** A backend component's service account, pod annotations and pod securityContext. */
export interface ComponentValues {
    readonly serviceAccount: { readonly create: true; readonly annotations: Record<string, string> };
    readonly podAnnotations: Record<string, string>;
    readonly securityContext: CorePodSecurity;
}

/**
 * What this program adds to a flyte-core component's pod securityContext (`<component>.securityContext`, the pod's
 * in every template; Helm merges it over the chart's defaults, which keep their non-root uid, fsGroup and
 * fsGroupChangePolicy). The chart's container securityContexts are written into its templates (no privilege
 * escalation, every capability dropped; none at all for flytepropeller and syncresources, nor a read-only root
 * for any): a value cannot change them. See chartContainerGaps in test/stacks/workloadHardening.test.ts.
 */
export interface CorePodSecurity {
    readonly runAsNonRoot: true;
    /** Applies to every container of the pod, init containers too. */
    readonly seccompProfile: { readonly type: "RuntimeDefault" };
    /**
     * The chart asks for `spc_t`, SELinux's unconfined "super privileged container" type, which the Pod Security
     * Standards' baseline profile forbids (https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline);
     * container_t is the container runtimes' default type. Nodes without SELinux ignore it.
     */
    readonly seLinuxOptions: { readonly type: "container_t" };
}

export function corePodSecurity(): CorePodSecurity {
    return { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" }, seLinuxOptions: { type: "container_t" } };
}

/** Requests and limits, for the components whose chart defaults lack them (or their limits). */
export interface ResourceValues {
    readonly requests: Readonly<Record<string, string>>;
    readonly limits: Readonly<Record<string, string>>;
}

export interface FlyteCoreValues {
    readonly flyteadmin: ComponentValues & {
        readonly replicaCount: number;
        /** Project ids, each as a double-quoted YAML scalar (seedProjectArgument). */
        readonly initialProjects: readonly string[];
        readonly service: { readonly type: "ClusterIP" };
    } & Partial<AdminVolumes>;
    /** In a control plane (`enabled`), flytepropeller runs only with `flyte:controlPlanePropeller`. */
    readonly flytepropeller: ComponentValues & { readonly enabled?: boolean };
    readonly datacatalog: ComponentValues & { readonly replicaCount: number; readonly service: { readonly type: "ClusterIP" } };
    readonly flytescheduler: ComponentValues;
    readonly flyteconsole: { readonly replicaCount: number; readonly securityContext: CorePodSecurity };
    /** flytepropeller's pod webhook (runs with flytepropeller). */
    readonly webhook: WebhookValues & { readonly enabled?: boolean };
    readonly cluster_resource_manager: {
        readonly enabled: true;
        /** syncresources: the chart takes its resources (none by default), but no securityContext at all. */
        readonly resources: ResourceValues;
        readonly podAnnotations: Record<string, string>;
        readonly config: { readonly cluster_resources: ClusterResourcesConfig };
        readonly templates: readonly { readonly key: string; readonly value: string }[];
        /**
         * A control plane: no `sync-cluster-resources` init container in flyteadmin's pod (templates/admin/deployment.yaml
         * at v1.16.8), which fails when any target cluster fails (flyteadmin/pkg/clusterresource/controller.go `Sync`),
         * so one unreachable data plane would keep flyteadmin from starting; the syncresources Deployment still syncs
         * every cluster each refreshInterval.
         */
        readonly standalone_deploy?: true;
    };
    readonly workflow_scheduler: { readonly enabled: true; readonly type: "native" };
    /** With notifications: flyteadmin's notifications section, rendered into `notifications.yaml` (coreNotificationValues). */
    readonly workflow_notifications?: { readonly enabled: true; readonly config: { readonly notifications: AdminNotificationsConfig } };
    /** With execution events: flyteadmin's externalEvents section, rendered into `external_events.yaml` through `tpl`. */
    readonly external_events?: AdminExternalEventsConfig;
    /** Without sign-in, off; with it, the Secret flyteadmin's callers mount (CoreAuthValues). */
    readonly secrets: {
        readonly adminOauthClientCredentials: { readonly enabled: false; readonly clientSecret: "" } | CoreAuthValues["adminOauthClientCredentials"];
    };
    readonly common: {
        readonly databaseSecret: { readonly name: string; readonly secretManifest: Record<string, never> };
        readonly ingress: { readonly enabled: false };
    };
    readonly db: { readonly admin: { readonly database: DatabaseValues }; readonly datacatalog: { readonly database: DatabaseValues } };
    readonly storage: CoreStorageValues;
    readonly configmap: {
        readonly domain: { readonly domains: readonly { readonly id: string; readonly name: string }[] };
        readonly namespace_config: { readonly namespace_mapping: { readonly template: string } };
        readonly core: { readonly propeller: PropellerValues };
        /** flyteadmin's remoteData (components/flyte/remoteData.ts): signed URLs for execution data on GCS and S3. */
        readonly remoteData: { readonly remoteData: RemoteDataValues };
        readonly k8s: { readonly plugins: { readonly k8s: TaskPodDefaults } };
        readonly task_logs: TaskLogValues;
        /** With sign-in: flyteadmin's server and auth config, merged over the chart's (CoreAuthValues). */
        readonly adminServer?: CoreAuthValues["adminServer"];
        /** A control plane with registered data planes: flyteadmin's and the cluster resource sync's clusters (multiCluster.ts). */
        readonly clusters?: FlyteadminClusters;
    };
}

/** The pod webhook's securityContext, and its resources: the chart's defaults request resources but set no limits. */
export interface WebhookValues {
    readonly securityContext: CorePodSecurity;
    readonly resources: ResourceValues;
}

/** The k8s plugin's defaults for task pods (`configmap.k8s.plugins.k8s`). */
export interface TaskPodDefaults {
    readonly "default-env-vars": readonly Record<string, string>[];
    readonly "default-env-from-secrets"?: readonly string[];
}

/** Flyte's task log settings (`configmap.task_logs`). */
export type TaskLogValues = { readonly plugins: { readonly logs: Record<string, string | boolean> } };

/** flyteadmin's extra volumes and mounts (`flyteadmin.additionalVolumes`, `additionalVolumeMounts`). */
export type AdminVolumes = CoreAuthValues["adminVolumes"];

export interface ClusterResourcesConfig {
    readonly refreshInterval: string;
    readonly templatePath: string;
    readonly standaloneDeployment: false;
    readonly customData: CustomData;
}

/** The flat (still supported) database keys, which the chart's defaults use and which win over `postgres:`. */
export interface DatabaseValues {
    readonly host: string;
    readonly port: number;
    readonly username: string;
    readonly dbname: string;
    readonly passwordPath: string;
    readonly options: string;
}

/** What flyteadmin and the others read from the store for one request (the size inline data may have). */
type StorageLimits = { readonly limits: { readonly maxDownloadMBs: number } };

export type CoreStorageValues =
    | ({ readonly type: "gcs"; readonly bucketName: string; readonly gcs: { readonly projectId: string } } & StorageLimits)
    | ({
          readonly type: "s3";
          readonly bucketName: string;
          readonly s3: { readonly region: string; readonly authType: "iam" };
      } & StorageLimits)
    /** The storage section comes from CORE_STORAGE_SECRET. */
    | { readonly secretName: string };

export interface PropellerValues {
    readonly "rawoutput-prefix": string;
    readonly "metadata-prefix": string;
    /** One namespace, or "all" (propeller watches a single namespace or every one). */
    readonly "limit-namespace": string;
    readonly "leader-election": { readonly "lock-config-map": { readonly namespace: string } };
}

export interface FlyteCoreValuesInput {
    /** Projects (seeded into flyteadmin), domains and their display names, the namespace templates. */
    readonly flyte: FlyteConfig;
    /** Where the database is and which Secret holds its password (the chart mounts it at /etc/db). */
    readonly database: DatabaseInput;
    /**
     * The object store. With static keys (S3-compatible) Flyte's whole storage section comes from the Secret its
     * `credentialsSecret` names (CORE_STORAGE_FILE), and task pods read TASK_STORAGE_SECRET.
     */
    readonly storage: ChartStorage;
    /** Cloud identities; absent where there are none (local). */
    readonly identity?: {
        /** The service-account annotation the cluster reads. */
        readonly annotationKey: string;
        /** Each component's identity; flyteadmin's also signs URLs on GCS. */
        readonly components: Readonly<Partial<Record<FlyteCoreComponent, string>>>;
        /** How task pods' service accounts are annotated. */
        readonly worker: WorkerAnnotation;
    };
    /** Links from a task in the console to its logs; each plugin the platform gives is switched on. */
    readonly taskLogs: readonly TaskLogLink[];
    /** Plain environment variables for task pods (`default-env-vars`); absent: none. */
    readonly taskEnvironment?: Readonly<Record<string, string>>;
    /** secretsChecksum() of every secret the program hands Flyte: a pod annotation, so a change restarts Flyte. */
    readonly secretsChecksum: string;
    /** Replicas of flyteadmin, flyteconsole and datacatalog (flyte:coreReplicas); 2 or more survive a node's loss. */
    readonly replicas: number;
    /**
     * With sign-in: the provider, the generated clients' hashes and the Secrets CORE_ADMIN_CLIENT_ROLE and
     * CORE_OIDC_CLIENT_ROLE; absent: no authentication.
     */
    readonly authentication?: ChartAuthentication;
    /**
     * flyteadmin's notifications and execution events, with the Secret of the email credentials that flyteadmin
     * mounts (messaging.ts); absent: neither.
     */
    readonly messaging?: ChartMessaging;
    /** The control-plane role (`flyte:clusterRole: controlPlane`); absent: a standalone Flyte, values as ever. */
    readonly controlPlane?: ControlPlaneChartInput;
}

/** What the control-plane role changes in flyte-core's values. */
export interface ControlPlaneChartInput {
    /** flytepropeller (and its webhook) run in the control plane's cluster too (`flyte:controlPlanePropeller`). */
    readonly propeller: boolean;
    /**
     * flyteadmin's clusters (clustersConfig), whose credentials flyteadmin reads from CLUSTER_CREDENTIALS_SECRET;
     * absent: no data plane is registered yet, so flyteadmin keeps using its own cluster.
     */
    readonly clusters?: FlyteadminClusters;
}

export function rawOutputPrefix(storage: ChartStorage): string {
    return `${storage.provider === "gcs" ? "gs" : "s3"}://${storage.userDataBucket}/data`;
}

export function storageValues(storage: ChartStorage): CoreStorageValues {
    const limits = { maxDownloadMBs: INLINE_DATA_LIMIT_MB };
    switch (storage.provider) {
        case "gcs":
            return { type: "gcs", bucketName: storage.metadataBucket, gcs: { projectId: storage.project }, limits };
        case "s3":
            return { type: "s3", bucketName: storage.metadataBucket, s3: { region: storage.region, authType: "iam" }, limits };
        case "s3-compatible":
            return { secretName: storage.credentialsSecret };
    }
}

function remoteDataValues(storage: ChartStorage, identity: FlyteCoreValuesInput["identity"]): RemoteDataValues {
    switch (storage.provider) {
        case "gcs":
            if (!identity?.components.flyteadmin) {
                throw new Error("GCS storage needs flyteadmin's identity to sign URLs");
            }
            return remoteData({ provider: "gcs", signingPrincipal: identity.components.flyteadmin });
        case "s3":
            return remoteData({ provider: "s3", region: storage.region });
        case "s3-compatible":
            return remoteData({ provider: "s3-access-keys" });
    }
}

/** Flyte's task log settings; the chart renders them through `tpl`, so template braces are escaped. */
export function taskLogValues(links: readonly TaskLogLink[]): TaskLogValues {
    const logs: Record<string, string | boolean> = {};
    for (const plugin of ["kubernetes", "cloudwatch", "stackdriver"] as const) {
        const link = links.find((l) => l.plugin === plugin);
        logs[`${plugin}-enabled`] = link !== undefined;
        if (link) {
            logs[`${plugin}-template-uri`] = escapeForHelmTpl(link.templateUri);
        }
    }
    return { plugins: { logs } };
}

/** Task pods' plain environment (rendered through tpl, like everything in the propeller ConfigMap) and Secrets. */
export function taskPodDefaults(environment: Readonly<Record<string, string>> | undefined, envFromSecrets: readonly string[] = []): TaskPodDefaults {
    return {
        "default-env-vars": tplDefaultEnvVars(environment ?? {}),
        ...(envFromSecrets.length > 0 ? { "default-env-from-secrets": [...envFromSecrets] } : {}),
    };
}

/** flytepropeller's core settings: where raw outputs and metadata go, which namespaces it watches, its lock. */
export function propellerValues(flyte: FlyteConfig, rawOutputs: string): PropellerValues {
    return {
        "rawoutput-prefix": rawOutputs,
        // The chart's default, and what per-project grants are scoped to.
        "metadata-prefix": METADATA_PREFIX,
        "limit-namespace": propellerNamespace(flyte),
        "leader-election": { "lock-config-map": { namespace: flyte.namespace } },
    };
}

/** A backend component: its service account with `annotations`, the secrets checksum on its pods, hardened pods. */
export function componentValues(annotations: Record<string, string>, secretsChecksum: string): ComponentValues {
    return {
        serviceAccount: { create: true, annotations },
        podAnnotations: { [SECRETS_CHECKSUM_ANNOTATION]: secretsChecksum },
        securityContext: corePodSecurity(),
    };
}

/** The pod webhook: hardened; the chart's requests (cpu 200m, memory and ephemeral storage 500Mi) stay, a limit is added. */
export function webhookValues(): WebhookValues {
    return { securityContext: corePodSecurity(), resources: { requests: { cpu: "200m", memory: "500Mi" }, limits: { memory: "1Gi" } } };
}

/** Cluster resource templates as the chart lists them: `key` becomes `<key>.yaml`. */
function templateList(worker: WorkerAnnotation | undefined): { key: string; value: string }[] {
    return Object.entries(clusterResourceTemplates(worker)).map(([file, value]) => ({ key: file.replace(/\.yaml$/, ""), value }));
}

/**
 * A project id as flyte-core's seed-projects init container gets it. The chart writes each initial project into
 * the container's command unquoted (`- {{ . }}`, charts/flyte-core/templates/admin/deployment.yaml), and
 * Kubernetes reads manifests as YAML 1.1: a project `y`, `no`, `on`, `null` or `123` would be a boolean, null or
 * number there, which the API server rejects (`command[6]: must be of type string`). A double-quoted YAML scalar
 * reads as the string itself, so flyteadmin still gets the id. Project ids are DNS labels: JSON quoting is YAML
 * quoting for them.
 */
export function seedProjectArgument(project: string): string {
    return JSON.stringify(project);
}

/**
 * The one namespace propeller may watch when every project's executions land there, now and later: the configured
 * pairs share it and the template does not depend on the project (projects can be created at any time; domains
 * only through config). Otherwise all.
 */
export function propellerNamespace(flyte: FlyteConfig): string {
    const namespaces = new Set(flyte.projectNamespaces.map((p) => p.namespace));
    return namespaces.size === 1 && !flyte.namespaceTemplate.includes("{{ project }}") ? [...namespaces][0] : "all";
}

/**
 * `workflow_notifications`: the chart writes `notifications.yaml` from it key by key (templates/admin/configmap.yaml
 * at v1.16.8): `aws` and `gcp` only for their type, `publisher`, `processor` and the rest through `tpl`, `emailer`
 * as it is. So only the emailer's templates keep Flyte's placeholders unescaped.
 */
export function coreNotificationValues(notifications: ChartNotifications): NonNullable<FlyteCoreValues["workflow_notifications"]> {
    const { emailer, ...rest } = notificationsConfig(notifications);
    return { enabled: true, config: { notifications: { ...tplEscaped(rest), emailer } } };
}

/**
 * flyteadmin's volumes: the provider's client secret with sign-in, the email credentials with notifications, the
 * data planes' credentials with registered data planes. The chart also mounts them all into the pod's
 * sync-cluster-resources init container once `labelClusterMap` is not empty (templates/admin/deployment.yaml).
 */
function adminVolumes(auth: CoreAuthValues | undefined, messaging: ChartMessaging | undefined, clusters: boolean): AdminVolumes | undefined {
    const email = emailCredentialsVolume(messaging);
    const credentials = clusters ? [clusterCredentialsVolume()] : [];
    if (auth === undefined && email.volumes.length === 0 && credentials.length === 0) {
        return undefined;
    }
    return {
        additionalVolumes: [...(auth?.adminVolumes.additionalVolumes ?? []), ...email.volumes, ...credentials.map((c) => c.volume)],
        additionalVolumeMounts: [...(auth?.adminVolumes.additionalVolumeMounts ?? []), ...email.mounts, ...credentials.map((c) => c.mount)],
    };
}

/** flyte-core's authentication values (authentication.ts) for flyteadmin's Service in Flyte's namespace. */
export function coreAuthValues(authentication: ChartAuthentication, namespace: string): CoreAuthValues {
    return flyteCoreAuthValues(authentication, {
        admin: { service: FLYTEADMIN_SERVICE, namespace, httpPort: FLYTEADMIN_HTTP_PORT },
        internalClientSecret: authSecretName(authentication, CORE_ADMIN_CLIENT_ROLE),
        oidcClientSecret: authSecretName(authentication, CORE_OIDC_CLIENT_ROLE),
    });
}

export function flyteCoreValues(input: FlyteCoreValuesInput): FlyteCoreValues {
    const { flyte, identity } = input;
    const auth = input.authentication && coreAuthValues(input.authentication, flyte.namespace);
    const { notifications, events } = input.messaging ?? {};
    const controlPlane = input.controlPlane;
    const volumes = adminVolumes(auth, input.messaging, controlPlane?.clusters !== undefined);
    const checksum = { [SECRETS_CHECKSUM_ANNOTATION]: input.secretsChecksum };
    const component = (name: FlyteCoreComponent): ComponentValues =>
        componentValues(identity?.components[name] !== undefined ? { [identity.annotationKey]: identity.components[name] } : {}, input.secretsChecksum);
    // A control plane runs flytepropeller only if asked: its webhook, CRD, ConfigMap, service account and RBAC
    // render only with it (templates/propeller/*.yaml). flyteadmin itself needs no CRD in its own cluster: it
    // creates FlyteWorkflows in the cluster an execution goes to (flyteadmin/pkg/workflowengine/impl/k8s_executor.go).
    const propellerEnabled = controlPlane ? { enabled: controlPlane.propeller } : {};
    const database: DatabaseValues = {
        host: input.database.host,
        port: input.database.port,
        username: input.database.username,
        // flyteadmin and datacatalog share one database, as in flyte-binary: their tables do not collide.
        dbname: input.database.name,
        passwordPath: `${CORE_DB_PASSWORD_MOUNT}/${DB_PASSWORD_SECRET_KEY}`,
        options: input.database.options,
    };
    const clusterResources: ClusterResourcesConfig = {
        refreshInterval: "1m",
        templatePath: "/etc/flyte/clusterresource/templates",
        standaloneDeployment: false,
        customData: identity ? clusterResourceCustomData(flyte.domains, identity.worker) : [],
    };
    return {
        flyteadmin: {
            ...component("flyteadmin"),
            replicaCount: input.replicas,
            initialProjects: flyte.projects.map(seedProjectArgument),
            service: { type: "ClusterIP" },
            ...(volumes ?? {}),
        },
        flytepropeller: { ...propellerEnabled, ...component("flytepropeller") },
        datacatalog: { ...component("datacatalog"), replicaCount: input.replicas, service: { type: "ClusterIP" } },
        flytescheduler: component("flytescheduler"),
        flyteconsole: { replicaCount: input.replicas, securityContext: corePodSecurity() },
        webhook: { ...propellerEnabled, ...webhookValues() },
        cluster_resource_manager: {
            enabled: true,
            // As much as flyteadmin's own chart default: it is flyteadmin, running the cluster resource sync.
            resources: { requests: { cpu: "10m", memory: "50Mi" }, limits: { memory: "500Mi" } },
            podAnnotations: checksum,
            config: { cluster_resources: clusterResources },
            templates: templateList(identity?.worker),
            ...(controlPlane ? { standalone_deploy: true as const } : {}),
        },
        workflow_scheduler: { enabled: true, type: "native" },
        ...(notifications ? { workflow_notifications: coreNotificationValues(notifications) } : {}),
        // Rendered through tpl as a whole, over the chart's example values (enable: false).
        ...(events ? { external_events: tplEscaped(externalEventsConfig(events)) } : {}),
        secrets: { adminOauthClientCredentials: auth ? auth.adminOauthClientCredentials : { enabled: false, clientSecret: "" } },
        common: {
            databaseSecret: { name: input.database.passwordSecret, secretManifest: {} },
            ingress: { enabled: false },
        },
        db: { admin: { database }, datacatalog: { database } },
        storage: storageValues(input.storage),
        configmap: {
            domain: { domains: flyte.domains.map((id) => ({ id, name: flyte.domainNames[id] ?? id })) },
            // Rendered with toYaml, not tpl: Flyte's own placeholders pass through as they are.
            namespace_config: { namespace_mapping: { template: flyte.namespaceTemplate } },
            core: { propeller: propellerValues(flyte, rawOutputPrefix(input.storage)) },
            remoteData: { remoteData: remoteDataValues(input.storage, identity) },
            k8s: { plugins: { k8s: taskPodDefaults(input.taskEnvironment, input.storage.provider === "s3-compatible" ? [TASK_STORAGE_SECRET] : []) } },
            task_logs: taskLogValues(input.taskLogs),
            ...(auth ? { adminServer: auth.adminServer } : {}),
            ...(controlPlane?.clusters ? { clusters: controlPlane.clusters } : {}),
        },
    };
}

/**
 * CORE_STORAGE_FILE: Flyte's storage section for an access-key store (MinIO), keys included. Goes into a Secret,
 * never into chart values.
 */
export function coreStorageSecretFile(
    input: S3AccessKeyInput & {
        /** The bucket Flyte's stow client opens (`storage.container`). */
        readonly metadataBucket: string;
        /** The S3 API as pods reach it. */
        readonly endpoint: string;
        /** The region the client signs for. */
        readonly region: string;
        /** Plain HTTP to the endpoint. */
        readonly disableSSL: boolean;
        /** The endpoint signed URLs name, for clients outside the cluster; absent or empty: the pods' endpoint. */
        readonly signedUrlEndpoint?: string;
    },
): string {
    return stringify({
        storage: {
            type: "stow",
            container: input.metadataBucket,
            stow: {
                kind: "s3",
                config: {
                    auth_type: "accesskey",
                    access_key_id: input.accessKeyId,
                    secret_key: input.secretAccessKey,
                    endpoint: input.endpoint,
                    region: input.region,
                    // stow reads its config as strings.
                    disable_ssl: String(input.disableSSL),
                },
            },
            ...(input.signedUrlEndpoint ? { signedUrl: { stowConfigOverride: { endpoint: input.signedUrlEndpoint } } } : {}),
            "enable-multicontainer": false,
            limits: { maxDownloadMBs: INLINE_DATA_LIMIT_MB },
        },
    });
}
