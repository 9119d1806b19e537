import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { FlyteDatabase } from "../contract/platform";
import { dataServer } from "./dataServer";

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
    /** The namespace of the server, its Service, Secret and volume (`<flyteNamespace>-deps`); the host Flyte connects to is in it. */
    readonly namespace: pulumi.Input<string>;
    /**
     * A Postgres image of the official family (config `localPostgresImage`, default an Alpine variant, whose user
     * has uid 70): the entrypoint's environment variables and `pg_isready` are what this relies on.
     */
    readonly image: string;
    /** Size of the data volume in GiB (config `localPostgresVolumeGi`, default 5); Flyte's database grows with its executions. */
    readonly volumeGi: number;
    /** Empty for the cluster's default StorageClass. */
    readonly storageClass: string;
    /** Pulumi `protect` on the data volume. */
    readonly protect: boolean;
    /** Kubernetes labels on every object, besides Postgres' own `app.kubernetes.io/name` and `component`. */
    readonly labels: Readonly<Record<string, string>>;
    /** The local cluster's provider; every object is created through it. */
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
    /** How Flyte connects: the Service's cluster DNS name, without TLS, with the generated password (a Pulumi secret). */
    readonly connection: FlyteDatabase;

    constructor(name: string, args: LocalPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("flyte:local:LocalPostgres", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const appLabels = { "app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": "flyte-database" };
        const labels = { ...args.labels, ...appLabels };

        const generated = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, { parent: this });
        const password = pulumi.secret(generated.result);
        const secret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: "postgres-credentials", namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { POSTGRES_PASSWORD: password },
            },
            k8sOpts,
        );

        const pgIsReady = ["pg_isready", "-h", "127.0.0.1", "-U", LOCAL_POSTGRES_USER, "-d", LOCAL_POSTGRES_DATABASE];
        ({ volume: this.volume, deployment: this.deployment, service: this.service } = dataServer(
            name,
            {
                namespace: args.namespace,
                server: LOCAL_POSTGRES_SERVICE,
                appLabels,
                labels,
                user: POSTGRES_USER_ID,
                volumeGi: args.volumeGi,
                storageClass: args.storageClass,
                protect: args.protect,
                // Postgres writes its data directory, its socket and lock file in /var/run/postgresql (the image's
                // socket directory), and the entrypoint /tmp.
                dataPath: "/var/lib/postgresql/data",
                scratch: [
                    { name: "run", mountPath: "/var/run/postgresql" },
                    { name: "tmp", mountPath: "/tmp" },
                ],
                container: {
                    image: args.image,
                    ports: [{ name: "postgres", containerPort: LOCAL_POSTGRES_PORT }],
                    env: [
                        { name: "POSTGRES_USER", value: LOCAL_POSTGRES_USER },
                        { name: "POSTGRES_DB", value: LOCAL_POSTGRES_DATABASE },
                        {
                            name: "POSTGRES_PASSWORD",
                            valueFrom: { secretKeyRef: { name: secret.metadata.name, key: "POSTGRES_PASSWORD" } },
                        },
                        // A subdirectory: the volume's root may hold lost+found.
                        { name: "PGDATA", value: "/var/lib/postgresql/data/pgdata" },
                    ],
                    readinessProbe: { exec: { command: pgIsReady }, periodSeconds: 5, failureThreshold: 6 },
                    livenessProbe: { exec: { command: pgIsReady }, initialDelaySeconds: 30, periodSeconds: 10 },
                },
                serviceType: "ClusterIP",
                servicePorts: [{ name: "postgres", port: LOCAL_POSTGRES_PORT, targetPort: "postgres" }],
            },
            k8sOpts,
        ));

        this.connection = {
            host: pulumi.interpolate`${this.service.metadata.name}.${this.service.metadata.namespace}.svc.cluster.local`,
            port: LOCAL_POSTGRES_PORT,
            name: pulumi.output(LOCAL_POSTGRES_DATABASE),
            username: pulumi.output(LOCAL_POSTGRES_USER),
            password,
            options: LOCAL_POSTGRES_OPTIONS,
        };
        this.registerOutputs({ host: this.connection.host });
    }
}
