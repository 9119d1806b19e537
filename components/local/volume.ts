import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Tells the Kubernetes provider not to wait for a resource to become ready. */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

export interface DataVolumeArgs {
    readonly namespace: pulumi.Input<string>;
    readonly claimName: string;
    readonly sizeGi: number;
    /** Empty for the cluster's default StorageClass. */
    readonly storageClass: string;
    readonly labels: Readonly<Record<string, string>>;
    /** Pulumi `protect`: the claim (and with it the data) survives `pulumi destroy`. */
    readonly protect: boolean;
}

/** A ReadWriteOnce claim for a single-pod data store. */
export function dataVolume(
    name: string,
    args: DataVolumeArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.PersistentVolumeClaim {
    return new k8s.core.v1.PersistentVolumeClaim(
        name,
        {
            metadata: {
                name: args.claimName,
                namespace: args.namespace,
                labels: { ...args.labels },
                // kind's and k3d's local-path provisioner binds a claim only once a pod uses it, and that pod waits
                // for this claim: awaiting Bound here would deadlock until the timeout.
                annotations: { [SKIP_AWAIT]: "true" },
            },
            spec: {
                accessModes: ["ReadWriteOnce"],
                storageClassName: args.storageClass === "" ? undefined : args.storageClass,
                resources: { requests: { storage: `${args.sizeGi}Gi` } },
            },
        },
        { ...opts, protect: args.protect },
    );
}
