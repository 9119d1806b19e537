import * as pulumi from "@pulumi/pulumi";
import { AwsDataPlanePlatform, callerAccount } from "../../../components/aws/awsDataPlanePlatform";
import { cloudWatchTaskLogLink } from "../../../components/aws/cloudWatch";
import { awsNames, s3BucketNames } from "../../../components/aws/names";
import { awsTags } from "../../../components/aws/tags";
import type { AwsStackConfig } from "../../../components/contract/config";
import type { AwsControlPlaneOutput } from "../../../components/contract/multiCluster";
import { MOCK_AWS_ACCOUNT } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { parsePolicy, routeTableOf, subnetsOf, webIdentityTrust } from "../../helpers/aws";
import { component, runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { DISPOSABLE_STACK, expectEveryResourceUnder, expectReleaseDependencies, planDataPlanePlatform, releaseDependencies, withProjectIsolation } from "../../helpers/dataPlanePlatforms";
import { iamRoleSimulatedAllows } from "../../helpers/iamSimulator";
import { irsaTrustAllows, serviceAccountToken } from "../../helpers/irsaTrust";
import { at, stringAt } from "../../helpers/json";
import { byName, byUrn, mocked, ofType, only } from "../../helpers/plan";
import type { StorageRequest } from "../../helpers/storageAccess";
import { TEST_AWS_DATA_PLANE, testResolvedAwsControlPlane } from "../../helpers/testPlatforms";

/**
 * AwsDataPlanePlatform under the plan's mocks, joined to a fixed AWS control plane: a CIDR block of its own associated
 * with the control plane's VPC, its public subnets routing to the control plane's internet gateway, and nothing of a
 * standalone platform's VPC, gateway, database or load balancer; a cluster whose API server admits the control plane's
 * cluster security group on 443 (a security group on its endpoint alone); flytepropeller's IRSA role trusting only its own service account of its own cluster,
 * with S3 on exactly the control plane's metadata bucket, the raw-data bucket and (with project isolation) the
 * projects' buckets; and with a bucket of its own, that bucket, protected as the stack says.
 */

const CONTROL_PLANE: AwsControlPlaneOutput = testResolvedAwsControlPlane({ signIn: false }).output;
const STACK = "batch";
const REGION = CONTROL_PLANE.region;
const BLOCK = TEST_AWS_DATA_PLANE.block;
const names = awsNames({ pulumiProject: "flyte", stack: STACK });
const PROPELLER_ROLE = names.coreRoles.flytepropeller;
const OWN_BUCKET = s3BucketNames({ pulumiProject: "flyte", stack: STACK, accountId: CONTROL_PLANE.awsAccountId, region: REGION }).userData;

const T = {
    association: "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    cluster: "aws:eks/cluster:Cluster",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    bucket: "aws:s3/bucket:Bucket",
} as const;

/** The example data planes' config: flyte-core, the block 10.1.0.0/16, two zones, one NAT gateway. */
function stackConfig(overrides: Record<string, string> = {}): AwsStackConfig {
    return awsStackConfig(
        {
            "aws:region": REGION,
            "flyte:flavor": "core",
            "flyte:clusterRole": "dataPlane",
            "flyte:controlPlaneStack": "acme/flyte/eks-control",
            "flyte:awsVpcCidr": BLOCK,
            "flyte:awsAvailabilityZones": "2",
            "flyte:awsNatGatewayPerZone": "false",
            ...overrides,
        },
        STACK,
    );
}

function planDataPlane(config: AwsStackConfig, rawDataBucket: boolean, controlPlane: AwsControlPlaneOutput = CONTROL_PLANE): Promise<Plan> {
    return planDataPlanePlatform({ stack: STACK, protection: config.protection, controlPlane, rawDataBucket }, (common) => new AwsDataPlanePlatform("dp", { ...common, config: config.aws }));
}

/** What the (mocked) cluster reports: its endpoint, its OIDC issuer URL and its cluster security group. */
function mockedCluster(plan: Plan): { endpoint: string; issuerUrl: string; securityGroup: string } {
    const state = mocked(only(plan, T.cluster)).state;
    return {
        endpoint: stringAt(state, "endpoint"),
        issuerUrl: stringAt(state, "identities", 0, "oidcs", 0, "issuer"),
        securityGroup: stringAt(state, "vpcConfig", "clusterSecurityGroupId"),
    };
}

function propellerRole(plan: Plan): RecordedResource {
    const roles = ofType(plan, T.role).filter((r) => r.inputs.name === PROPELLER_ROLE);
    expect(roles).toHaveLength(1);
    return roles[0];
}

/** The bucket ARNs the propeller's S3 policy names (bucket and object statements alike), sorted. */
function propellerBuckets(plan: Plan): string[] {
    const policies = ofType(plan, T.rolePolicy).filter((p) => p.inputs.role === PROPELLER_ROLE);
    expect(policies).toHaveLength(1);
    const resources = parsePolicy(policies[0].inputs.policy, "propeller's S3 policy").flatMap((s) => s.resources.map((r) => r.replace(/\/\*$/, "")));
    return [...new Set(resources)].sort();
}

const arn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const KEY = "ab/f1234-n0-0/data";
/** Reading, writing and listing a bucket, as flytepropeller does. */
const useOf = (bucket: string): StorageRequest[] => [
    { action: "get", bucket, key: KEY },
    { action: "put", bucket, key: KEY },
    { action: "list", bucket, prefix: "" },
];

/** The simulator's decision for flytepropeller's role on each request, as `[request, allowed]` pairs. */
async function propellerDecisions(plan: Plan, requests: readonly StorageRequest[]): Promise<[StorageRequest, boolean][]> {
    const decisions: [StorageRequest, boolean][] = [];
    for (const request of requests) {
        decisions.push([request, await iamRoleSimulatedAllows(plan, PROPELLER_ROLE, request)]);
    }
    return decisions;
}

describe("on the control plane's user-data bucket", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDataPlane(stackConfig(), false);
    });

    test("no VPC, internet gateway, database, load balancer or bucket of its own", () => {
        for (const type of [
            "aws:ec2/vpc:Vpc",
            "aws:ec2/internetGateway:InternetGateway",
            "aws:rds/instance:Instance",
            "aws:rds/subnetGroup:SubnetGroup",
            "aws:lb/loadBalancer:LoadBalancer",
            "aws:lb/targetGroup:TargetGroup",
            "aws:lb/listener:Listener",
            "aws:s3/bucket:Bucket",
            "flyte:aws:Network",
            "flyte:aws:RdsPostgres",
            "flyte:aws:S3Buckets",
            "flyte:aws:AlbEndpoint",
            "flyte:aws:RawDataBucket",
        ]) {
            expect([type, ofType(plan, type)]).toEqual([type, []]);
        }
    });

    test("associates its block with the control plane's VPC; every subnet waits for the association", () => {
        const association = only(plan, T.association);
        expect(association.inputs).toEqual({ vpcId: CONTROL_PLANE.vpcId, cidrBlock: BLOCK });
        expect(association.parent).toBe(component(plan, "flyte:aws:DataPlaneNetwork").urn);
        const subnets = ofType(plan, "aws:ec2/subnet:Subnet");
        expect(subnets).toHaveLength(4);
        for (const subnet of subnets) {
            expect([subnet.name, subnet.inputs.vpcId, subnet.dependencies.includes(association.urn)]).toEqual([subnet.name, CONTROL_PLANE.vpcId, true]);
        }
    });

    test("its public subnets route to the control plane's internet gateway; one NAT gateway for the private ones", () => {
        const tables = subnetsOf(plan, "dp-network", "public").map((s) => routeTableOf(plan, s));
        expect(tables).toHaveLength(2);
        for (const table of tables) {
            expect(table.inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", gatewayId: CONTROL_PLANE.internetGatewayId }]);
        }
        const nat = only(plan, "aws:ec2/natGateway:NatGateway");
        for (const subnet of subnetsOf(plan, "dp-network", "private")) {
            expect(routeTableOf(plan, subnet).inputs.routes).toEqual([{ cidrBlock: "0.0.0.0/0", natGatewayId: mocked(nat).id }]);
        }
    });

    test("exactly one ingress rule: HTTPS to its API server's endpoint from the control plane's cluster security group", () => {
        // On a security group of the API server's endpoint alone, in the control plane's VPC: not on the nodes.
        const group = only(plan, "aws:ec2/securityGroup:SecurityGroup");
        expect(group.inputs.vpcId).toBe(CONTROL_PLANE.vpcId);
        expect(at(only(plan, T.cluster).inputs, "vpcConfig", "securityGroupIds")).toEqual([mocked(group).id]);
        expect(ofType(plan, T.ingress).map((r) => r.inputs)).toEqual([
            {
                securityGroupId: mocked(group).id,
                referencedSecurityGroupId: CONTROL_PLANE.clusterSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "Kubernetes API (private endpoint) from a client security group",
                tags: awsTags({ pulumiProject: "flyte", stack: STACK }),
            },
        ]);
        expect(mocked(group).id).not.toBe(mockedCluster(plan).securityGroup);
        expect(mockedCluster(plan).securityGroup).not.toBe(CONTROL_PLANE.clusterSecurityGroupId);
    });

    test("flytepropeller's role trusts <namespace>/flytepropeller of this cluster alone, in one statement", () => {
        const { issuerUrl } = mockedCluster(plan);
        const issuer = issuerUrl.replace(/^https:\/\//, "");
        const providerArn = mocked(only(plan, T.oidc)).state.arn;
        const trust = webIdentityTrust(propellerRole(plan).inputs.assumeRolePolicy, "propeller's trust");
        expect(trust).toEqual([
            {
                federated: providerArn,
                actions: ["sts:AssumeRoleWithWebIdentity"],
                issuer,
                subjects: ["system:serviceaccount:flyte:flytepropeller"],
                audiences: ["sts.amazonaws.com"],
                conditionKeys: [`StringEquals ${issuer}:aud`, `StringEquals ${issuer}:sub`],
            },
        ]);
        const policy = String(propellerRole(plan).inputs.assumeRolePolicy);
        const own = { oidcProviderArn: String(providerArn), issuer };
        expect(irsaTrustAllows(policy, serviceAccountToken(own, "flyte", "flytepropeller"))).toBe(true);
        // Not the task pods' accounts here, and not the control plane's propeller (whose issuer is another).
        expect(irsaTrustAllows(policy, serviceAccountToken(own, "alpha-development", "default"))).toBe(false);
        const controlIssuer = "oidc.eks.eu-central-1.amazonaws.com/id/C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0C0";
        const control = { oidcProviderArn: `arn:aws:iam::${CONTROL_PLANE.awsAccountId}:oidc-provider/${controlIssuer}`, issuer: controlIssuer };
        expect(irsaTrustAllows(policy, serviceAccountToken(control, "flyte", "flytepropeller"))).toBe(false);
    });

    test("flytepropeller's S3 policy names exactly the control plane's metadata and user-data buckets", () => {
        expect(propellerBuckets(plan)).toEqual([arn(CONTROL_PLANE.metadataBucket), arn(CONTROL_PLANE.userDataBucket)].sort());
    });

    test("as the IAM simulator judges it: propeller reads, writes and lists both buckets, and nothing elsewhere", async () => {
        const allowed = [...useOf(CONTROL_PLANE.metadataBucket), ...useOf(CONTROL_PLANE.userDataBucket)];
        expect(await propellerDecisions(plan, allowed)).toEqual(allowed.map((r) => [r, true]));
        const denied = [...useOf("acme-control-other"), ...useOf(OWN_BUCKET)];
        expect(await propellerDecisions(plan, denied)).toEqual(denied.map((r) => [r, false]));
    });

    test("propeller's identity is its role's ARN under the IRSA annotation; raw data goes to the control plane's bucket", () => {
        expect(plan.outputs.propellerIdentity).toEqual({
            annotationKey: "eks.amazonaws.com/role-arn",
            value: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/${PROPELLER_ROLE}`,
        });
        expect(plan.outputs.rawDataBucket).toBe(CONTROL_PLANE.userDataBucket);
        expect(plan.outputs.ownRawDataBucket).toBe(false);
    });

    test("published: cloud aws, the cluster's IAM OIDC provider and its issuer without the scheme", () => {
        const { issuerUrl } = mockedCluster(plan);
        const issuer = issuerUrl.replace(/^https:\/\//, "");
        expect(issuer).not.toBe(issuerUrl);
        expect(plan.outputs.published).toEqual({ cloud: "aws", oidcProviderArn: mocked(only(plan, T.oidc)).state.arn, oidcIssuer: issuer });
        expect(String(at(plan.outputs.published, "oidcProviderArn"))).toMatch(new RegExp(`:oidc-provider/${issuer.replace(/[.]/g, "\\.")}$`));
        expect(String(at(plan.outputs.published, "oidcIssuer"))).not.toContain("://");
    });

    test("the API endpoint is the cluster's; the pod range is the block; task pods get EKS's environment", () => {
        expect(plan.outputs.apiEndpoint).toBe(mockedCluster(plan).endpoint);
        expect(String(plan.outputs.apiEndpoint)).toMatch(/^https:\/\/[^/\s]+$/);
        expect(plan.outputs.podRange).toBe(BLOCK);
        expect(plan.outputs.taskEnvironment).toEqual(TEST_AWS_DATA_PLANE.taskEnvironment);
        expect(plan.outputs.clusterName).toBe(names.cluster);
        expect(byUrn(plan, String(plan.outputs.provider)).type).toBe("pulumi:providers:kubernetes");
        expect(plan.outputs.taskLogs).toEqual([cloudWatchTaskLogLink({ region: REGION, clusterName: names.cluster })]);
    });

    test("what flytepropeller waits for: the node group and add-ons, and its S3 policy; not the control plane's access", () => {
        const addons = ofType(plan, "aws:eks/addon:Addon").filter((a) => ["vpc-cni", "kube-proxy", "coredns"].includes(String(a.inputs.addonName)));
        expect(addons).toHaveLength(3);
        const policy = ofType(plan, T.rolePolicy).filter((p) => p.inputs.role === PROPELLER_ROLE);
        expectReleaseDependencies(plan, [only(plan, "aws:eks/nodeGroup:NodeGroup"), ...addons, ...policy]);
        expect(releaseDependencies(plan)).not.toContain(only(plan, T.ingress).urn);
    });

    test("every resource is under the platform", () => {
        expectEveryResourceUnder(plan, "flyte:aws:AwsDataPlanePlatform", "aws");
    });
});

describe("with a raw-data bucket of its own", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDataPlane(stackConfig(), true);
    });

    test("one bucket, named by s3BucketNames for this stack, under a RawDataBucket, protected as the stack says (the default)", () => {
        const bucket = only(plan, T.bucket);
        expect(bucket.inputs).toMatchObject({ bucket: OWN_BUCKET, forceDestroy: false });
        expect(OWN_BUCKET).toBe(`flyte-${STACK}-${CONTROL_PLANE.awsAccountId}-${REGION}-userdata`);
        expect(bucket.protect).toBe(true);
        expect(byUrn(plan, bucket.parent).type).toBe("flyte:aws:RawDataBucket");
        expect(plan.outputs.rawDataBucket).toBe(OWN_BUCKET);
        expect(plan.outputs.ownRawDataBucket).toBe(true);
    });

    test("flytepropeller's S3 policy names the control plane's metadata bucket and this one, not the control plane's user data", () => {
        expect(propellerBuckets(plan)).toEqual([arn(CONTROL_PLANE.metadataBucket), arn(OWN_BUCKET)].sort());
    });

    test("as the IAM simulator judges it (with the bucket's TLS-only policy): this bucket and the metadata, nothing else", async () => {
        const allowed = [...useOf(CONTROL_PLANE.metadataBucket), ...useOf(OWN_BUCKET)];
        expect(await propellerDecisions(plan, allowed)).toEqual(allowed.map((r) => [r, true]));
        const denied = useOf(CONTROL_PLANE.userDataBucket);
        expect(await propellerDecisions(plan, denied)).toEqual(denied.map((r) => [r, false]));
    });
});

test("a disposable stack's own bucket may be destroyed, with its objects only where the stack says so", async () => {
    const plan = await planDataPlane(stackConfig(DISPOSABLE_STACK), true);
    const bucket = byName(plan, T.bucket, "dp-bucket-rawdata");
    expect(bucket.inputs).toMatchObject({ bucket: OWN_BUCKET, forceDestroy: true });
    expect(bucket.protect).toBe(false);
});

test("with project isolation: flytepropeller also reaches each project's bucket, and no other", async () => {
    const projectBuckets = { alpha: "acme-control-alpha-data", beta: "acme-control-beta-data" };
    const isolated = withProjectIsolation(
        CONTROL_PLANE,
        { alpha: "arn:aws:iam::123456789012:role/flyte-control-w-alpha", beta: "arn:aws:iam::123456789012:role/flyte-control-w-beta" },
        projectBuckets,
    );
    const plan = await planDataPlane(stackConfig(), false, isolated);
    const buckets = [CONTROL_PLANE.metadataBucket, CONTROL_PLANE.userDataBucket, ...Object.values(projectBuckets)];
    expect(propellerBuckets(plan)).toEqual(buckets.map(arn).sort());
    const allowed = buckets.flatMap(useOf);
    expect(await propellerDecisions(plan, allowed)).toEqual(allowed.map((r) => [r, true]));
    const denied = useOf("acme-control-gamma-data");
    expect(await propellerDecisions(plan, denied)).toEqual(denied.map((r) => [r, false]));
});

test("refuses a region other than the control plane's, and a bucket of its own under project isolation", async () => {
    await expect(planDataPlane(stackConfig({ "aws:region": "us-east-1" }), false)).rejects.toThrow(
        "data plane in us-east-1, its control plane in eu-central-1: an AWS data plane joins the control plane's VPC",
    );
    const isolated = withProjectIsolation(CONTROL_PLANE, {});
    await expect(planDataPlane(stackConfig(), true, isolated)).rejects.toThrow(/own raw-data bucket is refused when the control plane has project isolation/);
});

test("callerAccount: the account the (mocked) credentials belong to", async () => {
    const plan = await runComponents(() => ({ caller: pulumi.output(callerAccount()) }));
    expect(plan.outputs.caller).toEqual({ accountId: MOCK_AWS_ACCOUNT });
    expect(MOCK_AWS_ACCOUNT).toBe(CONTROL_PLANE.awsAccountId);
});
