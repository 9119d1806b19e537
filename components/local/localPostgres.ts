import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, scratchVolume } from "../shared/hardening";
import { dataVolume } from "./volume";

export const LOCAL_POSTGRES_SERVICE = "postgres";
export const LOCAL_POSTGRES_DATABASE = "flyte";
export const LOCAL_POSTGRES_USER = "flyte";
export const LOCAL_POSTGRES_PORT = 5432;
/** In-cluster traffic to this Postgres is not encrypted; it never leaves the cluster. */
export const LOCAL_POSTGRES_OPTIONS = "sslmode=disable";
/**
 * The official image's `postgres` user in its Alpine variants (uid and gid 70; docker-library/postgres
 * 16/alpine*\/Dockerfile). Run as it from the start, the entrypoint skips its root-only chown and initialises the
 * data directory as that user; with another uid (the Debian variants' is 999) it fakes a passwd entry with
 * nss_wrapper (docker-entrypoint.sh), so any image of the official family runs this way.
 */
export const POSTGRES_USER_ID = { uid: 70, gid: 70 } as const;

export interface LocalPostgresArgs {
    readonly namespace: pulumi.Input<string>;
    readonly image: string;
    readonly volumeGi: number;
    /** Empty for the cluster's default StorageClass. */
    readonly storageClass: string;
    /** Pulumi `protect` on the data volume. */
    readonly protect: boolean;
    readonly labels: Readonly<Record<string, string>>;
    readonly provider: k8s.Provider;
}

/**
 * Postgres for Flyte inside the cluster: the official image on a persistent volume, a generated password kept
 * as a Pulumi secret, and a readiness probe, so that whatever waits for it waits until it accepts connections.
 */
export class LocalPostgres extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;
    readonly volume: k8s.core.v1.PersistentVolumeClaim;
    readonly host: pulumi.Output<string>;
    readonly port = LOCAL_POSTGRES_PORT;
    readonly databaseName: pulumi.Output<string>;
    readonly username: pulumi.Output<string>;
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: LocalPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:local:LocalPostgres", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const appLabels = { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": "flyte-database" };
        const labels = { ...args.labels, ...appLabels };

        const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
        this.password = pulumi.secret(password.result);
        const secret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: "postgres-credentials", namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { POSTGRES_PASSWORD: this.password },
            },
            k8sOpts,
        );

        this.volume = dataVolume(
            `${name}-data`,
            {
                namespace: args.namespace,
                claimName: "postgres-data",
                sizeGi: args.volumeGi,
                storageClass: args.storageClass,
                labels,
                protect: args.protect,
            },
            k8sOpts,
        );

        const pgIsReady = ["pg_isready", "-h", "127.0.0.1", "-U", LOCAL_POSTGRES_USER, "-d", LOCAL_POSTGRES_DATABASE];
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-server`,
            {
                metadata: { name: "postgres", namespace: args.namespace, labels },
                spec: {
                    replicas: 1,
                    // One volume, one server: never two pods on the same data directory.
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: appLabels },
                    template: {
                        metadata: { labels },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: restrictedPodSecurityContext({ ...POSTGRES_USER_ID, fsGroup: true }),
                            containers: [
                                {
                                    name: "postgres",
                                    image: args.image,
                                    ports: [{ name: "postgres", containerPort: LOCAL_POSTGRES_PORT }],
                                    env: [
                                        { name: "POSTGRES_USER", value: LOCAL_POSTGRES_USER },
                                        { name: "POSTGRES_DB", value: LOCAL_POSTGRES_DATABASE },
                                        {
                                            name: "POSTGRES_PASSWORD",
                                            valueFrom: {
                                                secretKeyRef: { name: secret.metadata.name, key: "POSTGRES_PASSWORD" },
                                            },
                                        },
                                        // A subdirectory: the volume's root may hold lost+found.
                                        { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                                    ],
                                    readinessProbe: {
                                        exec: { command: pgIsReady },
                                        periodSeconds: 5,
                                        failureThreshold: 6,
                                    },
                                    livenessProbe: {
                                        exec: { command: pgIsReady },
                                        initialDelaySeconds: 30,
                                        periodSeconds: 10,
                                    },
                                    resources: {
                                        requests: { cpu: "100m", memory: "256Mi" },
                                        limits: { memory: "1Gi" },
                                    },
                                    securityContext: restrictedContainerSecurityContext(),
                                    // Postgres writes its data directory, its socket and lock file in
                                    // /var/run/postgresql (the image's socket directory), and the entrypoint /tmp.
                                    volumeMounts: [
                                        { name: "data", mountPath: "/var/lib/postgresql/data" },
                                        { name: "run", mountPath: "/var/run/postgresql" },
                                        { name: "tmp", mountPath: "/tmp" },
                                    ],
                                },
                            ],
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName: this.volume.metadata.name } },
                                scratchVolume("run"),
                                scratchVolume("tmp"),
                            ],
                        },
                    },
                },
            },
            k8sOpts,
        );

        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: LOCAL_POSTGRES_SERVICE, namespace: args.namespace, labels },
                spec: {
                    type: "ClusterIP",
                    selector: appLabels,
                    ports: [{ name: "postgres", port: LOCAL_POSTGRES_PORT, targetPort: "postgres" }],
                },
            },
            k8sOpts,
        );

        this.host = pulumi.interpolate`${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local`;
        this.databaseName = pulumi.output(LOCAL_POSTGRES_DATABASE);
        this.username = pulumi.output(LOCAL_POSTGRES_USER);
        this.registerOutputs({ host: this.host });
    }
}
