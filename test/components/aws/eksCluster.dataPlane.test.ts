import { EksCluster } from "../../../components/aws/eksCluster";
import { awsNames } from "../../../components/aws/names";
import { MOCK_EKS_SERVICE_CIDR } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { component, runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { at, stringAt } from "../../helpers/json";
import { mocked, ofType, only } from "../../helpers/plan";

/**
 * EksCluster as a data plane's: a security group of its own on the API server's private endpoint (not the cluster
 * security group, which is on the nodes too) admits the control plane's (where flyteadmin runs), one HTTPS rule per
 * client group, and nothing without; and the Services' range EKS reports, which a data plane's block must not overlap.
 */

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const CLIENTS = ["sg-0c0ffee0c0ffee000", "sg-0decaf0decaf00000"];
const VPC = "vpc-0123456789abcdef0";
const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

function planDataPlaneCluster(securityGroupIds?: string[]): Promise<Plan> {
    const config = awsStackConfig({}, "batch");
    return runComponents(() => {
        const eks = new EksCluster("eks", {
            names: awsNames({ pulumiProject: "flyte", stack: "batch" }),
            config: config.aws.eks,
            region: config.aws.region,
            deletionProtection: false,
            privateSubnetIds: ["subnet-private-a", "subnet-private-b"],
            egress: [],
            tags: { app: "flyte" },
            ...(securityGroupIds ? { apiClients: { vpcId: VPC, securityGroupIds } } : {}),
        });
        return {
            clusterSecurityGroupId: eks.clusterSecurityGroupId,
            serviceIpv4Cidr: eks.serviceIpv4Cidr,
            apiClientAccess: eks.apiClientAccess.map((r) => r.urn),
        };
    });
}

describe("with the control plane's cluster security group (and another) as API clients", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planDataPlaneCluster(CLIENTS);
    });

    test("a security group in the VPC, on the endpoint's interfaces only (vpcConfig), with one HTTPS rule per client group", () => {
        const group = only(plan, SECURITY_GROUP);
        expect(group.inputs.vpcId).toBe(VPC);
        const groupId = mocked(group).id;
        const cluster = only(plan, "aws:eks/cluster:Cluster");
        expect(at(cluster.inputs, "vpcConfig", "securityGroupIds")).toEqual([groupId]);
        // Not the cluster security group, which EKS also puts on every node.
        const clusterSecurityGroup = stringAt(mocked(cluster).state, "vpcConfig", "clusterSecurityGroupId");
        expect(groupId).not.toBe(clusterSecurityGroup);
        const rules = ofType(plan, INGRESS).sort((a, b) => a.name.localeCompare(b.name));
        expect(rules.map((r) => r.inputs)).toEqual(
            CLIENTS.map((client) => ({
                securityGroupId: groupId,
                referencedSecurityGroupId: client,
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                description: "Kubernetes API (private endpoint) from a client security group",
                tags: { app: "flyte" },
            })),
        );
        const eks = component(plan, "flyte:aws:EksCluster");
        expect(rules.every((r) => r.parent === eks.urn)).toBe(true);
        expect(plan.outputs.apiClientAccess).toEqual(rules.map((r) => r.urn));
    });

    test("the Services' range EKS reports", () => {
        expect(plan.outputs.serviceIpv4Cidr).toBe(MOCK_EKS_SERVICE_CIDR);
    });
});

test("without API client groups (a standalone or control-plane cluster): no rule", async () => {
    const plan = await planDataPlaneCluster();
    expect(ofType(plan, INGRESS)).toEqual([]);
    expect(ofType(plan, SECURITY_GROUP)).toEqual([]);
    expect(at(only(plan, "aws:eks/cluster:Cluster").inputs, "vpcConfig", "securityGroupIds")).toBeUndefined();
    expect(plan.outputs.apiClientAccess).toEqual([]);
    expect(plan.outputs.serviceIpv4Cidr).toBe(MOCK_EKS_SERVICE_CIDR);
});
