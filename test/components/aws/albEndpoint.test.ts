import * as aws from "@pulumi/aws";
import {
    addressRecordToCreate,
    ALB_TLS_POLICY,
    AlbEndpoint,
    albPlacement,
    FLYTE_GRPC_NODE_PORT,
    FLYTE_HTTP_NODE_PORT,
    grpcHealthyCodes,
    grpcRuleConditions,
    grpcTargetGroup,
    httpTargetGroup,
    listenerSourceCidr,
    nodePortRules,
} from "../../../components/aws/albEndpoint";
import { httpsEndpointNames } from "../../../components/aws/names";
import { MOCK_ALB_ZONE_ID, mockResource } from "../../../lib/plan/mocks";
import type { RecordedResource } from "../../../lib/plan/monitor";
import type { Plan } from "../../../lib/plan/runPlan";
import { childrenOf, component, runComponents } from "../../helpers/components";
import { byName, ofType, only } from "../../helpers/plan";

const HOST = "flyte.ml.example.com";
const VPC_CIDR = "10.0.0.0/16";
const ZONE = "Z0123456789ABCDEFGHIJ";
const PRIVATE = ["subnet-private-a", "subnet-private-b"];
const PUBLIC = ["subnet-public-a", "subnet-public-b"];
const ASG = "eks-flyte-test-nodes-4ec6b7a1";
const CERTIFICATE = "arn:aws:acm:eu-central-1:123456789012:certificate/issued";

const T = {
    lb: "aws:lb/loadBalancer:LoadBalancer",
    tg: "aws:lb/targetGroup:TargetGroup",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    legacyRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    attachment: "aws:autoscaling/attachment:Attachment",
    record: "aws:route53/record:Record",
    igw: "aws:ec2/internetGateway:InternetGateway",
} as const;

function mocked(type: string, name: string, inputs: Record<string, string | boolean> = {}) {
    return mockResource(type, name, inputs);
}
const NODES_SG = mocked(T.sg, "nodes").id;
const ALB_SG = mocked(T.sg, "alb-sg").id;
const NAMES = httpsEndpointNames({ pulumiProject: "flyte", stack: "test" });

interface PlanOptions {
    readonly access: "internal" | "public";
    readonly authenticated: boolean;
    readonly dnsZone: string;
    readonly deletionProtection: boolean;
    /** A control plane's data planes' blocks; absent: none given. */
    readonly dataPlaneCidrs?: readonly string[];
}

function planAlb(o: PlanOptions): Promise<Plan> {
    return runComponents(() => {
        const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: VPC_CIDR });
        // Stand in for the EKS cluster security group and the network's internet gateway.
        const nodes = new aws.ec2.SecurityGroup("nodes", { vpcId: vpc.id, description: "EKS nodes" });
        const igw = new aws.ec2.InternetGateway("igw", { vpcId: vpc.id });
        const alb = new AlbEndpoint("alb", {
            names: NAMES,
            hostname: HOST,
            access: o.access,
            authenticated: o.authenticated,
            vpcId: vpc.id,
            vpcCidr: VPC_CIDR,
            ...(o.dataPlaneCidrs && { dataPlaneCidrs: o.dataPlaneCidrs }),
            privateSubnetIds: PRIVATE,
            publicSubnetIds: PUBLIC,
            publicRouting: [igw],
            nodeSecurityGroupId: nodes.id,
            nodeAutoscalingGroupName: ASG,
            certificateArn: CERTIFICATE,
            dnsZone: o.dnsZone,
            deletionProtection: o.deletionProtection,
            tags: { app: "flyte" },
        });
        return { dnsRecordsToCreate: alb.dnsRecordsToCreate, dnsName: alb.loadBalancer.dnsName };
    });
}

/** A security group rule as the ports and peers it admits. */
function ruleSummary(rule: RecordedResource): Record<string, unknown> {
    const { securityGroupId, ipProtocol, fromPort, toPort, cidrIpv4, referencedSecurityGroupId } = rule.inputs;
    return { securityGroupId, ipProtocol, fromPort, toPort, cidrIpv4, referencedSecurityGroupId };
}

const sortByJson = (values: Record<string, unknown>[]) => values.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("pure builders", () => {
    test("the NodePorts are fixed, distinct and in Kubernetes' NodePort range", () => {
        expect([FLYTE_HTTP_NODE_PORT, FLYTE_GRPC_NODE_PORT]).toEqual([30088, 30089]);
        for (const port of [FLYTE_HTTP_NODE_PORT, FLYTE_GRPC_NODE_PORT]) {
            expect(port).toBeGreaterThanOrEqual(30000);
            expect(port).toBeLessThanOrEqual(32767);
        }
        expect(nodePortRules().map((r) => r.port)).toEqual([FLYTE_HTTP_NODE_PORT, FLYTE_GRPC_NODE_PORT]);
    });

    test("internal: private subnets, HTTPS from the VPC; public: public subnets, HTTPS from anywhere", () => {
        expect(albPlacement("internal")).toEqual({ internal: true, subnets: "private" });
        expect(albPlacement("public")).toEqual({ internal: false, subnets: "public" });
        expect(listenerSourceCidr("internal", VPC_CIDR)).toBe(VPC_CIDR);
        expect(listenerSourceCidr("public", VPC_CIDR)).toBe("0.0.0.0/0");
    });

    test("HTTP target group: HTTP/1.1 to the HTTP NodePort, healthy on /healthcheck 200", () => {
        expect(httpTargetGroup()).toEqual({
            port: 30088,
            protocol: "HTTP",
            protocolVersion: "HTTP1",
            targetType: "instance",
            healthCheck: expect.objectContaining({ enabled: true, protocol: "HTTP", port: "traffic-port", path: "/healthcheck", matcher: "200" }),
        });
    });

    test("gRPC target group: protocol version GRPC to the gRPC NodePort, health-checked with grpc.health.v1", () => {
        for (const authenticated of [false, true]) {
            expect(grpcTargetGroup(authenticated)).toEqual({
                port: 30089,
                protocol: "HTTP",
                protocolVersion: "GRPC",
                targetType: "instance",
                healthCheck: expect.objectContaining({
                    protocol: "HTTP",
                    path: "/grpc.health.v1.Health/Check",
                    matcher: grpcHealthyCodes(authenticated),
                }),
            });
        }
    });

    test("healthy gRPC codes: OK, and with authentication also UNAUTHENTICATED (flyteadmin refuses calls without a token)", () => {
        expect(grpcHealthyCodes(false)).toBe("0");
        expect(grpcHealthyCodes(true)).toBe("0,16");
        // ALB accepts codes 0-99 as a list.
        for (const codes of [grpcHealthyCodes(false), grpcHealthyCodes(true)]) {
            expect(codes.split(",").every((c) => /^\d+$/.test(c) && Number(c) <= 99)).toBe(true);
        }
    });

    test("the gRPC rule matches the Flyte and health service paths, whatever :authority says, within ALB's five evaluations", () => {
        const conditions = grpcRuleConditions();
        expect(conditions).toEqual([{ pathPattern: { values: ["/flyteidl.service.*", "/grpc.health.v1.Health/*"] } }]);
        const evaluations = conditions.flatMap((c) => c.pathPattern.values);
        expect(evaluations.length).toBeLessThanOrEqual(5);
        // ALB's path patterns: at most 128 characters of a-z A-Z 0-9 _-.$/~"'@:+&;* and ?.
        expect(conditions[0].pathPattern.values.every((p) => /^[A-Za-z0-9_\-.$/~"'@:+&;*?]{1,128}$/.test(p))).toBe(true);
    });

    test("without a zone, the address is a CNAME to the ALB's name, both fully qualified", () => {
        expect(addressRecordToCreate(HOST, "internal-x-1.eu-central-1.elb.amazonaws.com")).toEqual({
            name: `${HOST}.`,
            type: "CNAME",
            values: ["internal-x-1.eu-central-1.elb.amazonaws.com."],
            purpose: expect.stringContaining("address"),
        });
    });
});

describe("an internal ALB with a Route 53 zone, without authentication, protected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planAlb({ access: "internal", authenticated: false, dnsZone: ZONE, deletionProtection: true });
    });
    const lb = () => only(plan, T.lb);
    const tg = (name: string) => byName(plan, T.tg, name);
    const lbMock = () => mocked(T.lb, "alb-lb", { name: NAMES.loadBalancer, internal: true });

    test("an internal application load balancer in the private subnets, behind its own security group", () => {
        expect(lb().inputs).toMatchObject({
            name: "flyte-test-alb",
            loadBalancerType: "application",
            internal: true,
            subnets: PRIVATE,
            securityGroups: [ALB_SG],
            ipAddressType: "ipv4",
            enableHttp2: true,
            dropInvalidHeaderFields: true,
            enableDeletionProtection: true,
        });
        // It waits for no internet gateway.
        expect(lb().dependencies).not.toContain(only(plan, T.igw).urn);
    });

    test("security groups: HTTPS from the VPC only, and only the two NodePorts between the ALB and the nodes", () => {
        const sg = byName(plan, T.sg, "alb-sg");
        expect(sg.inputs).toMatchObject({ name: "flyte-test-alb" });
        expect(sg.inputs.ingress).toBeUndefined();
        expect(sg.inputs.egress).toBeUndefined();
        expect(sortByJson(ofType(plan, T.ingress).map(ruleSummary))).toEqual(
            sortByJson([
                { securityGroupId: ALB_SG, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: VPC_CIDR, referencedSecurityGroupId: undefined },
                { securityGroupId: NODES_SG, ipProtocol: "tcp", fromPort: 30088, toPort: 30088, cidrIpv4: undefined, referencedSecurityGroupId: ALB_SG },
                { securityGroupId: NODES_SG, ipProtocol: "tcp", fromPort: 30089, toPort: 30089, cidrIpv4: undefined, referencedSecurityGroupId: ALB_SG },
            ]),
        );
        expect(sortByJson(ofType(plan, T.egress).map(ruleSummary))).toEqual(
            sortByJson([
                { securityGroupId: ALB_SG, ipProtocol: "tcp", fromPort: 30088, toPort: 30088, cidrIpv4: undefined, referencedSecurityGroupId: NODES_SG },
                { securityGroupId: ALB_SG, ipProtocol: "tcp", fromPort: 30089, toPort: 30089, cidrIpv4: undefined, referencedSecurityGroupId: NODES_SG },
            ]),
        );
        expect(ofType(plan, T.legacyRule)).toEqual([]);
    });

    test("target groups: instance targets on the NodePorts of the VPC, HTTP/1.1 and gRPC, with their health checks", () => {
        const vpcId = mocked("aws:ec2/vpc:Vpc", "vpc").id;
        expect(tg("alb-http").inputs).toMatchObject({
            name: "flyte-test-http",
            vpcId,
            port: 30088,
            protocol: "HTTP",
            protocolVersion: "HTTP1",
            targetType: "instance",
            healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/healthcheck", matcher: "200" },
        });
        expect(tg("alb-grpc").inputs).toMatchObject({
            name: "flyte-test-grpc",
            vpcId,
            port: 30089,
            protocol: "HTTP",
            protocolVersion: "GRPC",
            targetType: "instance",
            healthCheck: { enabled: true, protocol: "HTTP", port: "traffic-port", path: "/grpc.health.v1.Health/Check", matcher: "0" },
        });
    });

    test("both target groups are attached to the node group's Auto Scaling group", () => {
        const attached = ofType(plan, T.attachment).map((a) => a.inputs);
        expect(attached).toHaveLength(2);
        expect(sortByJson(attached)).toEqual(
            sortByJson([
                { autoscalingGroupName: ASG, lbTargetGroupArn: mocked(T.tg, "alb-http", { name: NAMES.httpTargetGroup }).state.arn },
                { autoscalingGroupName: ASG, lbTargetGroupArn: mocked(T.tg, "alb-grpc", { name: NAMES.grpcTargetGroup }).state.arn },
            ]),
        );
    });

    test("one listener, HTTPS on 443 with the certificate and a TLS 1.2+ policy, forwarding to HTTP by default", () => {
        const listener = only(plan, T.listener);
        expect(ALB_TLS_POLICY).toBe("ELBSecurityPolicy-TLS13-1-2-2021-06");
        expect(listener.inputs).toMatchObject({
            loadBalancerArn: lbMock().state.arn,
            port: 443,
            protocol: "HTTPS",
            sslPolicy: ALB_TLS_POLICY,
            certificateArn: CERTIFICATE,
            defaultActions: [{ type: "forward", targetGroupArn: mocked(T.tg, "alb-http", { name: NAMES.httpTargetGroup }).state.arn }],
        });
    });

    test("gRPC paths go to the gRPC target group", () => {
        const rule = only(plan, T.rule);
        expect(rule.inputs).toMatchObject({
            listenerArn: mocked(T.listener, "alb-https").state.arn,
            priority: 10,
            conditions: [{ pathPattern: { values: ["/flyteidl.service.*", "/grpc.health.v1.Health/*"] } }],
            actions: [{ type: "forward", targetGroupArn: mocked(T.tg, "alb-grpc", { name: NAMES.grpcTargetGroup }).state.arn }],
        });
    });

    test("the name is an alias A record to the ALB in the zone; nothing is left to create by hand", () => {
        const record = only(plan, T.record);
        expect(record.inputs).toMatchObject({
            zoneId: ZONE,
            name: HOST,
            type: "A",
            aliases: [{ name: lbMock().state.dnsName, zoneId: MOCK_ALB_ZONE_ID, evaluateTargetHealth: true }],
        });
        expect(String(lbMock().state.dnsName)).toMatch(/^internal-flyte-test-alb-/);
        expect(plan.outputs.dnsRecordsToCreate).toEqual([]);
    });

    test("everything is the component's child, tagged", () => {
        const children = childrenOf(plan, component(plan, "flyte:aws:AlbEndpoint"));
        const counts: Record<string, number> = {};
        for (const child of children) {
            counts[child.type] = (counts[child.type] ?? 0) + 1;
        }
        expect(counts).toEqual({
            [T.sg]: 1,
            [T.ingress]: 3,
            [T.egress]: 2,
            [T.lb]: 1,
            [T.tg]: 2,
            [T.attachment]: 2,
            [T.listener]: 1,
            [T.rule]: 1,
            [T.record]: 1,
        });
        for (const child of children.filter((c) => c.type !== T.attachment && c.type !== T.record)) {
            expect([child.name, child.inputs.tags]).toEqual([child.name, { app: "flyte" }]);
        }
    });
});

describe("a public ALB without a zone, with authentication, unprotected", () => {
    let plan: Plan;
    beforeAll(async () => {
        plan = await planAlb({ access: "public", authenticated: true, dnsZone: "", deletionProtection: false });
    });
    const lb = () => only(plan, T.lb);

    test("internet-facing in the public subnets, once the VPC has its internet gateway", () => {
        expect(lb().inputs).toMatchObject({ internal: false, subnets: PUBLIC, enableDeletionProtection: false, dropInvalidHeaderFields: true });
        expect(lb().dependencies).toContain(only(plan, T.igw).urn);
    });

    test("HTTPS from anywhere, on 443 only; the nodes still admit only the ALB on the two NodePorts", () => {
        const fromOutside = ofType(plan, T.ingress).filter((r) => r.inputs.cidrIpv4 !== undefined);
        expect(fromOutside.map(ruleSummary)).toEqual([
            { securityGroupId: ALB_SG, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", referencedSecurityGroupId: undefined },
        ]);
        const toNodes = ofType(plan, T.ingress).filter((r) => r.inputs.securityGroupId === NODES_SG);
        expect(toNodes.map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]).sort()).toEqual([
            [30088, ALB_SG],
            [30089, ALB_SG],
        ]);
    });

    test("no plaintext listener: the only listener is HTTPS on 443", () => {
        expect(ofType(plan, T.listener).map((l) => [l.inputs.protocol, l.inputs.port])).toEqual([["HTTPS", 443]]);
    });

    test("gRPC health: flyteadmin's refusal of an unauthenticated call counts as healthy", () => {
        expect(byName(plan, T.tg, "alb-grpc").inputs.healthCheck).toMatchObject({ path: "/grpc.health.v1.Health/Check", matcher: "0,16" });
    });

    test("no record is written; the address to create is a CNAME to the ALB's name", () => {
        expect(ofType(plan, T.record)).toEqual([]);
        const dnsName = String(mocked(T.lb, "alb-lb", { name: NAMES.loadBalancer, internal: false }).state.dnsName);
        expect(dnsName).not.toMatch(/^internal-/);
        expect(plan.outputs.dnsRecordsToCreate).toEqual([
            { name: `${HOST}.`, type: "CNAME", values: [`${dnsName}.`], purpose: "address of the Flyte endpoint (the ALB)" },
        ]);
    });
});

test("a public ALB without authentication is refused", async () => {
    await expect(planAlb({ access: "public", authenticated: false, dnsZone: ZONE, deletionProtection: false })).rejects.toThrow(
        /public HTTPS endpoint needs authentication/,
    );
});

describe("a control plane's data planes' blocks (dataPlaneCidrs)", () => {
    const BLOCKS = ["10.1.0.0/16", "100.64.0.0/16"];
    /** The ALB security group's HTTPS rules, as name and source. */
    const httpsRules = (plan: Plan) =>
        ofType(plan, T.ingress)
            .filter((r) => r.inputs.securityGroupId === ALB_SG)
            .map((r): Record<string, unknown> => ({ name: r.name, ...ruleSummary(r) }))
            .sort((a, b) => String(a.name).localeCompare(String(b.name)));

    test("internal: HTTPS from each block too, one rule each after the VPC's, on the ALB's security group alone", async () => {
        const plan = await planAlb({ access: "internal", authenticated: false, dnsZone: ZONE, deletionProtection: false, dataPlaneCidrs: BLOCKS });
        const https = (name: string, cidrIpv4: string) => ({ name, securityGroupId: ALB_SG, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4, referencedSecurityGroupId: undefined });
        expect(httpsRules(plan)).toEqual([https("alb-https", VPC_CIDR), https("alb-https-data-plane-10-1-0-0-16", BLOCKS[0]), https("alb-https-data-plane-100-64-0-0-16", BLOCKS[1])]);
        const alb = component(plan, "flyte:aws:AlbEndpoint");
        for (const cidr of BLOCKS) {
            const rule = byName(plan, T.ingress, `alb-https-data-plane-${cidr.replace(/[./]/g, "-")}`);
            expect(rule.parent).toBe(alb.urn);
            expect(rule.inputs).toMatchObject({ description: `HTTPS to Flyte from a data plane's block ${cidr}`, tags: { app: "flyte" } });
        }
        // The nodes still admit only the ALB: a data plane reaches Flyte through it.
        expect(ofType(plan, T.ingress).filter((r) => r.inputs.securityGroupId === NODES_SG).map((r) => r.inputs.cidrIpv4)).toEqual([undefined, undefined]);
    });

    test("each block's rule is named by the block: a data plane leaving the list leaves the others' rules as they are", async () => {
        const both = await planAlb({ access: "internal", authenticated: false, dnsZone: ZONE, deletionProtection: false, dataPlaneCidrs: BLOCKS });
        const second = await planAlb({ access: "internal", authenticated: false, dnsZone: ZONE, deletionProtection: false, dataPlaneCidrs: [BLOCKS[1]] });
        const rule = (plan: Plan) => ofType(plan, T.ingress).find((r) => r.inputs.cidrIpv4 === BLOCKS[1]);
        expect(rule(second)?.urn).toBe(rule(both)?.urn);
        expect(rule(second)?.inputs).toEqual(rule(both)?.inputs);
    });

    test("internal without blocks, or an empty list: only the VPC's rule", async () => {
        for (const dataPlaneCidrs of [undefined, []]) {
            const plan = await planAlb({ access: "internal", authenticated: false, dnsZone: ZONE, deletionProtection: false, ...(dataPlaneCidrs && { dataPlaneCidrs }) });
            expect(httpsRules(plan).map((r) => [r.name, r.cidrIpv4])).toEqual([["alb-https", VPC_CIDR]]);
        }
    });

    test("public: the endpoint admits everyone already; no rule per block", async () => {
        const plan = await planAlb({ access: "public", authenticated: true, dnsZone: "", deletionProtection: false, dataPlaneCidrs: BLOCKS });
        expect(httpsRules(plan).map((r) => [r.name, r.cidrIpv4])).toEqual([["alb-https", "0.0.0.0/0"]]);
    });
});
