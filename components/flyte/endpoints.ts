import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "./commonValues";

/** Where clients reach Flyte, derived from the address of its load balancer. */
export interface FlyteEndpoints {
    /** `host:port` for gRPC clients (flytectl, pyflyte). */
    readonly grpcEndpoint: string;
    /** Base URL of the HTTP API. */
    readonly httpEndpoint: string;
    /** The Flyte console: `<httpEndpoint>/console`. */
    readonly consoleUrl: string;
    /** Contents of `~/.flyte/config.yaml`. */
    readonly flytectlConfig: string;
}

export function flyteEndpoints(host: string, ports = { http: FLYTE_HTTP_PORT, grpc: FLYTE_GRPC_PORT }): FlyteEndpoints {
    const grpcEndpoint = `${host}:${ports.grpc}`;
    const httpEndpoint = `http://${host}:${ports.http}`;
    return {
        grpcEndpoint,
        httpEndpoint,
        consoleUrl: `${httpEndpoint}/console`,
        flytectlConfig: flytectlConfig(grpcEndpoint),
    };
}

/**
 * Flyte on its own DNS name over HTTPS: gRPC on port 443 of the name (TLS to the load balancer), the console at
 * `https://<name>/console`; flytectl signs in through flyteadmin with PKCE when Flyte authenticates.
 */
export function httpsEndpoints(hostname: string, authenticated: boolean): FlyteEndpoints {
    const httpEndpoint = `https://${hostname}`;
    return {
        grpcEndpoint: `${hostname}:443`,
        httpEndpoint,
        consoleUrl: `${httpEndpoint}/console`,
        flytectlConfig: [
            "admin:",
            // gRPC's dns resolver defaults to port 443 (https://github.com/grpc/grpc/blob/master/doc/naming.md).
            `  endpoint: dns:///${hostname}`,
            "  insecure: false",
            ...(authenticated ? ["  authType: Pkce"] : []),
            "logger:",
            "  show-source: true",
            "  level: 0",
            "",
        ].join("\n"),
    };
}

/**
 * flytectl/pyflyte config for a deployment without Flyte authentication, reached on a private address (an
 * internal load balancer, or a port on the workstation): plaintext gRPC (`insecure: true`).
 */
export function flytectlConfig(grpcEndpoint: string): string {
    return [
        "admin:",
        `  endpoint: dns:///${grpcEndpoint}`,
        "  insecure: true",
        "logger:",
        "  show-source: true",
        "  level: 0",
        "",
    ].join("\n");
}
