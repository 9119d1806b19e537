import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "../shared/hardening";

/** Tells the Kubernetes provider not to wait for a resource to become ready. */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

/** What each data server may use: enough for a workstation's Flyte, bounded so that it cannot starve the cluster. */
export const DATA_SERVER_RESOURCES = {
    requests: { cpu: "100m", memory: "256Mi" },
    limits: { memory: "1Gi" },
} as const;

/** A directory a server writes besides its data: an emptyDir, since the root filesystem is read-only. */
export interface ScratchDirectory {
    /** The volume's name in the pod, e.g. `tmp`. */
    readonly name: string;
    /** Where the container sees it, e.g. `/tmp`. */
    readonly mountPath: string;
    /** The most it may hold, a Kubernetes quantity such as `1Gi`; scratchVolume's default (64Mi) when absent. */
    readonly sizeLimit?: string;
}

export interface DataServerArgs {
    /** Namespace of the claim, the Deployment and the Service. */
    readonly namespace: pulumi.Input<string>;
    /**
     * Name of the Deployment, its container and its Service, e.g. `postgres`: the Service's name is the host pods
     * reach the server at, and the claim is `<server>-data`.
     */
    readonly server: string;
    /** Labels that identify the server's pod: the Deployment's selector and the Service's. */
    readonly appLabels: Readonly<Record<string, string>>;
    /** Labels on every object (the stack's labels and appLabels). */
    readonly labels: Readonly<Record<string, string>>;
    /**
     * The uid and gid the server runs as: the data volume is group-owned by the gid where the volume type supports
     * fsGroup, so the server can write it without root.
     */
    readonly user: {
        /** The user id (`runAsUser`): the image's own data-owning user where it has one. */
        readonly uid: number;
        /** The group id (`runAsGroup` and `fsGroup`). */
        readonly gid: number;
    };
    /** Size of the data volume, in GiB; a claim can grow later only where its StorageClass allows expansion. */
    readonly volumeGi: number;
    /** StorageClass of the data volume; empty for the cluster's default (kind's and k3d's local-path). */
    readonly storageClass: string;
    /** Pulumi `protect` on the claim: while set, `pulumi destroy` refuses to delete it and with it the data. */
    readonly protect: boolean;
    /** Where the container sees the data volume, e.g. `/data`. */
    readonly dataPath: string;
    /** Directories the server writes besides its data, mounted in this order after the data volume. */
    readonly scratch: readonly ScratchDirectory[];
    /** The server's own container settings; name, resources, security context and mounts are the same for all. */
    readonly container: Pick<k8s.types.input.core.v1.Container, "image" | "args" | "env" | "ports" | "readinessProbe" | "livenessProbe">;
    /** ClusterIP: reached by pods only; NodePort: also from the workstation, on the ports' fixed nodePorts. */
    readonly serviceType: "ClusterIP" | "NodePort";
    /** The Service's ports; each targets one of the container's named ports. */
    readonly servicePorts: k8s.types.input.core.v1.ServicePort[];
}

/** The objects of one data server. */
export interface DataServer {
    readonly volume: k8s.core.v1.PersistentVolumeClaim;
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
}

/**
 * A single-pod data store (Postgres, MinIO): a ReadWriteOnce claim, one server on it that never shares it with a
 * second pod, restricted and bounded like every workload here, and a Service in front. `opts` carries the parent
 * and the Kubernetes provider.
 */
export function dataServer(name: string, args: DataServerArgs, opts: pulumi.CustomResourceOptions): DataServer {
    const volume = new k8s.core.v1.PersistentVolumeClaim(
        `${name}-data`,
        {
            metadata: {
                name: `${args.server}-data`,
                namespace: args.namespace,
                labels: { ...args.labels },
                // kind's and k3d's local-path provisioner binds a claim only once a pod uses it, and that pod waits
                // for this claim: awaiting Bound here would deadlock until the timeout.
                annotations: { [SKIP_AWAIT]: "true" },
            },
            spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: args.storageClass === "" ? undefined : args.storageClass,
                resources: { requests: { storage: `${args.volumeGi}Gi` } },
            },
        },
        { ...opts, protect: args.protect },
    );

    const deployment = new k8s.apps.v1.Deployment(
        `${name}-server`,
        {
            metadata: { name: args.server, namespace: args.namespace, labels: args.labels },
            spec: {
                replicas: 1,
                // One volume, one server: never two pods on the same data directory.
                strategy: { type: "Recreate" },
                selector: { matchLabels: args.appLabels },
                template: {
                    metadata: { labels: args.labels },
                    spec: {
                        // A data server never talks to the Kubernetes API.
                        automountServiceAccountToken: false,
                        securityContext: restrictedPodSecurityContext({ ...args.user, fsGroup: true }),
                        containers: [
                            {
                                name: args.server,
                                ...args.container,
                                resources: DATA_SERVER_RESOURCES,
                                securityContext: restrictedContainerSecurityContext(),
                                volumeMounts: [
                                    { name: "data", mountPath: args.dataPath },
                                    ...args.scratch.map((s) => ({ name: s.name, mountPath: s.mountPath })),
                                ],
                            },
                        ],
                        volumes: [
                            { name: "data", persistentVolumeClaim: { claimName: volume.metadata.name } },
                            ...args.scratch.map((s) => scratchVolume(s.name, s.sizeLimit)),
                        ],
                    },
                },
            },
        },
        opts,
    );

    const service = new k8s.core.v1.Service(
        `${name}-service`,
        {
            metadata: { name: args.server, namespace: args.namespace, labels: args.labels },
            spec: { type: args.serviceType, selector: args.appLabels, ports: args.servicePorts },
        },
        opts,
    );
    return { volume, deployment, service };
}
