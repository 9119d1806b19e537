import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { EksCluster, nodeGroupAutoscalingGroup } from "../../../components/aws/eksCluster";
import { awsNames } from "../../../components/aws/names";
import { MOCK_AWS_ROLE, mockResource } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { byName, ofType, only } from "../../helpers/plan";
import { at, stringAt } from "../../helpers/json";

const SUBNETS = ["subnet-private-a", "subnet-private-b", "subnet-private-c"];
const ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";

const CLUSTER = "aws:eks/cluster:Cluster";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const ADDON = "aws:eks/addon:Addon";
const ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry";
const ACCESS_POLICY = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** What the mocked cloud reports for the cluster flyte-test: its OIDC issuer. */
const ISSUER = stringAt(mockResource(CLUSTER, "eks-cluster", { name: "flyte-test" }).state, "identities", 0, "oidcs", 0, "issuer");
const ISSUER_HOST = ISSUER.replace(/^https:\/\//, "");
const OIDC_PROVIDER_ARN = stringAt(
    mockResource("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "eks-oidc", { url: ISSUER }).state,
    "arn",
);

function planCluster(overrides: Record<string, string>, deletionProtection: boolean): Promise<Plan> {
    const config = awsStackConfig(overrides);
    const names = awsNames({ pulumiProject: "flyte", stack: "test" });
    return runComponents(() => {
        // Stands in for the network's NAT: the node group must wait for it.
        const egress = new aws.ec2.NatGateway("egress", { subnetId: "subnet-public", allocationId: "eipalloc-1" });
        const eks = new EksCluster("eks", {
            names,
            config: config.aws.eks,
            region: config.aws.region,
            deletionProtection,
            privateSubnetIds: SUBNETS,
            egress: [egress],
            tags: { app: "flyte" },
        });
        return {
            kubeconfig: pulumi.unsecret(eks.kubeconfig),
            clusterName: eks.clusterName,
            issuer: eks.oidcIssuerUrl,
            clusterSecurityGroupId: eks.clusterSecurityGroupId,
        };
    });
}

/** Policy ARNs attached to a role, sorted. */
function attachedPolicies(plan: Plan, roleName: string): string[] {
    return ofType(plan, ATTACHMENT)
        .filter((a) => a.inputs.role === roleName)
        .map((a) => String(a.inputs.policyArn))
        .sort();
}

function trustPolicy(role: RecordedResource): unknown {
    return JSON.parse(String(role.inputs.assumeRolePolicy)) as unknown;
}

function irsaTrust(subject: string): unknown {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: OIDC_PROVIDER_ARN },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${ISSUER_HOST}:aud`]: "sts.amazonaws.com", [`${ISSUER_HOST}:sub`]: subject } },
            },
        ],
    };
}

describe("defaults: private endpoint, the deployer as administrator, Container Insights on", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCluster({}, true);
    });
    const cluster = () => byName(plan, CLUSTER, "eks-cluster");

    test("the cluster sits in the private subnets with a private endpoint only", () => {
        expect(cluster().inputs.name).toBe("flyte-test");
        expect(cluster().inputs.version).toBe("1.34");
        expect(cluster().inputs.vpcConfig).toEqual({
            subnetIds: SUBNETS,
            endpointPrivateAccess: true,
            endpointPublicAccess: false,
        });
    });

    test("access entries only (API mode), and the creator gets no implicit admin", () => {
        expect(cluster().inputs.accessConfig).toEqual({
            authenticationMode: "API",
            bootstrapClusterCreatorAdminPermissions: false,
        });
        expect(cluster().inputs.bootstrapSelfManagedAddons).toBe(false);
    });

    test("Secrets are encrypted with the component's own KMS key, which rotates", () => {
        const key = only(plan, "aws:kms/key:Key");
        expect(key.name).toBe("eks-secrets");
        expect(key.inputs.enableKeyRotation).toBe(true);
        const keyArn = stringAt(mockResource(key.type, key.name, {}).state, "arn");
        expect(cluster().inputs.encryptionConfig).toEqual({ resources: ["secrets"], provider: { keyArn } });
        expect(cluster().dependencies).toContain(key.urn);
        const alias = only(plan, "aws:kms/alias:Alias");
        expect(alias.inputs.name).toBe("alias/flyte-test-eks-secrets");
        expect(alias.inputs.targetKeyId).toBe(stringAt(mockResource(key.type, key.name, {}).state, "keyId"));
    });

    test("control plane logs go to a log group with retention, created before the cluster", () => {
        expect(cluster().inputs.enabledClusterLogTypes).toEqual(["api", "audit", "authenticator"]);
        const logs = byName(plan, LOG_GROUP, "eks-control-plane-logs");
        expect(logs.inputs).toMatchObject({ name: "/aws/eks/flyte-test/cluster", retentionInDays: 90 });
        expect(cluster().dependencies).toContain(logs.urn);
    });

    test("stays on standard support and deletion protection follows the argument", () => {
        expect(cluster().inputs.upgradePolicy).toEqual({ supportType: "STANDARD" });
        expect(cluster().inputs.deletionProtection).toBe(true);
    });

    test("the cluster role trusts EKS and has AmazonEKSClusterPolicy only, attached before the cluster", () => {
        const role = byName(plan, ROLE, "eks-cluster");
        expect(role.inputs.name).toBe("flyte-test-eks-cluster");
        expect(trustPolicy(role)).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        expect(attachedPolicies(plan, "flyte-test-eks-cluster")).toEqual(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
        expect(cluster().inputs.roleArn).toBe("arn:aws:iam::123456789012:role/flyte-test-eks-cluster");
        expect(cluster().dependencies).toContain(byName(plan, ATTACHMENT, "eks-cluster-AmazonEKSClusterPolicy").urn);
    });

    test("an OIDC provider for IRSA with the cluster's issuer and the STS audience", () => {
        const oidc = only(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
        expect(oidc.inputs.url).toBe(ISSUER);
        expect(oidc.inputs.clientIdLists).toEqual(["sts.amazonaws.com"]);
        expect(oidc.dependencies).toContain(cluster().urn);
        expect(plan.outputs.issuer).toBe(ISSUER);
        expect(ISSUER).toMatch(/^https:\/\/oidc\.eks\.mock-region-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    });

    test("exactly one access entry: the deployer's role from the assumed-role session, as cluster admin", () => {
        const entries = ofType(plan, ACCESS_ENTRY);
        expect(entries).toHaveLength(1);
        expect(entries[0].inputs).toMatchObject({ clusterName: "flyte-test", principalArn: MOCK_AWS_ROLE, type: "STANDARD" });
        expect(MOCK_AWS_ROLE).toBe("arn:aws:iam::123456789012:role/flyte-deployer");
        const associations = ofType(plan, ACCESS_POLICY);
        expect(associations).toHaveLength(1);
        expect(associations[0].inputs).toEqual({
            clusterName: "flyte-test",
            principalArn: MOCK_AWS_ROLE,
            policyArn: ADMIN_POLICY,
            accessScope: { type: "cluster" },
        });
        expect(associations[0].dependencies).toContain(entries[0].urn);
    });

    test("the node group: private subnets, launch template, AL2023, on-demand, min/max with desired = min", () => {
        const group = byName(plan, "aws:eks/nodeGroup:NodeGroup", "eks-nodes");
        const template = only(plan, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(group.inputs).toMatchObject({
            clusterName: "flyte-test",
            nodeGroupName: "flyte-test-nodes",
            nodeRoleArn: "arn:aws:iam::123456789012:role/flyte-test-eks-nodes",
            subnetIds: SUBNETS,
            amiType: "AL2023_x86_64_STANDARD",
            instanceTypes: ["m6i.xlarge"],
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: 2, maxSize: 6, desiredSize: 2 },
            launchTemplate: { id: mockResource(template.type, template.name, {}).id, version: "1" },
        });
        expect(group.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
    });

    test("the launch template: IMDSv2 required with hop limit 1, an encrypted gp3 root volume of the configured size", () => {
        const template = only(plan, "aws:ec2/launchTemplate:LaunchTemplate");
        expect(template.inputs.metadataOptions).toEqual({
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
        });
        expect(template.inputs.blockDeviceMappings).toEqual([
            {
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
        ]);
    });

    test("nodes join only after the CNI add-on, the subnets' NAT and their role's policies", () => {
        const group = byName(plan, "aws:eks/nodeGroup:NodeGroup", "eks-nodes");
        expect(group.dependencies).toEqual(
            expect.arrayContaining([
                byName(plan, ADDON, "eks-vpc-cni").urn,
                byName(plan, "aws:ec2/natGateway:NatGateway", "egress").urn,
                byName(plan, ATTACHMENT, "eks-nodes-AmazonEKSWorkerNodePolicy").urn,
                byName(plan, ATTACHMENT, "eks-nodes-AmazonEC2ContainerRegistryPullOnly").urn,
            ]),
        );
    });

    test("the node role trusts EC2 and has only the worker node and registry pull policies (no CNI policy)", () => {
        const role = byName(plan, ROLE, "eks-nodes");
        expect(role.inputs.name).toBe("flyte-test-eks-nodes");
        expect(trustPolicy(role)).toEqual({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
        expect(attachedPolicies(plan, "flyte-test-eks-nodes")).toEqual([
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        ]);
        expect(ofType(plan, "aws:iam/rolePolicy:RolePolicy")).toEqual([]);
    });

    test("the VPC CNI runs on its own IRSA role, trusting exactly kube-system:aws-node, with AmazonEKS_CNI_Policy", () => {
        const role = byName(plan, ROLE, "eks-vpc-cni");
        expect(role.inputs.name).toBe("flyte-test-vpc-cni");
        expect(trustPolicy(role)).toEqual(irsaTrust("system:serviceaccount:kube-system:aws-node"));
        expect(attachedPolicies(plan, "flyte-test-vpc-cni")).toEqual(["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"]);
        const addon = byName(plan, ADDON, "eks-vpc-cni");
        expect(addon.inputs).toMatchObject({
            clusterName: "flyte-test",
            addonName: "vpc-cni",
            serviceAccountRoleArn: "arn:aws:iam::123456789012:role/flyte-test-vpc-cni",
        });
        expect(addon.dependencies).toContain(byName(plan, ATTACHMENT, "eks-vpc-cni-AmazonEKS_CNI_Policy").urn);
    });

    test("kube-proxy and CoreDNS are managed add-ons; CoreDNS waits for the node group", () => {
        expect(byName(plan, ADDON, "eks-kube-proxy").inputs.addonName).toBe("kube-proxy");
        const coreDns = byName(plan, ADDON, "eks-coredns");
        expect(coreDns.inputs.addonName).toBe("coredns");
        expect(coreDns.dependencies).toContain(byName(plan, "aws:eks/nodeGroup:NodeGroup", "eks-nodes").urn);
    });

    test("Container Insights: the add-on on its own IRSA role for amazon-cloudwatch:cloudwatch-agent, and a log group with retention", () => {
        const addon = byName(plan, ADDON, "eks-container-insights");
        expect(addon.inputs).toMatchObject({
            clusterName: "flyte-test",
            addonName: "amazon-cloudwatch-observability",
            serviceAccountRoleArn: "arn:aws:iam::123456789012:role/flyte-test-cloudwatch",
        });
        const role = byName(plan, ROLE, "eks-cloudwatch");
        expect(trustPolicy(role)).toEqual(irsaTrust("system:serviceaccount:amazon-cloudwatch:cloudwatch-agent"));
        expect(attachedPolicies(plan, "flyte-test-cloudwatch")).toEqual([
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
        ]);
        const logs = byName(plan, LOG_GROUP, "eks-container-logs");
        expect(logs.inputs).toMatchObject({ name: "/aws/containerinsights/flyte-test/application", retentionInDays: 90 });
        expect(addon.dependencies).toEqual(
            expect.arrayContaining([
                logs.urn,
                byName(plan, "aws:eks/nodeGroup:NodeGroup", "eks-nodes").urn,
                byName(plan, ATTACHMENT, "eks-cloudwatch-CloudWatchAgentServerPolicy").urn,
            ]),
        );
    });

    test("exactly these add-ons", () => {
        expect(ofType(plan, ADDON).map((a) => a.inputs.addonName).sort()).toEqual([
            "amazon-cloudwatch-observability",
            "coredns",
            "kube-proxy",
            "vpc-cni",
        ]);
    });

    test("the Kubernetes provider: kubeconfig kept secret, created after the administrators' access", () => {
        const provider = byName(plan, "pulumi:providers:kubernetes", "eks-k8s");
        expect(provider.inputs.kubeconfig).toBe("[secret]");
        expect(provider.dependencies).toEqual(expect.arrayContaining(ofType(plan, ACCESS_POLICY).map((a) => a.urn)));
        expect(childrenOf(plan, component(plan, "flyte:aws:EksCluster"))).toContainEqual(
            expect.objectContaining({ urn: provider.urn }),
        );
    });

    test("the kubeconfig authenticates with aws eks get-token against the cluster's endpoint and CA", () => {
        const kubeconfig: unknown = parse(String(plan.outputs.kubeconfig));
        const state = mockResource(CLUSTER, "eks-cluster", { name: "flyte-test" }).state;
        expect(at(kubeconfig, "clusters", 0, "cluster")).toEqual({
            server: stringAt(state, "endpoint"),
            "certificate-authority-data": stringAt(state, "certificateAuthority", "data"),
        });
        expect(at(kubeconfig, "users", 0, "user", "exec", "command")).toBe("aws");
        expect(at(kubeconfig, "users", 0, "user", "exec", "args")).toEqual([
            "eks",
            "get-token",
            "--cluster-name",
            "flyte-test",
            "--region",
            "eu-central-1",
            "--output",
            "json",
        ]);
        expect(plan.outputs.clusterName).toBe("flyte-test");
        expect(plan.outputs.clusterSecurityGroupId).toMatch(/^sg-[0-9a-f]{17}$/);
    });
});

describe("public endpoint for listed CIDRs, configured administrators, Spot, no Container Insights, unprotected", () => {
    const ADMINS = ["arn:aws:iam::123456789012:role/team/admins", "arn:aws:iam::123456789012:user/alice"];
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCluster(
            {
                "flyte:eksPublicAccessCidrs": '["203.0.113.0/24","198.51.100.7/32"]',
                "flyte:eksAdminPrincipals": JSON.stringify(ADMINS),
                "flyte:eksSpotNodes": "true",
                "flyte:eksContainerInsights": "false",
                "flyte:eksNodeDiskSizeGb": "50",
                "flyte:eksInstanceTypes": '["m7i.large","m6a.large"]',
                "flyte:eksMinNodes": "1",
                "flyte:eksMaxNodes": "10",
                "flyte:eksVersion": "1.33",
            },
            false,
        );
    });
    const cluster = () => byName(plan, CLUSTER, "eks-cluster");

    test("the endpoint is public to the listed CIDRs only, and still private inside the VPC", () => {
        expect(cluster().inputs.vpcConfig).toEqual({
            subnetIds: SUBNETS,
            endpointPrivateAccess: true,
            endpointPublicAccess: true,
            publicAccessCidrs: ["203.0.113.0/24", "198.51.100.7/32"],
        });
        expect(cluster().inputs.version).toBe("1.33");
        expect(cluster().inputs.deletionProtection).toBe(false);
    });

    test("one access entry and cluster-admin association per configured principal, none for the deployer", () => {
        expect(ofType(plan, ACCESS_ENTRY).map((e) => e.inputs.principalArn).sort()).toEqual([...ADMINS].sort());
        const associations = ofType(plan, ACCESS_POLICY);
        expect(associations.map((a) => a.inputs.principalArn).sort()).toEqual([...ADMINS].sort());
        for (const a of associations) {
            expect(a.inputs.policyArn).toBe(ADMIN_POLICY);
            expect(a.inputs.accessScope).toEqual({ type: "cluster" });
        }
        expect(JSON.stringify(plan.resources)).not.toContain(MOCK_AWS_ROLE);
        const provider = byName(plan, "pulumi:providers:kubernetes", "eks-k8s");
        expect(provider.dependencies).toEqual(expect.arrayContaining(associations.map((a) => a.urn)));
    });

    test("Spot capacity with the configured types, sizes and disk", () => {
        const group = byName(plan, "aws:eks/nodeGroup:NodeGroup", "eks-nodes");
        expect(group.inputs).toMatchObject({
            capacityType: "SPOT",
            instanceTypes: ["m7i.large", "m6a.large"],
            scalingConfig: { minSize: 1, maxSize: 10, desiredSize: 1 },
        });
        expect(at(only(plan, "aws:ec2/launchTemplate:LaunchTemplate").inputs, "blockDeviceMappings", 0, "ebs")).toEqual({
            volumeSize: 50,
            volumeType: "gp3",
            encrypted: "true",
            deleteOnTermination: "true",
        });
    });

    test("no Container Insights add-on, role or container log group", () => {
        expect(ofType(plan, ADDON).map((a) => a.inputs.addonName).sort()).toEqual(["coredns", "kube-proxy", "vpc-cni"]);
        expect(ofType(plan, ROLE).map((r) => r.inputs.name).sort()).toEqual([
            "flyte-test-eks-cluster",
            "flyte-test-eks-nodes",
            "flyte-test-vpc-cni",
        ]);
        expect(ofType(plan, LOG_GROUP).map((l) => l.inputs.name)).toEqual(["/aws/eks/flyte-test/cluster"]);
    });
});

describe("in GovCloud", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planCluster({ "aws:region": "us-gov-west-1" }, true);
    });

    test("managed and access policy ARNs are in the aws-us-gov partition", () => {
        const arns = ofType(plan, ATTACHMENT).map((a) => String(a.inputs.policyArn));
        expect(arns.length).toBeGreaterThan(0);
        for (const arn of arns) {
            expect(arn.startsWith("arn:aws-us-gov:iam::aws:policy/")).toBe(true);
        }
        expect(only(plan, ACCESS_POLICY).inputs.policyArn).toBe(
            "arn:aws-us-gov:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
        );
    });
});

describe("nodeGroupAutoscalingGroup", () => {
    test("the one Auto Scaling group EKS reports for a managed node group", () => {
        expect(nodeGroupAutoscalingGroup([{ autoscalingGroups: [{ name: "eks-flyte-dev-nodes-1a2b" }] }], "flyte-dev-nodes")).toBe(
            "eks-flyte-dev-nodes-1a2b",
        );
    });

    test.each([
        ["nothing reported", undefined, /reports 0 Auto Scaling groups \(none\)/],
        ["no groups", [{ autoscalingGroups: [] }], /reports 0/],
        ["a group without a name", [{ autoscalingGroups: [{}] }], /reports 1 Auto Scaling groups/],
        ["two groups", [{ autoscalingGroups: [{ name: "a" }, { name: "b" }] }], /reports 2 Auto Scaling groups \(a, b\)/],
    ])("fails on %s", (_, resources, message) => {
        expect(() => nodeGroupAutoscalingGroup(resources, "flyte-dev-nodes")).toThrow(message);
    });
});
