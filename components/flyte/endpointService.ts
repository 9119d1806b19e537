import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "./commonValues";
import { FlyteEndpoints, flyteEndpoints, httpsEndpoints } from "./endpoints";
import type { FlyteExposure, HttpsExposure } from "../contract/platform";

/**
 * The Service clients reach Flyte through, whichever chart runs it: HTTP 8088 and gRPC 8089 of the pods it selects
 * (named ports `http` and `grpc`), exposed the way the platform asks (an internal load balancer, or NodePorts).
 */

function serviceSpec(exposure: FlyteExposure, selector: Readonly<Record<string, string>>): k8s.types.input.core.v1.ServiceSpec {
    const ports = (nodePorts?: { readonly http: number; readonly grpc: number }, grpcAppProtocol?: string) => [
        { name: "http", port: FLYTE_HTTP_PORT, targetPort: "http", protocol: "TCP", nodePort: nodePorts?.http },
        { name: "grpc", port: FLYTE_GRPC_PORT, targetPort: "grpc", protocol: "TCP", nodePort: nodePorts?.grpc, appProtocol: grpcAppProtocol },
    ];
    const common = { selector: { ...selector }, externalTrafficPolicy: "Cluster" };
    switch (exposure.kind) {
        case "loadBalancer":
            return { ...common, type: "LoadBalancer", loadBalancerIP: exposure.loadBalancerIP, ports: ports() };
        case "nodePort":
            return { ...common, type: "NodePort", ports: ports({ http: exposure.httpNodePort, grpc: exposure.grpcNodePort }) };
        case "https":
            // Behind the cloud's L7 load balancer: a ClusterIP Service (its pods are the load balancer's endpoints),
            // or NodePorts the load balancer's instance targets are registered on.
            return exposure.service.type === "ClusterIP"
                ? { selector: { ...selector }, type: "ClusterIP", ports: ports(undefined, exposure.grpcAppProtocol) }
                : {
                      ...common,
                      type: "NodePort",
                      ports: ports({ http: exposure.service.httpNodePort, grpc: exposure.service.grpcNodePort }, exposure.grpcAppProtocol),
                  };
    }
}

/** The Service's name: `<release>-lb`, `<release>-nodeport` or `<release>-https`. */
function serviceName(releaseName: string, exposure: FlyteExposure): string {
    return `${releaseName}-${{ loadBalancer: "lb", nodePort: "nodeport", https: "https" }[exposure.kind]}`;
}

function serviceAnnotations(exposure: FlyteExposure): Record<string, string> {
    switch (exposure.kind) {
        case "loadBalancer":
            return { ...exposure.annotations };
        case "nodePort":
            return {};
        case "https":
            return { ...exposure.serviceAnnotations };
    }
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
    /** Flyte authenticates: the flytectl config signs in (PKCE). Only with an HTTPS exposure. */
    readonly authenticated?: boolean;
}

/** The endpoint Service, what clients use to reach it, and the port-forward that works where they cannot. */
export interface EndpointService {
    /** The Service: `<release>-lb` (type LoadBalancer) or `<release>-nodeport` (type NodePort). */
    readonly service: k8s.core.v1.Service;
    /** gRPC and HTTP endpoints, the console URL and a flytectl config, from the address the exposure gives. */
    readonly endpoints: pulumi.Output<FlyteEndpoints>;
    /** `kubectl port-forward` of both ports from the Service (with the stack's kubeconfig). */
    readonly portForwardCommand: pulumi.Output<string>;
    /** With an HTTPS exposure: what the platform declared to route its load balancer to the Service. */
    readonly routes: readonly pulumi.Resource[];
}

export function endpointService(name: string, args: EndpointServiceArgs, opts: pulumi.CustomResourceOptions): EndpointService {
    const { exposure } = args;
    const service = new k8s.core.v1.Service(
        `${name}-endpoint`,
        {
            metadata: {
                name: serviceName(args.releaseName, exposure),
                namespace: args.namespace,
                labels: { ...args.labels },
                annotations: serviceAnnotations(exposure),
            },
            spec: serviceSpec(exposure, args.selector),
        },
        opts,
    );
    // Flyte's two ports on the workstation, through the cluster's API server: for where the endpoint is unreachable.
    const portForwardCommand = pulumi.interpolate`kubectl --namespace ${service.metadata.namespace} port-forward service/${service.metadata.name} ${FLYTE_HTTP_PORT}:${FLYTE_HTTP_PORT} ${FLYTE_GRPC_PORT}:${FLYTE_GRPC_PORT}`;
    if (exposure.kind === "nodePort") {
        const ports = { http: exposure.httpNodePort, grpc: exposure.grpcNodePort };
        return { service, endpoints: pulumi.output(flyteEndpoints(exposure.host, ports)), portForwardCommand, routes: [] };
    }
    if (exposure.kind === "https") {
        return httpsEndpointService(service, exposure, args.authenticated ?? false, portForwardCommand, opts);
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
    return { service, endpoints: host.apply((h) => flyteEndpoints(h)), portForwardCommand, routes: [] };
}

function httpsEndpointService(
    service: k8s.core.v1.Service,
    exposure: HttpsExposure,
    authenticated: boolean,
    portForwardCommand: pulumi.Output<string>,
    opts: pulumi.CustomResourceOptions,
): EndpointService {
    const routes = exposure.attach(
        { namespace: service.metadata.namespace, name: service.metadata.name, httpPort: FLYTE_HTTP_PORT, grpcPort: FLYTE_GRPC_PORT },
        opts,
    );
    return { service, endpoints: pulumi.output(httpsEndpoints(exposure.hostname, authenticated)), portForwardCommand, routes };
}
