import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { FlyteConfig, VerificationConfig } from "../contract/config";
import type { EmailDelivery, FlytePlatform, S3CompatibleStorage } from "../contract/platform";
import type { AuthSecretSpec, ChartAuthentication } from "./authentication";
import type { ChartIdentity } from "./chartInputs";
import { allOf, chartIdentity, chartMessaging, chartStorage, databaseInput, keyedChartStorage, resolvedAccessKey, secretsDigest } from "./chartInputs";
import { ChartStorage, DatabaseInput, DB_PASSWORD_SECRET_KEY, S3AccessKeyInput } from "./commonValues";
import { httpsEndpoints } from "./endpoints";
import { endpointService } from "./endpointService";
import { FlyteAuthentication } from "./flyteAuthentication";
import { DeploymentVerification } from "./deploymentVerification";
import { ChartMessaging, emailCredentialFile } from "./messaging";
import { type AdminJobArgs, ProjectDataLocations } from "./projectDataLocations";
import { TaskNamespace, taskNamespacesWithStorageKeys } from "./taskNamespaces";
import { verifiedIdentityKey, verifiedNamespace } from "./verification";
import type { ControlPlaneConfig, ResolvedDataPlane } from "../contract/multiCluster";
import { ControlPlaneClusters } from "./controlPlaneClusters";
import type { ControlPlaneChartInput } from "./coreValues";
import { ExecutionRoutes } from "./executionRoutes";

/**
 * One routine that installs Flyte from either chart (flyte-binary, flyte-core): Flyte's namespace, the Secrets it
 * reads (database password, storage credentials where the store uses static keys), the task pods' namespaces and
 * keys, the Helm release, the Service clients reach it through, and with project isolation the Job that points
 * each project's data at its bucket; with sign-in (the platform's OIDC provider, over HTTPS), Flyte's
 * authentication (authentication.ts, flyteAuthentication.ts); with the platform's messaging, flyteadmin's
 * notifications and execution events and the Secret of the email credentials (messaging.ts). Each chart states
 * what differs in a FlyteChartSpec.
 */

/** Seconds Helm waits for Flyte to become ready (first install pulls images and migrates the database). */
export const RELEASE_TIMEOUT_SECONDS = 900;

/**
 * How every Flyte release is installed: atomic (a failed install or upgrade rolls back, removing what it created),
 * within RELEASE_TIMEOUT_SECONDS, keeping 10 revisions to roll back to.
 */
export const RELEASE_POLICY = { atomic: true, cleanupOnFail: true, timeout: RELEASE_TIMEOUT_SECONDS, maxHistory: 10 } as const;

/** Both flavors' type tokens: each aliases the other, so that switching flavor keeps what both share. */
const FLAVOR_TYPES = ["flyte:flyte:FlyteBinary", "flyte:flyte:FlyteCore"] as const;

export type FlyteFlavorType = (typeof FLAVOR_TYPES)[number];

export interface FlyteInstallationArgs {
    /**
     * Projects, domains and their namespaces, Flyte's own namespace, the chart version and repository, project
     * isolation, and flyte-core's replicas and proxy image: the stack's validated `flyte:*` config.
     */
    readonly flyte: FlyteConfig;
    /**
     * The cluster (its Kubernetes provider), database, object store, cloud identities, task log links and exposure,
     * from whichever platform runs Flyte (GcpPlatform, AwsPlatform, LocalPlatform, or a test's stand-in).
     */
    readonly platform: FlytePlatform;
    /** Labels for every Kubernetes object this creates and the chart renders (`app.kubernetes.io/*`, the stack). */
    readonly labels: Readonly<Record<string, string>>;
    /**
     * The verification after each `pulumi up` (flyte:verification), with the stack's name its messages give;
     * absent: none.
     */
    readonly verification?: VerificationConfig & { readonly stack: string };
    /**
     * A control plane (flyte-core only): its config and the data planes that have published their outputs; the
     * platform must state its network side (`FlytePlatform.controlPlane`). Absent: a standalone Flyte.
     */
    readonly controlPlane?: {
        /** flyte:clusterRole controlPlane's keys, validated. */
        readonly config: ControlPlaneConfig;
        /** The data planes read through their stack references (those without outputs yet left out). */
        readonly dataPlanes: readonly ResolvedDataPlane[];
    };
}

/** What a chart's values builder is given: the platform's outputs resolved, and the config. */
export interface ChartInputs {
    /** The stack's `flyte:*` config. */
    readonly flyte: FlyteConfig;
    /** The database, with the name of the password Secret this routine created. */
    readonly database: DatabaseInput;
    /** The object store; with static keys, with the name of the credentials Secret this routine created. */
    readonly storage: ChartStorage;
    /** The backend identities the spec asked for and the workers' annotation; absent without cloud identities. */
    readonly identity?: ChartIdentity;
    /**
     * Digest of the database password, the storage credentials file and, with sign-in, the client secrets Flyte
     * mounts, and with email credentials those: a pod annotation that restarts Flyte.
     */
    readonly secretsChecksum: string;
    /** With sign-in: the provider, the generated clients' hashes and the Secrets created for the chart. */
    readonly authentication?: ChartAuthentication;
    /** With the platform's messaging: notifications and execution events, and the email credentials' Secret by name. */
    readonly messaging?: ChartMessaging;
    /** A control plane: whether it runs flytepropeller, and flyteadmin's `clusters` once a data plane is registered. */
    readonly controlPlane?: ControlPlaneChartInput;
    /** The platform's task log links. */
    readonly taskLogs: FlytePlatform["taskLogs"];
    /** The platform's plain environment for task pods. */
    readonly taskEnvironment?: FlytePlatform["taskEnvironment"];
    /** Labels for what the chart renders. */
    readonly labels: Record<string, string>;
}

/** The Secret a chart reads its storage credentials from, on a store with static keys (MinIO). */
export interface StorageCredentialsSpec {
    /** Pulumi name of the Secret: `<component name>-<resourceSuffix>` (a rename would replace the Secret). */
    readonly resourceSuffix: string;
    /** The Secret's Kubernetes name, which the chart's values point at. */
    readonly secretName: string;
    /** The key in the Secret: the file name the chart mounts it as. */
    readonly fileName: string;
    /** The file's contents, keys included: a Pulumi secret, never part of chart values. */
    readonly file: (key: S3AccessKeyInput, storage: KeyedStore) => string;
}

/** A store with static keys, its outputs resolved, as a credentials file describes it. */
export type KeyedStore = Pick<S3CompatibleStorage, "region" | "endpoint" | "disableSSL" | "signedUrlEndpoint"> & {
    /** The metadata bucket's name. */
    readonly metadataBucket: string;
};

/** What the objects around a chart's release are given to declare more of them (flyte-core's endpoint proxy). */
export interface ReleaseContext {
    /** The component's name: what the hook creates is named `<name>-<what>`. */
    readonly name: string;
    /** The component that owns everything here: the parent of what the hook creates. */
    readonly parent: pulumi.Resource;
    /** The platform's Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The component's labels. */
    readonly labels: Readonly<Record<string, string>>;
    /** Flyte's namespace, read from its Namespace object. */
    readonly namespace: pulumi.Output<string>;
    /** The chart's Helm release: what waits for Flyte's own Services depends on it. */
    readonly release: k8s.helm.v3.Release;
}

/** What differs between the two charts; the routine does the rest the same way for both. */
export interface FlyteChartSpec<Extras> {
    /** The chart's name in `flyte:chartRepository`, e.g. `flyte-binary`. */
    readonly chart: string;
    /** The Helm release name; also names the endpoint Service (`<release>-lb` or `<release>-nodeport`). */
    readonly releaseName: string;
    /** The Kubernetes name of the Secret with the database password, key DB_PASSWORD_SECRET_KEY, that the chart mounts. */
    readonly databasePasswordSecret: string;
    /** The Kubernetes name of the Secret with the email credentials (SendGrid's key, the SMTP password) flyteadmin mounts. */
    readonly emailCredentialsSecret: string;
    /** Where the chart reads storage credentials from on a store with static keys; unused on GCS and AWS S3. */
    readonly storageCredentials: StorageCredentialsSpec;
    /** The identity keys whose annotation values the values builder needs (`backend`, or each flyte-core component). */
    readonly backendIdentities: readonly string[];
    /** The chart's values, from the resolved inputs. Pure. */
    readonly values: (inputs: ChartInputs) => object;
    /** Labels of the pods that serve Flyte's HTTP and gRPC ports, which the endpoint Service selects. */
    readonly endpointSelector: Readonly<Record<string, string>>;
    /** flyteadmin's HTTP API inside the cluster, which the project data Job calls. */
    readonly admin: {
        /** The Service in Flyte's namespace that serves it (flyte-binary: `flyte-binary-http`; flyte-core: `flyteadmin`). */
        readonly service: string;
        /** Its HTTP port (flyte-binary: 8088; flyte-core: 80). */
        readonly httpPort: number;
    };
    /** Objects the chart needs around its release, declared right after it (flyte-core's endpoint proxy). */
    readonly aroundRelease: (context: ReleaseContext) => Extras;
    /** With sign-in: where the chart reads the client secrets from. */
    readonly authentication: {
        /** The Secrets this routine creates for the chart to mount. */
        readonly secrets: readonly AuthSecretSpec[];
        /** The Secret (by role) and key with INTERNAL_CLIENT_ID's secret, which the project data Job reads too. */
        readonly internalClientSecret: { readonly role: string; readonly key: string };
    };
}

/** flyteadmin's HTTP API as pods in the cluster reach it. */
export function adminUrl(admin: FlyteChartSpec<unknown>["admin"], namespace: string): string {
    return `http://${admin.service}.${namespace}.svc.cluster.local:${admin.httpPort}`;
}

/** The Secret with the storage credentials file, and the file (for the digest), on a store with static keys. */
interface StorageCredentials {
    /** The Secret the chart mounts. */
    readonly secret: k8s.core.v1.Secret;
    /** Its one file, a Pulumi secret: part of the digest that restarts Flyte when it changes. */
    readonly file: pulumi.Output<string>;
}

function storageCredentialsSecret(
    name: string,
    args: {
        /** The store and Flyte's key. */
        readonly storage: S3CompatibleStorage;
        /** How the chart names and reads the Secret. */
        readonly spec: StorageCredentialsSpec;
        /** Flyte's namespace (read from its Namespace object). */
        readonly namespace: pulumi.Output<string>;
        /** Labels of the Secret. */
        readonly labels: Record<string, string>;
    },
    opts: pulumi.CustomResourceOptions,
): StorageCredentials {
    const { storage, spec } = args;
    const resolved = allOf({ key: resolvedAccessKey(storage.accessKey), metadataBucket: storage.metadataBucket });
    const file = resolved.apply(({ key, metadataBucket }) =>
        spec.file(key, {
            metadataBucket,
            region: storage.region,
            endpoint: storage.endpoint,
            disableSSL: storage.disableSSL,
            signedUrlEndpoint: storage.signedUrlEndpoint,
        }),
    );
    const secret = new k8s.core.v1.Secret(
        `${name}-${spec.resourceSuffix}`,
        {
            metadata: { name: spec.secretName, namespace: args.namespace, labels: args.labels },
            type: "Opaque",
            stringData: { [spec.fileName]: pulumi.secret(file) },
        },
        opts,
    );
    return { secret, file };
}

/** The secret an email service needs, and the file (Secret key) flyteadmin reads it from; undefined: none. */
function emailCredential(email: EmailDelivery): { readonly file: string; readonly secret: pulumi.Output<string> } | undefined {
    const file = emailCredentialFile(email);
    if (file === undefined) {
        return undefined;
    }
    switch (email.service) {
        case "sendgrid":
            return { file, secret: email.apiKey };
        case "smtp":
            return { file, secret: email.password };
        case "ses":
            throw new Error("SES takes no credentials: flyteadmin sends through its own identity");
    }
}

/**
 * Flyte installed from one chart, cloud-agnostic (see above). FlyteBinary and FlyteCore are its two flavors; each
 * keeps its own type token, and aliases the other's, so that switching flavor keeps what both share (namespace,
 * Secrets, Service) instead of recreating it.
 */
export abstract class FlyteInstallation<Extras> extends pulumi.ComponentResource {
    /** Flyte's own namespace (flyte:flyteNamespace). */
    readonly namespace: k8s.core.v1.Namespace;
    /** The Secret with the database password. */
    readonly databasePassword: k8s.core.v1.Secret;
    /** On a store with static keys: the Secret with Flyte's storage credentials. */
    readonly storageCredentials?: k8s.core.v1.Secret;
    /** On a store with static keys: the task pods' namespaces, each with its storage Secret. */
    readonly taskNamespaces: readonly TaskNamespace[];
    readonly release: k8s.helm.v3.Release;
    /** The Service clients reach Flyte through. */
    readonly service: k8s.core.v1.Service;
    /** `host:port` for gRPC clients (flytectl, pyflyte). */
    readonly grpcEndpoint: pulumi.Output<string>;
    /** Base URL of the HTTP API. */
    readonly httpEndpoint: pulumi.Output<string>;
    readonly consoleUrl: pulumi.Output<string>;
    /** Contents of `~/.flyte/config.yaml`. */
    readonly flytectlConfig: pulumi.Output<string>;
    /** `kubectl port-forward` of Flyte's HTTP and gRPC ports from its endpoint Service (with the stack's kubeconfig). */
    readonly portForwardCommand: pulumi.Output<string>;
    /** With project isolation: each project's raw output prefix. */
    readonly projectDataLocations?: ProjectDataLocations;
    /** With sign-in: the generated clients and the Secrets the chart mounts them from. */
    readonly authentication?: FlyteAuthentication;
    /** With email through SendGrid or an SMTP server with a login: the Secret with the key or password, for flyteadmin. */
    readonly emailCredentials?: k8s.core.v1.Secret;
    /** With sign-in: the redirect URI(s) to register for Flyte's client at the OpenID Connect provider. */
    readonly oidcRedirectUris?: pulumi.Output<string[]>;
    /** With sign-in: the client id a CI pipeline uses with flyteadmin (client credentials). */
    readonly ciClientId?: pulumi.Output<string>;
    /** With sign-in: that client's secret (a Pulumi secret). */
    readonly ciClientSecret?: pulumi.Output<string>;
    /** With verification: the Jobs that check the deployment after each new release revision. */
    readonly verification?: DeploymentVerification;
    /** A control plane: the data planes' credentials and datacatalog's internal load balancer. */
    readonly controlPlaneClusters?: ControlPlaneClusters;
    /** A control plane: the Job that sets each routed project's execution cluster label. */
    readonly executionRoutes?: ExecutionRoutes;
    /** A control plane with sign-in: the client flytepropeller on the data planes calls flyteadmin as, and its secret. */
    readonly propellerClient?: { readonly id: string; readonly secret: pulumi.Output<string> };
    /** What the chart's spec declared around its release. */
    protected readonly extras: Extras;

    protected constructor(
        type: FlyteFlavorType,
        name: string,
        args: FlyteInstallationArgs,
        spec: FlyteChartSpec<Extras>,
        opts?: pulumi.ComponentResourceOptions,
    ) {
        const aliases = FLAVOR_TYPES.filter((other) => other !== type).map((other) => ({ type: other }));
        super(type, name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), ...aliases] });
        const { flyte, platform } = args;
        const { storage } = platform;
        const labels = { ...args.labels };
        const provider = platform.kubernetesProvider;
        const k8sOpts = { parent: this, provider };

        this.namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: { name: flyte.namespace, labels } }, k8sOpts);
        const namespace = this.namespace.metadata.name;

        if (args.controlPlane !== undefined) {
            const network = platform.controlPlane;
            if (network === undefined) {
                throw new Error("a control plane on a platform that states no network for its data planes (FlytePlatform.controlPlane)");
            }
            this.controlPlaneClusters = new ControlPlaneClusters(
                `${name}-clusters`,
                {
                    config: args.controlPlane.config,
                    dataPlanes: args.controlPlane.dataPlanes,
                    namespace,
                    internalServiceAnnotations: network.internalServiceAnnotations,
                    fallbackSourceRanges: network.clientRanges,
                    labels,
                    provider,
                },
                { parent: this },
            );
        }
        const clusters = this.controlPlaneClusters;

        this.databasePassword = new k8s.core.v1.Secret(
            `${name}-db-password`,
            {
                metadata: { name: spec.databasePasswordSecret, namespace, labels },
                type: "Opaque",
                stringData: { [DB_PASSWORD_SECRET_KEY]: pulumi.secret(platform.database.password) },
            },
            k8sOpts,
        );

        // Names read from the Secrets, so that the release also waits for them to exist.
        let credentialsFile: pulumi.Output<string> | undefined;
        let storageInput: pulumi.Output<ChartStorage>;
        if (storage.provider === "s3-compatible") {
            const credentials = storageCredentialsSecret(name, { storage, spec: spec.storageCredentials, namespace, labels }, k8sOpts);
            this.storageCredentials = credentials.secret;
            credentialsFile = credentials.file;
            storageInput = keyedChartStorage(storage, credentials.secret.metadata.name);
            this.taskNamespaces = taskNamespacesWithStorageKeys(name, { flyte, storage, labels }, k8sOpts);
        } else {
            storageInput = chartStorage(storage);
            this.taskNamespaces = [];
        }

        if (platform.signIn !== undefined) {
            const { exposure } = platform;
            if (exposure.kind !== "https") {
                throw new Error(`Flyte's sign-in needs Flyte on its own name over HTTPS (an https exposure), not a ${exposure.kind} exposure`);
            }
            this.authentication = new FlyteAuthentication(
                `${name}-auth`,
                { signIn: platform.signIn, hostname: exposure.hostname, namespace, secrets: spec.authentication.secrets, labels, provider },
                { parent: this },
            );
            this.oidcRedirectUris = this.authentication.oidcRedirectUris;
            this.ciClientId = pulumi.output(this.authentication.ciClient.id);
            this.ciClientSecret = this.authentication.ciClient.secret;
        }
        const authentication = this.authentication;

        // Only flyteadmin mounts it (messaging.ts); the name is read from the Secret, so that the release waits for it.
        const notifications = platform.messaging?.notifications;
        const credential = notifications && emailCredential(notifications.email);
        if (credential !== undefined) {
            this.emailCredentials = new k8s.core.v1.Secret(
                `${name}-email-credentials`,
                {
                    metadata: { name: spec.emailCredentialsSecret, namespace, labels },
                    type: "Opaque",
                    stringData: { [credential.file]: pulumi.secret(credential.secret) },
                },
                k8sOpts,
            );
        }
        const messaging = chartMessaging(platform.messaging, {
            credentialsSecret: this.emailCredentials?.metadata.name,
            // A link in each email where Flyte has a fixed name; an internal load balancer's address may come later.
            consoleUrl: platform.exposure.kind === "https" ? httpsEndpoints(platform.exposure.hostname, false).consoleUrl : undefined,
        });

        const resolved = allOf({
            database: databaseInput(platform.database, this.databasePassword.metadata.name),
            storage: storageInput,
            identity: chartIdentity(platform.identity, spec.backendIdentities),
            // Without sign-in or email credentials the same list (and digest) as before they existed.
            secretsChecksum: secretsDigest([
                platform.database.password,
                credentialsFile ?? "",
                ...(authentication?.mountedSecrets ?? []),
                ...(credential ? [credential.secret] : []),
                // A control plane's data-plane tokens and CAs: a rotated token restarts flyteadmin.
                ...(clusters?.credentialFiles ?? []),
            ]),
            authentication: authentication?.chartInputs,
            messaging,
        });
        const values = resolved.apply((inputs) =>
            spec.values({
                ...inputs,
                ...(args.controlPlane && { controlPlane: { propeller: args.controlPlane.config.propeller, clusters: clusters?.clusters } }),
                flyte,
                taskLogs: platform.taskLogs,
                taskEnvironment: platform.taskEnvironment,
                labels,
            }),
        );

        // Atomic: a failed install or upgrade rolls back. It waits only for what the platform says Flyte relies on.
        this.release = new k8s.helm.v3.Release(
            `${name}-release`,
            {
                name: spec.releaseName,
                chart: spec.chart,
                version: flyte.chartVersion,
                repositoryOpts: { repo: flyte.chartRepository },
                namespace,
                createNamespace: false,
                values: values as pulumi.Input<{ [key: string]: pulumi.Input<unknown> }>,
                ...RELEASE_POLICY,
            },
            { ...k8sOpts, dependsOn: [...platform.releaseDependencies, ...(clusters?.credentials ? [clusters.credentials] : [])] },
        );
        this.extras = spec.aroundRelease({ name, parent: this, provider, labels, namespace, release: this.release });

        const endpoint = endpointService(
            name,
            {
                releaseName: spec.releaseName,
                namespace,
                selector: spec.endpointSelector,
                exposure: platform.exposure,
                labels,
                authenticated: authentication !== undefined,
            },
            k8sOpts,
        );
        this.service = endpoint.service;
        this.grpcEndpoint = endpoint.endpoints.grpcEndpoint;
        this.httpEndpoint = endpoint.endpoints.httpEndpoint;
        this.consoleUrl = endpoint.endpoints.consoleUrl;
        this.flytectlConfig = endpoint.endpoints.flytectlConfig;
        this.portForwardCommand = endpoint.portForwardCommand;

        // Where flyteadmin authenticates, the Jobs that call its API (project data locations, execution routes) do so
        // as Flyte's internal client, with its secret mounted from the Secret the chart reads it from.
        const adminJob: AdminJobArgs = {
            namespace,
            adminUrl: adminUrl(spec.admin, flyte.namespace),
            image: flyte.projectSetupImage,
            labels,
            provider,
            release: this.release,
            adminClient: authentication && {
                clientId: authentication.internalClient.id,
                secretName: authentication.secret(spec.authentication.internalClientSecret.role).metadata.name,
                secretKey: spec.authentication.internalClientSecret.key,
            },
        };

        if (flyte.projectIsolation) {
            this.projectDataLocations = new ProjectDataLocations(
                `${name}-project-data`,
                { ...adminJob, storage, projects: flyte.projects },
                { parent: this },
            );
        }

        if (args.controlPlane !== undefined) {
            this.executionRoutes = new ExecutionRoutes(
                `${name}-routes`,
                { ...adminJob, projects: flyte.projects, domains: flyte.domains, routes: args.controlPlane.config.routes },
                { parent: this },
            );
            if (authentication) {
                this.propellerClient = { id: authentication.internalClient.id, secret: authentication.internalClient.secret };
            }
        }

        if (args.verification !== undefined) {
            const identityKey = verifiedIdentityKey(flyte, verifiedNamespace(flyte).project);
            this.verification = new DeploymentVerification(
                `${name}-verification`,
                {
                    stack: args.verification.stack,
                    verification: args.verification,
                    flyte,
                    namespace,
                    service: this.service,
                    release: this.release,
                    storage,
                    identity: platform.identity,
                    identityGrants: platform.identityGrants[identityKey] ?? [],
                    ciClientSecret: authentication?.ciClient.secret,
                    // On a store with static keys this program makes the task namespaces and their storage Secrets.
                    workloadDependencies: this.taskNamespaces.flatMap((t) => [t.namespace, t.storageSecret]),
                    labels,
                    provider,
                },
                { parent: this },
            );
        }

        this.registerOutputs({
            grpcEndpoint: this.grpcEndpoint,
            httpEndpoint: this.httpEndpoint,
            consoleUrl: this.consoleUrl,
            ...(this.oidcRedirectUris ? { oidcRedirectUris: this.oidcRedirectUris } : {}),
        });
    }
}
