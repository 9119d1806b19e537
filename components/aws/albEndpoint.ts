/**
 * Decision: Flyte's HTTPS endpoint on EKS is built from Pulumi-managed ALB resources, not by the AWS Load
 * Balancer Controller. Every resource shows in `pulumi preview` and the offline plan, and the policy pack sees the
 * real listeners and certificates; no controller runs with the broad IAM policy it publishes, and no chart outside
 * the offline cache is installed; the DNS alias is written straight to the ALB's name and zone, without waiting for
 * an Ingress status; and `pulumi destroy` removes it in order, with no controller finalizer in the way.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EndpointAccess } from "../contract/config";
import type { DnsRecord } from "../contract/platform";
import type { HttpsEndpointNames } from "./names";
import { fqdn } from "./acmCertificate";

/**
 * The NodePorts of Flyte's endpoint Service the ALB's instance targets receive traffic on: fixed, so that the
 * target groups, security group rules and the Service agree (Kubernetes' default NodePort range is 30000-32767).
 */
export const FLYTE_HTTP_NODE_PORT = 30088;
export const FLYTE_GRPC_NODE_PORT = 30089;
export const HTTPS_PORT = 443;

/**
 * TLS 1.3 and 1.2 only, forward-secret ciphers: ELB's recommended policy
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html).
 */
export const ALB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * gRPC requests' paths are `/<package>.<service>/<method>`. Every Flyte service is in package `flyteidl.service`
 * (flyteidl/protos/flyteidl/service/*.proto at v1.16.8: AdminService, AuthMetadataService, DataProxyService,
 * IdentityService, SignalService, the agent services); flyteadmin also serves the standard health service.
 */
export const GRPC_PATH_PATTERNS = ["/flyteidl.service.*", "/grpc.health.v1.Health/*"] as const;
/** The listener rule that sends gRPC to the gRPC target group; everything else takes the default action (HTTP). */
export const GRPC_RULE_PRIORITY = 10;

/**
 * flyteadmin answers 200 on `/healthcheck` of its HTTP port whatever its auth settings: the handler is registered
 * on the HTTP mux ahead of the grpc-gateway and the auth handlers (flyteadmin/pkg/server/service.go, v1.16.8).
 * flyte-core's endpoint proxy passes it through to flyteadmin (components/flyte/endpointProxy.ts, `location /`).
 */
export const HTTP_HEALTH_CHECK_PATH = "/healthcheck";
/**
 * flyteadmin registers the standard gRPC health service, SERVING (grpc_health_v1.RegisterHealthServer in
 * flyteadmin/pkg/server/service.go, v1.16.8); flyte-core's endpoint proxy passes its gRPC port through as a TCP stream.
 */
export const GRPC_HEALTH_CHECK_PATH = "/grpc.health.v1.Health/Check";

/** The load balancer's scheme and placement: internal in the private subnets, internet-facing in the public ones. */
export function albPlacement(access: EndpointAccess): { readonly internal: boolean; readonly subnets: "private" | "public" } {
    return access === "internal" ? { internal: true, subnets: "private" } : { internal: false, subnets: "public" };
}

/** Who may open a connection to the HTTPS listener: the VPC (internal), or anyone (public, always behind sign-in). */
export function listenerSourceCidr(access: EndpointAccess, vpcCidr: string): string {
    return access === "internal" ? vpcCidr : "0.0.0.0/0";
}

/** A port the ALB sends traffic to on the nodes, and why. */
export interface NodePortRule {
    readonly port: number;
    readonly description: string;
}

/** The only ports between the ALB and the nodes: Flyte's two NodePorts, in both security groups. */
export function nodePortRules(): readonly NodePortRule[] {
    return [
        { port: FLYTE_HTTP_NODE_PORT, description: "Flyte HTTP (console, REST API) NodePort" },
        { port: FLYTE_GRPC_NODE_PORT, description: "Flyte gRPC NodePort" },
    ];
}

/**
 * gRPC status codes the gRPC target group's health check accepts. 0 is the health service's SERVING. With
 * authentication on, flyteadmin's unary auth interceptor refuses every call without a token, the health check
 * included, with 16 UNAUTHENTICATED (auth.GetAuthenticationInterceptor in flyteadmin/auth/handlers.go, v1.16.8, for
 * all unary calls unless `disableForGrpc`): an answer only flyteadmin's running gRPC server gives, so it counts as
 * healthy. ALB accepts codes 0-99, as a list or range
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html).
 */
export function grpcHealthyCodes(authenticated: boolean): string {
    return authenticated ? "0,16" : "0";
}

/** A target group's settings, as aws.lb.TargetGroup takes them (without name, VPC and tags). */
export interface TargetGroupSettings {
    readonly port: number;
    readonly protocol: "HTTP";
    readonly protocolVersion: "HTTP1" | "GRPC";
    readonly targetType: "instance";
    readonly healthCheck: {
        readonly enabled: true;
        readonly protocol: "HTTP";
        readonly port: "traffic-port";
        readonly path: string;
        readonly matcher: string;
        readonly interval: number;
        readonly timeout: number;
        readonly healthyThreshold: number;
        readonly unhealthyThreshold: number;
    };
}

const HEALTH_CHECK_TIMING = { interval: 15, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3 } as const;

/**
 * Flyte's HTTP port: plaintext HTTP/1.1 to the HTTP NodePort of every node (instance targets), healthy when
 * `/healthcheck` answers 200.
 */
export function httpTargetGroup(): TargetGroupSettings {
    return {
        port: FLYTE_HTTP_NODE_PORT,
        protocol: "HTTP",
        protocolVersion: "HTTP1",
        targetType: "instance",
        healthCheck: {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: HTTP_HEALTH_CHECK_PATH,
            matcher: "200",
            ...HEALTH_CHECK_TIMING,
        },
    };
}

/**
 * Flyte's gRPC port: protocol version GRPC on an HTTP target group sends gRPC to the targets over cleartext HTTP/2
 * and health-checks them with a gRPC call, judged by its status code
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-protocol-version;
 * Flyte's own EKS examples set `backend-protocol-version: GRPC` on the plaintext gRPC port, charts/flyte-binary/eks-starter.yaml).
 */
export function grpcTargetGroup(authenticated: boolean): TargetGroupSettings {
    return {
        port: FLYTE_GRPC_NODE_PORT,
        protocol: "HTTP",
        protocolVersion: "GRPC",
        targetType: "instance",
        healthCheck: {
            enabled: true,
            protocol: "HTTP",
            port: "traffic-port",
            path: GRPC_HEALTH_CHECK_PATH,
            matcher: grpcHealthyCodes(authenticated),
            ...HEALTH_CHECK_TIMING,
        },
    };
}

/**
 * The gRPC rule's condition: a gRPC path only. The listener serves Flyte's one name (its certificate's), so a host
 * condition would add nothing but a risk: host conditions hold names without a port, while a gRPC client may send
 * `:authority` with one (`flyte.example.com:443`), which would send its calls to the HTTP target group. Two match
 * evaluations, within ALB's five per rule
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html).
 */
export function grpcRuleConditions(): { pathPattern: { values: string[] } }[] {
    return [{ pathPattern: { values: [...GRPC_PATH_PATTERNS] } }];
}

/**
 * The name's address, where no Route 53 zone is given: a CNAME to the ALB's DNS name (its addresses change), or an
 * alias/ANAME record where the DNS provider offers one (a zone apex cannot hold a CNAME).
 */
export function addressRecordToCreate(hostname: string, albDnsName: string): DnsRecord {
    return { name: fqdn(hostname), type: "CNAME", values: [fqdn(albDnsName)], purpose: "address of the Flyte endpoint (the ALB)" };
}

export interface AlbEndpointArgs {
    /** Names from httpsEndpointNames: the ALB and both target groups (32 characters each), its security group. */
    readonly names: Pick<HttpsEndpointNames, "loadBalancer" | "httpTargetGroup" | "grpcTargetGroup" | "loadBalancerSecurityGroup">;
    /** The DNS name clients use (`flyte:dnsName`): the gRPC rule's host, and the address record's name. */
    readonly hostname: string;
    /** `internal` (private subnets, HTTPS from the VPC only) or `public` (public subnets, HTTPS from anywhere). */
    readonly access: EndpointAccess;
    /**
     * Whether Flyte asks everyone to sign in: a public endpoint without it is refused here too (config validation
     * refuses it first); it also decides which gRPC codes mean healthy (grpcHealthyCodes).
     */
    readonly authenticated: boolean;
    /** The VPC of the cluster: the target groups' and the security group's. */
    readonly vpcId: pulumi.Input<string>;
    /** The VPC's CIDR: the only source an internal endpoint admits, with `dataPlaneCidrs`. */
    readonly vpcCidr: string;
    /**
     * A multi-cluster control plane's data planes' blocks in this VPC (their pods' addresses): an internal endpoint
     * admits them too, since their flytepropeller calls flyteadmin through it. Absent: none.
     */
    readonly dataPlaneCidrs?: readonly string[];
    /** Where an internal ALB goes (a subnet in two zones at least, as ALB requires). */
    readonly privateSubnetIds: pulumi.Input<string[]>;
    /** Where an internet-facing ALB goes. */
    readonly publicSubnetIds: pulumi.Input<string[]>;
    /** The internet gateway and public routes: an internet-facing ALB waits for them. */
    readonly publicRouting: readonly pulumi.Resource[];
    /** The security group of the nodes (EKS's cluster security group): it admits the ALB on the two NodePorts. */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    /** The node group's Auto Scaling group: both target groups are attached to it, so its instances are the targets. */
    readonly nodeAutoscalingGroupName: pulumi.Input<string>;
    /** The issued ACM certificate for `hostname` (AcmCertificate.issuedArn). */
    readonly certificateArn: pulumi.Input<string>;
    /** The Route 53 hosted zone id the alias record goes to; empty: the address is listed in `dnsRecordsToCreate`. */
    readonly dnsZone: string;
    /** ELB deletion protection on the load balancer. */
    readonly deletionProtection: boolean;
    /** AWS tags on every resource. */
    readonly tags: Readonly<Record<string, string>>;
}

/**
 * An Application Load Balancer for Flyte: one HTTPS listener on 443 with the certificate, gRPC paths to a gRPC
 * target group and everything else to an HTTP one, both on fixed NodePorts of every node of the node group; its
 * own security group, open on 443 only (to the VPC, or to anyone when public) and reaching only the two NodePorts;
 * and the name's alias record. No plaintext listener: nothing answers on port 80.
 */
export class AlbEndpoint extends pulumi.ComponentResource {
    readonly loadBalancer: aws.lb.LoadBalancer;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly httpTargetGroup: aws.lb.TargetGroup;
    readonly grpcTargetGroup: aws.lb.TargetGroup;
    readonly listener: aws.lb.Listener;
    /** The address record when there is no zone to write it to; empty otherwise. */
    readonly dnsRecordsToCreate: pulumi.Output<readonly DnsRecord[]>;

    constructor(name: string, args: AlbEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:aws:AlbEndpoint", name, {}, opts);
        const child = { parent: this };
        const { names, access } = args;
        const tags = { ...args.tags };
        if (access === "public" && !args.authenticated) {
            throw new Error("a public HTTPS endpoint needs authentication (flyte:authentication oidc or cognito)");
        }
        const placement = albPlacement(access);

        // No rules inline: the provider then also drops AWS's default allow-all egress.
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: names.loadBalancerSecurityGroup,
                description: `Flyte's ALB: HTTPS from ${access === "internal" ? "the VPC" : "anywhere"}, to the nodes' Flyte NodePorts only`,
                vpcId: args.vpcId,
                tags,
            },
            child,
        );
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-https`,
            {
                securityGroupId: this.securityGroup.id,
                cidrIpv4: listenerSourceCidr(access, args.vpcCidr),
                ipProtocol: "tcp",
                fromPort: HTTPS_PORT,
                toPort: HTTPS_PORT,
                description: `HTTPS to Flyte from ${access === "internal" ? "the VPC" : "anywhere"}`,
                tags,
            },
            child,
        );
        if (access === "internal") {
            // Named by the block, not by its place in the list: a data plane leaving the list then removes its own
            // rule instead of shifting the others onto blocks that still have one (AWS refuses duplicate rules).
            (args.dataPlaneCidrs ?? []).forEach(
                (cidr) =>
                    new aws.vpc.SecurityGroupIngressRule(
                        `${name}-https-data-plane-${cidr.replace(/[./]/g, "-")}`,
                        {
                            securityGroupId: this.securityGroup.id,
                            cidrIpv4: cidr,
                            ipProtocol: "tcp",
                            fromPort: HTTPS_PORT,
                            toPort: HTTPS_PORT,
                            description: `HTTPS to Flyte from a data plane's block ${cidr}`,
                            tags,
                        },
                        child,
                    ),
            );
        }
        for (const rule of nodePortRules()) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-to-nodes-${rule.port}`,
                {
                    securityGroupId: this.securityGroup.id,
                    referencedSecurityGroupId: args.nodeSecurityGroupId,
                    ipProtocol: "tcp",
                    fromPort: rule.port,
                    toPort: rule.port,
                    description: `${rule.description} on the EKS nodes`,
                    tags,
                },
                child,
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-nodes-from-alb-${rule.port}`,
                {
                    securityGroupId: args.nodeSecurityGroupId,
                    referencedSecurityGroupId: this.securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: rule.port,
                    toPort: rule.port,
                    description: `${rule.description} from Flyte's ALB`,
                    tags,
                },
                child,
            );
        }

        this.loadBalancer = new aws.lb.LoadBalancer(
            `${name}-lb`,
            {
                name: names.loadBalancer,
                loadBalancerType: "application",
                internal: placement.internal,
                subnets: placement.subnets === "private" ? args.privateSubnetIds : args.publicSubnetIds,
                securityGroups: [this.securityGroup.id],
                ipAddressType: "ipv4",
                // gRPC clients speak HTTP/2 to the listener.
                enableHttp2: true,
                dropInvalidHeaderFields: true,
                enableDeletionProtection: args.deletionProtection,
                tags,
            },
            // ELB refuses an internet-facing load balancer in a VPC without an internet gateway.
            { ...child, dependsOn: placement.subnets === "public" ? [...args.publicRouting] : [] },
        );

        const targetGroup = (suffix: string, groupName: string, settings: TargetGroupSettings) =>
            new aws.lb.TargetGroup(
                `${name}-${suffix}`,
                { name: groupName, vpcId: args.vpcId, ...settings, healthCheck: { ...settings.healthCheck }, tags },
                child,
            );
        this.httpTargetGroup = targetGroup("http", names.httpTargetGroup, httpTargetGroup());
        this.grpcTargetGroup = targetGroup("grpc", names.grpcTargetGroup, grpcTargetGroup(args.authenticated));
        // The node group's instances become targets as its Auto Scaling group launches them, and are deregistered
        // (after the target group's deregistration delay) as it terminates them.
        for (const [suffix, group] of [["http", this.httpTargetGroup], ["grpc", this.grpcTargetGroup]] as const) {
            new aws.autoscaling.Attachment(
                `${name}-${suffix}-nodes`,
                { autoscalingGroupName: args.nodeAutoscalingGroupName, lbTargetGroupArn: group.arn },
                child,
            );
        }

        this.listener = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port: HTTPS_PORT,
                protocol: "HTTPS",
                sslPolicy: ALB_TLS_POLICY,
                certificateArn: args.certificateArn,
                defaultActions: [{ type: "forward", targetGroupArn: this.httpTargetGroup.arn }],
                tags,
            },
            child,
        );
        new aws.lb.ListenerRule(
            `${name}-grpc`,
            {
                listenerArn: this.listener.arn,
                priority: GRPC_RULE_PRIORITY,
                conditions: grpcRuleConditions(),
                actions: [{ type: "forward", targetGroupArn: this.grpcTargetGroup.arn }],
                tags,
            },
            child,
        );

        if (args.dnsZone) {
            new aws.route53.Record(
                `${name}-address`,
                {
                    zoneId: args.dnsZone,
                    name: args.hostname,
                    type: "A",
                    aliases: [{ name: this.loadBalancer.dnsName, zoneId: this.loadBalancer.zoneId, evaluateTargetHealth: true }],
                },
                child,
            );
            this.dnsRecordsToCreate = pulumi.output([]);
        } else {
            this.dnsRecordsToCreate = this.loadBalancer.dnsName.apply((dnsName) => [addressRecordToCreate(args.hostname, dnsName)]);
        }

        this.registerOutputs({ loadBalancerDnsName: this.loadBalancer.dnsName });
    }
}
