import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "./commonValues";
import { FlyteEndpoints, flyteEndpoints } from "./endpoints";
import type { FlyteExposure } from "../contract/platform";

/**
 * The Service clients reach Flyte through, whichever chart runs it: HTTP 8088 and gRPC 8089 of the pods it selects
 * (named ports `http` and `grpc`), exposed the way the platform asks (an internal load balancer, or NodePorts).
 */

function serviceSpec(exposure: FlyteExposure, selector: Readonly<Record<string, string>>): k8s.types.input.core.v1.ServiceSpec {
    const ports = (nodePorts?: { readonly http: number; readonly grpc: number }) => [
        { name: "http", port: FLYTE_HTTP_PORT, targetPort: "http", protocol: "TCP", nodePort: nodePorts?.http },
        { name: "grpc", port: FLYTE_GRPC_PORT, targetPort: "grpc", protocol: "TCP", nodePort: nodePorts?.grpc },
    ];
    const common = { selector: { ...selector }, externalTrafficPolicy: "Cluster" };
    return exposure.kind === "loadBalancer"
        ? { ...common, type: "LoadBalancer", loadBalancerIP: exposure.loadBalancerIP, ports: ports() }
        : { ...common, type: "NodePort", ports: ports({ http: exposure.httpNodePort, grpc: exposure.grpcNodePort }) };
}

export interface EndpointServiceArgs {
    /** The Service is named `<releaseName>-lb` or `<releaseName>-nodeport`, next to the chart's own objects. */
    readonly releaseName: string;
    /** Flyte's namespace (read from its Namespace object, so the Service waits for it). */
    readonly namespace: pulumi.Input<string>;
    /** Labels of the pods that serve both ports: flyte-binary's pod, or flyte-core's endpoint proxy. */
    readonly selector: Readonly<Record<string, string>>;
    /** How clients reach the cluster: an internal load balancer with the cloud's annotations, or fixed NodePorts. */
    readonly exposure: FlyteExposure;
    /** Labels of the Service. */
    readonly labels: Readonly<Record<string, string>>;
}

/** The endpoint Service, what clients use to reach it, and the port-forward that works where they cannot. */
export interface EndpointService {
    /** The Service: `<release>-lb` (type LoadBalancer) or `<release>-nodeport` (type NodePort). */
    readonly service: k8s.core.v1.Service;
    /** gRPC and HTTP endpoints, the console URL and a flytectl config, from the address the exposure gives. */
    readonly endpoints: pulumi.Output<FlyteEndpoints>;
    /** `kubectl port-forward` of both ports from the Service (with the stack's kubeconfig). */
    readonly portForwardCommand: pulumi.Output<string>;
}

export function endpointService(name: string, args: EndpointServiceArgs, opts: pulumi.CustomResourceOptions): EndpointService {
    const { exposure } = args;
    const service = new k8s.core.v1.Service(
        `${name}-endpoint`,
        {
            metadata: {
                name: `${args.releaseName}-${exposure.kind === "loadBalancer" ? "lb" : "nodeport"}`,
                namespace: args.namespace,
                labels: { ...args.labels },
                annotations: exposure.kind === "loadBalancer" ? { ...exposure.annotations } : {},
            },
            spec: serviceSpec(exposure, args.selector),
        },
        opts,
    );
    // Flyte's two ports on the workstation, through the cluster's API server: for where the endpoint is unreachable.
    const portForwardCommand = pulumi.interpolate`kubectl --namespace ${service.metadata.namespace} port-forward service/${service.metadata.name} ${FLYTE_HTTP_PORT}:${FLYTE_HTTP_PORT} ${FLYTE_GRPC_PORT}:${FLYTE_GRPC_PORT}`;
    if (exposure.kind === "nodePort") {
        const ports = { http: exposure.httpNodePort, grpc: exposure.grpcNodePort };
        return { service, endpoints: pulumi.output(flyteEndpoints(exposure.host, ports)), portForwardCommand };
    }
    // Where the cloud picks the address (an AWS NLB's DNS name), it appears in the Service's status.
    const host =
        exposure.host ??
        service.status.apply((status) => {
            const ingress = status?.loadBalancer?.ingress?.[0];
            const address = ingress?.hostname || ingress?.ip;
            if (!address) {
                throw new Error("the load balancer Service reports no address");
            }
            return address;
        });
    return { service, endpoints: host.apply((h) => flyteEndpoints(h)), portForwardCommand };
}
