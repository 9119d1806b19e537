import { EksCluster } from "../../../components/aws/eksCluster";
import { awsNames } from "../../../components/aws/names";
import { MOCK_EKS_SERVICE_CIDR } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { component, runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { stringAt } from "../../helpers/json";
import { mocked, ofType, only } from "../../helpers/plan";

/**
 * EksCluster as a data plane's: its cluster security group admits the control plane's (where flyteadmin runs) to the
 * API server's private endpoint, one HTTPS rule per client group and none without; and the Services' range EKS
 * reports, which a data plane's block must not overlap.
 */

const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const CLIENTS = ["sg-0c0ffee0c0ffee000", "sg-0decaf0decaf00000"];

function planDataPlaneCluster(apiClientSecurityGroupIds?: string[]): Promise<Plan> {
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
            ...(apiClientSecurityGroupIds ? { apiClientSecurityGroupIds } : {}),
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

    test("one HTTPS rule per client group, on this cluster's security group, under the component", () => {
        const clusterSecurityGroup = stringAt(mocked(only(plan, "aws:eks/cluster:Cluster")).state, "vpcConfig", "clusterSecurityGroupId");
        expect(plan.outputs.clusterSecurityGroupId).toBe(clusterSecurityGroup);
        const rules = ofType(plan, INGRESS).sort((a, b) => a.name.localeCompare(b.name));
        expect(rules.map((r) => r.inputs)).toEqual(
            CLIENTS.map((client) => ({
                securityGroupId: clusterSecurityGroup,
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
    expect(plan.outputs.apiClientAccess).toEqual([]);
    expect(plan.outputs.serviceIpv4Cidr).toBe("172.20.0.0/16");
});
