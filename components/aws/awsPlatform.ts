import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsConfig, HttpsConfig, OidcAuthenticationConfig } from "../contract/config";
import type { ControlPlaneNetwork, DataPlaneOutput } from "../contract/multiCluster";
import type { PlatformOutputs } from "../contract/outputs";
import type {
    DnsRecord,
    FlyteDatabase,
    FlyteMessaging,
    FlytePlatform,
    FlytePlatformArgs,
    FlyteWorkloadIdentity,
    HttpsExposure,
    LoadBalancerExposure,
    AwsS3Storage,
    OidcSignIn,
    TaskLogLink,
} from "../contract/platform";
import { awsNames, httpsEndpointNames, messagingNames, registryNames, s3BucketNames } from "./names";
import { awsTags } from "./tags";
import { flyteadminIdentity, identityName } from "../contract/identities";
import { awsPartition, type IrsaProvider, s3BucketArn } from "./iam";
import { AcmCertificate } from "./acmCertificate";
import { AlbEndpoint, FLYTE_GRPC_NODE_PORT, FLYTE_HTTP_NODE_PORT } from "./albEndpoint";
import { AwsMessaging } from "./awsMessaging";
import { AwsNetwork } from "./awsNetwork";
import { cloudWatchTaskLogLink } from "./cloudWatch";
import { CognitoSignIn } from "./cognitoSignIn";
import { EksCluster, nodeGroupAutoscalingGroup } from "./eksCluster";
import { FlyteRoles } from "./flyteRoles";
import { RdsPostgres } from "./rdsPostgres";
import { S3Buckets } from "./s3Buckets";
import { TaskImageRegistry } from "./taskImageRegistry";

export const IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";

/** Annotations that make the AWS cloud provider create an internal Network Load Balancer for a Service. */
export function internalNlbAnnotations(): Record<string, string> {
    return {
        "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
        "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
    };
}

/**
 * Flyte behind the ALB: its endpoint Service is a NodePort Service on the fixed ports the target groups forward to;
 * the ALB needs nothing from the Service itself (`attach` declares nothing).
 */
export function albHttpsExposure(hostname: string, dnsRecordsToCreate: pulumi.Output<readonly DnsRecord[]>): HttpsExposure {
    return {
        kind: "https",
        hostname,
        service: { type: "NodePort", httpNodePort: FLYTE_HTTP_NODE_PORT, grpcNodePort: FLYTE_GRPC_NODE_PORT },
        serviceAnnotations: {},
        attach: () => [],
        dnsRecordsToCreate,
    };
}

/** The team's own OpenID Connect provider, as configured; the client secret only ever as a Pulumi secret. */
export function externalOidcSignIn(config: OidcAuthenticationConfig): OidcSignIn {
    return {
        issuerUrl: pulumi.output(config.issuerUrl),
        clientId: pulumi.output(config.clientId),
        clientSecret: pulumi.secret(config.clientSecret),
        scopes: [...config.scopes],
    };
}

/**
 * What a control plane's data planes join on AWS (pure but for the resources' ids): the VPC (a data plane associates
 * a CIDR block of its own with it and routes its public subnets to the VPC's internet gateway), the account and region
 * (only the VPC's owner adds blocks to it; a VPC is regional, https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html),
 * the cluster security group the control plane's nodes and pods carry (data planes admit it to their API servers), and
 * the ranges a data plane's block must leave alone: the VPC's primary CIDR and the cluster's service range. flyteadmin
 * answers only inside the VPC unless its HTTPS name is public; datacatalog gets an internal NLB.
 */
export function awsControlPlaneNetwork(args: {
    /** The account the control plane is in. */
    readonly accountId: pulumi.Output<string>;
    /** Its VPC. */
    readonly vpcId: pulumi.Output<string>;
    /** The VPC's internet gateway. */
    readonly internetGatewayId: pulumi.Output<string>;
    /** The EKS cluster security group (on the control plane's nodes). */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The cluster's Services' range, as EKS reports it. */
    readonly serviceIpv4Cidr: pulumi.Output<string>;
    /** The stack's aws section: region and the VPC's CIDR. */
    readonly config: AwsConfig;
    /** Flyte's HTTPS name, if any: a public one answers everywhere. */
    readonly https?: HttpsConfig;
}): ControlPlaneNetwork {
    const { config } = args;
    const clientRanges = [config.network.vpcCidr];
    return {
        published: pulumi
            .all([args.accountId, args.vpcId, args.internetGatewayId, args.clusterSecurityGroupId, args.serviceIpv4Cidr])
            .apply(([awsAccountId, vpcId, internetGatewayId, clusterSecurityGroupId, serviceIpv4Cidr]) => ({
                cloud: "aws" as const,
                awsAccountId,
                region: config.region,
                adminGlobalAccess: args.https?.access === "public",
                vpcId,
                vpcCidr: config.network.vpcCidr,
                internetGatewayId,
                clusterSecurityGroupId,
                clientRanges,
                networkRanges: [config.network.vpcCidr, serviceIpv4Cidr],
            })),
        clientRanges,
        internalServiceAnnotations: internalNlbAnnotations(),
    };
}

/**
 * The OIDC providers of a control plane's AWS data planes, as the task roles' trust names them: the control plane's
 * task pods run in those clusters too, as the same Kubernetes service accounts (IRSA,
 * https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html).
 */
export function dataPlaneOidcProviders(dataPlanes: readonly DataPlaneOutput[]): IrsaProvider[] {
    return dataPlanes.flatMap((d) => (d.cloud === "aws" ? [{ oidcProviderArn: d.oidcProviderArn, issuerUrl: `https://${d.oidcIssuer}` }] : []));
}

/**
 * As in the chart's EKS examples: task pods give up on the instance metadata service quickly and retry, since
 * their credentials come from IRSA and the metadata service is out of their reach.
 */
export const EKS_TASK_ENVIRONMENT: Readonly<Record<string, string>> = {
    AWS_METADATA_SERVICE_TIMEOUT: "5",
    AWS_METADATA_SERVICE_NUM_ATTEMPTS: "20",
};

/**
 * The shape every platform takes. Each identity request gets an IAM role that trusts exactly its Kubernetes
 * service accounts; names come from awsNames and s3BucketNames (the deployment, account and region), tags from
 * awsTags.
 */
export type AwsPlatformArgs = FlytePlatformArgs<AwsConfig>;

/**
 * Everything Flyte needs on AWS: a VPC, EKS, RDS for PostgreSQL, S3 and IRSA roles, handed to the Flyte layer
 * as a FlytePlatform. The cluster and the database are independent and are created in parallel. With `https`,
 * Flyte is reached through an ALB with an ACM certificate for its name instead of the internal NLB; users sign in
 * through the team's OIDC provider or a Cognito user pool created here. With notifications or execution events,
 * flyteadmin publishes and consumes them through SNS and SQS (and sends email through SES) created here. With a
 * registry, task images go to an ECR repository the nodes pull from, pushed keylessly from GitHub Actions.
 */
export class AwsPlatform extends pulumi.ComponentResource implements FlytePlatform {
    readonly network: AwsNetwork;
    readonly eks: EksCluster;
    readonly postgres: RdsPostgres;
    readonly buckets: S3Buckets;
    readonly roles: FlyteRoles;

    readonly kubernetesProvider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly database: FlyteDatabase;
    readonly storage: AwsS3Storage;
    readonly identity: FlyteWorkloadIdentity;
    readonly taskLogs: readonly TaskLogLink[];
    readonly taskEnvironment = EKS_TASK_ENVIRONMENT;
    readonly exposure: LoadBalancerExposure | HttpsExposure;
    readonly releaseDependencies: readonly pulumi.Resource[];
    readonly identityGrants: Readonly<Record<string, readonly pulumi.Resource[]>>;
    readonly signIn?: OidcSignIn;
    readonly messaging?: FlyteMessaging;
    /** With notifications or execution events: their topics, queues, sender identity and flyteadmin's grants. */
    readonly messagingResources?: AwsMessaging;
    /** With `https`: the certificate of Flyte's name. */
    readonly certificate?: AcmCertificate;
    /** With `https`: the ALB in front of Flyte. */
    readonly alb?: AlbEndpoint;
    /** With Cognito sign-in: the user pool, its hosted domain and Flyte's app client. */
    readonly cognito?: CognitoSignIn;
    /** With `registry`: the ECR repository for task images and, with githubPush, CI's push role. */
    readonly registry?: TaskImageRegistry;
    /** With `registry`: registryUrl and, with githubPush, ciPushIdentity. */
    readonly extraOutputs?: PlatformOutputs;
    /** As a multi-cluster control plane: what its data planes join. */
    readonly controlPlane?: ControlPlaneNetwork;

    constructor(name: string, args: AwsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:AwsPlatform", name, {}, opts);
        const { config, deployment, authentication } = args;
        if (authentication.mode !== "none" && !args.https) {
            throw new Error(`authentication ${authentication.mode} needs an HTTPS endpoint (flyte:dnsName)`);
        }
        const names = awsNames(deployment);
        const tags = awsTags(deployment);
        const child = { parent: this };

        this.network = new AwsNetwork(
            `${name}-network`,
            {
                name: names.network,
                clusterName: names.cluster,
                vpcCidr: config.network.vpcCidr,
                zoneCount: config.network.availabilityZones,
                natGatewayPerZone: config.network.natGatewayPerZone,
                tags,
            },
            child,
        );

        this.eks = new EksCluster(
            `${name}-eks`,
            {
                names,
                config: config.eks,
                region: config.region,
                deletionProtection: args.protection.deletionProtection,
                privateSubnetIds: this.network.privateSubnetIds,
                egress: this.network.egress,
                tags,
            },
            child,
        );

        this.postgres = new RdsPostgres(
            `${name}-postgres`,
            {
                names,
                config: config.database,
                deletionProtection: args.protection.deletionProtection,
                vpcId: this.network.vpc.id,
                privateSubnetIds: this.network.privateSubnetIds,
                clientSecurityGroupId: this.eks.clusterSecurityGroupId,
                tags,
            },
            child,
        );

        const accountId = aws.getCallerIdentityOutput({}, child).accountId;
        const isolated = args.workloads.isolatedProjects;
        const bucketNames = accountId.apply((id) =>
            s3BucketNames({
                pulumiProject: deployment.pulumiProject,
                stack: deployment.stack,
                accountId: id,
                region: config.region,
                projects: isolated,
            }),
        );
        this.buckets = new S3Buckets(
            `${name}-buckets`,
            {
                metadataBucketName: bucketNames.metadata,
                userDataBucketName: bucketNames.userData,
                projectBucketNames: Object.fromEntries(isolated.map((p) => [p, bucketNames.projects.apply((n) => n[p])])),
                deletionProtection: args.protection.deletionProtection,
                forceDestroy: args.protection.forceDestroyBuckets,
                tags,
            },
            child,
        );

        const roleNames = {
            backend: names.backendRole,
            worker: names.workerRole,
            core: names.coreRoles,
            projectWorkerPrefix: names.projectWorkerRolePrefix,
        };
        const requests = args.workloads.identities;
        const projectBuckets = Object.entries(this.buckets.projects);
        const dataPlanes = args.controlPlane?.dataPlanes ?? [];
        const arn = (bucket: string) => s3BucketArn(config.region, bucket);
        this.roles = new FlyteRoles(
            `${name}-roles`,
            {
                roles: requests.map((request) => ({ request, roleName: identityName(roleNames, request) })),
                oidcProviderArn: this.eks.oidcProvider.arn,
                oidcIssuerUrl: this.eks.oidcIssuerUrl,
                bucketArns: {
                    metadata: this.buckets.metadata.arn,
                    userData: this.buckets.userData.arn,
                    projects: Object.fromEntries(projectBuckets.map(([p, b]) => [p, b.arn])),
                    // Data planes' own raw-data buckets: task pods write there and flyteadmin signs URLs for them.
                    ...(dataPlanes.some((d) => d.rawDataBucket) && {
                        dataPlaneRawData: dataPlanes.flatMap((d) => (d.rawDataBucket ? [arn(d.rawDataBucket)] : [])),
                    }),
                },
                ...(dataPlanes.length > 0 && { workerTrust: dataPlaneOidcProviders(dataPlanes) }),
                tags,
            },
            child,
        );

        this.kubernetesProvider = this.eks.provider;
        this.kubeconfig = this.eks.kubeconfig;
        this.clusterName = this.eks.clusterName;
        this.database = this.postgres.connection;
        this.storage = {
            provider: "s3",
            region: config.region,
            metadataBucket: this.buckets.metadata.bucket,
            userDataBucket: this.buckets.userData.bucket,
            projects: Object.fromEntries(projectBuckets.map(([p, b]) => [p, { bucket: b.bucket }])),
        };
        this.identity = {
            annotationKey: IRSA_ANNOTATION,
            identities: Object.fromEntries(Object.entries(this.roles.roles).map(([key, role]) => [key, role.arn])),
            // Role ARNs follow from their names, so the pattern is known before they exist.
            projectWorkerPattern:
                isolated.length > 0
                    ? accountId.apply((id) => ({
                          prefix: `arn:${awsPartition(config.region)}:iam::${id}:role/${names.projectWorkerRolePrefix}`,
                          suffix: "",
                      }))
                    : undefined,
        };
        this.taskLogs = config.eks.containerInsights
            ? [cloudWatchTaskLogLink({ region: config.region, clusterName: names.cluster })]
            : [];
        if (authentication.mode === "cognito" && args.https) {
            this.cognito = new CognitoSignIn(
                `${name}-cognito`,
                {
                    names: httpsEndpointNames(deployment),
                    region: config.region,
                    hostname: args.https.dnsName,
                    domainPrefix: authentication.domainPrefix,
                    adminEmail: authentication.adminEmail,
                    deletionProtection: args.protection.deletionProtection,
                    tags,
                },
                child,
            );
            this.signIn = this.cognito.signIn;
        } else if (authentication.mode === "oidc") {
            this.signIn = externalOidcSignIn(authentication);
        }
        if (args.https) {
            const https = args.https;
            this.certificate = new AcmCertificate(
                `${name}-certificate`,
                { domainName: https.dnsName, dnsZone: https.dnsZone, tags },
                child,
            );
            this.alb = new AlbEndpoint(
                `${name}-alb`,
                {
                    names: httpsEndpointNames(deployment),
                    hostname: https.dnsName,
                    access: https.access,
                    authenticated: authentication.mode !== "none",
                    vpcId: this.network.vpc.id,
                    vpcCidr: config.network.vpcCidr,
                    ...(dataPlanes.length > 0 && { dataPlaneCidrs: dataPlanes.map((d) => d.podRange) }),
                    privateSubnetIds: this.network.privateSubnetIds,
                    publicSubnetIds: this.network.publicSubnetIds,
                    publicRouting: this.network.publicRouting,
                    nodeSecurityGroupId: this.eks.clusterSecurityGroupId,
                    nodeAutoscalingGroupName: this.eks.nodeGroup.resources.apply((r) => nodeGroupAutoscalingGroup(r, names.nodeGroup)),
                    certificateArn: this.certificate.issuedArn,
                    dnsZone: https.dnsZone,
                    deletionProtection: args.protection.deletionProtection,
                    tags,
                },
                child,
            );
            const records = pulumi
                .all([this.certificate.dnsRecordsToCreate, this.alb.dnsRecordsToCreate])
                .apply(([certificate, address]) => [...certificate, ...address]);
            this.exposure = albHttpsExposure(https.dnsName, records);
        } else {
            this.exposure = { kind: "loadBalancer", annotations: internalNlbAnnotations() };
        }
        if (args.notifications !== undefined || args.executionEvents) {
            const flyteadminRole = this.roles.roles[flyteadminIdentity(requests).key];
            this.messagingResources = new AwsMessaging(
                `${name}-messaging`,
                {
                    names: messagingNames(deployment),
                    region: config.region,
                    accountId,
                    flyteadmin: { name: flyteadminRole.id, arn: flyteadminRole.arn },
                    notifications: args.notifications,
                    executionEvents: args.executionEvents,
                    tags,
                },
                child,
            );
            this.messaging = this.messagingResources.messaging;
        }
        if (args.registry !== undefined) {
            this.registry = new TaskImageRegistry(
                `${name}-registry`,
                {
                    names: registryNames(deployment),
                    region: config.region,
                    accountId,
                    config: args.registry,
                    deletionProtection: args.protection.deletionProtection,
                    forceDelete: args.protection.forceDestroyBuckets,
                    tags,
                },
                child,
            );
            this.extraOutputs = {
                registryUrl: this.registry.repositoryUrl,
                ...(this.registry.pushRoleArn && { ciPushIdentity: this.registry.pushRoleArn }),
            };
        }
        if (args.controlPlane) {
            this.controlPlane = awsControlPlaneNetwork({
                accountId,
                vpcId: this.network.vpc.id,
                internetGatewayId: this.network.internetGateway.id,
                clusterSecurityGroupId: this.eks.clusterSecurityGroupId,
                serviceIpv4Cidr: this.eks.serviceIpv4Cidr,
                config,
                https: args.https,
            });
        }
        // Flyte's own services need their permissions when they start; task pods' are not waited for. flyteadmin
        // panics at start when it cannot reach its topics and queue (factory.go), so it waits for them too.
        // A role works once its policies exist; its trust (IRSA) is part of the role itself.
        this.identityGrants = Object.fromEntries(requests.map((r) => [r.key, [...this.roles.policies[r.key]]]));
        const backendKeys = requests.filter((r) => r.role === "backend").map((r) => r.key);
        this.releaseDependencies = [
            ...this.eks.readiness,
            this.postgres.clientAccess,
            ...backendKeys.flatMap((key) => this.identityGrants[key]),
            ...(this.messagingResources?.releaseDependencies ?? []),
        ];

        this.registerOutputs({ clusterName: this.clusterName });
    }
}
