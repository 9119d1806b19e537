import { FLYTEADMIN_GRPC_PORT, FLYTEADMIN_HTTP_PORT, FLYTEADMIN_SERVICE, FLYTECONSOLE_HTTP_PORT, FLYTECONSOLE_SERVICE } from "../../../components/flyte/coreValues";
import { endpointProxyConfig, endpointProxySelector, ProxyUpstreams } from "../../../components/flyte/endpointProxy";
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "../../../components/flyte/commonValues";
import { nginxAll, nginxBlock, NginxDirective, nginxFlatten, nginxOne, parseNginx } from "../../helpers/nginx";

/**
 * The location nginx picks for a request URI among a server's prefix locations (`= path` exact, or a plain
 * prefix): an exact match, else the longest matching prefix. (The proxy uses no regular-expression locations.)
 */
function nginxLocationFor(server: readonly NginxDirective[], uri: string): NginxDirective | undefined {
    const path = uri.split("?")[0];
    const locations = nginxAll(server, "location");
    const regexes = locations.filter((l) => l.args[0] === "~" || l.args[0] === "~*");
    if (regexes.length > 0) {
        throw new Error("regular-expression locations are not simulated");
    }
    const exact = locations.find((l) => l.args[0] === "=" && l.args[1] === path);
    if (exact) {
        return exact;
    }
    const prefixes = locations.filter((l) => l.args.length === 1 && path.startsWith(l.args[0]));
    return prefixes.sort((a, b) => b.args[0].length - a.args[0].length)[0];
}

/**
 * endpointProxyConfig: the nginx.conf that gives flyte-core flyte-binary's shape (HTTP with the console under
 * /console and the API elsewhere on 8088, gRPC on 8089), read back as nginx parses it.
 */

/** The chart's Services, as FlyteCore passes them. */
const CHART: ProxyUpstreams = {
    namespace: "flyte",
    admin: { service: FLYTEADMIN_SERVICE, httpPort: FLYTEADMIN_HTTP_PORT, grpcPort: FLYTEADMIN_GRPC_PORT },
    console: { service: FLYTECONSOLE_SERVICE, httpPort: FLYTECONSOLE_HTTP_PORT },
};

/** Unusual names and ports, to show each comes from the arguments. */
const ODD: ProxyUpstreams = {
    namespace: "orchestration",
    admin: { service: "admin-svc", httpPort: 8080, grpcPort: 8181 },
    console: { service: "console-svc", httpPort: 3000 },
};

interface Routes {
    readonly httpListen: readonly string[];
    readonly grpcListen: readonly string[];
    readonly console: string;
    readonly api: string;
    readonly grpc: string;
}

/** Where the parsed config sends each kind of request. */
function routes(conf: readonly NginxDirective[]): Routes {
    const server = nginxBlock(nginxBlock(conf, "http"), "server");
    const stream = nginxBlock(nginxBlock(conf, "stream"), "server");
    const proxyPass = (block: readonly NginxDirective[]) => nginxOne(block, "proxy_pass").args.join(" ");
    return {
        httpListen: nginxOne(server, "listen").args,
        grpcListen: nginxOne(stream, "listen").args,
        console: proxyPass(nginxBlock(server, "location", ["/console"])),
        api: proxyPass(nginxBlock(server, "location", ["/"])),
        grpc: proxyPass(stream),
    };
}

describe.each([
    ["the chart's Services", CHART],
    ["other names and ports", ODD],
])("with %s", (_label, upstreams) => {
    const text = endpointProxyConfig(upstreams);
    // Parsed in each test, so that a syntax error fails the tests rather than the file.
    let parsed: NginxDirective[] | undefined;
    const config = (): NginxDirective[] => (parsed ??= parseNginx(text));
    const fqdn = (service: string, port: number) => `${service}.${upstreams.namespace}.svc.cluster.local:${port}`;

    test("HTTP on 8088 and gRPC on 8089, the ports the endpoint Service targets", () => {
        const r = routes(config());
        expect(r.httpListen).toEqual(["8088"]);
        expect(r.grpcListen).toEqual(["8089"]);
        expect([FLYTE_HTTP_PORT, FLYTE_GRPC_PORT]).toEqual([8088, 8089]);
    });

    test("/console goes to the console, / to flyteadmin's HTTP port, the stream to its gRPC port", () => {
        expect(routes(config())).toMatchObject({
            console: `http://${fqdn(upstreams.console.service, upstreams.console.httpPort)}`,
            api: `http://${fqdn(upstreams.admin.service, upstreams.admin.httpPort)}`,
            // A TCP stream: no scheme, HTTP/2 (gRPC) passes through untouched.
            grpc: fqdn(upstreams.admin.service, upstreams.admin.grpcPort),
        });
    });

    test("every upstream is a fully qualified Service name in the given namespace", () => {
        const passes = nginxFlatten(config()).filter((d) => d.name === "proxy_pass");
        expect(passes).toHaveLength(3);
        for (const pass of passes) {
            expect(pass.args).toHaveLength(1);
            expect(pass.args[0]).toMatch(
                new RegExp(`^(http://)?[a-z0-9-]+\\.${upstreams.namespace}\\.svc\\.cluster\\.local:\\d+$`),
            );
        }
    });

    test("only the health check, the console and the API are routed", () => {
        const server = nginxBlock(nginxBlock(config(), "http"), "server");
        expect(nginxAll(server, "location").map((l) => l.args.join(" "))).toEqual(["= /healthz", "/console", "/"]);
        expect(nginxAll(config(), "server")).toEqual([]);
        expect(nginxAll(config(), "http")).toHaveLength(1);
        expect(nginxAll(config(), "stream")).toHaveLength(1);
    });

    test("with sign-in, flyteadmin's own pages and endpoints (login, callback, OAuth2, discovery, client config) reach flyteadmin", () => {
        const server = nginxBlock(nginxBlock(config(), "http"), "server");
        const admin = `http://${fqdn(upstreams.admin.service, upstreams.admin.httpPort)}`;
        const upstreamOf = (uri: string) => nginxAll(nginxLocationFor(server, uri)?.block ?? [], "proxy_pass").map((d) => d.args.join(" "));
        // What flyteadmin v1.16.8 serves for authentication: auth/handlers.go RegisterHandlers (/login, /callback,
        // /logout, /.well-known/openid-configuration), auth/authzserver/initialize.go and metadata.go (/oauth2/*),
        // and the grpc-gateway routes of the auth and identity services (/.well-known/oauth-authorization-server,
        // /config/v1/flyte_client, /me).
        for (const uri of [
            "/login",
            "/login?redirect_url=/console",
            "/callback?code=abc&state=xyz",
            "/logout",
            "/me",
            "/oauth2/token",
            "/oauth2/authorize",
            "/oauth2/authorize_callback",
            "/oauth2/jwks",
            "/.well-known/oauth-authorization-server",
            "/.well-known/openid-configuration",
            "/config/v1/flyte_client",
            "/api/v1/projects",
        ]) {
            expect([uri, upstreamOf(uri)]).toEqual([uri, [admin]]);
        }
        expect(upstreamOf("/console/projects")).toEqual([`http://${fqdn(upstreams.console.service, upstreams.console.httpPort)}`]);
    });

    test("/healthz answers 200 itself, without an upstream", () => {
        const server = nginxBlock(nginxBlock(config(), "http"), "server");
        const health = nginxBlock(server, "location", ["=", "/healthz"]);
        expect(nginxOne(health, "return").args).toEqual(["200", "ok"]);
        expect(nginxAll(health, "proxy_pass")).toEqual([]);
    });

    test("proxied HTTP keeps the client's host and scheme and uses HTTP/1.1", () => {
        const server = nginxBlock(nginxBlock(config(), "http"), "server");
        for (const path of ["/console", "/"]) {
            const location = nginxBlock(server, "location", [path]);
            expect(nginxOne(location, "proxy_http_version").args).toEqual(["1.1"]);
            expect(nginxOne(location, "proxy_set_header", ["Host", "$host"])).toBeDefined();
            expect(nginxOne(location, "proxy_set_header", ["X-Forwarded-Proto", "$scheme"])).toBeDefined();
        }
    });

    test("everything nginx writes goes under /tmp (the root filesystem is read-only)", () => {
        expect(nginxOne(config(), "pid").args).toEqual(["/tmp/nginx.pid"]);
        const temps = nginxFlatten(config()).filter((d) => d.name.endsWith("_temp_path"));
        // Every temp path the http module has; left at its default, nginx would try to create it in the image.
        expect(temps.map((d) => d.name).sort()).toEqual([
            "client_body_temp_path",
            "fastcgi_temp_path",
            "proxy_temp_path",
            "scgi_temp_path",
            "uwsgi_temp_path",
        ]);
        for (const temp of temps) {
            expect(temp.args[0]).toMatch(/^\/tmp\/[a-z_]+$/);
        }
        // Logs go to the container's streams, not to files.
        expect(nginxOne(config(), "error_log").args[0]).toBe("/dev/stderr");
        for (const log of nginxFlatten(config()).filter((d) => d.name === "access_log")) {
            expect(log.args).toEqual(["off"]);
        }
    });

    test("braces balance and every line ends a directive or opens or closes a block", () => {
        let depth = 0;
        for (const c of text.replace(/'[^']*'|"[^"]*"/g, "")) {
            depth += c === "{" ? 1 : c === "}" ? -1 : 0;
            expect(depth).toBeGreaterThanOrEqual(0);
        }
        expect(depth).toBe(0);
        const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
        for (const line of lines) {
            expect(line).toMatch(/[;{}]$/);
        }
        expect(text.endsWith("\n")).toBe(true);
    });
});

describe("the config parser the tests above rely on", () => {
    test("rejects what nginx would reject", () => {
        expect(() => parseNginx("http {\n listen 80;\n")).toThrow(/not closed/);
        expect(() => parseNginx("listen 80;\n}\n")).toThrow(/closes no block/);
        expect(() => parseNginx("server {\n listen 80\n}\n")).toThrow(/not terminated/);
        expect(() => parseNginx("pid /tmp/x.pid")).toThrow(/not terminated/);
    });
});

test("the proxy pods' selector is stable and names the proxy", () => {
    expect(endpointProxySelector()).toEqual({
        "app.kubernetes.io/name": "flyte-endpoint-proxy",
        "app.kubernetes.io/component": "flyte-endpoint",
    });
    // A fresh object each time: a caller that adds labels cannot change the selector.
    expect(endpointProxySelector()).not.toBe(endpointProxySelector());
});
