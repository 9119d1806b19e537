import type { EndpointAccess } from "../contract/config";

/**
 * The Kubernetes objects that put Flyte behind a GKE Gateway (an L7 load balancer terminating TLS with a
 * Certificate Manager certificate), as plain objects: the Gateway, the HTTPRoute carrying the console, the REST API
 * and gRPC on one name, and GKE's policies for the backends' health check and timeout. The tests validate each
 * against the Gateway API's and GKE's published schemas.
 */

/**
 * The GatewayClass of each access: an internal Application Load Balancer in the region (reachable from the VPC and
 * peered networks), or the global external Application Load Balancer.
 * https://cloud.google.com/kubernetes-engine/docs/concepts/gateway-api#gatewayclass
 */
export const GATEWAY_CLASSES: Readonly<Record<EndpointAccess, string>> = {
    internal: "gke-l7-rilb",
    public: "gke-l7-global-external-managed",
};

/** The ports Flyte's pods serve (flyte-binary's pod and flyte-core's endpoint proxy alike): HTTP and gRPC (h2c). */
export const FLYTE_POD_PORTS = { http: 8088, grpc: 8089 } as const;

/**
 * The gRPC services flyteadmin registers (flyteadmin/pkg/server/service.go at v1.16.8: AdminService, the auth
 * services with authentication on, DataProxyService, SignalService, and the standard health service). Their
 * methods are called at `/<package>.<Service>/<Method>`; everything else on the name is HTTP (console, REST API,
 * sign-in). AgentMetadataService and the other agent services are served by agents, not flyteadmin.
 */
export const FLYTE_GRPC_SERVICES = [
    "flyteidl.service.AdminService",
    "flyteidl.service.AuthMetadataService",
    "flyteidl.service.IdentityService",
    "flyteidl.service.DataProxyService",
    "flyteidl.service.SignalService",
    "grpc.health.v1.Health",
] as const;

/**
 * The path prefixes of the gRPC services. A Gateway API PathPrefix matches whole path elements
 * (https://gateway-api.sigs.k8s.io/reference/spec/#pathmatchtype), so `/flyteidl.service.` would match nothing:
 * each service is its own prefix, `/flyteidl.service.AdminService` matching `/flyteidl.service.AdminService/…`.
 */
export function grpcPathPrefixes(): string[] {
    return FLYTE_GRPC_SERVICES.map((service) => `/${service}`);
}

/** Where flyteadmin answers health checks on its HTTP port, without authentication, on both charts. */
export const FLYTE_HEALTH_CHECK_PATH = "/healthcheck";

/**
 * The backend service timeout, as the flyte-core endpoint proxy's `proxy_read_timeout`: the load balancer's default
 * of 30 seconds cuts off slow API calls (registering large workflows, listing many executions).
 */
export const BACKEND_TIMEOUT_SECONDS = 300;

/** The `appProtocol` that makes GKE's Gateway speak HTTP/2 over cleartext (h2c) to a Service port. */
export const H2C_APP_PROTOCOL = "kubernetes.io/h2c";

/** The Gateway's annotation naming the Certificate Manager map a global Gateway takes its certificates from. */
export const CERTMAP_ANNOTATION = "networking.gke.io/certmap";
/** The listener TLS option naming regional Certificate Manager certificates. */
export const CERT_MANAGER_CERTS_OPTION = "networking.gke.io/cert-manager-certs";

/** The Gateway API's version GKE serves in its standard channel. */
export const GATEWAY_API_VERSION = "gateway.networking.k8s.io/v1";
/** GKE's Gateway policies. */
export const GKE_POLICY_API_VERSION = "networking.gke.io/v1";

/** A Kubernetes object as declared: apiVersion, kind, metadata and spec. */
export interface Manifest {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { readonly name: string; readonly namespace: string; readonly annotations?: Readonly<Record<string, string>> };
    readonly spec: Readonly<Record<string, unknown>>;
}

export interface GatewayManifestArgs {
    /** The Gateway's name. */
    readonly name: string;
    /** The Gateway's namespace (Flyte's: only routes of that namespace attach to it). */
    readonly namespace: string;
    /** Internal (the region's internal load balancer) or public (the global external one). */
    readonly access: EndpointAccess;
    /** The one name the listener serves, e.g. `flyte.ml.example.com`. */
    readonly hostname: string;
    /** The reserved Compute address the load balancer takes (regional internal, or global external), by name. */
    readonly addressName: string;
    /**
     * Where the certificate comes from: internal, the regional Certificate Manager certificate's name; public, the
     * global certificate map's name.
     */
    readonly certificate: string;
}

/**
 * The Gateway: one HTTPS listener on 443 for the name and nothing in plaintext, on the reserved address, admitting
 * HTTPRoutes of its own namespace only.
 *
 * Certificates (https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway): a regional Gateway names
 * regional Certificate Manager certificates in the listener's `tls.options`; a global one takes a certificate map
 * from its annotation, and then its listeners may have no TLS settings at all (GKE refuses them, GWCER105).
 */
export function gatewayManifest(args: GatewayManifestArgs): Manifest {
    const internal = args.access === "internal";
    return {
        apiVersion: GATEWAY_API_VERSION,
        kind: "Gateway",
        metadata: {
            name: args.name,
            namespace: args.namespace,
            ...(internal ? {} : { annotations: { [CERTMAP_ANNOTATION]: args.certificate } }),
        },
        spec: {
            gatewayClassName: GATEWAY_CLASSES[args.access],
            listeners: [
                {
                    name: "https",
                    protocol: "HTTPS",
                    port: 443,
                    hostname: args.hostname,
                    ...(internal ? { tls: { mode: "Terminate", options: { [CERT_MANAGER_CERTS_OPTION]: args.certificate } } } : {}),
                    allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] },
                },
            ],
            addresses: [{ type: "NamedAddress", value: args.addressName }],
        },
    };
}

export interface HttpRouteManifestArgs {
    /** The route's name. */
    readonly name: string;
    /** The route's namespace: the Service's (a route's backends are in its own namespace). */
    readonly namespace: string;
    /** The Gateway it attaches to, in the same namespace. */
    readonly gateway: string;
    /** The one name it serves. */
    readonly hostname: string;
    /** The Service it routes to. */
    readonly service: string;
    /** The Service's HTTP port: the console, the REST API, sign-in. */
    readonly httpPort: number;
    /** The Service's gRPC port (h2c). */
    readonly grpcPort: number;
}

/** The route: gRPC services' paths to the Service's gRPC port, everything else to its HTTP port, on the one name. */
export function httpRouteManifest(args: HttpRouteManifestArgs): Manifest {
    const backend = (port: number) => [{ kind: "Service", name: args.service, port }];
    return {
        apiVersion: GATEWAY_API_VERSION,
        kind: "HTTPRoute",
        metadata: { name: args.name, namespace: args.namespace },
        spec: {
            parentRefs: [{ group: "gateway.networking.k8s.io", kind: "Gateway", name: args.gateway, sectionName: "https" }],
            hostnames: [args.hostname],
            rules: [
                {
                    matches: grpcPathPrefixes().map((value) => ({ path: { type: "PathPrefix", value } })),
                    backendRefs: backend(args.grpcPort),
                },
                {
                    matches: [{ path: { type: "PathPrefix", value: "/" } }],
                    backendRefs: backend(args.httpPort),
                },
            ],
        },
    };
}

export interface ServicePolicyArgs {
    /** The policy's name. */
    readonly name: string;
    /** The policy's namespace: the Service's (GKE attaches policies within a namespace only). */
    readonly namespace: string;
    /** The Service the policy applies to, with all its ports. */
    readonly service: string;
    /** The pods' HTTP port, where flyteadmin answers `/healthcheck`. */
    readonly httpPort: number;
}

/**
 * How the load balancer checks the backends: GET `/healthcheck` on the pods' HTTP port, for both backend services
 * (HTTP and h2c) of the Service, since a HealthCheckPolicy applies to a whole Service
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources#configure_health_check).
 * Without it GKE probes each backend's serving port at `/`, which flyteadmin answers with 404 (the REST gateway
 * knows no such path) and the gRPC port not at all over HTTP/1.1: both backends would be marked unhealthy.
 * A gRPC health check is not an option: with authentication on, flyteadmin's interceptors refuse
 * `grpc.health.v1.Health/Check` without a token, while `/healthcheck` is served outside authentication; the same
 * process serves both ports (flyte-core: the endpoint proxy passes `/healthcheck` on to flyteadmin).
 * A fixed port is allowed for container-native (GCE_VM_IP_PORT) endpoints behind proxy load balancers
 * (https://cloud.google.com/load-balancing/docs/health-check-concepts#hc-port-specification), and a health check's
 * protocol need not be the backend's.
 */
export function healthCheckPolicyManifest(args: ServicePolicyArgs): Manifest {
    return {
        apiVersion: GKE_POLICY_API_VERSION,
        kind: "HealthCheckPolicy",
        metadata: { name: args.name, namespace: args.namespace },
        spec: {
            default: {
                checkIntervalSec: 10,
                timeoutSec: 5,
                healthyThreshold: 1,
                unhealthyThreshold: 3,
                config: {
                    type: "HTTP",
                    httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port: args.httpPort, requestPath: FLYTE_HEALTH_CHECK_PATH },
                },
            },
            targetRef: { group: "", kind: "Service", name: args.service },
        },
    };
}

/** The backend services' timeout (BACKEND_TIMEOUT_SECONDS) instead of the load balancer's 30 seconds. */
export function backendPolicyManifest(args: Omit<ServicePolicyArgs, "httpPort">): Manifest {
    return {
        apiVersion: GKE_POLICY_API_VERSION,
        kind: "GCPBackendPolicy",
        metadata: { name: args.name, namespace: args.namespace },
        spec: {
            default: { timeoutSec: BACKEND_TIMEOUT_SECONDS },
            targetRef: { group: "", kind: "Service", name: args.service },
        },
    };
}

export interface GatewayPolicyManifestArgs {
    /** The policy's name. */
    readonly name: string;
    /** The policy's namespace: the Gateway's. */
    readonly namespace: string;
    /** The Gateway it applies to. */
    readonly gateway: string;
    /** The SSL policy (TLS 1.2 or later) of the load balancer's HTTPS proxy, by name. */
    readonly sslPolicy: string;
    /** Internal Gateways: let clients in other regions of the VPC reach it (flyte:loadBalancerGlobalAccess). */
    readonly allowGlobalAccess?: boolean;
}

/**
 * The Gateway's load balancer settings: its SSL policy, so that clients cannot negotiate TLS 1.0 or 1.1 (Google's
 * default SSL policy accepts them), and for an internal Gateway, global access.
 * https://cloud.google.com/kubernetes-engine/docs/how-to/secure-gateway (SSL policies);
 * https://cloud.google.com/kubernetes-engine/docs/how-to/configure-gateway-resources (global access).
 */
export function gatewayPolicyManifest(args: GatewayPolicyManifestArgs): Manifest {
    return {
        apiVersion: GKE_POLICY_API_VERSION,
        kind: "GCPGatewayPolicy",
        metadata: { name: args.name, namespace: args.namespace },
        spec: {
            default: { sslPolicy: args.sslPolicy, ...(args.allowGlobalAccess ? { allowGlobalAccess: true } : {}) },
            targetRef: { group: "gateway.networking.k8s.io", kind: "Gateway", name: args.gateway },
        },
    };
}

export interface HttpsGatewayManifestsArgs {
    /** Internal or public. */
    readonly access: EndpointAccess;
    /** The name served. */
    readonly hostname: string;
    /** Flyte's namespace: every object is in it. */
    readonly namespace: string;
    /** Flyte's endpoint Service: every object is named after it. */
    readonly service: string;
    /** The Service's HTTP port. */
    readonly httpPort: number;
    /** The Service's gRPC port (h2c). */
    readonly grpcPort: number;
    /** The reserved address, by name. */
    readonly addressName: string;
    /** Internal: the regional certificate's name; public: the certificate map's name. */
    readonly certificate: string;
    /** The SSL policy, by name. */
    readonly sslPolicy: string;
    /** Internal only: global access. */
    readonly allowGlobalAccess: boolean;
}

/** Everything in Flyte's namespace that puts its endpoint Service behind the Gateway, named after the Service. */
export interface HttpsGatewayManifests {
    readonly gateway: Manifest;
    readonly route: Manifest;
    readonly healthCheck: Manifest;
    readonly backendPolicy: Manifest;
    readonly gatewayPolicy: Manifest;
}

export function httpsGatewayManifests(args: HttpsGatewayManifestsArgs): HttpsGatewayManifests {
    const own = { name: args.service, namespace: args.namespace };
    return {
        gateway: gatewayManifest({ ...own, access: args.access, hostname: args.hostname, addressName: args.addressName, certificate: args.certificate }),
        route: httpRouteManifest({ ...own, gateway: args.service, hostname: args.hostname, service: args.service, httpPort: args.httpPort, grpcPort: args.grpcPort }),
        // Health checks go to the pods themselves, on their HTTP port (the Service's targetPort `http`).
        healthCheck: healthCheckPolicyManifest({ ...own, service: args.service, httpPort: FLYTE_POD_PORTS.http }),
        backendPolicy: backendPolicyManifest({ ...own, service: args.service }),
        gatewayPolicy: gatewayPolicyManifest({
            ...own,
            gateway: args.service,
            sslPolicy: args.sslPolicy,
            allowGlobalAccess: args.access === "internal" && args.allowGlobalAccess,
        }),
    };
}
