import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AuthenticationConfig, GcpConfig, HttpsConfig } from "../contract/config";
import type { ControlPlaneNetwork } from "../contract/multiCluster";
import type {
    FlyteDatabase,
    FlyteExposure,
    FlyteMessaging,
    FlytePlatform,
    FlytePlatformArgs,
    FlyteWorkloadIdentity,
    GcsStorage,
    OidcSignIn,
    TaskLogLink,
} from "../contract/platform";
import type { PlatformOutputs } from "../contract/outputs";
import { gcpNames, projectDataBucket } from "./names";
import { gcpLabels } from "./labels";
import { flyteadminIdentity, identityName } from "../contract/identities";
import { CloudSqlPostgres } from "./cloudSqlPostgres";
import { cloudLoggingTaskLogLink } from "./cloudLogging";
import { FlyteServiceAccounts } from "./flyteServiceAccounts";
import { GcsBuckets } from "./gcsBuckets";
import { GkeCluster } from "./gkeCluster";
import { gkeInternalLoadBalancerAnnotations, InternalLoadBalancerAddress } from "./internalLoadBalancer";
import { FLYTE_POD_PORTS } from "./gatewayManifests";
import { HttpsGateway } from "./httpsGateway";
import { GcpNetwork } from "./network";
import { OptionalService, ProjectServices } from "./projectServices";
import { gcpEmailDelivery, gcpMessaging, PubSubMessaging } from "./pubsubMessaging";
import { TaskImageRegistry } from "./taskImageRegistry";
import { WorkloadIdentityBindings } from "./workloadIdentityBindings";

export const GKE_SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account";

/**
 * The shape every platform takes. Each identity request gets a Google service account bound to its Kubernetes
 * service accounts; names come from gcpNames (the deployment and the GCP project), labels from gcpLabels.
 */
export type GcpPlatformArgs = FlytePlatformArgs<GcpConfig>;

/**
 * What a control plane's data planes join, from its config and network (pure but for the network's self link): the
 * VPC network; the node subnet's and the pods' ranges, where the control plane's calls to their API servers come from
 * (VPC-native pods keep their own addresses within the network); whether flyteadmin's endpoint answers clients in
 * every region (a public HTTPS endpoint does; an internal load balancer, or an internal HTTPS endpoint, only with
 * `loadBalancerGlobalAccess`, https://cloud.google.com/load-balancing/docs/internal#client_access); and the annotations
 * of an internal passthrough load balancer with global access, for the services data planes reach (datacatalog).
 */
export function gcpControlPlaneNetwork(args: {
    readonly network: pulumi.Output<string>;
    readonly config: GcpConfig;
    readonly https?: HttpsConfig;
    readonly subnetName: string;
}): ControlPlaneNetwork {
    const { config } = args;
    const clientRanges = [config.network.subnetCidr, config.network.podsCidr];
    const networkRanges = [
        config.network.subnetCidr,
        config.network.podsCidr,
        config.network.servicesCidr,
        `${config.network.privateServicesAddress}/${config.network.privateServicesPrefixLength}`,
        // The proxy-only subnet exists only for an internal HTTPS endpoint (GcpNetwork).
        ...(args.https?.access === "internal" ? [config.network.proxyOnlySubnetCidr] : []),
    ];
    return {
        published: args.network.apply((network) => ({
            cloud: "gcp" as const,
            gcpProject: config.project,
            region: config.region,
            adminGlobalAccess: args.https?.access === "public" || config.loadBalancer.globalAccess,
            network,
            clientRanges,
            networkRanges,
        })),
        clientRanges,
        internalServiceAnnotations: gkeInternalLoadBalancerAnnotations({ subnetName: args.subnetName, globalAccess: true }),
    };
}

/**
 * The OpenID Connect provider users sign in through, as the Flyte layer takes it: the team's own provider passed
 * through, its client secret a Pulumi secret; none without authentication. Cognito is AWS's (config validation
 * refuses it on gcp).
 */
export function gcpSignIn(authentication: AuthenticationConfig): OidcSignIn | undefined {
    switch (authentication.mode) {
        case "none":
            return undefined;
        case "oidc":
            return {
                issuerUrl: pulumi.output(authentication.issuerUrl),
                clientId: pulumi.output(authentication.clientId),
                clientSecret: pulumi.secret(authentication.clientSecret),
                scopes: [...authentication.scopes],
            };
        case "cognito":
            throw new Error("authentication cognito is an AWS service: a GCP stack signs users in with oidc");
    }
}

/**
 * Everything Flyte needs on Google Cloud: APIs, network, GKE, Cloud SQL, GCS, identities and the endpoint (the
 * internal load balancer's address, or with `https` the certificate, records and Gateway of HttpsGateway), and with
 * notifications or execution events flyteadmin's Pub/Sub (PubSubMessaging), and with a registry the task images'
 * repository and CI's keyless push (TaskImageRegistry, stated in extraOutputs), handed to the Flyte layer as a
 * FlytePlatform. The cluster and the database are independent and are created in parallel.
 */
export class GcpPlatform extends pulumi.ComponentResource implements FlytePlatform {
    readonly apis: ProjectServices;
    readonly network: GcpNetwork;
    readonly gke: GkeCluster;
    readonly postgres: CloudSqlPostgres;
    readonly buckets: GcsBuckets;
    readonly serviceAccounts: FlyteServiceAccounts;
    readonly workloadIdentity: WorkloadIdentityBindings;
    /** Without an HTTPS endpoint: the internal passthrough load balancer's reserved address. */
    readonly loadBalancerAddress?: InternalLoadBalancerAddress;
    /** With an HTTPS endpoint: the certificate, address, records and Gateway. */
    readonly httpsGateway?: HttpsGateway;
    /** With notifications or execution events: flyteadmin's topics, subscription and grants. */
    readonly pubsub?: PubSubMessaging;
    /** With a registry: the task images' repository, the nodes' read on it and CI's keyless push. */
    readonly registry?: TaskImageRegistry;

    readonly kubernetesProvider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly database: FlyteDatabase;
    readonly storage: GcsStorage;
    readonly identity: FlyteWorkloadIdentity;
    readonly taskLogs: readonly TaskLogLink[];
    readonly exposure: FlyteExposure;
    readonly releaseDependencies: readonly pulumi.Resource[];
    readonly identityGrants: Readonly<Record<string, readonly pulumi.Resource[]>>;
    readonly signIn?: OidcSignIn;
    readonly messaging?: FlyteMessaging;
    readonly extraOutputs?: PlatformOutputs;
    /** With `controlPlane`: what the data planes join. */
    readonly controlPlane?: ControlPlaneNetwork;

    constructor(name: string, args: GcpPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:gcp:GcpPlatform", name, {}, opts);
        const { config } = args;
        const { project, region } = config;
        const names = gcpNames({ ...args.deployment, gcpProject: project });
        const labels = gcpLabels(args.deployment);
        const child = { parent: this };
        const https = args.https;
        // Before any resource is declared: a GCP stack never signs in through Cognito.
        this.signIn = gcpSignIn(args.authentication);
        // Likewise: a GCP stack never sends email through SES.
        const email = args.notifications ? gcpEmailDelivery(args.notifications.email) : undefined;
        const pubsubParts = { notifications: args.notifications !== undefined, executionEvents: args.executionEvents };
        const pubsubOn = pubsubParts.notifications || pubsubParts.executionEvents;

        const optionalApis: OptionalService[] = [
            ...(https ? ["certificatemanager" as const, ...(https.dnsZone !== "" ? ["dns" as const] : [])] : []),
            ...(pubsubOn ? ["pubsub" as const] : []),
            ...(args.registry ? ["artifactregistry" as const, ...(args.registry.githubPush ? ["sts" as const] : [])] : []),
        ];
        this.apis = new ProjectServices(`${name}-apis`, { project, optional: optionalApis }, child);
        const api = this.apis.services;

        this.network = new GcpNetwork(
            `${name}-network`,
            {
                project,
                region,
                names,
                config: config.network,
                // An internal Gateway's proxies run in the region's proxy-only subnet.
                proxyOnlySubnet: https?.access === "internal" ? { podPorts: [FLYTE_POD_PORTS.http, FLYTE_POD_PORTS.grpc] } : undefined,
                apis: { compute: api.compute, servicenetworking: api.servicenetworking },
            },
            child,
        );

        this.gke = new GkeCluster(
            `${name}-gke`,
            {
                project,
                names,
                config: config.gke,
                deletionProtection: args.protection.deletionProtection,
                network: this.network.network.id,
                subnet: this.network.subnet.id,
                podsRangeName: this.network.podsRangeName,
                servicesRangeName: this.network.servicesRangeName,
                gatewayApi: https !== undefined,
                labels,
                apis: { container: api.container, iam: api.iam },
            },
            child,
        );

        this.postgres = new CloudSqlPostgres(
            `${name}-postgres`,
            {
                project,
                region,
                instanceName: names.databaseInstance,
                config: config.database,
                deletionProtection: args.protection.deletionProtection,
                network: this.network.network.id,
                privateServicesConnection: this.network.privateServicesConnection,
                labels,
                apis: { sqladmin: api.sqladmin },
            },
            child,
        );

        this.buckets = new GcsBuckets(
            `${name}-buckets`,
            {
                project,
                location: region,
                metadataBucketName: names.metadataBucket,
                userDataBucketName: names.userDataBucket,
                projectBucketNames: Object.fromEntries(
                    args.workloads.isolatedProjects.map((p) => [p, projectDataBucket(names.bucketBase, p)]),
                ),
                deletionProtection: args.protection.deletionProtection,
                forceDestroy: args.protection.forceDestroyBuckets,
                labels,
                apis: { storage: api.storage },
            },
            child,
        );

        const accountNames = {
            backend: names.backendServiceAccount,
            worker: names.workerServiceAccount,
            core: names.coreServiceAccounts,
            projectWorkerPrefix: names.projectWorkerPrefix,
        };
        const requests = args.workloads.identities;
        this.serviceAccounts = new FlyteServiceAccounts(
            `${name}-identities`,
            {
                project,
                accounts: requests.map((request) => ({ request, accountId: identityName(accountNames, request) })),
                buckets: {
                    metadata: this.buckets.metadata.name,
                    userData: this.buckets.userData.name,
                    projects: Object.fromEntries(Object.entries(this.buckets.projects).map(([p, b]) => [p, b.name])),
                },
                apis: { iam: api.iam },
            },
            child,
        );

        this.workloadIdentity = new WorkloadIdentityBindings(
            `${name}-wi`,
            {
                workloadPool: this.gke.workloadPool,
                bindings: requests.map((request) => ({
                    key: request.key,
                    serviceAccountId: this.serviceAccounts.accounts[request.key].name,
                    kubernetesServiceAccounts: request.serviceAccounts,
                })),
            },
            child,
        );

        if (pubsubOn) {
            const pubsubApi = this.apis.optional.pubsub;
            if (!pubsubApi) {
                throw new Error("the Pub/Sub API was not enabled for notifications or execution events");
            }
            this.pubsub = new PubSubMessaging(
                `${name}-messaging`,
                {
                    project,
                    ...pubsubParts,
                    names,
                    flyteadminServiceAccount: this.serviceAccounts.accounts[flyteadminIdentity(requests).key].email,
                    labels,
                    apis: { pubsub: pubsubApi },
                },
                child,
            );
            const { notificationsTopic: topic, notificationsSubscription: subscription, eventsTopic } = this.pubsub;
            if (args.notifications && (!email || !topic || !subscription)) {
                throw new Error("notifications without their topic and subscription");
            }
            this.messaging = gcpMessaging({
                project,
                notifications:
                    args.notifications && email && topic && subscription
                        ? { sender: args.notifications.sender, email, topic: topic.name, subscription: subscription.name }
                        : undefined,
                eventsTopic: eventsTopic?.name,
            });
        }

        if (args.registry) {
            const { artifactregistry, sts } = this.apis.optional;
            if (!artifactregistry || (args.registry.githubPush && !sts)) {
                throw new Error("the Artifact Registry (and for push from GitHub, STS) API was not enabled for the registry");
            }
            this.registry = new TaskImageRegistry(
                `${name}-registry`,
                {
                    project,
                    region,
                    names,
                    retention: { keepVersions: args.registry.keepVersions, untaggedDays: args.registry.untaggedDays },
                    githubPush: args.registry.githubPush,
                    nodeServiceAccount: this.gke.nodeServiceAccount.email,
                    labels,
                    apis: { artifactregistry, iam: api.iam, sts, iamcredentials: api.iamcredentials },
                },
                child,
            );
            this.extraOutputs = {
                registryUrl: this.registry.registryUrl,
                ...(this.registry.ciPushIdentity ? { ciPushIdentity: this.registry.ciPushIdentity } : {}),
                ...(this.registry.ciWorkloadIdentityProvider ? { ciWorkloadIdentityProvider: this.registry.ciWorkloadIdentityProvider } : {}),
            };
        }

        if (https) {
            const optional = this.apis.optional;
            if (!optional.certificatemanager) {
                throw new Error("the Certificate Manager API was not enabled for the HTTPS endpoint");
            }
            this.httpsGateway = new HttpsGateway(
                `${name}-https`,
                {
                    project,
                    region,
                    https,
                    names,
                    subnet: this.network.subnet.id,
                    ip: config.loadBalancer.ip,
                    globalAccess: config.loadBalancer.globalAccess,
                    labels,
                    gatewayDependencies: [this.network.proxyOnlySubnet, this.network.proxyOnlyFirewall].flatMap((r) => (r ? [r] : [])),
                    apis: { compute: api.compute, certificatemanager: optional.certificatemanager, dns: optional.dns },
                },
                child,
            );
        } else {
            this.loadBalancerAddress = new InternalLoadBalancerAddress(
                `${name}-ilb`,
                {
                    project,
                    region,
                    name: names.loadBalancerAddress,
                    subnet: this.network.subnet.id,
                    ip: config.loadBalancer.ip,
                    labels,
                    apis: { compute: api.compute },
                },
                child,
            );
        }

        this.kubernetesProvider = this.gke.provider;
        this.kubeconfig = this.gke.kubeconfig;
        this.clusterName = this.gke.clusterName;
        this.database = this.postgres.connection;
        this.storage = {
            provider: "gcs",
            project,
            metadataBucket: this.buckets.metadata.name,
            userDataBucket: this.buckets.userData.name,
            projects: Object.fromEntries(Object.entries(this.buckets.projects).map(([p, b]) => [p, { bucket: b.name }])),
        };
        this.identity = {
            annotationKey: GKE_SERVICE_ACCOUNT_ANNOTATION,
            nodeIdentity: this.gke.nodeServiceAccount.email,
            identities: Object.fromEntries(
                Object.entries(this.serviceAccounts.accounts).map(([key, account]) => [key, account.email]),
            ),
            // Service account emails follow from their ids, so the pattern is known before they exist.
            projectWorkerPattern:
                args.workloads.isolatedProjects.length > 0
                    ? pulumi.output({ prefix: names.projectWorkerPrefix, suffix: `@${project}.iam.gserviceaccount.com` })
                    : undefined,
        };
        this.taskLogs = [cloudLoggingTaskLogLink({ project, location: config.gke.location, clusterName: names.cluster })];
        this.exposure = this.httpsGateway
            ? this.httpsGateway.exposure
            : {
                  kind: "loadBalancer",
                  annotations: gkeInternalLoadBalancerAnnotations({
                      subnetName: names.subnet,
                      globalAccess: config.loadBalancer.globalAccess,
                  }),
                  loadBalancerIP: this.loadBalancerAddress?.ip,
                  host: this.loadBalancerAddress?.ip,
              };
        if (args.controlPlane) {
            this.controlPlane = gcpControlPlaneNetwork({ network: this.network.network.selfLink, config, https, subnetName: names.subnet });
        }
        this.identityGrants = Object.fromEntries(
            requests.map((r) => [r.key, [...this.serviceAccounts.grants[r.key], ...this.workloadIdentity.byKey[r.key]]]),
        );
        // Flyte's own services need their grants when they start; task pods' grants are not waited for.
        const backendKeys = requests.filter((r) => r.role === "backend").map((r) => r.key);
        this.releaseDependencies = [
            this.gke.nodePool,
            this.network.nat,
            ...backendKeys.flatMap((key) => this.identityGrants[key]),
            // flyteadmin's publishers and subscriber check nothing at start (see pubsubMessaging.ts): started before its
            // topics, subscription or grants, it would fail to publish and its processor would loop on errors.
            ...(this.pubsub?.flyteadminDependencies ?? []),
        ];

        this.registerOutputs({ clusterName: this.clusterName });
    }
}
