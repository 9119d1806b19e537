import {
    BACKEND_TIMEOUT_SECONDS,
    CERT_MANAGER_CERTS_OPTION,
    CERTMAP_ANNOTATION,
    FLYTE_GRPC_SERVICES,
    FLYTE_POD_PORTS,
    gatewayManifest,
    grpcPathPrefixes,
    H2C_APP_PROTOCOL,
    httpsGatewayManifests,
    HttpsGatewayManifestsArgs,
    Manifest,
} from "../../../components/gcp/gatewayManifests";
import { arrayAt, at, recordAt, stringAt } from "../../helpers/json";
import { gatewaySchemaProblems } from "../../helpers/gatewaySchemas";

const ARGS: HttpsGatewayManifestsArgs = {
    access: "internal",
    hostname: "flyte.ml.example.com",
    namespace: "team-flyte",
    service: "flyte-binary-https",
    httpPort: 8088,
    grpcPort: 8089,
    addressName: "flyte-dev-flyte-gw",
    certificate: "flyte-dev-flyte",
    sslPolicy: "flyte-dev-flyte-tls",
    allowGlobalAccess: false,
};

const internal = httpsGatewayManifests(ARGS);
const publicGateway = httpsGatewayManifests({ ...ARGS, access: "public", allowGlobalAccess: true });
const all = (m: typeof internal): Manifest[] => [m.gateway, m.route, m.healthCheck, m.backendPolicy, m.gatewayPolicy];

/**
 * Which backend port a request path goes to under the Gateway API's rules for these routes: a PathPrefix matches
 * whole path elements (`/abc` matches `/abc` and `/abc/…`, not `/abcd`), and the longest matching prefix wins
 * (https://gateway-api.sigs.k8s.io/reference/spec/#httproutematch, HTTPRouteRule precedence).
 */
function routeFor(route: Manifest, path: string): number | undefined {
    let best: { length: number; port: number } | undefined;
    for (const rule of arrayAt(route.spec, "rules")) {
        for (const match of arrayAt(rule, "matches")) {
            expect(stringAt(match, "path", "type")).toBe("PathPrefix");
            const prefix = stringAt(match, "path", "value").replace(/\/$/, "");
            const matches = prefix === "" || path === prefix || path.startsWith(`${prefix}/`);
            if (matches && (best === undefined || prefix.length > best.length)) {
                best = { length: prefix.length, port: Number(at(rule, "backendRefs", 0, "port")) };
            }
        }
    }
    return best?.port;
}

describe("schemas", () => {
    test("every object, internal and public, is valid against the Gateway API's and GKE's schemas, strictly", () => {
        expect(gatewaySchemaProblems([...all(internal), ...all(publicGateway)])).toEqual([]);
    });

    test("the check finds what is wrong: an unknown field, a bad hostname, an unknown health check type", () => {
        const gateway = gatewayManifest({ ...ARGS, name: ARGS.service, certificate: "c", hostname: "Flyte_Example" });
        const badPolicy = { ...internal.healthCheck, spec: { ...internal.healthCheck.spec, default: { config: { type: "GRPCS" } } } };
        const unknown = { ...internal.route, spec: { ...internal.route.spec, hostname: "x" } };
        const problems = gatewaySchemaProblems([gateway, badPolicy, unknown]);
        expect(problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^Gateway team-flyte\/flyte-binary-https: \/spec\/listeners\/0\/hostname pattern /),
                expect.stringMatching(/^HealthCheckPolicy team-flyte\/flyte-binary-https: \/spec\/default\/config\/type enum /),
                "HTTPRoute team-flyte/flyte-binary-https: spec.hostname: unknown field",
            ]),
        );
    });
});

describe("the Gateway", () => {
    test("internal: the regional internal class, one HTTPS listener with the regional certificate, on the reserved address", () => {
        const { gateway } = internal;
        expect(gateway.metadata).toEqual({ name: "flyte-binary-https", namespace: "team-flyte" });
        expect(gateway.spec).toEqual({
            gatewayClassName: "gke-l7-rilb",
            listeners: [
                {
                    name: "https",
                    protocol: "HTTPS",
                    port: 443,
                    hostname: "flyte.ml.example.com",
                    tls: { mode: "Terminate", options: { [CERT_MANAGER_CERTS_OPTION]: "flyte-dev-flyte" } },
                    allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] },
                },
            ],
            addresses: [{ type: "NamedAddress", value: "flyte-dev-flyte-gw" }],
        });
        expect(CERT_MANAGER_CERTS_OPTION).toBe("networking.gke.io/cert-manager-certs");
    });

    test("public: the global external class, the certificate map in the annotation and no TLS settings on the listener", () => {
        const { gateway } = publicGateway;
        expect(gateway.metadata.annotations).toEqual({ "networking.gke.io/certmap": "flyte-dev-flyte" });
        expect(CERTMAP_ANNOTATION).toBe("networking.gke.io/certmap");
        expect(stringAt(gateway.spec, "gatewayClassName")).toBe("gke-l7-global-external-managed");
        const listeners = arrayAt(gateway.spec, "listeners");
        expect(listeners).toHaveLength(1);
        expect(listeners[0]).toEqual({
            name: "https",
            protocol: "HTTPS",
            port: 443,
            hostname: "flyte.ml.example.com",
            allowedRoutes: { namespaces: { from: "Same" }, kinds: [{ kind: "HTTPRoute" }] },
        });
        expect(at(gateway.spec, "addresses")).toEqual([{ type: "NamedAddress", value: "flyte-dev-flyte-gw" }]);
    });

    test("nothing is served in plaintext: no listener but HTTPS on 443, either access", () => {
        for (const m of [internal, publicGateway]) {
            expect(arrayAt(m.gateway.spec, "listeners").map((l) => `${stringAt(l, "protocol")}:${String(at(l, "port"))}`)).toEqual(["HTTPS:443"]);
        }
    });
});

describe("the route", () => {
    test("attaches to the Gateway's HTTPS listener, for the one name", () => {
        expect(internal.route.metadata).toEqual({ name: "flyte-binary-https", namespace: "team-flyte" });
        expect(at(internal.route.spec, "parentRefs")).toEqual([
            { group: "gateway.networking.k8s.io", kind: "Gateway", name: "flyte-binary-https", sectionName: "https" },
        ]);
        expect(at(internal.route.spec, "hostnames")).toEqual(["flyte.ml.example.com"]);
        for (const rule of arrayAt(internal.route.spec, "rules")) {
            expect(arrayAt(rule, "backendRefs").map((b) => stringAt(b, "name"))).toEqual(["flyte-binary-https"]);
            expect(stringAt(rule, "backendRefs", 0, "kind")).toBe("Service");
        }
    });

    test("flyteadmin's gRPC services go to the gRPC port, everything else to the HTTP port", () => {
        const route = internal.route;
        for (const path of [
            "/flyteidl.service.AdminService/CreateExecution",
            "/flyteidl.service.AdminService/ListProjects",
            "/flyteidl.service.AuthMetadataService/GetOAuth2Metadata",
            "/flyteidl.service.AuthMetadataService/GetPublicClientConfig",
            "/flyteidl.service.IdentityService/UserInfo",
            "/flyteidl.service.DataProxyService/CreateUploadLocation",
            "/flyteidl.service.SignalService/SetSignal",
            "/grpc.health.v1.Health/Check",
        ]) {
            expect([path, routeFor(route, path)]).toEqual([path, 8089]);
        }
        for (const path of [
            "/",
            "/console",
            "/console/projects/flytesnacks/executions",
            "/api/v1/projects",
            "/healthcheck",
            "/login",
            "/callback",
            "/oauth2/token",
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
            "/flyteidl.service.AdminServiceX/ListProjects",
            "/flyteidl.service.",
        ]) {
            expect([path, routeFor(route, path)]).toEqual([path, 8088]);
        }
    });

    test("one prefix per gRPC service flyteadmin v1.16.8 registers, each a whole path element", () => {
        expect([...FLYTE_GRPC_SERVICES]).toEqual([
            "flyteidl.service.AdminService",
            "flyteidl.service.AuthMetadataService",
            "flyteidl.service.IdentityService",
            "flyteidl.service.DataProxyService",
            "flyteidl.service.SignalService",
            "grpc.health.v1.Health",
        ]);
        expect(grpcPathPrefixes()).toEqual(FLYTE_GRPC_SERVICES.map((s) => `/${s}`));
        expect(grpcPathPrefixes().every((p) => /^\/[A-Za-z0-9.]+$/.test(p))).toBe(true);
    });

    test("the ports are the Service's, as given", () => {
        const other = httpsGatewayManifests({ ...ARGS, httpPort: 80, grpcPort: 81 });
        expect(routeFor(other.route, "/grpc.health.v1.Health/Check")).toBe(81);
        expect(routeFor(other.route, "/console")).toBe(80);
    });
});

describe("the policies", () => {
    test("health checks: /healthcheck over HTTP on the pods' HTTP port, for every backend of the Service", () => {
        const { healthCheck } = internal;
        expect(healthCheck.metadata).toEqual({ name: "flyte-binary-https", namespace: "team-flyte" });
        expect(at(healthCheck.spec, "targetRef")).toEqual({ group: "", kind: "Service", name: "flyte-binary-https" });
        expect(at(healthCheck.spec, "default", "config")).toEqual({
            type: "HTTP",
            httpHealthCheck: { portSpecification: "USE_FIXED_PORT", port: 8088, requestPath: "/healthcheck" },
        });
        // The pods' port, whatever the Service's.
        expect(at(httpsGatewayManifests({ ...ARGS, httpPort: 80 }).healthCheck.spec, "default", "config", "httpHealthCheck", "port")).toBe(FLYTE_POD_PORTS.http);
        const checks = recordAt(healthCheck.spec, "default");
        expect(Number(checks.timeoutSec)).toBeLessThanOrEqual(Number(checks.checkIntervalSec));
    });

    test("backend timeout: five minutes on the Service's backends", () => {
        expect(internal.backendPolicy.spec).toEqual({
            default: { timeoutSec: BACKEND_TIMEOUT_SECONDS },
            targetRef: { group: "", kind: "Service", name: "flyte-binary-https" },
        });
        expect(BACKEND_TIMEOUT_SECONDS).toBe(300);
    });

    test("the Gateway's SSL policy; global access only on an internal Gateway that asks for it", () => {
        const target = { group: "gateway.networking.k8s.io", kind: "Gateway", name: "flyte-binary-https" };
        expect(internal.gatewayPolicy.spec).toEqual({ default: { sslPolicy: "flyte-dev-flyte-tls" }, targetRef: target });
        expect(httpsGatewayManifests({ ...ARGS, allowGlobalAccess: true }).gatewayPolicy.spec).toEqual({
            default: { sslPolicy: "flyte-dev-flyte-tls", allowGlobalAccess: true },
            targetRef: target,
        });
        // A global Gateway has no global access to give.
        expect(publicGateway.gatewayPolicy.spec).toEqual({ default: { sslPolicy: "flyte-dev-flyte-tls" }, targetRef: target });
    });

    test("every object is in the Service's namespace, named after it", () => {
        for (const m of [...all(internal), ...all(publicGateway)]) {
            expect([m.kind, m.metadata.name, m.metadata.namespace]).toEqual([m.kind, "flyte-binary-https", "team-flyte"]);
        }
    });
});

test("gRPC is spoken to the pods as HTTP/2 without TLS", () => {
    expect(H2C_APP_PROTOCOL).toBe("kubernetes.io/h2c");
    expect(FLYTE_POD_PORTS).toEqual({ http: 8088, grpc: 8089 });
});
