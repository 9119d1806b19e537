import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "./binaryValues";

/** Where clients reach Flyte, derived from the address of its load balancer. */
export interface FlyteEndpoints {
    /** `host:port` for gRPC clients (flytectl, pyflyte). */
    readonly grpcEndpoint: string;
    /** Base URL of the HTTP API. */
    readonly httpEndpoint: string;
    readonly consoleUrl: string;
    /** Contents of `~/.flyte/config.yaml`. */
    readonly flytectlConfig: string;
}

export function flyteEndpoints(host: string): FlyteEndpoints {
    const grpcEndpoint = `${host}:${FLYTE_GRPC_PORT}`;
    const httpEndpoint = `http://${host}:${FLYTE_HTTP_PORT}`;
    return {
        grpcEndpoint,
        httpEndpoint,
        consoleUrl: `${httpEndpoint}/console`,
        flytectlConfig: flytectlConfig(grpcEndpoint),
    };
}

/**
 * flytectl/pyflyte config for a deployment without Flyte authentication, reached on a private address:
 * plaintext gRPC (`insecure: true`), as the load balancer is internal to the network.
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
