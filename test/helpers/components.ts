import type { RecordedResource } from "../../lib/plan/monitor";
import { Plan, runProgram } from "../../lib/plan/runPlan";

/** Runs a few component declarations under the plan's mocks and returns what they registered. */
export function runComponents(program: () => Record<string, unknown>): Promise<Plan> {
    return runProgram({ project: "flyte", stack: "test", config: {}, program });
}

export function childrenOf(plan: Plan, parent: RecordedResource): RecordedResource[] {
    return plan.resources.filter((r) => r.parent === parent.urn);
}

export function component(plan: Plan, type: string): RecordedResource {
    const found = plan.resources.filter((r) => r.type === type);
    if (found.length !== 1) {
        throw new Error(`expected one component ${type}, found ${found.length}`);
    }
    return found[0];
}

/** Whether a resource is registered with the provider resource `provider` (its provider reference names it). */
export function onProvider(resource: RecordedResource, provider: RecordedResource): boolean {
    return resource.provider.startsWith(`${provider.urn}::`);
}

/** Every resource is registered with the Kubernetes provider the test declared under `providerName`. */
export function expectOnKubernetesProvider(plan: Plan, resources: readonly RecordedResource[], providerName: string): void {
    const provider = plan.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === providerName);
    expect(provider).toBeDefined();
    for (const resource of resources) {
        expect([resource.name, provider !== undefined && onProvider(resource, provider)]).toEqual([resource.name, true]);
    }
}

/** The endpoints a Flyte component exposes. */
export interface FlyteEndpointOutputs {
    readonly grpcEndpoint: unknown;
    readonly httpEndpoint: unknown;
    readonly consoleUrl: unknown;
    readonly flytectlConfig: unknown;
}

/** A Flyte component's endpoints, as the program of runComponents returns them. */
export function flyteEndpointOutputs(flyte: FlyteEndpointOutputs): Record<string, unknown> {
    return { grpcEndpoint: flyte.grpcEndpoint, httpEndpoint: flyte.httpEndpoint, consoleUrl: flyte.consoleUrl, flytectlConfig: flyte.flytectlConfig };
}

/** The endpoints name `host` on the HTTP and gRPC ports: the console under /console, flytectl in plaintext on gRPC. */
export function expectFlyteEndpoints(outputs: Plan["outputs"], host: string, ports: { readonly http: number; readonly grpc: number }): void {
    expect(outputs).toMatchObject({
        grpcEndpoint: `${host}:${ports.grpc}`,
        httpEndpoint: `http://${host}:${ports.http}`,
        consoleUrl: `http://${host}:${ports.http}/console`,
    });
    expect(outputs.flytectlConfig).toContain(`endpoint: dns:///${host}:${ports.grpc}\n`);
    expect(outputs.flytectlConfig).toContain("insecure: true");
}
