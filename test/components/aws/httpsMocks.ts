import { createHash } from "crypto";
import type * as mocks from "../../../lib/plan/mocks";
import type { Json } from "../../../lib/plan/wire";

/**
 * What AWS would report for the HTTPS endpoint's resources (ALB, target groups, ACM, Route 53, Cognito, the node
 * group's Auto Scaling group), for the tests of components/aws while lib/plan/mocks.ts answers them with their
 * inputs only. Each test file installs it with
 * `jest.mock("../../../lib/plan/mocks", () => jest.requireActual("./httpsMocks").withHttpsMocks(jest.requireActual("../../../lib/plan/mocks")))`.
 * It only fills what the plan's own mocks leave out, so it stays correct once they answer these types themselves.
 */

const ACCOUNT = "123456789012";
const REGION = "mock-region-1";
/** The Route 53 zone Route 53 answers for ALBs of the mocked region. */
export const MOCK_ALB_ZONE_ID = "ZMOCKALB0000001";

function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

function arn(service: string, resource: string): string {
    return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
}

type Outputs = (name: string, inputs: { [key: string]: Json }) => { [key: string]: Json };

const outputs: Record<string, Outputs> = {
    "aws:eks/nodeGroup:NodeGroup": (name, inputs) => ({
        resources: [{ autoscalingGroups: [{ name: `eks-${str(inputs.nodeGroupName, name)}-${digest(name, 8)}` }], remoteAccessSecurityGroupId: "" }],
    }),
    "aws:lb/loadBalancer:LoadBalancer": (name, inputs) => {
        const lbName = str(inputs.name, name);
        const internal = inputs.internal === true ? "internal-" : "";
        return {
            arn: arn("elasticloadbalancing", `loadbalancer/app/${lbName}/${digest(name, 16)}`),
            dnsName: `${internal}${lbName}-${digest(name, 10)}.${REGION}.elb.amazonaws.com`,
            zoneId: MOCK_ALB_ZONE_ID,
        };
    },
    "aws:lb/targetGroup:TargetGroup": (name, inputs) => ({
        arn: arn("elasticloadbalancing", `targetgroup/${str(inputs.name, name)}/${digest(name, 16)}`),
    }),
    "aws:lb/listener:Listener": (name) => ({ arn: arn("elasticloadbalancing", `listener/app/mock/${digest(name, 16)}`) }),
    "aws:acm/certificate:Certificate": (name, inputs) => {
        const domainName = str(inputs.domainName, name);
        return {
            arn: arn("acm", `certificate/${digest(name, 32)}`),
            domainValidationOptions: [
                {
                    domainName,
                    resourceRecordName: `_${digest(domainName, 32)}.${domainName}.`,
                    resourceRecordType: "CNAME",
                    resourceRecordValue: `_${digest(`${domainName}/value`, 32)}.mock.acm-validations.aws.`,
                },
            ],
        };
    },
    "aws:route53/record:Record": (name, inputs) => ({ fqdn: str(inputs.name, name).replace(/\.$/, "") }),
    "aws:cognito/userPool:UserPool": (name) => ({
        arn: arn("cognito-idp", `userpool/${REGION}_${digest(name, 9)}`),
        endpoint: `cognito-idp.${REGION}.amazonaws.com/${REGION}_${digest(name, 9)}`,
    }),
    "aws:cognito/userPoolClient:UserPoolClient": (name) => ({ clientSecret: `mocksecret${digest(name, 40)}` }),
};

/** The ids AWS gives these resources (the user pool's id is `<region>_<9 characters>`). */
const ids: Record<string, (name: string) => string> = {
    "aws:cognito/userPool:UserPool": (name) => `${REGION}_${digest(name, 9)}`,
    "aws:cognito/userPoolClient:UserPoolClient": (name) => digest(`${name}/client`, 26),
};

/** The plan's mocks, with what AWS reports for the HTTPS endpoint's resources filled in. */
export function withHttpsMocks(actual: typeof mocks): typeof mocks {
    return {
        ...actual,
        mockResource: (type, name, inputs) => {
            const result = actual.mockResource(type, name, inputs);
            const fill = outputs[type];
            if (!fill) {
                return result;
            }
            const generic = result.id === `${str(inputs.name, name)}-id`;
            const id = generic && type in ids ? ids[type](name) : result.id;
            return { id, state: { ...fill(name, inputs), ...result.state } };
        },
    };
}
