import { createHash } from "crypto";
import type { Json } from "./wire";

/**
 * What the clouds would return for the resources this program declares, computed deterministically from the
 * inputs so that plans are stable and outputs (emails, IPs, endpoints) look like the real ones.
 */

export interface MockResult {
    readonly id: string;
    readonly state: { [key: string]: Json };
}

function digest(text: string, length = 8): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function obj(value: Json | undefined): { [key: string]: Json } {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
}

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

/** A password the tests can recognise, so they can prove it never reaches a plan, an output or a log. */
export function mockPassword(resourceName: string): string {
    return `mockpw${digest(resourceName, 24)}`;
}

/** A random string the tests can recognise (access key ids). */
export function mockRandomString(resourceName: string): string {
    return `MOCKSTR${digest(resourceName, 16).toUpperCase()}`;
}

export const MOCK_PROJECT = "mock-project";
export const MOCK_AWS_ACCOUNT = "123456789012";
/** Who runs the plan, as AWS would report an assumed role. */
export const MOCK_AWS_ROLE = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/flyte-deployer`;
export const MOCK_DATABASE_IP = "10.32.0.3";
export const MOCK_LOAD_BALANCER_IP = "10.0.0.10";

type StateFn = (name: string, inputs: { [key: string]: Json }) => MockResult;

function awsArn(service: string, resource: string, region = ""): string {
    return `arn:aws:${service}:${region}:${MOCK_AWS_ACCOUNT}:${resource}`;
}

function awsId(prefix: string, name: string): string {
    return `${prefix}-${digest(name, 17)}`;
}

const byType: Record<string, StateFn> = {
    "gcp:serviceaccount/account:Account": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const email = `${str(inputs.accountId, name)}@${project}.iam.gserviceaccount.com`;
        const id = `projects/${project}/serviceAccounts/${email}`;
        return { id, state: { ...inputs, email, name: id, member: `serviceAccount:${email}`, uniqueId: digest(email, 21) } };
    },
    "gcp:container/cluster:Cluster": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const location = str(inputs.location, "mock-region1");
        const clusterName = str(inputs.name, name);
        const id = `projects/${project}/locations/${location}/clusters/${clusterName}`;
        const region = location.replace(/-[a-z]$/, "");
        return {
            id,
            state: {
                ...inputs,
                name: clusterName,
                endpoint: "172.16.0.2",
                privateClusterConfig: { ...obj(inputs.privateClusterConfig), privateEndpoint: "10.0.0.2" },
                masterAuth: { clusterCaCertificate: Buffer.from(`mock-ca-${clusterName}`).toString("base64") },
                controlPlaneEndpointsConfig: {
                    dnsEndpointConfig: {
                        allowExternalTraffic: true,
                        endpoint: `gke-${digest(id, 32)}-${digest(project, 6)}.${region}.gke.goog`,
                    },
                    ipEndpointsConfig: { enabled: true },
                },
                selfLink: `https://container.googleapis.com/v1/${id}`,
            },
        };
    },
    "gcp:sql/databaseInstance:DatabaseInstance": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const instance = str(inputs.name, name);
        return {
            id: instance,
            state: {
                ...inputs,
                name: instance,
                privateIpAddress: MOCK_DATABASE_IP,
                publicIpAddress: "",
                connectionName: `${project}:${str(inputs.region, "mock-region1")}:${instance}`,
            },
        };
    },
    "gcp:compute/address:Address": (name, inputs) => ({
        id: `projects/${str(inputs.project, MOCK_PROJECT)}/regions/${str(inputs.region, "mock-region1")}/addresses/${str(inputs.name, name)}`,
        state: { ...inputs, address: str(inputs.address, MOCK_LOAD_BALANCER_IP) },
    }),
    "gcp:compute/network:Network": (name, inputs) => {
        const id = `projects/${str(inputs.project, MOCK_PROJECT)}/global/networks/${str(inputs.name, name)}`;
        return { id, state: { ...inputs, selfLink: `https://www.googleapis.com/compute/v1/${id}` } };
    },
    "gcp:compute/subnetwork:Subnetwork": (name, inputs) => {
        const id = `projects/${str(inputs.project, MOCK_PROJECT)}/regions/${str(inputs.region, "mock-region1")}/subnetworks/${str(inputs.name, name)}`;
        return { id, state: { ...inputs, selfLink: `https://www.googleapis.com/compute/v1/${id}` } };
    },
    "gcp:storage/bucket:Bucket": (name, inputs) => {
        const bucket = str(inputs.name, name);
        return { id: bucket, state: { ...inputs, name: bucket, url: `gs://${bucket}` } };
    },
    "aws:ec2/vpc:Vpc": (name, inputs) => ({ id: awsId("vpc", name), state: { ...inputs, arn: awsArn("ec2", `vpc/${awsId("vpc", name)}`) } }),
    "aws:ec2/subnet:Subnet": (name, inputs) => ({ id: awsId("subnet", name), state: { ...inputs } }),
    "aws:ec2/securityGroup:SecurityGroup": (name, inputs) => ({ id: awsId("sg", name), state: { ...inputs } }),
    "aws:ec2/internetGateway:InternetGateway": (name, inputs) => ({ id: awsId("igw", name), state: { ...inputs } }),
    "aws:ec2/natGateway:NatGateway": (name, inputs) => ({ id: awsId("nat", name), state: { ...inputs } }),
    "aws:ec2/eip:Eip": (name, inputs) => ({ id: awsId("eipalloc", name), state: { ...inputs } }),
    "aws:ec2/routeTable:RouteTable": (name, inputs) => ({ id: awsId("rtb", name), state: { ...inputs } }),
    "aws:ec2/launchTemplate:LaunchTemplate": (name, inputs) => ({
        id: awsId("lt", name),
        state: { ...inputs, latestVersion: 1 },
    }),
    "aws:iam/role:Role": (name, inputs) => {
        const roleName = str(inputs.name, name);
        return { id: roleName, state: { ...inputs, name: roleName, arn: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/${roleName}` } };
    },
    "aws:kms/key:Key": (name, inputs) => {
        const keyId = `${digest(name, 8)}-${digest(`${name}/1`, 4)}-${digest(`${name}/2`, 4)}-${digest(`${name}/3`, 4)}-${digest(`${name}/4`, 12)}`;
        return { id: keyId, state: { ...inputs, keyId, arn: awsArn("kms", `key/${keyId}`, "mock-region-1") } };
    },
    "aws:eks/cluster:Cluster": (name, inputs) => {
        const clusterName = str(inputs.name, name);
        const oidc = digest(`oidc/${clusterName}`, 32).toUpperCase();
        return {
            id: clusterName,
            state: {
                ...inputs,
                name: clusterName,
                arn: awsArn("eks", `cluster/${clusterName}`, "mock-region-1"),
                endpoint: `https://${digest(clusterName, 32).toUpperCase()}.gr7.mock-region-1.eks.amazonaws.com`,
                certificateAuthority: { data: Buffer.from(`mock-ca-${clusterName}`).toString("base64") },
                identities: [{ oidcs: [{ issuer: `https://oidc.eks.mock-region-1.amazonaws.com/id/${oidc}` }] }],
                vpcConfig: {
                    ...(typeof inputs.vpcConfig === "object" && inputs.vpcConfig !== null && !Array.isArray(inputs.vpcConfig)
                        ? inputs.vpcConfig
                        : {}),
                    clusterSecurityGroupId: awsId("sg", `${clusterName}/cluster`),
                },
            },
        };
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (name, inputs) => {
        const url = str(inputs.url, "https://oidc.example").replace(/^https:\/\//, "");
        return { id: name, state: { ...inputs, arn: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:oidc-provider/${url}` } };
    },
    "aws:rds/instance:Instance": (name, inputs) => {
        const identifier = str(inputs.identifier, name);
        const address = `${identifier}.${digest(identifier, 12)}.mock-region-1.rds.amazonaws.com`;
        return { id: identifier, state: { ...inputs, address, endpoint: `${address}:5432`, port: 5432 } };
    },
    "aws:s3/bucket:Bucket": (name, inputs) => {
        const bucket = str(inputs.bucket, name);
        return { id: bucket, state: { ...inputs, bucket, arn: `arn:aws:s3:::${bucket}` } };
    },
    "kubernetes:core/v1:Service": (name, inputs) => {
        const spec = inputs.spec;
        const isLoadBalancer =
            typeof spec === "object" && spec !== null && !Array.isArray(spec) && spec.type === "LoadBalancer";
        const ip = typeof spec === "object" && spec !== null && !Array.isArray(spec) ? spec.loadBalancerIP : undefined;
        const ingress: { [key: string]: Json } =
            typeof ip === "string" ? { ip } : { hostname: `internal-${digest(name, 10)}.elb.mock-region-1.amazonaws.com` };
        return {
            id: name,
            state: {
                ...inputs,
                ...(isLoadBalancer
                    ? {
                          status: {
                              loadBalancer: {
                                  ingress: [ingress],
                              },
                          },
                      }
                    : {}),
            },
        };
    },
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({
        id: "none",
        state: { ...inputs, result: mockPassword(name) },
    }),
    "random:index/randomString:RandomString": (name, inputs) => ({
        id: "none",
        state: { ...inputs, result: mockRandomString(name) },
    }),
};

export function mockResource(type: string, name: string, inputs: { [key: string]: Json }): MockResult {
    const fn = byType[type];
    if (fn) {
        return fn(name, inputs);
    }
    const resourceName = typeof inputs.name === "string" ? inputs.name : name;
    return { id: `${resourceName}-id`, state: { ...inputs } };
}

/** Results of the provider functions the program calls. */
export function mockInvoke(token: string, args: { [key: string]: Json }): { [key: string]: Json } {
    switch (token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                accountId: MOCK_AWS_ACCOUNT,
                arn: `arn:aws:sts::${MOCK_AWS_ACCOUNT}:assumed-role/flyte-deployer/plan`,
                userId: "AROAMOCKMOCKMOCKMOCK:plan",
                id: MOCK_AWS_ACCOUNT,
            };
        case "aws:iam/getSessionContext:getSessionContext":
            return {
                arn: str(args.arn, ""),
                issuerArn: MOCK_AWS_ROLE,
                issuerId: "AROAMOCKMOCKMOCKMOCK",
                issuerName: "flyte-deployer",
                sessionName: "plan",
                id: str(args.arn, ""),
            };
        case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {
                names: ["mock-region-1a", "mock-region-1b", "mock-region-1c"],
                zoneIds: ["mrg1-az1", "mrg1-az2", "mrg1-az3"],
                id: "mock-region-1",
            };
        default:
            throw new Error(`the plan has no mock for the function ${token}; add one to lib/plan/mocks.ts`);
    }
}
