import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/hardening";
import { FLYTE_GRPC_PORT, FLYTE_HTTP_PORT } from "./commonValues";

/**
 * flyte-core serves the console and flyteadmin from separate Services, but clients expect what flyte-binary
 * offers on one address: HTTP (console under /console, the API elsewhere) and gRPC. A small nginx proxy gives
 * flyte-core that shape, so the load balancer, the endpoints and the outputs contract stay the same.
 */

export interface ProxyUpstreams {
    /** The namespace of the Services (Flyte's own). */
    readonly namespace: string;
    /** flyteadmin: it serves the API over HTTP and gRPC. */
    readonly admin: {
        /** The chart's Service name (FLYTEADMIN_SERVICE). */
        readonly service: string;
        /** Its HTTP port: everything outside /console goes here. */
        readonly httpPort: number;
        /** Its gRPC port: FLYTE_GRPC_PORT is passed through to it as a TCP stream. */
        readonly grpcPort: number;
    };
    /** flyteconsole: the web UI under /console. */
    readonly console: {
        /** The chart's Service name (FLYTECONSOLE_SERVICE). */
        readonly service: string;
        /** Its HTTP port. */
        readonly httpPort: number;
    };
}

/** The proxy pods' labels; the endpoint Service selects on them. */
export function endpointProxySelector(): Record<string, string> {
    return { "app.kubernetes.io/name": "flyte-endpoint-proxy", "app.kubernetes.io/component": "flyte-endpoint" };
}

/** nginx.conf: HTTP on FLYTE_HTTP_PORT routed by path, gRPC on FLYTE_GRPC_PORT passed through as a TCP stream. */
export function endpointProxyConfig(upstreams: ProxyUpstreams): string {
    const host = (service: string) => `${service}.${upstreams.namespace}.svc.cluster.local`;
    const admin = `${host(upstreams.admin.service)}:${upstreams.admin.httpPort}`;
    const console = `${host(upstreams.console.service)}:${upstreams.console.httpPort}`;
    const proxied = (upstream: string) => [
        `            proxy_pass http://${upstream};`,
        "            proxy_http_version 1.1;",
        "            proxy_set_header Host $host;",
        "            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "            proxy_set_header X-Forwarded-Proto $scheme;",
        "            proxy_read_timeout 300s;",
    ];
    return [
        "worker_processes 1;",
        "pid /tmp/nginx.pid;",
        "error_log /dev/stderr warn;",
        "events { worker_connections 1024; }",
        "http {",
        "    access_log off;",
        "    client_body_temp_path /tmp/client_body;",
        "    proxy_temp_path /tmp/proxy;",
        "    fastcgi_temp_path /tmp/fastcgi;",
        "    uwsgi_temp_path /tmp/uwsgi;",
        "    scgi_temp_path /tmp/scgi;",
        // Workflow registrations can be large; uploads themselves go straight to the object store.
        "    client_max_body_size 64m;",
        "    server {",
        `        listen ${FLYTE_HTTP_PORT};`,
        "        location = /healthz { access_log off; return 200 'ok'; }",
        "        location /console {",
        ...proxied(console),
        "        }",
        "        location / {",
        ...proxied(admin),
        "        }",
        "    }",
        "}",
        "stream {",
        "    server {",
        `        listen ${FLYTE_GRPC_PORT};`,
        `        proxy_pass ${host(upstreams.admin.service)}:${upstreams.admin.grpcPort};`,
        // Streams (watching executions) stay open.
        "        proxy_timeout 1h;",
        "    }",
        "}",
        "",
    ].join("\n");
}

export interface EndpointProxyArgs {
    /** Flyte's namespace (read from its Namespace object): the proxy runs next to the Services it forwards to. */
    readonly namespace: pulumi.Input<string>;
    /** Where HTTP and gRPC go: flyteadmin's and the console's Services. */
    readonly upstreams: ProxyUpstreams;
    /** An unprivileged nginx image with the stream module (flyte:coreProxyImage), e.g. nginx-unprivileged. */
    readonly image: string;
    /** Pods of the proxy (flyte:coreReplicas, as flyteadmin's): with 2 or more, spread over nodes, one may go. */
    readonly replicas: number;
    /** Labels of the ConfigMap, Deployment and pods (with endpointProxySelector's, which the endpoint Service selects). */
    readonly labels: Readonly<Record<string, string>>;
    /** The Kubernetes provider of Flyte's cluster. */
    readonly provider: k8s.Provider;
    /** The Flyte release: nginx resolves its upstreams at start, so it starts once their Services exist. */
    readonly release: pulumi.Resource;
}

/** The proxy's ConfigMap and Deployment (unprivileged, read-only root filesystem). */
export class EndpointProxy extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: EndpointProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:flyte:EndpointProxy", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const selector = endpointProxySelector();
        const labels = { ...args.labels, ...selector };
        const config = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            {
                metadata: { namespace: args.namespace, labels },
                data: { "nginx.conf": endpointProxyConfig(args.upstreams) },
            },
            k8sOpts,
        );
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: { name: "flyte-endpoint-proxy", namespace: args.namespace, labels },
                spec: {
                    replicas: args.replicas,
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels },
                        spec: {
                            automountServiceAccountToken: false,
                            // The image's own user is numeric (nginx-unprivileged: 101), which runAsNonRoot checks.
                            securityContext: restrictedPodSecurityContext(),
                            containers: [
                                {
                                    name: "nginx",
                                    image: args.image,
                                    args: ["nginx", "-c", "/etc/flyte-proxy/nginx.conf", "-g", "daemon off;"],
                                    ports: [
                                        { name: "http", containerPort: FLYTE_HTTP_PORT },
                                        { name: "grpc", containerPort: FLYTE_GRPC_PORT },
                                    ],
                                    readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5 },
                                    livenessProbe: { tcpSocket: { port: "http" }, initialDelaySeconds: 10, periodSeconds: 10 },
                                    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                                    securityContext: restrictedContainerSecurityContext(),
                                    // nginx writes its pid file and temporary files under /tmp (see the config).
                                    volumeMounts: [
                                        { name: "config", mountPath: "/etc/flyte-proxy", readOnly: true },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            // The ConfigMap is auto-named: a change of config replaces it and rolls the pods.
                            volumes: [
                                { name: "config", configMap: { name: config.metadata.name } },
                                { name: "tmp", emptyDir: {} },
                            ],
                            affinity: {
                                podAntiAffinity: {
                                    preferredDuringSchedulingIgnoredDuringExecution: [
                                        {
                                            weight: 100,
                                            podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: selector } },
                                        },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            { ...k8sOpts, dependsOn: [args.release] },
        );
        this.registerOutputs({});
    }
}
