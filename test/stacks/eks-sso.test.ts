/**
 * Pulumi.eks-sso.yaml: Flyte on its own name on the internet through an ALB with an ACM certificate, Route 53
 * records, and a Cognito user pool for sign-in. Each part has its own tests; these check that the stack's plan wires
 * them together: the ALB in the public subnets in front of the NodePorts Flyte's Service opens, the certificate and
 * records in the zone, and Flyte's authentication against the user pool's client.
 */
import { parse } from "yaml";
import type { Plan } from "../../lib/plan/runPlan";
import { arrayAt, at, recordAt, stringAt } from "../helpers/json";
import { byName, mocked, ofType, only, stringOutput, transitiveDependencies, stackFileConfig } from "../helpers/plan";
import { sharedPlan } from "../helpers/sharedPlans";

const STACK = "eks-sso";
const config = stackFileConfig(STACK);
const HOST = String(config["flyte:dnsName"]);
const ZONE = String(config["flyte:dnsZone"]);
const T = {
    subnet: "aws:ec2/subnet:Subnet",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    attachment: "aws:autoscaling/attachment:Attachment",
    certificate: "aws:acm/certificate:Certificate",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    pool: "aws:cognito/userPool:UserPool",
    client: "aws:cognito/userPoolClient:UserPoolClient",
    user: "aws:cognito/user:User",
    service: "kubernetes:core/v1:Service",
    release: "kubernetes:helm.sh/v3:Release",
} as const;

let plan: Plan;
beforeAll(async () => {
    plan = await sharedPlan(STACK);
});

const arn = (type: string, name: string) => String(mocked(byName(plan, type, name)).state.arn);

test("the stack file asks for a public endpoint with Cognito sign-in and a Route 53 zone", () => {
    expect(config).toMatchObject({ "flyte:endpointAccess": "public", "flyte:authentication": "cognito" });
    expect(ZONE).toMatch(/^Z/);
});

test("an internet-facing ALB in the public subnets, HTTPS only, with the validated certificate", () => {
    const lb = only(plan, T.lb);
    // The network names its subnets aws-network-public-<i> and aws-network-private-<i> (test/helpers/eksStack.ts
    // tells them apart by their routes).
    const publicSubnets = ofType(plan, T.subnet)
        .filter((s) => /-public-\d+$/.test(s.name))
        .map((s) => mocked(s).id);
    expect(publicSubnets.length).toBe(Number(config["flyte:awsAvailabilityZones"]));
    expect(lb.inputs).toMatchObject({ internal: false, loadBalancerType: "application", dropInvalidHeaderFields: true });
    expect([...(lb.inputs.subnets as string[])].sort()).toEqual(publicSubnets.sort());
    const listeners = ofType(plan, T.listener);
    expect(listeners.map((l) => [l.inputs.protocol, l.inputs.port])).toEqual([["HTTPS", 443]]);
    const listener = listeners[0];
    expect(listener.inputs.certificateArn).toBe(String(mocked(only(plan, T.certificate)).state.arn));
    expect(String(listener.inputs.sslPolicy)).toMatch(/^ELBSecurityPolicy-TLS13-1-2-/);
    // The listener is created once ACM has issued the certificate.
    expect(transitiveDependencies(plan, listener).has(only(plan, T.validation).urn)).toBe(true);
    expect(only(plan, T.certificate).inputs).toMatchObject({ domainName: HOST, validationMethod: "DNS" });
});

test("the target groups are the NodePorts of Flyte's Service, gRPC spoken as gRPC, both on the node group", () => {
    const service = only(plan, T.service);
    expect(at(service.inputs, "spec", "type")).toBe("NodePort");
    const nodePorts = Object.fromEntries((arrayAt(service.inputs, "spec", "ports") as { name: string; nodePort: number }[]).map((p) => [p.name, p.nodePort]));
    const http = byName(plan, T.targetGroup, "aws-alb-http");
    const grpc = byName(plan, T.targetGroup, "aws-alb-grpc");
    expect(http.inputs).toMatchObject({ port: nodePorts.http, protocol: "HTTP", protocolVersion: "HTTP1", targetType: "instance", healthCheck: { path: "/healthcheck" } });
    expect(grpc.inputs).toMatchObject({ port: nodePorts.grpc, protocol: "HTTP", protocolVersion: "GRPC", targetType: "instance", healthCheck: { path: "/grpc.health.v1.Health/Check" } });
    const listener = only(plan, T.listener);
    expect(listener.inputs.defaultActions).toEqual([{ type: "forward", targetGroupArn: arn(T.targetGroup, "aws-alb-http") }]);
    const rule = only(plan, T.rule);
    expect(rule.inputs.actions).toEqual([{ type: "forward", targetGroupArn: arn(T.targetGroup, "aws-alb-grpc") }]);
    expect(JSON.stringify(rule.inputs.conditions)).toContain("/flyteidl.service.*");
    expect(ofType(plan, T.attachment).map((a) => a.inputs.lbTargetGroupArn).sort()).toEqual([arn(T.targetGroup, "aws-alb-grpc"), arn(T.targetGroup, "aws-alb-http")].sort());
    // The nodes admit the ALB on exactly those two ports.
    const fromAlb = ofType(plan, T.ingress).filter((r) => r.inputs.referencedSecurityGroupId !== undefined && r.inputs.fromPort !== 5432);
    expect(fromAlb.map((r) => [r.inputs.fromPort, r.inputs.toPort]).sort()).toEqual([
        [nodePorts.http, nodePorts.http],
        [nodePorts.grpc, nodePorts.grpc],
    ]);
});

test("the certificate's validation record and the name's alias to the ALB are written to the zone", () => {
    const records = ofType(plan, T.record);
    expect(records.every((r) => r.inputs.zoneId === ZONE)).toBe(true);
    const alias = records.find((r) => r.inputs.type === "A");
    const lb = mocked(only(plan, T.lb)).state;
    expect(alias?.inputs).toMatchObject({ name: HOST, aliases: [{ name: lb.dnsName, zoneId: lb.zoneId }] });
    const validation = records.find((r) => r.inputs.type === "CNAME");
    const option = (mocked(only(plan, T.certificate)).state.domainValidationOptions as Record<string, string>[])[0];
    expect(validation?.inputs).toMatchObject({ name: option.resourceRecordName, records: [option.resourceRecordValue] });
    expect(plan.outputs.dnsRecordsToCreate).toBeUndefined();
});

test("Flyte signs users in through the user pool's client, which knows Flyte's callback", () => {
    const pool = mocked(only(plan, T.pool));
    const client = only(plan, T.client);
    expect(client.inputs).toMatchObject({ generateSecret: true, allowedOauthFlows: ["code"], callbackUrls: plan.outputs.oidcRedirectUris });
    expect(plan.outputs.oidcRedirectUris).toEqual([`https://${HOST}/callback`]);
    const auth = recordAt(only(plan, T.release).inputs, "values", "configuration", "auth");
    expect(auth).toMatchObject({
        enabled: true,
        oidc: { baseUrl: `https://cognito-idp.${String(config["aws:region"])}.amazonaws.com/${pool.id}`, clientId: mocked(client).id },
    });
    expect(arrayAt(auth, "authorizedUris")[0]).toBe(`https://${HOST}`);
    expect(only(plan, T.pool).inputs).toMatchObject({ adminCreateUserConfig: { allowAdminCreateUserOnly: true } });
    expect(stringAt(only(plan, T.user).inputs, "username")).toBe(config["flyte:cognitoAdminEmail"]);
});

test("clients reach https://<name> and gRPC on 443, signing in with PKCE", () => {
    expect(stringOutput(plan, "httpEndpoint")).toBe(`https://${HOST}`);
    expect(stringOutput(plan, "grpcEndpoint")).toBe(`${HOST}:443`);
    expect(parse(stringOutput(plan, "flytectlConfig"))).toMatchObject({ admin: { endpoint: `dns:///${HOST}`, insecure: false, authType: "Pkce" } });
    expect(plan.outputs.ciClientSecret).toBe("[secret]");
});

describe("notifications through SNS, SQS and SES, execution events on a topic", () => {
    const inline = () => recordAt(only(plan, T.release).inputs, "values", "configuration", "inline");
    const topicArn = (name: string) => arn("aws:sns/topic:Topic", name);

    test("flyteadmin publishes to the topic, consumes the queue subscribed to it and sends mail through SES as the sender", () => {
        const queue = byName(plan, "aws:sqs/queue:Queue", "aws-messaging-notifications-queue");
        expect(recordAt(inline(), "notifications")).toMatchObject({
            type: "aws",
            aws: { region: config["aws:region"] },
            publisher: { topicName: topicArn("aws-messaging-notifications") },
            processor: { queueName: queue.inputs.name },
            emailer: { sender: config["flyte:notificationsSender"] },
        });
        const subscription = only(plan, "aws:sns/topicSubscription:TopicSubscription");
        expect(subscription.inputs).toMatchObject({ protocol: "sqs", topic: topicArn("aws-messaging-notifications"), endpoint: String(mocked(queue).state.arn) });
        expect(only(plan, "aws:sesv2/emailIdentity:EmailIdentity").inputs.emailIdentity).toBe(config["flyte:notificationsSender"]);
    });

    test("execution events go to their own topic, which the stack exports for other teams", () => {
        expect(recordAt(inline(), "externalEvents")).toMatchObject({ enable: true, type: "aws", eventsPublisher: { topicName: topicArn("aws-messaging-events") } });
        expect(plan.outputs.executionEventsTopic).toBe(topicArn("aws-messaging-events"));
    });

    test("the release waits for the topics, the queue and its policy, the SES identity and flyteadmin's grants", () => {
        const waitsOn = transitiveDependencies(plan, only(plan, T.release));
        const needed = ["aws-messaging-notifications", "aws-messaging-events", "aws-messaging-notifications-queue", "aws-messaging-notifications-queue-policy", "aws-messaging-sender", "aws-messaging-notifications-subscription", "aws-messaging-flyteadmin"];
        const missing = needed.filter((name) => !plan.resources.some((r) => r.name === name && waitsOn.has(r.urn)));
        expect(missing).toEqual([]);
    });
});
