import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AwsConfig } from "../contract/config";
import type { AwsNames } from "./names";
import { containerLogGroup } from "./cloudWatch";
import { eksAccessPolicyArn, irsaTrustPolicy, managedPolicyArn, serviceTrustPolicy } from "./iam";
import { eksKubeconfig } from "./kubeconfig";

/** Managed policies of the cluster's own roles; every Flyte permission is on IRSA roles instead. */
export const CLUSTER_ROLE_POLICIES = ["AmazonEKSClusterPolicy"] as const;
export const NODE_ROLE_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly"] as const;
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";
/** Control plane logs kept in CloudWatch, and for how long (also the container logs' retention). */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"] as const;
export const LOG_RETENTION_DAYS = 90;

/**
 * The Auto Scaling group of a managed node group, as EKS reports it (`NodeGroup.resources`): EKS creates one per
 * node group (https://docs.aws.amazon.com/eks/latest/userguide/managed-node-groups.html). Load balancer target
 * groups are attached to it, so instances it launches or terminates are registered and deregistered with them.
 */
export function nodeGroupAutoscalingGroup(
    resources: readonly { readonly autoscalingGroups?: readonly { readonly name?: string }[] }[] | undefined,
    nodeGroupName: string,
): string {
    const names = (resources ?? []).flatMap((r) => (r.autoscalingGroups ?? []).map((g) => g.name ?? ""));
    if (names.length !== 1 || !names[0]) {
        throw new Error(`EKS node group ${nodeGroupName} reports ${names.length} Auto Scaling groups (${names.join(", ") || "none"}), expected one`);
    }
    return names[0];
}

export interface EksClusterArgs {
    /**
     * Names from awsNames: the cluster (at most 100 characters), its node group, the IAM roles of the cluster, the
     * nodes, the VPC CNI and CloudWatch (64 each), and the alias of the KMS key for Secrets. Changing one replaces
     * that resource.
     */
    readonly names: Pick<
        AwsNames,
        "cluster" | "nodeGroup" | "clusterRole" | "nodeRole" | "vpcCniRole" | "cloudWatchRole" | "secretsKeyAlias"
    >;
    /**
     * Kubernetes version, node instance types, node count (min, max), Spot nodes, node disk size in GiB, the CIDRs
     * allowed to reach a public API endpoint (none: private endpoint only), the IAM principals made cluster
     * administrators (none: whoever runs `pulumi up`), and Container Insights (CloudWatch container logs).
     */
    readonly config: AwsConfig["eks"];
    /** The AWS region, e.g. `eu-central-1`: it picks the partition of managed policy ARNs and the kubeconfig's endpoint. */
    readonly region: string;
    /** EKS deletion protection on the cluster: deleting it fails until this is turned off. */
    readonly deletionProtection: boolean;
    /** The private subnets (in two zones at least) the control plane's network interfaces and the nodes are placed in. */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** The private subnets' way out (NAT): nodes pull images and reach AWS APIs through it. */
    readonly egress: readonly pulumi.Resource[];
    /** AWS tags on every resource; the nodes' instances also get a `Name` tag. */
    readonly tags: Readonly<Record<string, string>>;
    /**
     * Who else may call this cluster's API server at its private endpoint (HTTPS, 443): a data plane admits its control
     * plane's cluster security group, which is on the control plane's nodes and so on the pods of its flyteadmin. They
     * are admitted by a security group of their own that EKS puts on the endpoint's network interfaces only
     * (`vpcConfig.securityGroupIds`), not on the nodes, which keep only the cluster security group. Absent: none beyond
     * what EKS allows by itself (its own cluster security group).
     */
    readonly apiClients?: {
        /** The cluster's VPC, where the security group is made. */
        readonly vpcId: pulumi.Input<string>;
        /** The security groups admitted, by id. */
        readonly securityGroupIds: readonly pulumi.Input<string>[];
    };
}

/**
 * An EKS cluster: private subnets, secrets encrypted with its own KMS key, control plane logs, an OIDC provider for
 * IRSA, access entries (API authentication mode, no aws-auth ConfigMap) for its administrators, managed add-ons
 * (the VPC CNI on its own IRSA role), a managed node group whose pods cannot use the node's IAM role, and a
 * Kubernetes provider built from its outputs.
 */
export class EksCluster extends pulumi.ComponentResource {
    readonly cluster: aws.eks.Cluster;
    readonly oidcProvider: aws.iam.OpenIdConnectProvider;
    readonly nodeGroup: aws.eks.NodeGroup;
    readonly adminAccess: aws.eks.AccessPolicyAssociation[];
    readonly kubeconfig: pulumi.Output<string>;
    readonly provider: k8s.Provider;
    readonly clusterName: pulumi.Output<string>;
    /** The security group EKS attaches to the control plane and the nodes. */
    readonly clusterSecurityGroupId: pulumi.Output<string>;
    /** The range Kubernetes Services take their cluster IPs from, as EKS picked it. */
    readonly serviceIpv4Cidr: pulumi.Output<string>;
    /** With `apiClients`: the security group on the endpoint's network interfaces that admits them. */
    readonly apiClientGroup?: aws.ec2.SecurityGroup;
    /** One rule per `apiClients` group on apiClientGroup: HTTPS from that group. */
    readonly apiClientAccess: aws.vpc.SecurityGroupIngressRule[];
    readonly oidcIssuerUrl: pulumi.Output<string>;
    /** The node group and the add-ons pods need (network, DNS): what must run before workloads can start. */
    readonly readiness: pulumi.Resource[];

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:EksCluster", name, {}, opts);
        const child = { parent: this };
        const { names, config, region } = args;
        const tags = { ...args.tags };

        const clusterRole = new aws.iam.Role(
            `${name}-cluster`,
            { name: names.clusterRole, assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"), tags },
            child,
        );
        const clusterRolePolicies = CLUSTER_ROLE_POLICIES.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-cluster-${policy}`,
                    { role: clusterRole.name, policyArn: managedPolicyArn(region, policy) },
                    child,
                ),
        );
        const secretsKey = new aws.kms.Key(
            `${name}-secrets`,
            { description: `Envelope encryption of Kubernetes Secrets in ${names.cluster}`, enableKeyRotation: true, tags },
            child,
        );
        new aws.kms.Alias(`${name}-secrets`, { name: names.secretsKeyAlias, targetKeyId: secretsKey.keyId }, child);
        const controlPlaneLogs = new aws.cloudwatch.LogGroup(
            `${name}-control-plane-logs`,
            { name: `/aws/eks/${names.cluster}/cluster`, retentionInDays: LOG_RETENTION_DAYS, tags },
            child,
        );

        if (args.apiClients !== undefined) {
            this.apiClientGroup = new aws.ec2.SecurityGroup(
                `${name}-api-clients`,
                {
                    vpcId: args.apiClients.vpcId,
                    description: `Clients of ${names.cluster}'s Kubernetes API from other clusters (its private endpoint only)`,
                    tags: { ...tags, Name: `${names.cluster}-api-clients` },
                },
                child,
            );
        }
        const publicAccess = config.publicAccessCidrs.length > 0;
        this.cluster = new aws.eks.Cluster(
            `${name}-cluster`,
            {
                name: names.cluster,
                version: config.version,
                roleArn: clusterRole.arn,
                vpcConfig: {
                    subnetIds: args.privateSubnetIds,
                    endpointPrivateAccess: true,
                    endpointPublicAccess: publicAccess,
                    publicAccessCidrs: publicAccess ? [...config.publicAccessCidrs] : undefined,
                    ...(this.apiClientGroup && { securityGroupIds: [this.apiClientGroup.id] }),
                },
                accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
                // The add-ons are installed below as managed add-ons, the VPC CNI with its own IRSA role.
                bootstrapSelfManagedAddons: false,
                encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
                enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
                // Stay on standard support: no silent extended-support charges.
                upgradePolicy: { supportType: "STANDARD" },
                deletionProtection: args.deletionProtection,
                tags,
            },
            // EKS writes to the log group from the start; creating it first sets its retention.
            { ...child, dependsOn: [...clusterRolePolicies, controlPlaneLogs] },
        );
        this.clusterName = this.cluster.name;
        this.clusterSecurityGroupId = this.cluster.vpcConfig.apply((v) => {
            if (!v.clusterSecurityGroupId) {
                throw new Error(`EKS cluster ${names.cluster} reports no cluster security group`);
            }
            return v.clusterSecurityGroupId;
        });
        // Without kubernetesNetworkConfig.serviceIpv4Cidr EKS picks 10.100.0.0/16 or 172.20.0.0/16
        // (https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html); a data plane's
        // block in this VPC must not overlap it, so it is published.
        this.serviceIpv4Cidr = this.cluster.kubernetesNetworkConfig.apply((network) => {
            if (!network?.serviceIpv4Cidr) {
                throw new Error(`EKS cluster ${names.cluster} reports no service IPv4 CIDR`);
            }
            return network.serviceIpv4Cidr;
        });
        // EKS puts the additional security groups on the network interfaces of the API server's private endpoint
        // only (https://docs.aws.amazon.com/eks/latest/userguide/sec-group-reqs.html): what they admit reaches the API
        // server and nothing on the nodes.
        const apiClientGroup = this.apiClientGroup;
        this.apiClientAccess =
            apiClientGroup === undefined
                ? []
                : (args.apiClients?.securityGroupIds ?? []).map(
                      (client, i) =>
                          new aws.vpc.SecurityGroupIngressRule(
                              `${name}-api-client-${i}`,
                              {
                                  securityGroupId: apiClientGroup.id,
                                  referencedSecurityGroupId: client,
                                  ipProtocol: "tcp",
                                  fromPort: 443,
                                  toPort: 443,
                                  description: "Kubernetes API (private endpoint) from a client security group",
                                  tags,
                              },
                              child,
                          ),
                  );
        this.oidcIssuerUrl = this.cluster.identities.apply((ids) => {
            const issuer = ids?.[0]?.oidcs?.[0]?.issuer;
            if (!issuer) {
                throw new Error(`EKS cluster ${names.cluster} reports no OIDC issuer`);
            }
            return issuer;
        });
        this.oidcProvider = new aws.iam.OpenIdConnectProvider(
            `${name}-oidc`,
            { url: this.oidcIssuerUrl, clientIdLists: ["sts.amazonaws.com"], tags },
            child,
        );

        // Access entries: who administers the cluster, visible in the stack (no aws-auth ConfigMap).
        const admins: pulumi.Output<string[]> =
            config.adminPrincipals.length > 0
                ? pulumi.output([...config.adminPrincipals])
                : aws
                      .getCallerIdentityOutput({}, child)
                      .apply((caller) => aws.iam.getSessionContextOutput({ arn: caller.arn }, child))
                      .apply((session) => [session.issuerArn]);
        const adminCount = Math.max(config.adminPrincipals.length, 1);
        this.adminAccess = Array.from({ length: adminCount }, (_, i) => {
            const principalArn = admins.apply((arns) => arns[i]);
            const entry = new aws.eks.AccessEntry(
                `${name}-admin-${i}`,
                { clusterName: this.cluster.name, principalArn, type: "STANDARD", tags },
                child,
            );
            return new aws.eks.AccessPolicyAssociation(
                `${name}-admin-${i}`,
                {
                    clusterName: this.cluster.name,
                    principalArn: entry.principalArn,
                    policyArn: eksAccessPolicyArn(region, CLUSTER_ADMIN_POLICY),
                    accessScope: { type: "cluster" },
                },
                child,
            );
        });

        const irsaRole = (suffix: string, roleName: string, namespace: string, serviceAccount: string, policy: string) => {
            const role = new aws.iam.Role(
                `${name}-${suffix}`,
                {
                    name: roleName,
                    assumeRolePolicy: pulumi
                        .all([this.oidcProvider.arn, this.oidcIssuerUrl])
                        .apply(([oidcProviderArn, issuerUrl]) =>
                            irsaTrustPolicy({
                                providers: [{ oidcProviderArn, issuerUrl }],
                                serviceAccounts: [{ namespace, name: serviceAccount }],
                            }),
                        ),
                    tags,
                },
                child,
            );
            const attachment = new aws.iam.RolePolicyAttachment(
                `${name}-${suffix}-${policy}`,
                { role: role.name, policyArn: managedPolicyArn(region, policy) },
                child,
            );
            return { role, attachment };
        };

        const vpcCni = irsaRole("vpc-cni", names.vpcCniRole, "kube-system", "aws-node", "AmazonEKS_CNI_Policy");
        const vpcCniAddon = new aws.eks.Addon(
            `${name}-vpc-cni`,
            {
                clusterName: this.cluster.name,
                addonName: "vpc-cni",
                serviceAccountRoleArn: vpcCni.role.arn,
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "PRESERVE",
                tags,
            },
            { ...child, dependsOn: [vpcCni.attachment] },
        );
        const kubeProxy = new aws.eks.Addon(
            `${name}-kube-proxy`,
            { clusterName: this.cluster.name, addonName: "kube-proxy", resolveConflictsOnCreate: "OVERWRITE", tags },
            child,
        );

        const nodeRole = new aws.iam.Role(
            `${name}-nodes`,
            { name: names.nodeRole, assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags },
            child,
        );
        const nodeRolePolicies = NODE_ROLE_POLICIES.map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-nodes-${policy}`,
                    { role: nodeRole.name, policyArn: managedPolicyArn(region, policy) },
                    child,
                ),
        );
        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-nodes`,
            {
                // IMDSv2 with a hop limit of 1: pods cannot reach the metadata service, so they cannot borrow the
                // node's role; they use their own IRSA roles.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                blockDeviceMappings: [
                    {
                        deviceName: "/dev/xvda",
                        ebs: { volumeSize: config.nodeDiskSizeGb, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
                    },
                ],
                tagSpecifications: [{ resourceType: "instance", tags: { ...tags, Name: names.nodeGroup } }],
                tags,
            },
            child,
        );
        this.nodeGroup = new aws.eks.NodeGroup(
            `${name}-nodes`,
            {
                clusterName: this.cluster.name,
                nodeGroupName: names.nodeGroup,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                amiType: "AL2023_x86_64_STANDARD",
                instanceTypes: [...config.instanceTypes],
                capacityType: config.spotNodes ? "SPOT" : "ON_DEMAND",
                scalingConfig: { minSize: config.minNodes, maxSize: config.maxNodes, desiredSize: config.minNodes },
                updateConfig: { maxUnavailable: 1 },
                launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                labels: { "flyte.org/node-role": "flyte" },
                tags,
            },
            {
                ...child,
                // Nodes join only with their role's policies, a way out of their subnets and the CNI.
                dependsOn: [...nodeRolePolicies, ...args.egress, vpcCniAddon],
                // An autoscaler, if you install one, owns the current size.
                ignoreChanges: ["scalingConfig.desiredSize"],
            },
        );

        // These run on nodes: EKS reports them healthy only once the node group is up.
        const coreDns = new aws.eks.Addon(
            `${name}-coredns`,
            { clusterName: this.cluster.name, addonName: "coredns", resolveConflictsOnCreate: "OVERWRITE", tags },
            { ...child, dependsOn: [this.nodeGroup] },
        );
        this.readiness = [this.nodeGroup, vpcCniAddon, kubeProxy, coreDns];

        if (config.containerInsights) {
            const logs = new aws.cloudwatch.LogGroup(
                `${name}-container-logs`,
                { name: containerLogGroup(names.cluster), retentionInDays: LOG_RETENTION_DAYS, tags },
                child,
            );
            const agent = irsaRole(
                "cloudwatch",
                names.cloudWatchRole,
                "amazon-cloudwatch",
                "cloudwatch-agent",
                "CloudWatchAgentServerPolicy",
            );
            // Not part of `readiness`: Flyte does not need the log agent to start.
            new aws.eks.Addon(
                `${name}-container-insights`,
                {
                    clusterName: this.cluster.name,
                    addonName: "amazon-cloudwatch-observability",
                    serviceAccountRoleArn: agent.role.arn,
                    resolveConflictsOnCreate: "OVERWRITE",
                    tags,
                },
                { ...child, dependsOn: [this.nodeGroup, agent.attachment, logs] },
            );
        }

        this.kubeconfig = pulumi.secret(
            pulumi
                .all([this.cluster.name, this.cluster.endpoint, this.cluster.certificateAuthority])
                .apply(([clusterName, endpoint, ca]) =>
                    eksKubeconfig({ clusterName, endpoint, certificateAuthority: ca.data ?? "", region }),
                ),
        );
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            // The provider acts as the administrators: their access must exist first.
            { ...child, dependsOn: this.adminAccess },
        );

        this.registerOutputs({ clusterName: this.clusterName, oidcIssuerUrl: this.oidcIssuerUrl });
    }
}
