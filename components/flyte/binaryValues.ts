import { stringify } from "yaml";
import type { FlyteConfig } from "../contract/config";
import type { CustomData, WorkerAnnotation } from "./clusterResources";
import { clusterResourceCustomData, clusterResourceTemplates } from "./clusterResources";
import type { ChartStorage, DatabaseInput, S3AccessKeyInput } from "./commonValues";
import { DB_PASSWORD_SECRET_KEY, escapeForHelmTpl, FLYTE_HTTP_PORT, SECRETS_CHECKSUM_ANNOTATION, TASK_STORAGE_SECRET, tplDefaultEnvVars } from "./commonValues";
import type { TaskLogLink } from "../contract/platform";
import { authSecretName, BinaryAuthValues, BinaryInlineAuth, ChartAuthentication, flyteBinaryAuthValues } from "./authentication";
import { INLINE_DATA_LIMIT_MB, remoteDataValues, type RemoteDataValues } from "./remoteData";
import type { AdminExternalEventsConfig, AdminNotificationsConfig, ChartMessaging } from "./messaging";
import { emailCredentialsVolume, externalEventsConfig, notificationsConfig, tplEscaped } from "./messaging";

/**
 * The flyte-binary chart's contract, as this program uses it, and the pure function that computes its values.
 * Chart: https://github.com/flyteorg/flyte/tree/v1.16.8/charts/flyte-binary
 */

export const FLYTE_BINARY_CHART = "flyte-binary";
/** Release name and fullnameOverride: every object the chart creates is named from it. */
export const FLYTE_BINARY_RELEASE = "flyte-binary";
/** Name of the Secret this program creates with the database password, mounted into the Flyte pod. */
export const DB_PASSWORD_SECRET = `${FLYTE_BINARY_RELEASE}-db-password`;
const DB_PASSWORD_MOUNT = "/etc/flyte/db";
/**
 * Secret (created by this program) with Flyte configuration that holds credentials: the S3 access keys. The chart
 * mounts it next to its own config files (`configuration.inlineSecretRef`); the key is the file name, sorted after
 * the chart's files so that it is merged last.
 */
export const SECRET_CONFIG_SECRET = `${FLYTE_BINARY_RELEASE}-secret-config`;
export const SECRET_CONFIG_FILE = "200-secret-config.yaml";
/**
 * With sign-in: the Secret (created by this program) with the internal client's secret and the OIDC provider's
 * client secret, which the chart mounts at /etc/secrets (`configuration.auth.clientSecretsExternalSecretRef`).
 */
export const AUTH_CLIENT_SECRETS_SECRET = `${FLYTE_BINARY_RELEASE}-auth-client-secrets`;
/** Its role among the authentication Secrets (AuthSecretSpec.role). */
export const AUTH_CLIENT_SECRETS_ROLE = "clientSecrets";
/**
 * With notifications through SendGrid or an SMTP server with a login: the Secret (created by this program) with the
 * API key or the password, which the Flyte pod mounts (messaging.ts).
 */
export const EMAIL_CREDENTIALS_SECRET = `${FLYTE_BINARY_RELEASE}-email-credentials`;
/** The chart's Service that serves HTTP (and gRPC) of the Flyte pod: `<fullname>-http`. */
export const FLYTE_BINARY_HTTP_SERVICE = `${FLYTE_BINARY_RELEASE}-http`;

/** Pod labels of the Flyte Deployment (`flyte-binary.selectorLabels`); the load balancer selects on them. */
export function flyteBinarySelectorLabels(): Record<string, string> {
    return {
        "app.kubernetes.io/name": FLYTE_BINARY_CHART,
        "app.kubernetes.io/instance": FLYTE_BINARY_RELEASE,
        "app.kubernetes.io/component": FLYTE_BINARY_CHART,
    };
}

// ---- Typed subset of the chart's values that this program sets ----

export interface LoggingPluginValues {
    readonly enabled: boolean;
    readonly templateUri: string;
}

export interface FlyteBinaryValues {
    readonly fullnameOverride: string;
    readonly commonLabels: Record<string, string>;
    readonly "flyte-core-components": {
        readonly admin: {
            readonly seedProjects: readonly string[];
            readonly seedProjectsWithDetails: readonly { readonly name: string; readonly description: string }[];
        };
    };
    readonly configuration: {
        readonly database: {
            readonly username: string;
            readonly passwordPath: string;
            readonly host: string;
            readonly port: number;
            readonly dbname: string;
            readonly options: string;
        };
        readonly storage: StorageValues;
        readonly logging: {
            readonly level: number;
            readonly plugins: {
                readonly kubernetes: LoggingPluginValues;
                readonly cloudwatch: LoggingPluginValues;
                readonly stackdriver: LoggingPluginValues;
            };
        };
        readonly inline: FlyteInlineConfig;
        /** A Secret with more Flyte config files, merged after the chart's (credentials). */
        readonly inlineSecretRef?: string;
        /** With sign-in: Flyte's authentication (authentication.ts). */
        readonly auth?: BinaryAuthValues;
    };
    readonly clusterResourceTemplates: { readonly inline: Record<string, string> };
    readonly deployment: {
        readonly resources: {
            readonly requests: { readonly cpu: string; readonly memory: string };
            readonly limits: { readonly memory: string };
        };
        /** The pod's securityContext, when `enabled` (the chart omits the key `enabled` itself). */
        readonly podSecurityContext: BinaryPodSecurityContext;
        /** The `flyte` container's securityContext. */
        readonly securityContext: ContainerSecurityValues;
        /** The `wait-for-db` init container's (it runs with `deployment.resources` too). */
        readonly waitForDB: { readonly securityContext: ContainerSecurityValues };
        readonly extraVolumes: readonly unknown[];
        readonly extraVolumeMounts: readonly unknown[];
        readonly podAnnotations: Record<string, string>;
        /**
         * With sign-in: the `gen-admin-auth-secret` init container, which generates flyteadmin's cookie and token
         * signing keys into `<fullname>-admin-auth` (genAdminAuthSecretArgs). It runs with `deployment.resources`.
         */
        readonly genAdminAuthSecret?: { readonly args: readonly string[]; readonly securityContext: ContainerSecurityValues };
    };
    readonly serviceAccount: {
        readonly create: true;
        readonly annotations: Record<string, string>;
    };
    readonly service: { readonly type: "ClusterIP" };
    readonly ingress: { readonly create: false };
    readonly rbac: { readonly create: true };
}

export interface BinaryPodSecurityContext {
    readonly enabled: true;
    readonly runAsNonRoot: true;
    readonly runAsUser: number;
    readonly runAsGroup: number;
    readonly fsGroup: number;
    readonly seccompProfile: { readonly type: "RuntimeDefault" };
}

export interface ContainerSecurityValues {
    readonly allowPrivilegeEscalation: false;
    readonly readOnlyRootFilesystem: true;
    readonly capabilities: { readonly drop: readonly ["ALL"] };
}

/**
 * The flyte-binary image has no user of its own (it runs as root: Dockerfile at flyteorg/flyte v1.16.8); it runs as
 * the chart's suggested `nobody` (deployment.podSecurityContext in charts/flyte-binary/values.yaml).
 */
export const FLYTE_BINARY_USER = 65534;

/** Restricted, with a read-only root: flyte-binary writes only its webhook certificates, to the chart's /var/run/flyte emptyDir. */
export function binaryContainerSecurity(): ContainerSecurityValues {
    return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
}

/** The Secret the chart's `gen-admin-auth-secret` fills with flyteadmin's generated keys (`<fullname>-admin-auth`). */
export const ADMIN_AUTH_SECRET = `${FLYTE_BINARY_RELEASE}-admin-auth`;
/**
 * Where `gen-admin-auth-secret` writes those keys before storing them in ADMIN_AUTH_SECRET. The chart's own script
 * writes them to /tmp, on the root filesystem, and the template gives the container no volume but the (read-only)
 * config (templates/deployment.yaml at v1.16.8); /dev/shm is the tmpfs every container runtime mounts, writable
 * under a read-only root, so the container stays restricted and the keys never touch a disk.
 */
export const ADMIN_AUTH_SCRATCH = "/dev/shm/admin-auth-secret";

/**
 * The `gen-admin-auth-secret` script (run by the chart's `sh -ec`): the chart's two `flyte secrets` commands with
 * ADMIN_AUTH_SCRATCH for /tmp, then the files removed (containers of a pod share /dev/shm).
 */
export function genAdminAuthSecretArgs(): string[] {
    const flyte = "flyte --config=/etc/flyte/config.d/*.yaml";
    return [
        [
            `${flyte} secrets init --localPath ${ADMIN_AUTH_SCRATCH}`,
            `${flyte} secrets create --name ${ADMIN_AUTH_SECRET} --fromPath ${ADMIN_AUTH_SCRATCH}`,
            `rm -rf ${ADMIN_AUTH_SCRATCH}`,
            "",
        ].join("\n"),
    ];
}

export type StorageValues =
    | {
          readonly metadataContainer: string;
          readonly userDataContainer: string;
          readonly provider: "gcs";
          readonly providerConfig: { readonly gcs: { readonly project: string } };
      }
    | {
          readonly metadataContainer: string;
          readonly userDataContainer: string;
          readonly provider: "s3";
          readonly providerConfig: {
              readonly s3: {
                  readonly region: string;
                  readonly disableSSL: boolean;
                  readonly v2Signing: boolean;
                  readonly endpoint: string;
                  /** Always iam here: with accesskey the chart wants the keys in its values (see storageValues). */
                  readonly authType: "iam";
              };
          };
      };

/** Flyte configuration merged over the chart's own (`configuration.inline`). */
export interface FlyteInlineConfig {
    readonly domains: readonly { readonly id: string; readonly name: string }[];
    readonly namespace_mapping: { readonly template: string };
    readonly cluster_resources: {
        readonly refreshInterval: string;
        readonly customData?: CustomData;
    };
    readonly plugins: {
        readonly k8s: {
            readonly "inject-finalizer": boolean;
            readonly "default-env-vars"?: readonly Record<string, string>[];
            readonly "default-env-from-secrets"?: readonly string[];
        };
    };
    readonly storage?: {
        readonly limits: { readonly maxDownloadMBs: number };
        readonly stow?: { readonly config: { readonly auth_type: "accesskey" } };
        readonly signedUrl?: { readonly stowConfigOverride: { readonly endpoint: string } };
    };
    /** Signed URLs for execution data (components/flyte/remoteData.ts); absent: flyteadmin's default, none. */
    readonly remoteData?: RemoteDataValues;
    /** With sign-in: the in-pod token endpoint of Flyte's components (BinaryInlineAuth). */
    readonly admin?: BinaryInlineAuth["admin"];
    /** With sign-in: the configured scopes and the CI client (BinaryInlineAuth). */
    readonly auth?: BinaryInlineAuth["auth"];
    /** With notifications: flyteadmin's notifications section (messaging.ts), escaped for `tpl`. */
    readonly notifications?: AdminNotificationsConfig;
    /** With execution events: flyteadmin's externalEvents section (messaging.ts), escaped for `tpl`. */
    readonly externalEvents?: AdminExternalEventsConfig;
}

export interface FlyteBinaryValuesInput {
    /** Projects (seeded into flyteadmin), domains and their display names, the namespace template. */
    readonly flyte: FlyteConfig;
    /** Where the database is and which Secret holds its password (mounted at DB_PASSWORD_MOUNT). */
    readonly database: DatabaseInput;
    /**
     * The object store. With static keys (S3-compatible) its `credentialsSecret` names the Secret holding
     * SECRET_CONFIG_FILE, and task pods read TASK_STORAGE_SECRET.
     */
    readonly storage: ChartStorage;
    /** Cloud identities; absent where there are none (local). */
    readonly identity?: {
        /** The service-account annotation the cluster reads. */
        readonly annotationKey: string;
        /** The backend's identity (a Google service account email, an IAM role ARN); it also signs URLs on GCS. */
        readonly backend: string;
        /** How task pods' service accounts are annotated. */
        readonly worker: WorkerAnnotation;
    };
    /** Links from a task in the console to its logs; each plugin the platform gives is switched on. */
    readonly taskLogs: readonly TaskLogLink[];
    /** The chart's `commonLabels`: on every object it renders. */
    readonly labels: Record<string, string>;
    /** secretsChecksum() of every secret the program hands Flyte: a pod annotation, so a change restarts Flyte. */
    readonly secretsChecksum: string;
    /** Plain environment variables for task pods (`default-env-vars`); absent or empty: none. */
    readonly taskEnvironment?: Readonly<Record<string, string>>;
    /**
     * With sign-in: the provider, the generated clients' hashes and the Secret with the client secrets
     * (AUTH_CLIENT_SECRETS_ROLE); absent: no authentication.
     */
    readonly authentication?: ChartAuthentication;
    /**
     * flyteadmin's notifications and execution events, with the Secret of the email credentials that the Flyte
     * pod mounts (messaging.ts); absent: neither.
     */
    readonly messaging?: ChartMessaging;
}

/**
 * The chart pastes log template URIs into YAML unquoted; a double-quoted scalar keeps characters such as `#`,
 * `%` and `:` intact.
 */
function yamlQuoted(text: string): string {
    return JSON.stringify(text);
}

function loggingPlugin(links: readonly TaskLogLink[], plugin: TaskLogLink["plugin"]): LoggingPluginValues {
    const link = links.find((l) => l.plugin === plugin);
    return link ? { enabled: true, templateUri: yamlQuoted(link.templateUri) } : { enabled: false, templateUri: "" };
}

function storageValues(storage: ChartStorage): StorageValues {
    const containers = { metadataContainer: storage.metadataBucket, userDataContainer: storage.userDataBucket };
    if (storage.provider === "gcs") {
        return { ...containers, provider: "gcs", providerConfig: { gcs: { project: storage.project } } };
    }
    // AWS S3 (no endpoint): the SDK's endpoint for the region, always over TLS.
    const compatible = storage.provider === "s3-compatible";
    return {
        ...containers,
        provider: "s3",
        providerConfig: {
            s3: {
                region: storage.region,
                disableSSL: compatible && storage.disableSSL,
                v2Signing: false,
                endpoint: compatible ? storage.endpoint : "",
                // With authType accesskey the chart requires the keys in its values, where every preview would
                // show them. Access keys are switched on in the inline config instead, and the keys themselves
                // come from SECRET_CONFIG_FILE.
                authType: "iam",
            },
        },
    };
}

function inlineStorage(storage: ChartStorage): FlyteInlineConfig["storage"] {
    // The chart leaves flytestdlib's 2 MB; flyte-core's and the inline-data size (remoteData.ts) are 10.
    const limits = { maxDownloadMBs: INLINE_DATA_LIMIT_MB };
    if (storage.provider !== "s3-compatible") {
        return { limits };
    }
    return {
        limits,
        stow: { config: { auth_type: "accesskey" } },
        ...(storage.signedUrlEndpoint ? { signedUrl: { stowConfigOverride: { endpoint: storage.signedUrlEndpoint } } } : {}),
    };
}

/**
 * The backend signs execution data as flyte-core's flyteadmin does: on GCS as its own service account, on S3
 * through its role; with MinIO's access keys flyteadmin's default (no signing) stays.
 */
function inlineRemoteData(storage: ChartStorage, identity: FlyteBinaryValuesInput["identity"]): RemoteDataValues | undefined {
    switch (storage.provider) {
        case "gcs":
            return identity ? remoteDataValues({ provider: "gcs", signingPrincipal: identity.backend }) : undefined;
        case "s3":
            return remoteDataValues({ provider: "s3", region: storage.region });
        case "s3-compatible":
            return undefined;
    }
}

/** flyte-binary's authentication values (authentication.ts) for the chart's Services in Flyte's namespace. */
export function binaryAuthValues(authentication: ChartAuthentication, namespace: string): ReturnType<typeof flyteBinaryAuthValues> {
    return flyteBinaryAuthValues(authentication, {
        admin: { service: FLYTE_BINARY_HTTP_SERVICE, namespace, httpPort: FLYTE_HTTP_PORT },
        podHttpPort: FLYTE_HTTP_PORT,
        clientSecretsSecret: authSecretName(authentication, AUTH_CLIENT_SECRETS_ROLE),
    });
}

export function flyteBinaryValues(input: FlyteBinaryValuesInput): FlyteBinaryValues {
    const { flyte, identity } = input;
    const storage = inlineStorage(input.storage);
    const remoteData = inlineRemoteData(input.storage, identity);
    const auth = input.authentication && binaryAuthValues(input.authentication, flyte.namespace);
    const { notifications, events } = input.messaging ?? {};
    const emailCredentials = emailCredentialsVolume(input.messaging);
    return {
        fullnameOverride: FLYTE_BINARY_RELEASE,
        commonLabels: input.labels,
        "flyte-core-components": {
            admin: {
                seedProjects: flyte.projects,
                seedProjectsWithDetails: flyte.projects.map((name) => ({
                    name,
                    description: `Flyte project ${name}, managed by Pulumi.`,
                })),
            },
        },
        configuration: {
            database: {
                username: input.database.username,
                passwordPath: `${DB_PASSWORD_MOUNT}/${DB_PASSWORD_SECRET_KEY}`,
                host: input.database.host,
                port: input.database.port,
                dbname: input.database.name,
                options: input.database.options,
            },
            storage: storageValues(input.storage),
            logging: {
                level: 1,
                plugins: {
                    kubernetes: loggingPlugin(input.taskLogs, "kubernetes"),
                    cloudwatch: loggingPlugin(input.taskLogs, "cloudwatch"),
                    stackdriver: loggingPlugin(input.taskLogs, "stackdriver"),
                },
            },
            inline: {
                domains: flyte.domains.map((id) => ({ id, name: flyte.domainNames[id] ?? id })),
                namespace_mapping: { template: escapeForHelmTpl(flyte.namespaceTemplate) },
                cluster_resources: {
                    refreshInterval: "1m",
                    ...(identity ? { customData: clusterResourceCustomData(flyte.domains, identity.worker) } : {}),
                },
                plugins: {
                    k8s: {
                        "inject-finalizer": true,
                        ...(input.taskEnvironment && Object.keys(input.taskEnvironment).length > 0
                            ? // configuration.inline is rendered through tpl.
                              { "default-env-vars": tplDefaultEnvVars(input.taskEnvironment) }
                            : {}),
                        ...(input.storage.provider === "s3-compatible" ? { "default-env-from-secrets": [TASK_STORAGE_SECRET] } : {}),
                    },
                },
                storage,
                ...(remoteData ? { remoteData } : {}),
                ...(auth ? auth.inline : {}),
                // configuration.inline is rendered through tpl; the email templates' placeholders are Flyte's own.
                ...(notifications ? { notifications: tplEscaped(notificationsConfig(notifications)) } : {}),
                ...(events ? { externalEvents: tplEscaped(externalEventsConfig(events)) } : {}),
            },
            ...(input.storage.provider === "s3-compatible" ? { inlineSecretRef: input.storage.credentialsSecret } : {}),
            ...(auth ? { auth: auth.auth } : {}),
        },
        clusterResourceTemplates: { inline: clusterResourceTemplates(identity?.worker) },
        deployment: {
            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "2Gi" } },
            podSecurityContext: {
                enabled: true,
                runAsNonRoot: true,
                runAsUser: FLYTE_BINARY_USER,
                runAsGroup: FLYTE_BINARY_USER,
                fsGroup: FLYTE_BINARY_USER,
                seccompProfile: { type: "RuntimeDefault" },
            },
            securityContext: binaryContainerSecurity(),
            // pg_isready only connects.
            waitForDB: { securityContext: binaryContainerSecurity() },
            extraVolumes: [
                { name: "db-password", secret: { secretName: input.database.passwordSecret } },
                // Flyte's own code writes no temporary files (no os.TempDir or CreateTemp outside tests at v1.16.8);
                // a small /tmp keeps libraries that might from failing on the read-only root.
                { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                // With email credentials: the Secret with them, for the one container, which runs flyteadmin.
                ...emailCredentials.volumes,
            ],
            extraVolumeMounts: [
                { name: "db-password", mountPath: DB_PASSWORD_MOUNT, readOnly: true },
                { name: "tmp", mountPath: "/tmp" },
                ...emailCredentials.mounts,
            ],
            podAnnotations: { [SECRETS_CHECKSUM_ANNOTATION]: input.secretsChecksum },
            ...(auth ? { genAdminAuthSecret: { args: genAdminAuthSecretArgs(), securityContext: binaryContainerSecurity() } } : {}),
        },
        serviceAccount: {
            create: true,
            annotations: identity ? { [identity.annotationKey]: identity.backend } : {},
        },
        // Clients come in through the Service this program creates; the chart's own services stay internal.
        service: { type: "ClusterIP" },
        ingress: { create: false },
        rbac: { create: true },
    };
}

/** SECRET_CONFIG_FILE: the S3 keys for Flyte itself. Goes into a Secret, never into chart values. */
export function secretConfigFile(input: S3AccessKeyInput): string {
    return stringify({
        storage: { stow: { config: { access_key_id: input.accessKeyId, secret_key: input.secretAccessKey } } },
    });
}
