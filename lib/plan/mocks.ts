import { createHash } from "crypto";
import type { Json } from "./wire";

/**
 * What the clouds would return for the resources this program declares, computed deterministically from the
 * inputs so that plans are stable and outputs (emails, IPs, endpoints) look like the real ones.
 */

export interface MockResult {
    readonly id: string;
    readonly state: { [key: string]: Json };
    /**
     * Top-level properties of `state` the engine returns as secrets (the provider SDK's additionalSecretOutputs, which
     * the engine applies); the plan's monitor marks them. Only where a mock reports something the provider marks.
     */
    readonly secretOutputs?: readonly string[];
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

/** A RandomString of `length` digits, the same for the same name. */
export function mockRandomDigits(resourceName: string, length: Json | undefined): string {
    const count = typeof length === "number" ? length : 8;
    return [...digest(resourceName, count)].map((c) => String(parseInt(c, 16) % 10)).join("");
}

export const MOCK_PROJECT = "mock-project";

/**
 * The token of a Secret of type kubernetes.io/service-account-token (by its Pulumi resource name) as the mocks report
 * it, recognisable so that tests can prove it never reaches a plan, an output or a log.
 */
export function mockServiceAccountToken(resourceName: string): string {
    return `mocktoken${digest(`service-account-token/${resourceName}`, 32)}`;
}

/** The cluster CA a service account token Secret reports in `ca.crt` under the mocks: PEM-shaped, not a certificate. */
export const MOCK_CLUSTER_CA_PEM = [
    "-----BEGIN CERTIFICATE-----",
    Buffer.from("the offline plan's mock cluster CA (not a certificate)").toString("base64"),
    "-----END CERTIFICATE-----",
    "",
].join("\n");

function base64(text: string): string {
    return Buffer.from(text).toString("base64");
}

/** An ECR repository's URL. */
export function mockEcrRepositoryUrl(repositoryName: string): string {
    return `${MOCK_AWS_ACCOUNT}.dkr.ecr.${MOCK_AWS_REGION}.amazonaws.com/${repositoryName}`;
}
/** The address of a global external address (a public Gateway's). */
export const MOCK_GLOBAL_IP = "203.0.113.80";
export const MOCK_AWS_ACCOUNT = "123456789012";
/** Who runs the plan, as AWS would report an assumed role. */
export const MOCK_AWS_ROLE = `arn:aws:iam::${MOCK_AWS_ACCOUNT}:role/flyte-deployer`;
export const MOCK_DATABASE_IP = "10.32.0.3";
export const MOCK_LOAD_BALANCER_IP = "10.0.0.10";
/** The region AWS resources report in their ARNs and endpoints. */
export const MOCK_AWS_REGION = "mock-region-1";
/** The Services' range an EKS cluster reports when the program sets none (the mock's VPCs are in 10.0.0.0/8). */
export const MOCK_EKS_SERVICE_CIDR = "172.20.0.0/16";
/** The Route 53 zone AWS answers for the ALBs of the mocked region. */
export const MOCK_ALB_ZONE_ID = "ZMOCKALB0000001";

type StateFn = (name: string, inputs: { [key: string]: Json }) => MockResult;

function awsArn(service: string, resource: string, region = ""): string {
    return `arn:aws:${service}:${region}:${MOCK_AWS_ACCOUNT}:${resource}`;
}

function awsId(prefix: string, name: string): string {
    return `${prefix}-${digest(name, 17)}`;
}

/** The name a provider gives a resource declared without one: its Pulumi name and a random suffix. */
function autoName(name: string): string {
    return `${name}-${digest(name, 7)}`;
}

export function mockTopicArn(topicName: string): string {
    return awsArn("sns", topicName, MOCK_AWS_REGION);
}

export function mockQueueArn(queueName: string): string {
    return awsArn("sqs", queueName, MOCK_AWS_REGION);
}

/** A queue's URL, which is also its id. */
export function mockQueueUrl(queueName: string): string {
    return `https://sqs.${MOCK_AWS_REGION}.amazonaws.com/${MOCK_AWS_ACCOUNT}/${queueName}`;
}

export function mockEmailIdentityArn(identity: string): string {
    return awsArn("ses", `identity/${identity}`, MOCK_AWS_REGION);
}

/** A project's number (12 digits), the same for the same project id. */
export function mockProjectNumber(project: string): string {
    return mockRandomDigits(`project-number/${project}`, 12);
}

/**
 * A service agent's email as generateServiceIdentity returns it: `service-<number>@gcp-sa-<api>.iam.gserviceaccount.com`
 * (Pub/Sub's: https://cloud.google.com/pubsub/docs/handling-failures).
 */
export function mockServiceAgentEmail(project: string, service: string): string {
    return `service-${mockProjectNumber(project)}@gcp-sa-${service.replace(/\.googleapis\.com$/, "")}.iam.gserviceaccount.com`;
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
        // A data plane's cluster (its private endpoint open to other regions) gets an address of its own, so that two
        // data planes' endpoints differ in a plan; every other cluster keeps the one address plans have always shown.
        const globalAccess = obj(obj(inputs.privateClusterConfig).masterGlobalAccessConfig).enabled === true;
        const privateEndpoint = globalAccess ? `172.16.${parseInt(digest(id, 2), 16)}.${2 + (parseInt(digest(id, 4), 16) % 250)}` : "10.0.0.2";
        return {
            id,
            state: {
                ...inputs,
                name: clusterName,
                endpoint: "172.16.0.2",
                privateClusterConfig: { ...obj(inputs.privateClusterConfig), privateEndpoint },
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
    "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation": (name, inputs) => ({
        id: awsId("vpc-cidr-assoc", name),
        state: { ...inputs },
    }),
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
                // Without a range of the program's, EKS picks 10.100.0.0/16 or 172.20.0.0/16
                // (https://docs.aws.amazon.com/eks/latest/APIReference/API_KubernetesNetworkConfigRequest.html), the
                // latter when the VPC's range is in 10.0.0.0/8, as every shipped AWS stack's is: the mock has no VPC to
                // look at, so it reports that one.
                kubernetesNetworkConfig: { ipFamily: "ipv4", serviceIpv4Cidr: MOCK_EKS_SERVICE_CIDR, ...obj(inputs.kubernetesNetworkConfig) },
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
    // The HTTPS endpoint on GKE (components/gcp/httpsGateway.ts): what Certificate Manager and Compute report.
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": (name, inputs) => {
        const domain = str(inputs.domain, "example.com");
        return {
            id: `projects/${str(inputs.project, MOCK_PROJECT)}/locations/${str(inputs.location, "global")}/dnsAuthorizations/${str(inputs.name, name)}`,
            state: {
                ...inputs,
                dnsResourceRecords: [
                    {
                        name: `_acme-challenge_${digest(`${name}/project`, 16)}.${domain}.`,
                        type: "CNAME",
                        data: `${digest(`${name}/${domain}`, 8)}-${digest(domain, 4)}.9.authorize.certificatemanager.goog.`,
                    },
                ],
            },
        };
    },
    "gcp:certificatemanager/certificate:Certificate": (name, inputs) => ({
        id: `projects/${str(inputs.project, MOCK_PROJECT)}/locations/${str(inputs.location, "global")}/certificates/${str(inputs.name, name)}`,
        state: { ...inputs },
    }),
    "gcp:certificatemanager/certificateMap:CertificateMap": (name, inputs) => ({
        id: `projects/${str(inputs.project, MOCK_PROJECT)}/locations/global/certificateMaps/${str(inputs.name, name)}`,
        state: { ...inputs },
    }),
    "gcp:compute/globalAddress:GlobalAddress": (name, inputs) => ({ id: `${str(inputs.name, name)}-id`, state: { ...inputs, address: str(inputs.address, MOCK_GLOBAL_IP) } }),
    // A project's service agent (components/gcp/pubsubMessaging.ts: the Pub/Sub service agent dead-lettering needs).
    "gcp:projects/serviceIdentity:ServiceIdentity": (_name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const service = str(inputs.service, "pubsub.googleapis.com");
        const email = mockServiceAgentEmail(project, service);
        return { id: `projects/${project}/services/${service}`, state: { ...inputs, email, member: `serviceAccount:${email}` } };
    },
    // The task image registry on GCP (components/gcp/taskImageRegistry.ts): a repository's `name` is its short id; a
    // Workload Identity pool's and provider's full names hold the project's NUMBER, from which the program derives
    // the principal set it grants (https://cloud.google.com/iam/docs/workload-identity-federation-with-deployment-pipelines).
    "gcp:artifactregistry/repository:Repository": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const location = str(inputs.location, "mock-region1");
        const repositoryId = str(inputs.repositoryId, name);
        return {
            id: `projects/${project}/locations/${location}/repositories/${repositoryId}`,
            state: { ...inputs, name: repositoryId, registryUri: `${location}-docker.pkg.dev/${project}/${repositoryId}` },
        };
    },
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const pool = str(inputs.workloadIdentityPoolId, name);
        return {
            id: `projects/${project}/locations/global/workloadIdentityPools/${pool}`,
            state: { ...inputs, name: `projects/${mockProjectNumber(project)}/locations/global/workloadIdentityPools/${pool}`, state: "ACTIVE" },
        };
    },
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (name, inputs) => {
        const project = str(inputs.project, MOCK_PROJECT);
        const path = `locations/global/workloadIdentityPools/${str(inputs.workloadIdentityPoolId, "pool")}/providers/${str(inputs.workloadIdentityPoolProviderId, name)}`;
        return { id: `projects/${project}/${path}`, state: { ...inputs, name: `projects/${mockProjectNumber(project)}/${path}`, state: "ACTIVE" } };
    },
    // Pub/Sub's ids are full resource names (https://cloud.google.com/pubsub/docs/pubsub-basics#resource_names); the
    // program names its own topics and subscriptions, examples/events-subscriber lets the provider name them.
    "gcp:pubsub/topic:Topic": (name, inputs) => {
        const topic = str(inputs.name, autoName(name));
        return { id: `projects/${str(inputs.project, MOCK_PROJECT)}/topics/${topic}`, state: { ...inputs, name: topic } };
    },
    "gcp:pubsub/subscription:Subscription": (name, inputs) => {
        const subscription = str(inputs.name, autoName(name));
        return { id: `projects/${str(inputs.project, MOCK_PROJECT)}/subscriptions/${subscription}`, state: { ...inputs, name: subscription } };
    },
    // Notifications and execution events on AWS (components/aws/awsMessaging.ts): what SNS, SQS and SES report. A
    // topic's id is its ARN, a queue's its URL, an email identity's the address; the policy builders in
    // components/aws/messagingPolicies.ts need the ARNs.
    "aws:sns/topic:Topic": (name, inputs) => {
        const arn = mockTopicArn(str(inputs.name, name));
        return { id: arn, state: { ...inputs, arn } };
    },
    "aws:sqs/queue:Queue": (name, inputs) => {
        const queueName = str(inputs.name, name);
        const url = mockQueueUrl(queueName);
        return { id: url, state: { ...inputs, name: queueName, arn: mockQueueArn(queueName), url } };
    },
    "aws:sns/topicSubscription:TopicSubscription": (name, inputs) => {
        const uuid = `${digest(name, 8)}-${digest(`${name}/2`, 4)}-${digest(`${name}/3`, 4)}-${digest(`${name}/4`, 4)}-${digest(`${name}/5`, 12)}`;
        const arn = `${str(inputs.topic, mockTopicArn(name))}:${uuid}`;
        return { id: arn, state: { ...inputs, arn } };
    },
    "aws:sesv2/emailIdentity:EmailIdentity": (name, inputs) => {
        const identity = str(inputs.emailIdentity, name);
        return {
            id: identity,
            state: { ...inputs, arn: mockEmailIdentityArn(identity), identityType: "EMAIL_ADDRESS", verifiedForSendingStatus: false },
        };
    },
    // The task image registry on AWS (components/aws/taskImageRegistry.ts): what ECR reports.
    "aws:ecr/repository:Repository": (name, inputs) => {
        const repositoryName = str(inputs.name, name);
        return {
            id: repositoryName,
            state: {
                ...inputs,
                name: repositoryName,
                arn: awsArn("ecr", `repository/${repositoryName}`, MOCK_AWS_REGION),
                registryId: MOCK_AWS_ACCOUNT,
                repositoryUrl: mockEcrRepositoryUrl(repositoryName),
            },
        };
    },
    // The HTTPS endpoint on EKS (components/aws/albEndpoint.ts, acmCertificate.ts, cognitoSignIn.ts): what AWS reports.
    "aws:eks/nodeGroup:NodeGroup": (name, inputs) => ({
        id: `${name}-id`,
        state: {
            ...inputs,
            // EKS creates one Auto Scaling group per managed node group, named eks-<node group>-<uuid>.
            resources: [{ autoscalingGroups: [{ name: `eks-${str(inputs.nodeGroupName, name)}-${digest(name, 8)}` }], remoteAccessSecurityGroupId: "" }],
        },
    }),
    "aws:lb/loadBalancer:LoadBalancer": (name, inputs) => {
        const lbName = str(inputs.name, name);
        const arn = awsArn("elasticloadbalancing", `loadbalancer/app/${lbName}/${digest(name, 16)}`, "mock-region-1");
        const scheme = inputs.internal === true ? "internal-" : "";
        return {
            id: arn,
            state: { ...inputs, arn, dnsName: `${scheme}${lbName}-${digest(name, 10)}.mock-region-1.elb.amazonaws.com`, zoneId: MOCK_ALB_ZONE_ID },
        };
    },
    "aws:lb/targetGroup:TargetGroup": (name, inputs) => {
        const arn = awsArn("elasticloadbalancing", `targetgroup/${str(inputs.name, name)}/${digest(name, 16)}`, "mock-region-1");
        return { id: arn, state: { ...inputs, arn } };
    },
    "aws:lb/listener:Listener": (name, inputs) => {
        const arn = awsArn("elasticloadbalancing", `listener/app/mock/${digest(name, 16)}`, "mock-region-1");
        return { id: arn, state: { ...inputs, arn } };
    },
    "aws:lb/listenerRule:ListenerRule": (name, inputs) => {
        const arn = awsArn("elasticloadbalancing", `listener-rule/app/mock/${digest(name, 16)}`, "mock-region-1");
        return { id: arn, state: { ...inputs, arn } };
    },
    "aws:acm/certificate:Certificate": (name, inputs) => {
        const domainName = str(inputs.domainName, name);
        const arn = awsArn("acm", `certificate/${digest(name, 32)}`, "mock-region-1");
        return {
            id: arn,
            state: {
                ...inputs,
                arn,
                domainValidationOptions: [
                    {
                        domainName,
                        resourceRecordName: `_${digest(domainName, 32)}.${domainName}.`,
                        resourceRecordType: "CNAME",
                        resourceRecordValue: `_${digest(`${domainName}/value`, 32)}.mock.acm-validations.aws.`,
                    },
                ],
            },
        };
    },
    "aws:route53/record:Record": (name, inputs) => {
        const fqdn = str(inputs.name, name).replace(/\.$/, "");
        return { id: `${str(inputs.zoneId, "ZMOCK")}_${fqdn}_${str(inputs.type, "A")}`, state: { ...inputs, fqdn } };
    },
    "aws:cognito/userPool:UserPool": (name, inputs) => {
        const id = `mock-region-1_${digest(name, 9)}`;
        return { id, state: { ...inputs, arn: awsArn("cognito-idp", `userpool/${id}`, "mock-region-1"), endpoint: `cognito-idp.mock-region-1.amazonaws.com/${id}` } };
    },
    "aws:cognito/userPoolClient:UserPoolClient": (name, inputs) => ({
        id: digest(`${name}/client`, 26),
        state: { ...inputs, clientSecret: `mocksecret${digest(name, 40)}` },
    }),
    "kubernetes:core/v1:Service": (name, inputs) => {
        const spec = inputs.spec;
        const isLoadBalancer =
            typeof spec === "object" && spec !== null && !Array.isArray(spec) && spec.type === "LoadBalancer";
        const ip = typeof spec === "object" && spec !== null && !Array.isArray(spec) ? spec.loadBalancerIP : undefined;
        // GKE's internal passthrough load balancer reports an address in the subnet; an AWS NLB a DNS name.
        const gkeInternal = obj(obj(inputs.metadata).annotations)["networking.gke.io/load-balancer-type"] === "Internal";
        const ingress: { [key: string]: Json } =
            typeof ip === "string"
                ? { ip }
                : gkeInternal
                  ? { ip: `10.0.${parseInt(digest(name, 2), 16) % 16}.${20 + (parseInt(digest(name, 4), 16) % 200)}` }
                  : { hostname: `internal-${digest(name, 10)}.elb.mock-region-1.amazonaws.com` };
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
    // A Secret of type kubernetes.io/service-account-token: Kubernetes' token controller fills `data` with the token,
    // the cluster's CA and the namespace (https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets),
    // and pulumi-kubernetes waits for the token (pulumi/pulumi-kubernetes#2048). @pulumi/kubernetes declares a
    // Secret's `data` and `stringData` as additionalSecretOutputs (core/v1/secret.js), which the engine marks secret.
    "kubernetes:core/v1:Secret": (name, inputs) => {
        const result = defaultResult(name, inputs);
        if (inputs.type !== "kubernetes.io/service-account-token") {
            return result;
        }
        return {
            id: result.id,
            state: {
                ...result.state,
                data: {
                    ...obj(inputs.data),
                    token: base64(mockServiceAccountToken(name)),
                    "ca.crt": base64(MOCK_CLUSTER_CA_PEM),
                    namespace: base64(str(obj(inputs.metadata).namespace, "default")),
                },
            },
            secretOutputs: ["data", "stringData"].filter((key) => key === "data" || key in inputs),
        };
    },
    "random:index/randomPassword:RandomPassword": (name, inputs) => ({
        id: "none",
        state: { ...inputs, result: mockPassword(name) },
    }),
    "random:index/randomString:RandomString": (name, inputs) => ({
        id: "none",
        // Digits only where the program asks for them (no letters, no special characters): a Cognito domain suffix.
        state: { ...inputs, result: inputs.lower === false && inputs.upper === false && inputs.special === false ? mockRandomDigits(name, inputs.length) : mockRandomString(name) },
    }),
};

/** What a resource without a mock of its own reports: its inputs, and an id from its name. */
function defaultResult(name: string, inputs: { [key: string]: Json }): MockResult {
    const resourceName = typeof inputs.name === "string" ? inputs.name : name;
    return { id: `${resourceName}-id`, state: { ...inputs } };
}

export function mockResource(type: string, name: string, inputs: { [key: string]: Json }): MockResult {
    const fn = byType[type];
    return fn ? fn(name, inputs) : defaultResult(name, inputs);
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
