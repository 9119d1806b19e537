/**
 * The policy pack's rules for Flyte on its own name over HTTPS (policy/policies.ts): HTTPS only on what faces the
 * internet (public-load-balancer-https-only), a certificate on every listener that terminates TLS
 * (tls-listener-certificate), and the L7 load balancers no-public-load-balancer-without-auth refuses without Flyte's
 * authentication (an internet-facing AWS load balancer, a Gateway of an external class). Each policy is called
 * directly on resources built by hand, as test/policy/policies.test.ts does for the others.
 */
import type { PolicyResource } from "@pulumi/policy";
import {
    EXTERNAL_GATEWAY_CLASSES,
    GATEWAY_CERTIFICATE_OPTIONS,
    GATEWAY_CERTMAP_ANNOTATION,
    noPublicLoadBalancerWithoutAuth,
    policies,
    publicLoadBalancerHttpsOnly,
    tlsListenerCertificate,
} from "../../policy/policies";
import { attachedBy, packViolations, policyResource, resourceViolations, stackReports, stackViolations } from "../helpers/policy";

/** The engine's own proxy over resource properties during a preview, and its placeholders for values not known yet. */
const engine = jest.requireActual<{
    unknownCheckingProxy: <T extends object>(props: T) => T;
    unknownStringValue: string;
}>("@pulumi/policy/proxy");

const T = {
    lb: "aws:lb/loadBalancer:LoadBalancer",
    albLb: "aws:alb/loadBalancer:LoadBalancer",
    classicElb: "aws:elb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    albListener: "aws:alb/listener:Listener",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    albListenerRule: "aws:alb/listenerRule:ListenerRule",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    gateway: "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    gatewayV1beta1: "kubernetes:gateway.networking.k8s.io/v1beta1:Gateway",
    httpRoute: "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    release: "kubernetes:helm.sh/v3:Release",
    service: "kubernetes:core/v1:Service",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
} as const;

const LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/flyte/50dc6c495c0c9188";
const CERT_ARN = "arn:aws:acm:eu-west-1:123456789012:certificate/8c6c1f0e-9d6f-4c5b-a1f3-0b6f1c7d2e3a";
const GOOD_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

const forward = { type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/flyte-http/1" };
const redirectToHttps = { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } };
const fixedResponse = { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } };

/** An ALB; `internal` undefined leaves it out (AWS then makes it internet-facing). */
function loadBalancer(name: string, internal: boolean | undefined, type: string = T.lb): PolicyResource {
    return policyResource(type, { loadBalancerType: "application", ...(internal === undefined ? {} : { internal }) }, { name });
}

interface ListenerOptions {
    /** The load balancer it belongs to, as `loadBalancerArn: lb.arn` says (a property dependency). */
    readonly on?: PolicyResource;
    readonly protocol?: string | null;
    readonly actions?: unknown[];
    readonly type?: string;
    readonly extra?: Record<string, unknown>;
}

/** A listener; `protocol: null` leaves the protocol out. */
function listener(name: string, options: ListenerOptions = {}): PolicyResource {
    const protocol = options.protocol === undefined ? "HTTP" : options.protocol;
    return policyResource(
        options.type ?? T.listener,
        {
            loadBalancerArn: LB_ARN,
            port: protocol === "HTTPS" ? 443 : 80,
            ...(protocol === null ? {} : { protocol }),
            defaultActions: options.actions ?? [forward],
            ...options.extra,
        },
        options.on === undefined ? { name } : attachedBy("loadBalancerArn", options.on, name),
    );
}

/** A listener rule on `of` (a property dependency, as `listenerArn: listener.arn` gives). */
function rule(name: string, of: PolicyResource | undefined, actions: unknown[], type: string = T.listenerRule): PolicyResource {
    const props = {
        listenerArn: `${LB_ARN.replace(":loadbalancer/", ":listener/")}/f2f7dc8efc522ab2`,
        priority: 10,
        actions,
        conditions: [{ pathPattern: { values: ["/flyteidl.service.*"] } }],
    };
    return policyResource(type, props, of === undefined ? { name } : attachedBy("listenerArn", of, name));
}

interface GatewayOptions {
    readonly namespace?: string | undefined;
    readonly annotations?: Record<string, string>;
    readonly type?: string;
}

function gateway(name: string, gatewayClassName: string | undefined, listeners: unknown[], options: GatewayOptions = {}): PolicyResource {
    const namespace = "namespace" in options ? options.namespace : "flyte";
    return policyResource(
        options.type ?? T.gateway,
        {
            apiVersion: "gateway.networking.k8s.io/v1",
            kind: "Gateway",
            metadata: { name, ...(namespace === undefined ? {} : { namespace }), ...(options.annotations ? { annotations: options.annotations } : {}) },
            spec: { ...(gatewayClassName === undefined ? {} : { gatewayClassName }), listeners },
        },
        { name },
    );
}

const httpListener = { name: "http", protocol: "HTTP", port: 80 };
const httpsWithSecret = { name: "https", protocol: "HTTPS", port: 443, tls: { mode: "Terminate", certificateRefs: [{ kind: "Secret", name: "flyte-tls" }] } };

/** The same resource with its properties behind the engine's preview proxy. */
function inPreview(resource: PolicyResource): PolicyResource {
    return { ...resource, props: engine.unknownCheckingProxy(resource.props) };
}

// ---- public-load-balancer-https-only ----

describe("public-load-balancer-https-only", () => {
    const check = (resources: readonly PolicyResource[]) => stackViolations(publicLoadBalancerHttpsOnly, resources);
    const reports = (resources: readonly PolicyResource[]) => stackReports(publicLoadBalancerHttpsOnly, resources);

    describe("HTTP listeners of an ALB", () => {
        test.each([
            ["internal: false", false],
            ["no internal (AWS's default: internet-facing)", undefined],
        ])("one that forwards, on an internet-facing ALB (%s), is a violation naming the listener and the load balancer", async (_, internal) => {
            const lb = loadBalancer("flyte-alb", internal);
            const http = listener("flyte-http", { on: lb });
            await expect(reports([lb, http])).resolves.toEqual([
                {
                    message:
                        "Listener flyte-http serves plain HTTP on internet-facing load balancer flyte-alb: its default action has a forward action; an HTTP listener may only redirect to HTTPS or answer with a fixed response.",
                    urn: http.urn,
                },
            ]);
        });

        test.each([
            ["a redirect to HTTPS", redirectToHttps],
            ["a redirect to https (any case)", { type: "redirect", redirect: { protocol: "https", port: "443", statusCode: "HTTP_301" } }],
            ["a fixed response", fixedResponse],
        ])("one whose default action is %s passes", async (_, action) => {
            const lb = loadBalancer("alb", false);
            await expect(check([lb, listener("http", { on: lb, actions: [action] })])).resolves.toEqual([]);
        });

        test.each([
            ["a redirect that keeps the protocol (no protocol)", { type: "redirect", redirect: { port: "443", statusCode: "HTTP_301" } }, /redirects to the request's own protocol instead of HTTPS/],
            ["a redirect to #{protocol}", { type: "redirect", redirect: { protocol: "#{protocol}", statusCode: "HTTP_302" } }, /redirects to #\{protocol\} instead of HTTPS/],
            ["a redirect to HTTP", { type: "redirect", redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" } }, /redirects to HTTP instead of HTTPS/],
            ["an OIDC sign-in", { type: "authenticate-oidc", authenticateOidc: { issuer: "https://idp" } }, /has a authenticate-oidc action/],
            ["a Cognito sign-in", { type: "authenticate-cognito" }, /has a authenticate-cognito action/],
            ["an action without a type", { targetGroupArn: "arn:aws:elasticloadbalancing:tg" }, /has an action without a type/],
        ])("one whose default action is %s is a violation", async (_, action, message) => {
            const lb = loadBalancer("alb", false);
            await expect(check([lb, listener("http", { on: lb, actions: [action] })])).resolves.toEqual([expect.stringMatching(message)]);
        });

        test("each serving action is reported: a sign-in and then a forward are two", async () => {
            const lb = loadBalancer("alb", false);
            const actions = [{ type: "authenticate-cognito", order: 1 }, { ...forward, order: 2 }];
            await expect(check([lb, listener("http", { on: lb, actions })])).resolves.toEqual([
                expect.stringContaining("has a authenticate-cognito action"),
                expect.stringContaining("has a forward action"),
            ]);
        });

        test("a listener without a protocol is HTTP (the ALB's default)", async () => {
            const lb = loadBalancer("alb", false);
            await expect(check([lb, listener("http", { on: lb, protocol: null })])).resolves.toHaveLength(1);
        });

        test("a listener with the protocol in lower case is HTTP too", async () => {
            const lb = loadBalancer("alb", false);
            await expect(check([lb, listener("http", { on: lb, protocol: "http" })])).resolves.toHaveLength(1);
        });

        test("an HTTP listener that forwards on an internal ALB passes", async () => {
            const lb = loadBalancer("alb", true);
            await expect(check([lb, listener("http", { on: lb })])).resolves.toEqual([]);
        });

        test.each(["HTTPS", "TLS", "TCP"])("a %s listener that forwards passes (certificates are tls-listener-certificate's)", async (protocol) => {
            const lb = loadBalancer("alb", false);
            await expect(check([lb, listener("l", { on: lb, protocol })])).resolves.toEqual([]);
        });

        test("the aws.alb names of the same resources are judged alike", async () => {
            const lb = loadBalancer("alb", false, T.albLb);
            await expect(check([lb, listener("http", { on: lb, type: T.albListener })])).resolves.toHaveLength(1);
            const internal = loadBalancer("alb", true, T.albLb);
            await expect(check([internal, listener("http", { on: internal, type: T.albListener })])).resolves.toEqual([]);
        });
    });

    describe("finding a listener's load balancer", () => {
        test("through the property dependency of loadBalancerArn: the right one of several", async () => {
            const internal = loadBalancer("internal", true);
            const external = loadBalancer("external", false);
            const onInternal = listener("on-internal", { on: internal });
            const onExternal = listener("on-external", { on: external });
            await expect(check([internal, external, onInternal, onExternal])).resolves.toEqual([
                expect.stringContaining("Listener on-external serves plain HTTP on internet-facing load balancer external"),
            ]);
        });

        test("as its parent", async () => {
            const internal = loadBalancer("internal", true);
            const child = policyResource(T.listener, { loadBalancerArn: LB_ARN, protocol: "HTTP", defaultActions: [forward] }, { name: "http", parent: internal });
            await expect(check([internal, child])).resolves.toEqual([]);
        });

        test("by a literal ARN equal to the load balancer's", async () => {
            const internal = policyResource(T.lb, { internal: true, arn: LB_ARN }, { name: "internal" });
            await expect(check([internal, listener("http")])).resolves.toEqual([]);
            const external = policyResource(T.lb, { internal: false, arn: LB_ARN }, { name: "external" });
            await expect(check([external, listener("http")])).resolves.toEqual([expect.stringContaining("internet-facing load balancer external")]);
        });

        test("a load balancer this stack does not declare may face the internet: HTTP may only redirect there", async () => {
            const lonely = listener("http");
            await expect(reports([loadBalancer("unrelated", true), lonely])).resolves.toEqual([
                {
                    message: expect.stringContaining("Listener http serves plain HTTP on a load balancer this stack does not declare (so possibly internet-facing)"),
                    urn: lonely.urn,
                },
            ]);
            await expect(check([listener("http", { actions: [redirectToHttps] })])).resolves.toEqual([]);
        });

        test("during a preview the ARN is not known yet: the property dependency is enough, and the policy does not stop", async () => {
            const internal = inPreview(loadBalancer("internal", true));
            const external = inPreview(loadBalancer("external", false));
            const unknownArn = (on: PolicyResource, name: string) => {
                const l = listener(name, { on });
                return inPreview({ ...l, props: { ...l.props, loadBalancerArn: engine.unknownStringValue } });
            };
            await expect(check([internal, external, unknownArn(internal, "a"), unknownArn(external, "b")])).resolves.toEqual([
                expect.stringContaining("Listener b serves plain HTTP on internet-facing load balancer external"),
            ]);
        });
    });

    describe("listener rules", () => {
        test("a rule that forwards on an HTTP listener of an internet-facing ALB is a violation naming the rule", async () => {
            const lb = loadBalancer("alb", false);
            const http = listener("http", { on: lb, actions: [redirectToHttps] });
            const grpc = rule("grpc", http, [forward]);
            await expect(reports([lb, http, grpc])).resolves.toEqual([
                {
                    message:
                        "Listener rule grpc has a forward action on plain-HTTP listener http of internet-facing load balancer alb: an HTTP listener may only redirect to HTTPS or answer with a fixed response.",
                    urn: grpc.urn,
                },
            ]);
        });

        test("a rule that redirects to HTTPS or answers with a fixed response passes", async () => {
            const lb = loadBalancer("alb", false);
            const http = listener("http", { on: lb, actions: [redirectToHttps] });
            await expect(check([lb, http, rule("a", http, [redirectToHttps]), rule("b", http, [fixedResponse])])).resolves.toEqual([]);
        });

        test("rules that forward on an HTTPS listener, or on an HTTP listener of an internal ALB, pass", async () => {
            const external = loadBalancer("external", false);
            const https = listener("https", { on: external, protocol: "HTTPS" });
            const internal = loadBalancer("internal", true);
            const http = listener("http", { on: internal });
            await expect(check([external, https, internal, http, rule("a", https, [forward]), rule("b", http, [forward])])).resolves.toEqual([]);
        });

        test("a rule of a listener of a load balancer this stack does not declare is judged with it", async () => {
            const http = listener("http", { actions: [redirectToHttps] });
            await expect(check([http, rule("grpc", http, [forward])])).resolves.toEqual([expect.stringContaining("a load balancer this stack does not declare")]);
        });

        test("a rule of a listener another stack declares is left to that stack, where its protocol is known", async () => {
            await expect(check([rule("grpc", undefined, [forward])])).resolves.toEqual([]);
        });

        test("the aws.alb name of a rule is judged alike", async () => {
            const lb = loadBalancer("alb", false);
            const http = listener("http", { on: lb, actions: [redirectToHttps] });
            await expect(check([lb, http, rule("grpc", http, [forward], T.albListenerRule)])).resolves.toHaveLength(1);
        });
    });

    describe("Gateways", () => {
        test.each(EXTERNAL_GATEWAY_CLASSES)("an HTTP listener on a Gateway of the external class %s is a violation naming the Gateway", async (gatewayClass) => {
            const gw = gateway("flyte", gatewayClass, [httpListener, httpsWithSecret]);
            await expect(reports([gw])).resolves.toEqual([
                {
                    message: `Gateway flyte (class ${gatewayClass}) has a plain-HTTP listener http on an internet-facing address: serve HTTPS only.`,
                    urn: gw.urn,
                },
            ]);
        });

        test("each HTTP listener is reported, by name or position", async () => {
            const unnamed = { protocol: "HTTP", port: 8080 };
            await expect(check([gateway("flyte", "gke-l7-global-external-managed", [httpListener, httpsWithSecret, unnamed])])).resolves.toEqual([
                expect.stringContaining("plain-HTTP listener http "),
                expect.stringContaining("plain-HTTP listener #2 "),
            ]);
        });

        test("a v1beta1 Gateway is judged alike", async () => {
            await expect(check([gateway("flyte", "gke-l7-gxlb", [httpListener], { type: T.gatewayV1beta1 })])).resolves.toHaveLength(1);
        });

        test("an external Gateway with HTTPS listeners only passes", async () => {
            await expect(check([gateway("flyte", "gke-l7-regional-external-managed", [httpsWithSecret])])).resolves.toEqual([]);
        });

        test.each(["gke-l7-rilb", "gke-l7-cross-regional-internal-managed-mc", "istio", undefined])(
            "an HTTP listener on a Gateway of class %s (not an external GKE class) passes",
            async (gatewayClass) => {
                await expect(check([gateway("flyte", gatewayClass, [httpListener])])).resolves.toEqual([]);
            },
        );

        test("an HTTPRoute is not a Gateway", async () => {
            const route = policyResource(T.httpRoute, { spec: { gatewayClassName: "gke-l7-gxlb", listeners: [httpListener] } }, { name: "route" });
            await expect(check([route])).resolves.toEqual([]);
        });
    });
});

// ---- tls-listener-certificate ----

describe("tls-listener-certificate", () => {
    const check = (resource: PolicyResource) =>
        resourceViolations(tlsListenerCertificate, resource.type, resource.props, { name: resource.name, urn: resource.urn });
    const httpsListener = (extra: Record<string, unknown>, protocol = "HTTPS", type: string = T.listener) =>
        listener("https", { protocol, extra, type });

    describe("AWS listeners", () => {
        test.each([
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
            "ELBSecurityPolicy-TLS-1-2-2017-01",
            "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
            "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        ])("an HTTPS listener with a certificate and the TLS 1.2+ policy %s passes", async (sslPolicy) => {
            await expect(check(httpsListener({ certificateArn: CERT_ARN, sslPolicy }))).resolves.toEqual([]);
        });

        test.each([
            ["the API's default for TLS 1.0", "ELBSecurityPolicy-2016-08"],
            ["an old default", "ELBSecurityPolicy-2015-05"],
            ["a TLS 1.3 family from TLS 1.0", "ELBSecurityPolicy-TLS13-1-0-2021-06"],
            ["a TLS 1.3 family from TLS 1.1", "ELBSecurityPolicy-TLS13-1-1-2021-06"],
            ["TLS 1.1 and up", "ELBSecurityPolicy-TLS-1-1-2017-01"],
            ["forward secrecy from TLS 1.0", "ELBSecurityPolicy-FS-2018-06"],
            ["forward secrecy from TLS 1.1", "ELBSecurityPolicy-FS-1-1-2019-08"],
            ["a name that only looks alike", "MyELBSecurityPolicy-TLS13-1-2-2021-06"],
        ])("%s (%s) is a violation", async (_, sslPolicy) => {
            await expect(check(httpsListener({ certificateArn: CERT_ARN, sslPolicy }))).resolves.toEqual([
                `Listener https (HTTPS): sslPolicy ${sslPolicy} is not a TLS 1.2+ policy; use ELBSecurityPolicy-TLS13-1-2-… (or -TLS13-1-3-, -TLS-1-2-, -FS-1-2-).`,
            ]);
        });

        test("an HTTPS listener without sslPolicy is a violation: AWS would apply ELBSecurityPolicy-2016-08", async () => {
            await expect(check(httpsListener({ certificateArn: CERT_ARN }))).resolves.toEqual([expect.stringMatching(/must set sslPolicy .*ELBSecurityPolicy-2016-08, which accepts TLS 1.0/)]);
        });

        test.each([
            ["absent", {}],
            ["empty", { certificateArn: "" }],
            ["null", { certificateArn: null }],
        ])("an HTTPS listener whose certificateArn is %s is a violation", async (_, certificate) => {
            await expect(check(httpsListener({ ...certificate, sslPolicy: GOOD_SSL_POLICY }))).resolves.toEqual([
                "Listener https (HTTPS) must set certificateArn: a listener that terminates TLS needs a certificate.",
            ]);
        });

        test("a listener with neither reports both", async () => {
            await expect(check(httpsListener({}))).resolves.toHaveLength(2);
        });

        test("a TLS listener (NLB) needs them as well", async () => {
            await expect(check(httpsListener({}, "TLS"))).resolves.toEqual([
                expect.stringContaining("Listener https (TLS) must set certificateArn"),
                expect.stringContaining("Listener https (TLS) must set sslPolicy"),
            ]);
            await expect(check(httpsListener({ certificateArn: CERT_ARN, sslPolicy: GOOD_SSL_POLICY }, "TLS"))).resolves.toEqual([]);
        });

        test("the protocol in lower case, and the aws.alb name, are judged alike", async () => {
            await expect(check(httpsListener({}, "https"))).resolves.toHaveLength(2);
            await expect(check(httpsListener({}, "HTTPS", T.albListener))).resolves.toHaveLength(2);
        });

        test("a certificate not known yet (a preview) is set, and does not stop the policy", async () => {
            const pending = inPreview(httpsListener({ certificateArn: engine.unknownStringValue, sslPolicy: GOOD_SSL_POLICY }));
            await expect(check(pending)).resolves.toEqual([]);
            const badPolicy = inPreview(httpsListener({ certificateArn: engine.unknownStringValue, sslPolicy: "ELBSecurityPolicy-2016-08" }));
            await expect(check(badPolicy)).resolves.toEqual([expect.stringContaining("is not a TLS 1.2+ policy")]);
        });

        test.each(["HTTP", "TCP", "UDP", null])("a %s listener needs no certificate", async (protocol) => {
            await expect(check(listener("plain", { protocol, actions: [redirectToHttps] }))).resolves.toEqual([]);
        });
    });

    describe("Gateway HTTPS listeners", () => {
        const checkGateway = (listeners: unknown[], options: GatewayOptions = {}) => check(gateway("flyte", "gke-l7-rilb", listeners, options));
        const https = (tls: Record<string, unknown> | undefined, name = "https") => ({ name, protocol: "HTTPS", port: 443, ...(tls === undefined ? {} : { tls }) });

        test("certificateRefs (a Secret) with mode Terminate pass", async () => {
            await expect(checkGateway([httpsWithSecret])).resolves.toEqual([]);
        });

        test("certificateRefs without a mode (the Gateway API's default is Terminate) pass", async () => {
            await expect(checkGateway([https({ certificateRefs: [{ name: "flyte-tls" }] })])).resolves.toEqual([]);
        });

        test.each(GATEWAY_CERTIFICATE_OPTIONS)("the tls option %s passes", async (option) => {
            await expect(checkGateway([https({ mode: "Terminate", options: { [option]: "flyte-cert" } })])).resolves.toEqual([]);
        });

        test("a Certificate Manager map in the Gateway's annotation covers its HTTPS listeners, with no tls at all", async () => {
            const annotations = { [GATEWAY_CERTMAP_ANNOTATION]: "flyte-certmap" };
            await expect(checkGateway([https(undefined), https(undefined, "https-2")], { annotations })).resolves.toEqual([]);
        });

        test.each([
            ["no tls", undefined],
            ["tls without a certificate", { mode: "Terminate" }],
            ["empty certificateRefs", { mode: "Terminate", certificateRefs: [] }],
            ["an empty certificate option", { mode: "Terminate", options: { "networking.gke.io/cert-manager-certs": "" } }],
            ["another option only", { mode: "Terminate", options: { "example.com/other": "x" } }],
        ])("an HTTPS listener with %s is a violation naming the Gateway and the listener", async (_, tls) => {
            await expect(checkGateway([https(tls)])).resolves.toEqual([
                `Gateway flyte, listener https (HTTPS) has no certificate: set tls.certificateRefs, the tls option ${GATEWAY_CERTIFICATE_OPTIONS.join(" or ")}, or the Gateway's annotation ${GATEWAY_CERTMAP_ANNOTATION}.`,
            ]);
        });

        test("another annotation, or an empty certmap, is no certificate", async () => {
            await expect(checkGateway([https(undefined)], { annotations: { "networking.gke.io/other": "x" } })).resolves.toHaveLength(1);
            await expect(checkGateway([https(undefined)], { annotations: { [GATEWAY_CERTMAP_ANNOTATION]: "" } })).resolves.toHaveLength(1);
        });

        test("an HTTPS listener that passes TLS through is a violation, even with a certificate", async () => {
            await expect(checkGateway([https({ mode: "Passthrough", certificateRefs: [{ name: "flyte-tls" }] })])).resolves.toEqual([
                "Gateway flyte, listener https: an HTTPS listener must terminate TLS (tls.mode: Terminate), not Passthrough.",
            ]);
        });

        test("each listener is judged: HTTP ones need nothing, each HTTPS one without a certificate is reported", async () => {
            await expect(checkGateway([httpListener, httpsWithSecret, https(undefined, "a"), { protocol: "HTTPS", port: 8443 }])).resolves.toEqual([
                expect.stringContaining("Gateway flyte, listener a (HTTPS) has no certificate"),
                expect.stringContaining("Gateway flyte, listener #3 (HTTPS) has no certificate"),
            ]);
        });

        test("whatever the class, external or not, and in v1beta1 too", async () => {
            await expect(check(gateway("flyte", "gke-l7-global-external-managed", [https(undefined)]))).resolves.toHaveLength(1);
            await expect(check(gateway("flyte", undefined, [https(undefined)], { type: T.gatewayV1beta1 }))).resolves.toHaveLength(1);
        });

        test("a certificate map or certificate named by an output not known yet (a preview) counts, and does not stop the policy", async () => {
            const byMap = gateway("flyte", "gke-l7-rilb", [https(undefined)], { annotations: { [GATEWAY_CERTMAP_ANNOTATION]: engine.unknownStringValue } });
            await expect(check(inPreview(byMap))).resolves.toEqual([]);
            const byOption = gateway("flyte", "gke-l7-rilb", [https({ options: { "networking.gke.io/cert-manager-certs": engine.unknownStringValue } })]);
            await expect(check(inPreview(byOption))).resolves.toEqual([]);
        });
    });

    test("resources it is not about pass", async () => {
        await expect(check(loadBalancer("alb", false))).resolves.toEqual([]);
        const route = policyResource(T.httpRoute, { spec: { listeners: [{ name: "https", protocol: "HTTPS", port: 443 }] } }, { name: "route" });
        await expect(check(route)).resolves.toEqual([]);
    });
});

// ---- no-public-load-balancer-without-auth: AWS load balancers and Gateways ----

describe("no-public-load-balancer-without-auth: AWS load balancers and Gateways", () => {
    const check = (resources: readonly PolicyResource[]) => stackViolations(noPublicLoadBalancerWithoutAuth, resources);
    const reports = (resources: readonly PolicyResource[]) => stackReports(noPublicLoadBalancerWithoutAuth, resources);
    const binaryAuth = release("flyte", "flyte-binary", { configuration: { auth: { enabled: true } } });
    const binaryNoAuth = release("flyte", "flyte-binary", {});
    const coreValues = { common: { ingress: { enabled: false } } };
    const coreAuth = release("flyte", "flyte-core", { ...coreValues, configmap: { adminServer: { server: { security: { useAuth: true } } } } });
    const coreNoAuth = release("flyte", "flyte-core", coreValues);
    const LB_MESSAGE = (name: string) =>
        `Load balancer ${name} is internet-facing (internal is not true) without Flyte's authentication: make it internal or turn authentication on in the stack's Flyte release.`;
    const GATEWAY_MESSAGE = (name: string, gatewayClass: string) =>
        `Gateway ${name} (class ${gatewayClass}) faces the internet without Flyte's authentication: use an internal class or turn authentication on.`;

    describe("AWS load balancers", () => {
        test.each([
            ["an ALB with internal: false", loadBalancer("alb", false)],
            ["an ALB without internal (AWS's default: internet-facing)", loadBalancer("alb", undefined)],
            ["an aws.alb LoadBalancer", loadBalancer("alb", false, T.albLb)],
            ["an NLB", policyResource(T.lb, { loadBalancerType: "network", internal: false }, { name: "alb" })],
            ["a Classic Load Balancer", policyResource(T.classicElb, { listeners: [] }, { name: "alb" })],
        ])("%s next to a Flyte release without auth is a violation naming it", async (_, lb) => {
            await expect(reports([lb, binaryNoAuth])).resolves.toEqual([{ message: LB_MESSAGE("alb"), urn: lb.urn }]);
            await expect(reports([lb, coreNoAuth])).resolves.toEqual([{ message: LB_MESSAGE("alb"), urn: lb.urn }]);
        });

        test("an internet-facing load balancer in a stack without a Flyte release is a violation", async () => {
            await expect(check([loadBalancer("alb", false)])).resolves.toEqual([LB_MESSAGE("alb")]);
        });

        test("an internet-facing load balancer passes when the stack's Flyte release authenticates, with either chart", async () => {
            await expect(check([loadBalancer("alb", false), binaryAuth])).resolves.toEqual([]);
            await expect(check([loadBalancer("alb", undefined), coreAuth])).resolves.toEqual([]);
        });

        test("with two Flyte releases, both must authenticate: a load balancer cannot tell which it serves", async () => {
            const other = release("flyte-2", "flyte-binary", {}, "flyte-2");
            await expect(check([loadBalancer("alb", false), binaryAuth, other])).resolves.toEqual([LB_MESSAGE("alb")]);
            const otherAuth = release("flyte-2", "flyte-core", coreAuth.props.values as Record<string, unknown>, "flyte-2");
            await expect(check([loadBalancer("alb", false), binaryAuth, otherAuth])).resolves.toEqual([]);
        });

        test("auth must be Flyte's: another chart with the same values does not count", async () => {
            const nginx = policyResource(T.release, { chart: "ingress-nginx", namespace: "flyte", values: binaryAuth.props.values }, { name: "nginx" });
            await expect(check([loadBalancer("alb", false), nginx])).resolves.toHaveLength(1);
        });

        test.each([
            ["an internal ALB", loadBalancer("alb", true)],
            ["an internal Classic Load Balancer", policyResource(T.classicElb, { internal: true }, { name: "elb" })],
        ])("%s passes, with or without Flyte's authentication", async (_, lb) => {
            await expect(check([lb])).resolves.toEqual([]);
            await expect(check([lb, binaryNoAuth])).resolves.toEqual([]);
        });

        test("internal must be the boolean true", async () => {
            await expect(check([policyResource(T.lb, { internal: "true" }, { name: "alb" })])).resolves.toHaveLength(1);
        });

        test("listeners and target groups are not load balancers of their own", async () => {
            const tg = policyResource(T.targetGroup, { port: 30080, protocol: "HTTP" }, { name: "tg" });
            await expect(check([listener("http"), tg, rule("r", undefined, [forward])])).resolves.toEqual([]);
        });
    });

    describe("Gateways", () => {
        test.each(EXTERNAL_GATEWAY_CLASSES)("a Gateway of the external class %s without Flyte's authentication is a violation naming it", async (gatewayClass) => {
            const gw = gateway("flyte-gateway", gatewayClass, [httpsWithSecret]);
            await expect(reports([gw, binaryNoAuth])).resolves.toEqual([{ message: GATEWAY_MESSAGE("flyte-gateway", gatewayClass), urn: gw.urn }]);
            await expect(reports([gw])).resolves.toEqual([{ message: GATEWAY_MESSAGE("flyte-gateway", gatewayClass), urn: gw.urn }]);
        });

        test("an external Gateway in the namespace of an authenticated Flyte release passes, with either chart", async () => {
            const gw = gateway("flyte-gateway", "gke-l7-global-external-managed", [httpsWithSecret]);
            await expect(check([gw, binaryAuth])).resolves.toEqual([]);
            await expect(check([gw, coreAuth])).resolves.toEqual([]);
        });

        test("an external Gateway in another namespace, or without one, is reported despite Flyte's auth", async () => {
            const elsewhere = gateway("shared", "gke-l7-gxlb", [httpsWithSecret], { namespace: "infra" });
            const unplaced = gateway("unplaced", "gke-l7-gxlb", [httpsWithSecret], { namespace: undefined });
            await expect(reports([binaryAuth, elsewhere, unplaced])).resolves.toEqual([
                { message: GATEWAY_MESSAGE("shared", "gke-l7-gxlb"), urn: elsewhere.urn },
                { message: GATEWAY_MESSAGE("unplaced", "gke-l7-gxlb"), urn: unplaced.urn },
            ]);
        });

        test.each(["gke-l7-rilb", "gke-l7-rilb-mc", "gke-l7-cross-regional-internal-managed-mc", undefined])(
            "a Gateway of class %s (internal) passes without Flyte's authentication",
            async (gatewayClass) => {
                await expect(check([gateway("flyte-gateway", gatewayClass, [httpsWithSecret]), binaryNoAuth])).resolves.toEqual([]);
            },
        );

        test("a v1beta1 Gateway is judged alike", async () => {
            await expect(check([gateway("gw", "gke-l7-gxlb", [], { type: T.gatewayV1beta1 })])).resolves.toHaveLength(1);
        });
    });

    test("Services, then Ingresses, then Gateways, then AWS load balancers, then releases: everything is reported once", async () => {
        const service = policyResource(T.service, { metadata: { name: "lb", namespace: "flyte" }, spec: { type: "LoadBalancer" } }, { name: "lb" });
        const ingress = policyResource(T.ingress, { metadata: { name: "web", namespace: "flyte" }, spec: {} }, { name: "web" });
        const gw = gateway("gw", "gke-l7-gxlb", []);
        const alb = loadBalancer("alb", false);
        const flyte = release("flyte", "flyte-binary", { ingress: { create: true } });
        const found = await reports([flyte, alb, gw, ingress, service]);
        expect(found.map((r) => r.urn)).toEqual([service.urn, ingress.urn, gw.urn, alb.urn, flyte.urn]);
    });
});

// ---- The whole pack on the two HTTPS setups ----

describe("the pack on Flyte over HTTPS", () => {
    test("a public ALB with Flyte's authentication, an HTTP listener that redirects, an HTTPS listener with a certificate and gRPC rules: nothing to report", async () => {
        const alb = loadBalancer("flyte", false);
        const http = listener("flyte-http", { on: alb, actions: [redirectToHttps] });
        const https = listener("flyte-https", { on: alb, protocol: "HTTPS", extra: { certificateArn: CERT_ARN, sslPolicy: GOOD_SSL_POLICY } });
        const grpc = rule("flyte-grpc", https, [forward]);
        const flyte = release("flyte", "flyte-binary", { configuration: { auth: { enabled: true } } });
        await expect(packViolations(policies, [alb, http, https, grpc, flyte])).resolves.toEqual([]);
    });

    test("the same ALB where the HTTP listener forwards, the HTTPS one has no certificate and Flyte does not authenticate: each policy reports its part", async () => {
        const alb = loadBalancer("flyte", false);
        const http = listener("flyte-http", { on: alb });
        const https = listener("flyte-https", { on: alb, protocol: "HTTPS", extra: { sslPolicy: GOOD_SSL_POLICY } });
        const flyte = release("flyte", "flyte-binary", {});
        const found = await packViolations(policies, [alb, http, https, flyte]);
        expect(found.map((v) => [v.policy, v.urn])).toEqual([
            ["no-public-load-balancer-without-auth", alb.urn],
            ["public-load-balancer-https-only", http.urn],
            ["tls-listener-certificate", https.urn],
        ]);
    });

    test("an internal GKE Gateway with a certificate map, HTTPS only, without authentication: nothing to report", async () => {
        const gw = gateway("flyte", "gke-l7-rilb", [{ name: "https", protocol: "HTTPS", port: 443 }], { annotations: { [GATEWAY_CERTMAP_ANNOTATION]: "flyte" } });
        await expect(packViolations(policies, [gw, release("flyte", "flyte-binary", {})])).resolves.toEqual([]);
    });

    test("an external GKE Gateway with an HTTP listener and no certificate, without authentication: each policy reports its part", async () => {
        const gw = gateway("flyte", "gke-l7-global-external-managed", [httpListener, { name: "https", protocol: "HTTPS", port: 443 }]);
        const found = await packViolations(policies, [gw, release("flyte", "flyte-binary", {})]);
        expect(found.map((v) => [v.policy, v.urn])).toEqual([
            ["no-public-load-balancer-without-auth", gw.urn],
            ["public-load-balancer-https-only", gw.urn],
            ["tls-listener-certificate", gw.urn],
        ]);
    });
});

function release(name: string, chart: string, values: Record<string, unknown>, namespace = "flyte"): PolicyResource {
    return policyResource(T.release, { chart, namespace, values }, { name });
}
