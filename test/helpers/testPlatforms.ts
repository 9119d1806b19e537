import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsControlPlaneOutput, FlyteDataPlanePlatform, GcpControlPlaneOutput, ResolvedControlPlane } from "../../components/contract/multiCluster";
import type {
    EmailDelivery,
    FlyteEventsTopic,
    FlyteMessaging,
    FlyteNotifications,
    FlytePlatform,
    KeyedProjectBucket,
    NotificationChannel,
    OidcSignIn,
    S3AccessKey,
    TaskLogLink,
} from "../../components/contract/platform";

/**
 * Hand-built FlytePlatforms for the Flyte components' tests, standing in for what GcpPlatform and LocalPlatform
 * hand over: the same fixed database, buckets and endpoints everywhere, with what a test varies as arguments.
 */

export const TEST_MINIO_ENDPOINT = "http://minio.flyte-deps.svc.cluster.local:9000";
export const TEST_SIGNED_URL_ENDPOINT = "http://localhost:30002";
export const TEST_LOAD_BALANCER_IP = "10.0.0.42";

/**
 * The storage a default local stack hands Flyte: MinIO in flyte-deps over plain http, signed URLs through MinIO's
 * NodePort on the workstation. (Its access keys come apart.)
 */
export const LOCAL_MINIO_STORAGE = {
    provider: "s3-compatible",
    region: "us-east-1",
    metadataBucket: "flyte-metadata",
    userDataBucket: "flyte-userdata",
    endpoint: TEST_MINIO_ENDPOINT,
    disableSSL: true,
    signedUrlEndpoint: TEST_SIGNED_URL_ENDPOINT,
} as const;

/** GCS, Cloud SQL-like Postgres with TLS, Workload Identity annotations and an internal load balancer. */
export function gcpLikePlatform(args: {
    readonly provider: k8s.Provider;
    readonly dbPassword: string;
    /** Identity (Google service account email) by identity key. */
    readonly identities: Readonly<Record<string, string>>;
    readonly taskLogs: readonly TaskLogLink[];
    readonly releaseDependencies: readonly pulumi.Resource[];
}): FlytePlatform {
    return {
        kubernetesProvider: args.provider,
        kubeconfig: pulumi.secret("{}"),
        clusterName: pulumi.output("c1"),
        database: {
            host: pulumi.output("10.9.8.7"),
            port: 5432,
            name: pulumi.output("flytedb"),
            username: pulumi.output("flyteuser"),
            password: pulumi.secret(args.dbPassword),
            options: "sslmode=require",
        },
        storage: {
            provider: "gcs",
            project: "acme-test",
            metadataBucket: pulumi.output("meta-bucket"),
            userDataBucket: pulumi.output("data-bucket"),
            projects: {},
        },
        identity: {
            annotationKey: "iam.gke.io/gcp-service-account",
            identities: Object.fromEntries(Object.entries(args.identities).map(([key, value]) => [key, pulumi.output(value)])),
        },
        taskLogs: args.taskLogs,
        exposure: {
            kind: "loadBalancer",
            annotations: { "networking.gke.io/load-balancer-type": "Internal" },
            loadBalancerIP: pulumi.output(TEST_LOAD_BALANCER_IP),
            host: pulumi.output(TEST_LOAD_BALANCER_IP),
        },
        releaseDependencies: args.releaseDependencies,
        identityGrants: {},
    };
}

export interface TestKey {
    readonly id: string;
    readonly secret: string;
}

function asSecrets(key: TestKey): S3AccessKey {
    return { id: pulumi.secret(key.id), secret: pulumi.secret(key.secret) };
}

/** An isolated project's bucket and key, as a test gives them. */
export interface TestProjectStore {
    readonly bucket: string;
    readonly key: TestKey;
}

/** In-cluster Postgres without TLS, MinIO with access keys (and per-project buckets and keys), NodePorts. */
export function minioLikePlatform(args: {
    readonly provider: k8s.Provider;
    readonly dbPassword: string;
    readonly accessKey: TestKey;
    /** With project isolation: each project's bucket and key; none by default. */
    readonly projects?: Readonly<Record<string, TestProjectStore>>;
    readonly releaseDependencies: readonly pulumi.Resource[];
}): FlytePlatform {
    const projects = Object.entries(args.projects ?? {}).map(
        ([project, store]): [string, KeyedProjectBucket] => [project, { bucket: pulumi.output(store.bucket), accessKey: asSecrets(store.key) }],
    );
    return {
        kubernetesProvider: args.provider,
        kubeconfig: pulumi.secret("{}"),
        clusterName: pulumi.output("kind-flyte"),
        database: {
            host: pulumi.output("postgres.flyte-deps.svc.cluster.local"),
            port: 5432,
            name: pulumi.output("flyte"),
            username: pulumi.output("flyte"),
            password: pulumi.secret(args.dbPassword),
            options: "sslmode=disable",
        },
        storage: {
            ...LOCAL_MINIO_STORAGE,
            metadataBucket: pulumi.output(LOCAL_MINIO_STORAGE.metadataBucket),
            userDataBucket: pulumi.output(LOCAL_MINIO_STORAGE.userDataBucket),
            accessKey: asSecrets(args.accessKey),
            projects: Object.fromEntries(projects),
        },
        taskLogs: [],
        exposure: { kind: "nodePort", host: "localhost", httpNodePort: 31080, grpcNodePort: 31081 },
        releaseDependencies: args.releaseDependencies,
        identityGrants: {},
    };
}

/** What a local platform's release waits for, as stand-ins: Postgres's Deployment (postgres-ready) and the bucket Job (buckets-ready). */
export function localReadiness(provider: k8s.Provider): pulumi.Resource[] {
    // Loaded here, not at the top: the value tests that read LOCAL_MINIO_STORAGE do without the Kubernetes SDK.
    const kubernetes = require("@pulumi/kubernetes") as typeof k8s;
    return [
        new kubernetes.apps.v1.Deployment("postgres-ready", { spec: { selector: {}, template: {} } }, { provider }),
        new kubernetes.batch.v1.Job("buckets-ready", { spec: { template: {} } }, { provider }),
    ];
}

/** The DNS name the HTTPS test platforms serve Flyte on. */
export const TEST_HOSTNAME = "flyte.ml.example.com";

/** An OpenID Connect provider as a test gives it (the secret in plain text, to look for it where it must not be). */
export interface TestSignIn {
    readonly issuerUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
    readonly scopes: readonly string[];
}

export const TEST_SIGN_IN: TestSignIn = {
    issuerUrl: "https://idp.example.com/oauth2/default",
    clientId: "0oa1flyteclient",
    clientSecret: "not-a-real-oidc-client-secret-271828",
    scopes: ["openid", "profile", "email"],
};

/** A test's provider as the platform hands it over: outputs, the client secret a Pulumi secret. */
export function oidcSignIn(signIn: TestSignIn = TEST_SIGN_IN): OidcSignIn {
    return {
        issuerUrl: pulumi.output(signIn.issuerUrl),
        clientId: pulumi.output(signIn.clientId),
        clientSecret: pulumi.secret(signIn.clientSecret),
        scopes: signIn.scopes,
    };
}

/**
 * `platform` served over HTTPS on `hostname` (a ClusterIP Service behind the cloud's L7 load balancer, which needs
 * nothing more here) with people signing in through `signIn`: what GcpPlatform hands over with flyte:dnsName and
 * an OIDC provider.
 */
export function withHttpsSignIn(platform: FlytePlatform, args: { readonly hostname?: string; readonly signIn?: TestSignIn | null } = {}): FlytePlatform {
    const signIn = args.signIn === undefined ? TEST_SIGN_IN : args.signIn;
    return {
        ...platform,
        exposure: {
            kind: "https",
            hostname: args.hostname ?? TEST_HOSTNAME,
            service: { type: "ClusterIP" },
            grpcAppProtocol: "kubernetes.io/h2c",
            serviceAnnotations: {},
            attach: () => [],
            dnsRecordsToCreate: pulumi.output([]),
        },
        ...(signIn === null ? {} : { signIn: oidcSignIn(signIn) }),
    };
}

// ---- Messaging (notifications and execution events) ----

/**
 * What the test platforms' messaging is made of, in plain text: the names a platform would give its topics, queues
 * and subscriptions, and the email credentials (to look for them where they must not be).
 */
export const TEST_MESSAGING = {
    sender: "flyte@ml.example.com",
    aws: {
        region: "eu-west-1",
        accountId: "123456789012",
        notificationsTopicArn: "arn:aws:sns:eu-west-1:123456789012:flyte-test-notifications",
        notificationsQueue: "flyte-test-notifications",
        eventsTopicArn: "arn:aws:sns:eu-west-1:123456789012:flyte-test-events",
    },
    gcp: {
        project: "acme-test",
        notificationsTopic: "flyte-test-notifications",
        notificationsSubscription: "flyte-test-notifications-flyteadmin",
        eventsTopic: "flyte-test-events",
    },
    sendgridApiKey: "SG.not-a-real-sendgrid-key.31415926535",
    smtp: { server: "smtp.example.com", port: 587, username: "flyte-mailer", password: "not-a-real-smtp-password-1618" },
} as const;

/** Where a test platform's notifications go: an SNS topic with a queue (aws), Pub/Sub (gcp), or in process (sandbox). */
export function testNotificationChannel(type: NotificationChannel["type"]): NotificationChannel {
    const { aws, gcp } = TEST_MESSAGING;
    switch (type) {
        case "aws":
            return {
                type,
                region: aws.region,
                topicArn: pulumi.output(aws.notificationsTopicArn),
                queueName: pulumi.output(aws.notificationsQueue),
                accountId: pulumi.output(aws.accountId),
            };
        case "gcp":
            return { type, project: gcp.project, topic: pulumi.output(gcp.notificationsTopic), subscription: pulumi.output(gcp.notificationsSubscription) };
        case "sandbox":
            return { type };
    }
}

/** How a test platform's emails leave: SES, SendGrid, or SMTP with a login (or without: `smtp-no-login`); credentials as Pulumi secrets. */
export function testEmailDelivery(service: EmailDelivery["service"] | "smtp-no-login"): EmailDelivery {
    const { smtp } = TEST_MESSAGING;
    switch (service) {
        case "ses":
            return { service };
        case "sendgrid":
            return { service, apiKey: pulumi.secret(TEST_MESSAGING.sendgridApiKey) };
        case "smtp":
            return { service, server: smtp.server, port: smtp.port, username: smtp.username, password: pulumi.secret(smtp.password) };
        case "smtp-no-login":
            return { service: "smtp", server: smtp.server, port: 25, username: "", password: pulumi.secret("") };
    }
}

/** Email notifications as a platform hands them over: the channel, the test sender, and the email service. */
export function testNotifications(channel: NotificationChannel["type"], email: Parameters<typeof testEmailDelivery>[0]): FlyteNotifications {
    return { channel: testNotificationChannel(channel), sender: TEST_MESSAGING.sender, email: testEmailDelivery(email) };
}

/** The execution events topic as a platform hands it over: SNS (aws) or Pub/Sub (gcp). */
export function testEventsTopic(type: FlyteEventsTopic["type"]): FlyteEventsTopic {
    return type === "aws"
        ? { type, region: TEST_MESSAGING.aws.region, topicArn: pulumi.output(TEST_MESSAGING.aws.eventsTopicArn) }
        : { type, project: TEST_MESSAGING.gcp.project, topic: pulumi.output(TEST_MESSAGING.gcp.eventsTopic) };
}

/** The messaging variants the Flyte layer's tests run on, by name. */
export const TEST_MESSAGING_VARIANTS = {
    /** AWS: SNS and SQS, email through SES, execution events to SNS. */
    "aws-ses": () => ({ notifications: testNotifications("aws", "ses"), events: testEventsTopic("aws") }),
    /** GCP: Pub/Sub, email through SendGrid, execution events to Pub/Sub. */
    "gcp-sendgrid": () => ({ notifications: testNotifications("gcp", "sendgrid"), events: testEventsTopic("gcp") }),
    /** Local: in process, email through an SMTP server with a login; no events. */
    "sandbox-smtp": () => ({ notifications: testNotifications("sandbox", "smtp") }),
    /** Local: in process, an SMTP relay without a login. */
    "sandbox-smtp-no-login": () => ({ notifications: testNotifications("sandbox", "smtp-no-login") }),
    /** Execution events only (aws). */
    "events-aws": () => ({ events: testEventsTopic("aws") }),
    /** Execution events only (gcp). */
    "events-gcp": () => ({ events: testEventsTopic("gcp") }),
} as const satisfies Record<string, () => FlyteMessaging>;

export type TestMessagingVariant = keyof typeof TEST_MESSAGING_VARIANTS;

/** `platform` with messaging, a named variant or given outright. */
export function withMessaging(platform: FlytePlatform, messaging: TestMessagingVariant | FlyteMessaging): FlytePlatform {
    return { ...platform, messaging: typeof messaging === "string" ? TEST_MESSAGING_VARIANTS[messaging]() : messaging };
}

// ---- Multi-cluster: a data plane and the control plane it joins ----

/** What the test data plane and its control plane are made of, in plain text. */
export const TEST_DATA_PLANE = {
    apiEndpoint: "https://172.16.0.2",
    podRange: "10.64.0.0/14",
    propellerIdentity: "gpu-flytepropeller@acme-test.iam.gserviceaccount.com",
    ownRawDataBucket: "acme-gpu-rawdata",
    controlPlaneUserData: "acme-control-userdata",
    controlPlaneStack: "acme/flyte/control",
    propellerClientId: "flytepropeller",
    /** The control plane's internal client secret, to look for it where it must not be. */
    clientSecret: "not-a-real-internal-client-secret-577215",
} as const;

/**
 * A data plane's platform as GcpDataPlanePlatform hands it over: a private API endpoint, Workload Identity for
 * propeller, and raw data in the data plane's own bucket (`ownRawDataBucket`) or the control plane's user-data one.
 */
export function gcpLikeDataPlanePlatform(args: {
    readonly provider: k8s.Provider;
    readonly ownRawDataBucket: boolean;
    readonly taskLogs?: readonly TaskLogLink[];
    readonly releaseDependencies: readonly pulumi.Resource[];
}): FlyteDataPlanePlatform {
    return {
        kubernetesProvider: args.provider,
        kubeconfig: pulumi.secret("{}"),
        clusterName: pulumi.output("gpu"),
        apiEndpoint: pulumi.output(TEST_DATA_PLANE.apiEndpoint),
        podRange: TEST_DATA_PLANE.podRange,
        published: pulumi.output({ cloud: "gcp" as const }),
        propellerIdentity: { annotationKey: "iam.gke.io/gcp-service-account", value: pulumi.output(TEST_DATA_PLANE.propellerIdentity) },
        rawDataBucket: pulumi.output(args.ownRawDataBucket ? TEST_DATA_PLANE.ownRawDataBucket : TEST_DATA_PLANE.controlPlaneUserData),
        ownRawDataBucket: args.ownRawDataBucket,
        taskLogs: args.taskLogs ?? [],
        releaseDependencies: args.releaseDependencies,
    };
}

/**
 * The test control plane as a data plane resolves it from its stack: flyteadmin behind an internal load balancer,
 * datacatalog published, no project isolation; `signIn` adds propeller's client and its secret (a Pulumi secret).
 */
export function testResolvedControlPlane(args: { readonly signIn: boolean }): ResolvedControlPlane & { readonly output: GcpControlPlaneOutput } {
    const output: GcpControlPlaneOutput = {
        cloud: "gcp",
        gcpProject: "acme-test",
        region: "europe-west4",
        adminGlobalAccess: true,
        network: "projects/acme-test/global/networks/flyte-control",
        clientRanges: ["10.10.0.0/20", "10.20.0.0/14"],
        networkRanges: ["10.10.0.0/20", "10.20.0.0/14", "10.30.0.0/20", "10.32.0.0/16"],
        flyteNamespace: "flyte",
        admin: args.signIn ? { endpoint: `${TEST_HOSTNAME}:443`, insecure: false } : { endpoint: "10.10.0.40:81", insecure: true },
        datacatalog: { endpoint: "10.10.0.41:89", insecure: true },
        metadataBucket: "acme-control-metadata",
        userDataBucket: TEST_DATA_PLANE.controlPlaneUserData,
        projectBuckets: {},
        projectIsolation: false,
        identities: { flyteadmin: "control-flyteadmin@acme-test.iam.gserviceaccount.com", worker: "control-worker@acme-test.iam.gserviceaccount.com", projectWorkers: {} },
        ...(args.signIn ? { propellerClientId: TEST_DATA_PLANE.propellerClientId } : {}),
        projects: ["alpha", "beta"],
        domains: ["development", "production"],
        domainNames: { development: "Development", production: "Production" },
        namespaceTemplate: "{{ project }}-{{ domain }}",
        chartVersion: "v1.16.8",
        chartRepository: "https://flyteorg.github.io/flyte",
    };
    return {
        stack: TEST_DATA_PLANE.controlPlaneStack,
        output,
        ...(args.signIn ? { clientSecret: pulumi.secret(TEST_DATA_PLANE.clientSecret) } : {}),
    };
}

// ---- Multi-cluster on AWS: the same Flyte side, on an AWS network ----

/**
 * What the test AWS control plane and its data plane are made of, in plain text: the mocks' account, a VPC in
 * eu-central-1 whose primary CIDR is 10.0.0.0/16 and whose Services take 172.20.0.0/16 (what EKS picks beside a VPC in
 * 10.0.0.0/8), and a data plane on the block 10.1.0.0/16 with its cluster's OIDC provider.
 */
export const TEST_AWS_DATA_PLANE = {
    accountId: "123456789012",
    region: "eu-central-1",
    vpcId: "vpc-0c0ffee0c0ffee000",
    internetGatewayId: "igw-0c0ffee0c0ffee000",
    clusterSecurityGroupId: "sg-0c0ffee0c0ffee000",
    vpcCidr: "10.0.0.0/16",
    serviceCidr: "172.20.0.0/16",
    /** The control plane's roles, as their ARNs (its identities). */
    flyteadminRole: "arn:aws:iam::123456789012:role/flyte-control-flyteadmin",
    workerRole: "arn:aws:iam::123456789012:role/flyte-control-worker",
    /** The data plane's side. */
    block: "10.1.0.0/16",
    apiEndpoint: "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-central-1.eks.amazonaws.com",
    oidcIssuer: "oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
    propellerRole: "arn:aws:iam::123456789012:role/flyte-batch-flytepropeller",
    /** What AwsDataPlanePlatform gives task pods (EKS_TASK_ENVIRONMENT), spelled out. */
    taskEnvironment: { AWS_METADATA_SERVICE_TIMEOUT: "5", AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20" },
} as const;

/**
 * The test control plane on AWS (the shared fixture's Flyte side, testResolvedControlPlane): its account, VPC,
 * internet gateway and cluster security group, flyteadmin answering only in the VPC (adminGlobalAccess false), its
 * identities IAM role ARNs.
 */
export function testResolvedAwsControlPlane(args: { readonly signIn: boolean }): ResolvedControlPlane & { readonly output: AwsControlPlaneOutput } {
    const shared = testResolvedControlPlane(args);
    const { cloud: _cloud, gcpProject: _project, network: _network, clientRanges: _clients, networkRanges: _ranges, ...flyte } = shared.output;
    const a = TEST_AWS_DATA_PLANE;
    const output: AwsControlPlaneOutput = {
        ...flyte,
        cloud: "aws",
        region: a.region,
        adminGlobalAccess: false,
        awsAccountId: a.accountId,
        vpcId: a.vpcId,
        vpcCidr: a.vpcCidr,
        internetGatewayId: a.internetGatewayId,
        clusterSecurityGroupId: a.clusterSecurityGroupId,
        clientRanges: [a.vpcCidr],
        networkRanges: [a.vpcCidr, a.serviceCidr],
        identities: { flyteadmin: a.flyteadminRole, worker: a.workerRole, projectWorkers: {} },
    };
    return { ...shared, output };
}

/**
 * A data plane's platform as AwsDataPlanePlatform hands it over: the cluster's API endpoint, its OIDC provider
 * published (the control plane's task roles trust it), IRSA for propeller, EKS's task environment, and raw data in
 * the data plane's own bucket (`ownRawDataBucket`) or the control plane's user-data one.
 */
export function awsLikeDataPlanePlatform(args: {
    readonly provider: k8s.Provider;
    readonly ownRawDataBucket: boolean;
    readonly releaseDependencies: readonly pulumi.Resource[];
}): FlyteDataPlanePlatform {
    const a = TEST_AWS_DATA_PLANE;
    return {
        kubernetesProvider: args.provider,
        kubeconfig: pulumi.secret("{}"),
        clusterName: pulumi.output("flyte-batch"),
        apiEndpoint: pulumi.output(a.apiEndpoint),
        podRange: a.block,
        published: pulumi.output({ cloud: "aws" as const, oidcProviderArn: a.oidcProviderArn, oidcIssuer: a.oidcIssuer }),
        taskEnvironment: a.taskEnvironment,
        propellerIdentity: { annotationKey: "eks.amazonaws.com/role-arn", value: pulumi.output(a.propellerRole) },
        rawDataBucket: pulumi.output(args.ownRawDataBucket ? TEST_DATA_PLANE.ownRawDataBucket : TEST_DATA_PLANE.controlPlaneUserData),
        ownRawDataBucket: args.ownRawDataBucket,
        taskLogs: [],
        releaseDependencies: args.releaseDependencies,
    };
}
