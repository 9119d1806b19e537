import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsConfig, ProtectionConfig } from "../contract/config";
import { DATA_PLANE_PROPELLER, dataPlanePropellerRequest } from "../contract/identities";
import type { AwsControlPlaneOutput, DataPlaneCloudOutput, FlyteDataPlanePlatform } from "../contract/multiCluster";
import type { DeploymentId, TaskLogLink } from "../contract/platform";
import { EKS_TASK_ENVIRONMENT, IRSA_ANNOTATION } from "./awsPlatform";
import { cloudWatchTaskLogLink } from "./cloudWatch";
import { AwsDataPlaneNetwork } from "./dataPlaneNetwork";
import { EksCluster } from "./eksCluster";
import { FlyteRoles } from "./flyteRoles";
import { s3BucketArn } from "./iam";
import { awsNames, s3BucketNames } from "./names";
import { RawDataBucket } from "./s3Buckets";
import { awsTags } from "./tags";

/** The account `pulumi up` deploys into (an AWS data plane joins only a control plane of the same account). */
export async function callerAccount(): Promise<{ readonly accountId: string }> {
    const caller = await aws.getCallerIdentity({});
    return { accountId: caller.accountId };
}

export interface AwsDataPlanePlatformArgs {
    /**
     * The stack's aws section: the region (the control plane's), EKS, and the network's block (`awsVpcCidr`: the CIDR
     * block this data plane associates with the control plane's VPC), zones and NAT. Its database settings are the
     * control plane's business and are not read.
     */
    readonly config: AwsConfig;
    /** Deletion protection on the cluster and the own raw-data bucket, and whether that bucket may go with its objects. */
    readonly protection: ProtectionConfig;
    /** The Pulumi project and this data plane's stack: every name (subnets, cluster, role, bucket) follows from them. */
    readonly deployment: DeploymentId;
    /** Flyte's namespace in this cluster, where flytepropeller's Kubernetes service account is (the control plane's). */
    readonly flyteNamespace: string;
    /** The control plane's stack output `controlPlane` (on aws, checked by checkAwsDataPlane). */
    readonly controlPlane: AwsControlPlaneOutput;
    /**
     * A raw-data bucket of this data plane's own (`flyte:dataPlaneRawBucket`); false: raw outputs go to the control
     * plane's user-data bucket. Refused when the control plane has project isolation.
     */
    readonly rawDataBucket: boolean;
}

/**
 * A Flyte data plane on AWS: subnets on a CIDR block of its own in the control plane's VPC (no VPC, internet gateway,
 * RDS or load balancer of its own), an EKS cluster there whose private API endpoint admits the control plane's cluster
 * security group (where its flyteadmin runs), flytepropeller's IRSA role with the control plane's buckets and the
 * raw-data bucket, and with `rawDataBucket` that bucket.
 *
 * Task pods run as the control plane's task roles: the control plane reads this cluster's OIDC provider from the
 * `dataPlane` output and its task roles trust it too (components/aws/iam.ts irsaTrustPolicy), so the namespaces' service
 * accounts its cluster resource sync annotates here can assume them. Everything is in one account: identity policies
 * grant the buckets across stacks, and no bucket policy names another stack's role.
 */
export class AwsDataPlanePlatform extends pulumi.ComponentResource implements FlyteDataPlanePlatform {
    readonly network: AwsDataPlaneNetwork;
    readonly eks: EksCluster;
    /** With `rawDataBucket`: the bucket. */
    readonly ownBucket?: RawDataBucket;
    /** flytepropeller's IRSA role and its S3 policy. */
    readonly roles: FlyteRoles;

    readonly kubernetesProvider: k8s.Provider;
    readonly kubeconfig: pulumi.Output<string>;
    readonly clusterName: pulumi.Output<string>;
    readonly apiEndpoint: pulumi.Output<string>;
    readonly podRange: string;
    readonly published: pulumi.Output<DataPlaneCloudOutput>;
    readonly taskEnvironment = EKS_TASK_ENVIRONMENT;
    readonly propellerIdentity: { readonly annotationKey: string; readonly value: pulumi.Output<string> };
    readonly rawDataBucket: pulumi.Output<string>;
    readonly ownRawDataBucket: boolean;
    readonly taskLogs: readonly TaskLogLink[];
    readonly releaseDependencies: readonly pulumi.Resource[];

    constructor(name: string, args: AwsDataPlanePlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:AwsDataPlanePlatform", name, {}, opts);
        const { config, controlPlane: cp, deployment } = args;
        const { region } = config;
        // Before anything is declared (the stack's checks say the same, dataPlaneChecks.ts).
        if (region !== cp.region) {
            throw new Error(`data plane in ${region}, its control plane in ${cp.region}: an AWS data plane joins the control plane's VPC`);
        }
        if (args.rawDataBucket && cp.projectIsolation) {
            throw new Error("a data plane's own raw-data bucket is refused when the control plane has project isolation");
        }
        if (args.rawDataBucket && cp.identities.worker === undefined) {
            throw new Error("a data plane's own raw-data bucket needs the control plane's task identity (identities.worker), which it names none of");
        }
        const names = awsNames(deployment);
        const tags = awsTags(deployment);
        const child = { parent: this };

        this.network = new AwsDataPlaneNetwork(
            `${name}-network`,
            {
                name: names.network,
                clusterName: names.cluster,
                vpcId: cp.vpcId,
                internetGatewayId: cp.internetGatewayId,
                blockCidr: config.network.vpcCidr,
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
                region,
                deletionProtection: args.protection.deletionProtection,
                privateSubnetIds: this.network.privateSubnetIds,
                egress: this.network.egress,
                // The control plane's flyteadmin (on its nodes, which carry its cluster security group) calls this API
                // server at its private endpoint in the VPC they share.
                apiClients: { vpcId: cp.vpcId, securityGroupIds: [cp.clusterSecurityGroupId] },
                tags,
            },
            child,
        );

        if (args.rawDataBucket) {
            const bucketName = s3BucketNames({ pulumiProject: deployment.pulumiProject, stack: deployment.stack, accountId: cp.awsAccountId, region }).userData;
            this.ownBucket = new RawDataBucket(
                `${name}-bucket`,
                { bucketName, deletionProtection: args.protection.deletionProtection, forceDestroy: args.protection.forceDestroyBuckets, tags },
                child,
            );
        }
        this.ownRawDataBucket = this.ownBucket !== undefined;
        this.rawDataBucket = this.ownBucket ? this.ownBucket.bucket.bucket : pulumi.output(cp.userDataBucket);

        const request = dataPlanePropellerRequest(args.flyteNamespace, deployment.stack);
        const arn = (bucket: string) => s3BucketArn(region, bucket);
        this.roles = new FlyteRoles(
            `${name}-roles`,
            {
                roles: [{ request, roleName: names.coreRoles.flytepropeller }],
                oidcProviderArn: this.eks.oidcProvider.arn,
                oidcIssuerUrl: this.eks.oidcIssuerUrl,
                bucketArns: {
                    metadata: arn(cp.metadataBucket),
                    userData: this.rawDataBucket.apply(arn),
                    projects: Object.fromEntries(Object.entries(cp.projectBuckets).map(([project, bucket]) => [project, arn(bucket)])),
                },
                tags,
            },
            child,
        );

        this.kubernetesProvider = this.eks.provider;
        this.kubeconfig = this.eks.kubeconfig;
        this.clusterName = this.eks.clusterName;
        this.apiEndpoint = this.eks.cluster.endpoint;
        // The VPC CNI gives pods addresses of the subnets, all in this block.
        this.podRange = config.network.vpcCidr;
        this.published = pulumi.all([this.eks.oidcProvider.arn, this.eks.oidcIssuerUrl]).apply(([oidcProviderArn, issuerUrl]) => ({
            cloud: "aws" as const,
            oidcProviderArn,
            oidcIssuer: issuerUrl.replace(/^https:\/\//, ""),
        }));
        this.propellerIdentity = { annotationKey: IRSA_ANNOTATION, value: this.roles.roles[DATA_PLANE_PROPELLER].arn };
        this.taskLogs = config.eks.containerInsights ? [cloudWatchTaskLogLink({ region, clusterName: names.cluster })] : [];
        this.releaseDependencies = [...this.eks.readiness, ...this.roles.policies[DATA_PLANE_PROPELLER]];

        this.registerOutputs({ clusterName: this.clusterName, apiEndpoint: this.apiEndpoint, rawDataBucket: this.rawDataBucket });
    }
}
