import * as pulumi from "@pulumi/pulumi";
import { awsControlPlaneNetwork, AwsPlatform, dataPlaneOidcProviders } from "../../../components/aws/awsPlatform";
import { awsNames } from "../../../components/aws/names";
import type { AuthenticationConfig, AwsStackConfig, HttpsConfig } from "../../../components/contract/config";
import { flyteWorkloads, identityName, type IdentityRequest } from "../../../components/contract/identities";
import type { DataPlaneOutput } from "../../../components/contract/multiCluster";
import { commonPlatformArgs } from "../../../components/contract/platform";
import { MOCK_AWS_ACCOUNT, MOCK_EKS_SERVICE_CIDR } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { TEST_OIDC_AUTHENTICATION, TEST_ROUTE53_ZONE, webIdentityTrust } from "../../helpers/aws";
import { runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { iamRoleSimulatedAllows } from "../../helpers/iamSimulator";
import { stringAt } from "../../helpers/json";
import { byName, mocked, ofType, only } from "../../helpers/plan";
import type { StorageRequest } from "../../helpers/storageAccess";
import { TEST_HOSTNAME } from "../../helpers/testPlatforms";

/**
 * AwsPlatform as a multi-cluster control plane (`controlPlane: { dataPlanes }`): what its data planes join (the
 * account, the VPC, its internet gateway, the cluster security group, the VPC's primary CIDR and the Services' range,
 * an internal NLB's annotations), declared without a resource more while no data plane is registered; with data
 * planes, the task pods' roles trust each data plane's OIDC provider after their own, a data plane's own raw-data
 * bucket is in the task pods' and flyteadmin's policies, and an internal HTTPS endpoint admits each data plane's block.
 */

const names = awsNames({ pulumiProject: "flyte", stack: "test" });
const roleNames = { backend: names.backendRole, worker: names.workerRole, core: names.coreRoles, projectWorkerPrefix: names.projectWorkerRolePrefix };
const HOST = TEST_HOSTNAME;
const ZONE = TEST_ROUTE53_ZONE;
const OIDC = TEST_OIDC_AUTHENTICATION;

/** An AWS data plane's `dataPlane` output. */
type AwsDataPlaneOutput = Extract<DataPlaneOutput, { readonly cloud: "aws" }>;

/** A data plane's `dataPlane` output on AWS: its cluster's OIDC provider (issuer id `id`), its block, maybe a bucket. */
function awsDataPlane(id: string, podRange: string, rawDataBucket?: string): AwsDataPlaneOutput {
    const oidcIssuer = `oidc.eks.eu-central-1.amazonaws.com/id/${id.repeat(32).slice(0, 32)}`;
    return {
        cloud: "aws",
        oidcProviderArn: `arn:aws:iam::${MOCK_AWS_ACCOUNT}:oidc-provider/${oidcIssuer}`,
        oidcIssuer,
        apiEndpoint: `https://${id.repeat(32).slice(0, 32)}.gr7.eu-central-1.eks.amazonaws.com`,
        caCertificate: "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n",
        adminServiceAccount: "flyte/flyteadmin-remote",
        tokenGeneration: 1,
        podRange,
        ...(rawDataBucket ? { rawDataBucket } : {}),
    };
}

const BATCH_RAW = "flyte-eks-batch-123456789012-eu-central-1-userdata";
const BATCH = awsDataPlane("B", "10.1.0.0/16", BATCH_RAW);
const GPU = awsDataPlane("9", "10.2.0.0/16");

/** flyte-core with two projects; a control plane's workloads (its flytepropeller off, as index.ts asks without it). */
function coreConfig(overrides: Record<string, string> = {}): AwsStackConfig {
    return awsStackConfig({ "flyte:flavor": "core", "flyte:flyteProjects": '["ml","analytics"]', ...overrides });
}

function requestsOf(config: AwsStackConfig): readonly IdentityRequest[] {
    return flyteWorkloads(config.flyte, { propeller: false }).identities;
}

function planPlatform(
    config: AwsStackConfig,
    dataPlanes: readonly DataPlaneOutput[] | undefined,
    endpoint: { readonly https?: HttpsConfig; readonly authentication?: AuthenticationConfig } = {},
): Promise<Plan> {
    return runComponents(() => {
        const platform = new AwsPlatform("aws", {
            ...commonPlatformArgs(config, flyteWorkloads(config.flyte, { propeller: false })),
            config: config.aws,
            ...(endpoint.https && { https: endpoint.https }),
            ...(endpoint.authentication && { authentication: endpoint.authentication }),
            ...(dataPlanes && { controlPlane: { dataPlanes } }),
        });
        const network = platform.controlPlane;
        return { controlPlane: network ? { ...network, published: network.published } : "none" };
    });
}

const valueOf = <T,>(output: pulumi.Output<T>): Promise<T> => new Promise((resolve) => output.apply(resolve));

/** Each resource's URN, inputs, protection and dependencies: what a stack's plan is made of. */
const declared = (plan: Plan) => plan.resources.map((r) => ({ urn: r.urn, inputs: r.inputs, protect: r.protect, dependencies: r.dependencies }));

function roleOf(plan: Plan, request: IdentityRequest): RecordedResource {
    const name = identityName(roleNames, request);
    const found = ofType(plan, "aws:iam/role:Role").filter((r) => r.inputs.name === name);
    expect(found).toHaveLength(1);
    return found[0];
}

/** The control plane's own cluster's OIDC provider, as the mocks report it. */
function ownProvider(plan: Plan): { readonly arn: string; readonly issuer: string } {
    const issuerUrl = stringAt(mocked(only(plan, "aws:eks/cluster:Cluster")).state, "identities", 0, "oidcs", 0, "issuer");
    return { arn: stringAt(mocked(only(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")).state, "arn"), issuer: issuerUrl.replace(/^https:\/\//, "") };
}

describe("awsControlPlaneNetwork", () => {
    const config = awsStackConfig({ "flyte:awsVpcCidr": "10.20.0.0/16" }).aws;
    const network = (https?: HttpsConfig) =>
        awsControlPlaneNetwork({
            accountId: pulumi.output("210987654321"),
            vpcId: pulumi.output("vpc-0123456789abcdef0"),
            internetGatewayId: pulumi.output("igw-0123456789abcdef0"),
            clusterSecurityGroupId: pulumi.output("sg-0123456789abcdef0"),
            serviceIpv4Cidr: pulumi.output("10.100.0.0/16"),
            config,
            ...(https && { https }),
        });

    test("publishes the account, region, VPC, internet gateway and cluster security group; the clients are the VPC's CIDR", async () => {
        const net = network();
        expect(await valueOf(net.published)).toEqual({
            cloud: "aws",
            awsAccountId: "210987654321",
            region: "eu-central-1",
            adminGlobalAccess: false,
            vpcId: "vpc-0123456789abcdef0",
            vpcCidr: "10.20.0.0/16",
            internetGatewayId: "igw-0123456789abcdef0",
            clusterSecurityGroupId: "sg-0123456789abcdef0",
            clientRanges: ["10.20.0.0/16"],
            networkRanges: ["10.20.0.0/16", "10.100.0.0/16"],
        });
        expect(net.clientRanges).toEqual(["10.20.0.0/16"]);
    });

    test("datacatalog for the data planes: an internal, cross-zone NLB", () => {
        expect(network().internalServiceAnnotations).toEqual({
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
            "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
        });
    });

    test.each([
        ["an internal load balancer", undefined, false],
        ["an internal HTTPS endpoint", { dnsName: HOST, dnsZone: "", access: "internal" }, false],
        ["a public HTTPS endpoint", { dnsName: HOST, dnsZone: "", access: "public" }, true],
    ] as const)("flyteadmin answers outside the region only from %s that is public", async (_what, https, expected) => {
        expect((await valueOf(network(https).published)).adminGlobalAccess).toBe(expected);
    });
});

describe("dataPlaneOidcProviders", () => {
    test("the AWS data planes' providers in order, their issuers as URLs; nothing of another cloud", () => {
        const gcp: DataPlaneOutput = { ...GPU, cloud: "gcp" };
        expect(dataPlaneOidcProviders([BATCH, gcp, GPU])).toEqual(
            [BATCH, GPU].map((d) => ({ oidcProviderArn: d.oidcProviderArn, issuerUrl: `https://${d.oidcIssuer}` })),
        );
        expect(dataPlaneOidcProviders([BATCH])[0].issuerUrl).toBe("https://oidc.eks.eu-central-1.amazonaws.com/id/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB");
        expect(dataPlaneOidcProviders([gcp])).toEqual([]);
        expect(dataPlaneOidcProviders([])).toEqual([]);
    });
});

describe.each([
    ["behind the internal NLB", {}],
    ["behind an internal HTTPS endpoint", { https: { dnsName: HOST, dnsZone: ZONE, access: "internal" } }],
] as const)("as a control plane without data planes yet, %s", (_what, endpoint) => {
    let standalone: Plan;
    let controlPlane: Plan;
    beforeAll(async () => {
        standalone = await planPlatform(coreConfig(), undefined, endpoint);
        controlPlane = await planPlatform(coreConfig(), [], endpoint);
    });

    test("without the argument: no controlPlane", () => {
        expect(standalone.outputs.controlPlane).toBe("none");
    });

    test("it declares nothing more, and changes nothing it declares", () => {
        expect(declared(controlPlane)).toEqual(declared(standalone));
    });

    test("it publishes the VPC, gateway and cluster security group the mocks report, the VPC's CIDR and the Services' range", () => {
        const clusterSecurityGroup = stringAt(mocked(only(controlPlane, "aws:eks/cluster:Cluster")).state, "vpcConfig", "clusterSecurityGroupId");
        expect(controlPlane.outputs.controlPlane).toEqual({
            published: {
                cloud: "aws",
                awsAccountId: MOCK_AWS_ACCOUNT,
                region: "eu-central-1",
                adminGlobalAccess: false,
                vpcId: mocked(only(controlPlane, "aws:ec2/vpc:Vpc")).id,
                vpcCidr: stringAt(only(controlPlane, "aws:ec2/vpc:Vpc").inputs, "cidrBlock"),
                internetGatewayId: mocked(only(controlPlane, "aws:ec2/internetGateway:InternetGateway")).id,
                clusterSecurityGroupId: clusterSecurityGroup,
                clientRanges: ["10.0.0.0/16"],
                networkRanges: ["10.0.0.0/16", MOCK_EKS_SERVICE_CIDR],
            },
            clientRanges: ["10.0.0.0/16"],
            internalServiceAnnotations: {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
            },
        });
    });
});

describe("with two AWS data planes, one with a raw-data bucket of its own", () => {
    const config = coreConfig();
    const requests = requestsOf(config);
    const workers = requests.filter((r) => r.role === "worker");
    const others = requests.filter((r) => r.role !== "worker");
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(config, [BATCH, GPU]);
    });

    test("the task pods' role trusts its own cluster, then each data plane's, in config order", () => {
        expect(workers.map((w) => w.key)).toEqual(["worker"]);
        const own = ownProvider(plan);
        const trust = webIdentityTrust(roleOf(plan, workers[0]).inputs.assumeRolePolicy, "worker");
        expect(trust.map((s) => [s.federated, s.issuer])).toEqual([
            [own.arn, own.issuer],
            [BATCH.oidcProviderArn, BATCH.oidcIssuer],
            [GPU.oidcProviderArn, GPU.oidcIssuer],
        ]);
        // The same accounts from every cluster: the project-domain namespaces' default ones.
        const subjects = workers[0].serviceAccounts.map((a) => `system:serviceaccount:${a.namespace}:${a.name}`).sort();
        for (const statement of trust) {
            expect([...statement.subjects].sort()).toEqual(subjects);
        }
    });

    test("Flyte's own roles trust their own cluster alone", () => {
        expect(others.map((o) => o.key).sort()).toEqual(["datacatalog", "flyteadmin", "flytescheduler"]);
        const own = ownProvider(plan);
        for (const request of others) {
            const trust = webIdentityTrust(roleOf(plan, request).inputs.assumeRolePolicy, request.key);
            expect([request.key, trust.map((s) => s.federated)]).toEqual([request.key, [own.arn]]);
        }
    });

    test("the data plane's own bucket is in the task pods' and flyteadmin's S3 policies, and no other", () => {
        const naming = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) => String(p.inputs.policy).includes(BATCH_RAW));
        expect(naming.map((p) => String(p.inputs.role)).sort()).toEqual([names.workerRole, names.coreRoles.flyteadmin].sort());
    });

    const key = "ab/f1234-n0-0/data";
    const allows = (request: IdentityRequest, storage: StorageRequest) => iamRoleSimulatedAllows(plan, identityName(roleNames, request), storage);
    const byKey = (k: string) => {
        const found = requests.find((r) => r.key === k);
        if (found === undefined) {
            throw new Error(`no identity ${k}`);
        }
        return found;
    };

    test("as the IAM simulator judges them: task pods read and write it, flyteadmin only reads it, datacatalog neither", async () => {
        const worker = byKey("worker");
        for (const storage of [
            { action: "get", bucket: BATCH_RAW, key },
            { action: "put", bucket: BATCH_RAW, key },
            { action: "delete", bucket: BATCH_RAW, key },
            { action: "list", bucket: BATCH_RAW, prefix: "" },
        ] as const) {
            expect([storage, await allows(worker, storage)]).toEqual([storage, true]);
        }
        const admin = byKey("flyteadmin");
        expect(await allows(admin, { action: "get", bucket: BATCH_RAW, key })).toBe(true);
        expect(await allows(admin, { action: "put", bucket: BATCH_RAW, key })).toBe(false);
        expect(await allows(admin, { action: "delete", bucket: BATCH_RAW, key })).toBe(false);
        expect(await allows(byKey("datacatalog"), { action: "get", bucket: BATCH_RAW, key })).toBe(false);
        // A data plane without a bucket of its own adds none.
        expect(await allows(worker, { action: "get", bucket: "flyte-eks-gpu-123456789012-eu-central-1-userdata", key })).toBe(false);
    });
});

test("with project isolation each project's task role trusts every cluster, Flyte's own roles their own", async () => {
    const config = coreConfig({ "flyte:projectIsolation": "true" });
    const requests = requestsOf(config);
    // Data planes with buckets of their own are refused under project isolation (dataPlaneChecks.ts).
    const { rawDataBucket: _bucket, ...batch } = BATCH;
    const plan = await planPlatform(config, [batch, GPU]);
    const own = ownProvider(plan);
    const providers = [own.arn, BATCH.oidcProviderArn, GPU.oidcProviderArn];
    const workers = requests.filter((r) => r.role === "worker");
    expect(workers.map((w) => w.key).sort()).toEqual(["worker-analytics", "worker-ml"]);
    for (const request of requests) {
        const trust = webIdentityTrust(roleOf(plan, request).inputs.assumeRolePolicy, request.key);
        expect([request.key, trust.map((s) => s.federated)]).toEqual([request.key, request.role === "worker" ? providers : [own.arn]]);
    }
});

describe("Flyte's internal HTTPS endpoint with data planes", () => {
    const ingress = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
    const albSecurityGroup = (plan: Plan) => mocked(byName(plan, "aws:ec2/securityGroup:SecurityGroup", "aws-alb-sg")).id;

    test("internal: one HTTPS rule on the ALB's security group per data plane block, after the VPC's", async () => {
        const plan = await planPlatform(coreConfig(), [BATCH, GPU], { https: { dnsName: HOST, dnsZone: ZONE, access: "internal" } });
        const sg = albSecurityGroup(plan);
        const https = ofType(plan, ingress).filter((r) => r.inputs.securityGroupId === sg && r.inputs.fromPort === 443);
        expect(https.map((r) => [r.name, r.inputs.cidrIpv4, r.inputs.toPort, r.inputs.ipProtocol]).sort()).toEqual(
            [
                ["aws-alb-https", "10.0.0.0/16", 443, "tcp"],
                [`aws-alb-https-data-plane-${BATCH.podRange.replace(/[./]/g, "-")}`, BATCH.podRange, 443, "tcp"],
                [`aws-alb-https-data-plane-${GPU.podRange.replace(/[./]/g, "-")}`, GPU.podRange, 443, "tcp"],
            ].sort(),
        );
    });

    test("public: the endpoint admits everyone already; no rule per data plane", async () => {
        const plan = await planPlatform(coreConfig(), [BATCH, GPU], { https: { dnsName: HOST, dnsZone: "", access: "public" }, authentication: OIDC });
        const sg = albSecurityGroup(plan);
        const https = ofType(plan, ingress).filter((r) => r.inputs.securityGroupId === sg && r.inputs.fromPort === 443);
        expect(https.map((r) => [r.name, r.inputs.cidrIpv4])).toEqual([["aws-alb-https", "0.0.0.0/0"]]);
        expect(ofType(plan, ingress).filter((r) => r.name.includes("data-plane"))).toEqual([]);
    });
});
