import * as pulumi from "@pulumi/pulumi";
import { AwsPlatform } from "../../../components/aws/awsPlatform";
import type { AuthenticationConfig, HttpsConfig } from "../../../components/contract/config";
import { flyteWorkloads } from "../../../components/contract/identities";
import { commonPlatformArgs, type FlytePlatform } from "../../../components/contract/platform";
import { mockResource } from "../../../lib/plan/mocks";
import type { Plan } from "../../../lib/plan/runPlan";
import { TEST_OIDC_AUTHENTICATION, TEST_ROUTE53_ZONE } from "../../helpers/aws";
import { runComponents } from "../../helpers/components";
import { awsStackConfig } from "../../helpers/config";
import { byName, ofType, only } from "../../helpers/plan";
import { stringAt } from "../../helpers/json";
import { TEST_HOSTNAME } from "../../helpers/testPlatforms";

/**
 * How AwsPlatform wires the HTTPS endpoint and sign-in (the components themselves are tested on their own): what it
 * builds with `https` and each kind of authentication, and that without `https` it builds exactly what it did before.
 */

const HOST = TEST_HOSTNAME;
const ZONE = TEST_ROUTE53_ZONE;
const OIDC = TEST_OIDC_AUTHENTICATION;
const COGNITO: AuthenticationConfig = { mode: "cognito", domainPrefix: "", adminEmail: "admin@example.com" };

/** Resource types only an HTTPS endpoint or sign-in brings. */
const HTTPS_TYPES = [
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:autoscaling/attachment:Attachment",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:route53/record:Record",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:cognito/userPool:UserPool",
    "aws:cognito/userPoolDomain:UserPoolDomain",
    "aws:cognito/userPoolClient:UserPoolClient",
    "aws:cognito/user:User",
    "random:index/randomString:RandomString",
    "flyte:aws:AlbEndpoint",
    "flyte:aws:AcmCertificate",
    "flyte:aws:CognitoSignIn",
];

function planPlatform(https: HttpsConfig | undefined, authentication: AuthenticationConfig): Promise<Plan> {
    const config = awsStackConfig({});
    return runComponents(() => {
        const awsPlatform = new AwsPlatform("aws", {
            ...commonPlatformArgs(config, flyteWorkloads(config.flyte)),
            config: config.aws,
            https,
            authentication,
        });
        const platform: FlytePlatform = awsPlatform;
        const { exposure, signIn } = platform;
        // What the Flyte layer hands `attach` once it has declared the endpoint Service.
        const service = { namespace: pulumi.output("flyte"), name: pulumi.output("flyte-https"), httpPort: 8088, grpcPort: 8089 };
        return {
            exposure:
                exposure.kind === "https"
                    ? {
                          kind: exposure.kind,
                          hostname: exposure.hostname,
                          service: exposure.service,
                          serviceAnnotations: exposure.serviceAnnotations,
                          attached: exposure.attach(service, { parent: awsPlatform, provider: platform.kubernetesProvider }).length,
                          dnsRecordsToCreate: exposure.dnsRecordsToCreate,
                      }
                    : exposure,
            ...(signIn && {
                signIn: {
                    issuerUrl: signIn.issuerUrl,
                    clientId: signIn.clientId,
                    clientSecret: signIn.clientSecret,
                    clientSecretIsSecret: pulumi.output(pulumi.isSecret(signIn.clientSecret)),
                    scopes: [...signIn.scopes],
                },
            }),
        };
    });
}

/** The node group's Auto Scaling group, as the mocked EKS reports it. */
function autoscalingGroup(): string {
    return stringAt(mockResource("aws:eks/nodeGroup:NodeGroup", "aws-eks-nodes", { nodeGroupName: "flyte-test-nodes" }).state, "resources", 0, "autoscalingGroups", 0, "name");
}

describe("without https: the internal NLB, as before, and nothing of the HTTPS endpoint", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform(undefined, { mode: "none" });
    });

    test("no load balancer, certificate, DNS record, Cognito or extra security group rule", () => {
        expect(HTTPS_TYPES.filter((type) => ofType(plan, type).length > 0)).toEqual([]);
        // The only ingress rule is the database's.
        expect(ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").map((r) => r.name)).toEqual(["aws-postgres-from-nodes"]);
    });

    test("the exposure is the internal NLB Service; no sign-in", () => {
        expect(plan.outputs.exposure).toEqual({
            kind: "loadBalancer",
            annotations: {
                "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
                "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
            },
        });
        expect(plan.outputs.signIn).toBeUndefined();
    });
});

describe("https internal, with a zone, signing in through an external OIDC provider", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform({ dnsName: HOST, dnsZone: ZONE, access: "internal" }, OIDC);
    });

    test("an internal ALB in the network's private subnets, admitted by the cluster security group on the two NodePorts", () => {
        const lb = only(plan, "aws:lb/loadBalancer:LoadBalancer");
        const privateSubnets = [0, 1, 2].map((i) => mockResource("aws:ec2/subnet:Subnet", `aws-network-private-${i}`, {}).id);
        expect(lb.inputs).toMatchObject({ internal: true, subnets: privateSubnets, enableDeletionProtection: true });
        const clusterSg = stringAt(mockResource("aws:eks/cluster:Cluster", "aws-eks-cluster", { name: "flyte-test" }).state, "vpcConfig", "clusterSecurityGroupId");
        const onNodes = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter(
            (r) => r.inputs.securityGroupId === clusterSg,
        );
        expect(onNodes.map((r) => r.inputs.fromPort).sort()).toEqual([30088, 30089]);
        const https = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.fromPort === 443);
        expect(https.map((r) => r.inputs.cidrIpv4)).toEqual(["10.0.0.0/16"]);
    });

    test("both target groups are attached to the node group's Auto Scaling group", () => {
        const attachments = ofType(plan, "aws:autoscaling/attachment:Attachment");
        expect(attachments.map((a) => a.inputs.autoscalingGroupName)).toEqual([autoscalingGroup(), autoscalingGroup()]);
    });

    test("the listener uses the certificate once validated through the zone", () => {
        const certificateArn = stringAt(mockResource("aws:acm/certificate:Certificate", "aws-certificate-certificate", { domainName: HOST }).state, "arn");
        expect(only(plan, "aws:acm/certificate:Certificate").inputs.domainName).toBe(HOST);
        expect(only(plan, "aws:lb/listener:Listener").inputs.certificateArn).toBe(certificateArn);
        expect(only(plan, "aws:lb/listener:Listener").propertyDependencies.certificateArn).toEqual([
            only(plan, "aws:acm/certificateValidation:CertificateValidation").urn,
        ]);
        expect(ofType(plan, "aws:route53/record:Record").map((r) => [r.inputs.zoneId, r.inputs.type]).sort()).toEqual([
            [ZONE, "A"],
            [ZONE, "CNAME"],
        ]);
    });

    test("exposure: HTTPS on the name, a NodePort Service on the ALB's ports, nothing to attach, no records to create", () => {
        expect(plan.outputs.exposure).toEqual({
            kind: "https",
            hostname: HOST,
            service: { type: "NodePort", httpNodePort: 30088, grpcNodePort: 30089 },
            serviceAnnotations: {},
            attached: 0,
            dnsRecordsToCreate: [],
        });
    });

    test("sign-in is the configured provider, its client secret a Pulumi secret only; no Cognito", () => {
        expect(plan.outputs.signIn).toEqual({
            issuerUrl: "https://login.example.com/oauth2/default",
            clientId: "flyte-client",
            clientSecret: "[secret]",
            clientSecretIsSecret: true,
            scopes: ["openid", "profile", "email", "offline_access"],
        });
        expect(JSON.stringify(plan)).not.toContain("oidc-client-secret-value");
        expect(ofType(plan, "aws:cognito/userPool:UserPool")).toEqual([]);
    });

    test("the gRPC health check accepts flyteadmin's answer to an unauthenticated call", () => {
        expect(byName(plan, "aws:lb/targetGroup:TargetGroup", "aws-alb-grpc").inputs.healthCheck).toMatchObject({ matcher: "0,16" });
    });
});

describe("https public, without a zone, signing in through Cognito", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planPlatform({ dnsName: HOST, dnsZone: "", access: "public" }, COGNITO);
    });

    test("an internet-facing ALB in the public subnets, HTTPS from anywhere", () => {
        const lb = only(plan, "aws:lb/loadBalancer:LoadBalancer");
        const publicSubnets = [0, 1, 2].map((i) => mockResource("aws:ec2/subnet:Subnet", `aws-network-public-${i}`, {}).id);
        expect(lb.inputs).toMatchObject({ internal: false, subnets: publicSubnets });
        expect(lb.dependencies).toContain(only(plan, "aws:ec2/internetGateway:InternetGateway").urn);
        const https = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.fromPort === 443);
        expect(https.map((r) => r.inputs.cidrIpv4)).toEqual(["0.0.0.0/0"]);
    });

    test("no record is written; the certificate's validation record and the name's address are listed to create", () => {
        expect(ofType(plan, "aws:route53/record:Record")).toEqual([]);
        const lbDns = stringAt(mockResource("aws:lb/loadBalancer:LoadBalancer", "aws-alb-lb", { name: "flyte-test-alb", internal: false }).state, "dnsName");
        const validation = mockResource("aws:acm/certificate:Certificate", "aws-certificate-certificate", { domainName: HOST }).state;
        expect(plan.outputs.exposure).toMatchObject({
            kind: "https",
            dnsRecordsToCreate: [
                {
                    name: stringAt(validation, "domainValidationOptions", 0, "resourceRecordName"),
                    type: "CNAME",
                    values: [stringAt(validation, "domainValidationOptions", 0, "resourceRecordValue")],
                    purpose: `validation of the TLS certificate for ${HOST} (ACM)`,
                },
                { name: `${HOST}.`, type: "CNAME", values: [`${lbDns}.`], purpose: "address of the Flyte endpoint (the ALB)" },
            ],
        });
    });

    test("a Cognito pool, client and domain; sign-in is the pool's issuer with the client's secret as a Pulumi secret", () => {
        const poolId = mockResource("aws:cognito/userPool:UserPool", "aws-cognito-pool", { name: "flyte-test-flyte-users" }).id;
        const client = mockResource("aws:cognito/userPoolClient:UserPoolClient", "aws-cognito-client", { name: "flyte" });
        expect(only(plan, "aws:cognito/userPoolClient:UserPoolClient").inputs.callbackUrls).toEqual([`https://${HOST}/callback`]);
        expect(only(plan, "aws:cognito/user:User").inputs.username).toBe("admin@example.com");
        expect(plan.outputs.signIn).toEqual({
            issuerUrl: `https://cognito-idp.eu-central-1.amazonaws.com/${poolId}`,
            clientId: client.id,
            clientSecret: "[secret]",
            clientSecretIsSecret: true,
            scopes: ["openid", "profile", "email"],
        });
        expect(JSON.stringify(plan)).not.toContain(String(client.state.clientSecret));
    });
});

test("authentication without an HTTPS endpoint is refused", async () => {
    await expect(planPlatform(undefined, OIDC)).rejects.toThrow(/needs an HTTPS endpoint/);
});

test("a public endpoint without authentication is refused", async () => {
    await expect(planPlatform({ dnsName: HOST, dnsZone: ZONE, access: "public" }, { mode: "none" })).rejects.toThrow(/needs authentication/);
});
